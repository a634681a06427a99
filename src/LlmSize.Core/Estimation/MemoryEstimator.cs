using LlmSize.Core.Models.Architectures;
using LlmSize.Core.Precision;

namespace LlmSize.Core.Estimation;

/// <summary>One term of a memory estimate, with what it includes.</summary>
/// <param name="Name">"weights", "KV cache", "compute buffers", "runtime overhead".</param>
/// <param name="Bytes">Bytes.</param>
/// <param name="How">The formula or source.</param>
public sealed record MemoryTerm(string Name, long Bytes, string How);

/// <summary>
/// Runtime memory of a model in one runtime and format: weights + KV cache + compute buffers + overhead, each term
/// reported separately with how it was computed.
/// </summary>
public sealed record MemoryEstimate
{
    /// <summary>The runtime.</summary>
    public required RuntimeProfile Runtime { get; init; }

    /// <summary>The weight storage format.</summary>
    public required WeightFormat Format { get; init; }

    /// <summary>Context length (tokens) the KV cache and buffers are sized for.</summary>
    public required long ContextTokens { get; init; }

    /// <summary>True when the user gave no context and <see cref="MemoryEstimator.DefaultContextTokens"/> (or the model's
    /// shorter maximum) was used.</summary>
    public required bool ContextDefaulted { get; init; }

    /// <summary>Weight bytes in <see cref="Format"/>.</summary>
    public required WeightBytes Weights { get; init; }

    /// <summary>The KV-cache estimate.</summary>
    public required KvCacheEstimate KvCache { get; init; }

    /// <summary>Compute / temporary buffer bytes.</summary>
    public required long ComputeBufferBytes { get; init; }

    /// <summary>Fixed runtime overhead bytes.</summary>
    public required long OverheadBytes { get; init; }

    /// <summary>The terms, in display order.</summary>
    public required IReadOnlyList<MemoryTerm> Terms { get; init; }

    /// <summary>Sum of the terms, in bytes.</summary>
    public long TotalBytes => Weights.TotalBytes + KvCache.Bytes + ComputeBufferBytes + OverheadBytes;
}

/// <summary>
/// Estimates runtime memory from a <see cref="ModelArchitecture"/> alone (no files): weights in the runtime's format,
/// KV cache for the context, compute buffers for one prefill chunk, and the runtime's fixed overhead.
/// </summary>
/// <remarks>
/// Compute buffers, per runtime (documented in README "How estimates are made"):
/// <list type="bullet">
/// <item>llama.cpp: n_ubatch (512) tokens × (3 × FFN width + 4 × hidden) × 4 bytes (f32 graph activations; flash
/// attention on, so no n_ctx × n_ubatch score matrix) plus one row of logits (only the last token's are output).</item>
/// <item>WebLLM: the largest static memory plan among the model library's functions, with prefill_chunk_size 1024
/// (WebLLM's prebuilt libraries are compiled <c>_cs1k</c>): chunk × (2 × MLP up-projection + 4 × hidden) at the
/// activation width (f16 for q*f16, f32 for q*f32), plus f32 logits for the whole chunk when MLC's model declares a
/// constant vocabulary (<see cref="MlcModelDefinitions.HasStaticVocabularyHead"/>: Qwen, StableLM, OLMo …), else for
/// the last position. The KV cache follows MLC's window rules (<see cref="MlcModelDefinitions.ApplyKvCacheRules"/>).</item>
/// <item>Transformers.js / ONNX Runtime: the exported decoder returns logits for every input position in f32, so a
/// prompt chunk of 512 tokens costs 512 × vocab × 4 bytes, plus the FFN activation.</item>
/// <item>MediaPipe: one prefill chunk of FFN activations in f32.</item>
/// </list>
/// </remarks>
public static class MemoryEstimator
{
    /// <summary>Context length used when the user gives none: 4096 tokens (never silently the training maximum).</summary>
    public const long DefaultContextTokens = 4096;

