using CreditRisk.Server.Health;
using CreditRisk.Server.Hosting;
using Microsoft.Extensions.Options;

namespace CreditRisk.Server.Records;

public static class RecordsRegistration
{
    /// <summary>The store (PostgreSQL when Records:ConnectionString is set, else SQLite), its group-commit writer, readiness and the retention purge.</summary>
    public static IServiceCollection AddRecords(this IServiceCollection services)
    {
        services.AddOptions<RecordsOptions>().BindConfiguration(RecordsOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<NoticeOptions>().BindConfiguration(NoticeOptions.Section);
        // Creating a store opens nothing: with recording off it is never used.
        services.AddSingleton<DecisionStore>(provider => provider.GetRequiredService<IOptions<RecordsOptions>>().Value is var options && options.UsesPostgres
            ? new PostgresDecisionStore(options.ConnectionString!)
            : new SqliteDecisionStore(options.ResolvedDataFolder, options.SqliteSynchronous, options.CreateIfMissing));
        services.AddSingleton<CommittedDecisions>();
        services.AddExceptionHandler<StoreFailureHandler>();
        services.AddSingleton<DecisionRecorder>();
        services.AddHostedService(provider => provider.GetRequiredService<DecisionRecorder>());
        services.AddSingleton<RetentionPurge>();
        services.AddHostedService(provider => provider.GetRequiredService<RetentionPurge>());
        services.AddHealthChecks().AddCheck<RecordsHealthCheck>("records", tags: [HealthEndpoints.ReadyTag]);
        return services;
    }

    /// <summary>
    /// Opens the store and applies its migrations before the server listens. A store that cannot be opened (bad path,
    /// unreachable database, failed migration) is one line on stderr and exit 1, like a bad model file.
    /// </summary>
    public static bool TryOpenRecords(this WebApplication app)
    {
        var options = app.Services.GetRequiredService<IOptions<RecordsOptions>>().Value;
        if (!options.Enabled)
        {
            return true;
        }

        try
        {
            var store = app.Services.GetRequiredService<DecisionStore>();
            store.Migrate();
            Log.RecordsOpened(app.Logger, store.Provider, store is SqliteDecisionStore sqlite ? sqlite.Folder : "Records:ConnectionString");
            return true;
        }
        catch (Exception e) when (StartupErrors.Report(e))
        {
            return false;
        }
    }
}
