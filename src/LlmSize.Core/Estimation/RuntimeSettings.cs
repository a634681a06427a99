using System.Globalization;
using LlmSize.Core.Precision;

namespace LlmSize.Core.Estimation;

/// <summary>llama.cpp's <c>--flash-attn</c> setting (<c>enum llama_flash_attn_type</c>).</summary>
public enum FlashAttentionMode
{
    /// <summary><c>-fa auto</c> (llama.cpp's default): on when every layer's backend has the fused kernel (CUDA,
    /// Metal, Vulkan and the CPU backend all do), which LlmSize assumes.</summary>
    Auto,
    /// <summary><c>-fa on</c>: fused attention; no n_ctx × n_ubatch score matrix, f16 mask.</summary>
    On,
    /// <summary><c>-fa off</c>: attention as separate ops; the f32 scores n_kv × n_ubatch × n_head live in the
    /// compute buffer, and a quantized V cache is refused.</summary>
    Off,
}

/// <summary>
/// The knobs a runtime is started with, named as llama.cpp names them (<c>llama-server</c> / <c>llama-cli</c> flags).
/// A pure input carried by <see cref="Fit.FitRequest"/>: runtimes that have no such knob reject a non-default value
/// (<see cref="RuntimeProfile.RejectSettings"/>). The llama.cpp semantics modelled are those of ggml-org/llama.cpp
/// <c>src/llama-context.cpp</c> as of 2026 (n_ctx padded to 256; <c>-np</c> splits <c>-c</c> unless
/// <c>--kv-unified</c>; the worst-case graph reserved for min(n_ctx, n_ubatch) tokens with as many outputs).
/// </summary>
public sealed record RuntimeSettings
{
    /// <summary>llama.cpp's defaults: f16 K and V, flash attention auto, automatic offload, n_batch 2048,
    /// n_ubatch 512, one sequence, weights memory-mapped.</summary>
    public static RuntimeSettings Default { get; } = new();

    /// <summary>llama.cpp's default logical batch (<c>-b</c>, n_batch): 2048 tokens (common/common.h).</summary>
    public const int DefaultBatchTokens = 2048;

    /// <summary>llama.cpp's default physical batch (<c>-ub</c>, n_ubatch): 512 tokens (common/common.h).</summary>
    public const int DefaultUbatchTokens = 512;

    /// <summary>Cache types llama.cpp accepts for <c>-ctk</c>/<c>-ctv</c> (common/arg.cpp <c>kv_cache_types</c>).</summary>
    public static IReadOnlyList<TensorDataType> LlamaCppCacheTypes { get; } =
    [
        TensorDataType.F32, TensorDataType.F16, TensorDataType.BF16, TensorDataType.Q8_0, TensorDataType.Q4_0,
        TensorDataType.Q4_1, TensorDataType.IQ4_NL, TensorDataType.Q5_0, TensorDataType.Q5_1,
    ];

    /// <summary>Element type of cached keys (<c>--cache-type-k</c>, <c>-ctk</c>); null = the runtime's (f16).</summary>
    public TensorDataType? KvTypeK { get; init; }

    /// <summary>Element type of cached values (<c>--cache-type-v</c>, <c>-ctv</c>); null = the runtime's (f16). A
    /// quantized V cache needs flash attention.</summary>
    public TensorDataType? KvTypeV { get; init; }

    /// <summary>Flash attention (<c>--flash-attn on|off|auto</c>).</summary>
    public FlashAttentionMode FlashAttention { get; init; } = FlashAttentionMode.Auto;

    /// <summary>Layers to offload to the GPU (<c>--gpu-layers</c>, <c>-ngl</c>), 0 to the model's layer count;
    /// null = as many as fit (the automatic split).</summary>
    public int? GpuLayers { get; init; }

    /// <summary>Logical batch (<c>--batch-size</c>, <c>-b</c>), tokens ≥ 1; caps n_ubatch.</summary>
    public int BatchTokens { get; init; } = DefaultBatchTokens;

    /// <summary>Physical batch (<c>--ubatch-size</c>, <c>-ub</c>), tokens ≥ 1: the tokens one graph evaluation
    /// processes, which sizes the compute buffer.</summary>
    public int UbatchTokens { get; init; } = DefaultUbatchTokens;

