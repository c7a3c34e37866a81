using Microsoft.Extensions.Options;
using Prometheus;

namespace CreditRisk.Server.Model;

/// <summary>
/// Counts model runs whose output failed <see cref="ModelChecks.CheckScores"/>. Each is answered 503 and logged at
/// Error; after <see cref="ModelOptions.MaxBadOutputs"/> of them readiness turns 503 so a load balancer stops sending
/// traffic to a model that is evidently wrong, while liveness stays up for someone to look.
/// </summary>
public sealed partial class ModelFaults(IOptions<ModelOptions> options, ILogger<ModelFaults> logger)
{
    private static readonly Counter BadOutputs = Metrics.CreateCounter(
        "creditrisk_model_bad_outputs_total", "Model runs whose output was not one probability in [0, 1] per row (answered 503), by model.", "model");

    private long _count;

    public long Count => Interlocked.Read(ref _count);

    public bool Healthy => Count < options.Value.MaxBadOutputs;

    public void Record(ModelOutputException exception, string path)
    {
        var count = Interlocked.Increment(ref _count);
        BadOutputs.WithLabels(exception.Model).Inc();
        BadOutput(logger, exception.Message, path, count, options.Value.MaxBadOutputs);
    }

    [LoggerMessage(100, LogLevel.Error, "Model output rejected on {Path}: {Problem} (bad outputs so far {Count}; readiness off at {MaxBadOutputs})")]
    private static partial void BadOutput(ILogger logger, string problem, string path, long count, int maxBadOutputs);
}
