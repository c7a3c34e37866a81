using CreditRisk.Contracts;

namespace CreditRisk.Server.Model;

/// <summary>A model as GET /api/v1/model and /api/v1/models/{name} describe it (the routes are the scoring layer's ModelsModule, which knows the served versions).</summary>
public static class ModelModule
{
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
            model.Provenance.TrainingTreeDirty,
            Economics: model.Economics);
    }
}
