using CreditRisk.Contracts;
using CreditRisk.Trainer.Data;

namespace CreditRisk.Trainer.Tests;

/// <summary>Bad data gets one clear error each, naming the CSV line and column; bad command lines exit 2.</summary>
[Collection(TrainerRuns.Name)]
public class DataErrorTests
{
    private static readonly DatasetSpec Spec = DatasetSpec.Parse("""
        {"name":"t","title":"T","source":{"path":"t.csv"},"target":{"column":"outcome","bad":["1"],"good":["0"]},
         "features":[{"name":"amount","kind":"integer","min":1,"max":100},{"name":"colour","kind":"category","values":[{"value":"red"},{"value":"blue","aliases":["b"]}]}]}
        """, "t.json");

    private static string Error(string csv) =>
        Assert.Throws<CreditDataException>(() => CreditData.Parse(Spec, csv, "t.csv")).Message;

    [Fact]
    public void Good_data_parses_with_aliases_resolved() =>
        Assert.Equal("blue", CreditData.Parse(Spec, "amount,colour,outcome\n5,b,1\n7,red,0\n", "t.csv")[0].Categories[1]);

    [Theory]
    [InlineData("amount,color,outcome\n5,red,1\n", "t.csv: features[1].column 'colour' is not a column of the file")]
    [InlineData("amount,colour,outcome\n5,red,1\n6,red,maybe\n", "t.csv line 3, column 'outcome': 'maybe' is neither a bad value (1) nor a good value (0)")]
    [InlineData("amount,colour,outcome\n5,green,1\n", "t.csv line 2, column 'colour': 'green' is not a value of features[1] (colour)")]
    [InlineData("amount,colour,outcome\n500,red,1\n", "t.csv line 2, column 'amount': '500' must be a whole number from 1 to 100")]
    [InlineData("amount,colour,outcome\n5.5,red,1\n", "t.csv line 2, column 'amount': '5.5' must be a whole number from 1 to 100")]
    [InlineData("amount,colour,outcome\nfive,red,1\n", "t.csv line 2, column 'amount': 'five' must be a whole number")]
    [InlineData("amount,colour,outcome\n,red,1\n", "t.csv line 2, column 'amount': the value is missing, and features[0] (amount) has missing: refuse")]
    [InlineData("amount,colour,outcome\n", "t.csv: the data set is empty")]
    [InlineData("amount,colour,outcome\n5,red,1\n6,blue,1\n", "t.csv: all 2 rows are bad; a model needs both classes")]
    public void Each_data_error_names_the_line_and_the_column(string csv, string expected) =>
        Assert.Contains(expected, Error(csv), StringComparison.Ordinal);

    [Fact]
    public void A_spec_that_breaks_the_json_schema_is_refused_naming_the_field()
    {
        var e = Assert.Throws<DatasetSpecException>(() => DatasetSpecSchema.Parse("""
            {"name":"t","title":"T","source":{"path":"t.csv","delimiter":7},"target":{"column":"o","bad":["1"],"good":["0"]},"features":[{"name":"x","kind":"real"}]}
            """, "t.json"));
        Assert.Contains("source.delimiter", e.Message, StringComparison.Ordinal);
        Assert.Contains("dataset.schema.json", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Both_shipped_specs_pass_the_json_schema()
    {
        foreach (var name in new[] { "german-credit", "lending-club" })
        {
            Assert.Equal(name, DatasetSpecSchema.Load(Path.Combine(Paths.Root, "data", name, "dataset.json")).Name);
        }
    }

    [Theory]
    [InlineData(2, "--bogus")]
    [InlineData(2, "--seed", "x")]
    [InlineData(2, "init", "data.csv")]
    [InlineData(1, "--dataset", "no-such-spec.json")]
    [InlineData(0, "--help")]
    [InlineData(0, "init", "--help")]
    public void The_command_line_exits_2_on_a_bad_argument_and_1_on_a_bad_spec(int exitCode, params string[] args) =>
        Assert.Equal(exitCode, TrainerCommandLine.Run(args));
}
