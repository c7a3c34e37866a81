using System.Diagnostics;
using Spectre.Console;

namespace CreditRisk.Trainer;

/// <summary>
/// Progress a person can read (issue 31): on a terminal a bar per phase with elapsed time and an ETA; in a log (output
/// redirected) plain lines, one per tenth of the phase or every 30 s at most, with the same figures. Each phase's wall
/// time is kept, so a run ends by saying where its time went.
/// </summary>
public sealed class Progress
{
    private readonly List<(string Phase, double Seconds)> _phases = [];

    public IReadOnlyList<(string Phase, double Seconds)> Phases => _phases;

    /// <summary>Runs a phase of <paramref name="steps"/> steps; <paramref name="work"/> calls the action it is given once per step, from any thread.</summary>
    public T Run<T>(string title, int steps, Func<Action, T> work)
    {
        var clock = Stopwatch.StartNew();
        T result = default!;
        if (!Console.IsOutputRedirected && AnsiConsole.Profile.Capabilities.Interactive)
        {
            AnsiConsole.Progress()
                .AutoClear(false)
                .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn())
                .Start(ctx =>
                {
                    var task = ctx.AddTask(Markup.Escape(title), maxValue: steps);
                    result = work(() => task.Increment(1));
                });
        }
        else
        {
            var done = 0;
            var lastLine = TimeSpan.Zero;
            var gate = new object();
            Console.WriteLine($"{title}: {steps} steps");
            result = work(() =>
            {
                lock (gate)
                {
                    done++;
                    var elapsed = clock.Elapsed;
                    if (done == steps || done * 10 / steps > (done - 1) * 10 / steps || elapsed - lastLine > TimeSpan.FromSeconds(30))
                    {
                        lastLine = elapsed;
                        var eta = TimeSpan.FromSeconds(elapsed.TotalSeconds / done * (steps - done));
                        Console.WriteLine($"{title}: {done}/{steps} ({100.0 * done / steps:F0} %), elapsed {Clock(elapsed)}, ETA {Clock(eta)}");
                    }
                }
            });
        }

        _phases.Add((title, clock.Elapsed.TotalSeconds));
        return result;
    }

    /// <summary>A phase the caller timed itself.</summary>
    public void Add(string phase, double seconds) => _phases.Add((phase, seconds));

    /// <summary>A phase without steps (refit, export, report): timed only.</summary>
    public T Time<T>(string title, Func<T> work)
    {
        var clock = Stopwatch.StartNew();
        var result = work();
        _phases.Add((title, clock.Elapsed.TotalSeconds));
        return result;
    }

    public void Time(string title, Action work) => Time(title, () =>
    {
        work();
        return 0;
    });

    /// <summary>The phases and their share of the run: where the time went.</summary>
    public void Print()
    {
        var total = _phases.Sum(p => p.Seconds);
        var table = new Table().AddColumns("phase", "seconds", "share");
        foreach (var (phase, seconds) in _phases)
        {
            table.AddRow(Markup.Escape(phase), $"{seconds:F1}", $"{seconds / Math.Max(total, 1e-9):P0}");
        }

        AnsiConsole.Write(table);
    }

    private static string Clock(TimeSpan t) => t.TotalHours >= 1 ? t.ToString(@"h\:mm\:ss") : t.ToString(@"m\:ss");
}
