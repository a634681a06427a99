using LlmSize.Core.Models;
using LlmSize.Core.Models.Architectures;
using LlmSize.Core.Precision;

namespace LlmSize.Core.Estimation;

/// <summary>
/// llama.cpp (GGUF): CPU or GPU with full or partial offload by layers (<c>-ngl</c>), weights memory-mapped, the
/// file types of llama-quantize as its ladder.
/// </summary>
/// <remarks>
/// Compute buffers: n_ubatch (512) tokens × (3 × FFN width + 4 × hidden) × 4 bytes (f32 graph activations; flash
/// attention on, so no n_ctx × n_ubatch score matrix) plus one row of logits (only the last token's are output).
/// KV cache: only architectures that set <c>swa_type</c> get the interleaved SWA cache (<c>llama_kv_cache_iswa</c>):
/// Gemma 2, Gemma 3 / 3n, Cohere 2, GPT-OSS (128-token window on alternate layers). Mistral v0.1 is converted to the <c>llama</c> architecture, which has no SWA;
/// Phi-3's SWA is disabled ("Phi SWA is currently disabled", llama.cpp PR 13676).
/// </remarks>
public sealed class LlamaCppRuntime : RuntimeProfile
{
    /// <summary>Families (HF model_type and GGUF general.architecture) whose windows llama.cpp's SWA cache honours.</summary>
    public static IReadOnlySet<string> SlidingWindowFamilies { get; } = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
    {
        "gemma2", "gemma3", "gemma3_text", "gemma3n", "cohere2", "gpt_oss", "gpt-oss",
    };

    /// <summary>Creates the profile (use <see cref="Runtimes.LlamaCpp"/>).</summary>
    [System.Diagnostics.CodeAnalysis.SetsRequiredMembers]
    internal LlamaCppRuntime()
    {
        Id = "llama.cpp";
        DisplayName = "llama.cpp (GGUF)";
        Formats =
        [
            Gguf(LlamaFileType.F16, "16-bit float weights"),
            Gguf(LlamaFileType.Q8_0, "8-bit, blocks of 32 with an f16 scale (8.5 bpw)"),
            Gguf(LlamaFileType.Q6_K, "6-bit k-quant (6.56 bpw)"),
            Gguf(LlamaFileType.Q5_K_M, "5-bit k-quant mix, Q6_K for sensitive tensors"),
            Gguf(LlamaFileType.Q5_K_S, "5-bit k-quant"),
            Gguf(LlamaFileType.Q4_K_M, "4-bit k-quant mix, Q6_K for output and some attn_v/ffn_down"),
            Gguf(LlamaFileType.Q4_K_S, "4-bit k-quant"),
            Gguf(LlamaFileType.Q4_0, "4-bit, blocks of 32 with an f16 scale (4.5 bpw)"),
            Gguf(LlamaFileType.IQ4_XS, "4.25-bpw i-quant"),
            Gguf(LlamaFileType.Q3_K_M, "3-bit k-quant mix"),
            Gguf(LlamaFileType.Q3_K_S, "3-bit k-quant"),
            Gguf(LlamaFileType.Q2_K, "2-bit k-quant mix"),
            Gguf(LlamaFileType.IQ2_XXS, "2.06-bpw i-quant (needs an importance matrix for quality)"),
        ];
        DefaultFormat = "Q4_K_M";
        LadderStart = "F16";
        Targets = [ExecutionTarget.NativeGpu, ExecutionTarget.NativeCpu];
        OverheadBytes = 100L << 20;
        OverheadSource = "process, ggml backend context, vocabulary and graph metadata; assumption (a CUDA context adds a further ~200–300 MiB of driver memory on NVIDIA GPUs, not counted)";
        PrefillChunkTokens = 512;
        SupportsPartialOffload = true;
        MemoryMapsWeights = true;
        NativeFileFormats = [ModelFileFormat.Gguf];
    }

    /// <summary>A file type by llama-quantize's spellings (aliases such as "Q4_K", ids such as "15", <c>LLAMA_FTYPE_…</c>):
    /// the ladder's rung of that type, else every other <c>llama_ftype</c> llama.cpp loads (BF16, F32, Q4_1, Q5_0, Q5_1,
    /// Q3_K_L, Q2_K_S, the IQ and TQ types), checked when named (<c>--quant BF16</c>) or stored in a GGUF, never walked.</summary>
    /// <param name="name">A file type name or id as llama-quantize accepts it.</param>
    /// <returns>The format (the same instance for the same type), or null when the name is no llama.cpp file type.</returns>
    /// <remarks>Source: llama.h <c>enum llama_ftype</c> (../shared/reference/llama-ftypes.csv lists it with ids).</remarks>
    protected override WeightFormat? FindByRuntimeRules(string name)
    {
        if (!LlamaFileTypes.TryParse(name, out var type)) return null;
        return Formats.OfType<GgufWeightFormat>().FirstOrDefault(f => f.FileType == type)
            ?? OffLadder.GetOrAdd(type, static t => Gguf(t, OffLadderDescription(t)));
    }

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<LlamaFileType, GgufWeightFormat> OffLadder = new();

    private static string OffLadderDescription(LlamaFileType t)
    {
        var type = LlamaFileTypes.DefaultType(t);
        double bits = type.BitsPerElement;
        return $"{LlamaFileTypes.Name(t)}: {type} ({bits.ToString("0.####", System.Globalization.CultureInfo.InvariantCulture)} bpw) for most matrices, llama-quantize's per-tensor rules for the rest";
    }

    private static GgufWeightFormat Gguf(LlamaFileType t, string description) => new()
    {
        Name = LlamaFileTypes.Name(t),
        FileType = t,
        Description = description,
        Source = "llama.cpp src/llama-quant.cpp type rules; ggml block sizes (ggml.c type_traits)",
    };

    /// <summary>A GGUF's own file type (<c>general.file_type</c>, e.g. 15 = Q4_K_M): what llama.cpp loads as stored.</summary>
    /// <param name="model">The model.</param>
    /// <returns>The matching format of the ladder, or null (not a GGUF, no file type, or a type not on the ladder).</returns>
    public override WeightFormat? StoredFormat(ModelInventory model)
    {
        ArgumentNullException.ThrowIfNull(model);
        return model.GgufFileType is { } type ? FindFormat(LlamaFileTypes.Name(type)) : null;
    }

    /// <inheritdoc />
    public override (long Bytes, string How) ComputeBuffers(ModelArchitecture architecture, WeightFormat format, long contextTokens)
    {
        ArgumentNullException.ThrowIfNull(architecture);
        var a = architecture;
        long chunk = Math.Min(PrefillChunkTokens, contextTokens);
        long ffn = ActiveFfnWidth(a);
        long h = a.HiddenSize;
        long bytes = (chunk * (3 * ffn + 4 * h) + a.VocabSize) * 4;
        return (bytes, $"ggml graph for n_ubatch {chunk}: {chunk} × (3 × {ffn} FFN + 4 × {h} hidden) × 4 B + one row of {a.VocabSize} logits (llama.cpp outputs logits for the last token only; flash attention on)");
    }

    /// <inheritdoc />
    public override (ModelArchitecture Architecture, string? Note) KvCacheView(ModelArchitecture architecture)
    {
        ArgumentNullException.ThrowIfNull(architecture);
        if (architecture.SlidingWindow is not > 0 || SlidingWindowFamilies.Contains(architecture.Family)) return (architecture, null);
        return (architecture with { SlidingWindow = null, SlidingWindowLayers = null },
            $"llama.cpp has no sliding-window cache for {architecture.Family}: every layer caches the whole context");
    }
}