    /// <summary>Estimates memory.</summary>
    /// <param name="architecture">Hyper-parameters.</param>
    /// <param name="runtime">Runtime.</param>
    /// <param name="format">Weight format; null = the runtime's default.</param>
    /// <param name="contextTokens">Context tokens; null = <see cref="DefaultContextTokens"/> capped at the model's maximum.</param>
    /// <param name="kvCacheType">KV-cache element type override (llama.cpp <c>--cache-type-k/v</c>); null = the format's.</param>
    /// <param name="sequences">Parallel sequences.</param>
    /// <returns>The estimate.</returns>
    /// <exception cref="ArgumentException">The format does not belong to the runtime, or the context is below 1.</exception>
    public static MemoryEstimate Estimate(ModelArchitecture architecture, RuntimeProfile runtime, WeightFormat? format = null,
        long? contextTokens = null, TensorDataType? kvCacheType = null, int sequences = 1)
    {
        ArgumentNullException.ThrowIfNull(architecture);
        ArgumentNullException.ThrowIfNull(runtime);
        format ??= runtime.FindFormat(runtime.DefaultFormat)!;
        if (!runtime.Formats.Contains(format))
        {
            throw new ArgumentException($"Format '{format.Name}' is not a {runtime.DisplayName} format; it has: {string.Join(", ", runtime.Formats.Select(f => f.Name))}.", nameof(format));
        }

        bool defaulted = contextTokens is null;
        long context = contextTokens ?? (architecture.ContextLength > 0 ? Math.Min(DefaultContextTokens, architecture.ContextLength) : DefaultContextTokens);
        if (context < 1) throw new ArgumentException($"Context must be at least 1 token, got {context}.", nameof(contextTokens));

        var weights = format.ComputeBytes(architecture, ParameterCalculator.EnumerateWeights(architecture));
        var (kvArchitecture, kvNote) = KvCacheRules.Apply(runtime, architecture);
        var kv = KvCacheEstimator.Estimate(kvArchitecture, context, kvCacheType ?? format.KvCacheType, sequences);
        var (compute, computeHow) = ComputeBuffers(architecture, runtime, format, context);
        var terms = new List<MemoryTerm>
        {
            new("weights", weights.TotalBytes, $"{format.Name}: {weights.BitsPerWeight:0.00} bits per weight on average ({format.Source})"),
            new("KV cache", kv.Bytes, kvNote is null ? kv.Formula : $"{kv.Formula} ({kvNote})"),
            new("compute buffers", compute, computeHow),
            new("runtime overhead", runtime.OverheadBytes, runtime.OverheadSource),
        };
        return new MemoryEstimate
        {
            Runtime = runtime,
            Format = format,
            ContextTokens = context,
            ContextDefaulted = defaulted,
            Weights = weights,
            KvCache = kv,
            ComputeBufferBytes = compute,
            OverheadBytes = runtime.OverheadBytes,
            Terms = terms,
        };
    }

    private static (long Bytes, string How) ComputeBuffers(ModelArchitecture a, RuntimeProfile runtime, WeightFormat format, long context)
    {
        long chunk = Math.Min(runtime.PrefillChunkTokens, context);
        long ffn = a.IsMixtureOfExperts ? (a.ExpertIntermediateSize ?? a.IntermediateSize) * Math.Max(1, a.ActiveExpertCount) : a.IntermediateSize;
        bool gated = a.Mlp != MlpKind.Plain;
        long h = a.HiddenSize;
        switch (runtime.Id)
        {
            case "webllm":
            {
                // MLC's model library reports, per compiled function, the bytes its static memory plan allocates with
                // seq_len ≤ prefill_chunk_size; WebLLM's vram_required_MB and MLC's engine (cpp/serve/config.cc) take
                // the maximum over functions. Activations: ≈ 2 × the MLP input projection (gate+up for gated MLPs)
                // + 4 × hidden per chunk token at the activation width (f16 for q*f16, f32 for q*f32), as measured
                // against WebLLM's published rows. Logits: f32 for every chunk position when the head's vocabulary is
                // a compile-time constant (batch_verify), else for the last position only.
                int act = format.KvCacheType == TensorDataType.F32 ? 4 : 2;
                long upProjection = (gated ? 2 : 1) * ffn;
                long activations = chunk * (2 * upProjection + 4 * h) * act;
                bool staticHead = MlcModelDefinitions.HasStaticVocabularyHead(a);
                long logits = (staticHead ? chunk : 1) * a.VocabSize * 4;
                string logitsHow = staticHead
                    ? $" + f32 logits for all {chunk} chunk positions × {a.VocabSize} vocab × 4 B (MLC's {a.Family} head has a constant vocabulary, so batch_verify's output is planned)"
                    : " + last-position f32 logits";
                return (activations + logits,
                    $"MLC static memory plan for a {chunk}-token prefill chunk: {chunk} × (2 × {upProjection} MLP up-projection + 4 × {h} hidden) × {act} B{logitsHow}");
            }

            case "transformers.js" or "onnxruntime":
            {
                long bytes = chunk * (a.VocabSize + (gated ? 2 : 1) * ffn + 2 * h) * 4;
                return (bytes, $"ONNX decoder prefill of {chunk} tokens: logits for every position ({a.VocabSize} × 4 B) + FFN activations, f32");
            }

            case "llama.cpp":
            {
                long bytes = (chunk * (3 * ffn + 4 * h) + a.VocabSize) * 4;
                return (bytes, $"ggml graph for n_ubatch {chunk}: {chunk} × (3 × {ffn} FFN + 4 × {h} hidden) × 4 B + one row of {a.VocabSize} logits (llama.cpp outputs logits for the last token only; flash attention on)");
            }

            default:
            {
                long bytes = chunk * ((gated ? 2 : 1) * ffn + 2 * h) * 4;
                return (bytes, $"one prefill chunk of {chunk} tokens of FFN activations, f32");
            }
        }
    }
}
