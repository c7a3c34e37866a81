using System.Diagnostics;
using Carter;
using CreditRisk.Contracts;
using CreditRisk.Server.Api;
using CreditRisk.Server.Hosting;
using CreditRisk.Server.Model;
using CreditRisk.Server.Records;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace CreditRisk.Server.Scoring;

/// <summary>POST /api/v1/score and /api/v1/score/batch.</summary>
public sealed class ScoringModule : ICarterModule
{
    public void AddRoutes(IEndpointRouteBuilder app)
    {
        // Group "/api/v1" with route "/score", not group "/api/v1/score" with route "": the latter's pattern (and so the
        // /metrics route label) is "/api/v1/score/".
        var score = app.MapApiGroup("/api/v1", ApiAccess.Scoring)
            .WithTags("Scoring")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
            .ProducesProblem(StatusCodes.Status429TooManyRequests)
            // Scoring capacity full, an unfit model, or the decision store down or saturated: no decision is returned that is not recorded.
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);

        score.MapPost("/score", ScoreApplicant)
            .WithName("ScoreApplicant")
            .WithSummary("Score one applicant")
            .WithDescription(
                "Returns the probability of default (PD), the decision at the model's cost-optimal threshold " +
                "(reject when PD > threshold), the expected cost of each decision (approve: 5·PD, reject: 1·(1−PD)), " +
                "the model version, the id of its decision record and, for a reject, up to 4 adverse-action reasons. The attributes are the served model's " +
                "(GET /api/v1/model); those that may be missing can be null or left out. Unknown or repeated fields are " +
                "rejected with 400, naming each bad field and the rule it breaks.")
            .Accepts<Applicant>("application/json");

        score.MapPost("/score/batch", ScoreBatch)
            .WithName("ScoreBatch")
            .WithMetadata(BatchLane.Instance)
            .WithSummary("Score a batch of applicants")
            .WithDescription(
                "Scores up to Scoring:MaxBatchSize (default 1000) applicants in one model run; results come in " +
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

    public static async Task<Results<Ok<ScoreResult>, ValidationProblem, ProblemHttpResult>> ScoreApplicant(
        HttpRequest request, Scorer scorer, ApplicantReader reader, DecisionRecorder recorder, IOptions<LimitsOptions> limits, ILogger<ScoringModule> logger)
    {
        var started = Stopwatch.GetTimestamp();
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

        var result = (await recorder.RecordAsync([applicant], [await scorer.ScoreAsync(applicant)]))[0];
        var elapsed = Stopwatch.GetElapsedTime(started);
        ScoringMetrics.Scores.WithLabels(result.Decision).Inc();
        ScoringMetrics.ScoringSeconds.WithLabels("score").Observe(elapsed.TotalSeconds);
        // Never log applicant attributes: only the outcome, coarsely.
        Log.Scored(logger, request.HttpContext.TraceIdentifier, result.Decision, Logging.Bucket(result.ProbabilityOfDefault), elapsed.TotalMilliseconds);
        return TypedResults.Ok(result);
    }

    public static async Task<Results<Ok<BatchScoreResponse>, CsvBatch.Scores, ValidationProblem, ProblemHttpResult>> ScoreBatch(
        HttpRequest request, Scorer scorer, ApplicantReader reader, DecisionRecorder recorder, ScoringCapacity capacity, IOptions<LimitsOptions> limits, IOptions<ScoringOptions> scoring,
        ILogger<ScoringModule> logger)
    {
        if (CsvBatch.IsCsv(request))
        {
            return (await CsvBatch.ReadAsync(request, scorer, recorder, capacity, scoring.Value, logger)).Result switch
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

        var results = await RunBatchAsync(scorer, recorder, applicants, "batch", request.HttpContext.TraceIdentifier, started, logger);
        return TypedResults.Ok(new BatchScoreResponse(scorer.Model.Version, results));
    }

    /// <summary>
    /// Scores a validated batch, records it (the results come back only once their records are committed, stamped with
    /// their decision ids) and counts it in the metrics and the log: the one path of every route that scores a batch
    /// (this one, the CSV batch and the Open Inference Protocol's REST and gRPC infer), so they score, record and count alike.
    /// </summary>
    public static async Task<ScoreResult[]> RunBatchAsync(
        Scorer scorer, DecisionRecorder recorder, List<ApplicantRow> applicants, string endpoint, string requestId, long started, ILogger logger)
    {
        var results = await recorder.RecordAsync(applicants, scorer.Score(applicants));
        var elapsed = Stopwatch.GetElapsedTime(started);
        var rejects = results.Count(r => r.Decision == Decisions.Reject);
        ScoringMetrics.Scores.WithLabels(Decisions.Reject).Inc(rejects);
        ScoringMetrics.Scores.WithLabels(Decisions.Approve).Inc(results.Length - rejects);
        ScoringMetrics.ScoringSeconds.WithLabels(endpoint).Observe(elapsed.TotalSeconds);
        Log.ScoredBatch(logger, requestId, results.Length, rejects, elapsed.TotalMilliseconds);
        return results;
    }

    private static ValidationProblem Invalid(ValidationErrors errors) => TypedResults.ValidationProblem(
        errors.ToDictionary(),
        title: "The request is not a valid scoring request",
        detail: "Each entry of 'errors' names a field and the rule it breaks; '$' is the body as a whole.");
}
