using System.ComponentModel.DataAnnotations;
using System.Net;
using Microsoft.AspNetCore.HttpOverrides;

namespace CreditRisk.Server.Hosting;

/// <summary>
/// Which peers may say who the client is (X-Forwarded-For, X-Forwarded-Proto). Section <c>ForwardedHeaders</c>.
/// None by default: the per-IP rate limit then uses the socket's address whatever a request claims, even with the
/// framework's switch ASPNETCORE_FORWARDEDHEADERS_ENABLED=true, which on its own would trust every peer (300 of 300
/// requests with made-up addresses passed a 100/s limit). docs/security.md has the values for Elastic Beanstalk and nginx.
/// </summary>
public sealed class ProxyOptions : IValidatableObject
{
    public const string Section = "ForwardedHeaders";

    /// <summary>Addresses of the proxies in front of the server, e.g. <c>10.0.0.5</c>.</summary>
    public string[] KnownProxies { get; set; } = [];

    /// <summary>Networks the proxies are in, in CIDR notation, e.g. <c>172.17.0.0/16</c>.</summary>
    public string[] KnownNetworks { get; set; } = [];

    /// <summary>
    /// Trusted proxies in a row before the client: X-Forwarded-For is read from the right, one entry per hop, and
    /// stops at the first address that is not a known proxy. 2 on Elastic Beanstalk (load balancer, then the
    /// instance's nginx).
    /// </summary>
    [Range(1, 10)]
    public int ForwardLimit { get; set; } = 1;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        foreach (var proxy in KnownProxies.Where(p => !IPAddress.TryParse(p, out _)))
        {
            yield return new ValidationResult($"{Section}:KnownProxies has '{proxy}', which is not an IP address", [nameof(KnownProxies)]);
        }

        foreach (var network in KnownNetworks.Where(n => !System.Net.IPNetwork.TryParse(n, out _)))
        {
            yield return new ValidationResult($"{Section}:KnownNetworks has '{network}', which is not a network in CIDR notation (e.g. 10.0.0.0/16)", [nameof(KnownNetworks)]);
        }
    }

    /// <summary>
    /// Replaces whatever the framework configured (its switch clears the loopback defaults, trusting everyone) with
    /// exactly these proxies; with none, the headers are not read at all.
    /// </summary>
    public void ApplyTo(ForwardedHeadersOptions forwarded)
    {
        forwarded.KnownProxies.Clear();
        forwarded.KnownIPNetworks.Clear();
        foreach (var proxy in KnownProxies)
        {
            forwarded.KnownProxies.Add(IPAddress.Parse(proxy));
        }

        foreach (var network in KnownNetworks)
        {
            forwarded.KnownIPNetworks.Add(System.Net.IPNetwork.Parse(network));
        }

        forwarded.ForwardLimit = ForwardLimit;
        forwarded.ForwardedHeaders = KnownProxies.Length + KnownNetworks.Length == 0
            ? ForwardedHeaders.None
            : ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
    }
}
