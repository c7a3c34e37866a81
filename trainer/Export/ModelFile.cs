using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using CreditRisk.Contracts;

namespace CreditRisk.Trainer.Export;

/// <summary>Writes the model card into the ONNX file's metadata and the sidecar <c>model.json</c>.</summary>
public static class ModelFile
{
    public const string ProducerName = "CreditRisk.Trainer";
    public const string ProducerVersion = "1.0 (ML.NET 5.0.1, Microsoft.ML.OnnxConverter 0.23.1)";

    /// <summary>Extra flat metadata keys (the card JSON carries them too).</summary>
    public static class Keys
    {
        public const string Learner = "creditrisk.learner";
        public const string Hyperparameters = "creditrisk.hyperparameters";
        public const string NestedCvCost = "creditrisk.nested_cv_cost_per_applicant";
        public const string NestedCvCi95 = "creditrisk.nested_cv_ci95";
        public const string Auc = "creditrisk.auc";
        public const string TrainingDataSha256 = "creditrisk.training_data_sha256";
        public const string ReferenceApplicant = "creditrisk.reference_applicant";
        public const string ProbabilityOutput = "creditrisk.probability_output";
        public const string DecisionRule = "creditrisk.decision_rule";
    }

    public const string DecisionRule = "reject when pd > threshold";

    public static readonly JsonSerializerOptions CardJson = new(JsonSerializerDefaults.Web);

    private static readonly JsonSerializerOptions Indented = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>
    /// The model file: the graph with the card, the provenance and the model version (<see cref="ModelIdentity"/>: a
    /// hash of graph and card, no clock and no commit involved) in its metadata.
    /// </summary>
    public static byte[] WithMetadata(byte[] graph, ModelCard card, Provenance provenance)
    {
        static string R(double v) => v.ToString("R", CultureInfo.InvariantCulture);
        var cardJson = JsonSerializer.Serialize(card, CardJson);
        // The rewrite normalises the graph (it drops ML.NET's stale value_info), so hash the graph as it will be stored.
        var version = ModelIdentity.Of(OnnxMetadata.Rewrite(graph, ProducerName, ProducerVersion, 0, "", []), cardJson);
        var metadata = new List<KeyValuePair<string, string>>
        {
            new(ModelMetadataKeys.ModelCard, cardJson),
            new(ModelMetadataKeys.Provenance, JsonSerializer.Serialize(provenance, CardJson)),
            new(ModelMetadataKeys.Threshold, R(card.Threshold)),
            new(ModelMetadataKeys.CostFalseNegative, R(card.CostFalseNegative)),
            new(ModelMetadataKeys.CostFalsePositive, R(card.CostFalsePositive)),
            new(ModelMetadataKeys.CardVersion, card.CardVersion),
            new(ModelMetadataKeys.Dataset, card.Dataset.Name),
            new(ModelMetadataKeys.ContentHash, version),
            new(Keys.Learner, card.Learner),
            new(Keys.Hyperparameters, JsonSerializer.Serialize(card.Hyperparameters, CardJson)),
            new(Keys.NestedCvCost, R(card.NestedCv.CostPerApplicant)),
            new(Keys.NestedCvCi95, $"{R(card.NestedCv.Ci95Low)},{R(card.NestedCv.Ci95High)}"),
            new(Keys.Auc, R(card.NestedCv.Auc)),
            new(Keys.TrainingDataSha256, card.TrainingDataSha256),
            new(Keys.ReferenceApplicant, JsonSerializer.Serialize(card.ReferenceApplicant, CardJson)),
            new(Keys.ProbabilityOutput, ModelMetadataKeys.ProbabilityOutput),
            new(Keys.DecisionRule, DecisionRule),
        };
        var doc = $"CreditRisk PD model for '{card.Dataset.Name}' ({card.Learner}). Inputs: the spec's {card.Dataset.Inputs.Count()} model inputs named as in the REST API " +
            "(string [N,1] for categories with the spec's values, \"\" when missing; float [N,1] for numbers, NaN when missing). " +
            $"Output '{ModelMetadataKeys.ProbabilityOutput}': float [N,1], calibrated probability of default. " +
            $"Decision: {DecisionRule} (threshold {R(card.Threshold)}, cost {R(card.CostFalseNegative)} per approved default, {R(card.CostFalsePositive)} per rejected good payer). " +
            $"Model card version {card.CardVersion}, with the data set spec embedded: JSON under '{ModelMetadataKeys.ModelCard}'.";
        return OnnxMetadata.Rewrite(graph, ProducerName, ProducerVersion, ModelIdentity.AsOnnxModelVersion(version), doc, metadata);
    }

    /// <summary>The model version the server reports, as stored in (and recomputed from) the file.</summary>
    public static string VersionOf(byte[] onnx, ModelCard card) => ModelIdentity.Of(onnx, JsonSerializer.Serialize(card, CardJson));

    /// <summary>
    /// The sidecar: the card's fields at the top level plus what a human needs to call the file: the model version the
    /// server reports, the file's SHA-256 (check with sha256sum) and the provenance.
    /// </summary>
    public static string SidecarJson(ModelCard card, Provenance provenance, byte[] onnx)
    {
        var node = JsonSerializer.SerializeToNode(card, Indented)!.AsObject();
        node["modelVersion"] = VersionOf(onnx, card);
        node["onnxSha256"] = Convert.ToHexStringLower(SHA256.HashData(onnx));
        node["provenance"] = JsonSerializer.SerializeToNode(provenance, Indented);
        node["decisionRule"] = DecisionRule;
        node["probabilityOutput"] = ModelMetadataKeys.ProbabilityOutput;
        node["probabilityOutputShape"] = "float [N,1]";
        node["inputs"] = new JsonArray([.. card.Dataset.Inputs.Select(f => (JsonNode)new JsonObject
        {
            ["name"] = f.Name,
            ["type"] = f.IsCategory ? "string [N,1]" : "float [N,1]",
            ["missing"] = f.MayBeMissing ? (f.IsCategory ? "\"\"" : "NaN") : null,
        })]);
        return node.ToJsonString(Indented) + "\n";
    }
}
