using LlmSize.Core.Estimation;
using LlmSize.Core.Estimation.Fit;
using LlmSize.Core.Formats.HfConfig;
using LlmSize.Core.Models.Architectures;
using LlmSize.Core.Models.Catalog;
using LlmSize.Core.Tests.Infrastructure;

namespace LlmSize.Core.Tests.Estimation;

/// <summary>
/// WebLLM's memory terms that follow MLC LLM's own model definitions (mlc-ai/mlc-llm python/mlc_llm/model): the
/// static memory plan of a 1024-token prefill chunk, chunk-wide logits for constant-vocabulary heads, and MLC's
/// sliding-window rules. Expected values are derived by hand from the shared configs; the arithmetic is beside each.
/// </summary>
public class MlcModelDefinitionsTests
{
    private static ModelArchitecture Config(string name) => HfConfigReader.Read(TestPaths.Fixture("configs", name, "config.json"));

    private static MemoryEstimate WebLlm(ModelArchitecture arch, string format, long context) =>
        MemoryEstimator.Estimate(arch, Runtimes.WebLlm, Runtimes.WebLlm.FindFormat(format), context);

    [Fact]
    public void Qwen2_head_has_a_constant_vocabulary_so_chunk_wide_logits_are_planned()
    {
        // qwen2_model.py: nn.Linear(config.hidden_size, config.vocab_size) → batch_verify's [1, seq_len ≤ 1024, 151936]
        // f32 output is bounded and planned. qwen2-0.5b: hidden 896, intermediate 4864 (gated → up-projection 9728).
        // activations 1024 × (2 × 9728 + 4 × 896) × 2 B = 47,185,920; logits 1024 × 151,936 × 4 B = 622,329,856.
        var estimate = WebLlm(Config("qwen2-0.5b"), "q4f16_1", 4096);
        Assert.True(MlcModelDefinitions.HasStaticVocabularyHead(Config("qwen2-0.5b")));
        Assert.Equal(1024L * (2 * 9728 + 4 * 896) * 2 + 1024L * 151_936 * 4, estimate.ComputeBufferBytes);
        Assert.Contains("batch_verify", estimate.Terms.Single(t => t.Name == "compute buffers").How, StringComparison.Ordinal);
    }

    [Fact]
    public void Llama_head_has_a_symbolic_vocabulary_so_only_the_last_position_is_planned()
    {
        // llama_model.py: nn.Linear(config.hidden_size, "vocab_size") — unbounded, not planned. llama-3.2-1b: hidden 2048,
        // intermediate 8192 (up-projection 16384): 1024 × (2 × 16384 + 4 × 2048) × 2 B = 83,886,080 + 128,256 × 4 B.
        var arch = Config("llama-3.2-1b");
        Assert.False(MlcModelDefinitions.HasStaticVocabularyHead(arch));
        Assert.Equal(1024L * (2 * 16384 + 4 * 2048) * 2 + 128_256L * 4, WebLlm(arch, "q4f16_1", 4096).ComputeBufferBytes);
        // q4f32_1 computes in f32: activations double, 4 B each.
        Assert.Equal(1024L * (2 * 16384 + 4 * 2048) * 4 + 128_256L * 4, WebLlm(arch, "q4f32_1", 4096).ComputeBufferBytes);
    }

    [Fact]
    public void Chunk_is_capped_by_the_context()
    {
        // 512-token context → seq_len ≤ 512: 512 × (19456 + 3584) × 2 + 512 × 151,936 × 4 = 334,757,888.
        Assert.Equal(512L * (19456 + 3584) * 2 + 512L * 151_936 * 4, WebLlm(Config("qwen2-0.5b"), "q4f16_1", 512).ComputeBufferBytes);
    }

