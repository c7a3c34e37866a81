using CreditRisk.Server.Hosting;
using Microsoft.Extensions.Options;

namespace CreditRisk.Server.Model;

public static class ModelRegistration
{
    public static IServiceCollection AddCreditModel(this IServiceCollection services)
    {
        services.AddOptions<ModelOptions>().BindConfiguration(ModelOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        // The models themselves are loaded by the model registry (in the scoring layer), which provides the default one as a CreditModel.
        services.AddSingleton<ModelFaults>();
        services.AddExceptionHandler<ModelOutputHandler>();
        return services;
    }

    /// <summary>
    /// Validates the settings and loads and checks the model before the server listens. A bad setting or file is
    /// reported as one line on stderr (naming the setting, or the file and its problem) and the process exits
    /// non-zero instead of serving errors.
    /// </summary>
    public static bool TryLoadModel(this WebApplication app)
    {
        try
        {
            app.Services.GetService<IStartupValidator>()?.Validate();
            var model = app.Services.GetRequiredService<CreditModel>();
            Log.ServingModel(app.Logger, model.Version, model.Card.Learner, model.Path, model.Threshold);
            if (ModelChecks.CheckSidecar(model.Path, model.Version) is { } sidecar)
            {
                Log.SidecarMismatch(app.Logger, sidecar);
            }

            return true;
        }
        catch (Exception e) when (StartupErrors.Report(e))
        {
            return false;
        }
    }
}
