using System.ComponentModel.DataAnnotations;

namespace CreditRisk.Server.Monitoring;

/// <summary>The monitoring window and how often it is recomputed. Section <c>Monitoring</c>.</summary>
public sealed class MonitoringOptions
{
    public const string Section = "Monitoring";

    /// <summary>The window holds at most this many of the model's latest decisions.</summary>
    [Range(1, 1_000_000)]
    public int WindowDecisions { get; set; } = 10_000;

    /// <summary>…made in the last this many days; 0 = however old.</summary>
    [Range(0, 36_500)]
    public int WindowDays { get; set; } = 90;

    /// <summary>The figures are computed at most once per this many seconds and served from a cache in between, so a
    /// busy dashboard or a scrape every few seconds costs one store read per period.</summary>
    [Range(1, 86_400)]
    public int RefreshSeconds { get; set; } = 60;

    /// <summary>Below this many matured outcomes the outcome figures (realised cost, AUC, calibration, cost over time,
    /// the challenger's paired difference) are noise, not fact: the report states the minimum and the page says "too few
    /// outcomes" instead of a figure. 30 keeps a proportion's 95 % interval within about ±18 points.</summary>
    [Range(1, 1_000_000)]
    public int MinOutcomes { get; set; } = 30;

    /// <summary>A group of a protected attribute with fewer decisions than this is suppressed: no approval rate, no
    /// adverse-impact ratio, and it is not the best group the ratio divides by (issue 32: a handful of decisions is noise,
    /// and its rate comes close to telling those applicants' decisions). The same default as the fairness report.</summary>
    [Range(1, 1_000_000)]
    public int MinGroupSize { get; set; } = 30;
}
