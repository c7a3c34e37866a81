using System.Globalization;
using System.Text.Json;
using CreditRisk.Contracts;
using CreditRisk.Server.Records;

namespace CreditRisk.Server.Monitoring;

/// <summary>
/// The monitoring report of one window of decisions against the card's baseline. Pure: the caller reads the window
/// from the store. PSI covers the model inputs only: protected attributes are optional in a request, so their
/// "missing" share says what clients send, not who applies; they give the group figures instead.
/// </summary>
public static class MonitoringFigures
{
    /// <summary>Realised cost over time: the matured decisions in this many consecutive, equally large buckets (fewer when there are fewer matured decisions).</summary>
    public const int CostBuckets = 10;

    /// <param name="nestedMoney">The nested-CV money per loan of a loan-basis model (<see cref="NestedMoney"/>), when known.</param>
    /// <param name="fairnessCuts">The report's group cut points per protected number (<see cref="FairnessCuts"/>), when known.</param>
    public static MonitoringReport Of(
        ModelCard card, string version, IReadOnlyList<WindowDecision> window, MonitoringOptions options, DateTimeOffset now,
        MoneyInterval? nestedMoney = null, IReadOnlyDictionary<string, double[]>? fairnessCuts = null)
    {
        var baseline = card.Monitoring;
        var applicants = window.Select(d => (IReadOnlyDictionary<string, JsonElement>)ApplicantOf(d.Applicant)).ToArray();
        var pd = window.Select(d => d.Pd).ToArray();
        var inputs = card.Dataset.Inputs.Select(f => f.Name).ToHashSet(StringComparer.Ordinal);

        IReadOnlyList<StabilityFigure> features = [];
        StabilityFigure? pdFigure = null;
        if (baseline is not null && window.Count > 0)
        {
            (features, pdFigure) = Stability(baseline, inputs, applicants, pd);
        }

        return new MonitoringReport(
            version,
            now,
            new MonitoringWindow(window.Count, options.WindowDecisions, options.WindowDays, window.Count == 0 ? null : window.Min(d => d.DecidedAt), window.Count == 0 ? null : window.Max(d => d.DecidedAt)),
            baseline is not null,
            window.Count == 0 ? null : Outcomes.ApprovalRate(window.Select(d => d.Rejected).ToArray()),
            baseline?.ApprovalRate,
            window.Count == 0 ? null : pd.Average(),
            baseline?.MeanPd,
            features,
            pdFigure,
            OutcomesOf(card, window),
            baseline is null ? [] : GroupsOf(card, baseline, window, applicants, options.MinGroupSize, fairnessCuts),
            options.MinOutcomes,
            options.MinGroupSize,
            RealisedMoney.Figures(card, window, nestedMoney));
    }

    /// <summary>PSI of a live sample against the card's baseline: each of <paramref name="inputs"/> in baseline order, then the PD.</summary>
    public static (IReadOnlyList<StabilityFigure> Features, StabilityFigure Pd) Stability(
        MonitoringBaseline baseline, IReadOnlySet<string> inputs, IReadOnlyList<IReadOnlyDictionary<string, JsonElement>> applicants, IReadOnlyList<double> pd)
    {
        ArgumentOutOfRangeException.ThrowIfNotEqual(pd.Count, applicants.Count, nameof(pd));
        var features = baseline.Features
            .Where(f => inputs.Contains(f.Name))
            .Select(f => Stability(f.Name, f.Distribution, f.Distribution.Count(applicants, f.Name)))
            .ToArray();
        return (features, Stability("pd", baseline.Pd, baseline.Pd.CountNumbers(pd.Select(p => (double?)p).ToArray())));
    }

    private static StabilityFigure Stability(string name, Distribution training, Distribution live)
    {
        var psi = Psi.Of(training, live);
        return new StabilityFigure(name, psi, Psi.Band(psi), training, live);
    }

    private static OutcomeFigures OutcomesOf(ModelCard card, IReadOnlyList<WindowDecision> window)
    {
        // Oldest first, so the cost buckets run forward in time.
        var matured = window.Where(d => d.Defaulted is not null).OrderBy(d => d.DecidedAt).ToArray();
        var decisions = matured.Select(d => new MaturedDecision(d.Pd, d.Rejected, d.Defaulted!.Value)).ToArray();
        double? cost = decisions.Length == 0 ? null : Outcomes.CostPerApplicant(decisions, card.CostFalseNegative, card.CostFalsePositive);
        var baseline = card.Monitoring;
        var bands = baseline is null
            ? []
            : Outcomes.BadRateByBand(decisions, baseline.Pd.Edges ?? [])
                .Select((b, i) => new BandCalibration(
                    b.Low,
                    b.High,
                    b.Decisions,
                    b.Bad,
                    b.Decisions == 0 ? null : b.RealisedBadRate,
                    b.Decisions == 0 ? null : b.MeanPd,
                    i < baseline.PdBands.Count ? baseline.PdBands[i].BadRate : null))
                .ToArray();
        return new OutcomeFigures(
            decisions.Length,
            decisions.Count(d => d.IsBad),
            cost,
            card.NestedCv,
            cost is { } c ? c > card.NestedCv.Ci95High : null,
            Outcomes.Auc(decisions),
            bands,
            CostOverTime(card, matured));
    }

