using System.Text.Json;
using CreditRisk.Contracts;
using CreditRisk.Server.Model;
using CreditRisk.Server.Monitoring;
using Xunit.Abstractions;

namespace CreditRisk.Server.Tests.Monitoring;

/// <summary>
/// Drift on the real German data (issue 17, "Drift"): the baseline fitted on all 1,000 applicants of german.data read
/// through its spec, with PDs from the shipped ONNX file in ONNX Runtime; then shifted populations scored the same way.
/// (The trainer will fit the baseline on out-of-fold PDs; here the shipped model's own PDs serve both sides alike.)
/// </summary>
public sealed class GermanDriftTests(GermanDriftTests.German german, ITestOutputHelper output) : IClassFixture<GermanDriftTests.German>
{
    public sealed class German : IDisposable
    {
        public German()
        {
            Spec = TestModels.Spec(TestModels.German);
            Model = new CreditModel(TestModels.ShippedModel(TestModels.German));
            Applicants = Read(Spec);
            Baseline = MonitoringBaseline.Fit(Spec.Inputs, Applicants, Score(Applicants), Model.Threshold);
        }

        public DatasetSpec Spec { get; }
        public CreditModel Model { get; }
        public IReadOnlyList<IReadOnlyDictionary<string, JsonElement>> Applicants { get; }
        public MonitoringBaseline Baseline { get; }

        public double[] Score(IReadOnlyList<IReadOnlyDictionary<string, JsonElement>> applicants) =>
            applicants.Select(a => (double)Model.Predict(Model.ReadRow("applicant", a))).ToArray();

        /// <summary>The PSIs as the monitoring report computes them (<see cref="MonitoringFigures.Stability"/>).</summary>
        public Drift Drift(IReadOnlyList<IReadOnlyDictionary<string, JsonElement>> live)
        {
            var (features, pd) = MonitoringFigures.Stability(Baseline, Spec.Inputs.Select(f => f.Name).ToHashSet(StringComparer.Ordinal), live, Score(live));
            return new Drift(features, pd);
        }

        public void Dispose() => Model.Dispose();

        /// <summary>german.data through its spec: the spec's column names, UCI codes resolved to the spec's values.</summary>
        internal static IReadOnlyDictionary<string, JsonElement>[] Read(DatasetSpec spec)
        {
            var columns = spec.Source.Columns!.ToList();
            return File.ReadLines(Path.Combine(Paths.RepoRoot, "data", spec.Name, spec.Source.Path))
                .Where(line => line.Trim().Length > 0)
                .Select(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                .Select(cells => (IReadOnlyDictionary<string, JsonElement>)spec.Features
                    .Where(f => f.Role != FeatureRole.Id)
                    .ToDictionary(f => f.Name, f =>
                    {
                        var raw = cells[columns.IndexOf(f.CsvColumn)];
                        return f.IsCategory
                            ? JsonSerializer.SerializeToElement(f.Resolve(raw) ?? throw new InvalidDataException($"{f.Name}: '{raw}'"))
                            : JsonSerializer.SerializeToElement(double.Parse(raw, System.Globalization.CultureInfo.InvariantCulture));
                    }))
                .ToArray();
        }
    }

    private static Dictionary<string, JsonElement> With(IReadOnlyDictionary<string, JsonElement> applicant, string name, double value) =>
        new Dictionary<string, JsonElement>(applicant) { [name] = JsonSerializer.SerializeToElement(value) };

    private static double Number(IReadOnlyDictionary<string, JsonElement> applicant, string name) => applicant[name].GetDouble();

    public sealed record Drift(IReadOnlyList<StabilityFigure> Features, StabilityFigure Pd);

    private Drift Report(IReadOnlyList<IReadOnlyDictionary<string, JsonElement>> live)
    {
        var report = german.Drift(live);
        foreach (var f in report.Features.Append(report.Pd))
        {
            output.WriteLine($"{f.Name,-24} {f.Psi,8:0.0000} {f.Band}");
        }

        return report;
    }

