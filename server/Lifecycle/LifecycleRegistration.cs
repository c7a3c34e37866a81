namespace CreditRisk.Server.Lifecycle;

public static class LifecycleRegistration
{
    /// <summary>Promotion and rollback of the default model (the swaps themselves are the model registry's).</summary>
    public static IServiceCollection AddLifecycle(this IServiceCollection services) => services.AddSingleton<Promotion>();
}
