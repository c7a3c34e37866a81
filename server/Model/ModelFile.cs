using System.Text.Json;
using CreditRisk.Contracts;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using OrtSessionOptions = Microsoft.ML.OnnxRuntime.SessionOptions;

namespace CreditRisk.Server.Model;

/// <summary>
/// A model file opened and verified before anything is served from it: an ONNX graph whose inputs and output match
/// the data set spec in its card, a card this server reads, a version (the hash of graph and card) recomputed from the
/// very bytes the session is built from, and a reference and an example applicant within the spec. A file that fails
/// any check is a <see cref="ModelLoadException"/> naming the file and the problem. The session it opens is handed to
/// <see cref="CreditModel"/>, which owns it.
/// </summary>
public sealed class ModelFile
{
    private static readonly JsonSerializerOptions CardJson = new(JsonSerializerDefaults.Web);

    private readonly InferenceSession _session;

    private ModelFile(string path, InferenceSession session, byte[] bytes)
    {
        Path = path;
        _session = session;
        Card = ReadCard(path);
        // Recomputed from the very bytes the session is built from, so the version always names what is served.
        Version = VerifiedVersion(path, bytes);
        Provenance = ReadProvenance(path);
        Spec = Card.Dataset;
        Features = Spec.Features;
        Inputs = [.. Spec.Inputs.Select(Spec.IndexOf)];
        InputNames = CheckInputs(path);
        OutputNames = [CheckProbabilityOutput(path)];
        Reference = CheckedRow(path, "reference applicant", Card.ReferenceApplicant, inputsOnly: true);
        Example = CheckedRow(path, "example applicant", Card.ExampleApplicant, inputsOnly: false);
    }

    /// <summary>Opens and verifies the file at <paramref name="path"/>; the caller owns <see cref="Session"/> (disposed here only when a check fails).</summary>
    public static ModelFile Open(string path, OrtSessionOptions options)
    {
        ModelChecks.RefuseDirectory(path);
        if (!File.Exists(path))
        {
            throw new ModelLoadException(path, "file not found (set Model:Path or Model__Path)");
        }

        var bytes = File.ReadAllBytes(path);
        InferenceSession session;
        try
        {
            session = new InferenceSession(bytes, options);
        }
        catch (OnnxRuntimeException e)
        {
            throw new ModelLoadException(path, $"not a valid ONNX model ({bytes.Length} bytes): {e.Message}", e);
        }

        try
        {
            return new ModelFile(path, session, bytes);
        }
        catch
        {
            session.Dispose();
            throw;
        }
    }

    /// <summary>
    /// The graph's decision outputs (docs/economics.md) must be those the card records, and on the example and reference
    /// applicants they must give the threshold, loss and margin the card's spec computes (<see cref="LoanEconomics"/>)
    /// and the decision "not (PD &gt; threshold)". A card written before the graph carried the decision, with a graph
    /// that has none, passes: such a model decides on the card's threshold alone.
    /// </summary>
    public void CheckEconomics()
    {
        if (ModelChecks.CheckEconomicsOutputs(Card, _session.OutputMetadata) is { } problem)
        {
            throw new ModelLoadException(Path, problem);
        }

        if (Card.Economics is null)
        {
            return;
        }

        ApplicantRow[] rows = [Example, Reference];
        var feeds = new List<NamedOnnxValue>();
        foreach (var position in Inputs)
        {
            var f = Features[position];
            feeds.Add(f.IsCategory
                ? NamedOnnxValue.CreateFromTensor(f.Name, new DenseTensor<string>(rows.Select(r => r.Categories[position] ?? "").ToArray(), [rows.Length, 1]))
                : NamedOnnxValue.CreateFromTensor(f.Name, new DenseTensor<float>(rows.Select(r => r.Numbers[position]).ToArray(), [rows.Length, 1])));
        }

        using var results = _session.Run(feeds, ModelMetadataKeys.Outputs);
        float[] Floats(string name) => [.. results.Single(r => r.Name == name).AsEnumerable<float>()];
        var probe = new EconomicsProbe(
            Floats(ModelMetadataKeys.ProbabilityOutput), Floats(ModelMetadataKeys.ThresholdOutput),
            [.. results.Single(r => r.Name == ModelMetadataKeys.ApproveOutput).AsEnumerable<bool>()],
            Floats(ModelMetadataKeys.LossOutput), Floats(ModelMetadataKeys.MarginOutput), Floats(ModelMetadataKeys.ExpectedProfitOutput));
        if (ModelChecks.CheckEconomicsValues(Card, rows, probe) is { } disagreement)
        {
            throw new ModelLoadException(Path, disagreement);
        }
    }