    private static StabilityFigure Feature(Drift report, string name) => report.Features.Single(f => f.Name == name);

    [Fact]
    public void The_baseline_has_a_bin_layout_for_every_input_and_the_pd()
    {
        var b = german.Baseline;
        Assert.Equal(1000, b.Rows);
        Assert.Equal(german.Spec.Inputs.Select(f => f.Name), b.Features.Select(f => f.Name));
        var amount = b.Features.Single(f => f.Name == "creditAmount").Distribution;
        Assert.Equal(9, amount.Edges!.Count); // 921 distinct amounts: nine decile cuts, ten bins of 10 % each
        Assert.All(amount.Shares, s => Assert.Equal(0.1, s, 2));
        Assert.Equal(german.Spec.Find("checkingAccount")!.Values.Count, b.Features.Single(f => f.Name == "checkingAccount").Distribution.Shares.Count);
        Assert.Equal(9, b.Pd.Edges!.Count);
        Assert.All(b.Features.Select(f => f.Distribution).Append(b.Pd), d => Assert.Equal(1, d.Shares.Sum(), 9));
    }

    [Fact]
    public void A_sample_of_the_training_population_is_stable_everywhere()
    {
        // Every other applicant: the same population, half the size.
        var report = Report(german.Applicants.Where((_, i) => i % 2 == 1).ToArray());

        Assert.All(report.Features.Append(report.Pd), f => Assert.Equal(PsiBand.Stable, f.Band));
    }

    [Fact]
    public void Windows_of_200_training_applicants_stay_below_act_on_every_input()
    {
        // The alert rules wait for 200 decisions: at that size, sampling noise alone must not reach 0.25.
        // 50 seeded windows drawn without replacement from the training population.
        var random = new Random(2026);
        var worst = new Dictionary<string, double>();
        for (var w = 0; w < 50; w++)
        {
            var window = german.Applicants.OrderBy(_ => random.Next()).Take(200).ToArray();
            var report = german.Drift(window);
            foreach (var f in report.Features.Append(report.Pd))
            {
                worst[f.Name] = Math.Max(worst.GetValueOrDefault(f.Name), f.Psi);
            }
        }

        foreach (var (name, psi) in worst)
        {
            output.WriteLine($"{name,-24} worst {psi:0.0000}");
        }

        Assert.All(worst, w => Assert.True(w.Value <= Psi.ActAbove, $"{w.Key}: PSI {w.Value} on a window of 200 from training"));
    }

    [Fact]
    public void Amounts_times_three_move_the_amount_past_a_quarter_and_no_other_feature()
    {
        var live = german.Applicants
            .Select(a => (IReadOnlyDictionary<string, JsonElement>)With(a, "creditAmount", 3 * Number(a, "creditAmount")))
            .ToArray();

        var report = Report(live);

        var amount = Feature(report, "creditAmount");
        Assert.True(amount.Psi > Psi.ActAbove, $"creditAmount PSI {amount.Psi}");
        Assert.Equal(PsiBand.Act, amount.Band);
        Assert.All(report.Features.Where(f => f.Name != "creditAmount"), f => Assert.Equal(0, f.Psi, 12));
    }

    [Fact]
    public void Only_loans_under_a_year_move_the_duration_past_a_quarter_and_it_moves_most()
    {
        // Age is protected (not a model input), so it has no drift bins of its own; the loan duration is the input.
        var live = german.Applicants.Where(a => Number(a, "durationMonths") < 12).ToArray();

        var report = Report(live);

        var duration = Feature(report, "durationMonths");
        Assert.True(duration.Psi > Psi.ActAbove, $"durationMonths PSI {duration.Psi}");
        Assert.Equal(PsiBand.Act, duration.Band);
        Assert.DoesNotContain(report.Features, f => f.Name == "age");
        Assert.All(report.Features.Where(f => f.Name != "durationMonths"), f => Assert.True(f.Psi < duration.Psi, $"{f.Name} PSI {f.Psi} against durationMonths {duration.Psi}"));
    }
}
