using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using CreditRisk.Testing;

namespace CreditRisk.Reliability.Tests;

/// <summary>
/// Issue 26, finding 6: GET /api/v1/monitoring/challenger was computed from the store on every call (76–161 ms), so two
/// clients polling it halved scoring. It is now computed at most once per Monitoring:RefreshSeconds, like
/// GET /api/v1/monitoring. Behaviour only; the effect on scoring is measured by benchmarks/monitoring-hammer.sh.
/// </summary>
public sealed partial class ChallengerCacheTests
{
    [Fact]
    public async Task The_challenger_report_is_computed_once_per_refresh_window()
    {
        var settings = BuiltServer.Serving("german-credit");
        settings["Model__ChallengerPath"] = Path.Combine(AppContext.BaseDirectory, "artifacts", "german-credit", "challenger", "model.onnx");
        settings["Monitoring__RefreshSeconds"] = "3600";
        await using var server = await ServerProcess.StartAsync(BuiltServer.Dll, settings);

        // Some decisions both models scored, then the first report.
        await ScoreAndWaitForShadowAsync(server, 20, 20);
        var first = await ReportAsync(server);
        Assert.Equal(20, first.GetProperty("comparison").GetProperty("decisions").GetInt32());

        // More decisions both scored; within the window every call, however many at once, gets the same report.
        await ScoreAndWaitForShadowAsync(server, 30, 50);
        var again = await Task.WhenAll(Enumerable.Range(0, 16).Select(_ => ReportAsync(server)));
        Assert.All(again, report =>
        {
            Assert.Equal(20, report.GetProperty("comparison").GetProperty("decisions").GetInt32());
            Assert.Equal(first.GetProperty("computedAt").GetString(), report.GetProperty("computedAt").GetString());
        });
    }

    private static async Task<JsonElement> ReportAsync(ServerProcess server)
    {
        using var response = await server.Client.GetAsync(new Uri("/api/v1/monitoring/challenger", UriKind.Relative));
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, text);
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    /// <summary>Scores <paramref name="count"/> applicants, then waits until the shadow worker has recorded <paramref name="total"/> in all.</summary>
    private static async Task ScoreAndWaitForShadowAsync(ServerProcess server, int count, int total)
    {
        var row = Hostile.ObjectText(Hostile.Members(BuiltServer.Example("german-credit")));
        using var content = new StringContent("{\"applicants\":[" + string.Join(",", Enumerable.Repeat(row, count)) + "]}", Encoding.UTF8, "application/json");
        using var response = await server.Client.PostAsync(new Uri(Hostile.Batch, UriKind.Relative), content);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var scored = 0.0;
        for (var i = 0; i < 300 && scored < total; i++)
        {
            var match = ShadowScored().Match(await server.Client.GetStringAsync(new Uri("/metrics", UriKind.Relative)));
            scored = match.Success ? double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture) : 0;
            if (scored < total)
            {
                await Task.Delay(50);
            }
        }

        Assert.Equal(total, scored);
    }

    [GeneratedRegex(@"^creditrisk_challenger_scored_total (\S+)$", RegexOptions.Multiline)]
    private static partial Regex ShadowScored();
}
