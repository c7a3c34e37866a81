namespace CreditRisk.Server.Hosting;

/// <summary>Browser hardening headers on every response (and no-store on the API); the scoring page must work without inline script.</summary>
public static class SecurityHeaders
{
    /// <summary>The page and the API: only our own scripts, styles and API calls; no inline script or style, no framing.</summary>
    public const string ContentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
        "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

    /// <summary>Swagger UI sets inline styles at run time; scripts stay restricted to our origin.</summary>
    public const string SwaggerContentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; " +
        "object-src 'none'; base-uri 'none'; frame-ancestors 'none'";

    public static IApplicationBuilder UseSecurityHeaders(this IApplicationBuilder app) => app.Use((context, next) =>
    {
        var headers = context.Response.Headers;
        headers.XContentTypeOptions = "nosniff";
        headers.ContentSecurityPolicy = context.Request.Path.StartsWithSegments("/swagger")
            ? SwaggerContentSecurityPolicy
            : ContentSecurityPolicy;
        headers["Referrer-Policy"] = "no-referrer";
        headers.XFrameOptions = "DENY";
        // Scores (and the model card) are per-request answers about a person: no shared or browser cache keeps them.
        if (context.Request.Path.StartsWithSegments("/api"))
        {
            headers.CacheControl = "no-store";
        }
        return next(context);
    });
}
