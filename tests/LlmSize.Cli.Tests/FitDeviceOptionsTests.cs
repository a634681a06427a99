using System.Text.Json;

namespace LlmSize.Cli.Tests;

/// <summary>User-reported fit problems: WebLLM model ids, browsers on inline devices, the inline OS reserve, and
/// this machine's free storage.</summary>
public class FitDeviceOptionsTests
{
    private static IEnumerable<JsonElement> Checks(JsonElement report) =>
        new[] { report.GetProperty("requested"), report.GetProperty("best") }
            .Where(v => v.ValueKind == JsonValueKind.Object)
            .SelectMany(v => v.GetProperty("checks").EnumerateArray());

    [Theory]
    [InlineData("Llama-3.2-1B-Instruct-q4f16_1-MLC")] // WebLLM prebuilt model ids (mlc-ai/web-llm src/config.ts)
    [InlineData("Qwen2.5-0.5B-Instruct-q4f16_1-MLC")]
    [InlineData("SmolLM2-360M-Instruct-q4f16_1-MLC")]
    [InlineData("TinyLlama-1.1B-Chat-v1.0-q4f16_1-MLC")]
    [InlineData("gemma-2-2b-it-q4f16_1-MLC")]
    [InlineData("Phi-3.5-mini-instruct-q4f16_1-MLC")]
    [InlineData("Mistral-7B-Instruct-v0.3-q4f16_1-MLC")]
    [InlineData("Llama-3.1-8B-Instruct-q4f32_1-MLC-1k")]
    public void WebLlm_model_ids_are_found(string modelId)
    {
        var (code, output) = CliRunner.Run("fit", modelId, "--device", "iphone-15", "--runtime", "webllm", "--json");
        Assert.Equal(0, code);
        using var doc = JsonDocument.Parse(output);
        Assert.Equal("llmsize.fit/v1", doc.RootElement[0].GetProperty("schema").GetString());
    }

    [Fact]
    public void Inline_device_with_a_browser_runs_WebLlm()
    {
        var (code, output) = CliRunner.Run("fit", "phi-2", "--ram", "8GiB", "--bandwidth", "100GB/s", "--unified", "--runtime", "webllm",
            "--browser", "chrome", "--shader-f16", "--json");
        Assert.Equal(0, code);
        using var doc = JsonDocument.Parse(output);
        var report = doc.RootElement[0];
        Assert.NotEqual("NoWebGpu", report.GetProperty("bindingConstraint").GetString());
        Assert.DoesNotContain(Checks(report), c => c.GetProperty("constraint").GetString() == "NoWebGpu");
        // The browser's buffer limit is checked instead: desktop Chrome's 2 GiB maxStorageBufferBindingSize.
        Assert.Contains(Checks(report), c => c.GetProperty("constraint").GetString() == "WebGpuBufferLimit"
            && c.GetProperty("availableBytes").GetInt64() == 2L << 30);
    }

    [Fact]
    public void Inline_browser_limits_can_be_overridden()
    {
        var (code, output) = CliRunner.Run("fit", "phi-2", "--ram", "8GiB", "--bandwidth", "100GB/s", "--unified", "--runtime", "webllm",
            "--browser", "firefox", "--max-buffer", "1GiB", "--max-binding", "512MiB", "--json");
        Assert.Equal(0, code);
        using var doc = JsonDocument.Parse(output);
        // FitAnalyzer checks min(maxStorageBufferBindingSize, maxBufferSize) = min(512 MiB, 1 GiB) = 512 MiB.
        Assert.Contains(Checks(doc.RootElement[0]), c => c.GetProperty("constraint").GetString() == "WebGpuBufferLimit"
            && c.GetProperty("availableBytes").GetInt64() == 512L << 20);
    }

    [Theory]
    [InlineData("--browser", "chrome")]
    [InlineData("--shader-f16")]
    [InlineData("--max-buffer", "4GiB")]
    public void Browser_options_without_an_inline_device_are_usage_errors(params string[] extra)
    {
        var (code, output) = CliRunner.Run(["fit", "phi-2", "--device", "pixel-8", .. extra]);
        Assert.Equal(2, code);
        Assert.Contains("inline device", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Unknown_browser_lists_the_known_ones()
    {
        var (code, output) = CliRunner.Run("fit", "phi-2", "--ram", "8GiB", "--bandwidth", "100GB/s", "--browser", "netscape");
        Assert.Equal(2, code); // an option value not valid for the option: usage (README exit codes)
        Assert.Contains("chrome", output, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", output);
    }

    [Fact]
    public void Shader_f16_without_browser_names_browser()
    {
        var (code, output) = CliRunner.Run("fit", "phi-2", "--ram", "8GiB", "--bandwidth", "100GB/s", "--shader-f16");
        Assert.Equal(2, code); // incomplete options: usage (README exit codes)
        Assert.Contains("--browser", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Inline_ram_excludes_the_os_reserve()
    {
        var (code, output) = CliRunner.Run("fit", "phi-2", "--ram", "8GiB", "--bandwidth", "100GB/s", "--json");
        Assert.Equal(0, code);
        using var doc = JsonDocument.Parse(output);
        // 8 GiB − min(4 GiB, 8 GiB / 2) = 4 GiB: the catalog's Windows / Linux PC rule (devices.json, RAM − 4 GiB).
        Assert.All(Checks(doc.RootElement[0]).Where(c => c.GetProperty("constraint").GetString() == "AppMemory"),
            c => Assert.Equal(4L << 30, c.GetProperty("availableBytes").GetInt64()));
        Assert.Contains(Checks(doc.RootElement[0]), c => c.GetProperty("constraint").GetString() == "AppMemory");
    }

    [Fact]
    public void Usable_ram_still_sets_the_app_memory()
    {
        var (code, output) = CliRunner.Run("fit", "phi-2", "--ram", "8GiB", "--usable-ram", "6GiB", "--bandwidth", "100GB/s", "--json");
        Assert.Equal(0, code);
        using var doc = JsonDocument.Parse(output);
        Assert.Contains(Checks(doc.RootElement[0]), c => c.GetProperty("constraint").GetString() == "AppMemory"
            && c.GetProperty("availableBytes").GetInt64() == 6L << 30);
    }

    [Fact]
    public void This_machine_has_free_storage()
    {
        var (code, output) = CliRunner.Run("fit", "gpt2", "--this-machine", "--bandwidth", "50GB/s", "--json");
        Assert.Equal(0, code);
        using var doc = JsonDocument.Parse(output);
        var storage = Checks(doc.RootElement[0]).Where(c => c.GetProperty("constraint").GetString() == "Storage").ToList();
        Assert.NotEmpty(storage);
        // The test's working directory lies on a mounted file system with free space; 0 was the old hard-coded value.
        Assert.All(storage, c => Assert.True(c.GetProperty("availableBytes").GetInt64() > 0));
        Assert.NotEqual("Storage", doc.RootElement[0].GetProperty("bindingConstraint").GetString());
    }
}
