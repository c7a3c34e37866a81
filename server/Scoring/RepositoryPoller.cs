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
                await ConvergeAsync(stoppingToken);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or ModelLoadException)
            {
                Log.PollFailed(logger, e);
            }
        }
    }

    /// <summary>Each model converges on the repository's content: new versions loaded, removed models unloaded (not the default).</summary>
    private async Task ConvergeAsync(CancellationToken cancellationToken)
    {
        if (registry.Repository is not { } root)
        {
            // Model:Path, a repository of one: a new file at that path is loaded like a new version.
            foreach (var served in registry.Serving)
            {
                await registry.LoadAsync(served.Name, cancellationToken);
            }

            return;
        }

        var entries = ModelRepository.Scan(root);
        foreach (var entry in entries)
        {
            await registry.LoadAsync(entry.Name, cancellationToken);
        }

        foreach (var gone in registry.Serving.Select(s => s.Name).Except(entries.Select(e => e.Name)).ToList())
        {
            await registry.UnloadAsync(gone, cancellationToken);
        }
    }
}
