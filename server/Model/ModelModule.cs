using Carter;
using CreditRisk.Contracts;
using Microsoft.AspNetCore.Http.HttpResults;

namespace CreditRisk.Server.Model;

/// <summary>GET /api/v1/model.</summary>
public sealed class ModelModule : ICarterModule
{
    public void AddRoutes(IEndpointRouteBuilder app)
    {
        app.MapGet("/api/v1/model", GetModel)
            .WithName("GetModel")
            .WithTags("Model")
            .WithSummary("Describe the served model")
            .WithDescription(
                "The model version (first 12 hex digits of the SHA-256 of the ONNX file), learner, decision threshold, " +
                "cost weights, nested cross-validation results, training data hash, the commit it was trained from and the " +
                "feature schema it expects.")
            .ProducesProblem(StatusCodes.Status429TooManyRequests)
            .RequireRateLimiting(Hosting.Hardening.ApiRateLimit);
    }

    public static Ok<ModelInfo> GetModel(CreditModel model) => TypedResults.Ok(Describe(model));

    public static ModelInfo Describe(CreditModel model)
    {
        var card = model.Card;
        return new ModelInfo(
            model.Version,
            card.Learner,
            card.Threshold,
            card.CostFalseNegative,
            card.CostFalsePositive,
            card.NestedCv,
            card.Hyperparameters,
            card.TrainingRows,
            card.TrainingDataSha256,
            card.ExcludedFeatures,
            card.SchemaVersion,
            [.. FeatureSchema.All.Select(f => new FeatureInfo(
                f.Name,
                f.IsCategorical ? "categorical" : "numeric",
                f.Description,
                f.Group,
                f.IsCategorical ? null : f.Min,
                f.IsCategorical ? null : f.Max,
                f.IsCategorical ? f.Values : null))],
            card.TrainingCommit,
            card.TrainingCommitDate);
    }
}
