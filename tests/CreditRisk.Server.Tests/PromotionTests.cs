using System.Net;
using System.Text.Json.Nodes;
using CreditRisk.Contracts;
using Microsoft.Data.Sqlite;

namespace CreditRisk.Server.Tests;

/// <summary>
/// The challenger promoted in one step and rolled back (issue 29 §3), end to end: the shipped German Credit champion
/// with its shipped challenger in shadow, real decisions scored and recorded, the challenger's shadow rows written by
/// its worker, real outcomes fed back through /api/v1/outcomes; the runbook's checks decide.
/// </summary>
public sealed class PromotionTests
{
    private const string Key = "promotion-test-key-0123456789";
    private const string AdminKey = "promotion-admin-key-0123456789";
    private const int Applicants = 600;

    [Fact]
    public async Task The_challenger_is_promoted_when_the_runbook_checks_hold_or_when_forced_and_rolled_back()
    {
        var challengerPath = Path.Combine(RepositoryServer.Shipped(TestModels.German, "challenger"), "model.onnx");
        using var app = new AppFactory(new Dictionary<string, string?>
        {
            ["Model:ChallengerPath"] = challengerPath,
            ["ApiKey:Key"] = Key,
            ["ApiKey:AdminKey"] = AdminKey,
            ["Challenger:PromoteMinMatured"] = "200",
        });
        using var client = app.CreateClient();
        using var admin = app.CreateClient();
        admin.DefaultRequestHeaders.Add("X-API-Key", AdminKey);
        using var keyed = app.CreateClient();
        keyed.DefaultRequestHeaders.Add("X-API-Key", Key);
        var champion = TestModels.SidecarVersion(TestModels.German);
        var challenger = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(Path.GetDirectoryName(challengerPath)!, "model.json")))
            .RootElement.GetProperty("modelVersion").GetString()!;

        // Real decisions, and the challenger's shadow rows beside them.
        var rows = Golden.Load().Rows.Where(r => r.Kind == "data").Take(Applicants).Select(r => (JsonNode)r.Input.DeepClone()).ToList();
        var scored = await client.PostJson("/api/v1/score/batch", new JsonObject { ["applicants"] = new JsonArray([.. rows]) });
        var decisions = (await scored.Content.ReadFromJsonAsync<BatchScoreResponse>(Http.Json))!.Results;
        Assert.Equal(champion, decisions[0].ModelVersion);
        var shadow = await ShadowRows(app, decisions.Count);

        // No outcome yet: every check fails, and nothing changes without force.
        var refused = await admin.PostAsync($"/api/v1/models/{TestModels.German}/promote", null);
        var problem = await refused.AssertProblem(409);
        Assert.Contains("matured", (string?)problem["detail"], StringComparison.Ordinal);
        Assert.Equal(["matured", "paired cost interval", "calibration"], problem["checks"]!.AsArray().Select(c => (string)c!["name"]!));
        Assert.All(problem["checks"]!.AsArray(), c => Assert.False((bool)c!["passed"]!));
        Assert.Equal(champion, await Serving(client));

        // The scoring key is not the admin key; force needs who and why.
        await (await keyed.PostAsync($"/api/v1/models/{TestModels.German}/promote", null)).AssertProblem(401);
        var anonymous = await (await admin.PostAsJsonAsync($"/api/v1/models/{TestModels.German}/promote", new PromotionRequest(Force: true), Http.Json)).AssertProblem(400);
        Assert.NotNull(anonymous["errors"]!["requestedBy"]);
        Assert.NotNull(anonymous["errors"]!["reason"]);

        // Forced: served at once, the override on the record with who and why; then rolled back.
        var forced = await admin.PostAsJsonAsync($"/api/v1/models/{TestModels.German}/promote", new PromotionRequest(true, "risk officer A. Example", "regulator asked for the simpler model"), Http.Json);
        Assert.Equal(HttpStatusCode.OK, forced.StatusCode);
        var promoted = (await forced.Content.ReadFromJsonAsync<PromotionResult>(Http.Json))!;
        Assert.Equal((champion, challenger, true), (promoted.FromVersion, promoted.ToVersion, promoted.Forced));
        Assert.Equal(challenger, await Serving(client));
        var byChallenger = (await (await client.PostJson("/api/v1/score", Http.ApplicantJson())).Content.ReadFromJsonAsync<ScoreResult>(Http.Json))!;
        Assert.Equal(challenger, byChallenger.ModelVersion);
        Assert.Equal(challenger, (await keyed.GetFromJsonAsync<DecisionRecord>($"/api/v1/decisions/{byChallenger.DecisionId}", Http.Json))!.ModelVersion);
        var events = await Events(keyed);
        Assert.Equal(("promote", champion, challenger, true, "risk officer A. Example", "regulator asked for the simpler model"),
            (events[0].Action, events[0].FromVersion, events[0].ToVersion, events[0].Forced, events[0].RequestedBy, events[0].Reason));
        Assert.Equal(3, events[0].Checks!.Count);

        var rolledBack = await admin.PostAsync($"/api/v1/models/{TestModels.German}/rollback", null);
        Assert.Equal(HttpStatusCode.OK, rolledBack.StatusCode);
        Assert.Equal(champion, await Serving(client));
        Assert.Equal(("rollback", challenger, champion), ((await Events(keyed))[0].Action, (await Events(keyed))[0].FromVersion, (await Events(keyed))[0].ToVersion));
        await (await admin.PostAsync($"/api/v1/models/{TestModels.German}/rollback", null)).AssertProblem(409);

        // Outcomes as a lender would learn them: where the models disagree, the challenger was right; where they agree
        // (both models cost the same), defaults drawn at the challenger's PD (seeded). The challenger is then cheaper
        // beyond noise, but the disagreements' defaults make it look under-confident: the calibration check refuses.
        var random = new Random(29);
        var disagree = decisions.Where(d => shadow[d.DecisionId!.Value].Rejects != (d.Decision == Decisions.Reject)).ToList();
        Assert.True(disagree.Count >= 20, $"only {disagree.Count} disagreements");
        var drawn = decisions.ToDictionary(d => d.DecisionId!.Value, d => shadow[d.DecisionId!.Value] is var c && c.Rejects != (d.Decision == Decisions.Reject) ? c.Rejects : random.NextDouble() < c.Pd);
        await Feed(keyed, drawn);
        var uncalibrated = await (await admin.PostAsync($"/api/v1/models/{TestModels.German}/promote", null)).AssertProblem(409);
        Assert.Equal([true, true, false], uncalibrated["checks"]!.AsArray().Select(c => (bool)c!["passed"]!));
        Assert.Contains("calibration: challenger's mean PD", (string?)uncalibrated["detail"], StringComparison.Ordinal);
        Assert.Equal(champion, await Serving(client));

        // Corrected outcomes (a lender's later information; the history keeps both): among the agreements, which cost
        // both models alike, the defaults are the highest-PD applicants, as many as make the default rate the mean PD.
        var defaults = (int)Math.Round(shadow.Values.Sum(c => c.Pd)) - disagree.Count(d => shadow[d.DecisionId!.Value].Rejects);
        var agreeing = decisions.Except(disagree).OrderByDescending(d => shadow[d.DecisionId!.Value].Pd).Select(d => d.DecisionId!.Value).ToList();
        Assert.InRange(defaults, 0, agreeing.Count);
        var corrected = drawn.ToDictionary(p => p.Key, p => agreeing.IndexOf(p.Key) is var rank && rank >= 0 ? rank < defaults : p.Value);
        await Feed(keyed, corrected);

        var earned = await admin.PostAsync($"/api/v1/models/{TestModels.German}/promote", null);
        var earnedText = await earned.Content.ReadAsStringAsync();
        Assert.True(earned.StatusCode == HttpStatusCode.OK, earnedText);
        var result = JsonNode.Parse(earnedText)!.AsObject();
        Assert.False((bool)result["forced"]!);
        Assert.All(result["checks"]!.AsArray(), c => Assert.True((bool)c!["passed"]!, (string?)c["detail"]));
        Assert.Equal(challenger, await Serving(client));
        Assert.Equal(("promote", false, (string?)null), ((await Events(keyed))[0].Action, (await Events(keyed))[0].Forced, (await Events(keyed))[0].RequestedBy));

        // Every decision stays tied to the version that made it: the first 600 to the champion.
        Assert.Equal(champion, (await keyed.GetFromJsonAsync<DecisionRecord>($"/api/v1/decisions/{decisions[0].DecisionId}", Http.Json))!.ModelVersion);
    }

    private static async Task Feed(HttpClient keyed, Dictionary<Guid, bool> defaulted)
    {
        var outcomes = defaulted.Select(p => new OutcomeRequest(p.Key, null, p.Value, DateTimeOffset.UtcNow)).ToList();
        var fed = await keyed.PostAsJsonAsync("/api/v1/outcomes", new OutcomeBatchRequest(outcomes), Http.Json);
        Assert.Equal(HttpStatusCode.OK, fed.StatusCode);
        Assert.All((await fed.Content.ReadFromJsonAsync<OutcomeBatchResponse>(Http.Json))!.Results, r => Assert.Equal(200, r.Status));
    }

    private static async Task<string> Serving(HttpClient client) =>
        (await client.GetFromJsonAsync<ModelList>("/api/v1/models", Http.Json))!.Models.Single(m => m.Name == TestModels.German).Version;

    private static async Task<IReadOnlyList<ModelEvent>> Events(HttpClient keyed) =>
        (await keyed.GetFromJsonAsync<IReadOnlyList<ModelEvent>>($"/api/v1/models/{TestModels.German}/events", Http.Json))!;

    /// <summary>The challenger's PD and decision per decision, once its worker has written all <paramref name="count"/> (read from the SQLite file).</summary>
    private static async Task<Dictionary<Guid, (double Pd, bool Rejects)>> ShadowRows(AppFactory app, int count)
    {
        var file = Path.Combine(app.DataFolder, "decisions.db");
        for (var attempt = 0; attempt < 100; attempt++)
        {
            await using var connection = new SqliteConnection($"Data Source={file};Mode=ReadOnly;Pooling=False");
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = "SELECT decision_id, probability_of_default, decision FROM challenger_decisions";
            var rows = new Dictionary<Guid, (double, bool)>();
            await using (var reader = await command.ExecuteReaderAsync())
            {
                while (await reader.ReadAsync())
                {
                    rows[Guid.Parse(reader.GetString(0))] = (reader.GetDouble(1), reader.GetString(2) == Decisions.Reject);
                }
            }

            if (rows.Count >= count)
            {
                return rows;
            }

            await Task.Delay(100);
        }

        throw new TimeoutException("the challenger's shadow rows were not written within 10 s");
    }
}
