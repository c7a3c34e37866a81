using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace CreditRisk.Reliability.Tests;

/// <summary>
/// The real server: <c>dotnet CreditRisk.Server.dll</c> from the build output (copied next to the tests, with the
/// shipped model) on Kestrel at 127.0.0.1 and a free port. Stdout and stderr are captured.
/// </summary>
public sealed class ServerProcess : IAsyncDisposable
{
    private readonly StringBuilder _output = new();

    private ServerProcess(Process process, int port)
    {
        Process = process;
        Port = port;
        BaseAddress = new Uri($"http://127.0.0.1:{port}");
    }

    public Process Process { get; }

    public int Port { get; }

    public Uri BaseAddress { get; }

    public static string ServerDll => Path.Combine(AppContext.BaseDirectory, "CreditRisk.Server.dll");

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    public static async Task<ServerProcess> StartAsync(IReadOnlyDictionary<string, string>? settings = null)
    {
        Assert.True(File.Exists(Path.Combine(AppContext.BaseDirectory, "artifacts", "model.onnx")),
            "artifacts/model.onnx is missing next to the tests: train or copy the model into artifacts/ before building");
        var port = FreePort();
        var start = new ProcessStartInfo("dotnet", [ServerDll])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = AppContext.BaseDirectory,
        };
        start.Environment["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}";
        start.Environment["DOTNET_ENVIRONMENT"] = "Production";
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
        {
            start.Environment[key] = value;
        }

        var process = Process.Start(start)!;
        var server = new ServerProcess(process, port);
        process.OutputDataReceived += (_, e) => server.Append(e.Data);
        process.ErrorDataReceived += (_, e) => server.Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        using var probe = new HttpClient { BaseAddress = server.BaseAddress, Timeout = TimeSpan.FromSeconds(5) };
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(60))
        {
            try
            {
                if ((await probe.GetAsync(new Uri("/health/ready", UriKind.Relative))).IsSuccessStatusCode)
                {
                    return server;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            catch (TaskCanceledException)
            {
                // Busy starting.
            }

            if (process.HasExited)
            {
                Assert.Fail($"server exited with {process.ExitCode} before it was ready: {server.Output}");
            }

            await Task.Delay(100);
        }

        await server.DisposeAsync();
        Assert.Fail("server did not become ready within 60 s: " + server.Output);
        return server;
    }

    /// <summary>SIGTERM, as a container runtime or systemd stops the service.</summary>
    public void Terminate()
    {
        using var kill = Process.Start(new ProcessStartInfo("kill", ["-TERM", Process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])
        {
            UseShellExecute = false,
        })!;
        kill.WaitForExit();
        Assert.Equal(0, kill.ExitCode);
    }

    public async ValueTask DisposeAsync()
    {
        if (!Process.HasExited)
        {
            Process.Kill();
            await Process.WaitForExitAsync();
        }

        Process.Dispose();
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
        }
    }

    private static int FreePort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