    [Fact]
    public void Phi3_caches_the_whole_context_on_every_layer()
    {
        // Phi-3-mini-4k's HF config has sliding_window 2047, which MLC's phi3 model does not implement:
        // 32 layers × 2 × 4096 tokens × 32 kv heads × 96 head_dim × 2 B = 1,610,612,736 (1.5 GiB).
        Assert.True(ModelCatalog.Default.TryFind("phi-3-mini-4k-instruct", out var entry));
        var arch = HfConfigReader.Parse(entry!.Config!.Value, entry.Id);
        var webllm = WebLlm(arch, "q4f16_1", 4096);
        Assert.Equal(32L * 2 * 4096 * 32 * 96 * 2, webllm.KvCache.Bytes);
        Assert.Contains("phi3", webllm.Terms.Single(t => t.Name == "KV cache").How, StringComparison.Ordinal);
        // llama.cpp disabled Phi-3's SWA ("Phi SWA is currently disabled", PR 13676): the whole context too.
        Assert.Equal(32L * 2 * 4096 * 32 * 96 * 2, MemoryEstimator.Estimate(arch, Runtimes.LlamaCpp, null, 4096).KvCache.Bytes);
    }

    [Fact]
    public void Gemma2_caps_every_layer_at_the_window()
    {
        // MLC's gemma2 sets context_window_size = sliding_window (4096) with full attention on all 26 layers:
        // 26 × 2 × 4096 × 4 kv heads × 256 × 2 B = 436,207,616 at an 8192-token request (llama.cpp: 654,311,424, see
        // KvCacheEstimatorTests).
        Assert.Equal(26L * 2 * 4096 * 4 * 256 * 2, WebLlm(Config("gemma-2-2b"), "q4f16_1", 8192).KvCache.Bytes);
    }

    [Fact]
    public void Mistral_records_disable_the_window()
    {
        // WebLLM's Mistral records override sliding_window_size: -1, so 8192 tokens are all cached:
        // 32 × 2 × 8192 × 8 × 128 × 2 B = 1,073,741,824. llama.cpp converts Mistral v0.1 to the llama architecture,
        // which has no sliding-window cache: the same 1 GiB.
        var arch = Config("mistral-7b-v0.1");
        Assert.Equal(32L * 2 * 8192 * 8 * 128 * 2, WebLlm(arch, "q4f16_1", 8192).KvCache.Bytes);
        Assert.Equal(32L * 2 * 8192 * 8 * 128 * 2, MemoryEstimator.Estimate(arch, Runtimes.LlamaCpp, null, 8192).KvCache.Bytes);
    }

    [Fact]
    public void Llama_cpp_keeps_gemma2_windows_and_onnx_keeps_none()
    {
        // llama.cpp's iSWA cache for Gemma 2 (src/llama-kv-cache-iswa.cpp): the 13 sliding layers keep
        // GGML_PAD(min(8192, 4096 window + 512 n_ubatch), 256) = 4608 cells, the 13 global layers 8192, at 4096 B per
        // token-layer: 13 × 4608 × 4096 + 13 × 8192 × 4096 = 681,574,400. Transformers.js passes every past key/value
        // back in: 26 × 8192 × 4096 B = 872,415,232.
        var arch = Config("gemma-2-2b");
        var llama = MemoryEstimator.Estimate(arch, Runtimes.LlamaCpp, null, 8192);
        Assert.Equal(13L * 4608 * 4096 + 13L * 8192 * 4096, llama.KvCache.Bytes);
        Assert.Contains("= 4608 cells", llama.Terms.Single(t => t.Name == "KV cache").How, StringComparison.Ordinal);
        var onnx = MemoryEstimator.Estimate(arch, Runtimes.TransformersJs, Runtimes.TransformersJs.FindFormat("q4f16"), 8192);
        Assert.Equal(26L * 8192 * 4096, onnx.KvCache.Bytes);
        Assert.Contains("window does not shrink", onnx.Terms.Single(t => t.Name == "KV cache").How, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("qwen2", true)]
    [InlineData("qwen3", true)]
    [InlineData("qwen2moe", true)] // GGUF spelling
    [InlineData("stablelm", true)]
    [InlineData("olmo2", true)]
    [InlineData("llama", false)]
    [InlineData("phi", false)]
    [InlineData("phi3", false)]
    [InlineData("gemma2", false)]
    [InlineData("gpt_neox", false)]
    public void Head_kind_follows_mlc_model_files(string family, bool staticHead)
    {
        var arch = Config("qwen2-0.5b") with { Family = family };
        Assert.Equal(staticHead, MlcModelDefinitions.HasStaticVocabularyHead(arch));
    }
}
