using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Reflection;
using System.Text;

namespace CreditRisk.Client.Tests;

/// <summary>
/// The real server, started from its own build output as a separate process on a free 127.0.0.1 port, so the
/// generated client talks to Kestrel over real HTTP, exactly as a user's program would.
/// </summary>
public sealed class LiveServer : IAsyncLifetime
{
    private readonly StringBuilder _log = new();
    private Process? _process;

    public Uri BaseAddress { get; private set; } = null!;

    /// <summary>An HttpClient whose BaseAddress is the server: what the generated client is constructed with.</summary>
    public HttpClient Http { get; } = new();

    public async Task InitializeAsync()
    {
        var serverDir = Path.Combine(RepositoryRoot(), "server");
        var configuration = typeof(LiveServer).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()!.Configuration;
        var dll = Path.Combine(serverDir, "bin", configuration, "net10.0", "CreditRisk.Server.dll");
        if (!File.Exists(dll))
        {
            throw new FileNotFoundException($"The server build is missing; build the solution first (dotnet build -c {configuration}).", dll);
        }

        BaseAddress = new Uri($"http://127.0.0.1:{FreePort()}");
        Http.BaseAddress = BaseAddress;
        var start = new ProcessStartInfo("dotnet") { WorkingDirectory = serverDir, RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(dll);
        start.ArgumentList.Add("--urls");
        start.ArgumentList.Add(BaseAddress.ToString());
        _process = Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start");
        _process.OutputDataReceived += (_, e) => Append(e.Data);
        _process.ErrorDataReceived += (_, e) => Append(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();

        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"The server exited with {_process.ExitCode} before it was ready:\n{Log}");
            }

            try
            {
                using var response = await Http.GetAsync(new Uri("/health/live", UriKind.Relative));
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"The server was not ready within 60 s:\n{Log}");
            }

            await Task.Delay(200);
        }
    }

    public async Task DisposeAsync()
    {
        Http.Dispose();
        if (_process is { HasExited: false })
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process?.Dispose();
    }

    public string Log
    {
        get
        {
            lock (_log)
            {
                return _log.ToString();
            }
        }
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_log)
        {
            _log.AppendLine(line);
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "CreditRisk.sln")))
            {
                return dir.FullName;
            }
        }

        throw new DirectoryNotFoundException("CreditRisk.sln not found above the test assembly.");
    }
}
