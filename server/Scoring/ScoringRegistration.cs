using CreditRisk.Server.Scoring.Input;
namespace CreditRisk.Server.Scoring;

public static class ScoringRegistration
{
    /// <summary>The scorer and its options; the request reader is compiled from the model's spec once, with the scorer.</summary>
    public static IServiceCollection AddScoring(this IServiceCollection services)
    {
        services.AddOptions<ScoringOptions>().BindConfiguration(ScoringOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<ReferOptions>().BindConfiguration(ReferOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<ReferRule>();
        services.AddSingleton<Scorer>();
        services.AddSingleton<CsvSpoolBudget>();
        services.AddSingleton<DecisionPipeline>();
        services.AddSingleton(provider => new Input.InputRules(provider.GetRequiredService<Model.CreditModel>()));
        services.AddSingleton(provider => new ApplicantReader(provider.GetRequiredService<Input.InputRules>()));
        return services;
    }
}
