using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using CreditRisk.Testing;
using Xunit.Abstractions;

namespace CreditRisk.Reliability.Tests;

/// <summary>
/// Issue 26, finding 7: text/csv uploads are spooled to temporary files. A request takes its batch permit before it
/// spools, and all spooled uploads together stay within Scoring:MaxCsvSpoolBytes; beyond it the answer is 503 with
/// Retry-After (40 slow 30 MB uploads held 1.2 GB of disk before).
/// </summary>
public sealed class CsvSpoolTests(ITestOutputHelper output)
{
    [Fact]
    public async Task A_csv_upload_takes_its_batch_permit_before_it_spools()
    {
        var temp = Directory.CreateTempSubdirectory("creditrisk-spool-").FullName;
        try
        {
            await using var server = await ServerProcess.StartAsync(BuiltServer.Dll, new Dictionary<string, string>(BuiltServer.Serving("german-credit"))
            {
                ["TMPDIR"] = temp,
                ["Limits__MaxConcurrentBatches"] = "1",
                ["Limits__BatchQueueLimit"] = "0",
            });
            var body = Encoding.UTF8.GetBytes(Csv(2_000));

            // A slow upload, half sent and spooling (its temporary file exists): it holds the only batch permit.
            var release = new TaskCompletionSource();
            var slow = SlowUpload.StartAsync(server.Port, body, chunked: false, release.Task);
            await slow.HalfSent;
            for (var i = 0; i < 200 && !Spooled(temp).Any(); i++)
            {
                await Task.Delay(25);
            }

            Assert.NotEmpty(Spooled(temp));

            // So a second file, sent whole, finds no permit: 503 at once (before, it spooled and was scored beside the slow one).
            using (var content = new ByteArrayContent(Encoding.UTF8.GetBytes(Csv(5))))
            {
                content.Headers.ContentType = new("text/csv");
                using var second = await server.Client.PostAsync(new Uri(Hostile.Batch, UriKind.Relative), content);
                Assert.Equal(HttpStatusCode.ServiceUnavailable, second.StatusCode);
                Assert.Equal("application/problem+json", second.Content.Headers.ContentType?.MediaType);
                Assert.NotNull(second.Headers.RetryAfter);
            }

            release.SetResult();
            var (status, head) = await slow.Response;
            Assert.True(status == 200, head);
        }
        finally
        {
            Directory.Delete(temp, recursive: true);
        }
    }

    [Fact]
    public async Task Concurrent_slow_uploads_beyond_the_spool_budget_get_503_and_the_disk_held_stays_bounded()
    {
        const long MaxCsvBytes = 1024 * 1024;
        const long Budget = 3 * MaxCsvBytes;
        const int Uploads = 12;
        var temp = Directory.CreateTempSubdirectory("creditrisk-spool-").FullName;
        try
        {
            await using var server = await ServerProcess.StartAsync(BuiltServer.Dll, new Dictionary<string, string>(BuiltServer.Serving("german-credit"))
            {
                // The spool files go here (Path.GetTempFileName), so the test can weigh them.
                ["TMPDIR"] = temp,
                ["Scoring__MaxCsvBytes"] = MaxCsvBytes.ToString(CultureInfo.InvariantCulture),
                ["Scoring__MaxCsvSpoolBytes"] = Budget.ToString(CultureInfo.InvariantCulture),
                // Permits for every upload: here only the disk budget bounds them.
                ["Limits__MaxConcurrentBatches"] = "32",
                ["Limits__BatchQueueLimit"] = "32",
            });

            // About 0.95 MiB each: three fit in the budget, four do not.
            var body = Encoding.UTF8.GetBytes(Csv(7_000));
            Assert.InRange(body.Length, Budget / 4 + 1, MaxCsvBytes);

            var held = 0L;
            using var stop = new CancellationTokenSource();
            var weigh = Task.Run(async () =>
            {
                while (!stop.IsCancellationRequested)
                {
                    var bytes = new DirectoryInfo(temp).EnumerateFiles("*", SearchOption.AllDirectories).Sum(f => { try { return f.Length; } catch (IOException) { return 0; } });
                    held = Math.Max(held, bytes);
                    await Task.Delay(10);
                }
            });

            // Two in three announce their length (refused up front); the rest are chunked (refused as they grow).
            var release = new TaskCompletionSource();
            var uploads = Enumerable.Range(0, Uploads).Select(i => SlowUpload.StartAsync(server.Port, body, chunked: i % 3 == 2, release.Task)).ToList();
            await Task.WhenAll(uploads.Select(u => Task.WhenAny(u.HalfSent, u.Response)));
            await Task.Delay(1500);
            release.SetResult();
            var outcomes = await Task.WhenAll(uploads.Select(u => u.Response));
            await stop.CancelAsync();
            await weigh;

            var counts = outcomes.GroupBy(o => o.Status).ToDictionary(g => g.Key, g => g.Count());
            output.WriteLine($"{Uploads} uploads of {body.Length} bytes, budget {Budget}: " +
                string.Join(", ", counts.Select(c => $"{c.Key}×{c.Value}")) + $"; most spooled at once {held} bytes");
            Assert.All(outcomes, o => Assert.True(
                o.Status == 200 || (o.Status == 503 && o.Head.Contains("Retry-After:", StringComparison.OrdinalIgnoreCase) && o.Head.Contains("application/problem+json", StringComparison.Ordinal)),
                o.Head));
            Assert.True(counts.GetValueOrDefault(503) > 0, "no upload was refused although together they were over the budget");
            Assert.True(counts.GetValueOrDefault(200) > 0, "no upload was scored");
            Assert.True(held <= Budget, $"the spooled uploads held {held} bytes of disk, over the budget of {Budget}");
        }
        finally
        {
            Directory.Delete(temp, recursive: true);
        }
    }

