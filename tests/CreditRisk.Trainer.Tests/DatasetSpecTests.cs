using CreditRisk.Contracts;
using CreditRisk.Trainer.Data;

namespace CreditRisk.Trainer.Tests;

/// <summary>The spec's own rules (beyond its JSON Schema): each bad spec gets one clear error naming the field.</summary>
public class DatasetSpecTests
{
    private static string Repo(params string[] parts) => Path.Combine([Paths.Root, .. parts]);

    [Fact]
    public void Both_shipped_specs_load_and_the_german_one_carries_the_codebook()
    {
        var german = DatasetSpec.Load(Repo("data", "german-credit", "dataset.json"));
        Assert.Equal(20, german.Features.Count);
        Assert.Equal(13, german.Features.Count(f => f.IsCategory));
        // The UCI codes are aliases: every code in german.data resolves (the load refuses unlisted values), to the readable values.
        var data = CreditData.Load(Repo("data", "german-credit", "dataset.json"));
        Assert.Equal(1000, data.Rows.Count);
        Assert.Equal(300, data.Rows.Count(r => r.IsBad));
        Assert.Equal("below0", german.Find("checkingAccount")!.Resolve("A11"));
        Assert.Equal("below0", data.Rows[0].Categories[0]);

        var lendingClub = DatasetSpec.Load(Repo("data", "lending-club", "dataset.json"));
        Assert.Equal(22, lendingClub.Features.Count);
        Assert.Equal(50, lendingClub.Find("state")!.Values.Count);
        Assert.Equal("R05", lendingClub.ReasonCode(lendingClub.Find("state")!));
    }

    [Theory]
    [InlineData("""{"name":"x"}""", "features[1].name 'x' is a duplicate")]
    [InlineData("""{"name":"class"}""", "features[1].name 'class' is not a valid identifier")]
    [InlineData("""{"name":"bad name"}""", "features[1].name 'bad name' is not a valid identifier")]
    [InlineData("""{"name":"y","kind":"integer","min":5,"max":1}""", "features[1].min 5 is above max 1")]
    [InlineData("""{"name":"y","kind":"category","values":[]}""", "features[1].values must list the category's values")]
    [InlineData("""{"name":"y","kind":"category","values":[{"value":"a"},{"value":"a"}]}""", "features[1].values[1] 'a' is listed twice")]
    [InlineData("""{"name":"y","kind":"real","missing":"imputeWithIndicator","values":[{"value":"a"}]}""", "features[1].values a real lists no values")]
    [InlineData("""{"name":"y","column":"outcome","kind":"real"}""", "features[1].column 'outcome' is the target column")]
    public void A_bad_feature_is_named_with_its_rule(string second, string expected)
    {
        var json = $$"""
            {"name":"t","title":"T","source":{"path":"t.csv"},"target":{"column":"outcome","bad":["1"],"good":["0"]},
             "features":[{"name":"x","kind":"real"},{{second}}]}
            """;
        var e = Assert.Throws<DatasetSpecException>(() => DatasetSpec.Parse(json, "t.json"));
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
        Assert.StartsWith("t.json: ", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"name":"t","title":"T","source":{"path":"t.csv"},"features":[]}""", "target")]
    [InlineData("""{"name":"t","title":"T","source":{"path":"t.csv"},"target":{"column":"o","bad":["1"],"good":["0"]},"features":[{"name":"x","kind":"reel"}]}""", "features[0].kind")]
    [InlineData("""{"name":"t","title":"T","source":{"path":"t.csv"},"target":{"column":"o","bad":["1"],"good":["0"]},"features":[{"name":"x","knd":"real"}]}""", "knd")]
    [InlineData("""{"name":"t","title":"T","source":{"path":"t.csv"},"target":{"column":"o","bad":["1"],"good":["1"]},"features":[{"name":"x","kind":"real"}]}""", "target lists '1' as both bad and good")]
    [InlineData("""{"name":"t","title":"T","source":{"path":"t.csv"},"target":{"column":"o","bad":["1"],"good":["0"]},"features":[{"name":"x","kind":"real","role":"id"}]}""", "must have at least one attribute with role 'feature'")]
    public void A_bad_spec_is_refused_naming_the_field(string json, string expected)
    {
        var e = Assert.Throws<DatasetSpecException>(() => DatasetSpec.Parse(json, "t.json"));
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }
}
