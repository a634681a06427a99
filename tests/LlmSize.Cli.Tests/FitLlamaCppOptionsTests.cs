using System.Text.Json;

namespace LlmSize.Cli.Tests;

/// <summary><c>fit</c>'s llama.cpp options: mapped to the core's settings, carried in <c>--json</c>, refused with exit 2
/// when out of range.</summary>
public class FitLlamaCppOptionsTests
{
    private const long MiB = 1L << 20;

    private static JsonElement Json(params string[] args)
    {
        var (code, output) = CliRunner.Run(["fit", .. args, "--json"]);
        Assert.True(code == 0, output);
        using var doc = JsonDocument.Parse(output);
        return doc.RootElement[0].Clone();
    }

    [Fact]
    public void Json_carries_the_settings_and_the_memory_they_give()
    {
        // Mistral 7B, -c 32768 -ctk q8_0 -ctv q8_0 -fa off -np 2: KV 32 × 32768 × 1024 × 2 (K,V) × 1.0625 B = 2176 MiB
        // (q8_0: 34 B per 32 elements; -np 2 splits 32768 into 2 × 16384 cells, the same total).
        // -fa off with a quantized V cache is refused by llama.cpp, so V stays f16 here: 1088 + 2048 = 3136 MiB.
        var r = Json("mistral-7b-v0.1", "--device", "rtx-4090", "--runtime", "llama.cpp", "--quant", "Q4_K_M", "--context", "32k",
            "--kv-type-k", "q8_0", "--flash-attn", "off", "--parallel", "2");
        var s = r.GetProperty("settings");
        Assert.Equal("q8_0", s.GetProperty("cacheTypeK").GetString());
        Assert.Equal("f16", s.GetProperty("cacheTypeV").GetString());
        Assert.Equal("off", s.GetProperty("flashAttn").GetString());
        Assert.Equal(2, s.GetProperty("parallel").GetInt32());
        Assert.Equal(512, s.GetProperty("ubatch").GetInt32());
        Assert.True(s.GetProperty("mmap").GetBoolean());
        Assert.Equal(32768, s.GetProperty("kvCells").GetInt64());
        Assert.Equal("-ctk q8_0 -fa off -np 2", s.GetProperty("flags").GetString());
        Assert.Equal(3136 * MiB, r.GetProperty("requested").GetProperty("kvCacheBytes").GetInt64());
        // -fa off, n_kv = 16384 cells per sequence stream: 512 × (16384 × 33 + 4 × 4096) × 4 B = 1088 MiB.
        Assert.Equal(1088 * MiB, r.GetProperty("requested").GetProperty("computeBufferBytes").GetInt64());
    }

    [Fact]
    public void Defaults_are_reported_too()
    {
        var s = Json("qwen2-0.5b", "--device", "pixel-8", "--quant", "Q4_K_M").GetProperty("settings");
        Assert.Equal("f16", s.GetProperty("cacheTypeK").GetString());
        Assert.Equal("auto", s.GetProperty("flashAttn").GetString());
        Assert.Equal(JsonValueKind.Null, s.GetProperty("gpuLayers").ValueKind);
        Assert.Equal(2048, s.GetProperty("batch").GetInt32());
        Assert.Equal(string.Empty, s.GetProperty("flags").GetString());
    }

    [Fact]
    public void Gpu_layers_split_as_asked()
    {
        var requested = Json("mistral-7b-v0.1", "--device", "rtx-4090", "--quant", "Q4_K_M", "--gpu-layers", "10").GetProperty("requested");
        Assert.Equal(10, requested.GetProperty("gpuLayers").GetInt32());
        Assert.Contains(requested.GetProperty("checks").EnumerateArray(), c => c.GetProperty("constraint").GetString() == "HostRam");
    }

