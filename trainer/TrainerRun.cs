using System.Diagnostics;
using System.Text.Json;
using CreditRisk.Contracts;
using CreditRisk.Trainer.Data;
using CreditRisk.Trainer.Export;
using CreditRisk.Trainer.Report;
using CreditRisk.Trainer.Selection;
using Spectre.Console;

namespace CreditRisk.Trainer;

/// <summary>What a training run produced (also what the tests inspect).</summary>
public sealed record TrainingOutcome(
    IReadOnlyList<CandidateResult> Candidates,
    IReadOnlyList<CandidateResult> Members,
    CandidateResult Chosen,
    ModelCard Card,
    FittedModel Model,
    NestedCvResult? Nested,
    double WallSeconds,
    string OutputDirectory)
{
    /// <summary>The reference applicant (partial dependence, found once for the card and the report); null = find it again.</summary>
    public CreditRecord? Reference { get; init; }
}

/// <summary>The trainer's two commands, each a list of steps.</summary>
public static class TrainerRun
{
    /// <param name="onStep">Told each step's name as it starts, so a failure can name the step it happened in.</param>
    public static TrainingOutcome Train(TrainerOptions options, Action<string>? onStep = null)
    {
        var step = onStep ?? (_ => { });
        var clock = Stopwatch.StartNew();
        var progress = new Progress();

        // 1. Load: the spec (schema + rules), then its CSV through it: aliases → values, missing tokens → missing.
        //    The resampling follows from the row count (docs/preregistration.md, issue 31) unless the command line set it.
        step(LoadStep);
        var data = progress.Time("load the spec and data", () => CreditData.Load(options.DatasetPath));
        options = options.ResolvedFor(data.Rows.Count);
        var spec = data.Spec;
        //    A spec with a date column gets the out-of-time estimate too; a split it cannot estimate on stops the run here.
        var split = spec.Date is null || options.NoEstimate ? null : OutOfTimeSplit.Of(spec, data.Rows);
        var output = options.OutputFor(spec);
        Directory.CreateDirectory(output);
        var costs = CostMatrix.Of(spec);
        var isBad = data.Rows.Select(r => r.IsBad).ToArray();
        var grid = options.Grid();
        var training = new Training(spec, options.Seed) { FoldsAtOnce = Training.Cores };

        // 2. Cross-validate every candidate on the same stratified, repeated folds.
        step("cross-validate the candidates");
        var folds = CrossValidation.StratifiedFolds(isBad, options.Folds, options.Repeats, options.Seed);
        var results = progress.Run($"Cross-validating {grid.Count} candidates ({options.Folds}-fold × {options.Repeats})", grid.Count * folds.Count, tick =>
            grid.Select((c, i) => CandidateResult.Evaluate(i, c, training.OutOfFold(c, data.Rows, folds, tick), isBad, costs, options.Smoothing)).ToArray());

        // 3. Select (docs/preregistration.md): in each learner family the candidate with the lowest pooled out-of-fold
        //    cost; the model is the mean PD of those family winners (choosing between near-equal families on noisy
        //    CV picks the luckiest one), and its threshold minimises cost on the ensemble's out-of-fold PDs.
        //    With loan-level economics (issue 28) each family's winner is the candidate with the most out-of-fold money
        //    under the per-loan rule instead; the constant-cost threshold below is then the fallback only.
        step("select the members and the threshold");
        var selectClock = Stopwatch.StartNew();
        var money = Money.Of(spec, data.Rows);
        var scores = money.LoanLevel
            ? results.Select(r => new CandidateScore(r.Index, r.Candidate.Name, -NestedCv.MoneyPerApplicant(r.OutOfFold, isBad, money), double.NaN)).ToArray()
            : results.Select(r => r.Score).ToArray();
        var members = SelectionRule.PerFamily(scores, s => grid[s.Index].Kind).Select(s => results[s.Index]).ToArray();
        var ensemble = Candidate.MeanOf(members.Select(m => m.Candidate).ToArray());
        var outOfFold = FittedModel.Mean(members.Select(m => m.OutOfFold).ToArray());

        //    Recalibrate only if the registered rule fires on the ensemble's own out-of-fold PDs (issue 31): decided here,
        //    never by the estimate, so the estimate below cannot change the model. Platt on the pooled out-of-fold PDs,
        //    and the threshold then chosen on the recalibrated ones.
        if (RecalibrationRule.Decide(outOfFold, isBad) is { } platt)
        {
            ensemble = ensemble with { Recalibration = platt };
            outOfFold = [.. outOfFold.Select(platt.Apply)];
        }

        var chosen = CandidateResult.Evaluate(grid.Count, ensemble, outOfFold, isBad, costs, options.Smoothing);
        progress.Add("select the members, recalibration and threshold", selectClock.Elapsed.TotalSeconds);

        // 4. The honest estimate, before the model is written (one command, right by construction): nested CV of the
        //    whole procedure, reused from nested-cv.json when its fingerprint matches; skipped only on --no-estimate.
        var fingerprint = NestedCvResult.FingerprintOf(options, data.Spec, data.Sha256, grid);
        var nested = NestedCvResult.TryLoad(Path.Combine(output, NestedFile), fingerprint);
        if (nested is null && !options.NoEstimate)
        {
            step("estimate the cost (nested cross-validation)");
            nested = RunNested(options, data, grid, fingerprint, progress, split);
            File.WriteAllText(Path.Combine(output, NestedFile), JsonSerializer.Serialize(nested, NestedCvResult.Json) + "\n");
        }

        // 5. Refit every member on all rows.
        step("refit on all rows");
        var model = progress.Time("refit on all rows", () => training.FitModel(chosen.Candidate, data.Rows));

        // 6. Export: one ONNX file with the card in its metadata, proven against ONNX Runtime; golden rows.
        step("export the ONNX file");
        var cardClock = Stopwatch.StartNew();
        var reference = ReferenceValues.FindRecord(model, data.Rows);
        var card = new ModelCard
        {
            CardVersion = ModelCard.CurrentVersion,
            Dataset = spec,
            Learner = chosen.Candidate.Kind.ToString(),
            Hyperparameters = chosen.Candidate.HyperparameterStrings,
            Threshold = chosen.Best.Threshold,
            CostFalseNegative = costs.FalseNegative,
            CostFalsePositive = costs.FalsePositive,
            // outerFolds 0 says plainly there is no estimate: the figure is then the optimistic selection CV's, and
            // every reader (report, page, monitoring) calls it that.
            NestedCv = EstimateOf(chosen, nested),
            TrainingRows = data.Rows.Count,
            TrainingDataSha256 = data.Sha256,
            Seed = options.Seed,
            ExcludedFeatures = [.. spec.Protected.Select(f => f.Name)],
            ReferenceApplicant = ReferenceValues.Values(spec, reference),
            ExampleApplicant = ReferenceValues.RequestValues(spec, data.Rows[0], spec.Features.Where(f => !f.IsCarried)),
            ImputedValues = Imputation.Means(spec, data.Rows),
            Monitoring = Baseline.Fit(spec, data.Rows, chosen.OutOfFold, isBad, chosen.Best.Threshold),
            Economics = DecisionEconomics.Of(spec),
        };
        progress.Add("the card: reference applicant, monitoring baseline", cardClock.Elapsed.TotalSeconds);
        var onnx = progress.Time("export and verify the ONNX file", () =>
        {
            var ml = training.NewContext();
            var graph = OnnxEconomics.Append(OnnxExport.Convert(ml, model, data.Rows), spec, card.Threshold);
            var golden = Golden.Rows(spec, data.Rows, TreeSplits.Find(model));
            var goldenRecords = golden.Select(g => g.Record).ToArray();
            OnnxExport.Verify(graph, model, goldenRecords, card.Threshold);
            var provenance = SourceCommit.ProvenanceOf(output);
            var file = ModelFile.WithMetadata(graph, card, provenance);
            OnnxExport.Verify(file, model, goldenRecords, card.Threshold);
            File.WriteAllBytes(Path.Combine(output, "model.onnx"), file);
            File.WriteAllText(Path.Combine(output, "model.json"), ModelFile.SidecarJson(card, provenance, file));
            File.WriteAllText(Path.Combine(output, "golden.json"), Golden.ToJson(spec, golden, model.Predict(goldenRecords), card.Threshold, Money.Of(spec, goldenRecords)));
            ServingConfigs.Write(Path.Combine(output, "model.onnx"));
            return file;
        });

        // 7. Report.
        step("write the report");
        var outcome = new TrainingOutcome(results, members, chosen, card, model, nested, Math.Round(clock.Elapsed.TotalSeconds, 1), output) { Reference = reference };
        if (!options.NoReport)
        {
            progress.Time("write the report", () => ReportWriter.Write(options, data, outcome, clock.Elapsed));
        }

        PrintSummary(outcome, clock.Elapsed);
        progress.Print();
        if (nested is null)
        {
            AnsiConsole.MarkupLine("[yellow]No estimate (--no-estimate): the card carries the optimistic selection-CV cost with outerFolds = 0, " +
                "and the report, the page and the monitoring page say so. Run without --no-estimate for the nested estimate.[/]");
        }

        // Last, what the run produced: the version the server will report (ModelIdentity: graph and card, not the commit) and the files.
        var written = ModelFiles.Concat(options.NoReport ? [] : ReportFiles)
            .Concat(nested is null ? [] : [NestedFile])
            .Concat(!options.NoReport && spec.Costs.Loan is not null && nested?.Money is not null ? [Charts.ProfitFile] : [])
            .Select(f => Path.Combine(output, f));
        AnsiConsole.MarkupLine($"Model version [green]{ModelFile.VersionOf(onnx, card)}[/] ({Markup.Escape(spec.Name)}). Wrote:");
        foreach (var path in written)
        {
            AnsiConsole.MarkupLine($"  {Markup.Escape(path)}");
        }

        return outcome with { WallSeconds = Math.Round(clock.Elapsed.TotalSeconds, 1) };
    }

