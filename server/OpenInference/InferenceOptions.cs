using System.ComponentModel.DataAnnotations;

namespace CreditRisk.Server.OpenInference;

/// <summary>The Open Inference Protocol's settings (section "Inference").</summary>
public sealed class InferenceOptions
{
    public const string Section = "Inference";

    /// <summary>
    /// The port of the gRPC listener (HTTP/2 cleartext, all interfaces); 0 = no gRPC. Its own port because cleartext
    /// HTTP/2 needs a listener that speaks only HTTP/2 (no TLS, so no ALPN to choose between 1.1 and 2 on one port).
    /// </summary>
    [Range(0, 65535)]
    public int GrpcPort { get; set; }
}