    /// <summary>
    /// The spool files (Path.GetTempFileName's tmp*.tmp) in the server's TMPDIR: the runtime puts its diagnostics socket
    /// and debugger pipes there too, so "any file" is true from the start and would not show that spooling began.
    /// </summary>
    private static IEnumerable<string> Spooled(string temp) => Directory.EnumerateFiles(temp, "tmp*.tmp");

    /// <summary>A German Credit file of the card's example applicant, <paramref name="rows"/> times.</summary>
    private static string Csv(int rows)
    {
        var spec = BuiltServer.Spec("german-credit");
        var example = BuiltServer.Example("german-credit");
        var names = spec.Features.Select(f => f.Name).ToList();
        var row = string.Join(',', names.Select(n => example.TryGetValue(n, out var v) ? (v.ValueKind == JsonValueKind.String ? v.GetString() : v.GetRawText()) : ""));
        return string.Join(',', names) + "\n" + string.Concat(Enumerable.Repeat(row + "\n", rows));
    }

    /// <summary>
    /// A client on a raw socket that sends a request's head and half its body, then waits for <c>release</c> before
    /// sending the rest, unless the server answers first (HttpClient would not show an early answer reliably).
    /// </summary>
    private sealed class SlowUpload
    {
        private readonly TaskCompletionSource _halfSent = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task HalfSent => _halfSent.Task;

        public Task<(int Status, string Head)> Response { get; private set; } = null!;

        public static SlowUpload StartAsync(int port, byte[] body, bool chunked, Task release)
        {
            var upload = new SlowUpload();
            upload.Response = Task.Run(() => upload.RunAsync(port, body, chunked, release));
            return upload;
        }

        private async Task<(int, string)> RunAsync(int port, byte[] body, bool chunked, Task release)
        {
            using var client = new TcpClient();
            await client.ConnectAsync(IPAddress.Loopback, port);
            var stream = client.GetStream();
            var head = $"POST {Hostile.Batch} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: text/csv\r\nConnection: close\r\n" +
                (chunked ? "Transfer-Encoding: chunked\r\n" : $"Content-Length: {body.Length}\r\n") + "\r\n";
            await stream.WriteAsync(Encoding.ASCII.GetBytes(head));
            var half = body.Length / 2;
            try
            {
                await SendAsync(stream, body.AsMemory(0, half), chunked, last: false);
            }
            catch (IOException)
            {
                // Refused and closed before the first half was through; the answer is read below.
            }
            finally
            {
                _halfSent.TrySetResult();
            }

            var reading = ReadResponseAsync(stream);
            if (await Task.WhenAny(reading, release) == reading)
            {
                return await reading;
            }

            try
            {
                await SendAsync(stream, body.AsMemory(half), chunked, last: true);
            }
            catch (IOException)
            {
                // The server answered and closed meanwhile; its answer is read below.
            }

            return await reading;
        }

        private static async Task SendAsync(NetworkStream stream, ReadOnlyMemory<byte> data, bool chunked, bool last)
        {
            for (var start = 0; start < data.Length; start += 64 * 1024)
            {
                var piece = data.Slice(start, Math.Min(64 * 1024, data.Length - start));
                if (chunked)
                {
                    await stream.WriteAsync(Encoding.ASCII.GetBytes($"{piece.Length:X}\r\n"));
                }

                await stream.WriteAsync(piece);
                if (chunked)
                {
                    await stream.WriteAsync("\r\n"u8.ToArray());
                }
            }

            if (chunked && last)
            {
                await stream.WriteAsync("0\r\n\r\n"u8.ToArray());
            }
        }

        /// <summary>The status and head of the answer; the body is read to the end (Connection: close) and dropped.</summary>
        private static async Task<(int, string)> ReadResponseAsync(NetworkStream stream)
        {
            var received = new List<byte>();
            var buffer = new byte[64 * 1024];
            int read;
            try
            {
                while ((read = await stream.ReadAsync(buffer).AsTask().WaitAsync(TimeSpan.FromSeconds(60))) > 0)
                {
                    received.AddRange(buffer.AsSpan(0, read));
                }
            }
            catch (IOException)
            {
                // Reset after the answer: the server closed with part of the body unread.
            }

            var text = Encoding.UTF8.GetString([.. received]);
            var end = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
            var headText = end < 0 ? text : text[..end];
            var parts = headText.Split(' ', 3);
            return (parts.Length > 1 && int.TryParse(parts[1], CultureInfo.InvariantCulture, out var status) ? status : 0, headText);
        }
    }
}
