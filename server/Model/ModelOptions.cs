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

    /// <summary>
    /// A model repository in Triton's layout (<c>&lt;repo&gt;/&lt;name&gt;/&lt;version&gt;/model.onnx</c>, or
    /// <c>&lt;repo&gt;/&lt;name&gt;/model.onnx</c> for a model with one unnumbered version, as artifacts/ ships them):
    /// every model in it is served by name (docs/model-lifecycle.md). Empty = <see cref="Path"/> is a repository of one.
    /// </summary>
    public string? Repository { get; set; }

    public string? ResolvedRepository =>
        string.IsNullOrWhiteSpace(Repository) ? null : System.IO.Path.GetFullPath(Repository, AppContext.BaseDirectory);

    /// <summary>The model that answers /api/v1/score, /api/v1/model and the page by default; empty = the one in
    /// <see cref="Path"/> without a repository, else the repository's first model by name.</summary>
    public string? Default { get; set; }

    /// <summary>Poll mode: every this many seconds the repository is read again and each model converges on its newest
    /// version there (a new one loaded, verified and swapped in; a removed one unloaded). 0 = only the repository API.</summary>
    [System.ComponentModel.DataAnnotations.Range(0, 86_400)]
    public int PollSeconds { get; set; }

    /// <summary>Optional second ONNX file scored in shadow beside the served one (champion and challenger,
    /// docs/monitoring.md); it must take the same model inputs. Empty = no challenger.</summary>
    public string? ChallengerPath { get; set; }

    public string? ResolvedChallengerPath =>
        string.IsNullOrWhiteSpace(ChallengerPath) ? null : System.IO.Path.GetFullPath(ChallengerPath, AppContext.BaseDirectory);

    /// <summary>Model runs with an output that is not a probability per row (each answered 503) before readiness turns 503.</summary>
    [System.ComponentModel.DataAnnotations.Range(1, 1_000_000)]
    public int MaxBadOutputs { get; set; } = 10;

    /// <summary>
    /// A run of at least this many rows is split into one ONNX Runtime run per core, run in parallel on the one session
    /// (a 1 000-row batch then uses both cores; singles queue behind it meanwhile). 0 = never split.
    /// </summary>
    [System.ComponentModel.DataAnnotations.Range(0, 1_000_000)]
    public int ParallelRunRows { get; set; } = CreditModel.DefaultParallelRunRows;
}
