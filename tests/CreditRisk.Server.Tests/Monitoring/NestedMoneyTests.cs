using CreditRisk.Server.Monitoring;

namespace CreditRisk.Server.Tests.Monitoring;

/// <summary>The nested-CV money per loan comes from nested-cv.json beside the model, and only when that file is the card's own run.</summary>
public sealed class NestedMoneyTests
{
    [Fact]
    public void Lending_clubs_interval_is_read_from_the_file_beside_its_model_and_german_credit_has_none()
    {
        var (interval, missing) = NestedMoney.Read(TestModels.ShippedModel(TestModels.LendingClub), TestModels.ShippedCard(TestModels.LendingClub));
        Assert.Null(missing);
        Assert.Equal(2532.99, interval!.Mean, 0.01);
        Assert.Equal(2418.13, interval.Ci95Low, 0.01);
        Assert.Equal(2647.86, interval.Ci95High, 0.01);

        // Constant costs: no money to compare, and nothing to warn about.
        Assert.Equal((null, null), NestedMoney.Read(TestModels.ShippedModel(TestModels.German), TestModels.ShippedCard(TestModels.German)));
    }

    [Fact]
    public void Another_runs_figures_or_no_file_give_no_interval_and_say_why()
    {
        var card = TestModels.ShippedCard(TestModels.LendingClub);
        var other = card with { NestedCv = card.NestedCv with { CostPerApplicant = card.NestedCv.CostPerApplicant + 1e-9 } };
        Assert.Equal((null, "nested-cv.json is not the nested-CV run of this model card"), NestedMoney.Read(TestModels.ShippedModel(TestModels.LendingClub), other));
        var euros = card with { Economics = card.Economics! with { Currency = "EUR" } };
        Assert.Equal((null, "nested-cv.json is not the nested-CV run of this model card"), NestedMoney.Read(TestModels.ShippedModel(TestModels.LendingClub), euros));
        Assert.Equal((null, "nested-cv.json is not beside the model"), NestedMoney.Read(Path.Combine(TestModels.Directory, "model.onnx"), card));
    }

    /// <summary>A dated spec's file holds the in-time run with the out-of-time one beside it (issue 31): the card's
    /// headline is the out-of-time figure, so its money is read from there, never from the in-time run.</summary>
    [Fact]
    public void With_an_out_of_time_estimate_the_money_is_the_out_of_time_runs()
    {
        var card = TestModels.ShippedCard(TestModels.LendingClub);
        var shipped = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(Path.GetDirectoryName(TestModels.ShippedModel(TestModels.LendingClub))!, NestedMoney.FileName)))!.AsObject();
        var inTime = shipped.DeepClone().AsObject();
        inTime["procedure"]!["mean"] = card.NestedCv.CostPerApplicant + 0.01;
        inTime["money"]!["model"]!["mean"] = 1.0;
        inTime["outOfTime"] = shipped.DeepClone();
        var directory = Directory.CreateTempSubdirectory("creditrisk-oot-money-");
        try
        {
            File.WriteAllText(Path.Combine(directory.FullName, NestedMoney.FileName), inTime.ToJsonString());
            var (interval, missing) = NestedMoney.Read(Path.Combine(directory.FullName, "model.onnx"), card);
            Assert.Null(missing);
            Assert.Equal(2532.99, interval!.Mean, 0.01);
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }
}
