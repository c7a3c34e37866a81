using System.Text.RegularExpressions;

namespace CreditRisk.Trainer.Tests;

/// <summary>Each trainer folder is its namespace (Data, Selection, Export, Report), so a type's namespace says where its file is.</summary>
public sealed partial class NamespaceTests
{
    [Fact]
    public void Every_trainer_source_declares_the_namespace_of_its_folder()
    {
        var trainer = Path.Combine(Paths.Root, "trainer");
        var misplaced = new List<string>();
        foreach (var file in Directory.EnumerateFiles(trainer, "*.cs", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(trainer, file);
            if (relative.StartsWith("bin", StringComparison.Ordinal) || relative.StartsWith("obj", StringComparison.Ordinal))
            {
                continue;
            }

            var folder = Path.GetDirectoryName(relative)!.Replace(Path.DirectorySeparatorChar, '.');
            var expected = folder.Length == 0 ? "CreditRisk.Trainer" : $"CreditRisk.Trainer.{folder}";
            // Program.cs has top-level statements and no namespace.
            if (DeclaredNamespace().Match(File.ReadAllText(file)) is { Success: true } m && m.Groups[1].Value != expected)
            {
                misplaced.Add($"{relative}: namespace {m.Groups[1].Value}, expected {expected}");
            }
        }

        Assert.Empty(misplaced);
    }

    [GeneratedRegex(@"^namespace ([\w.]+);", RegexOptions.Multiline)]
    private static partial Regex DeclaredNamespace();
}
