using LlmSize.Measurement;
using LlmSize.Testing;

namespace LlmSize.Measurement.Tests;

/// <summary>
/// <see cref="LlamaCppLogParser"/> on a real llama.cpp log: Data/llama-2-tiny-random.llamacpp.log was written by
/// <c>llmsize measure ../shared/fixtures/gguf/llama-2-tiny-random.gguf -c 2048 -t 2 -p 64 -n 16 --log FILE</c> on this
/// project's build machine (2026-12-04, LLamaSharp 0.30.0 CPU backend, AVX512 build), i.e. llama.cpp's own log callback
/// output, one "[Level] text" line per line llama.cpp logged.
/// </summary>
public sealed class LlamaCppLogParserTests
{
    private static IEnumerable<string> CapturedLog() =>
        File.ReadLines(Path.Combine(AppContext.BaseDirectory, "Data", "llama-2-tiny-random.llamacpp.log"))
            .Select(l => l[(l.IndexOf("] ", StringComparison.Ordinal) + 2)..]);

    [Fact]
    public void Parses_the_buffers_of_a_real_run_without_counting_the_kv_cache_twice()
    {
        var r = LlamaCppLogParser.Parse(CapturedLog());

        // "load_tensors:          CPU model buffer size =     0.98 MiB": 0.98 × 2^20 = 1,027,604.48 → 1,027,604.
        Assert.Equal(1_027_604, r.ModelBufferBytes);
        // "llama_kv_cache:        CPU KV buffer size =     0.06 MiB" and
        // "llama_kv_cache: size =    0.06 MiB (  2048 cells,   1 layers,  1/1 seqs), K (f16): 0.03 MiB, V (f16): 0.03 MiB"
        // report the same buffer: 0.06 × 2^20 = 62,914.56 → 62,915 once (not 125,829 for both lines).
        Assert.Equal(62_915, r.KvCacheBytes);
        Assert.Equal(1, r.KvCacheLineCount);
        Assert.Equal(2048, r.KvCacheCells);
        Assert.Equal(1, r.KvCacheLayers);
        Assert.Equal("f16", r.KvKeyType);
        Assert.Equal("f16", r.KvValueType);
        // "print_info: n_embd_k_gqa          = 8", "print_info: n_embd_v_gqa          = 8".
        Assert.Equal(8, r.EmbdKGqa);
        Assert.Equal(8, r.EmbdVGqa);
        // 1 layer × 2048 cells × (8 × 2 + 8 × 2) bytes = 65,536 bytes = 0.0625 MiB, which llama.cpp prints as 0.06.
        Assert.Equal(65_536, r.KvCacheExactBytes);
        Assert.InRange(r.KvCacheExactBytes!.Value - r.KvCacheBytes!.Value, -LlamaCppBufferReport.RoundingBytes, LlamaCppBufferReport.RoundingBytes);
        // "sched_reserve:        CPU compute buffer size =    62.53 MiB": 62.53 × 2^20 = 65,567,457.28 → 65,567,457.
        Assert.Equal(65_567_457, r.ComputeBufferBytes);
        // "llama_context:        CPU  output buffer size =     0.12 MiB": 0.12 × 2^20 = 125,829.12 → 125,829.
        Assert.Equal(125_829, r.OutputBufferBytes);
        Assert.Equal(5, r.Lines.Count);
    }

    [Fact]
    public void Falls_back_to_the_kv_buffer_lines_when_no_size_line_is_logged()
    {
        // The per-buffer line alone (as the captured log's line 156, without the summary line after it).
        var r = LlamaCppLogParser.Parse(["llama_kv_cache:        CPU KV buffer size =     0.06 MiB"]);

        Assert.Equal(62_915, r.KvCacheBytes);
        Assert.Null(r.KvCacheCells);
        Assert.Null(r.KvCacheExactBytes);
    }

    [Fact]
    public void Leaves_unlogged_figures_null()
    {
        var r = LlamaCppLogParser.Parse(["print_info: file type   = F16", "llama_context: n_ctx         = 2048"]);

        Assert.Null(r.ModelBufferBytes);
        Assert.Null(r.KvCacheBytes);
        Assert.Null(r.ComputeBufferBytes);
        Assert.Null(r.OutputBufferBytes);
        Assert.Null(r.KvCacheExactBytes);
        Assert.Empty(r.Lines);
    }

    [Fact]
    public void Failure_reason_is_the_last_error_lines()
    {
        // The error-level lines llama.cpp logged for the generated model without blk.1.attn_q.weight (the
        // LlamaCppMeasureTests refusal case), as `llmsize measure` printed them here (2026-12-04).
        var lines = new List<LlamaCppLogLine>
        {
            new(LLama.Native.LLamaLogLevel.Info, "llama_model_loader: - kv   0:                       general.architecture str              = llama"),
            new(LLama.Native.LLamaLogLevel.Error, "llama_model_load: error loading model: missing tensor 'blk.1.attn_q.weight'"),
            new(LLama.Native.LLamaLogLevel.Error, "llama_model_load_from_file_impl: failed to load model"),
        };

        Assert.Equal("llama_model_load: error loading model: missing tensor 'blk.1.attn_q.weight'; llama_model_load_from_file_impl: failed to load model",
            LlamaCppLogParser.FailureReason(lines));
        Assert.Null(LlamaCppLogParser.FailureReason(lines.Take(1).ToList()));
    }
}
