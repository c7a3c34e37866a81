using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using CreditRisk.Contracts;
using CreditRisk.Trainer.Data;
using CreditRisk.Trainer.Export;
using CreditRisk.Trainer.Selection;

namespace CreditRisk.Trainer.Tests;

/// <summary>
/// A deliberately awkward data set made here, not shipped: missing numbers (imputed, and imputed with an indicator)
/// and categories, real values, a 60-value category, non-ASCII labels and values, CSV columns renamed to valid
/// identifiers, an id column and a protected column. It must train, export, and reproduce ML.NET in ONNX Runtime.
/// </summary>
public sealed class AwkwardFixture : IDisposable
{
    public string Directory { get; } = Path.Combine(Path.GetTempPath(), "creditrisk-awkward-" + Guid.NewGuid().ToString("N"));

    public string SpecPath => Path.Combine(Directory, "dataset.json");

    public const int Rows = 600;

    public AwkwardFixture()
    {
        System.IO.Directory.CreateDirectory(Directory);
        File.WriteAllText(SpecPath, SpecJson);
        File.WriteAllText(Path.Combine(Directory, "loans.csv"), Csv(), new UTF8Encoding(false));
    }

    public static readonly string SpecJson = """
        {
          "name": "awkward-test",
          "title": "Awkward test data (generated)",
          "source": { "path": "loans.csv", "delimiter": ";", "header": true, "missingValues": ["", "n/a"] },
          "target": { "column": "défaut", "bad": ["oui"], "good": ["non"] },
          "features": [
            { "name": "loanId", "column": "loan id", "kind": "category", "role": "id" },
            { "name": "annualIncome", "column": "Annual Income (€)", "kind": "real", "min": 0, "missing": "impute", "unit": "EUR" },
            { "name": "debtRatio", "column": "debt ratio", "kind": "real", "min": 0, "max": 5, "missing": "imputeWithIndicator" },
            { "name": "months", "kind": "integer", "min": 6, "max": 60 },
            { "name": "region", "kind": "category", "missing": "impute", "values": [REGIONS] },
            { "name": "housing", "kind": "category", "values": [
              { "value": "eigentum", "label": "Eigentümer", "aliases": ["E"] },
              { "value": "miete", "label": "Mieter (zur Miete)" },
              { "value": "über", "label": "Über den Eltern — 親と同居" } ] },
            { "name": "gender", "kind": "category", "role": "protected", "values": [ { "value": "f", "label": "Frau" }, { "value": "m", "label": "Mann" } ] }
          ]
        }
        """.Replace("[REGIONS]", "[" + string.Join(",", Enumerable.Range(0, 60).Select(i => $$"""{ "value": "r{{i:00}}", "label": "Région n° {{i}} – Åland" }""")) + "]", StringComparison.Ordinal);

    private static string Csv()
    {
        var random = new Random(20261201);
        var csv = new StringBuilder("loan id;Annual Income (€);debt ratio;months;region;housing;gender;défaut\n");
        for (var i = 0; i < Rows; i++)
        {
            var income = Math.Round(20000 + random.NextDouble() * 80000, 2);
            var debt = Math.Round(random.NextDouble() * 4.5, 3);
            var months = random.Next(6, 61);
            var region = random.Next(60);
            var housing = random.Next(3);
            var risk = -1.5 + 0.6 * debt - income / 60000 + months / 40.0 + (region % 7 == 0 ? 0.8 : 0) + (housing == 1 ? 0.4 : 0);
            var bad = random.NextDouble() < 1 / (1 + Math.Exp(-risk));
            string Missing(string v, double p) => random.NextDouble() < p ? (random.Next(2) == 0 ? "" : "n/a") : v;
            csv.Append(CultureInfo.InvariantCulture, $"L-{i:0000};{Missing(income.ToString(CultureInfo.InvariantCulture), 0.1)};{Missing(debt.ToString(CultureInfo.InvariantCulture), 0.15)};{months};")
                .Append(CultureInfo.InvariantCulture, $"{Missing($"r{region:00}", 0.1)};{(housing == 0 ? (i % 2 == 0 ? "E" : "eigentum") : housing == 1 ? "miete" : "über")};{(random.Next(2) == 0 ? "f" : "m")};{(bad ? "oui" : "non")}\n");
        }

        return csv.ToString();
    }

