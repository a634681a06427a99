using Microsoft.AspNetCore.Builder;
using System.Net.Http.Json;
using LlmSize.Core.Sources;
using LlmSize.Testing;

namespace LlmSize.Web.Tests;

/// <summary>The app started in-process on Kestrel at 127.0.0.1 (a free port), its Hub endpoint a local
/// <see cref="TestHub"/> serving the real tiny GGUF fixture as <c>test/tiny</c>.</summary>
public sealed class WebAppFixture : IAsyncLifetime
{
    private WebApplication? _app;

    /// <summary>The local Hub.</summary>
    internal TestHub Hub { get; private set; } = null!;

    /// <summary>The app's base address, http://127.0.0.1:port.</summary>
    public Uri BaseAddress { get; private set; } = null!;

    /// <summary>A client of the app.</summary>
    public HttpClient Client { get; private set; } = null!;

    /// <summary>The real tiny GGUF: 513,048 parameters (../shared/README.md).</summary>
    public static string TinyGguf => RepoPaths.InShared("fixtures", "gguf", "llama-2-tiny-random.gguf");

    /// <inheritdoc />
    public async Task InitializeAsync()
    {
        Hub = await TestHub.StartAsync();
        Hub.AddRepo("test/tiny", new Dictionary<string, string> { ["model.gguf"] = TinyGguf });
        (_app, BaseAddress) = await StartAsync(new WebOptions
        {
            Remote = new RemoteSourceOptions { HubEndpoint = Hub.Endpoint, RetryBaseDelay = TimeSpan.FromMilliseconds(10), MaxRetries = 1 },
            RateLimitPermits = 10_000,
        });
        Client = new HttpClient { BaseAddress = BaseAddress };
    }

    /// <summary>Starts an app with its own options on a free loopback port.</summary>
    /// <param name="options">Options (the URL is replaced).</param>
    /// <returns>The started app and its address.</returns>
    public static async Task<(WebApplication App, Uri Address)> StartAsync(WebOptions options)
    {
        var app = LlmSizeWebApp.Build(options with { Urls = "http://127.0.0.1:0" });
        await app.StartAsync();
        return (app, new Uri(app.Urls.First()));
    }

    /// <inheritdoc />
    public async Task DisposeAsync()
    {
        Client?.Dispose();
        if (_app is not null) await _app.DisposeAsync();
        await Hub.DisposeAsync();
    }
}

/// <summary>Problem details as the tests read them.</summary>
public sealed record Problem(string? Type, string? Title, int? Status, string? Detail, string? Kind, string? Code, long? NeededBytes,
    long? PostedBytes, IReadOnlyList<string>? Suggestions);

/// <summary>Helpers.</summary>
internal static class Http
{
    /// <summary>Reads a problem answer, asserting its content type.</summary>
    public static async Task<Problem> ProblemAsync(this HttpResponseMessage response)
    {
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        return (await response.Content.ReadFromJsonAsync<Problem>())!;
    }
}