    /// <summary>
    /// The card's estimate: the out-of-time one when the spec has a date column (docs/preregistration.md), with the
    /// in-time nested CV beside it; the nested CV's otherwise; with no estimate, the selection CV's figure and
    /// <c>outerFolds</c> 0, which every reader (report, page, monitoring) calls the optimistic selection-CV figure.
    /// </summary>
    private static CrossValidatedCost EstimateOf(CandidateResult chosen, NestedCvResult? nested)
    {
        static CrossValidatedCost Of(NestedCvResult n) => new(n.Procedure.Mean, n.Procedure.Ci95Low, n.Procedure.Ci95High, n.ProcedureAuc, n.OuterFolds, n.Repeats);
        return nested switch
        {
            null => new CrossValidatedCost(chosen.Cost.Mean, chosen.Cost.Ci95Low, chosen.Cost.Ci95High, chosen.Auc, OuterFolds: 0, Repeats: 0),
            { OutOfTime: { } oot } => Of(oot) with
            {
                OutOfTime = oot.Windows,
                InTime = new InTimeCost(nested.Procedure.Mean, nested.Procedure.Ci95Low, nested.Procedure.Ci95High, nested.ProcedureAuc, nested.OuterFolds, nested.Repeats),
            },
            _ => Of(nested),
        };
    }