    public void Dispose()
    {
        if (System.IO.Directory.Exists(Directory))
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
    }
}

[Collection(TrainerRuns.Name)]
public sealed class AwkwardFixtureTests(AwkwardFixture fixture) : IClassFixture<AwkwardFixture>
{
    public static TheoryData<LearnerKind> Families => [.. Candidate.OnePerFamily().Select(c => c.Kind)];

    [Fact]
    public void It_loads_with_missing_values_aliases_ids_and_protected_attributes_kept_apart()
    {
        var data = CreditData.Load(fixture.SpecPath);
        var spec = data.Spec;
        Assert.Equal(AwkwardFixture.Rows, data.Rows.Count);
        Assert.Equal(["annualIncome", "debtRatio", "months", "region", "housing"], spec.Inputs.Select(f => f.Name));
        int At(string name) => spec.IndexOf(spec.Find(name)!);
        Assert.Contains(data.Rows, r => float.IsNaN(r.Numbers[At("annualIncome")]));
        Assert.Contains(data.Rows, r => float.IsNaN(r.Numbers[At("debtRatio")]));
        Assert.Contains(data.Rows, r => r.Categories[At("region")] is null);
        Assert.DoesNotContain(data.Rows, r => r.Categories[At("housing")] == "E"); // the alias resolved to its value
        Assert.Equal("L-0000", data.Rows[0].Categories[At("loanId")]);

        // Ids and protected attributes are never columns of what a learner sees.
        var view = new CreditDataView(spec, data.Rows, withLabel: true);
        Assert.Equal([.. spec.Inputs.Select(f => f.Name), CreditDataView.LabelColumn], view.Schema.Select(c => c.Name));
    }

    /// <summary>Every learner family, with imputation and the indicator inside the graph: ONNX Runtime equals ML.NET on data, edge, split and missing rows.</summary>
    [Theory]
    [MemberData(nameof(Families))]
    public void Every_family_reproduces_mlnet_in_onnx_including_missing_values(LearnerKind kind)
    {
        var data = CreditData.Load(fixture.SpecPath);
        var training = new Training(data.Spec, seed: 3);
        var model = training.FitModel(Candidate.OnePerFamily().Single(c => c.Kind == kind), data.Rows);
        var onnx = OnnxExport.Convert(training.NewContext(), model, data.Rows);
        var golden = Golden.Rows(data.Spec, data.Rows, TreeSplits.Find(model));
        Assert.Equal(2 * 3, golden.Count(g => g.Kind == "missing")); // two base rows × three attributes that may be missing
        OnnxExport.Verify(onnx, model, golden.Select(g => g.Record).ToArray(), 1 / 6.0); // throws beyond 1e-5

        using var scorer = new OnnxScorer(onnx);
        Assert.Equal(data.Spec.Inputs.Select(f => f.Name).Order(), scorer.Inputs.Keys.Order());
        Assert.Equal(typeof(string), scorer.Inputs["region"].ElementType);
        Assert.Equal(typeof(float), scorer.Inputs["debtRatio"].ElementType);
    }

    [Fact]
    public void A_quick_run_trains_exports_and_reports_groups_of_the_protected_attribute()
    {
        var output = Path.Combine(fixture.Directory, "out");
        var outcome = TrainerRun.Train(TrainerOptions.Parse(["--quick", "--dataset", fixture.SpecPath, "--out", output]));
        var golden = Golden.Read(outcome.Card.Dataset, File.ReadAllText(Path.Combine(output, "golden.json")));
        Assert.Contains(golden.Rows, r => r.Row.Kind == "missing");
        using var scorer = new OnnxScorer(File.ReadAllBytes(Path.Combine(output, "model.onnx")));
        var pd = scorer.Score(outcome.Card.Dataset, golden.Rows.Select(r => r.Row.Record).ToArray());
        Assert.All(pd.Zip(golden.Rows), p => Assert.True(Math.Abs(p.First - p.Second.Pd) <= OnnxExport.Tolerance));

        var card = JsonSerializer.Deserialize<ModelCard>(scorer.Metadata[ModelMetadataKeys.ModelCard], ModelFile.CardJson)!;
        Assert.Equal("awkward-test", card.Dataset.Name);
        Assert.Equal(["gender"], card.ExcludedFeatures);
        Assert.Equal(["annualIncome", "debtRatio"], card.ImputedValues.Keys.Order());
        Assert.DoesNotContain("loanId", card.ExampleApplicant.Keys);
        Assert.Contains("gender", card.ExampleApplicant.Keys);
        Assert.Equal(JsonValueKind.String, card.ExampleApplicant["housing"].ValueKind);
        var report = File.ReadAllText(Path.Combine(output, "report.md"));
        Assert.Contains("| Frau |", report, StringComparison.Ordinal);
    }

