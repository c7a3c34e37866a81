using Carter;
using CreditRisk.Contracts;
using CreditRisk.Server.Api;
using CreditRisk.Server.Records;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace CreditRisk.Server.Monitoring;

/// <summary>
/// GET /api/v1/monitoring: drift, calibration, realised cost and group figures over the monitoring window. Aggregates
/// only (no applicant row), but of every applicant's decision: it needs the API key whenever one is configured
/// (docs/security.md).
/// </summary>
public sealed class MonitoringModule : ICarterModule
{
    public void AddRoutes(IEndpointRouteBuilder app)
    {
        app.MapApiGroup("/api/v1", ApiAccess.Aggregates).MapGet("/monitoring", GetMonitoring)
            .WithName("GetMonitoring")
            .WithTags("Monitoring")
            .WithSummary("The model in production: drift, calibration, realised cost")
            .WithDescription(
                "Over the monitoring window (this model's last Monitoring:WindowDecisions decisions of the last " +
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
                "whenever a key is configured (ApiKey:Key).")
            .Produces<MonitoringReport>(StatusCodes.Status200OK, "application/json")
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status429TooManyRequests)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
    }

    /// <summary>The cached report's bytes (<see cref="MonitoringCache.GetJsonAsync"/>): the same JSON as the report, serialised once per refresh.</summary>
    public static async Task<Results<FileContentHttpResult, ProblemHttpResult>> GetMonitoring(
        MonitoringCache cache, IOptions<RecordsOptions> records, CancellationToken cancellationToken) =>
        records.Value.Enabled
            ? TypedResults.Bytes(await cache.GetJsonAsync(cancellationToken), "application/json")
            : DecisionsModule.RecordingOff();
}
