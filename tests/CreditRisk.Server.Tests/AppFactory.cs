using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using CreditRisk.Contracts;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Serilog.Core;
using Serilog.Events;
using Serilog.Formatting.Compact;

namespace CreditRisk.Server.Tests;

/// <summary>The server in memory with the shipped model; settings override configuration, logs are captured.</summary>
public class AppFactory : WebApplicationFactory<Program>
{
    private readonly IReadOnlyDictionary<string, string?> _settings;

    public AppFactory(IReadOnlyDictionary<string, string?> settings) => _settings = settings;

    public LogCapture Logs { get; } = new();

    /// <summary>This host's own SQLite folder (the default store), deleted with the host: tests leave no files behind.</summary>
    public string DataFolder { get; } = Directory.CreateTempSubdirectory("creditrisk-records-").FullName;

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        if (disposing && Directory.Exists(DataFolder))
        {
            Directory.Delete(DataFolder, recursive: true);
        }
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Production");
        builder.UseSetting("Model:Path", TestModels.Shipped);
        // Every level, every category: the log-scan test must see everything that could leak.
        builder.UseSetting("Serilog:MinimumLevel:Default", "Verbose");
        builder.UseSetting("Serilog:MinimumLevel:Override:Microsoft.AspNetCore", "Verbose");
        builder.UseSetting("Serilog:MinimumLevel:Override:Microsoft", "Verbose");
        // The rate limiter is on by default; tests that are about it turn it on with their own settings.
        builder.UseSetting("Limits:RateLimitPermits", "0");
        // No load balancer to wait for when a test host stops.
        builder.UseSetting("Limits:DrainSeconds", "0");
        builder.UseSetting("Records:DataFolder", DataFolder);
        foreach (var (key, value) in _settings)
        {
            builder.UseSetting(key, value);
        }

        builder.ConfigureServices(services => services.AddSingleton<ILogEventSink>(Logs));
    }
}

/// <summary>Collects every log event as the compact JSON line the console would get.</summary>
public sealed class LogCapture : ILogEventSink
{
    private readonly CompactJsonFormatter _formatter = new();
    private readonly StringWriter _text = new();
    private readonly Lock _gate = new();

    public void Emit(LogEvent logEvent)
    {
        lock (_gate)
        {
            _formatter.Format(logEvent, _text);
        }
    }

    public string Text
    {
        get
        {
            lock (_gate)
            {
                return _text.ToString();
            }
        }
    }
}

/// <summary>The server with another model (a shipped one or a hand-made one), shared by a test class.</summary>
public class ModelApp(string modelPath) : AppFactory(new Dictionary<string, string?> { ["Model:Path"] = modelPath });

/// <summary>The shipped Lending Club model, shared by a collection.</summary>
public sealed class LendingClubApp() : ModelApp(TestModels.ShippedModel(TestModels.LendingClub));

[CollectionDefinition(Name)]
public sealed class LendingClubCollection : ICollectionFixture<LendingClubApp>
{
    public const string Name = "lending-club";
}

/// <summary>The default configuration, shared by most tests (one host for the whole collection).</summary>
public sealed class SharedApp : AppFactory
{
    public SharedApp()
        : base(new Dictionary<string, string?>())
    {
    }
}

[CollectionDefinition(Name)]
public sealed class AppCollection : ICollectionFixture<SharedApp>
{
    public const string Name = "app";
}

internal static class Http
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>The example applicant of a shipped model's card (its sidecar model.json), as a request body.</summary>
    public static JsonObject ApplicantJson(string dataset = TestModels.German) =>
        JsonSerializer.SerializeToNode(TestModels.ShippedCard(dataset).ExampleApplicant, Json)!.AsObject();

    public static StringContent JsonContent(string body) => new(body, Encoding.UTF8, "application/json");

    public static Task<HttpResponseMessage> PostJson(this HttpClient client, string path, string body) =>
        client.PostAsync(path, JsonContent(body));

    public static Task<HttpResponseMessage> PostJson(this HttpClient client, string path, JsonNode body) =>
        client.PostAsync(path, JsonContent(body.ToJsonString()));

    /// <summary>Asserts an RFC 9457 problem with the status and no trace of an exception; returns its JSON.</summary>
    public static async Task<JsonObject> AssertProblem(this HttpResponseMessage response, int status)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True((int)response.StatusCode == status, $"expected {status}, got {(int)response.StatusCode}: {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.DoesNotContain("   at ", text, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", text, StringComparison.Ordinal);
        var problem = JsonNode.Parse(text)!.AsObject();
        Assert.Equal(status, (int)problem["status"]!);
        return problem;
    }

    /// <summary>The rules reported for one field of a validation problem.</summary>
    public static string[] ErrorsFor(this JsonObject problem, string field) =>
        problem["errors"]?[field]?.AsArray().Select(e => (string)e!).ToArray() ?? [];

    public static MediaTypeHeaderValue MediaType(string value) => new(value);
}
