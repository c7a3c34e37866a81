using System.Reflection;
using CreditRisk.Testing;

namespace CreditRisk.Client.Tests;

/// <summary>
/// The real server, started from its own build output as a separate process on a free 127.0.0.1 port, so the
/// generated client talks to Kestrel over real HTTP, exactly as a user's program would.
/// </summary>
public sealed class LiveServer : IAsyncLifetime
{
    /// <summary>The server's ApiKey:Key: the decision and outcome endpoints need it.</summary>
    public const string ApiKey = "client-test-key-0123456789";

    private ServerProcess _server = null!;

    /// <summary>An HttpClient whose BaseAddress is the server: what the generated client is constructed with.</summary>
    public HttpClient Http => _server.Client;

    public async Task InitializeAsync()
    {
        var configuration = typeof(LiveServer).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()!.Configuration;
        _server = await ServerProcess.StartAsync(
            Path.Combine(RepositoryRoot(), "server", "bin", configuration, "net10.0", "CreditRisk.Server.dll"),
            new Dictionary<string, string> { ["ApiKey__Key"] = ApiKey });
    }

    public Uri BaseAddress => _server.BaseAddress;

    public async Task DisposeAsync() => await _server.DisposeAsync();

    public static string RepositoryRoot()
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