    /// <summary>
    /// End to end: the awkward spec's CSV is trained and exported here, then the real server process serves that file
    /// (it warms up over the golden rows beside it) and a batch over HTTP gives the golden PDs, with each applicant's
    /// id echoed in order and a missing value accepted where the spec allows it.
    /// </summary>
    [Fact]
    public async Task The_trained_file_is_served_and_scores_a_batch_with_ids_over_http()
    {
        var output = Path.Combine(fixture.Directory, "served");
        var outcome = TrainerRun.Train(TrainerOptions.Parse(["--quick", "--dataset", fixture.SpecPath, "--out", output, "--no-report", "--no-estimate"]));
        var spec = outcome.Card.Dataset;
        var golden = JsonNode.Parse(File.ReadAllText(Path.Combine(output, "golden.json")))!["rows"]!.AsArray();
        var rows = golden.Where(r => (string?)r!["kind"] == "data").Take(30).Concat(golden.Where(r => (string?)r!["kind"] == "missing")).ToArray();
        Assert.Contains(rows, r => (string?)r!["kind"] == "missing");

        var id = spec.Ids.Single().Name;
        var applicants = new JsonArray([.. rows.Select((r, i) =>
        {
            var applicant = r!["input"]!.DeepClone().AsObject();
            applicant[id] = $"app-{i}";
            return (JsonNode)applicant;
        })]);

        // The server's build output sits beside this suite's, in the same configuration.
        var configuration = new DirectoryInfo(AppContext.BaseDirectory).Parent!.Name;
        var serverDll = Path.Combine(Paths.Root, "server", "bin", configuration, "net10.0", "CreditRisk.Server.dll");
        await using var server = await CreditRisk.Testing.ServerProcess.StartAsync(serverDll, new Dictionary<string, string>
        {
            ["Model__Path"] = Path.Combine(output, "model.onnx"),
        });
        using var body = new StringContent(new JsonObject { ["applicants"] = applicants }.ToJsonString(), System.Text.Encoding.UTF8, "application/json");
        using var response = await server.Client.PostAsync(new Uri("/api/v1/score/batch", UriKind.Relative), body);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, text);

        var results = JsonNode.Parse(text)!["results"]!.AsArray();
        Assert.Equal(rows.Length, results.Count);
        for (var i = 0; i < rows.Length; i++)
        {
            Assert.Equal($"app-{i}", (string?)results[i]!["ids"]![id]);
            Assert.True(Math.Abs((double)results[i]!["probabilityOfDefault"]! - (double)rows[i]!["pd"]!) <= OnnxExport.Tolerance, $"row {i}: {text}");
            Assert.Equal((string?)rows[i]!["decision"], (string?)results[i]!["decision"]);
        }

        // Issue 32.5: a missing value given as a reason says so ("debtRatio not provided"), and every reason names the
        // favourable value it was compared with (issue 33.6). The data rows again, each without its debt ratio.
        var withoutDebt = new JsonArray([.. golden.Where(r => (string?)r!["kind"] == "data").Take(200).Select(r =>
        {
            var applicant = r!["input"]!.DeepClone().AsObject();
            applicant["debtRatio"] = null;
            return (JsonNode)applicant;
        })]);
        using var missingBody = new StringContent(new JsonObject { ["applicants"] = withoutDebt }.ToJsonString(), System.Text.Encoding.UTF8, "application/json");
        using var missingResponse = await server.Client.PostAsync(new Uri("/api/v1/score/batch", UriKind.Relative), missingBody);
        var missingText = await missingResponse.Content.ReadAsStringAsync();
        Assert.True(missingResponse.IsSuccessStatusCode, missingText);
        // Each reason with the applicant it was given to: "<label> not provided" exactly when that value was missing.
        var reasons = JsonNode.Parse(missingText)!["results"]!.AsArray()
            .SelectMany((r, i) => r!["reasons"]!.AsArray().Select(reason => (Reason: reason!, Given: withoutDebt[i]![(string)reason!["feature"]!]))).ToArray();
        var debt = reasons.Where(r => (string?)r.Reason["feature"] == "debtRatio").ToArray();
        Assert.NotEmpty(debt);
        Assert.All(debt, r => Assert.Equal("debtRatio not provided", (string?)r.Reason["text"]));
        var debtReference = ((float)outcome.Card.ReferenceApplicant["debtRatio"].GetDouble()).ToString("#,0.##", System.Globalization.CultureInfo.InvariantCulture);
        Assert.All(debt, r => Assert.Equal(debtReference, (string?)r.Reason["comparedWith"]));
        Assert.All(reasons, r => Assert.Equal(r.Given is null, ((string)r.Reason["text"]!).EndsWith(" not provided", StringComparison.Ordinal)));
        Assert.Contains(reasons, r => r.Given is not null);
        Assert.All(reasons, r => Assert.False(string.IsNullOrEmpty((string?)r.Reason["comparedWith"])));
    }
}

