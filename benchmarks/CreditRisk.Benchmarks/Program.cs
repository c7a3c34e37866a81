using System.Globalization;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using CreditRisk.Benchmarks;

// Runs in process by default (no generated project to build: reliable on a small shared box); pass --outOfProcess
// to let BenchmarkDotNet build and run each benchmark in its own process instead. Any BenchmarkDotNet option works,
// e.g. --filter '*Batch*' or --job short for a quick run. --ort-profile [rows] prints ONNX Runtime's per-operator time instead.
if (args.Contains("--ort-profile"))
{
    var at = Array.IndexOf(args, "--ort-profile");
    OrtProfile.Run(at + 1 < args.Length && int.TryParse(args[at + 1], CultureInfo.InvariantCulture, out var rows) ? rows : 1);
    return;
}

var outOfProcess = args.Contains("--outOfProcess");
args = [.. args.Where(a => a != "--outOfProcess")];
if (!outOfProcess && !args.Contains("--inProcess") && !args.Contains("-i"))
{
    args = [.. args, "--inProcess"];
}

var config = DefaultConfig.Instance
    .AddColumn(new RowsPerSecondColumn())
    .WithSummaryStyle(SummaryStyle.Default.WithMaxParameterColumnWidth(20));
BenchmarkSwitcher.FromAssembly(typeof(SingleScore).Assembly).Run(args, config);

/// <summary>Rows scored per second: the Rows parameter (1 when absent) over the mean time of one call.</summary>
internal sealed class RowsPerSecondColumn : IColumn
{
    public string Id => "RowsPerSecond";
    public string ColumnName => "Rows/s";
    public bool AlwaysShow => true;
    public ColumnCategory Category => ColumnCategory.Custom;
    public int PriorityInCategory => 0;
    public bool IsNumeric => true;
    public UnitType UnitType => UnitType.Dimensionless;
    public string Legend => "Rows scored per second (Rows parameter, or 1, divided by Mean)";

    public string GetValue(Summary summary, BenchmarkDotNet.Running.BenchmarkCase benchmarkCase)
    {
        var stats = summary[benchmarkCase]?.ResultStatistics;
        if (stats is null || stats.Mean <= 0)
        {
            return "NA";
        }

        var rows = benchmarkCase.Parameters.Items.FirstOrDefault(p => p.Name == "Rows")?.Value is int n ? n : 1;
        return (rows / (stats.Mean / 1e9)).ToString("N0", CultureInfo.InvariantCulture);
    }

    public string GetValue(Summary summary, BenchmarkDotNet.Running.BenchmarkCase benchmarkCase, SummaryStyle style) =>
        GetValue(summary, benchmarkCase);

    public bool IsAvailable(Summary summary) => true;
    public bool IsDefault(Summary summary, BenchmarkDotNet.Running.BenchmarkCase benchmarkCase) => false;
}
