namespace CreditRisk.Reliability.Tests;

/// <summary>The server's build output, copied next to the tests with the shipped model (a project reference).</summary>
internal static class BuiltServer
{
    public static string Dll => Path.Combine(AppContext.BaseDirectory, "CreditRisk.Server.dll");

    /// <summary>The setting that makes the server serve a shipped data set's model (artifacts/&lt;dataset&gt;/model.onnx).</summary>
    public static Dictionary<string, string> Serving(string dataset) =>
        new() { ["Model__Path"] = Path.Combine(AppContext.BaseDirectory, "artifacts", dataset, "model.onnx") };

    public static CreditRisk.Contracts.DatasetSpec Spec(string dataset) =>
        CreditRisk.Contracts.DatasetSpec.Load(Path.Combine(RepoRoot(), "data", dataset, "dataset.json"));

    /// <summary>A shipped model's example applicant, from its sidecar card.</summary>
    public static IReadOnlyDictionary<string, System.Text.Json.JsonElement> Example(string dataset) =>
        System.Text.Json.JsonSerializer.Deserialize<CreditRisk.Contracts.ModelCard>(
            File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "artifacts", dataset, "model.json")),
            CardJson)!.ExampleApplicant;

    private static readonly System.Text.Json.JsonSerializerOptions CardJson = new(System.Text.Json.JsonSerializerDefaults.Web);

    internal static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "CreditRisk.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("CreditRisk.sln not found above " + AppContext.BaseDirectory);
    }
}
