namespace CreditRisk.Server.Health;

/// <summary>
/// `dotnet CreditRisk.Server.dll --probe-ready` asks a running server on this host whether it is ready: the container
/// image's HEALTHCHECK, because the aspnet base image has no curl or wget.
/// </summary>
public static class ReadinessProbe
{
    public const string Argument = "--probe-ready";

    public static bool Requested(string[] args) => args.Contains(Argument, StringComparer.Ordinal);

    /// <param name="httpPorts">The setting the server listens on (the image sets ASPNETCORE_HTTP_PORTS); the first port if several.</param>
    /// <returns>0 when /health/ready answers 200 within 3 s, else 1 (what Docker expects of a health check).</returns>
    public static async Task<int> RunAsync(string? httpPorts)
    {
        var port = (httpPorts ?? "8080").Split([',', ';'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)[0];
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(3) };
        try
        {
            using var response = await http.GetAsync(new Uri($"http://127.0.0.1:{port}/health/ready"));
            return response.IsSuccessStatusCode ? 0 : 1;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            return 1;
        }
    }
}
