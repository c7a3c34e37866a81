using CreditRisk.Server.Scoring;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace CreditRisk.Server.OpenInference;

/// <summary>
/// The protocol's model_name and model_version resolved against the served models: the named model's serving version,
/// leased until the response is written (a swap meanwhile leaves the request on it), as a <see cref="V2Scoring"/>.
/// A version is the model version (hash) or the repository's version folder; empty is "the serving one".
/// </summary>
public sealed class V2Models(ModelRegistry registry, HealthCheckService health, IOptions<ScoringOptions> scoring)
{
    /// <returns>The model's scoring, or the protocol's "not found" message.</returns>
    public (V2Scoring? Model, string? Unknown) Resolve(string name, string? version, HttpContext http)
    {
        if (registry.Acquire(name) is not { } lease)
        {
            return (null, $"unknown model '{V2Scoring.Truncate(name)}'; this server serves {string.Join(", ", registry.Serving.Select(s => $"'{s.Name}'"))}");
        }

        http.Response.RegisterForDispose(lease);
        var served = lease.Served;
        var v2 = new V2Scoring(served.Pipeline, served.Reader, health, scoring);
        return v2.UnknownModel(name, version, served.Folder) is { } unknown ? (null, unknown) : (v2, null);
    }
}
