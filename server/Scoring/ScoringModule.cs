using System.Diagnostics;
using Carter;
using CreditRisk.Contracts;
using CreditRisk.Server.Api;
using CreditRisk.Server.Hosting;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace CreditRisk.Server.Scoring;

/// <summary>POST /api/v1/score and /api/v1/score/batch.</summary>
public sealed class ScoringModule : ICarterModule
{
    public void AddRoutes(IEndpointRouteBuilder app)
    {
        // Group "/api/v1" with route "/score", not group "/api/v1/score" with route "": the latter's pattern (and so the
        // /metrics route label) is "/api/v1/score/". The default model answers /api/v1/score; every model by name
        // answers /api/v1/models/{name}/score (docs/model-lifecycle.md). Same handlers, same rules.
        foreach (var (prefix, suffix, which, one, batch) in new (string, string, string, Delegate, Delegate)[]
        {
            ("/api/v1", "", "the default model (Model:Default)", ScoreApplicant, ScoreBatch),
            ("/api/v1/models/{name}", "ByName", "the model named in the path", ScoreApplicantByName, ScoreBatchByName),
        })
        {
            var score = app.MapApiGroup(prefix, ApiAccess.Scoring)
                .WithTags("Scoring")
                .ProducesValidationProblem()
                .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
                .ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
                .ProducesProblem(StatusCodes.Status429TooManyRequests)
                // Scoring capacity full, an unfit model, or the decision store down or saturated: no decision is returned that is not recorded.
                .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
            if (suffix.Length > 0)
            {
                score.ProducesProblem(StatusCodes.Status404NotFound);
            }

            score.MapPost("/score", one)
                .WithName("ScoreApplicant" + suffix)
                .WithSummary("Score one applicant" + (suffix.Length > 0 ? " with a named model" : ""))
                .WithDescription(
                    $"Scored by {which}. Returns the probability of default (PD), the decision at the model's cost-optimal threshold " +
                    "(reject when PD > threshold), the expected cost of each decision (approve: 5·PD, reject: 1·(1−PD)), " +
                    "the model version, the id of its decision record and, for a reject, up to 4 adverse-action reasons. The attributes are the model's " +
                    "(GET /api/v1/model, or /api/v1/models/{name}); those that may be missing can be null or left out. Unknown or repeated fields are " +
                    "rejected with 400, naming each bad field and the rule it breaks.")
                .Accepts<Applicant>("application/json");

            score.MapPost("/score/batch", batch)
                .WithName("ScoreBatch" + suffix)
                .WithMetadata(BatchLane.Instance)
                .WithSummary("Score a batch of applicants" + (suffix.Length > 0 ? " with a named model" : ""))
                .WithDescription(
                    $"Scored by {which}. Scores up to Scoring:MaxBatchSize (default 1000) applicants in one model run; results come in " +
                    "request order. A batch over the limit is refused with 413; any invalid applicant makes the whole " +
                    "batch a 400 naming each bad field as applicants[i].field. The id attributes of each applicant come back in its result's 'ids'.\n\n" +
                    "With Content-Type: text/csv the body is a CSV file and so is the answer: a header row naming the columns " +
                    "(attribute names as in the JSON, any case; separator ',', ';' or tab, detected from the header), one applicant per row. " +
                    "Category cells take the value or one of its codes (e.g. UCI's A11); numbers use '.' (or ',' when the separator is not ','); " +
                    "an empty cell is a missing value. Every other column (e.g. an application id) is carried through. The answer repeats " +
                    "the input columns in order, then probabilityOfDefault, decision, reasonCodes and reasons, with the file's separator. " +
                    "Up to Scoring:MaxCsvRows rows (default 100000) and Scoring:MaxCsvBytes; it is scored in chunks and streamed back. " +
                    "A bad file is one 400 naming each bad cell as 'line N, column' (the header is line 1) and nothing is scored.")
                .Accepts<BatchScoreRequest>("application/json", CsvBatch.MediaType);
        }
    }

    /// <summary>
    /// The version of the request's model (the default one when <paramref name="name"/> is null), leased until the
    /// response is written: a swap meanwhile leaves this request on the version it started on.
    /// </summary>
    private static ServedModel? Lease(string? name, HttpRequest request, ModelRegistry registry)
    {
        if (registry.Acquire(name) is not { } lease)
        {
            return null;
        }

        request.HttpContext.Response.RegisterForDispose(lease);
        return lease.Served;
    }

