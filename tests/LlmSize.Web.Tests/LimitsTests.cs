using System.Net;
using System.Net.Http.Json;

namespace LlmSize.Web.Tests;

/// <summary>The rate limiter and the body limits, each on an app of its own with small limits.</summary>
public sealed class LimitsTests
{
    [Fact]
    public async Task The_rate_limiter_answers_429_with_a_problem()
    {
        var (app, address) = await WebAppFixture.StartAsync(new WebOptions { RateLimitPermits = 3, RateLimitWindow = TimeSpan.FromMinutes(5) });
        await using var _ = app;
        using var client = new HttpClient { BaseAddress = address };
        for (int i = 0; i < 3; i++) Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/devices/pixel-7a")).StatusCode);
        var limited = await client.GetAsync("/api/devices/pixel-7a");
        Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
        Assert.Equal("RateLimited", (await limited.ProblemAsync()).Kind);
        // The page and probe.js are not rate limited.
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/")).StatusCode);
    }

    [Fact]
    public async Task Bodies_over_their_limit_are_refused_with_413()
    {
        var (app, address) = await WebAppFixture.StartAsync(new WebOptions { MaxUploadBytes = 16 << 10, MaxJsonBytes = 1024 });
        await using var _ = app;
        using var client = new HttpClient { BaseAddress = address };
        using var big = ApiTests.Slices(("x.gguf", 1 << 20, new byte[64 << 10]));
        var upload = await client.PostAsync("/api/inspect/upload", big);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, upload.StatusCode);
        Assert.Equal("BodyTooLarge", (await upload.ProblemAsync()).Kind);

        var json = await client.PostAsJsonAsync("/api/fit", new { model = new string('a', 2000), device = "pixel-7a" });
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, json.StatusCode);
    }
}
