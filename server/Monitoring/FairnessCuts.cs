using CreditRisk.Contracts;
using CreditRisk.Server.Model;

namespace CreditRisk.Server.Monitoring;

/// <summary>
/// The cut points of the report's fairness groups for the protected numbers (their training quartiles), from the
/// trainer's <c>training-summary.json</c> beside the model (<c>fairnessCuts</c>, <see cref="TrainingSummaryFile"/>).
/// Without them monitoring groups a protected number by its training bins instead, and says so, since those groups
/// cannot be set beside the report's.
/// </summary>
public static class FairnessCuts
{
    public const string FileName = TrainingSummaryFile.FileName;

    /// <summary>The cuts per protected number, or an empty map with the reason (no sidecar, another run's, no cuts in it).</summary>
    public static (IReadOnlyDictionary<string, double[]> Cuts, string? Missing) Read(string modelPath, ModelCard card)
    {
        if (!card.Dataset.Protected.Any(f => f.IsNumber))
        {
            return (new Dictionary<string, double[]>(), null);
        }

        var (root, missing) = TrainingSummaryFile.Read(modelPath, card);
        if (root is not { } summary)
        {
            return (new Dictionary<string, double[]>(), missing);
        }

        var (cuts, unusable) = TrainingSummaryFile.NumbersOf(summary, "fairnessCuts", "written by an older trainer");
        return (cuts, unusable);
    }
}