    public InferenceSession Session => _session;

    public string Path { get; }

    public string Version { get; }

    public Provenance Provenance { get; }

    public ModelCard Card { get; }

    public DatasetSpec Spec { get; }

    public IReadOnlyList<FeatureSpec> Features { get; }

    /// <summary>The spec positions of the model inputs, in spec order (the ONNX inputs).</summary>
    public int[] Inputs { get; }

    public string[] InputNames { get; }

    public string[] OutputNames { get; }

    public ApplicantRow Reference { get; }

    public ApplicantRow Example { get; }

    private string[] CheckInputs(string path)
    {
        var metadata = _session.InputMetadata;
        var problems = new List<string>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var feature in Inputs.Select(p => Features[p]))
        {
            names.Add(feature.Name);
            var expected = feature.IsCategory ? TensorElementType.String : TensorElementType.Float;
            if (!metadata.TryGetValue(feature.Name, out var input))
            {
                problems.Add($"missing input '{feature.Name}'");
            }
            else if (!input.IsTensor || input.ElementDataType != expected)
            {
                problems.Add($"input '{feature.Name}' must be a {expected} tensor");
            }
            else if (input.Dimensions is not [_, 1 or -1])
            {
                problems.Add($"input '{feature.Name}' must have shape [N,1] (has [{string.Join(",", input.Dimensions)}])");
            }
        }

        foreach (var name in metadata.Keys.Where(n => !names.Contains(n)))
        {
            problems.Add($"unexpected input '{name}'");
        }

        if (problems.Count > 0)
        {
            throw new ModelLoadException(path, "inputs do not match the data set spec's features: " + string.Join("; ", problems));
        }

