using System.Globalization;
using Serilog;
using Serilog.Configuration;
using Serilog.Formatting.Compact;

namespace CreditRisk.Server.Hosting;

public static class Logging
{
    /// <summary>
    /// Serilog on stdout through a non-blocking queue (<see cref="NonBlockingLog"/>), levels from the <c>Serilog</c>
    /// section: readable lines in Development (the <c>dotnet run</c> default, for the person at the terminal), compact
    /// JSON everywhere else (Production and the container, for log collectors). No static logger at all: a bootstrap
    /// logger would be frozen by the first host and break the next, and a static <c>Log.Logger</c> would route every
    /// host's events to whichever host started last (WebApplicationFactory runs several per test run). Sinks
    /// registered in DI are added too, which is how tests capture every log event.
    /// </summary>
    public static WebApplicationBuilder AddServerLogging(this WebApplicationBuilder builder)
    {
        var readable = builder.Environment.IsDevelopment();
        builder.Services.AddSerilog(
            (services, logger) => logger
                .ReadFrom.Configuration(builder.Configuration)
                .ReadFrom.Services(services)
                .Enrich.FromLogContext()
                // "Hosting failed to start" would repeat a busy port with its stack trace on stdout; StartupErrors
                // reports it as one line on stderr instead.
                .Filter.ByExcluding(e => e.Exception is { } exception && StartupErrors.Describe(exception) is not null)
                // A readiness probe during a clean stop is not an error (Draining logs the drain at Information).
                .Filter.ByExcluding(Draining.IsDrainProbeLog)
                // Never blocks a request: a bounded queue in front of stdout, lines beyond it dropped and counted.
                .WriteTo.Sink(new NonBlockingLog.BoundedDispose(LoggerSinkConfiguration.CreateSink(sink => sink.Async(
                    queued =>
                    {
                        if (readable)
                        {
                            queued.Console(outputTemplate: ReadableTemplate, formatProvider: CultureInfo.InvariantCulture);
                        }
                        else
                        {
                            queued.Console(new CompactJsonFormatter());
                        }
                    },
                    bufferSize: NonBlockingLog.BufferSize,
                    blockWhenFull: false,
                    monitor: NonBlockingLog.Monitor)))),
            preserveStaticLogger: true);
        return builder;
    }

    // "{Message:lj}": strings unquoted, so a URL in a message can be clicked in the terminal.
    private const string ReadableTemplate = "[{Timestamp:HH:mm:ss} {Level:u3}] {Message:lj} <{SourceContext}>{NewLine}{Exception}";

    /// <summary>P(bad) rounded down to a tenth, e.g. "0.1-0.2": enough to watch the score mix without logging scores.</summary>
    public static string Bucket(double probability)
    {
        var tenth = Math.Clamp((int)(probability * 10), 0, 9);
        return Buckets[tenth];
    }

    private static readonly string[] Buckets =
        [.. Enumerable.Range(0, 10).Select(i => $"{i / 10.0:0.0}-{(i + 1) / 10.0:0.0}")];
}