    /// <summary>The nested CV of the procedure with the resampling of <paramref name="options"/> (resolved for the book's
    /// size), and, given a <paramref name="split"/>, the out-of-time estimate beside it.</summary>
    private static NestedCvResult RunNested(TrainerOptions options, CreditData data, IReadOnlyList<Candidate> grid, string fingerprint, Progress progress, OutOfTimeSplit? split)
    {
        var inTime = RunInTime(options, data, grid, fingerprint, progress);
        if (split is null)
        {
            return inTime;
        }

        var resampling = options.Resampling;
        var w = split.Windows;
        var oot = progress.Run($"Out-of-time estimate (train {w.TrainFrom} – {w.TrainTo}, {w.TrainRows:N0} rows; test {w.TestFrom} – {w.TestTo}, {w.TestRows:N0} rows), fits",
            NestedCv.Fits(data.Spec, grid.Count, resampling with { OuterFolds = 1, OuterRepeats = 1 }),
            tick => NestedCv.OutOfTime(data.Rows, grid, new Training(data.Spec, options.Seed) { FoldsAtOnce = Training.Cores }, resampling, options.Smoothing, fingerprint, split, tick));
        AnsiConsole.MarkupLine($"Out-of-time estimate (the card's headline): {oot.Procedure.Mean:F3} per applicant (95 % CI {oot.Procedure.Ci95Low:F3} – {oot.Procedure.Ci95High:F3}, " +
            $"width {oot.Procedure.Ci95High - oot.Procedure.Ci95Low:F3}) on the {w.TestRows:N0} loans dated {w.TestFrom} – {w.TestTo}, {oot.WallSeconds:F1} s.");
        return inTime with { OutOfTime = oot };
    }

