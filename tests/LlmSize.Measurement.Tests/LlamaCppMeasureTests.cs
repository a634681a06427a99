using LlmSize.Core;
using LlmSize.Core.Precision;
using LlmSize.Measurement;
using LlmSize.Testing;

namespace LlmSize.Measurement.Tests;

/// <summary>Generated LLaMA-layout GGUF files (written once per test class by <see cref="SyntheticLlamaGguf"/> into a
/// temporary folder) that the measure tests run in llama.cpp.</summary>
public sealed class SyntheticModels : IDisposable
{
    /// <summary>Hidden 64, 2 layers, FFN 128, 4 query heads and 2 KV heads (GQA, head dim 16), vocab 512, F16 weights,
    /// trained context 128k (so a long context is the model's own, and only memory limits it).</summary>
    public static readonly SyntheticLlamaSpec Spec = new(Hidden: 64, Layers: 2, Ffn: 128, Heads: 4, KvHeads: 2, Vocab: 512, ContextLength: 131072);

    private readonly string _dir = Directory.CreateTempSubdirectory("llmsize-measure-").FullName;

    public SyntheticModels()
    {
        Gqa = Path.Combine(_dir, "synthetic-gqa-f16.gguf");
        SyntheticLlamaGguf.Write(Gqa, Spec, TensorDataType.F16);
        MissingTensor = Path.Combine(_dir, "synthetic-missing-attn-q.gguf");
        SyntheticLlamaGguf.Write(MissingTensor, Spec, TensorDataType.F16, omitTensor: "blk.1.attn_q.weight");
    }

    /// <summary>The full model.</summary>
    public string Gqa { get; }

    /// <summary>The same model without <c>blk.1.attn_q.weight</c>, which llama.cpp's loader requires.</summary>
    public string MissingTensor { get; }

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}

/// <summary><see cref="LlamaCppMeasure"/> end to end: fit's prediction, the refusal before loading, and a real
/// llama.cpp run (LLamaSharp 0.30.0 CPU backend) of small generated models. Structure and sanity bounds only; accuracy
/// of the speed model is reported by the benchmarks, not asserted here.</summary>
public sealed class LlamaCppMeasureTests(SyntheticModels models) : IClassFixture<SyntheticModels>
{
    private static MeasureRequest Request(string path, long context = 2048, int prompt = 32, int gen = 8) => new()
    {
        Model = ModelLoader.Load(path),
        ModelPath = path,
        Device = LlamaCppMeasure.ThisMachineCpu(threads: 2),
        ContextTokens = context,
        Threads = 2,
        PromptTokens = prompt,
        GenTokens = gen,
    };

    [Fact]
    public void Kv_cache_of_llama_cpp_equals_fit_to_the_byte()
    {
        var report = LlamaCppMeasure.Run(Request(models.Gqa));
        var b = report.Measurement.Buffers;

        // n_layer × n_ctx × (n_embd_k_gqa + n_embd_v_gqa) × 2 bytes (f16) = 2 × 2048 × (2 × 16 + 2 × 16) × 2 = 524,288
        // bytes = 0.50 MiB, which "%.2f MiB" prints exactly, so llama.cpp's printed figure is exact here too.
        const long expected = 2L * 2048 * (32 + 32) * 2;
        Assert.Equal(2048, b.KvCacheCells);
        Assert.Equal(2, b.KvCacheLayers);
        Assert.Equal(32, b.EmbdKGqa);
        Assert.Equal(32, b.EmbdVGqa);
        Assert.Equal(expected, b.KvCacheExactBytes);
        Assert.Equal(expected, b.KvCacheBytes);
        Assert.Equal(expected, report.Fit.Requested.Memory.KvCache.Bytes);
        var kv = Assert.Single(report.Terms, t => t.Name == "KV cache");
        Assert.Equal(0.0, kv.RelativeError);
    }

