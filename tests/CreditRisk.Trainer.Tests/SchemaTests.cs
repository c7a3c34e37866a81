using CreditRisk.Contracts;

namespace CreditRisk.Trainer.Tests;

public class SchemaTests
{
    [Fact]
    public void Schema_has_the_twenty_codebook_attributes_thirteen_of_them_categorical()
    {
        Assert.Equal(20, FeatureSchema.All.Count);
        Assert.Equal(13, FeatureSchema.Categorical.Count());
        Assert.Equal(Enumerable.Range(1, 20), FeatureSchema.All.Select(f => f.Index));
    }

    [Fact]
    public void Every_uci_code_in_the_data_maps_to_a_readable_value_and_back()
    {
        var dataFile = Path.Combine(AppContext.BaseDirectory, "german.data");
        foreach (var line in File.ReadLines(dataFile))
        {
            var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            foreach (var feature in FeatureSchema.Categorical)
            {
                var code = fields[feature.Index - 1];
                var value = FeatureSchema.FromUciCode(feature.Name, code);
                Assert.Equal(code, FeatureSchema.ToUciCode(feature.Name, value));
            }
        }
    }

    [Fact]
    public void Example_applicant_holds_only_allowed_values()
    {
        foreach (var feature in FeatureSchema.All)
        {
            if (feature.IsCategorical)
            {
                Assert.True(feature.IsAllowed(Applicant.Example.Category(feature.Index)), feature.Name);
            }
            else
            {
                Assert.InRange(Applicant.Example.Number(feature.Index), feature.Min, feature.Max);
            }
        }
    }
}