    private static NestedCvResult RunInTime(TrainerOptions options, CreditData data, IReadOnlyList<Candidate> grid, string fingerprint, Progress progress)
    {
        var resampling = options.Resampling;
        var result = progress.Run($"Nested CV ({resampling.OuterFolds}-fold × {resampling.OuterRepeats} outer, {resampling.Folds}-fold × {resampling.Repeats} inner), fits",
            NestedCv.Fits(data.Spec, grid.Count, resampling),
            tick => NestedCv.Run(data.Rows, grid, new Training(data.Spec, options.Seed), resampling, options.Smoothing, fingerprint, tick));
        AnsiConsole.MarkupLine($"Estimate: {result.Procedure.Mean:F3} per applicant (95 % CI {result.Procedure.Ci95Low:F3} – {result.Procedure.Ci95High:F3}, width {result.Procedure.Ci95High - result.Procedure.Ci95Low:F3}), " +
            $"{resampling.OuterFolds}-fold × {resampling.OuterRepeats} outer ({Markup.Escape(options.ResamplingSource)}), {result.WallSeconds:F1} s.");
        return result;
    }

    public const string NestedFile = "nested-cv.json";

    private static readonly string[] ModelFiles = ["model.onnx", "model.json", "golden.json", ServingConfigs.TritonFile, ServingConfigs.MlServerFile];

    private static readonly string[] ReportFiles = ReportWriter.Files;

    public const string LoadStep = "load the spec and data";

    public static NestedCvResult Nested(TrainerOptions options, Action<string>? onStep = null)
    {
        var step = onStep ?? (_ => { });
        step(LoadStep);
        var data = CreditData.Load(options.DatasetPath);
        options = options.ResolvedFor(data.Rows.Count);
        var output = options.OutputFor(data.Spec);
        Directory.CreateDirectory(output);
        var grid = options.Grid();
        var fingerprint = NestedCvResult.FingerprintOf(options, data.Spec, data.Sha256, grid);
        var split = data.Spec.Date is null ? null : OutOfTimeSplit.Of(data.Spec, data.Rows);
        step("run the nested cross-validation");
        var result = RunNested(options, data, grid, fingerprint, new Progress(), split);
        step("write " + NestedFile);
        File.WriteAllText(Path.Combine(output, NestedFile), JsonSerializer.Serialize(result, NestedCvResult.Json) + "\n");

        var table = new Table().AddColumns("procedure", "cost / applicant", "95 % CI");
        void Row(string name, CostEstimate c) => table.AddRow(name, $"{c.Mean:F3}", $"{c.Ci95Low:F3} – {c.Ci95High:F3}");
        Row("selected (model + threshold chosen in inner CV)", result.Procedure);
        Row("seed recipe (80/20 split, threshold 0.5)", result.SeedRecipe);
        Row("reject all", result.RejectAll);
        Row("accept all", result.AcceptAll);
        if (result.Compliance is { } compliance)
        {
            Row($"the procedure with {string.Join(", ", compliance.Attributes)} as inputs", compliance.WithProtected);
            Row("cost of compliance (paired: compliant minus with protected)", compliance.Difference);
        }
        foreach (var (name, cost) in result.Variants.Skip(1))
        {
            Row("variant: " + name, cost);
        }

        foreach (var (name, cost) in result.FixedCandidates)
        {
            Row("always " + name, cost);
        }

        AnsiConsole.Write(table);
        if (result.Money is { } m)
        {
            var money = new Table().AddColumns("money (profit; higher is better)", $"{m.Currency} per loan", "95 % CI", $"per 1,000 {m.Currency} lent", "95 % CI");
            void Money(string name, CostEstimate c)
            {
                var k = m.Per1000(c);
                money.AddRow(name, $"{c.Mean:F2}", $"{c.Ci95Low:F2} – {c.Ci95High:F2}", $"{k.Mean:F2}", $"{k.Ci95Low:F2} – {k.Ci95High:F2}");
            }

            Money("model (money procedure)", m.Model);
            Money("model, Platt-recalibrated", m.ModelRecalibrated);
            Money("approve all", m.ApproveAll);
            Money("reject all", m.RejectAll);
            Money("today's 5:1 procedure", m.TodaysRule);
            Money("model − approve all (paired)", m.ModelMinusApproveAll);
            Money("recalibrated − approve all (paired)", m.RecalibratedMinusApproveAll);
            Money("model − today's 5:1 (paired)", m.ModelMinusTodaysRule);
            AnsiConsole.Write(money);
            AnsiConsole.MarkupLine($"Savings (Bahnsen): model {m.Savings:F4}, recalibrated {m.SavingsRecalibrated:F4}, today's 5:1 {m.SavingsTodaysRule:F4}. " +
                $"EMP (Verbraken, ROI {MoneyEstimate.EmpRoi}): {m.Emp:F5} per unit lent ({m.EmpShareRejected:P1} rejected); at the data's ROI {m.DataRoi:F4}: {m.EmpAtDataRoi:F5}.");
        }

        AnsiConsole.MarkupLine($"Nested CV wall time: {result.WallSeconds:F1} s");
        AnsiConsole.MarkupLine($"Wrote {Markup.Escape(Path.Combine(output, NestedFile))}; the default run reuses it.");
        return result;
    }