    public static Task<Results<Ok<ScoreResult>, ValidationProblem, ProblemHttpResult>> ScoreApplicant(
        HttpRequest request, ModelRegistry registry, IOptions<LimitsOptions> limits) => ScoreOne(null, request, registry, limits);

    public static Task<Results<Ok<ScoreResult>, ValidationProblem, ProblemHttpResult>> ScoreApplicantByName(
        string name, HttpRequest request, ModelRegistry registry, IOptions<LimitsOptions> limits) => ScoreOne(name, request, registry, limits);

    public static Task<Results<Ok<BatchScoreResponse>, CsvBatch.Scores, ValidationProblem, ProblemHttpResult>> ScoreBatch(
        HttpRequest request, ModelRegistry registry, ScoringCapacity capacity, CsvSpoolBudget spool,
        IOptions<LimitsOptions> limits, IOptions<ScoringOptions> scoring) => ScoreMany(null, request, registry, capacity, spool, limits, scoring);

    public static Task<Results<Ok<BatchScoreResponse>, CsvBatch.Scores, ValidationProblem, ProblemHttpResult>> ScoreBatchByName(
        string name, HttpRequest request, ModelRegistry registry, ScoringCapacity capacity, CsvSpoolBudget spool,
        IOptions<LimitsOptions> limits, IOptions<ScoringOptions> scoring) => ScoreMany(name, request, registry, capacity, spool, limits, scoring);

    private static async Task<Results<Ok<ScoreResult>, ValidationProblem, ProblemHttpResult>> ScoreOne(
        string? name, HttpRequest request, ModelRegistry registry, IOptions<LimitsOptions> limits)
    {
        var started = Stopwatch.GetTimestamp();
        if (Lease(name, request, registry) is not { } served)
        {
            return Problems.UnknownModel(name ?? registry.DefaultName, registry.Serving.Select(s => s.Name));
        }

        var (pipeline, reader) = (served.Pipeline, served.Reader);
        var errors = new ValidationErrors();
        var (applicant, problem) = await JsonBody.ReadAsync(
            request, limits.Value.MaxRequestBodyBytes, body => reader.ReadApplicant(body, errors), request.HttpContext.RequestAborted);
        if (problem is not null)
        {
            return problem;
        }

        if (applicant is null)
        {
            return Invalid(errors);
        }

        return TypedResults.Ok(await pipeline.DecideAsync(applicant, DecisionPipeline.One, request.HttpContext.TraceIdentifier, started));
    }

    private static async Task<Results<Ok<BatchScoreResponse>, CsvBatch.Scores, ValidationProblem, ProblemHttpResult>> ScoreMany(
        string? name, HttpRequest request, ModelRegistry registry, ScoringCapacity capacity, CsvSpoolBudget spool,
        IOptions<LimitsOptions> limits, IOptions<ScoringOptions> scoring)
    {
        if (Lease(name, request, registry) is not { } served)
        {
            return Problems.UnknownModel(name ?? registry.DefaultName, registry.Serving.Select(s => s.Name));
        }

        var (pipeline, reader, rules) = (served.Pipeline, served.Reader, served.Rules);
        if (CsvBatch.IsCsv(request))
        {
            return (await CsvBatch.ReadAsync(request, pipeline, rules, capacity, spool, scoring.Value)).Result switch
            {
                CsvBatch.Scores scores => scores,
                ValidationProblem invalid => invalid,
                ProblemHttpResult refused => refused,
                var other => throw new UnreachableException($"CsvBatch answered {other?.GetType().Name}"),
            };
        }

        var started = Stopwatch.GetTimestamp();
        var errors = new ValidationErrors();
        var maxBatch = scoring.Value.MaxBatchSize;
        var tooMany = false;
        var (applicants, problem) = await JsonBody.ReadAsync(
            request, limits.Value.MaxRequestBodyBytes, body => reader.ReadBatch(body, maxBatch, errors, out tooMany), request.HttpContext.RequestAborted);
        if (problem is not null)
        {
            return problem;
        }

        if (tooMany)
        {
            return Problems.BatchTooLarge(maxBatch);
        }

        if (applicants is null)
        {
            return Invalid(errors);
        }

        var results = await pipeline.DecideAsync(applicants, DecisionPipeline.Batch, request.HttpContext.TraceIdentifier, started);
        return TypedResults.Ok(new BatchScoreResponse(pipeline.Model.Version, results));
    }

    private static ValidationProblem Invalid(ValidationErrors errors) => TypedResults.ValidationProblem(
        errors.ToDictionary(),
        title: "The request is not a valid scoring request",
        detail: "Each entry of 'errors' names a field and the rule it breaks; '$' is the body as a whole.");
}
