using LlmSize.Core.Models;
using LlmSize.Core.Models.Architectures;
using LlmSize.Core.Precision;

namespace LlmSize.Core.Estimation;

/// <summary>
/// llama.cpp (GGUF): CPU or GPU with full or partial offload by layers (<c>-ngl</c>), weights memory-mapped, the
/// file types of llama-quantize as its ladder.
/// </summary>
/// <remarks>
/// Compute buffers: the peak stage of the graph llama.cpp reserves for n_ubatch tokens (<see cref="ComputeBuffers(ModelArchitecture, WeightFormat, long, RuntimeSettings)"/>):
/// the f32 attention scores without flash attention, else usually the logits of the whole batch.
/// Settings (<see cref="RuntimeSettings"/>): <c>-ctk/-ctv</c>, <c>-fa</c>, <c>-ngl</c>, <c>-b/-ub</c>, <c>-np</c>,
/// <c>--kv-unified</c>, <c>--no-mmap</c>.
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
    /// <remarks>Source: llama.h <c>enum llama_ftype</c> (https://github.com/ggml-org/llama.cpp/blob/master/include/llama.h).</remarks>
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
        Source = "llama-quantize type rules and ggml block sizes (github.com/ggml-org/llama.cpp: src/llama-quant.cpp, ggml/src/ggml.c type_traits)",
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
    public override (long Bytes, string How) ComputeBuffers(ModelArchitecture architecture, WeightFormat format, long contextTokens) =>
        ComputeBuffers(architecture, format, contextTokens, RuntimeSettings.Default);

    /// <summary>KV cells padding of llama.cpp: n_ctx and, for split sequences, n_ctx_seq are rounded up to a multiple of
    /// 256 (<c>GGML_PAD(cparams.n_ctx, 256)</c> in src/llama-context.cpp).</summary>
    public const int ContextPadding = 256;

    /// <summary>
    /// The largest compute buffer of llama.cpp's worst-case graph, which it reserves at start-up for
    /// n_tokens = min(n_ctx, n_ubatch) tokens with as many outputs (<c>sched_reserve</c>: <c>n_outputs_pp =
    /// min(n_tokens, n_outputs_max)</c>, n_outputs_max = n_batch). ggml-alloc frees each tensor after its last use, so the
    /// buffer is the peak of one stage, not their sum; the stages (all f32, 4 B):
    /// <list type="bullet">
    /// <item>attention without flash attention: the scores KQ (n_kv × n_tokens × n_head; soft_max runs in place) and
    /// the f32 mask (n_kv × n_tokens), plus 4 hidden-wide activations;</item>
    /// <item>attention with flash attention: the f16 mask (n_kv × n_tokens × 2 B) plus 4 hidden-wide activations;</item>
    /// <item>FFN: 3 FFN-wide (gate, up, product) and 4 hidden-wide activations;</item>
    /// <item>output: the logits of every token of the batch (n_vocab × n_tokens) and the final norm.</item>
    /// </list>
    /// n_kv is the cells one sequence's stream holds (n_ctx, or n_ctx_seq with <c>-np</c> and no <c>--kv-unified</c>).
    /// Checked against published logs: Mistral 7B with flash attention off at n_ctx 2048 / 32768 logs 164.00 / 2144.00
    /// MiB (fedora-copr/logdetective PR 106), which the attention stage gives exactly.
    /// </summary>
    /// <param name="architecture">Hyper-parameters.</param>
    /// <param name="format">Weight format (not used: activations are f32 whatever the weights).</param>
    /// <param name="contextTokens">Context asked (<c>-c</c>).</param>
    /// <param name="settings">Flash attention, batch, sequences.</param>
    /// <returns>Bytes (one GPU's compute buffer) and the arithmetic.</returns>
    public override (long Bytes, string How) ComputeBuffers(ModelArchitecture architecture, WeightFormat format, long contextTokens, RuntimeSettings settings)
    {
        ArgumentNullException.ThrowIfNull(architecture);
        ArgumentNullException.ThrowIfNull(settings);
        var a = architecture;
        var (cells, perSequence, _) = KvCacheCells(contextTokens, settings);
        long tokens = Math.Min(settings.EffectiveUbatchTokens, cells);
        long nKv = perSequence;
        long ffn = ActiveFfnWidth(a);
        long h = a.HiddenSize;
        long heads = a.AttentionHeadCount;
        bool fa = settings.FlashAttentionOn;
        long attention = fa
            ? tokens * 4 * h * 4 + tokens * nKv * 2
            : tokens * (nKv * (heads + 1) + 4 * h) * 4;
        long feedForward = tokens * (3 * ffn + 4 * h) * 4;
        long output = tokens * (a.VocabSize + h) * 4;
        long bytes = Math.Max(attention, Math.Max(feedForward, output));
        string stage = bytes == attention ? "attention" : bytes == output ? "output" : "FFN";
        string attentionHow = fa
            ? $"attention {tokens} × (4 × {h} × 4 B) + f16 mask {nKv} × {tokens} × 2 B (flash attention {(settings.FlashAttention == FlashAttentionMode.Auto ? "auto → on" : "on")})"
            : $"attention {tokens} × ({nKv} n_kv × ({heads} heads + 1 mask) + 4 × {h}) × 4 B (flash attention off: f32 scores n_kv × n_ubatch × n_head)";
        return (bytes, $"largest stage ({stage}) of the ggml graph reserved for n_ubatch {tokens}: {attentionHow}; FFN {tokens} × (3 × {ffn} + 4 × {h}) × 4 B; output {tokens} × ({a.VocabSize} logits + {h}) × 4 B");
    }

    /// <summary>llama.cpp's KV cells: n_ctx rounded up to 256; with <c>-np N</c> and no <c>--kv-unified</c> each
    /// sequence gets its own stream of n_ctx / N cells rounded up to 256, and n_ctx becomes N × that
    /// (src/llama-context.cpp). The total does not grow with N: <c>-c</c> is shared.</summary>
    /// <param name="contextTokens">Context asked (<c>-c</c>).</param>
    /// <param name="settings">Sequences and unified KV.</param>
    /// <returns>Cells, cells per sequence, and a note when they differ from the context asked.</returns>
    public override (long Cells, long PerSequence, string? Note) KvCacheCells(long contextTokens, RuntimeSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentOutOfRangeException.ThrowIfLessThan(contextTokens, 1);
        long padded = Pad(contextTokens);
        int n = Math.Max(1, settings.Parallel);
        if (n == 1)
        {
            return (padded, padded, padded == contextTokens ? null : $"n_ctx {contextTokens} padded to {padded} cells (multiple of {ContextPadding})");
        }

        if (settings.KvUnified)
        {
            return (padded, padded, $"--kv-unified: {n} sequences share {padded} cells (any one may use all)");
        }

        long perSequence = Pad(padded / n);
        long cells = perSequence * n;
        return (cells, perSequence, $"-np {n}: n_ctx {contextTokens} split into {n} streams of {perSequence} cells (n_ctx / {n}, padded to {ContextPadding}) = {cells} cells");
    }

    /// <summary>llama.cpp's SWA cache (<c>llama_kv_cache_iswa</c>, src/llama-kv-cache-iswa.cpp): per stream
    /// GGML_PAD(min(stream cells, n_swa × (unified ? n_seq : 1) + n_ubatch), 256) cells — the window plus one physical
    /// batch, padded — times the streams (one per sequence unless <c>--kv-unified</c>).</summary>
    /// <param name="window">n_swa, tokens.</param>
    /// <param name="contextTokens">Context asked (<c>-c</c>).</param>
    /// <param name="settings">Sequences, unified KV, n_ubatch.</param>
    /// <returns>Cells over all streams and the arithmetic.</returns>
    public override (long Cells, string? Note) SlidingWindowCells(int window, long contextTokens, RuntimeSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var (cells, perSequence, _) = KvCacheCells(contextTokens, settings);
        int n = Math.Max(1, settings.Parallel);
        bool unified = settings.KvUnified || n == 1;
        long streamCells = unified ? cells : perSequence;
        long streams = unified ? 1 : n;
        long wanted = ((long)window * (unified ? n : 1)) + settings.EffectiveUbatchTokens;
        long perStream = Math.Min(Pad(Math.Min(streamCells, wanted)), streamCells);
        long total = perStream * streams;
        return (total, $"SWA cache {(streams > 1 ? $"{streams} streams × " : string.Empty)}pad256(min({streamCells}, {(unified && n > 1 ? $"{window} × {n}" : window.ToString(System.Globalization.CultureInfo.InvariantCulture))} + n_ubatch {settings.EffectiveUbatchTokens})) = {total} cells");
    }

    /// <inheritdoc />
    public override string? RejectSettings(RuntimeSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return null;
    }

    private static long Pad(long tokens) => Math.Max(1, (tokens + ContextPadding - 1) / ContextPadding) * ContextPadding;

    /// <inheritdoc />
    public override (ModelArchitecture Architecture, string? Note) KvCacheView(ModelArchitecture architecture)
    {
        ArgumentNullException.ThrowIfNull(architecture);
        if (architecture.SlidingWindow is not > 0 || SlidingWindowFamilies.Contains(architecture.Family)) return (architecture, null);
        return (architecture with { SlidingWindow = null, SlidingWindowLayers = null },
            $"llama.cpp has no sliding-window cache for {architecture.Family}: every layer caches the whole context");
    }
}
