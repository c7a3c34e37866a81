using System.ComponentModel.DataAnnotations;

namespace CreditRisk.Server.Challenger;

/// <summary>How the challenger (Model:ChallengerPath) is scored in shadow and compared. Section <c>Challenger</c>.</summary>
public sealed class ChallengerOptions
{
    public const string Section = "Challenger";

    /// <summary>Responses waiting for the challenger; when it is full a response's applicants are dropped (counted), never waited for.</summary>
    [Range(1, 1_000_000)]
    public int QueueLimit { get; set; } = 1024;

    /// <summary>Most applicants the challenger scores in one ONNX Runtime run (and writes in one transaction).</summary>
    [Range(1, 10_000)]
    public int MaxRowsPerRun { get; set; } = 512;

    /// <summary>The comparison reads the latest this many decisions that both models scored.</summary>
    [Range(1, 1_000_000)]
    public int WindowDecisions { get; set; } = 10_000;

    /// <summary>The Prometheus gauges of the comparison are recomputed by the shadow worker at most this often (and on each GET).</summary>
    [Range(1, 86_400)]
    public int GaugeRefreshSeconds { get; set; } = 60;

    /// <summary>Promotion's first check (docs/monitoring.md, runbook): at least this many matured pairs ("a few hundred").</summary>
    [Range(2, 1_000_000)]
    public int PromoteMinMatured { get; set; } = 300;

    /// <summary>Promotion's calibration check: on the matured pairs, the challenger's mean PD and the observed default
    /// rate differ by at most this much (calibration in the large).</summary>
    [Range(0.0, 1.0)]
    public double PromoteMaxCalibrationGap { get; set; } = 0.05;
}
