using System.Diagnostics;

namespace CreditRisk.Trainer;

/// <summary>
/// The git commit the trainer runs from and its date: the model's provenance, without a wall-clock time that would
/// make two runs of the same commit differ. Both are null outside a git checkout (or without git).
/// </summary>
public static class SourceCommit
{
    private static readonly Lazy<(string? Hash, string? Date)> Head = new(() =>
    {
        var line = Git("log", "-1", "--format=%H %cI");
        var parts = line?.Split(' ', 2);
        return parts is [var hash, var date] ? (hash, date) : (null, null);
    });

    public static string? Hash => Head.Value.Hash;

    public static string? Date => Head.Value.Date;

    private static string? Git(params string[] args)
    {
        try
        {
            var start = new ProcessStartInfo("git", args)
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
                WorkingDirectory = AppContext.BaseDirectory,
            };
            using var git = Process.Start(start);
            if (git is null)
            {
                return null;
            }

            var output = git.StandardOutput.ReadToEnd().Trim();
            git.WaitForExit();
            return git.ExitCode == 0 && output.Length > 0 ? output : null;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            // git is not installed.
            return null;
        }
    }
}
