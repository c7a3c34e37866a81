// Serial on purpose: a fresh-clone CI run crashed the test host (a native fault, no managed stack) while a whole
// trainer run overlapped the ONNX export tests of another collection; ML.NET's native learners and the converter are
// not proven safe to run side by side in one process. The suite takes about a minute either way.
[assembly: CollectionBehavior(DisableTestParallelization = true)]

namespace CreditRisk.Trainer.Tests;

internal static class Paths
{
    /// <summary>The repository root: the folder holding CreditRisk.sln above the test binaries.</summary>
    public static string Root { get; } = Find();

    private static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "CreditRisk.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("CreditRisk.sln not found above " + AppContext.BaseDirectory);
    }
}

/// <summary>Tests that run a whole trainer command share one collection: its progress display is console-wide and exclusive.</summary>
[CollectionDefinition(Name)]
public sealed class TrainerRuns
{
    public const string Name = "trainer runs";
}
