using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using CreditRisk.Contracts;
using CreditRisk.Trainer.Export;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace CreditRisk.Trainer.Tests;

/// <summary>
/// The Triton config.pbtxt and MLServer model-settings.json beside each shipped model agree with the ONNX file as
/// ONNX Runtime reads it (names, types, shapes), ONNX Runtime scores tensors built as the configs declare them, and
/// the committed files are exactly what the trainer writes for that file.
/// </summary>
public partial class ServingConfigsTests
{
    public static TheoryData<string> Datasets => ["german-credit", "lending-club"];

    [Theory]
    [MemberData(nameof(Datasets))]
    public void The_triton_config_declares_the_files_inputs_pd_and_decision_outputs(string dataset)
    {
        var folder = Path.Combine(Paths.Root, "artifacts", dataset);
        using var session = new InferenceSession(Path.Combine(folder, "model.onnx"));
        var config = File.ReadAllText(Path.Combine(folder, ServingConfigs.TritonFile));
        Assert.Matches($"(?m)^name: \"{dataset}\"$", config);
        Assert.Matches("(?m)^backend: \"onnxruntime\"$", config);
        Assert.Matches("(?m)^max_batch_size: [1-9][0-9]*$", config);

        var inputs = Blocks(Section(config, "input"));
        var outputs = Blocks(Section(config, "output"));
        Assert.Equal(session.InputMetadata.Keys.Order(), inputs.Select(t => t.Name).Order());
        Assert.Equal(ModelMetadataKeys.Outputs, outputs.Select(t => t.Name));
        foreach (var (name, type, dims) in inputs.Concat(outputs))
        {
            var node = session.InputMetadata.TryGetValue(name, out var input) ? input : session.OutputMetadata[name];
            Assert.Equal(node.ElementDataType switch { TensorElementType.String => "TYPE_STRING", TensorElementType.Bool => "TYPE_BOOL", _ => "TYPE_FP32" }, type);
            // With max_batch_size > 0 Triton's dims leave out the batch dimension, which the file must leave open.
            Assert.Equal(-1, node.Dimensions[0]);
            Assert.Equal(node.Dimensions[1..].Select(d => (long)d), dims);
        }

        Assert.All(inputs, t => Assert.Equal([1L], t.Dims));
    }

    [Theory]
    [MemberData(nameof(Datasets))]
    public void The_mlserver_settings_declare_the_files_tensors_and_onnx_runtime_scores_them_as_declared(string dataset)
    {
        var folder = Path.Combine(Paths.Root, "artifacts", dataset);
        using var session = new InferenceSession(Path.Combine(folder, "model.onnx"));
        var settings = JsonNode.Parse(File.ReadAllText(Path.Combine(folder, ServingConfigs.MlServerFile)))!;
        Assert.Equal(dataset, (string)settings["name"]!);
        Assert.Equal("./model.onnx", (string)settings["parameters"]!["uri"]!);
        var inputs = settings["inputs"]!.AsArray().Select(Tensor).ToList();
        var outputs = settings["outputs"]!.AsArray().Select(Tensor).ToList();
        Assert.Equal(session.InputMetadata.Keys.Order(), inputs.Select(t => t.Name).Order());
        Assert.Equal(ModelMetadataKeys.Outputs, outputs.Select(t => t.Name));
        foreach (var (name, datatype, shape) in inputs.Concat(outputs))
        {
            var node = session.InputMetadata.TryGetValue(name, out var input) ? input : session.OutputMetadata[name];
            Assert.Equal(node.ElementDataType switch { TensorElementType.String => "BYTES", TensorElementType.Bool => "BOOL", _ => "FP32" }, datatype);
            Assert.Equal(node.Dimensions.Select(d => (long)d), shape);
        }

        // Tensors built only from the declared datatypes and shapes (3 rows of the golden file) are what the file
        // takes: ONNX Runtime scores them to the golden PDs.
        var golden = JsonNode.Parse(File.ReadAllText(Path.Combine(folder, "golden.json")))!["rows"]!.AsArray()
            .Where(r => (string)r!["kind"]! == "data").Take(3).ToList();
        var feeds = new List<NamedOnnxValue>();
        foreach (var (name, datatype, shape) in inputs)
        {
            int[] dims = [golden.Count, .. shape[1..].Select(d => (int)d)];
            var values = golden.Select(r => r!["input"]![name]).ToList();
            feeds.Add(datatype == "BYTES"
                ? NamedOnnxValue.CreateFromTensor(name, new DenseTensor<string>(values.Select(v => (string?)v ?? "").ToArray(), dims))
                : NamedOnnxValue.CreateFromTensor(name, new DenseTensor<float>(values.Select(v => v is null ? float.NaN : (float)(double)v).ToArray(), dims)));
        }

        using var results = session.Run(feeds, [outputs[0].Name]);
        var pd = results[0].AsEnumerable<float>().ToArray();
        for (var i = 0; i < golden.Count; i++)
        {
            Assert.True(Math.Abs(pd[i] - (double)golden[i]!["pd"]!) <= 1e-5, $"{dataset} row {i}: {pd[i]} vs {golden[i]!["pd"]}");
        }
    }

