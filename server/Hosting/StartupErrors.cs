using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Options;

namespace CreditRisk.Server.Hosting;

/// <summary>
/// What an operator can fix (a setting, the model file, a busy port) is reported as one line on stderr naming it, and
/// the process exits 1, wherever in start-up it surfaces: options are first read when the host is built (Kestrel's),
/// when the model loads, and when the server binds. Anything else is a bug and keeps its stack trace.
/// </summary>
public static class StartupErrors
{
    public const int ExitCode = 1;

    /// <summary>The one line for an operator's mistake; null for anything else.</summary>
    public static string? Describe(Exception exception) => exception switch
    {
        StartupException e => e.Line,
        // A directory that cannot be created or written (Records:DataFolder).
        UnauthorizedAccessException e => "Decision records: " + OneLine(e.Message),
        OptionsValidationException e => Invalid(e),
        AggregateException e when e.InnerExceptions.Count > 0 && e.InnerExceptions.All(i => Describe(i) is not null) =>
            string.Join(" ", e.InnerExceptions.Select(Describe)),
        // The configuration binder: "Failed to convert configuration value 'abc' at 'Scoring:MaxBatchSize' to type 'System.Int32'."
        InvalidOperationException e when e.Message.StartsWith("Failed to convert configuration value", StringComparison.Ordinal) =>
            "Invalid configuration: " + OneLine(e.Message),
        IOException { InnerException: AddressInUseException } e => "Cannot listen: " + OneLine(e.Message),
        _ => null,
    };

    /// <summary>Writes the line and says so, for <c>catch (Exception e) when (StartupErrors.Report(e))</c>.</summary>
    public static bool Report(Exception exception)
    {
        if (Describe(exception) is not { } line)
        {
            return false;
        }

        Console.Error.WriteLine(line);
        return true;
    }

    private static string Invalid(OptionsValidationException e) =>
        $"Invalid configuration ({e.OptionsType.Name}): " + OneLine(string.Join("; ", e.Failures));

    private static string OneLine(string text) => text.ReplaceLineEndings(" ").Trim();
}
