using System.Diagnostics;
using CreditRisk.Contracts;

namespace CreditRisk.Trainer;

/// <summary>
/// The git commit the trainer runs from, its date and whether the tree was dirty: the model's provenance, without a
/// wall-clock time that would make two runs of the same commit differ. All null outside a git checkout (or without git).
/// </summary>
public static class SourceCommit
{
    /// <summary>
    /// The provenance of a model written to <paramref name="output"/>. Changes to tracked files make the tree dirty,
    /// except under the output folder: a retrain rewrites its own artifacts (and the nested-CV cache it reads).
    /// </summary>
    public static Provenance ProvenanceOf(string output)
    {
        if (Hash is null)
        {
            return Provenance.Unknown;
        }

        var top = Git("rev-parse", "--show-toplevel");
        var full = Path.GetFullPath(output);
        string[] status = ["status", "--porcelain", "--untracked-files=no"];
        if (top is not null && full.StartsWith(Path.GetFullPath(top) + Path.DirectorySeparatorChar, StringComparison.Ordinal))
        {
            status = [.. status, "--", ".", $":(exclude,top){Path.GetRelativePath(top, full)}"];
        }

        return new Provenance(Hash, Date, Git(status) is not null);
    }

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
