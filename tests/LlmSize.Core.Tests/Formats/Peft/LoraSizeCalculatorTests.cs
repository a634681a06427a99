using LlmSize.Core.Formats.Peft;
using LlmSize.Core.Precision;
using LlmSize.Core.Tests.Infrastructure;

namespace LlmSize.Core.Tests.Formats.Peft;

public sealed class LoraSizeCalculatorTests
{
    /// <summary>GPT-2 small: 12 layers, c_attn maps 768 → 2304 (3 × 768), configs/gpt2/config.json n_embd = 768, n_layer = 12.</summary>
    private static IEnumerable<LoraTargetShape> Gpt2Linears() =>
        Enumerable.Range(0, 12).SelectMany(i => new[]
        {
            new LoraTargetShape($"transformer.h.{i}.attn.c_attn", 768, 2304),
            new LoraTargetShape($"transformer.h.{i}.attn.c_proj", 768, 768),
            new LoraTargetShape($"transformer.h.{i}.mlp.c_fc", 768, 3072),
            new LoraTargetShape($"transformer.h.{i}.mlp.c_proj", 3072, 768),
        });

    [Fact]
    public void Gpt2CAttn_MatchesTheRealAdapter()
    {
        var est = LoraSizeCalculator.Calculate(Gpt2Linears(), ["c_attn"], rank: 8);
        // 12 × 8 × (768 + 2304) = 294,912 — exactly the LoRA part of the shared gpt2-lora-seqcls adapter
        Assert.Equal(12, est.Modules.Length);
        Assert.Equal(294_912, est.Parameters);
        Assert.Equal(294_912 * 4, est.Bytes); // F32

        // and the same number read back from the real file
        var real = PeftAdapterReader.Read(TestPaths.Fixture("peft", "gpt2-lora-seqcls"), p => Core.Formats.Safetensors.SafetensorsReader.Read(p).Tensors);
        Assert.Equal(real.LoraParameters, est.Parameters);
    }

    [Fact]
    public void DistilbertQV_MatchesTheRealAdapter()
    {
        var modules = Enumerable.Range(0, 6).SelectMany(i => new[]
        {
            new LoraTargetShape($"distilbert.transformer.layer.{i}.attention.q_lin", 768, 768),
            new LoraTargetShape($"distilbert.transformer.layer.{i}.attention.k_lin", 768, 768),
            new LoraTargetShape($"distilbert.transformer.layer.{i}.attention.v_lin", 768, 768),
        });
        var est = LoraSizeCalculator.Calculate(modules, ["q_lin", "v_lin"], rank: 8);
        Assert.Equal(147_456, est.Parameters); // 12 × 8 × (768 + 768)
        var real = PeftAdapterReader.Read(TestPaths.Fixture("peft", "distilbert-lora-imdb"), p => Core.Formats.Safetensors.SafetensorsReader.Read(p).Tensors);
        Assert.Equal(real.LoraParameters, est.Parameters);
    }

    [Fact]
    public void Llama7bQV_Rank16_Bf16_DoraAndRankPattern()
    {
        // LLaMA-2-7B: 32 layers, hidden 4096 (configs/llama-2-7b/config.json); q_proj and v_proj are 4096 → 4096.
        var modules = Enumerable.Range(0, 32).SelectMany(i => new[]
        {
            new LoraTargetShape($"model.layers.{i}.self_attn.q_proj", 4096, 4096),
            new LoraTargetShape($"model.layers.{i}.self_attn.v_proj", 4096, 4096),
        }).ToList();
        var est = LoraSizeCalculator.Calculate(modules, 16, TensorDataType.BF16);
        Assert.Equal(64L * 16 * 8192, est.Parameters);       // 64 modules × 16 × (4096 + 4096) = 8,388,608
        Assert.Equal(64L * 16 * 8192 * 2, est.Bytes);        // BF16 = 2 bytes

        var dora = LoraSizeCalculator.Calculate(modules, 16, useDora: true);
        Assert.Equal(64L * 16 * 8192 + 64L * 4096, dora.Parameters); // + one magnitude per output feature

        var pattern = LoraSizeCalculator.Calculate(modules, 16, rankPattern: [new("v_proj", 4)]);
        Assert.Equal(32L * 16 * 8192 + 32L * 4 * 8192, pattern.Parameters);
    }

    [Fact]
    public void BadArguments()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => LoraSizeCalculator.Calculate([new LoraTargetShape("a", 4, 4)], 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => LoraSizeCalculator.Calculate([new LoraTargetShape("a", 0, 4)], 8));
        Assert.Throws<ArgumentException>(() => LoraSizeCalculator.Calculate(Gpt2Linears(), ["q_proj"], 8));
        Assert.Throws<OverflowException>(() => LoraSizeCalculator.Calculate([new LoraTargetShape("a", long.MaxValue / 2, long.MaxValue / 2)], 8));
    }
}