    private static CostBucket[] CostOverTime(ModelCard card, WindowDecision[] matured)
    {
        if (matured.Length == 0)
        {
            return [];
        }

        var size = (int)Math.Ceiling((double)matured.Length / CostBuckets);
        return matured.Chunk(size)
            .Select(bucket => new CostBucket(
                bucket[0].DecidedAt,
                bucket[^1].DecidedAt,
                bucket.Length,
                Outcomes.CostPerApplicant(bucket.Select(d => new MaturedDecision(d.Pd, d.Rejected, d.Defaulted!.Value)).ToArray(), card.CostFalseNegative, card.CostFalsePositive)))
            .ToArray();
    }

    /// <summary>What a number's groups are when the report's cuts are known, and when they are not.</summary>
    public const string ReportGroups = "the training report's fairness groups (training quartiles)";
    public const string TrainingBins = "training bins (the report's fairness groups are not beside the model, so these differ from the report's)";
    public const string SpecValues = "the spec's values";

    /// <summary>
    /// Per protected attribute of the baseline that at least one request sent: the groups of the decisions that sent it.
    /// A category groups by its values; a number by the report's fairness groups when <paramref name="fairnessCuts"/>
    /// has it (<see cref="FairnessBands"/>, the trainer's own definition), else by its training bins.
    /// </summary>
    private static GroupFigures[] GroupsOf(
        ModelCard card, MonitoringBaseline baseline, IReadOnlyList<WindowDecision> window, IReadOnlyDictionary<string, JsonElement>[] applicants,
        int minGroupSize, IReadOnlyDictionary<string, double[]>? fairnessCuts)
    {
        var protectedNames = card.Dataset.Protected.Select(f => f.Name).ToHashSet(StringComparer.Ordinal);
        var figures = new List<GroupFigures>();
        foreach (var f in baseline.Features.Where(f => protectedNames.Contains(f.Name)))
        {
            var cuts = f.Distribution.IsCategory ? null : fairnessCuts?.GetValueOrDefault(f.Name);
            var sent = new List<(string Group, bool Rejected)>();
            for (var i = 0; i < window.Count; i++)
            {
                if (GroupOf(f.Distribution, cuts, applicants[i], f.Name) is { } group)
                {
                    sent.Add((group, window[i].Rejected));
                }
            }

            if (sent.Count > 0)
            {
                // A category's groups in spec order, a number's from the lowest band up.
                List<string> order = f.Distribution.IsCategory ? [.. f.Distribution.Levels!]
                    : cuts is not null ? [.. FairnessBands.Labels(cuts)]
                    : [.. Enumerable.Range(0, f.Distribution.Edges!.Count + 1).Select(b => BinLabel(f.Distribution.Edges!, b))];
                var groups = Outcomes.ApprovalByGroup(sent, minGroupSize)
                    .OrderBy(g => order.IndexOf(g.Group))
                    .Select(g => g.Suppressed
                        ? new GroupFigure(g.Group, g.Decisions, null, null, null, Suppressed: true)
                        : new GroupFigure(g.Group, g.Decisions, g.Approved, g.ApprovalRate, g.AdverseImpactRatio))
                    .ToArray();
                figures.Add(new GroupFigures(f.Name, sent.Count, groups, f.Distribution.IsCategory ? SpecValues : cuts is not null ? ReportGroups : TrainingBins));
            }
        }

        return [.. figures];
    }

    /// <summary>A category's value, or the number's group (the report's band, else its training bin); null when not sent.</summary>
    private static string? GroupOf(Distribution distribution, IReadOnlyList<double>? cuts, IReadOnlyDictionary<string, JsonElement> applicant, string name)
    {
        if (distribution.IsCategory)
        {
            return Distribution.CategoryOf(applicant, name);
        }

        if (Distribution.NumberOf(applicant, name) is not { } x || !double.IsFinite(x))
        {
            return null;
        }

        return cuts is not null ? FairnessBands.Label(cuts, x) : BinLabel(distribution.Edges!, Distribution.BinOf(distribution.Edges!, x));
    }

    /// <summary>A number's training bin as "(low, high]", the open ends as "≤ high" and "> low".</summary>
    private static string BinLabel(IReadOnlyList<double> edges, int bin)
    {
        string F(double v) => v.ToString("0.####", CultureInfo.InvariantCulture);
        return edges.Count == 0 ? "all"
            : bin == 0 ? $"≤ {F(edges[0])}"
            : bin == edges.Count ? $"> {F(edges[^1])}"
            : $"({F(edges[bin - 1])}, {F(edges[bin])}]";
    }

    private static Dictionary<string, JsonElement> ApplicantOf(JsonElement applicant)
    {
        var fields = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        if (applicant.ValueKind == JsonValueKind.Object)
        {
            foreach (var p in applicant.EnumerateObject())
            {
                fields[p.Name] = p.Value;
            }
        }

        return fields;
    }
}
