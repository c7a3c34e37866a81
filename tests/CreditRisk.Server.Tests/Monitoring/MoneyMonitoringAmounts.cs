using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using CreditRisk.Contracts;
using CreditRisk.Server.Records;

namespace CreditRisk.Server.Tests.Monitoring;

/// <summary>Outcomes that carry the amounts the lender booked (interestReceived, lossAmount): validated, stored, and
/// used by the realised profit in place of the spec's formula.</summary>
public abstract partial class MoneyMonitoringContract<TServer>
{
    [Fact]
    public async Task Outcome_amounts_out_of_range_not_numbers_or_a_loss_on_a_repaid_loan_are_a_400_naming_the_field_and_store_nothing()
    {
        var id = server.OldDecisionId.ToString();
        var at = DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture);
        JsonObject One(bool defaulted, string field, JsonNode? value) =>
            new() { ["decisionId"] = id, ["defaulted"] = defaulted, ["observedAt"] = at, [field] = value };
        (JsonObject Body, string Field, string Rule)[] cases =
        [
            (One(false, "interestReceived", -0.01), "interestReceived", OutcomesModule.AmountRule),
            (One(false, "interestReceived", "NaN"), "interestReceived", OutcomesModule.AmountRule),
            (One(false, "interestReceived", "12.5"), "interestReceived", OutcomesModule.AmountRule),
            (One(true, "lossAmount", 1e10), "lossAmount", OutcomesModule.AmountRule),
            (One(true, "lossAmount", true), "lossAmount", OutcomesModule.AmountRule),
            (One(false, "lossAmount", 100), "lossAmount", "is only for a defaulted loan"),
            // In a batch the field is named with its index, and the valid first outcome is not stored either.
            (new JsonObject { ["outcomes"] = new JsonArray(One(false, "interestReceived", 10), One(false, "interestReceived", -5)) },
                "outcomes[1].interestReceived", OutcomesModule.AmountRule),
        ];
        foreach (var (body, field, rule) in cases)
        {
            using var response = await PostOutcomeAsync(body);
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            var errors = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("errors");
            Assert.True(errors.TryGetProperty(field, out var messages), $"{body.ToJsonString()} → {errors}");
            Assert.Contains(messages.EnumerateArray(), m => m.GetString()!.Contains(rule, StringComparison.Ordinal));
        }

        var record = (await GetRecordAsync(server.OldDecisionId)).Deserialize<DecisionRecord>(Http.Json)!;
        Assert.Null(record.Outcome!.InterestReceived);
        Assert.Single(record.OutcomeHistory!);
    }

    /// <summary>
    /// The last phase of the realised-profit test (it owns the window's outcomes): corrections that carry amounts, in
    /// four kinds, each loan's realised profit worked out here from the amounts posted: repaid with the interest booked
    /// (that interest), defaulted with interest and a write-off (their difference), defaulted with a write-off only (minus
    /// it), repaid with no amounts (the recorded margin, the spec's formula). Rejects earn 0 whatever they carry, and
    /// their forgone margin and avoided loss stay those recorded with the decision.
    /// </summary>
    private async Task OutcomesWithAmountsReplaceTheFormulaAsync(DecisionRecord[] matured)
    {
        var at = DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture);
        var items = new JsonObject[matured.Length];
        var each = new double[matured.Length];
        var carried = 0;
        for (var k = 0; k < matured.Length; k++)
        {
            var (r, approved) = (matured[k], matured[k].Decision == Decisions.Approve);
            var (margin, loss) = (r.Money!.Margin!.Value, r.Money.Loss!.Value);
            var item = new JsonObject { ["decisionId"] = r.DecisionId.ToString(), ["observedAt"] = at, ["defaulted"] = k % 4 is 1 or 2 };
            double realised;
            switch (k % 4)
            {
                case 0:
                    item["interestReceived"] = Math.Round(margin * 0.9, 2);
                    realised = Math.Round(margin * 0.9, 2);
                    break;
                case 1:
                    item["interestReceived"] = 123.45;
                    item["lossAmount"] = Math.Round(loss * 0.5, 2);
                    realised = 123.45 - Math.Round(loss * 0.5, 2);
                    break;
                case 2:
                    item["lossAmount"] = Math.Round(loss * 0.8, 2);
                    realised = -Math.Round(loss * 0.8, 2);
                    break;
                default:
                    realised = margin;
                    break;
            }

            items[k] = item;
            each[k] = approved ? realised : 0;
            carried += approved && k % 4 != 3 ? 1 : 0;
        }

        foreach (var chunk in items.Chunk(50))
        {
            using var posted = await PostOutcomeAsync(new JsonObject { ["outcomes"] = new JsonArray([.. chunk.Select(i => i.DeepClone())]) });
            Assert.Equal(HttpStatusCode.OK, posted.StatusCode);
            var results = (await posted.Content.ReadFromJsonAsync<OutcomeBatchResponse>(Http.Json))!.Results;
            Assert.All(results, r => Assert.Equal(200, r.Status));
        }

        var money = (await MonitoringAfterAsync()).Money!;
        Assert.True(carried > 100, $"{carried} approvals carried amounts");
        Assert.Equal(carried, money.WithRealisedAmounts);
        Assert.Equal(matured.Length, money.Matured);
        Assert.Equal(1, money.WithoutAmounts);
        Assert.Equal(each.Sum(), money.RealisedProfit!.Value, 1e-6);
        Assert.Equal(each.Average(), money.RealisedProfitPerLoan!.Value, 1e-6);
        var rejects = Enumerable.Range(0, matured.Length).Where(k => matured[k].Decision == Decisions.Reject).ToArray();
        Assert.Equal(rejects.Where(k => k % 4 is 0 or 3).Sum(k => matured[k].Money!.Margin!.Value), money.ForgoneMargin, 1e-6);
        Assert.Equal(rejects.Where(k => k % 4 is 1 or 2).Sum(k => matured[k].Money!.Loss!.Value), money.AvoidedLoss, 1e-6);
        output.WriteLine($"with amounts on {carried} approvals: realised {money.RealisedProfitPerLoan:F2} USD per loan");

        // The record keeps the amounts with the outcome and in its history (the outcome before them had none); the same
        // outcome again, amounts and all, changes nothing.
        var first = matured.Select((r, k) => (r, k)).First(p => p.k % 4 == 1).r;
        var record = (await GetRecordAsync(first.DecisionId)).Deserialize<DecisionRecord>(Http.Json)!;
        Assert.Equal((true, 123.45, Math.Round(first.Money!.Loss!.Value * 0.5, 2)), (record.Outcome!.Defaulted, record.Outcome.InterestReceived, record.Outcome.LossAmount));
        Assert.Equal(record.Outcome, record.OutcomeHistory![^1]);
        Assert.Null(record.OutcomeHistory[0].InterestReceived);
        using (var again = await PostOutcomeAsync(items[matured.ToList().IndexOf(first)].DeepClone().AsObject()))
        {
            Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        }

        var unchanged = (await GetRecordAsync(first.DecisionId)).Deserialize<DecisionRecord>(Http.Json)!;
        Assert.Equal(record.OutcomeHistory.Count, unchanged.OutcomeHistory!.Count);
    }

    private async Task<HttpResponseMessage> PostOutcomeAsync(JsonObject body)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/outcomes")
        {
            Content = JsonContent.Create(body),
            Headers = { { "X-API-Key", MoneyMonitoringServer.Key } },
        };
        return await server.Server.Client.SendAsync(request);
    }
}
