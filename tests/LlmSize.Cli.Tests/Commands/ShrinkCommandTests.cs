using System.Text.Json;

namespace LlmSize.Cli.Tests.Commands;

/// <summary>User-reported shrink problems: CPU/GPU splits ranked and shown as plain fits, fp32 listed above the runtime's
/// 16-bit ladder start, tight fits unmarked, and duplicate pruning what-ifs.</summary>
public class ShrinkCommandTests
{
    private static JsonElement Options(params string[] args)
    {
        var (code, output) = CliRunner.Run(["shrink", .. args, "--json"]);
        Assert.Equal(0, code);
        return JsonDocument.Parse(output).RootElement.Clone().GetProperty("options");
    }

    private static JsonElement Row(JsonElement options, string label) =>
        options.EnumerateArray().Single(o => o.GetProperty("label").GetString() == label);

    [Fact]
    public void Split_rows_rank_after_full_vram_fits_and_say_so()
    {
        // fit mistral-7b-v0.1 --device rtx-4060-laptop: "F16 fits only with 17 of 32 layers on the GPU (-ngl 17 ...);
        // use Q6_K at 4096 tokens, which fits entirely in VRAM". The -ngl arithmetic is in ShrinkPlannerTests.
        var options = Options("mistral-7b-v0.1", "--device", "rtx-4060-laptop");
        var first = options[0];
        Assert.Equal("Q6_K", first.GetProperty("label").GetString());
        Assert.False(first.GetProperty("split").GetBoolean());
        Assert.Equal(JsonValueKind.Null, first.GetProperty("gpuLayers").ValueKind);

        var f16 = Row(options, "F16");
        Assert.True(f16.GetProperty("fits").GetBoolean());                 // existing field kept
        Assert.True(f16.GetProperty("split").GetBoolean());
        Assert.Equal(17, f16.GetProperty("gpuLayers").GetInt32());
        Assert.Equal(32, f16.GetProperty("layerCount").GetInt32());
        Assert.True(f16.GetProperty("rank").GetInt32() > first.GetProperty("rank").GetInt32());

        // No split row is ranked above a row that fits entirely in VRAM.
        var fitting = options.EnumerateArray().Where(o => o.GetProperty("fits").GetBoolean()).Select(o => o.GetProperty("split").GetBoolean()).ToList();
        Assert.Equal(fitting.Order().ToList(), fitting);

        var (code, text) = CliRunner.Run("shrink", "mistral-7b-v0.1", "--device", "rtx-4060-laptop");
        Assert.Equal(0, code);
        Assert.Contains("fits as a split (-ngl 17 of 32)", text, StringComparison.Ordinal);
        Assert.Contains("fits as a split (-ngl 31 of 32)", text, StringComparison.Ordinal); // Q8_0: 31.9 → 31 layers
        Assert.Contains("system-RAM speed", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Transformers_js_ladder_starts_at_fp16_as_fit_does()
    {
        // RuntimeProfile.LadderStart of Transformers.js is fp16; fit starts there, so shrink lists nothing above it.
        var options = Options("qwen2.5-0.5b", "--device", "pixel-8", "--runtime", "transformers.js");
        Assert.Equal("fp16", options[0].GetProperty("label").GetString());
        Assert.DoesNotContain(options.EnumerateArray(), o => o.GetProperty("format").GetString() == "fp32");
        // WebLLM likewise starts at q0f16: q0f32 is not listed.
        var webllm = Options("qwen2.5-0.5b", "--device", "pixel-8", "--runtime", "webllm");
        Assert.DoesNotContain(webllm.EnumerateArray(), o => o.GetProperty("format").GetString() == "q0f32");
    }

    [Fact]
    public void Tight_fit_is_marked_in_text_and_json_and_ranks_after_comfortable_fits()
    {
        // fit gemma-2b --device galaxy-a15 --quant Q3_K_M warns "Q3_K_M leaves only 58.06 MiB (2.8%) of the app memory
        // budget" (llama.cpp reserves 512 rows of Gemma's 256,000-token logits: 512 × (256,000 + 2,048) × 4 B = 504 MiB);
        // 58.06 MiB / 2.00 GiB = 0.028 (Galaxy A15 app memory limit 2.00 GiB). Under the 10% headroom rule it ranks
        // after every comfortable fit, so Q2_K (1.73 of 2.00 GiB, ~13% left) is #1.
        using var doc = JsonDocument.Parse(CliRunner.Run("shrink", "gemma-2b", "--device", "galaxy-a15", "--json").Output);
        Assert.Equal(0.10, doc.RootElement.GetProperty("tightHeadroomFraction").GetDouble());
        var options = Options("gemma-2b", "--device", "galaxy-a15");
        Assert.Equal("Q2_K", options[0].GetProperty("label").GetString());
        Assert.False(options[0].GetProperty("tight").GetBoolean());
        Assert.True(options[0].GetProperty("headroomFraction").GetDouble() >= 0.10);
        var q3 = Row(options, "Q3_K_M");
        Assert.True(q3.GetProperty("tight").GetBoolean());
        Assert.Equal(58.06 / 2048, q3.GetProperty("headroomFraction").GetDouble(), 3);
        int q3Rank = q3.GetProperty("rank").GetInt32();
        Assert.All(options.EnumerateArray().Where(o => o.GetProperty("fits").GetBoolean() && !o.GetProperty("tight").GetBoolean()),
            o => Assert.True(o.GetProperty("rank").GetInt32() < q3Rank));

        var (code, text) = CliRunner.Run("shrink", "gemma-2b", "--device", "galaxy-a15");
        Assert.Equal(0, code);
        Assert.Contains("fits (tight: 2.8% left)", text, StringComparison.Ordinal);
        Assert.Contains("rank after every comfortable fit", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Pruning_what_ifs_with_the_same_result_are_listed_once()
    {
        // A 2-layer model with an MLP 2 channels wide: dropping 25% (round(0.5) = 1) or 50% (1) of 2 layers both keep 1;
        // removing 25% (⌊1.5⌋ = 1) or 50% (1) of 2 channels both leave 1. One row each.
        string dir = Path.Combine(Path.GetTempPath(), $"llmsize-shrink-{Guid.NewGuid():N}");
        Directory.CreateDirectory(dir);
        try
        {
            File.WriteAllText(Path.Combine(dir, "config.json"), """
                {"model_type": "llama", "architectures": ["LlamaForCausalLM"],
                 "hidden_size": 64, "intermediate_size": 2, "num_hidden_layers": 2,
                 "num_attention_heads": 4, "num_key_value_heads": 4, "vocab_size": 1000,
                 "max_position_embeddings": 512, "tie_word_embeddings": false, "torch_dtype": "float16"}
                """);
            var options = Options(dir, "--device", "pixel-8");
            var depth = options.EnumerateArray().Where(o => o.GetProperty("technique").GetString() == "DepthPruning").ToList();
            var width = options.EnumerateArray().Where(o => o.GetProperty("technique").GetString() == "WidthPruning").ToList();
            Assert.Single(depth);
            Assert.EndsWith("(1 of 2 kept)", depth[0].GetProperty("label").GetString(), StringComparison.Ordinal);
            Assert.Single(width);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
