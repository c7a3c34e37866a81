using System.ComponentModel.DataAnnotations;

namespace CreditRisk.Server.Model;

/// <summary>Where the ONNX model lives. Section <c>Model</c>.</summary>
public sealed class ModelOptions
{
    public const string Section = "Model";

    /// <summary>Path of the ONNX file; a relative path is resolved against the app's base directory, where the build copies the shipped model.</summary>
    [Required(AllowEmptyStrings = false)]
    public string Path { get; set; } = "artifacts/german-credit/model.onnx";

    public string ResolvedPath => System.IO.Path.GetFullPath(Path, AppContext.BaseDirectory);
}
