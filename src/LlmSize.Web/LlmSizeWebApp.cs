using System.Threading.RateLimiting;
using LlmSize.Web.Features;
using LlmSize.Web.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.FileProviders;

namespace LlmSize.Web;

/// <summary>
/// The LlmSize web app: a JSON API under <c>/api</c> (OpenAPI document at <c>/openapi/v1.json</c>), the page at
/// <c>/</c> and the embeddable <c>/probe.js</c>. Endpoints only map requests to the core (<c>ModelLoader</c>,
/// <c>ModelSizeReport</c>, <c>FitPipeline</c>, <c>ShrinkPlanner</c>) and render its answers; errors are RFC 7807
/// problem details carrying the core's error kind.
/// </summary>
public static class LlmSizeWebApp
{
    /// <summary>The rate limiter policy of <c>/api</c>.</summary>
    internal const string ApiRateLimit = "api";

    /// <summary>Builds the app (not started).</summary>
    /// <param name="options">Addresses, Hub endpoint and limits.</param>
    /// <returns>The app; call <c>RunAsync</c> or <c>StartAsync</c>.</returns>
    public static WebApplication Build(WebOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { EnvironmentName = "Production", ApplicationName = "LlmSize.Web" });
        builder.WebHost.UseUrls(options.Urls);
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.AddServerHeader = false;
            k.Limits.MaxRequestBodySize = Math.Max(options.MaxUploadBytes, options.MaxJsonBytes);
            k.Limits.MaxRequestHeadersTotalSize = 32 << 10;
        });
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Services.Configure<FormOptions>(f =>
        {
            f.MultipartBodyLengthLimit = options.MaxUploadBytes;
            f.ValueCountLimit = 2 * InspectEndpoints.MaxUploadFiles + 8;
            f.ValueLengthLimit = 4096;
        });
        builder.Services.ConfigureHttpJsonOptions(j =>
        {
            j.SerializerOptions.PropertyNamingPolicy = System.Text.Json.JsonNamingPolicy.CamelCase;
            j.SerializerOptions.MaxDepth = 16;
        });
        builder.Services.AddProblemDetails();
        builder.Services.AddExceptionHandler<ProblemMapping>();
        builder.Services.AddOpenApi();
        builder.Services.AddRateLimiter(r =>
        {
            r.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            r.OnRejected = async (context, ct) =>
            {
                var problem = ProblemMapping.Make(StatusCodes.Status429TooManyRequests, "Too many requests",
                    $"more than {options.RateLimitPermits} requests in {options.RateLimitWindow.TotalSeconds:0} s from this address; wait and retry", "RateLimited");
                if (context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retry))
                {
                    context.HttpContext.Response.Headers.RetryAfter = ((int)Math.Ceiling(retry.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
                }

                await context.HttpContext.RequestServices.GetRequiredService<IProblemDetailsService>()
                    .WriteAsync(new ProblemDetailsContext { HttpContext = context.HttpContext, ProblemDetails = problem });
            };
            r.AddPolicy(ApiRateLimit, http => RateLimitPartition.GetFixedWindowLimiter(
                http.Connection.RemoteIpAddress?.ToString() ?? "unknown",
                _ => new FixedWindowRateLimiterOptions { PermitLimit = options.RateLimitPermits, Window = options.RateLimitWindow, QueueLimit = 0 }));
        });

        var app = builder.Build();
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseSecurityHeaders();
        app.Use(async (context, next) =>
        {
            // Body limits per route: header slices may be large, everything else is a small JSON document.
            if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
            {
                limit.MaxRequestBodySize = context.Request.Path.StartsWithSegments("/api/inspect/upload") ? options.MaxUploadBytes : options.MaxJsonBytes;
            }

            await next();
        });
        app.UseRateLimiter();

        var assets = new EmbeddedFileProvider(typeof(LlmSizeWebApp).Assembly, "LlmSize.Web.Assets");
        app.UseDefaultFiles(new DefaultFilesOptions { FileProvider = assets });
        app.UseStaticFiles(new StaticFileOptions
        {
            FileProvider = assets,
            OnPrepareResponse = c => c.Context.Response.Headers.CacheControl = "no-cache",
        });

        app.MapOpenApi();
        var api = app.MapGroup("/api").RequireRateLimiting(ApiRateLimit);
        CatalogEndpoints.Map(api);
        InspectEndpoints.Map(api, options);
        FitEndpoints.Map(api, options);
        ProbeEndpoints.Map(api, options);
        api.MapFallback(() => TypedResults.Problem(ProblemMapping.Make(StatusCodes.Status404NotFound, "Not found", "no such API endpoint", "NotFound")));
        return app;
    }
}
