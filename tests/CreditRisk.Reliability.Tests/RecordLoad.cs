using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using CreditRisk.Contracts;

namespace CreditRisk.Reliability.Tests;

/// <summary>
/// Concurrent single scores against one base address until stopped, keeping every answer: the decision id of each 200,
/// and the status and Retry-After of everything else. Connection errors (a killed server) are counted, not thrown.
/// </summary>
internal sealed class RecordLoad : IAsyncDisposable
{
    public const string Key = "reliability-records-key-0123456789";

    private readonly CancellationTokenSource _stop = new();
    private readonly Task[] _clients;
    private int _sequence;

    public RecordLoad(Uri target, int clients, string applicationPrefix, Action<int>? afterOk = null)
    {
        AfterOk = afterOk;
        var body = JsonSerializer.SerializeToNode(BuiltServer.Example("german-credit"))!.AsObject();
        _clients = [.. Enumerable.Range(0, clients).Select(_ => Task.Run(() => Client(target, body, applicationPrefix)))];
    }

    public ConcurrentDictionary<Guid, string> Recorded { get; } = new();

    public ConcurrentQueue<(int Status, string? RetryAfter, string Body)> Refused { get; } = new();

    public int Errors;

    /// <summary>Called on the client's thread right after a 200 is read, with the count so far (the crash test kills from here).</summary>
    public Action<int>? AfterOk { get; init; }

    public int OkWithoutId;

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await Task.WhenAll(_clients);
        _stop.Dispose();
    }

    private async Task Client(Uri target, System.Text.Json.Nodes.JsonObject template, string prefix)
    {
        using var client = new HttpClient { BaseAddress = target, Timeout = TimeSpan.FromSeconds(15) };
        while (!_stop.IsCancellationRequested)
        {
            var applicationId = $"{prefix}-{Interlocked.Increment(ref _sequence)}";
            var body = template.DeepClone().AsObject();
            body["applicationId"] = applicationId;
            try
            {
                using var content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json");
                using var response = await client.PostAsync(new Uri("/api/v1/score", UriKind.Relative), content, _stop.Token);
                var text = await response.Content.ReadAsStringAsync(_stop.Token);
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    if (JsonSerializer.Deserialize<ScoreResult>(text, Json)?.DecisionId is { } id)
                    {
                        Recorded[id] = applicationId;
                        AfterOk?.Invoke(Recorded.Count);
                    }
                    else
                    {
                        Interlocked.Increment(ref OkWithoutId);
                    }
                }
                else
                {
                    Refused.Enqueue(((int)response.StatusCode, response.Headers.RetryAfter?.ToString(), text));
                    // A client that honours Retry-After would wait longer; a short pause keeps the outage busy but bounded.
                    await Task.Delay(50, _stop.Token);
                }
            }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException or IOException)
            {
                Interlocked.Increment(ref Errors);
                await Task.Delay(20);
            }
        }
    }

    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>Every decision id the server's store holds, read through GET /api/v1/decisions a page at a time.</summary>
    public static async Task<List<Guid>> StoredIds(Uri server, string? applicationIdPrefix = null)
    {
        using var client = new HttpClient { BaseAddress = server, Timeout = TimeSpan.FromSeconds(30) };
        client.DefaultRequestHeaders.Add("X-API-Key", Key);
        var ids = new List<Guid>();
        Guid? after = null;
        do
        {
            var page = (await client.GetFromJsonAsync<DecisionPage>(
                new Uri("/api/v1/decisions?limit=1000" + (after is { } a ? $"&after={a}" : ""), UriKind.Relative), Json))!;
            ids.AddRange(page.Items.Where(r => applicationIdPrefix is null || r.ApplicationId?.StartsWith(applicationIdPrefix, StringComparison.Ordinal) == true).Select(r => r.DecisionId));
            after = page.Next;
        }
        while (after is not null);

        return ids;
    }

    /// <summary>Polls until the load has this many 200s (or the time is up), so each phase has real traffic on a slow box.</summary>
    public async Task WaitForRecordsAsync(int count, TimeSpan within)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (Recorded.Count < count && clock.Elapsed < within)
        {
            await Task.Delay(50);
        }
    }
}
