using CreditRisk.Server.Hosting;
using CreditRisk.Server.Model;
using Microsoft.Extensions.Options;

namespace CreditRisk.Server.Scoring;

/// <summary>
/// Poll mode (Model:PollSeconds): every interval each model converges on the repository's content. Every instance
/// does this on its own, so instances behind a load balancer reach the same versions within one interval with no
/// coordinator; a version one of them refuses is refused by all (the same checks on the same file).
/// </summary>
public sealed class RepositoryPoller(ModelRegistry registry, IOptions<ModelOptions> options, ILogger<RepositoryPoller> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (options.Value.PollSeconds <= 0)
        {
            return;
        }

        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(options.Value.PollSeconds));
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await registry.ConvergeAsync(stoppingToken);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or ModelLoadException)
            {
                Log.PollFailed(logger, e);
            }
        }
    }
}
