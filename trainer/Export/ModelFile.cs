using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using CreditRisk.Contracts;

namespace CreditRisk.Trainer;

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
        /// <summary>Hash of graph and card, also in the ONNX model_version field. Not the served version: that is the
        /// SHA-256 of the file's bytes, which cannot be written inside the file it hashes.</summary>
        public const string ContentHash = "creditrisk.content_hash";
    }

    public const string DecisionRule = "reject when pd > threshold";

    public static readonly JsonSerializerOptions CardJson = new(JsonSerializerDefaults.Web);

    private static readonly JsonSerializerOptions Indented = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>A content hash of graph and card (no clock involved): the ONNX model_version field.</summary>
    public static string ContentHashOf(byte[] graph, ModelCard card) =>
        Convert.ToHexStringLower(SHA256.HashData([.. graph, .. Encoding.UTF8.GetBytes(JsonSerializer.Serialize(card, CardJson))]))[..12];

    public static byte[] WithMetadata(byte[] graph, ModelCard card)
    {
        static string R(double v) => v.ToString("R", CultureInfo.InvariantCulture);
        var version = ContentHashOf(graph, card);
        var metadata = new List<KeyValuePair<string, string>>
        {
            new(ModelMetadataKeys.ModelCard, JsonSerializer.Serialize(card, CardJson)),
            new(ModelMetadataKeys.Threshold, R(card.Threshold)),
            new(ModelMetadataKeys.CostFalseNegative, R(card.CostFalseNegative)),
            new(ModelMetadataKeys.CostFalsePositive, R(card.CostFalsePositive)),
            new(ModelMetadataKeys.CardVersion, card.CardVersion),
            new(ModelMetadataKeys.Dataset, card.Dataset.Name),
            new(Keys.ContentHash, version),
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
        return OnnxMetadata.Rewrite(graph, ProducerName, ProducerVersion, long.Parse(version, NumberStyles.HexNumber, CultureInfo.InvariantCulture), doc, metadata);
    }

    /// <summary>
    /// The sidecar: the card's fields at the top level plus what a human needs to call the file. Its modelVersion
    /// is the one the server reports: the first 12 hex digits of the file's SHA-256 (check with sha256sum).
    /// </summary>
    /// <summary>The model version the server reports: the first 12 hex digits of the file's SHA-256.</summary>
    public static string VersionOf(byte[] onnx) => Convert.ToHexStringLower(SHA256.HashData(onnx))[..12];

    public static string SidecarJson(ModelCard card, byte[] onnx)
    {
        var node = JsonSerializer.SerializeToNode(card, Indented)!.AsObject();
        var sha256 = Convert.ToHexStringLower(SHA256.HashData(onnx));
        node["modelVersion"] = sha256[..12];
        node["onnxSha256"] = sha256;
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
