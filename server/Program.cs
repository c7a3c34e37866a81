using Carter;
using CreditRisk.Server.Api;
using CreditRisk.Server.Challenger;
using CreditRisk.Server.Health;
using CreditRisk.Server.Hosting;
using CreditRisk.Server.Lifecycle;
using CreditRisk.Server.Model;
using CreditRisk.Server.Monitoring;
using CreditRisk.Server.OpenApi;
using CreditRisk.Server.OpenInference;
using CreditRisk.Server.Records;
using CreditRisk.Server.Scoring;
using Prometheus;

// The container's HEALTHCHECK runs this same binary as a tiny client of the running server (its health port if set).
if (ReadinessProbe.Requested(args))
{
    return await ReadinessProbe.RunAsync(
        Environment.GetEnvironmentVariable("Limits__HealthPort") is { Length: > 0 } health and not "0"
            ? health
            : Environment.GetEnvironmentVariable("ASPNETCORE_HTTP_PORTS"));
}

var builder = WebApplication.CreateBuilder(args);

// Logging: Serilog to stdout, readable in Development and compact JSON elsewhere; never applicant attributes.
builder.AddServerLogging();

// The model: one ONNX Runtime session, checked and warmed up before the server listens.
builder.Services.AddCreditModel();
builder.Services.AddScoring();

// A challenger (Model:ChallengerPath), scored in shadow off the hot path and compared with the served model (docs/monitoring.md).
builder.Services.AddChallenger();

// Model lifecycle: the challenger promoted in one step after the runbook's checks, and rolled back (docs/model-lifecycle.md).
builder.Services.AddLifecycle();

// The Open Inference Protocol (KServe V2): REST under /v2, gRPC on its own HTTP/2 port (Inference:GrpcPort).
builder.AddInference();

// Decision records: each decision committed (SQLite by default, PostgreSQL when configured) before it is answered; outcomes fed back.
builder.Services.AddRecords();

// Monitoring: drift, calibration and realised cost over a window of recorded decisions, cached, never on the scoring path.
builder.Services.AddMonitoring();

// Limits and refusals: body/header size, connections, draining.
builder.AddHardening();

// API policies: the key, rate limiting, timeouts, scoring capacity, problem+json for every error (its exception handler
// answers what the model's and the records' own handlers, registered above, do not).
builder.Services.AddApiPolicies();

// API: Carter modules, source-generated JSON, OpenAPI document, health checks.
builder.Services.AddCarter();
builder.Services.ConfigureHttpJsonOptions(o => o.SerializerOptions.TypeInfoResolverChain.Insert(0, JsonContext.Default));
builder.Services.AddApiDocs();
builder.Services.AddModelHealth();

// A bad setting, model file or busy port stops start-up with one line on stderr naming it, exit code 1 (StartupErrors).
WebApplication app;
try
{
    app = builder.Build();
}
catch (Exception e) when (StartupErrors.Report(e))
{
    return StartupErrors.ExitCode;
}

if (!app.TryLoadModel() || !app.TryLoadChallenger() || !app.TryOpenRecords())
{
    return StartupErrors.ExitCode;
}

app.UseHardening();

// The scoring page (wwwroot/index.html at /) and Swagger UI at /swagger.
app.UseDefaultFiles();
app.UseStaticFiles();
app.UseTrainingReport();
app.UseApiDocs();

app.UseRouting();
app.UseHttpMetrics();
app.UseRequestLimits();

app.MapCarter();
app.MapInference();
app.MapHealth();
app.PublishMonitoringOnScrape();
app.ForgetStaleChallengerGaugesOnScrape();
app.MapMetrics("/metrics").ReadOnly();

app.Lifetime.ApplicationStarted.Register(() => Log.Listening(
    app.Logger,
    string.Join(", ", app.Urls.Select(u => u.TrimEnd('/') + "/")),
    string.Join(", ", app.Urls.Select(u => u.TrimEnd('/') + "/swagger"))));

try
{
    app.Run();
}
catch (Exception e) when (StartupErrors.Report(e))
{
    return StartupErrors.ExitCode;
}

return 0;
