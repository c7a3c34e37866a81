using System.Text.Json;
using CreditRisk.Contracts;
using CreditRisk.Trainer.Data;
using CreditRisk.Trainer.Export;
using CreditRisk.Trainer.Selection;

namespace CreditRisk.Trainer.Tests;

/// <summary>
/// What a million-loan book needs of the trainer (issue 31) that a small one never shows: memory that does not grow by
/// kilobytes a row in the card and the golden file, the registered 3-fold tier, and progress that counts every fit.
/// </summary>
public class LargeBookTests
{
    [Fact]
    public void The_registered_resampling_tiers_hold_at_their_edges_with_3_folds_from_500000_rows()
    {
        Assert.Equal(new Resampling(5, 2, 5, 10), Resampling.For(4_999));
        Assert.Equal(new Resampling(5, 2, 5, 2), Resampling.For(49_999));
        Assert.Equal(new Resampling(5, 1, 2, 1), Resampling.For(499_999));
        Assert.Equal(new Resampling(3, 1, 2, 1), Resampling.For(500_000));
        Assert.Equal(new Resampling(3, 1, 2, 1), Resampling.For(1_000_000));
        var options = TrainerOptions.Parse([]).ResolvedFor(1_000_000);
        Assert.Equal((3, 1), (options.Folds, options.Repeats));
        Assert.StartsWith("the registered rule", options.ResamplingSource, StringComparison.Ordinal);
        Assert.Equal(5, TrainerOptions.Parse([]).ResolvedFor(9_857).Folds);
    }

    /// <summary>The baseline is now fitted a column at a time instead of from one JSON applicant per row (about 5 KB a
    /// row). It must be the very same baseline for every shipped data set: Lending Club's real-valued inputs (rates,
    /// utilisation) are where a float read back through JSON and a float widened to double differ, German Credit's
    /// protected number (read for the fairness groups) is where an attribute that is not an input must still count.</summary>
    [Theory]
    [InlineData("german-credit")]
    [InlineData("lending-club")]
    public void The_column_baseline_equals_the_request_shaped_one_on_every_shipped_data_set(string dataset)
    {
        var data = CreditData.Load(Path.Combine(Paths.Root, "data", dataset, "dataset.json"));
        var spec = data.Spec;
        var rows = data.Rows;
        var isBad = rows.Select(r => r.IsBad).ToArray();
        // Two "repeats" of out-of-fold PDs, as the selection CV gives, so the repeated layout is covered too.
        var pd = new[] { rows.Select((_, i) => (float)((i * 7919 % 1000) / 1000.0)).ToArray(), rows.Select((_, i) => (float)((i * 104729 % 997) / 997.0)).ToArray() };
        Assert.Contains(spec.Features, f => dataset == "lending-club" ? f.Kind == FeatureKind.Real : f.Role == FeatureRole.Protected && f.IsNumber);

        var attributes = spec.Features.Where(f => !f.IsCarried).ToArray();
        var applicants = rows.Select(r => ReferenceValues.RequestValues(spec, r, attributes)).ToArray();
        var (pooled, bad) = CandidateResult.Pool(pd, isBad);
        var expected = MonitoringBaseline.Fit(attributes, [.. pd.SelectMany(_ => applicants)], [.. pooled.Select(p => (double)p)], 0.2, isBad: bad) with { Rows = rows.Count };

        var actual = Baseline.Fit(spec, rows, pd, isBad, 0.2);

        Assert.Equal(JsonSerializer.Serialize(expected), JsonSerializer.Serialize(actual));
    }

    [Fact]
    public void A_book_larger_than_the_explanation_sample_writes_that_many_data_rows_to_golden_evenly_spaced()
    {
        var rows = TestData.Rows;
        var book = Enumerable.Range(0, 25).SelectMany(_ => rows).ToArray();
        var golden = Golden.Rows(TestData.Spec, book, new Dictionary<string, float[]>());
        var data = golden.Where(g => g.Kind == "data").Select(g => g.Record).ToArray();
        Assert.Equal(ReferenceValues.MaxRows, data.Length);
        Assert.Equal(ReferenceValues.Sample(book), data);
        Assert.Equal(golden.Count - data.Length, Golden.Rows(TestData.Spec, rows, new Dictionary<string, float[]>()).Count(g => g.Kind != "data"));
        // A book of the sample's size or smaller keeps every row (German Credit's and Lending Club's golden files).
        Assert.Equal(rows.Count, Golden.Rows(TestData.Spec, rows, new Dictionary<string, float[]>()).Count(g => g.Kind == "data"));
    }

    /// <summary>At 100,000 rows the estimate's bar sat at 100 % for 110 of its 274 s: the refits on each outer training
    /// set and the seed recipe's fits were not counted. Every fit is a step now, and the steps add up.</summary>
    [Fact]
    public void The_estimates_progress_counts_every_fit_and_ends_at_its_total()
    {
        var rows = TestData.Rows.Take(400).ToArray();
        var grid = Candidate.Grid(quick: true);
        var resampling = new Resampling(3, 1, 2, 1);
        var ticks = 0;
        NestedCv.Run(rows, grid, new Training(TestData.Spec, 42), resampling, 0.03, "fp", () => Interlocked.Increment(ref ticks));
        Assert.True(TestData.Spec.Protected.Any());
        Assert.Equal(NestedCv.Fits(TestData.Spec, grid.Count, resampling), ticks);
        Assert.Equal(2 * grid.Count * ((3 + 1) * 2 + 1), ticks);
    }
}
