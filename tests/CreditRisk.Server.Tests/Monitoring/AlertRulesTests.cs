using System.Globalization;
using System.Text.RegularExpressions;
using CreditRisk.Contracts;

namespace CreditRisk.Server.Tests.Monitoring;

/// <summary>
/// The alert rules (deploy/prometheus/alerts.yml) against the code and the docs: promtool tests what the rules do; these
/// tests keep them reading the documented gauges and cutting PSI where <see cref="Psi"/> draws the "act" band.
/// </summary>
public sealed partial class AlertRulesTests
{
    // The rules without their comments (which also name gauges the server exports today).
    private static readonly string Rules = string.Join('\n', File.ReadLines(Path.Combine(Paths.RepoRoot, "deploy", "prometheus", "alerts.yml"))
        .Where(line => !line.TrimStart().StartsWith('#')));
    private static readonly string Docs = File.ReadAllText(Path.Combine(Paths.RepoRoot, "docs", "monitoring.md"));

    [GeneratedRegex(@"\bcreditrisk_[a-z0-9_]+")]
    private static partial Regex MetricName();

    [GeneratedRegex(@"creditrisk_(?:pd_)?psi > ([0-9.]+)")]
    private static partial Regex PsiCut();

    [Fact]
    public void Every_gauge_the_rules_read_is_in_the_documented_metric_contract()
    {
        var read = MetricName().Matches(Rules).Select(m => m.Value).Distinct().ToArray();

        Assert.Contains("creditrisk_psi", read);
        Assert.Contains("creditrisk_realised_cost_per_applicant", read);
        Assert.All(read, name => Assert.Contains($"| `{name}` |", Docs));
    }

    [Fact]
    public void The_drift_alerts_cut_where_the_act_band_starts()
    {
        var cuts = PsiCut().Matches(Rules).Select(m => double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture)).ToArray();

        Assert.Equal(2, cuts.Length); // input drift and PD drift
        Assert.All(cuts, cut => Assert.Equal(Psi.ActAbove, cut));
    }
}
