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
}
