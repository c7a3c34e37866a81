using Carter;
using CreditRisk.Contracts;
using CreditRisk.Server.Api;
using CreditRisk.Server.Model;
using CreditRisk.Server.Scoring.Input;
using Microsoft.AspNetCore.Http.HttpResults;

namespace CreditRisk.Server.Scoring;

/// <summary>GET /api/v1/model, /api/v1/models and /api/v1/models/{name}: the served models (their scoring routes are ScoringModule's).</summary>
public sealed class ModelsModule : ICarterModule
{
    public void AddRoutes(IEndpointRouteBuilder app)
    {
        var models = app.MapApiGroup("/api/v1", ApiAccess.Open).WithTags("Model").ProducesProblem(StatusCodes.Status429TooManyRequests);
        models.MapGet("/model", GetModel)
            .WithName("GetModel")
            .WithSummary("Describe the served model")
            .WithDescription(
                "The default model's version serving now (the hash of the ONNX graph and model card, verified at load), learner, decision threshold, " +
                "cost weights, nested cross-validation results, training data hash, the commit it was trained from and the " +
                "data set spec it expects (every attribute with its kind, role, values, range, missing rule, label and reason code) and an example applicant.");
        models.MapGet("/models", ListModels)
            .WithName("ListModels")
            .WithSummary("List the served models")
            .WithDescription(
                "Every model the server serves, by name, with the version serving now, and the default model's name (the one " +
                "/api/v1/score and /api/v1/model answer with). Each is scored at /api/v1/models/{name}/score and /score/batch, and " +
                "over the Open Inference Protocol as /v2/models/{name}.");
        models.MapGet("/models/{name}", GetNamedModel)
            .WithName("GetNamedModel")
            .WithSummary("Describe a served model by name")
            .WithDescription("As GET /api/v1/model, for the model named in the path (its version serving now).")
            .ProducesProblem(StatusCodes.Status404NotFound);
        models.MapGet("/models/{name}/rules", GetNamedInputRules)
            .WithName("GetNamedInputRules")
            .WithSummary("A served model's input rules, by name")
            .WithDescription("As GET /api/v1/model/rules, for the model named in the path (its version serving now).")
            .ProducesProblem(StatusCodes.Status404NotFound);
    }

    public static Ok<ModelInfo> GetModel(ModelRegistry registry) => TypedResults.Ok(ModelModule.Describe(registry.Find(registry.DefaultName)!.Model));

    public static Ok<ModelList> ListModels(ModelRegistry registry) => TypedResults.Ok(new ModelList(
        registry.DefaultName,
        [.. registry.Serving.Select(s => new ModelSummary(
            s.Name, s.Model.Version, s.Folder, s.Model.Spec.Title, s.Model.Card.Learner, s.Model.Threshold, s.LoadedAt, s.Name == registry.DefaultName))]));

    public static Results<Ok<InputRulesInfo>, ProblemHttpResult> GetNamedInputRules(string name, ModelRegistry registry) =>
        registry.Find(name) is { } served
            ? TypedResults.Ok(InputRulesModule.Describe(served.Rules))
            : Problems.UnknownModel(name, registry.Serving.Select(s => s.Name));

    public static Results<Ok<ModelInfo>, ProblemHttpResult> GetNamedModel(string name, ModelRegistry registry) =>
        registry.Find(name) is { } served
            ? TypedResults.Ok(ModelModule.Describe(served.Model))
            : Problems.UnknownModel(name, registry.Serving.Select(s => s.Name));
}
