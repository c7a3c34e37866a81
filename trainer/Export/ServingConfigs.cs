using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using CreditRisk.Contracts;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace CreditRisk.Trainer.Export;

/// <summary>
/// The two configs that serve <c>model.onnx</c> unchanged in the field's other servers, written beside it: NVIDIA
/// Triton's <c>config.pbtxt</c> (backend onnxruntime) and Seldon MLServer's <c>model-settings.json</c>. Both are
/// built from the file itself (its ONNX inputs and outputs as ONNX Runtime reads them, its card), so they describe
/// what is served, not what was meant to be, and the <c>configs</c> command can write them for an existing model.
/// </summary>
public static class ServingConfigs
{
    public const string TritonFile = "config.pbtxt";
    public const string MlServerFile = "model-settings.json";

    /// <summary>Rows per request the configs allow: the CreditRisk server's default Scoring:MaxBatchSize.</summary>
    public const int MaxBatchSize = 1000;

    /// <summary>The MLServer runtime class that runs an ONNX file (deploy/mlserver/creditrisk_onnx.py; MLServer ships none for ONNX).</summary>
    public const string MlServerImplementation = "creditrisk_onnx.OnnxModel";

    /// <summary>Writes both configs beside <paramref name="modelPath"/>; returns their paths.</summary>
    public static string[] Write(string modelPath)
    {
        if (!File.Exists(modelPath))
        {
            throw new FileNotFoundException($"no model file at {modelPath}", modelPath);
        }

        var onnx = File.ReadAllBytes(modelPath);
        using var scorer = new OnnxScorer(onnx);
        var card = JsonSerializer.Deserialize<ModelCard>(scorer.Metadata[ModelMetadataKeys.ModelCard], ModelFile.CardJson)
            ?? throw new InvalidDataException($"{modelPath}: no model card in the ONNX metadata");
        var directory = Path.GetDirectoryName(Path.GetFullPath(modelPath))!;
        var inputs = Tensors(card.Dataset.Inputs.Select(f => f.Name), scorer.Inputs);
        // Every decision output the file has (an older file has only the PD).
        var outputs = Tensors(ModelMetadataKeys.Outputs.Where(scorer.Outputs.ContainsKey), scorer.Outputs);
        var triton = Path.Combine(directory, TritonFile);
        var mlserver = Path.Combine(directory, MlServerFile);
        File.WriteAllText(triton, Triton(card, inputs, outputs));
        // The version the server reports and checks: the content hash the trainer wrote into the file.
        File.WriteAllText(mlserver, MlServer(card, inputs, outputs, scorer.Metadata[ModelMetadataKeys.ContentHash]));
        return [triton, mlserver];
    }

    /// <summary>One tensor of the file: its name, element type and shape (-1 = any size) as ONNX Runtime reports them.</summary>
    public sealed record Tensor(string Name, TensorElementType Type, long[] Shape)
    {
        /// <summary>The shape without the batch dimension (Triton's dims when max_batch_size > 0).</summary>
        public long[] Dims => Shape.Length > 1 ? Shape[1..] : [1];

        /// <summary>The Open Inference Protocol datatype (MLServer, and Triton's wire type).</summary>
        public string Datatype => Type switch
        {
            TensorElementType.String => "BYTES",
            TensorElementType.Float => "FP32",
            TensorElementType.Double => "FP64",
            TensorElementType.Int64 => "INT64",
            TensorElementType.Int32 => "INT32",
            TensorElementType.Bool => "BOOL",
            _ => throw new NotSupportedException($"tensor '{Name}': ONNX element type {Type} has no config mapping"),
        };

        /// <summary>Triton's data_type: TYPE_ plus the protocol datatype, except that BYTES is TYPE_STRING.</summary>
        public string TritonType => Datatype == "BYTES" ? "TYPE_STRING" : "TYPE_" + Datatype;
    }

    private static List<Tensor> Tensors(IEnumerable<string> names, IReadOnlyDictionary<string, NodeMetadata> metadata) =>
        [.. names.Select(name => metadata.TryGetValue(name, out var node)
            ? new Tensor(name, node.ElementDataType, [.. node.Dimensions.Select(d => (long)d)])
            : throw new InvalidDataException($"the ONNX file has no tensor '{name}'"))];

    public static string Triton(ModelCard card, IReadOnlyList<Tensor> inputs, IReadOnlyList<Tensor> outputs)
    {
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"# NVIDIA Triton: serves model.onnx unchanged. Written by the CreditRisk trainer for '{card.Dataset.Name}'.");
        text.AppendLine(CultureInfo.InvariantCulture, $"# Layout: <model-repository>/{card.Dataset.Name}/config.pbtxt and <model-repository>/{card.Dataset.Name}/1/model.onnx.");
        text.AppendLine(outputs.Any(o => o.Name == ModelMetadataKeys.ApproveOutput)
            ? FormattableString.Invariant($"# Decision (in the file): {ModelMetadataKeys.ApproveOutput}, i.e. not ({ModelMetadataKeys.ProbabilityOutput} > {ModelMetadataKeys.ThresholdOutput}), the applicant's own threshold ({card.Economics?.Basis} economics{(card.Economics?.Currency is { } currency ? ", amounts in " + currency : "")}).")
            : FormattableString.Invariant($"# Decision (not in the file): reject when {ModelMetadataKeys.ProbabilityOutput} > {card.Threshold.ToString("R", CultureInfo.InvariantCulture)}."));
        text.AppendLine(CultureInfo.InvariantCulture, $"name: \"{card.Dataset.Name}\"");
        text.AppendLine("backend: \"onnxruntime\"");
        text.AppendLine(CultureInfo.InvariantCulture, $"max_batch_size: {MaxBatchSize}");
        Section("input", inputs);
        Section("output", outputs);
        return text.ToString();

        void Section(string kind, IReadOnlyList<Tensor> tensors)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"{kind} [");
            for (var i = 0; i < tensors.Count; i++)
            {
                var t = tensors[i];
                text.AppendLine("  {");
                text.AppendLine(CultureInfo.InvariantCulture, $"    name: \"{t.Name}\"");
                text.AppendLine(CultureInfo.InvariantCulture, $"    data_type: {t.TritonType}");
                text.AppendLine(CultureInfo.InvariantCulture, $"    dims: [ {string.Join(", ", t.Dims)} ]");
                text.AppendLine(i < tensors.Count - 1 ? "  }," : "  }");
            }

            text.AppendLine("]");
        }
    }

    public static string MlServer(ModelCard card, IReadOnlyList<Tensor> inputs, IReadOnlyList<Tensor> outputs, string version)
    {
        static JsonArray Metadata(IReadOnlyList<Tensor> tensors) =>
            [.. tensors.Select(t => (JsonNode)new JsonObject { ["name"] = t.Name, ["datatype"] = t.Datatype, ["shape"] = new JsonArray([.. t.Shape.Select(d => (JsonNode)d)]) })];

        var settings = new JsonObject
        {
            ["name"] = card.Dataset.Name,
            ["implementation"] = MlServerImplementation,
            ["max_batch_size"] = MaxBatchSize,
            ["inputs"] = Metadata(inputs),
            ["outputs"] = Metadata(outputs),
            ["parameters"] = new JsonObject
            {
                ["uri"] = "./model.onnx",
                ["version"] = version,
                ["extra"] = new JsonObject
                {
                    ["threshold"] = card.Threshold,
                    ["decision_rule"] = ModelFile.DecisionRule,
                    ["economics"] = card.Economics?.Basis,
                    ["currency"] = card.Economics?.Currency,
                },
            },
        };
        return settings.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n";
    }
}
