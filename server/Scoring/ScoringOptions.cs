using System.ComponentModel.DataAnnotations;
using CreditRisk.Contracts;

namespace CreditRisk.Server.Scoring;

/// <summary>How requests are scored. Section <c>Scoring</c>.</summary>
public sealed class ScoringOptions : IValidatableObject
{
    public const string Section = "Scoring";

    /// <summary>Most applicants one POST /api/v1/score/batch may carry; more is refused with 413.</summary>
    [Range(1, 100_000)]
    public int MaxBatchSize { get; set; } = 1000;

    /// <summary>Most applicant rows one text/csv POST /api/v1/score/batch may carry; more is refused with 413. Scored in chunks of MaxBatchSize.</summary>
    [Range(1, 10_000_000)]
    public int MaxCsvRows { get; set; } = 100_000;

    /// <summary>Largest text/csv body accepted, in bytes (the JSON limit is Limits:MaxRequestBodyBytes); spooled to a temporary file, not memory.</summary>
    [Range(1024, 1L << 32)]
    public long MaxCsvBytes { get; set; } = 32L * 1024 * 1024;

    /// <summary>
    /// Disk all text/csv uploads being spooled may hold between them; an upload that would go beyond it → 503 with
    /// Retry-After. Four full files (Scoring:MaxCsvBytes), as many as the default Limits:MaxConcurrentBatches lets
    /// spool at once. At least MaxCsvBytes, so a file of the largest size can always be taken.
    /// </summary>
    [Range(1024, 1L << 40)]
    public long MaxCsvSpoolBytes { get; set; } = 4 * 32L * 1024 * 1024;

    /// <summary>Time budget of one text/csv batch, upload to last row written (it replaces Limits:RequestTimeoutSeconds for that request).</summary>
    [Range(1, 3600)]
    public int CsvTimeoutSeconds { get; set; } = 120;

    /// <summary>Compute adverse-action reasons for rejects. Off saves the 20 extra model rows per applicant (benchmarks compare both).</summary>
    public bool Reasons { get; set; } = true;

    /// <summary>How many reasons a reject carries at most (Regulation B practice caps it at <see cref="Reason.MaxPerReject"/>).</summary>
    [Range(1, Reason.MaxPerReject)]
    public int MaxReasons { get; set; } = Reason.MaxPerReject;

    /// <summary>
    /// Dynamic batching of single scores (<see cref="RunCoalescer"/>): most rows (applicants and rejects' reason
    /// variants) gathered into one model run while every core is busy, which bounds a queued request's added wait to one
    /// run in progress plus one run of this many rows. 0 = every request runs alone.
    /// </summary>
    [Range(0, 10_000)]
    public int CoalesceMaxRows { get; set; } = 64;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (MaxCsvSpoolBytes < MaxCsvBytes)
        {
            yield return new ValidationResult(
                $"Scoring:MaxCsvSpoolBytes ({MaxCsvSpoolBytes}) must be at least Scoring:MaxCsvBytes ({MaxCsvBytes}), or a file of the largest size could never be taken",
                [nameof(MaxCsvSpoolBytes)]);
        }
    }
}
