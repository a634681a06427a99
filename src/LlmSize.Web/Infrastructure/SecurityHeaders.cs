using Microsoft.AspNetCore.Http;

namespace LlmSize.Web.Infrastructure;

/// <summary>Security headers on every response: a Content-Security-Policy with no inline script and no other
/// origin (<c>script-src 'self'</c>, <c>frame-ancestors 'none'</c>), <c>X-Content-Type-Options: nosniff</c>,
/// <c>Referrer-Policy: no-referrer</c>, and <c>Cross-Origin-Resource-Policy</c> open only for <c>/probe.js</c>, which
/// other sites embed.</summary>
internal static class SecurityHeaders
{
    /// <summary>The policy: everything from this origin only; inline styles neither; no plugins; no framing.</summary>
    internal const string ContentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

    /// <summary>Adds the headers before the response starts.</summary>
    internal static IApplicationBuilder UseSecurityHeaders(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        context.Response.OnStarting(() =>
        {
            var h = context.Response.Headers;
            h.ContentSecurityPolicy = ContentSecurityPolicy;
            h.XContentTypeOptions = "nosniff";
            h.XFrameOptions = "DENY";
            h["Referrer-Policy"] = "no-referrer";
            bool embeddable = context.Request.Path.StartsWithSegments("/probe.js");
            h["Cross-Origin-Resource-Policy"] = embeddable ? "cross-origin" : "same-origin";
            if (embeddable) h.AccessControlAllowOrigin = "*";
            return Task.CompletedTask;
        });
        await next();
    });
}