    /// <summary>Parallel sequences (<c>--parallel</c>, <c>-np</c>), ≥ 1. They share the context <c>-c</c>: without
    /// <see cref="KvUnified"/> each gets n_ctx / N cells (padded to 256), with it any may use all of them.</summary>
    public int Parallel { get; init; } = 1;

    /// <summary><c>--kv-unified</c>: one KV buffer shared by all sequences instead of one stream per sequence.</summary>
    public bool KvUnified { get; init; }

    /// <summary>llama.cpp <c>--override-tensor</c> (<c>-ot</c>): comma-separated <c>PATTERN=CPU</c> rules; tensors whose
    /// GGUF name the regular expression finds a match in (std::regex_search, as llama.cpp) stay in system RAM even on
    /// offloaded layers — <c>exps=CPU</c> keeps a MoE model's experts on the CPU. Null = none. Only the CPU buffer
    /// type is modelled.</summary>
    public string? OverrideTensor { get; init; }

    /// <summary>Weights memory-mapped (default) or read into process memory (<c>--no-mmap</c>).</summary>
    public bool Mmap { get; init; } = true;

    /// <summary>The physical batch in effect: min(n_batch, n_ubatch), as llama.cpp clamps it.</summary>
    public int EffectiveUbatchTokens => Math.Min(BatchTokens, UbatchTokens);

    /// <summary>Flash attention as it resolves: <see cref="FlashAttentionMode.Auto"/> counts as on.</summary>
    public bool FlashAttentionOn => FlashAttention != FlashAttentionMode.Off;

    /// <summary>True when every knob has llama.cpp's default.</summary>
    public bool IsDefault => this == Default;

    /// <summary>The settings as llama.cpp flags (<c>-ctk q8_0 -ctv q8_0 -fa off -ngl 20 -np 4</c>), only those that
    /// differ from the defaults; empty when none do.</summary>
    /// <returns>The flags.</returns>
    public string ToFlags()
    {
        var flags = new List<string>();
        if (KvTypeK is { } k) flags.Add($"-ctk {k.Name.ToLowerInvariant()}");
        if (KvTypeV is { } v) flags.Add($"-ctv {v.Name.ToLowerInvariant()}");
        if (FlashAttention != FlashAttentionMode.Auto) flags.Add($"-fa {FlashAttention.ToString().ToLowerInvariant()}");
        if (GpuLayers is { } n) flags.Add(string.Create(CultureInfo.InvariantCulture, $"-ngl {n}"));
        if (BatchTokens != DefaultBatchTokens) flags.Add(string.Create(CultureInfo.InvariantCulture, $"-b {BatchTokens}"));
        if (UbatchTokens != DefaultUbatchTokens) flags.Add(string.Create(CultureInfo.InvariantCulture, $"-ub {UbatchTokens}"));
        if (Parallel != 1) flags.Add(string.Create(CultureInfo.InvariantCulture, $"-np {Parallel}"));
        if (KvUnified) flags.Add("--kv-unified");
        if (OverrideTensor is { } ot) flags.Add($"-ot {ot}");
        if (!Mmap) flags.Add("--no-mmap");
        return string.Join(' ', flags);
    }

    /// <summary>Checks the values that need no model: counts ≥ 1, cache types llama.cpp has, and a quantized V cache
    /// only with flash attention (llama.cpp refuses "quantized V cache was requested, but this requires Flash
    /// Attention", src/llama-context.cpp).</summary>
    /// <returns>Null when valid, else one sentence naming the flag and the valid range.</returns>
    public string? Problem()
    {
        if (Parallel < 1) return string.Create(CultureInfo.InvariantCulture, $"--parallel {Parallel}: give 1 or more sequences (llama.cpp -np).");
        if (Parallel > 256) return string.Create(CultureInfo.InvariantCulture, $"--parallel {Parallel}: llama.cpp allows at most 256 sequences (LLAMA_MAX_SEQ).");
        if (BatchTokens < 1) return string.Create(CultureInfo.InvariantCulture, $"--batch {BatchTokens}: give 1 or more tokens (llama.cpp -b).");
        if (UbatchTokens < 1) return string.Create(CultureInfo.InvariantCulture, $"--ubatch {UbatchTokens}: give 1 or more tokens (llama.cpp -ub).");
        if (GpuLayers is < 0) return string.Create(CultureInfo.InvariantCulture, $"--gpu-layers {GpuLayers}: give 0 or more layers (llama.cpp -ngl).");
        foreach (var (flag, type) in new[] { ("--kv-type-k", KvTypeK), ("--kv-type-v", KvTypeV) })
        {
            if (type is { } t && !LlamaCppCacheTypes.Contains(t))
            {
                return $"{flag} {t.Name.ToLowerInvariant()}: llama.cpp caches K/V as {CacheTypeList()}.";
            }
        }

        if (OverrideTensor is not null && OverrideProblem() is { } ot) return ot;
        if (FlashAttention == FlashAttentionMode.Off && KvTypeV is { Kind: DataTypeKind.BlockQuantized } qv)
        {
            return $"--kv-type-v {qv.Name.ToLowerInvariant()} with --flash-attn off: llama.cpp needs flash attention for a quantized V cache (use --flash-attn on or auto, or --kv-type-v f16).";
        }

        return null;
    }

