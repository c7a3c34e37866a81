using CreditRisk.Server.Hosting;

namespace CreditRisk.Server.Challenger;

public static class ChallengerRegistration
{
    /// <summary>The challenger in shadow (Model:ChallengerPath; none by default) and its worker.</summary>
    public static IServiceCollection AddChallenger(this IServiceCollection services)
    {
        services.AddOptions<ChallengerOptions>().BindConfiguration(ChallengerOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<ChallengerModel>();
        services.AddSingleton<ShadowScorer>();
        services.AddHostedService(provider => provider.GetRequiredService<ShadowScorer>());
        services.AddSingleton<ChallengerCache>();
        services.ConfigureHttpJsonOptions(o => o.SerializerOptions.TypeInfoResolverChain.Insert(0, ChallengerJsonContext.Default));
        return services;
    }

    /// <summary>
    /// Before each /metrics scrape, removes the comparison's gauges of a champion version that no longer serves (a swap, a
    /// promotion that retired the shadow): no store read; the next comparison sets those of the champion serving now.
    /// </summary>
    public static void ForgetStaleChallengerGaugesOnScrape(this WebApplication app)
    {
        var shadow = app.Services.GetRequiredService<ShadowScorer>();
        var stopping = app.Lifetime.ApplicationStopping;
        Prometheus.Metrics.DefaultRegistry.AddBeforeCollectCallback(() =>
        {
            // As the monitoring's: a stopped app's registry serves nothing, and the gauges are the process's.
            if (!stopping.IsCancellationRequested)
            {
                shadow.ForgetStaleGauges();
            }
        });
    }

    /// <summary>
    /// Loads and checks the challenger before the server listens, like the champion: a bad file, a failed golden check
    /// or inputs other than the champion's are one line on stderr and exit 1.
    /// </summary>
    public static bool TryLoadChallenger(this WebApplication app)
    {
        try
        {
            if (app.Services.GetRequiredService<ChallengerModel>().Model is { } challenger)
            {
                Log.ShadowChallenger(app.Logger, challenger.Version, challenger.Card.Learner, challenger.Path, challenger.Threshold);
            }

            return true;
        }
        catch (Exception e) when (StartupErrors.Report(e))
        {
            return false;
        }
    }
}