    private static void PrintSummary(TrainingOutcome outcome, TimeSpan elapsed)
    {
        var table = new Table().AddColumns("candidate", "score", "cost / applicant", "95 % CI", "threshold", "AUC", "KS");
        foreach (var r in outcome.Candidates.OrderBy(r => r.SelectionCost))
        {
            var name = Markup.Escape(r.Candidate.Name);
            table.AddRow(r == outcome.Chosen ? $"[green]{name}[/]" : name, $"{r.SelectionCost:F3}", $"{r.Best.CostPerApplicant:F3}",
                $"{r.Cost.Ci95Low:F3} – {r.Cost.Ci95High:F3}", $"{r.Best.Threshold:F3}", $"{r.Auc:F3}", $"{r.Ks:F3}");
        }

        AnsiConsole.Write(table);
        var card = outcome.Card;
        AnsiConsole.MarkupLine($"Selected [green]{Markup.Escape(outcome.Chosen.Candidate.Name)}[/], threshold {card.Threshold:F4} (Bayes 1/6 = {1 / 6.0:F4}).");
        AnsiConsole.MarkupLine(card.NestedCv.OutOfTime is { } w
            ? $"Out-of-time ({w.Column}: trained on {w.TrainFrom} – {w.TrainTo}, tested on {w.TestFrom} – {w.TestTo}): {card.NestedCv.CostPerApplicant:F3} per applicant (95 % CI {card.NestedCv.Ci95Low:F3} – {card.NestedCv.Ci95High:F3}); " +
              $"in-time nested CV {card.NestedCv.InTime!.CostPerApplicant:F3} ({card.NestedCv.InTime.Ci95Low:F3} – {card.NestedCv.InTime.Ci95High:F3})."
            : card.NestedCv.OuterFolds > 0
            ? $"Nested CV ({card.NestedCv.OuterFolds}×{card.NestedCv.Repeats}): {card.NestedCv.CostPerApplicant:F3} per applicant (95 % CI {card.NestedCv.Ci95Low:F3} – {card.NestedCv.Ci95High:F3})."
            : "No nested estimate (--no-estimate): the cost above is the selection CV's, optimistic.");
        AnsiConsole.MarkupLine($"Wall time: {elapsed.TotalSeconds:F1} s");
    }
}
