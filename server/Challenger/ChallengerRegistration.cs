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
