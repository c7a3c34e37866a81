using System.Text.Json;
using CreditRisk.Contracts;

namespace CreditRisk.Server.Tests;

/// <summary>Model files for tests: the shipped ones (one per data set), and hand-made good and bad ones written to a temp folder.</summary>
internal static class TestModels
{
    public const string German = "german-credit";
    public const string LendingClub = "lending-club";

    /// <summary>Both shipped data sets, for theories that must hold for every model.</summary>
    public static TheoryData<string> Datasets => [German, LendingClub];

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>The default shipped model, copied next to the server (and so the tests) by the build.</summary>
    public static string Shipped => ShippedModel(German);

    public static string ShippedModel(string dataset) => Path.Combine(AppContext.BaseDirectory, "artifacts", dataset, "model.onnx");

    /// <summary>A shipped model's card, from its sidecar model.json (the same JSON as in the ONNX metadata).</summary>
    public static ModelCard ShippedCard(string dataset) =>
        JsonSerializer.Deserialize<ModelCard>(File.ReadAllText(Path.ChangeExtension(ShippedModel(dataset), ".json")), Json)!;

    /// <summary>The modelVersion a shipped model's sidecar names.</summary>
    public static string SidecarVersion(string dataset) =>
        JsonDocument.Parse(File.ReadAllText(Path.ChangeExtension(ShippedModel(dataset), ".json"))).RootElement.GetProperty("modelVersion").GetString()!;

    public static string Directory { get; } = CreateDirectory();

    public static DatasetSpec Spec(string dataset = German) =>
        DatasetSpec.Load(Path.Combine(Paths.RepoRoot, "data", dataset, "dataset.json"));

    /// <summary>
    /// A request-shaped applicant built from the spec alone: the first value of each category and the lower bound
    /// (or 1) of each number, for every attribute but ids. Shifting <paramref name="valueIndex"/> picks other values.
    /// </summary>
    public static Dictionary<string, JsonElement> SpecApplicant(DatasetSpec spec, int valueIndex = 0, bool inputsOnly = false) =>
        spec.Features
            .Where(f => f.Role != FeatureRole.Id && (!inputsOnly || f.Role == FeatureRole.Feature))
            .ToDictionary(f => f.Name, f => f.IsCategory
                ? JsonSerializer.SerializeToElement(f.Values[valueIndex % f.Values.Count].Value)
                : JsonSerializer.SerializeToElement(f.Min ?? 1));

    public static ModelCard Card(DatasetSpec? spec = null, double threshold = 0.5) => new()
    {
        CardVersion = ModelCard.CurrentVersion,
        Dataset = spec ??= Spec(),
        Learner = "TinyLogistic",
        Hyperparameters = new Dictionary<string, string> { ["weight"] = "0.1" },
        Threshold = threshold,
        NestedCv = new CrossValidatedCost(0.5, 0.45, 0.55, 0.78, 5, 2),
        TrainingRows = 1000,
        TrainingDataSha256 = new string('0', 64),
        Seed = 1,
        ReferenceApplicant = SpecApplicant(spec, 0, inputsOnly: true),
        ExampleApplicant = SpecApplicant(spec, 1),
    };

    /// <summary>The first number the model reads: the tiny model's PD is sigmoid(0.1 · it − 2).</summary>
    public static string DrivingInput(DatasetSpec spec) => spec.Inputs.First(f => f.IsNumber).Name;

    /// <summary>A valid model with the spec's inputs where PD = sigmoid(0.1 · <see cref="DrivingInput"/> − 2).</summary>
    public static byte[] Tiny(
        IEnumerable<(string Name, bool IsString)>? inputs = null,
        string output = ModelMetadataKeys.ProbabilityOutput,
        IReadOnlyDictionary<string, string>? metadata = null,
        DatasetSpec? spec = null,
        ModelCard? card = null,
        bool stamp = true)
    {
        spec ??= card?.Dataset ?? Spec();
        return TinyOnnx.Build(
            inputs ?? spec.Inputs.Select(f => (f.Name, f.IsCategory)),
            DrivingInput(spec),
            output,
            metadata ?? CardMetadata(card ?? Card(spec)),
            stamp: stamp);
    }

    /// <summary>A tiny model with the right inputs and card whose graph is changed (see <see cref="TinyOnnx.Build"/>).</summary>
    public static byte[] TinyWith(
        float weight = 0.1f, float bias = -2f, string activation = "Sigmoid", float? scale = null, bool twoColumns = false, string[]? outputShape = null, string? cardJson = null, bool flatten = false)
    {
        var spec = Spec();
        return TinyOnnx.Build(
            spec.Inputs.Select(f => (f.Name, f.IsCategory)),
            DrivingInput(spec),
            ModelMetadataKeys.ProbabilityOutput,
            cardJson is null ? CardMetadata(Card(spec)) : new Dictionary<string, string> { [ModelMetadataKeys.ModelCard] = cardJson },
            weight, bias, activation, scale, twoColumns, outputShape, flatten);
    }

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
