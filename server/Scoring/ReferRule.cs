using System.Globalization;
using CreditRisk.Contracts;
using CreditRisk.Server.Model;
using Microsoft.Extensions.Options;

namespace CreditRisk.Server.Scoring;

/// <summary>
/// Whether the model should not decide an applicant alone (issue 30), and why in words: the expected outcome within
/// <see cref="ReferOptions.Band"/> of the boundary (<see cref="Decisions.IsWithin"/>, the borderline flag's rule, on the
/// graph's own threshold or expected profit), or a category value the training data never held (from the card's
/// training distribution). Inputs only: a protected attribute is never a model input, so it never refers anyone.
/// </summary>
public sealed class ReferRule
{
    private readonly ReferOptions _options;
    private readonly CreditModel _model;
    private readonly bool _money;

    // Per spec position of a categorical model input, its levels no training applicant had; empty when the card has no
    // training distribution (nothing is then known to be unseen).
    private readonly Dictionary<int, HashSet<string>> _unseen = [];

    // Per spec position of a numeric model input, the lowest and highest value the training data held.
    private readonly Dictionary<int, (double Min, double Max)> _ranges = [];

    public ReferRule(CreditModel model, IOptions<ReferOptions> options)
    {
        _model = model;
        _options = options.Value;
        _money = model.Economics?.Basis == DecisionEconomics.Loan;
        if (_options.OutsideTrainingRange)
        {
            ReadRanges(model);
        }

        if (!_options.UnseenCategories || model.Card.Monitoring is not { } baseline)
        {
            return;
        }

        var trained = baseline.Features.ToDictionary(f => f.Name, f => f.Distribution, StringComparer.Ordinal);
        foreach (var position in model.Inputs)
        {
            if (model.Features[position].IsCategory && trained.TryGetValue(model.Features[position].Name, out var d) && d.Levels is { } levels)
            {
                var never = levels.Where((_, i) => d.Shares[i] == 0).ToHashSet(StringComparer.Ordinal);
                if (never.Count > 0)
                {
                    _unseen[position] = never;
                }
            }
        }
    }

    /// <summary>The training ranges, from the trainer's summary beside the model: a setting that asks for them and a
    /// model that lacks them is refused at load, in one line, rather than silently never referring.</summary>
    private void ReadRanges(CreditModel model)
    {
        var (root, missing) = TrainingSummaryFile.Read(model.Path, model.Card);
        var (ranges, unusable) = root is { } summary ? TrainingSummaryFile.NumbersOf(summary, "trainingRanges", "written by an older trainer: retrain") : ([], missing);
        if (unusable is not null)
        {
            throw new ModelLoadException(model.Path, $"Refer:OutsideTrainingRange needs the numeric inputs' training ranges: {unusable}");
        }

        foreach (var position in model.Inputs)
        {
            if (model.Features[position].IsNumber && ranges.TryGetValue(model.Features[position].Name, out var range) && range.Length == 2)
            {
                _ranges[position] = (range[0], range[1]);
            }
        }
    }

    public bool Enabled => _options.Band is not null || _unseen.Count > 0 || _ranges.Count > 0;

    /// <summary>Why this applicant is referred, in words; null when the model decides it.</summary>
    public IReadOnlyList<string>? Why(ApplicantRow applicant, double pd, GraphDecision graph)
    {
        List<string>? why = null;
        if (_options.Band is { } band)
        {
            if (_money && Decisions.IsWithin(graph.ExpectedProfit, band))
            {
                var currency = _model.Economics!.Currency;
                (why ??= []).Add($"The expected profit of approving ({Money(graph.ExpectedProfit, currency)}) is within {Money(band, currency)} of break-even.");
            }
            else if (!_money && Decisions.IsWithin(pd - graph.Threshold, band))
            {
                (why ??= []).Add($"The probability of default ({Percent(pd)}) is within {Points(band)} percentage points of the threshold ({Percent(graph.Threshold)}).");
            }
        }

        foreach (var (position, never) in _unseen)
        {
            if (applicant.Categories[position] is { } value && never.Contains(value))
            {
                var feature = _model.Features[position];
                var label = feature.Values.First(v => v.Value == value).Text;
                (why ??= []).Add($"{feature.Text}: no applicant in the training data had \"{label}\".");
            }
        }

        foreach (var (position, (min, max)) in _ranges)
        {
            var value = applicant.Numbers[position];
            if (float.IsFinite(value) && (value < min || value > max))
            {
                var feature = _model.Features[position];
                (why ??= []).Add($"{feature.Text}: {Number(value)} is outside the training data's range ({Number(min)} to {Number(max)}).");
            }
        }

        return why;
    }

    private static string Number(double v) => v.ToString("#,0.##", CultureInfo.InvariantCulture);

    private static string Percent(double p) => Points(p) + " %";

    private static string Points(double p) => (100 * p).ToString("0.0##", CultureInfo.InvariantCulture);

    private static string Money(double amount, string? currency) =>
        (currency is null ? "" : currency + " ") + amount.ToString("#,0.00", CultureInfo.InvariantCulture);
}