public sealed class SpecDraftTests(AwkwardFixture fixture) : IClassFixture<AwkwardFixture>
{
    [Fact]
    public void Init_drafts_a_spec_that_loads_its_csv()
    {
        var specPath = Path.Combine(fixture.Directory, "draft.json");
        var draft = SpecDraft.FromCsv(Path.Combine(fixture.Directory, "loans.csv"), "défaut", ["oui"], [], specPath, ';');
        var spec = draft.Spec;
        Assert.Equal(FeatureRole.Id, spec.Find("loanId")!.Role);
        Assert.Equal("loan id", spec.Find("loanId")!.Column);
        var income = spec.Find("annualIncome")!;
        Assert.Equal(("Annual Income (€)", FeatureKind.Real, MissingPolicy.Impute), (income.Column, income.Kind, income.Missing));
        Assert.Equal(FeatureKind.Integer, spec.Find("months")!.Kind);
        Assert.Equal(60, spec.Find("region")!.Values.Count);
        Assert.Equal(MissingPolicy.Impute, spec.Find("region")!.Missing);
        Assert.Equal(["non"], spec.Target.Good);
        Assert.Contains(draft.Guesses, g => g.StartsWith("Annual Income (€) → annualIncome: real", StringComparison.Ordinal));

        File.WriteAllText(specPath, SpecDraft.ToJson(spec));
        Assert.Equal(AwkwardFixture.Rows, CreditData.Load(specPath).Rows.Count);
    }

    [Theory]
    [InlineData("funded_amnt", "fundedAmnt")]
    [InlineData("Annual Income (€)", "annualIncome")]
    [InlineData("2yr delinquencies", "column2yrDelinquencies")]
    [InlineData("class", "classValue")]
    [InlineData("checkingAccount", "checkingAccount")]
    public void Column_headings_become_camel_case_identifiers(string column, string name) =>
        Assert.Equal(name, SpecDraft.Identifier(column));
}

public class NumbersOnlyTests
{
    [Fact]
    public void A_data_set_without_categories_trains_and_exports()
    {
        var spec = DatasetSpec.Parse("""
            {"name":"n","title":"N","source":{"path":"n.csv"},"target":{"column":"y","bad":["1"],"good":["0"]},
             "features":[{"name":"a","kind":"real","missing":"imputeWithIndicator"},{"name":"b","kind":"integer"}]}
            """, "n.json");
        var random = new Random(5);
        var csv = new StringBuilder("a,b,y\n");
        for (var i = 0; i < 300; i++)
        {
            var a = random.NextDouble();
            csv.Append(CultureInfo.InvariantCulture, $"{(i % 9 == 0 ? "" : a.ToString("R", CultureInfo.InvariantCulture))},{random.Next(10)},{(random.NextDouble() < a ? 1 : 0)}\n");
        }

        var rows = CreditData.Parse(spec, csv.ToString(), "n.csv");
        var training = new Training(spec, seed: 1);
        foreach (var candidate in Candidate.OnePerFamily())
        {
            var model = training.FitModel(candidate, rows);
            var golden = Golden.Rows(spec, rows, TreeSplits.Find(model)).Select(g => g.Record).ToArray();
            OnnxExport.Verify(OnnxExport.Convert(training.NewContext(), model, rows), model, golden, 1 / 6.0);
        }
    }
}