    /// <summary>The <see cref="OverrideTensor"/> rules as regular expressions of tensors kept in system RAM (empty when
    /// none). Matching is linear-time (<c>RegexOptions.NonBacktracking</c>: no back-references or look-arounds).</summary>
    /// <returns>The patterns.</returns>
    /// <exception cref="ArgumentException">A rule is malformed (<see cref="Problem"/> says which).</exception>
    public IReadOnlyList<System.Text.RegularExpressions.Regex> CpuTensorPatterns()
    {
        if (OverrideTensor is null) return [];
        if (OverrideProblem() is { } problem) throw new ArgumentException(problem);
        return OverrideTensor.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Select(rule => new System.Text.RegularExpressions.Regex(rule[..rule.LastIndexOf('=')], RegexFlags))
            .ToList();
    }

    /// <summary>Longest <see cref="OverrideTensor"/> accepted, characters.</summary>
    public const int MaxOverrideLength = 1000;

    /// <summary>Linear-time matching (no backtracking), so no pattern can hang the check.</summary>
    private const System.Text.RegularExpressions.RegexOptions RegexFlags =
        System.Text.RegularExpressions.RegexOptions.CultureInvariant | System.Text.RegularExpressions.RegexOptions.NonBacktracking;

    private string? OverrideProblem()
    {
        if (OverrideTensor!.Length > MaxOverrideLength) return string.Create(CultureInfo.InvariantCulture, $"--override-tensor: at most {MaxOverrideLength} characters of rules.");
        var rules = OverrideTensor.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        if (rules.Length == 0) return "--override-tensor: give PATTERN=CPU, e.g. exps=CPU (llama.cpp -ot).";
        foreach (string rule in rules)
        {
            int eq = rule.LastIndexOf('=');
            if (eq <= 0) return $"--override-tensor '{rule}': give PATTERN=CPU, e.g. exps=CPU (llama.cpp -ot).";
            string target = rule[(eq + 1)..];
            if (!string.Equals(target, "CPU", StringComparison.OrdinalIgnoreCase))
            {
                return $"--override-tensor '{rule}': only the CPU buffer type is modelled (PATTERN=CPU); other devices' buffer types ({target}) need the multi-GPU model.";
            }

            try
            {
                _ = new System.Text.RegularExpressions.Regex(rule[..eq], RegexFlags);
            }
            catch (Exception e) when (e is ArgumentException or NotSupportedException)
            {
                return $"--override-tensor '{rule}': '{rule[..eq]}' is not a regular expression llmsize can match in linear time (no back-references or look-arounds): {e.Message.Split('\n')[0]}";
            }
        }

        return null;
    }

    /// <summary>The cache type names llama.cpp accepts, lower case, comma-separated.</summary>
    /// <returns>"f32, f16, bf16, q8_0, …".</returns>
    public static string CacheTypeList() => string.Join(", ", LlamaCppCacheTypes.Select(t => t.Name.ToLowerInvariant()));

    /// <summary>Parses a cache type as llama.cpp spells it (<c>f16</c>, <c>q8_0</c>, <c>q4_0</c> …).</summary>
    /// <param name="text">The flag's value.</param>
    /// <param name="type">The type when it is one llama.cpp caches in.</param>
    /// <returns>False when it is not.</returns>
    public static bool TryParseCacheType(string text, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out TensorDataType? type)
    {
        ArgumentNullException.ThrowIfNull(text);
        type = TensorDataType.TryFromName(text.Trim(), out var t) && LlamaCppCacheTypes.Contains(t) ? t : null;
        return type is not null;
    }
}