    [Fact]
    public void Measures_buffers_memory_and_speed_beside_fit()
    {
        var report = LlamaCppMeasure.Run(Request(models.Gqa));
        var m = report.Measurement;
        var mem = report.Fit.Requested.Memory;

        Assert.Equal(2048, m.ContextTokens);
        Assert.Equal(["model buffer (weights)", "KV cache", "compute buffer", "output buffer", "runtime overhead", "total vs peak growth",
            "total vs process peak", "load time", "prefill", "decode"], report.Terms.Select(t => t.Name));

        // Weights: llama.cpp's model buffer is the file's tensor data (memory-mapped), fit's weights term the tensors'
        // bytes; they differ by the printed rounding and GGUF's 32-byte alignment padding (≤ 31 bytes per tensor).
        int tensors = SyntheticModels.Spec.Tensors().Count();
        Assert.InRange(m.Buffers.ModelBufferBytes!.Value - mem.Weights.TotalBytes, -LlamaCppBufferReport.RoundingBytes,
            LlamaCppBufferReport.RoundingBytes + 31L * tensors);
        // Compute buffer: fit's term against the ggml scheduler's reservation; sanity bound ±25 %.
        Assert.InRange((double)mem.ComputeBufferBytes / m.Buffers.ComputeBufferBytes!.Value, 0.75, 1.25);
        // Output buffer: llama.cpp reserves one row of logits at context creation, n_vocab × 4 bytes = 512 × 4 = 2,048
        // bytes, printed "0.00 MiB" (the captured fixture log: 32,000 × 4 = 128,000 bytes, printed "0.12 MiB").
        Assert.InRange(m.Buffers.OutputBufferBytes!.Value, 0, 512L * 4 + LlamaCppBufferReport.RoundingBytes);
        Assert.Null(Assert.Single(report.Terms, t => t.Name == "output buffer").Predicted);

        Assert.True(m.PeakResidentBytes >= m.BaselineResidentBytes, "peak below the baseline");
        Assert.InRange(m.PeakGrowthBytes, 0, 2L << 30);
        Assert.True(m.LoadSeconds is > 0 and < 60, $"load {m.LoadSeconds} s");
        Assert.True(double.IsFinite(m.PrefillTokensPerSecond) && m.PrefillTokensPerSecond > 0);
        Assert.True(double.IsFinite(m.DecodeTokensPerSecond) && m.DecodeTokensPerSecond > 0);
        Assert.Equal(32, m.PromptTokens);
        Assert.Equal(8, m.GenTokens);
        foreach (var t in report.Terms.Where(t => t.RelativeError is not null)) Assert.True(double.IsFinite(t.RelativeError!.Value), t.Name);
    }

    [Fact]
    public void A_model_llama_cpp_refuses_is_an_input_error_with_llama_cpps_reason()
    {
        var e = Assert.Throws<InputException>(() => LlamaCppMeasure.Run(Request(models.MissingTensor)));

        Assert.Equal(InputErrorKind.InvalidRequest, e.Kind);
        Assert.Contains(models.MissingTensor, e.Message, StringComparison.Ordinal);
        Assert.Contains("llama.cpp refused the model", e.Message, StringComparison.Ordinal);
        // llama.cpp's loader (llama-model.cpp create_tensor): "missing tensor 'blk.1.attn_q.weight'".
        Assert.Contains("missing tensor 'blk.1.attn_q.weight'", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void A_context_too_large_for_the_memory_is_refused_by_fit_before_loading()
    {
        // 160 MiB of RAM: at 2048 tokens fit's total is ~103 MiB (100 MiB llama.cpp overhead assumption, 2.5 MiB compute
        // buffer, 0.5 MiB KV); at 131,072 tokens the KV cache alone is 2 × 131,072 × 64 × 2 = 32 MiB and the compute
        // buffer grows with the context, so it does not fit.
        var small = LlamaCppMeasure.ThisMachineCpu(threads: 2) with { RamBytes = 160L << 20, AppMemoryLimitBytes = 160L << 20 };
        Assert.True(LlamaCppMeasure.Predict(Request(models.Gqa) with { Device = small }).Requested.Fits);
        var request = Request(models.Gqa, context: 131_072) with
        {
            Device = small,
            // A path llama.cpp cannot open: had anything been loaded, the error would be a missing file, not fit's.
            ModelPath = Path.Combine(Path.GetTempPath(), "llmsize-not-there-" + Guid.NewGuid().ToString("N") + ".gguf"),
        };

        var e = Assert.Throws<InputException>(() => LlamaCppMeasure.Run(request));

        Assert.Equal(InputErrorKind.InvalidRequest, e.Kind);
        Assert.Contains("does not fit this machine at a context of 131072 tokens, so it was not loaded", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void A_missing_file_is_not_found_not_a_crash()
    {
        string path = Path.Combine(Path.GetTempPath(), "llmsize-not-there-" + Guid.NewGuid().ToString("N") + ".gguf");

        var e = Assert.Throws<InputException>(() => LlamaCppMeasurer.Measure(path, new LlamaCppRunOptions { ContextTokens = 512, Threads = 1, PromptTokens = 8, GenTokens = 1 }));

        Assert.Equal(InputErrorKind.NotFound, e.Kind);
        Assert.Contains(path, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Only_gguf_files_are_measured()
    {
        string onnx = RepoPaths.InShared("fixtures", "onnx", "light_bvlc_alexnet.onnx");
        var request = Request(models.Gqa) with { Model = ModelLoader.Load(onnx), ModelPath = onnx };

        var e = Assert.Throws<InputException>(() => LlamaCppMeasure.Predict(request));

        Assert.Contains("measure runs llama.cpp, which loads GGUF files", e.Message, StringComparison.Ordinal);
    }
}