    [Fact]
    public void No_mmap_says_where_host_layers_live()
    {
        var requested = Json("mistral-7b-v0.1", "--device", "rtx-4090", "--quant", "Q4_K_M", "--gpu-layers", "10", "--no-mmap").GetProperty("requested");
        var host = requested.GetProperty("checks").EnumerateArray().Single(c => c.GetProperty("constraint").GetString() == "HostRam");
        Assert.Contains("--no-mmap", host.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Context_max_reports_the_longest_context()
    {
        var r = Json("llama-3.2-1b", "--device", "galaxy-a15", "--quant", "Q4_K_M", "--context", "max");
        var l = r.GetProperty("longestContext");
        Assert.Equal("Q4_K_M", l.GetProperty("format").GetString());
        Assert.Equal(131072, l.GetProperty("trainedMaximum").GetInt64());
        long tokens = l.GetProperty("contextTokens").GetInt64();
        Assert.True(tokens is > 4096 and < 131072, tokens.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(tokens, l.GetProperty("variant").GetProperty("contextTokens").GetInt64());

        var (code, text) = CliRunner.Run("fit", "llama-3.2-1b", "--device", "galaxy-a15", "--quant", "Q4_K_M", "--context", "max");
        Assert.Equal(0, code);
        Assert.Contains($"Q4_K_M: fits up to {tokens:N0} tokens", text, StringComparison.Ordinal);
    }

    [Fact]
    public void A_context_sweep_gives_one_row_per_context()
    {
        // Llama 3.2 1B Q4_K_M, f16 KV at 32 KiB per token (16 layers × 2 × 8 × 64 × 2 B): 128 MiB at 4k, 1 GiB at 32k,
        // 4 GiB at 128k, so on a 2 GiB phone only the first fits as asked.
        var (code, output) = CliRunner.Run("fit", "llama-3.2-1b", "--device", "galaxy-a15", "--quant", "Q4_K_M", "--context", "4k,32k,128k", "--json");
        Assert.Equal(0, code);
        using var doc = JsonDocument.Parse(output);
        var rows = doc.RootElement.EnumerateArray().ToList();
        Assert.Equal([4096L, 32768L, 131072L], rows.Select(r => r.GetProperty("requested").GetProperty("contextTokens").GetInt64()));
        Assert.Equal([128 * MiB, 1024 * MiB, 4096 * MiB], rows.Select(r => r.GetProperty("requested").GetProperty("kvCacheBytes").GetInt64()));
        Assert.Equal("Fits", rows[0].GetProperty("outcome").GetString());
        Assert.NotEqual("Fits", rows[2].GetProperty("outcome").GetString());

        var (textCode, text) = CliRunner.Run("fit", "llama-3.2-1b", "--device", "galaxy-a15", "--quant", "Q4_K_M", "--context", "4k,32k,128k");
        Assert.Equal(0, textCode);
        Assert.Contains("on 1 device at 3 contexts", text, StringComparison.Ordinal);
        Assert.Contains("131,072", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Shrink_context_max_gives_each_option_its_longest_context_as_fit_does()
    {
        var fit = Json("llama-3.2-1b", "--device", "galaxy-a15", "--quant", "Q4_K_M", "--context", "max").GetProperty("longestContext");
        var (code, output) = CliRunner.Run("shrink", "llama-3.2-1b", "--device", "galaxy-a15", "--context", "max", "--json");
        Assert.Equal(0, code);
        using var doc = JsonDocument.Parse(output);
        var options = doc.RootElement.GetProperty("options").EnumerateArray().ToList();
        var q4 = options.Single(o => o.GetProperty("label").GetString() == "Q4_K_M");
        Assert.Equal(fit.GetProperty("contextTokens").GetInt64(), q4.GetProperty("longestContextTokens").GetInt64());
        // Lighter weights leave more room for the KV cache: the longest context never shrinks down the ladder.
        var quant = options.Where(o => o.GetProperty("technique").GetString() == "Quantization" && o.GetProperty("fits").GetBoolean())
            .OrderByDescending(o => o.GetProperty("downloadBytes").GetInt64()).Select(o => o.GetProperty("longestContextTokens").GetInt64()).ToList();
        Assert.True(quant.Count > 3);
        Assert.Equal(quant.Order(), quant);
        Assert.All(quant, t => Assert.Equal(0, t % 256));

        var (sweepCode, sweep) = CliRunner.Run("shrink", "llama-3.2-1b", "--device", "galaxy-a15", "--context", "4k,8k");
        Assert.Equal(2, sweepCode);
        Assert.Contains("sweeps are for fit", sweep, StringComparison.Ordinal);
    }

    [Fact]
    public void Override_tensor_is_carried_in_json()
    {
        var r = Json("mixtral-8x7b-v0.1", "--device", "rtx-4090", "--quant", "Q4_K_M", "--override-tensor", "exps=CPU");
        Assert.Equal("exps=CPU", r.GetProperty("settings").GetProperty("overrideTensor").GetString());
        Assert.Equal("-ot exps=CPU", r.GetProperty("settings").GetProperty("flags").GetString());
        var checks = r.GetProperty("requested").GetProperty("checks").EnumerateArray().ToList();
        long vram = checks.Single(c => c.GetProperty("constraint").GetString() == "Vram").GetProperty("requiredBytes").GetInt64();
        long host = checks.Single(c => c.GetProperty("constraint").GetString() == "HostRam").GetProperty("requiredBytes").GetInt64();
        Assert.Equal(r.GetProperty("requested").GetProperty("totalBytes").GetInt64(), vram + host);
    }

    [Theory]
    [InlineData("give 1 or more", "--parallel", "0")]
    [InlineData("q8_0", "--kv-type", "q3_k")]
    [InlineData("on, off or auto", "--flash-attn", "maybe")]
    [InlineData("needs flash attention", "--kv-type-v", "q4_0", "--flash-attn", "off")]
    [InlineData("give 0 to 32", "--gpu-layers", "33")]
    [InlineData("has no such knobs", "--runtime", "webllm", "--kv-type", "q8_0")]
    [InlineData("--parallel N", "--kv-unified")]
    [InlineData("max (the longest that fits)", "--context", "longest")]
    [InlineData("only the CPU buffer type", "--override-tensor", "exps=CUDA0")]
    [InlineData("at most 16", "--context", "1k,2k,3k,4k,5k,6k,7k,8k,9k,10k,11k,12k,13k,14k,15k,16k,17k")]
    public void Out_of_range_settings_are_usage_errors(string message, params string[] options)
    {
        var (code, output) = CliRunner.Run(["fit", "mistral-7b-v0.1", "--device", "rtx-4090", .. options]);
        Assert.Equal(2, code);
        Assert.Contains(message, output, StringComparison.Ordinal);
    }
}