        return [.. Inputs.Select(p => Features[p].Name)];
    }

    private string CheckProbabilityOutput(string path)
    {
        var name = ModelMetadataKeys.ProbabilityOutput;
        if (!_session.OutputMetadata.TryGetValue(name, out var output))
        {
            throw new ModelLoadException(path,
                $"no output '{name}' (outputs: {string.Join(", ", _session.OutputMetadata.Keys)})");
        }

        if (!output.IsTensor || output.ElementDataType != TensorElementType.Float)
        {
            throw new ModelLoadException(path, $"output '{name}' must be a float tensor");
        }

        if (ModelChecks.CheckOutputShape(name, output) is { } shape)
        {
            throw new ModelLoadException(path, shape);
        }

        return name;
    }

    /// <summary>
    /// The version the file claims (<see cref="ModelMetadataKeys.ContentHash"/> and the ONNX model_version field), checked
    /// against a recomputation: any edit of the card or the graph after export makes them differ, and is refused.
    /// </summary>
    private string VerifiedVersion(string path, byte[] bytes)
    {
        var metadata = _session.ModelMetadata;
        if (!metadata.CustomMetadataMap.TryGetValue(ModelMetadataKeys.ContentHash, out var claimed))
        {
            throw new ModelLoadException(path, $"metadata '{ModelMetadataKeys.ContentHash}' is missing; export the model with the trainer");
        }

        string actual;
        try
        {
            actual = ModelIdentity.Of(bytes, metadata.CustomMetadataMap[ModelMetadataKeys.ModelCard]);
        }
        catch (FormatException e)
        {
            throw new ModelLoadException(path, $"cannot read the ONNX graph to verify '{ModelMetadataKeys.ContentHash}': {e.Message}", e);
        }

        if (claimed != actual || metadata.Version != ModelIdentity.AsOnnxModelVersion(actual))
        {
            throw new ModelLoadException(path,
                $"'{ModelMetadataKeys.ContentHash}' is {claimed} but the graph and card hash to {actual}: the file was edited after export; retrain or restore it");
        }

        return actual;
    }

    private Provenance ReadProvenance(string path)
    {
        if (!_session.ModelMetadata.CustomMetadataMap.TryGetValue(ModelMetadataKeys.Provenance, out var json))
        {
            return Provenance.Unknown;
        }

        try
        {
            return JsonSerializer.Deserialize<Provenance>(json, CardJson) ?? Provenance.Unknown;
        }
        catch (JsonException e)
        {
            throw new ModelLoadException(path, $"metadata '{ModelMetadataKeys.Provenance}' is not provenance JSON: {e.Message}", e);
        }
    }

    private ModelCard ReadCard(string path)
    {
        var metadata = _session.ModelMetadata.CustomMetadataMap;
        if (!metadata.TryGetValue(ModelMetadataKeys.ModelCard, out var json))
        {
            throw new ModelLoadException(path, $"metadata '{ModelMetadataKeys.ModelCard}' is missing");
        }

        ModelCard? card;
        try
        {
            card = JsonSerializer.Deserialize<ModelCard>(json, CardJson);
        }
        catch (JsonException e)
        {
            throw new ModelLoadException(path, $"metadata '{ModelMetadataKeys.ModelCard}' is not a model card: {e.Message}", e);
        }

        if (card is null)
        {
            throw new ModelLoadException(path, $"metadata '{ModelMetadataKeys.ModelCard}' is empty");
        }

        if (ModelChecks.CheckCard(card) is { } nonsense)
        {
            throw new ModelLoadException(path, nonsense);
        }

        if (card.CardVersion != ModelCard.CurrentVersion)
        {
            throw new ModelLoadException(path,
                $"model card version {card.CardVersion} is not the version this server reads ({ModelCard.CurrentVersion}); retrain or use a matching server");
        }

        if (card.Dataset is null)
        {
            throw new ModelLoadException(path, $"metadata '{ModelMetadataKeys.ModelCard}' has no dataset spec");
        }

        var problems = DatasetSpecRules.Check(card.Dataset);
        if (problems.Count > 0)
        {
            throw new ModelLoadException(path, "the card's dataset spec is not valid: " + string.Join("; ", problems));
        }

        if (!(card.Threshold is > 0 and < 1))
        {
            throw new ModelLoadException(path, $"decision threshold {card.Threshold} is not within (0, 1)");
        }

        return card;
    }

    /// <summary>A request-shaped applicant (e.g. a golden row's input) as the model holds it; refuses values outside the spec.</summary>
    public ApplicantRow ReadRow(string what, IReadOnlyDictionary<string, JsonElement> values) =>
        CheckedRow(Path, what, values, inputsOnly: false);

    private ApplicantRow CheckedRow(string path, string what, IReadOnlyDictionary<string, JsonElement>? values, bool inputsOnly)
    {
        var row = new ApplicantRow(Features.Count);
        var bad = new List<string>();
        values ??= new Dictionary<string, JsonElement>();
        for (var p = 0; p < Features.Count; p++)
        {
            var feature = Features[p];
            if (feature.IsCarried || (inputsOnly && feature.Role != FeatureRole.Feature))
            {
                continue;
            }

            if (!values.TryGetValue(feature.Name, out var value))
            {
                if (feature.Role == FeatureRole.Feature)
                {
                    bad.Add($"{feature.Name} (absent)");
                }

                continue;
            }

            if (TryRead(feature, value, out row.Categories[p], out row.Numbers[p]) is { } rule)
            {
                bad.Add($"{feature.Name} ({rule})");
            }
        }

        foreach (var name in values.Keys.Where(n => Spec.Find(n) is null))
        {
            bad.Add($"{name} (not in the spec)");
        }

        return bad.Count == 0 ? row : throw new ModelLoadException(path, $"{what} has values outside the spec: {string.Join(", ", bad)}");
    }

    /// <summary>
    /// Reads a request-shaped value (string for a category, number for a number, null = missing) as the model holds
    /// it. Returns the rule broken, or null. Categories come back as the spec's own instance of the value.
    /// </summary>
    private static string? TryRead(FeatureSpec feature, JsonElement value, out string? category, out float number)
    {
        category = null;
        number = float.NaN;
        if (value.ValueKind == JsonValueKind.Null)
        {
            return feature.MayBeMissing || feature.Role != FeatureRole.Feature ? null : "may not be missing";
        }

        if (feature.IsCategory)
        {
            if (value.ValueKind == JsonValueKind.String)
            {
                var text = value.GetString();
                foreach (var v in feature.Values)
                {
                    if (v.Value == text)
                    {
                        category = v.Value;
                        return null;
                    }
                }
            }

            return "is not one of the listed values";
        }

        if (feature.IsNumber && value.ValueKind == JsonValueKind.Number && value.TryGetDouble(out var d) && feature.Accepts(d))
        {
            number = (float)d;
            return null;
        }

        return feature.IsNumber ? feature.NumberRule() : null;
    }
}
