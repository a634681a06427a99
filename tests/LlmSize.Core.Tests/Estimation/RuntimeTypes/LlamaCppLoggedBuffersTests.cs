using LlmSize.Core.Estimation;
using LlmSize.Core.Models.Architectures;
using LlmSize.Core.Tests.Infrastructure;

namespace LlmSize.Core.Tests.Estimation.RuntimeTypes;

/// <summary>
/// LlmSize's llama.cpp terms against llama.cpp's own log for the same settings, on the 1-layer fixture
/// ../shared/fixtures/gguf/llama-2-tiny-random.gguf (vocab 32,000, hidden 8, 2 heads × 4, 2 KV heads).
/// Reference output: llama.cpp as shipped in LLamaSharp 0.30.0 (LLamaSharp.Backend.Cpu 0.30.0), CPU backend,
/// ModelParams { ContextSize, BatchSize = 2048, UBatchSize, FlashAttention, SeqMax, KVUnified }, run 2026-12-04; the
/// lines quoted are its <c>llama_context</c>, <c>llama_kv_cache</c> and <c>sched_reserve</c> log lines.
/// KV is compared exactly (cells and bytes), the compute buffer within ±5%.
/// </summary>
public sealed class LlamaCppLoggedBuffersTests
{
    private static ModelArchitecture Tiny() => ModelLoader.Load(TestPaths.Fixture("gguf", "llama-2-tiny-random.gguf")).Architecture!;

    [Theory]
    // n_ctx  fa   ub   seqs split | logged cells, logged "CPU compute buffer size" (MiB)
    // 2048   off  512  1          | 2048 cells,  62.55  — output stage 512 × (32,000 + 8) × 4 B = 62.52 MiB
    // 8192   off  512  1          | 8192 cells,  62.55  — attention 512 × (8192 × 3 + 32) × 4 B = 48.06 MiB is smaller
    // 32768  off  512  1          | 32768 cells, 192.12 — attention 512 × (32,768 × (2 heads + 1 mask) + 4 × 8) × 4 B = 192.06 MiB
    // 32768  on   512  1          | 32768 cells, 62.53  — flash attention: output stage again
    // 131072 on   512  1          | 131072 cells, 128.11 — f16 mask 131,072 × 512 × 2 B + 512 × 4 × 8 × 4 B = 128.06 MiB
    // 8192   off  128  1          | 8192 cells,  15.64  — output stage 128 × 32,008 × 4 B = 15.63 MiB
    // 1000   off  512  1          | 1024 cells ("n_ctx = 1024"), 62.55
    // 8192   off  512  3 split    | "rounding down to 8448", n_ctx_seq 2816, 2816 cells × 3 streams, 62.55
    // 8192   off  512  3 unified  | 8192 cells (3/1 seqs), 62.55
    // 32768  off  512  4 split    | n_ctx_seq 8192: attention over 8192 cells per stream = 48.06 MiB < output, 62.55
    [InlineData(2048, false, 512, 1, false, 2048, 62.55)]
    [InlineData(8192, false, 512, 1, false, 8192, 62.55)]
    [InlineData(32768, false, 512, 1, false, 32768, 192.12)]
    [InlineData(32768, true, 512, 1, false, 32768, 62.53)]
    [InlineData(131072, true, 512, 1, false, 131072, 128.11)]
    [InlineData(8192, false, 128, 1, false, 8192, 15.64)]
    [InlineData(1000, false, 512, 1, false, 1024, 62.55)]
    [InlineData(8192, false, 512, 3, false, 8448, 62.55)]
    [InlineData(8192, false, 512, 3, true, 8192, 62.55)]
    [InlineData(32768, false, 512, 4, false, 32768, 62.55)]
    public void Terms_match_the_llama_cpp_log(long context, bool flash, int ubatch, int parallel, bool unified, long loggedCells, double loggedComputeMiB)
    {
        var settings = new RuntimeSettings
        {
            FlashAttention = flash ? FlashAttentionMode.On : FlashAttentionMode.Off, UbatchTokens = ubatch, Parallel = parallel, KvUnified = unified,
        };
        var m = MemoryEstimator.Estimate(Tiny(), Runtimes.LlamaCpp, Runtimes.LlamaCpp.FindFormat("F16"), context, settings: settings);
        // KV exact: 1 layer × 2 (K, V) × 2 KV heads × 4 × 2 B = 32 B per cell.
        Assert.Equal(loggedCells, m.KvCache.ContextTokens);
        Assert.Equal(loggedCells * 32, m.KvCache.Bytes);
        Assert.InRange(m.ComputeBufferBytes / (loggedComputeMiB * 1024 * 1024), 0.95, 1.05);
    }
}
