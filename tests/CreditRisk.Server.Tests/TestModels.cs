using System.Text.Json;
using CreditRisk.Contracts;

namespace CreditRisk.Server.Tests;

/// <summary>Model files for tests: the shipped one, and hand-made good and bad ones written to a temp folder.</summary>
internal static class TestModels
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>The shipped model, copied next to the server (and so the tests) by the build.</summary>
    public static string Shipped => Path.Combine(AppContext.BaseDirectory, "artifacts", "model.onnx");

    public static string Directory { get; } = CreateDirectory();

    public static ModelCard Card(double threshold = 0.5) => new()
    {
        SchemaVersion = FeatureSchema.Version,
        Learner = "TinyLogistic",
        Hyperparameters = new Dictionary<string, string> { ["weight"] = "0.1" },
        Threshold = threshold,
        NestedCv = new CrossValidatedCost(0.5, 0.45, 0.55, 0.78, 5, 2),
        TrainingRows = 1000,
        TrainingDataSha256 = new string('0', 64),
        Seed = 1,
        ReferenceApplicant = Applicant.Example with { DurationMonths = 6, CheckingAccount = "none" },
    };

    /// <summary>A valid model with the schema's 20 inputs where PD = sigmoid(0.1 · durationMonths − 2).</summary>
    public static byte[] Tiny(
        IEnumerable<(string Name, bool IsString)>? inputs = null,
        string output = ModelMetadataKeys.ProbabilityOutput,
        IReadOnlyDictionary<string, string>? metadata = null) =>
        TinyOnnx.Build(
            inputs ?? FeatureSchema.All.Select(f => (f.Name, f.IsCategorical)),
            "durationMonths",
            output,
            metadata ?? CardMetadata(Card()));

    /// <summary>A tiny model with the right inputs and card whose graph is changed (see <see cref="TinyOnnx.Build"/>).</summary>
    public static byte[] TinyWith(
        float weight = 0.1f, float bias = -2f, string activation = "Sigmoid", float? scale = null, bool twoColumns = false, string[]? outputShape = null, string? cardJson = null, bool flatten = false) =>
        TinyOnnx.Build(
            FeatureSchema.All.Select(f => (f.Name, f.IsCategorical)),
            "durationMonths",
            ModelMetadataKeys.ProbabilityOutput,
            cardJson is null ? CardMetadata(Card()) : new Dictionary<string, string> { [ModelMetadataKeys.ModelCard] = cardJson },
            weight, bias, activation, scale, twoColumns, outputShape, flatten);

    public static string CardJson(ModelCard card) => JsonSerializer.Serialize(card, Json);

    private static Dictionary<string, string> CardMetadata(ModelCard card) =>
        new() { [ModelMetadataKeys.ModelCard] = CardJson(card) };

    public static string Write(string name, byte[] bytes)
    {
        var path = Path.Combine(Directory, name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    private static string CreateDirectory()
    {
        var path = Path.Combine(Path.GetTempPath(), "creditrisk-tests-" + Environment.ProcessId);
        System.IO.Directory.CreateDirectory(path);
        return path;
    }
}
