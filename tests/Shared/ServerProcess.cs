using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace CreditRisk.Testing;

/// <summary>
/// The real server as its own process (<c>dotnet CreditRisk.Server.dll</c>) on Kestrel at 127.0.0.1 and a free port,
/// ready once <c>/health/ready</c> answers 200; stdout and stderr are captured. Shared by the test projects that need
/// real HTTP (server, reliability, generated C# client) and compiled into each of them as a linked file.
/// </summary>
public sealed class ServerProcess : IAsyncDisposable
{
    private readonly StringBuilder _output = new();

    // The SQLite folder this class made for the server (none when the caller chose the store); deleted on dispose.
    private string? _ownDataFolder;

    private ServerProcess(Process process, int port)
    {
        Process = process;
        Port = port;
        BaseAddress = new Uri($"http://127.0.0.1:{port}");
        Client = new HttpClient { BaseAddress = BaseAddress };
    }

    public Process Process { get; }

    public int Port { get; }

    public Uri BaseAddress { get; }

    /// <summary>A client for the server, disposed with it.</summary>
    public HttpClient Client { get; }

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

    /// <param name="serverDll">The built server; it runs from its own folder, where the build put the model and wwwroot.</param>
    /// <param name="settings">Environment variables on top of the URL, e.g. <c>Limits__RequestTimeoutSeconds</c>.</param>
    /// <param name="readStdout">False leaves stdout a pipe that nobody reads (a stuck log shipper); stderr is still captured.</param>
    public static async Task<ServerProcess> StartAsync(string serverDll, IReadOnlyDictionary<string, string>? settings = null, bool readStdout = true)
    {
        if (!File.Exists(serverDll))
        {
            throw new FileNotFoundException("The server build is missing; build the solution first.", serverDll);
        }

        var port = FreePort();
        // Through env --default-signal: a process started in the background by a non-interactive shell inherits SIGINT
        // and SIGQUIT ignored (POSIX), and .NET keeps an inherited "ignore", so under a CI runner the server would never
        // see a Ctrl+C. A terminal gives it the default disposition; so does this. env execs dotnet: the same process id.
        var start = new ProcessStartInfo("env", ["--default-signal=INT,QUIT", "dotnet", serverDll])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetDirectoryName(serverDll)!,
        };
        start.Environment["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}";
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        // The rate limiter is on by default; tests that are about it pass their own Limits__RateLimitPermits.
        start.Environment["Limits__RateLimitPermits"] = "0";
        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
        {
            start.Environment[key] = value;
        }

        // Decision records go to a folder of the test's own unless it chose one (or PostgreSQL): nothing left behind.
        string? ownDataFolder = null;
        if (settings?.ContainsKey("Records__DataFolder") != true && settings?.ContainsKey("Records__ConnectionString") != true)
        {
            ownDataFolder = Directory.CreateTempSubdirectory("creditrisk-records-").FullName;
            start.Environment["Records__DataFolder"] = ownDataFolder;
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start");
        var server = new ServerProcess(process, port) { _ownDataFolder = ownDataFolder };
        process.OutputDataReceived += (_, e) => server.Append(e.Data);
        process.ErrorDataReceived += (_, e) => server.Append(e.Data);
        if (readStdout)
        {
            process.BeginOutputReadLine();
        }

        process.BeginErrorReadLine();

        using var probe = new HttpClient { BaseAddress = server.BaseAddress, Timeout = TimeSpan.FromSeconds(5) };
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(60))
        {
            try
            {
                using var ready = await probe.GetAsync(new Uri("/health/ready", UriKind.Relative));
                if (ready.IsSuccessStatusCode)
                {
                    return server;
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                // Not listening yet, or busy starting.
            }

            if (process.HasExited)
            {
                var exitCode = process.ExitCode;
                await server.DisposeAsync();
                throw new InvalidOperationException($"The server exited with {exitCode} before it was ready:\n{server.Output}");
            }

            await Task.Delay(100);
        }

        await server.DisposeAsync();
        throw new TimeoutException($"The server was not ready within 60 s:\n{server.Output}");
    }

    /// <summary>SIGTERM, as a container runtime or systemd stops the service; <c>INT</c> is Ctrl+C at a terminal.</summary>
    public void Terminate(string signal = "TERM")
    {
        using var kill = Process.Start(new ProcessStartInfo("kill", ["-" + signal, Process.Id.ToString(CultureInfo.InvariantCulture)])
        {
            UseShellExecute = false,
        })!;
        kill.WaitForExit();
        if (kill.ExitCode != 0)
        {
            throw new InvalidOperationException($"kill -{signal} {Process.Id} failed with {kill.ExitCode}");
        }
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        if (!Process.HasExited)
        {
            Process.Kill(entireProcessTree: true);
            await Process.WaitForExitAsync();
        }

        Process.Dispose();
        if (_ownDataFolder is not null && Directory.Exists(_ownDataFolder))
        {
            Directory.Delete(_ownDataFolder, recursive: true);
        }
    }

    /// <summary>kill -9: no flush, no shutdown hooks (a crash, an OOM kill).</summary>
    public async Task KillAsync()
    {
        if (!Process.HasExited)
        {
            Process.Kill(entireProcessTree: true);
            await Process.WaitForExitAsync();
        }
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

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
