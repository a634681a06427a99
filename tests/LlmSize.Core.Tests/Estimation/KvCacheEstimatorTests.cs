using LlmSize.Core.Estimation;
using LlmSize.Core.Estimation.Fit;
using LlmSize.Core.Formats.HfConfig;
using LlmSize.Core.Models.Architectures;
using LlmSize.Core.Precision;
using LlmSize.Core.Tests.Infrastructure;

namespace LlmSize.Core.Tests.Estimation;

/// <summary>KV-cache sizes derived by hand from the shared config.json files; the arithmetic is beside each value.</summary>
public class KvCacheEstimatorTests
{
    private static ModelArchitecture Config(string name) => HfConfigReader.Read(TestPaths.Fixture("configs", name, "config.json"));

    public static TheoryData<string, long, string, long> HandDerived() => new()
    {
        // llama-2-7b: 32 layers × 2 (K,V) × 4096 tokens × 32 kv heads × 128 head_dim × 2 B (f16) = 2,147,483,648 (2 GiB).
        { "llama-2-7b", 4096, "F16", 32L * 2 * 4096 * 32 * 128 * 2 },
        // gemma-2b (MQA, 1 kv head, head_dim 256): 18 × 2 × 4096 × 1 × 256 × 2 = 75,497,472.
        { "gemma-2b", 4096, "F16", 18L * 2 * 4096 * 1 * 256 * 2 },
        // mistral-7b-v0.1: sliding_window absent in this config copy → MistralConfig's default window 4096, equal to
        // the context here: 32 × 2 × 4096 × 8 kv heads (GQA 32/8) × 128 × 2 = 536,870,912.
        { "mistral-7b-v0.1", 4096, "F16", 32L * 2 * 4096 * 8 * 128 * 2 },
        // ... and at 16384 tokens the window caps every layer at 4096: still 536,870,912.
        { "mistral-7b-v0.1", 16384, "F16", 32L * 2 * 4096 * 8 * 128 * 2 },
        // mixtral-8x7b with a q8_0 cache (34 bytes per 32 elements): 32 × 2 × 4096 × 8 × 128 × 34/32 = 285,212,672.
        { "mixtral-8x7b-v0.1", 4096, "Q8_0", 32L * 2 * 4096 * 8 * 128 * 34 / 32 },
        // gemma-2-2b at 8192 tokens: 26 layers, Gemma2DecoderLayer is_sliding = not (layer_idx % 2) → 13 layers
        // cache min(8192, 4096) = 4096 tokens, 13 cache 8192; per token-layer 2 × 4 kv × 256 × 2 B = 4096 B:
        // 13 × 4096 × 4096 + 13 × 8192 × 4096 = 654,311,424.
        { "gemma-2-2b", 8192, "F16", 13L * 4096 * 4096 + 13L * 8192 * 4096 },
        // qwen2-0.5b: use_sliding_window false → no window: 24 × 2 × 4096 × 2 × 64 × 2 = 50,331,648.
        { "qwen2-0.5b", 4096, "F16", 24L * 2 * 4096 * 2 * 64 * 2 },
        // gpt2 (MHA, 12 heads × 64) at its 1024-token maximum, f32: 12 × 2 × 1024 × 12 × 64 × 4 = 75,497,472.
        { "gpt2", 1024, "F32", 12L * 2 * 1024 * 12 * 64 * 4 },
        // tinyllama q4_0 cache (18 bytes per 32): 22 × 2 × 2048 × 4 × 64 × 18/32 = 12,976,128.
        { "tinyllama-1.1b-chat-v1.0", 2048, "Q4_0", 22L * 2 * 2048 * 4 * 64 * 18 / 32 },
    };

    [Theory]
    [MemberData(nameof(HandDerived))]
    public void Kv_cache_matches_hand_derivation(string config, long context, string cacheType, long expectedBytes)
    {
        Assert.True(TensorDataType.TryFromName(cacheType, out var type));
        var kv = KvCacheEstimator.Estimate(Config(config), context, type);
        Assert.Equal(expectedBytes, kv.Bytes);
    }

    [Fact]
    public void Parallel_sequences_multiply_the_cache()
    {
        var a = Config("llama-3.2-1b");
        // 16 layers × 2 × 4096 × 8 × 64 × 2 B = 134,217,728 per sequence; 4 sequences.
        Assert.Equal(4L * 16 * 2 * 4096 * 8 * 64 * 2, KvCacheEstimator.Estimate(a, 4096, TensorDataType.F16, sequences: 4).Bytes);
    }

    [Fact]
    public void Layers_without_kv_heads_hold_no_cache_and_mla_caches_the_latent()
    {
        var baseArch = Config("llama-3.2-1b");
        // Hybrid: only layers with kv heads (here 8 of 16, alternating) cache: 8 × 2 × 1000 × 8 × 64 × 2 = 16,384,000.
        var hybrid = baseArch with { KeyValueHeadCountPerLayer = Enumerable.Range(0, 16).Select(i => i % 2 == 0 ? 8 : 0).ToArray() };
        var kv = KvCacheEstimator.Estimate(hybrid, 1000, TensorDataType.F16);
        Assert.Equal(8L * 2 * 1000 * 8 * 64 * 2, kv.Bytes);
        Assert.Equal(8, kv.LayersWithCache);

        // MLA (DeepSeek-V2-Lite: kv_lora_rank 512, qk_rope_head_dim 64, 27 layers — HF config): the compressed latent
        // plus the rotary key per token per layer: 27 × 1000 × (512 + 64) × 2 B = 31,104,000.
        var mla = baseArch with { LayerCount = 27, KvLoraRank = 512, QkRopeHeadDim = 64 };
        Assert.Equal(27L * 1000 * (512 + 64) * 2, KvCacheEstimator.Estimate(mla, 1000, TensorDataType.F16).Bytes);
    }

    [Fact]
    public void Encoder_only_models_keep_no_cache_and_bad_arguments_throw()
    {
        var bert = Config("distilbert-base-uncased");
        Assert.Equal(0, KvCacheEstimator.Estimate(bert, 512).Bytes);
        Assert.Throws<ArgumentOutOfRangeException>(() => KvCacheEstimator.Estimate(bert, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => KvCacheEstimator.Estimate(Config("gpt2"), 10, sequences: 0));
    }
}
