using Carter;
using CreditRisk.Contracts;
using CreditRisk.Server.Api;
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
                "The model version (the hash of the ONNX graph and model card, verified at load), learner, decision threshold, " +
                "cost weights, nested cross-validation results, training data hash, the commit it was trained from and the " +
                "data set spec it expects (every attribute with its kind, role, values, range, missing rule, label and reason code) and an example applicant.")
            .ProducesProblem(StatusCodes.Status429TooManyRequests)
            .RequireRateLimiting(ApiPolicies.RateLimit);
    }

    public static Ok<ModelInfo> GetModel(CreditModel model) => TypedResults.Ok(Describe(model));

    public static ModelInfo Describe(CreditModel model)
    {
        var card = model.Card;
        var spec = model.Spec;
        return new ModelInfo(
            model.Version,
            spec.Name,
            spec.Title,
            card.Learner,
            card.Threshold,
            card.CostFalseNegative,
            card.CostFalsePositive,
            card.NestedCv,
            card.Hyperparameters,
            card.TrainingRows,
            card.TrainingDataSha256,
            card.ExcludedFeatures,
            card.CardVersion,
            [.. spec.Features.Select(f => new FeatureInfo(
                f.Name,
                f.Kind,
                f.Role,
                f.Text,
                f.Description,
                f.Group,
                f.Unit,
                f.Min,
                f.Max,
                f.Missing,
                f.IsCategory ? f.Values : null,
                f.Role == FeatureRole.Feature ? spec.ReasonCode(f) : null))],
            card.ExampleApplicant,
            model.Provenance.TrainingCommit,
            model.Provenance.TrainingCommitDate,
            model.Provenance.TrainingTreeDirty);
    }
}
