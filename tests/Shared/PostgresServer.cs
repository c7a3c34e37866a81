using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace CreditRisk.Testing;

/// <summary>
/// A throwaway PostgreSQL cluster (Debian's postgresql package: initdb + pg_ctl) on 127.0.0.1 and a free port, with
/// its socket and data in a temporary folder, deleted on dispose. PostgreSQL refuses to run as root, so as root (CI)
/// every command runs as the postgres user through runuser and the folder is given to that user.
/// </summary>
public sealed class PostgresServer : IAsyncDisposable
{
    private readonly string _bin;
    private readonly string _folder;
    private readonly string _data;
    private readonly bool _asPostgres;

    private PostgresServer(string bin, string folder, int port, bool asPostgres)
    {
        _bin = bin;
        _folder = folder;
        _data = Path.Combine(folder, "data");
        _asPostgres = asPostgres;
        Port = port;
    }

    public int Port { get; }

    /// <summary>A connection string for a database of this cluster (trust authentication on loopback, no password).</summary>
    public string ConnectionString(string database) =>
        $"Host=127.0.0.1;Port={Port.ToString(CultureInfo.InvariantCulture)};Username=postgres;Database={database};Timeout=3;Command Timeout=5";

    public static async Task<PostgresServer> StartAsync()
    {
        var bin = Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql").Select(d => Path.Combine(d, "bin")).Where(d => File.Exists(Path.Combine(d, "initdb"))).Order().LastOrDefault()
            : null;
        if (bin is null)
        {
            throw new InvalidOperationException("PostgreSQL is not installed (/usr/lib/postgresql/*/bin/initdb): .ci/install.sh installs Debian's postgresql.");
        }

        var asPostgres = Environment.UserName == "root";
        var folder = Directory.CreateTempSubdirectory("creditrisk-pg-").FullName;
        var server = new PostgresServer(bin, folder, ServerProcess.FreePort(), asPostgres);
        try
        {
            if (asPostgres)
            {
                await RunAsync("chown", ["postgres:postgres", folder]);
            }

            await server.RunPgAsync("initdb", ["-D", server._data, "-U", "postgres", "--auth=trust", "--locale=C", "-E", "UTF8", "--no-sync"]);
            await server.StartAgainAsync();
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    /// <summary>Starts the stopped cluster again on the same port (the store-down test's recovery).</summary>
    public Task StartAgainAsync() => RunPgAsync("pg_ctl", [
        "-D", _data, "-l", Path.Combine(_folder, "postgres.log"), "-w", "-t", "60",
        "-o", $"-p {Port.ToString(CultureInfo.InvariantCulture)} -k {_folder} -c listen_addresses=127.0.0.1 -c max_connections=200",
        "start"]);

    /// <summary>Stops the cluster at once, closing every connection (the store going down).</summary>
    public Task StopAsync() => RunPgAsync("pg_ctl", ["-D", _data, "-m", "fast", "-w", "stop"]);

    /// <summary>Creates an empty database and returns its connection string.</summary>
    public async Task<string> CreateDatabaseAsync(string name)
    {
        await RunPgAsync("psql", ["-h", "127.0.0.1", "-p", Port.ToString(CultureInfo.InvariantCulture), "-U", "postgres", "-d", "postgres", "-v", "ON_ERROR_STOP=1", "-c", $"CREATE DATABASE \"{name}\""]);
        return ConnectionString(name);
    }

    /// <summary>Runs one SQL statement and returns psql's unaligned output (for checks that bypass the server).</summary>
    public Task<string> QueryAsync(string database, string sql) =>
        RunPgAsync("psql", ["-h", "127.0.0.1", "-p", Port.ToString(CultureInfo.InvariantCulture), "-U", "postgres", "-d", database, "-v", "ON_ERROR_STOP=1", "-At", "-c", sql]);

    public async ValueTask DisposeAsync()
    {
        if (File.Exists(Path.Combine(_data, "postmaster.pid")))
        {
            try
            {
                await RunPgAsync("pg_ctl", ["-D", _data, "-m", "immediate", "-w", "stop"]);
            }
            catch (InvalidOperationException)
            {
                // Already stopped.
            }
        }

        Directory.Delete(_folder, recursive: true);
    }

    private Task<string> RunPgAsync(string tool, string[] args)
    {
        var exe = tool == "psql" && !File.Exists(Path.Combine(_bin, tool)) ? "/usr/bin/psql" : Path.Combine(_bin, tool);
        return _asPostgres ? RunAsync("runuser", ["-u", "postgres", "--", exe, .. args]) : RunAsync(exe, args);
    }

    private static async Task<string> RunAsync(string file, string[] args)
    {
        var start = new ProcessStartInfo(file, args)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            // The server process must not hold the test host's pipes: pg_ctl's postmaster outlives the call.
            RedirectStandardInput = true,
        };
        using var process = Process.Start(start) ?? throw new InvalidOperationException(file + " did not start");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        var text = new StringBuilder().Append(await output).Append(await error).ToString();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} {string.Join(' ', args)} exited with {process.ExitCode}: {text}");
        }

        return await output;
    }
}
