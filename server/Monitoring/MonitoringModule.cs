using Carter;
using CreditRisk.Contracts;
using CreditRisk.Server.Api;
using CreditRisk.Server.Records;
using CreditRisk.Server.Scoring;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace CreditRisk.Server.Monitoring;

/// <summary>
/// GET /api/v1/models/{name}/monitoring: drift, calibration, realised cost and group figures of one served model over
/// the monitoring window of the version it serves now; GET /api/v1/monitoring is the same for the default model. Aggregates
/// only (no applicant row), but of every applicant's decision: it needs the API key whenever one is configured
/// (docs/security.md).
/// </summary>
public sealed class MonitoringModule : ICarterModule
{
    public void AddRoutes(IEndpointRouteBuilder app)
    {
        var group = app.MapApiGroup("/api/v1", ApiAccess.Aggregates).WithTags("Monitoring")
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status429TooManyRequests)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        group.MapGet("/monitoring", GetMonitoring)
            .WithName("GetMonitoring")
            .Produces<MonitoringReport>(StatusCodes.Status200OK, "application/json")
            .WithSummary("The default model in production: drift, calibration, realised cost")
            .WithDescription(
                "As GET /api/v1/models/{name}/monitoring, for the default model (Model:Default, the one /api/v1/score serves).");
        group.MapGet("/models/{name}/monitoring", GetModelMonitoring)
            .WithName("GetModelMonitoring")
            .Produces<MonitoringReport>(StatusCodes.Status200OK, "application/json")
            .WithSummary("A served model in production: drift, calibration, realised cost")
            .WithDescription(
                "For the model named in the path, and only for the version it serves now (modelVersion; model is its name): " +
                "the window holds that version's decisions only, and drift is measured against that version's own card. After " +
                "a swap, a promotion or a rollback the figures are the new version's (its window starts empty); earlier versions' " +
                "decisions keep their version in their records (GET /api/v1/models/{name}/events says when the version changed). " +
                "Over the monitoring window (the version's last Monitoring:WindowDecisions decisions of the last " +
                "Monitoring:WindowDays days, read from the decision store, so every instance sharing it agrees): PSI of each " +
                "model input and of the PD against the training baseline in the model card (bands: stable below 0.1, watch " +
                "to 0.25, act above), approval rate and mean PD against training, and once outcomes have been posted the " +
                "realised bad rate per PD band against the predicted one, the realised cost per applicant against the " +
                "nested-CV estimate and its 95 % interval, the AUC on matured outcomes, and approval rate and adverse-impact " +
                "ratio per group of each protected attribute that requests sent. minOutcomes (Monitoring:MinOutcomes, default 30): below this many " +
                "matured outcomes the outcome figures are noise and should not be read as fact. minGroupSize (Monitoring:MinGroupSize, default 30): " +
                "a group with fewer decisions is suppressed (its count only) and is never the best group the ratios divide by. " +
                "For a model that decides on loan-level " +
                "economics, money: the realised profit per matured loan (a repaid approval earns its margin, a defaulted one " +
                "loses its loss, a reject 0; the amounts recorded with each decision) with its 95 % interval, against what the " +
                "model expected and against the nested-CV interval per loan, per month of decision and per PD band, and the " +
                "rejects' forgone margin and avoided loss. Recomputed at most every " +
                "Monitoring:RefreshSeconds; computedAt says when. Aggregates only, no applicant's data. Needs the X-API-Key header " +
                "whenever a key is configured (ApiKey:Key). 404 names an unknown model.");
    }

    /// <summary>The default model's report: one path with <see cref="GetModelMonitoring"/>.</summary>
    public static Task<Results<FileContentHttpResult, ProblemHttpResult>> GetMonitoring(
        MonitoringCache cache, ModelRegistry registry, IOptions<RecordsOptions> records, CancellationToken cancellationToken) =>
        GetModelMonitoring(registry.DefaultName, cache, registry, records, cancellationToken);

    /// <summary>The cached report's bytes (<see cref="MonitoringCache.GetJsonAsync"/>): the same JSON as the report, serialised once per refresh.</summary>
    public static async Task<Results<FileContentHttpResult, ProblemHttpResult>> GetModelMonitoring(
        string name, MonitoringCache cache, ModelRegistry registry, IOptions<RecordsOptions> records, CancellationToken cancellationToken)
    {
        if (!records.Value.Enabled)
        {
            return DecisionsModule.RecordingOff();
        }

        return await cache.GetJsonAsync(name, cancellationToken) is { } json
            ? TypedResults.Bytes(json, "application/json")
            : Problems.UnknownModel(name, registry.Serving.Select(s => s.Name));
    }
}
