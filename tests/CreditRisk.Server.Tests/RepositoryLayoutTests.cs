using CreditRisk.Server.Model;

namespace CreditRisk.Server.Tests;

/// <summary>How a model repository folder is read (docs/model-lifecycle.md): Triton's layout, the newest numbered version served.</summary>
public sealed class RepositoryLayoutTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("creditrisk-layout-").FullName;

    [Fact]
    public void The_highest_numbered_version_is_served_and_other_folders_are_not_versions()
    {
        Touch("a/model.onnx");            // unnumbered: served while a has no numbered version
        Touch("b/model.onnx");
        Touch("b/2/model.onnx");
        Touch("b/10/model.onnx");         // numbers compare as numbers: 10 > 2
        Touch("b/challenger/model.onnx"); // not a version
        Touch("b/11/golden.json");        // no model file: not a version
        Touch("c/challenger/model.onnx"); // no version at all: not a model
        Touch(".staging-x/model.onnx");   // a deployment's staging folder
        Touch("bad name/1/model.onnx");   // not a model name

        var entries = ModelRepository.Scan(_root);
        Assert.Equal(["a", "b"], entries.Select(e => e.Name));
        Assert.Equal(("", Path.Combine(_root, "a", "model.onnx")), (entries[0].FolderName, entries[0].Path));
        Assert.Equal(("10", Path.Combine(_root, "b", "10", "model.onnx")), (entries[1].FolderName, entries[1].Path));
        Assert.Null(ModelRepository.Find(_root, "c"));
        Assert.Null(ModelRepository.Find(_root, "../b"));
    }

    [Fact]
    public void A_repository_that_is_not_a_folder_is_refused_naming_the_setting()
    {
        var e = Assert.Throws<ModelLoadException>(() => ModelRepository.Scan(Path.Combine(_root, "missing")));
        Assert.Contains("Model:Repository", e.Message, StringComparison.Ordinal);
    }

    private void Touch(string relative)
    {
        var path = Path.Combine(_root, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, "");
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);
}
