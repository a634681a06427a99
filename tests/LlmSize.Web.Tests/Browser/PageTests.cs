using System.Text.Json;
using LlmSize.Core;
using LlmSize.Core.Devices;
using LlmSize.Core.Estimation.Fit;
using Microsoft.Playwright;

namespace LlmSize.Web.Tests.Browser;

/// <summary>The page and /probe.js in Debian's Chromium against the app on 127.0.0.1.</summary>
public sealed class PageTests(BrowserFixture browser) : IClassFixture<BrowserFixture>
{
    private static readonly JsonSerializerOptions Web = new(JsonSerializerDefaults.Web);

    private async Task<(IPage Page, List<string> Errors)> OpenAsync(IBrowserContext context)
    {
        var page = await context.NewPageAsync();
        var errors = new List<string>();
        page.Console += (_, m) => { if (m.Type == "error") errors.Add(m.Text); };
        page.PageError += (_, e) => errors.Add(e);
        await page.GotoAsync("/");
        await page.WaitForSelectorAsync("body[data-ready=true]");
        return (page, errors);
    }

    [ChromiumFact]
    public async Task The_page_loads_and_inspects_a_catalog_model()
    {
        var (page, errors) = await OpenAsync(browser.NoGpu);
        await page.SelectOptionAsync("#model", "gemma-2b");
        await page.ClickAsync("#inspect-catalog");
        await page.WaitForSelectorAsync("#inspect:not([hidden])");
        // Gemma 2B: 2,506,172,416 parameters (../shared/reference/published-parameter-counts.csv).
        Assert.Contains("2,506,172,416", await page.InnerTextAsync("#facts"));
        await page.WaitForSelectorAsync("#chart svg");
        Assert.Equal(DeviceCatalog.Default.Profiles.Count, await page.Locator("#chart rect.budget").CountAsync());
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(BrowserFixture.ArtifactFolder, "page-inspect.png"), FullPage = true });
        Assert.Empty(errors); // CSP violations and script errors surface as console errors
        await page.CloseAsync();
    }

    [ChromiumFact]
    public async Task A_local_gguf_is_inspected_from_its_header_slice_only()
    {
        var (page, errors) = await OpenAsync(browser.NoGpu);
        var posted = new List<int>();
        page.Request += (_, r) => { if (r.Url.Contains("/api/inspect/upload", StringComparison.Ordinal)) posted.Add(r.PostDataBuffer?.Length ?? 0); };
        var answer = page.WaitForResponseAsync(r => r.Url.Contains("/api/inspect/upload", StringComparison.Ordinal) && r.Status == 200);
        await page.SetInputFilesAsync("#file", WebAppFixture.TinyGguf);
        var response = await answer;
        using var json = JsonDocument.Parse(await response.BodyAsync());
        long fileLength = new FileInfo(WebAppFixture.TinyGguf).Length;
        // llama-2-tiny-random.gguf: 513,048 parameters (../shared/README.md).
        Assert.Equal(513_048, json.RootElement.GetProperty("parameters").GetInt64());
        Assert.Equal(fileLength, json.RootElement.GetProperty("downloadBytes").GetInt64());
        long slice = json.RootElement.GetProperty("postedBytes").GetInt64();
        int headerEnd = ApiTests.GgufHeaderEnd(await File.ReadAllBytesAsync(WebAppFixture.TinyGguf));
        Assert.InRange(slice, headerEnd, 2L * headerEnd); // the header, grown by doubling from 256 KiB: never the whole file
        Assert.NotEmpty(posted);
        Assert.All(posted, n => Assert.True(n < fileLength, $"posted {n} bytes of a {fileLength}-byte file"));
        await page.WaitForFunctionAsync("document.getElementById('facts').innerText.includes('513,048')");
        Assert.DoesNotContain(errors, e => !e.Contains("422", StringComparison.Ordinal)); // the 422 asking for more header is expected
        await page.CloseAsync();
    }

    [ChromiumFact]
    public async Task Without_a_gpu_the_probe_takes_the_wasm_path_and_the_verdict_is_the_cores()
    {
        var (page, errors) = await OpenAsync(browser.NoGpu);
        string probeJson = await page.EvaluateAsync<string>("import('/probe.js').then(m => m.probe()).then(r => JSON.stringify(r))");
        var probe = JsonSerializer.Deserialize<BrowserProbe>(probeJson, Web)!;
        Assert.Null(probe.WebGpu);
        Assert.True(probe.HardwareConcurrency > 0);

        await page.SelectOptionAsync("#model", "qwen2.5-0.5b");
        await page.ClickAsync("#probe");
        await page.WaitForSelectorAsync("#verdict:not([hidden])");
        var expected = BrowserVerdict.For(ModelLoader.Load("qwen2.5-0.5b"), BrowserProbeProfile.Build(probe), probe);
        Assert.Equal(expected.Choice.ToString(), await page.GetAttributeAsync("#choice", "data-choice"));
        Assert.NotEqual(BrowserChoice.WebGpu, expected.Choice);
        Assert.Contains("no WebGPU", await page.InnerTextAsync("#choice"));
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(BrowserFixture.ArtifactFolder, "page-probe-no-gpu.png"), FullPage = true });
        Assert.Empty(errors);
        await page.CloseAsync();
    }

    [ChromiumFact]
    public async Task The_probe_without_measurements_is_fast_and_marks_its_bases()
    {
        var (page, _) = await OpenAsync(browser.NoGpu);
        using var doc = JsonDocument.Parse(await page.EvaluateAsync<string>("import('/probe.js').then(m => m.probe()).then(r => JSON.stringify(r))"));
        var basis = doc.RootElement.GetProperty("basis");
        Assert.Equal("browser-rounded", basis.GetProperty("deviceMemoryGiB").GetString());
        Assert.Equal("reported", basis.GetProperty("hardwareConcurrency").GetString());
        Assert.True(doc.RootElement.GetProperty("secureContext").GetBoolean());
        await page.CloseAsync();
    }
}
