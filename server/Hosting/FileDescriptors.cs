using System.Runtime.InteropServices;

namespace CreditRisk.Server.Hosting;

/// <summary>
/// Every connection holds a file descriptor. When the process runs out, Kestrel's accept loop spins on a core while
/// the listen queue fills and even /health/live is unreachable (seen with ~20 000 idle connections). The soft limit is
/// raised to the hard one at start where the OS allows it, and the connection cap is checked against what is left.
/// </summary>
internal static partial class FileDescriptors
{
    /// <summary>Descriptors kept for everything that is not a client connection: the model, logs, sockets to scrapers.</summary>
    public const int Reserve = 256;

    private const int RlimitNofile = 7; // Linux; on other systems the limit is only reported as unknown.

    /// <summary>Raises the soft limit if it is below the hard one, and logs the outcome once. Null where not Linux.</summary>
    public static long? RaiseSoftLimit(ILogger logger)
    {
        if (!OperatingSystem.IsLinux())
        {
            return null;
        }

        try
        {
            if (GetRLimit(RlimitNofile, out var limit) != 0)
            {
                return null;
            }

            var before = limit.Current;
            if (limit.Current < limit.Maximum)
            {
                var raised = limit with { Current = limit.Maximum };
                if (SetRLimit(RlimitNofile, in raised) == 0)
                {
                    limit = raised;
                }
            }

            Log.FileDescriptorLimit(logger, (long)Math.Min(limit.Current, long.MaxValue), (long)Math.Min(before, long.MaxValue), (long)Math.Min(limit.Maximum, long.MaxValue));
            return (long)Math.Min(limit.Current, long.MaxValue);
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return null;
        }
    }

    [StructLayout(LayoutKind.Sequential)]
    private readonly record struct RLimit(ulong Current, ulong Maximum);

    [LibraryImport("libc", EntryPoint = "getrlimit", SetLastError = true)]
    private static partial int GetRLimit(int resource, out RLimit limit);

    [LibraryImport("libc", EntryPoint = "setrlimit", SetLastError = true)]
    private static partial int SetRLimit(int resource, in RLimit limit);
}
