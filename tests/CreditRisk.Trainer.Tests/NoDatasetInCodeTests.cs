using System.Text.RegularExpressions;
using CreditRisk.Contracts;

namespace CreditRisk.Trainer.Tests;

/// <summary>
/// The data set is data: no attribute name of a shipped spec may appear in the product's C# sources. A camelCase name
/// (<c>checkingAccount</c>) is unambiguous and is refused anywhere as a whole word; a plain English word that happens
/// to be an attribute (<c>purpose</c>, <c>state</c>) is refused as a string literal, the way a data set gets written
/// into code. The server's sources are checked by the same rule once they follow the spec (their own test).
/// </summary>
public class NoDatasetInCodeTests
{
    private static readonly string[] Specs = ["german-credit", "lending-club"];

    public static TheoryData<string> Folders => ["contracts", "trainer"];

    [Theory]
    [MemberData(nameof(Folders))]
    public void No_shipped_attribute_name_appears_in_the_sources(string folder)
    {
        var names = Specs.SelectMany(s => DatasetSpec.Load(Path.Combine(Paths.Root, "data", s, "dataset.json")).Features.Select(f => f.Name)).Distinct().ToArray();
        var hits = new List<string>();
        foreach (var file in SourcesUnder(Path.Combine(Paths.Root, folder)))
        {
            var lines = File.ReadAllLines(file);
            for (var i = 0; i < lines.Length; i++)
            {
                foreach (var name in names)
                {
                    var pattern = name.Any(char.IsUpper) ? $@"\b{Regex.Escape(name)}\b" : $"\"{Regex.Escape(name)}\"";
                    if (Regex.IsMatch(lines[i], pattern))
                    {
                        hits.Add($"{Path.GetRelativePath(Paths.Root, file)}:{i + 1}: {name}");
                    }
                }
            }
        }

        Assert.True(hits.Count == 0, "attribute names in code:\n" + string.Join("\n", hits));
    }

    [Fact]
    public void The_rule_finds_a_name_when_there_is_one()
    {
        Assert.Matches(@"\bcheckingAccount\b", "var x = row[\"checkingAccount\"];");
        Assert.DoesNotMatch("\"purpose\"", "// small on purpose");
    }

    private static IEnumerable<string> SourcesUnder(string root) =>
        Directory.EnumerateFiles(root, "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                && !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal));
}
