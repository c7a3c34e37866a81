using System.Text.Json.Nodes;

namespace CreditRisk.Server.Tests;

public sealed class SupplyChainTests
{
    /// <summary>The server serves the ONNX file with ONNX Runtime only; ML.NET must not creep in, even transitively.</summary>
    [Fact]
    public void Server_package_graph_has_no_MLNET()
    {
        var assets = JsonNode.Parse(File.ReadAllText(Path.Combine(Paths.RepoRoot, "server", "obj", "project.assets.json")))!;
        var packages = assets["libraries"]!.AsObject()
            .Where(l => (string?)l.Value!["type"] == "package")
            .Select(l => l.Key.Split('/')[0])
            .ToList();

        Assert.Contains("Microsoft.ML.OnnxRuntime", packages);
        var mlNet = packages
            .Where(p => p.StartsWith("Microsoft.ML", StringComparison.OrdinalIgnoreCase))
            .Where(p => !p.StartsWith("Microsoft.ML.OnnxRuntime", StringComparison.OrdinalIgnoreCase))
            .ToList();
        Assert.Empty(mlNet);
    }

    /// <summary>
    /// One ONNX Runtime across .NET, Node and the browser: the version the server restores is the one package.json pins
    /// for onnxruntime-node and onnxruntime-web, so a model proven in one runs in the same runtime in the others.
    /// npm serves no 1.31 release of either, so all three are on 1.30.0 (docs/polyglot.md).
    /// </summary>
    [Fact]
    public void Dotnet_node_and_browser_use_one_onnx_runtime_version()
    {
        var assets = JsonNode.Parse(File.ReadAllText(Path.Combine(Paths.RepoRoot, "server", "obj", "project.assets.json")))!;
        var restored = assets["libraries"]!.AsObject()
            .Select(l => l.Key.Split('/'))
            .Single(k => k[0] == "Microsoft.ML.OnnxRuntime")[1];
        var npm = JsonNode.Parse(File.ReadAllText(Path.Combine(Paths.RepoRoot, "package.json")))!["devDependencies"]!;
        Assert.Equal(restored, (string)npm["onnxruntime-node"]!);
        Assert.Equal(restored, (string)npm["onnxruntime-web"]!);
    }
}
