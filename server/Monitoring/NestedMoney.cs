using System.Text.Json;
using CreditRisk.Contracts;

namespace CreditRisk.Server.Monitoring;

/// <summary>
/// The nested-CV estimate of a loan-basis model's money per loan, read from the trainer's <c>nested-cv.json</c> beside
/// the model file (<c>money.model</c>). The card carries the nested-CV cost, not the money; adding it to the card would
/// change the model's version, so the sidecar is read instead and trusted only when its nested-CV cost, interval and
/// currency are exactly the card's: the same run.
/// </summary>
public static class NestedMoney
{
    public const string FileName = "nested-cv.json";

    /// <summary>The interval, or null with the reason (no sidecar, not a loan-basis model, another run's figures).</summary>
    public static (MoneyInterval? Interval, string? Missing) Read(string modelPath, ModelCard card)
    {
        if (card.Economics is not { Basis: DecisionEconomics.Loan } economics)
        {
            return (null, null);
        }

        var path = Path.Combine(Path.GetDirectoryName(modelPath) ?? ".", FileName);
        if (!File.Exists(path))
        {
            return (null, $"{FileName} is not beside the model");
        }

        try
        {
            using var stream = File.OpenRead(path);
            using var json = JsonDocument.Parse(stream);
            // With a date column the card's headline is the out-of-time estimate, written beside the in-time one.
            var root = json.RootElement.TryGetProperty("outOfTime", out var outOfTime) && outOfTime.ValueKind == JsonValueKind.Object ? outOfTime : json.RootElement;
            var procedure = root.GetProperty("procedure");
            var sameRun = procedure.GetProperty("mean").GetDouble() == card.NestedCv.CostPerApplicant
                && procedure.GetProperty("ci95Low").GetDouble() == card.NestedCv.Ci95Low
                && procedure.GetProperty("ci95High").GetDouble() == card.NestedCv.Ci95High;
            if (!sameRun || !root.TryGetProperty("money", out var money) || money.ValueKind != JsonValueKind.Object
                || money.GetProperty("currency").GetString() != economics.Currency)
            {
                return (null, $"{FileName} is not the nested-CV run of this model card");
            }

            var model = money.GetProperty("model");
            return (new MoneyInterval(model.GetProperty("mean").GetDouble(), model.GetProperty("ci95Low").GetDouble(), model.GetProperty("ci95High").GetDouble()), null);
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or IOException)
        {
            return (null, $"{FileName} cannot be read: {e.Message}");
        }
    }
}