    [Theory]
    [MemberData(nameof(Datasets))]
    public void The_committed_configs_are_what_the_trainer_writes_for_the_file(string dataset)
    {
        var folder = Path.Combine(Paths.Root, "artifacts", dataset);
        var scratch = Directory.CreateTempSubdirectory("creditrisk-configs-");
        try
        {
            var model = Path.Combine(scratch.FullName, "model.onnx");
            File.Copy(Path.Combine(folder, "model.onnx"), model);
            foreach (var written in ServingConfigs.Write(model))
            {
                Assert.Equal(File.ReadAllText(Path.Combine(folder, Path.GetFileName(written))), File.ReadAllText(written));
            }
        }
        finally
        {
            scratch.Delete(recursive: true);
        }
    }

    [Fact]
    public void The_configs_command_writes_both_files_and_refuses_a_missing_model()
    {
        var scratch = Directory.CreateTempSubdirectory("creditrisk-configs-");
        try
        {
            var model = Path.Combine(scratch.FullName, "model.onnx");
            File.Copy(Path.Combine(Paths.Root, "artifacts", "german-credit", "model.onnx"), model);
            Assert.Equal(0, TrainerCommandLine.Run(["configs", model]));
            Assert.True(File.Exists(Path.Combine(scratch.FullName, ServingConfigs.TritonFile)));
            Assert.True(File.Exists(Path.Combine(scratch.FullName, ServingConfigs.MlServerFile)));
            Assert.Equal(TrainerCommandLine.Failed, TrainerCommandLine.Run(["configs", Path.Combine(scratch.FullName, "absent.onnx")]));
        }
        finally
        {
            scratch.Delete(recursive: true);
        }
    }

    private static (string Name, string Datatype, long[] Shape) Tensor(JsonNode? t) =>
        ((string)t!["name"]!, (string)t["datatype"]!, [.. t["shape"]!.AsArray().Select(d => (long)d!)]);

    private static string Section(string config, string kind) =>
        Regex.Match(config, $@"(?ms)^{kind} \[\n(.*?)^\]").Groups[1].Value is { Length: > 0 } body ? body : throw new InvalidDataException($"no {kind} section");

    private static List<(string Name, string Type, long[] Dims)> Blocks(string section) =>
        [.. BlockPattern().Matches(section).Select(m => (
            m.Groups["name"].Value,
            m.Groups["type"].Value,
            m.Groups["dims"].Value.Split(',', StringSplitOptions.TrimEntries).Select(long.Parse).ToArray()))];

    [GeneratedRegex(@"\{\s*name: ""(?<name>[^""]+)""\s*data_type: (?<type>TYPE_\w+)\s*dims: \[ (?<dims>[-0-9, ]+) \]\s*\}")]
    private static partial Regex BlockPattern();
}
