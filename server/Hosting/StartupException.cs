namespace CreditRisk.Server.Hosting;

/// <summary>
/// Something an operator can fix that stops start-up (a model file, a decision store): <see cref="StartupErrors"/>
/// prints <see cref="Line"/> on stderr and exits 1. Each feature states its own line; Hosting needs to know none of them.
/// </summary>
public abstract class StartupException(string message, Exception? inner) : Exception(message, inner)
{
    /// <summary>One line naming what to fix.</summary>
    public abstract string Line { get; }

    protected static string OneLine(string text) => text.ReplaceLineEndings(" ").Trim();
}
