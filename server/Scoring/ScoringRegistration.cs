
namespace CreditRisk.Server.Scoring;

public static class ScoringRegistration
{
    /// <summary>
    /// The model registry and the scoring options. The registry loads every model of the repository (or Model:Path)
    /// when the default model is first asked for (TryLoadModel, before the server listens); the parts built once at
    /// start-up (challenger, monitoring, OpenAPI, input rules) get that default model's first version and its parts.
    /// </summary>
    public static IServiceCollection AddScoring(this IServiceCollection services)
    {
        services.AddOptions<ScoringOptions>().BindConfiguration(ScoringOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        // Refer:Band and friends, one setting for every served model (issue 30); each model's ReferRule is built by the registry.
        services.AddOptions<ReferOptions>().BindConfiguration(ReferOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<ModelRegistry>();
        services.AddSingleton(provider => provider.GetRequiredService<ModelRegistry>().LoadAll());
        services.AddSingleton(provider => provider.GetRequiredService<ServedModel>().Model);
        services.AddSingleton(provider => provider.GetRequiredService<ServedModel>().Scorer);
        services.AddSingleton(provider => provider.GetRequiredService<ServedModel>().Pipeline);
        services.AddSingleton(provider => provider.GetRequiredService<ServedModel>().Rules);
        services.AddSingleton(provider => provider.GetRequiredService<ServedModel>().Reader);
        services.AddSingleton<CsvSpoolBudget>();
        services.AddHostedService<RepositoryPoller>();
        return services;
    }
}
