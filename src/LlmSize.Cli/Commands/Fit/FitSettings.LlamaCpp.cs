using System.ComponentModel;
using System.Globalization;
using LlmSize.Cli.Infrastructure;
using LlmSize.Core.Estimation;
using LlmSize.Core.Precision;
using Spectre.Console;
using Spectre.Console.Cli;

namespace LlmSize.Cli.Commands.Fit;

/// <summary>The llama.cpp start-up knobs of <c>llmsize fit</c>, named as llama.cpp names them; mapped one to one onto
/// <see cref="RuntimeSettings"/> (the core applies them).</summary>
public sealed partial class FitSettings
{
    /// <summary>Cache type of K and V.</summary>
    [CommandOption("--kv-type <TYPE>")]
    [Description("llama.cpp KV-cache type for both K and V (-ctk/-ctv): f16 (default), q8_0, q4_0, f32, bf16, q4_1, q5_0, q5_1, iq4_nl.")]
    public string? KvType { get; init; }

    /// <summary>Cache type of K.</summary>
    [CommandOption("--kv-type-k <TYPE>")]
    [Description("llama.cpp K-cache type (--cache-type-k); overrides --kv-type for K.")]
    public string? KvTypeK { get; init; }

    /// <summary>Cache type of V.</summary>
    [CommandOption("--kv-type-v <TYPE>")]
    [Description("llama.cpp V-cache type (--cache-type-v); overrides --kv-type for V. A quantized V cache needs flash attention.")]
    public string? KvTypeV { get; init; }

    /// <summary>Flash attention.</summary>
    [CommandOption("--flash-attn <MODE>")]
    [Description("llama.cpp --flash-attn on|off|auto (default auto = on). off keeps the f32 attention scores (n_ctx × n_ubatch × n_head × 4 B) in the compute buffer.")]
    public string? FlashAttn { get; init; }

    /// <summary>Layers on the GPU.</summary>
    [CommandOption("--gpu-layers <N>")]
    [TypeConverter(typeof(LlmSize.Cli.Infrastructure.GpuLayersOptionConverter))]
    [Description("llama.cpp -ngl: layers offloaded to the GPU, 0 to the model's layer count (default: as many as fit).")]
    public int? GpuLayers { get; init; }

    /// <summary>Logical batch.</summary>
    [CommandOption("--batch <TOKENS>")]
    [TypeConverter(typeof(LlmSize.Cli.Infrastructure.BatchOptionConverter))]
    [Description("llama.cpp -b, logical batch (default 2048); caps --ubatch.")]
    public int? Batch { get; init; }

    /// <summary>Physical batch.</summary>
    [CommandOption("--ubatch <TOKENS>")]
    [TypeConverter(typeof(LlmSize.Cli.Infrastructure.UbatchOptionConverter))]
    [Description("llama.cpp -ub, physical batch (default 512): the tokens per graph evaluation, which size the compute buffer.")]
    public int? Ubatch { get; init; }

    /// <summary>Parallel sequences.</summary>
    [CommandOption("--parallel <N>")]
    [TypeConverter(typeof(LlmSize.Cli.Infrastructure.ParallelOptionConverter))]
    [Description("llama.cpp -np: sequences sharing --context; each gets context / N (padded to 256) unless --kv-unified.")]
    public int? Parallel { get; init; }

    /// <summary>Unified KV cache.</summary>
    [CommandOption("--kv-unified")]
    [Description("llama.cpp --kv-unified: all --parallel sequences share one KV buffer (any one may use the whole context).")]
    public bool KvUnified { get; init; }

    /// <summary>Tensors kept in system RAM.</summary>
    [CommandOption("--override-tensor <PATTERN=CPU>")]
    [Description("llama.cpp -ot: tensors whose GGUF name matches the regular expression stay in system RAM on offloaded layers, e.g. exps=CPU for a MoE model's experts (comma-separate several rules).")]
    public string? OverrideTensor { get; init; }

    /// <summary>No memory mapping.</summary>
    [CommandOption("--no-mmap")]
    [Description("llama.cpp --no-mmap: weights kept in system RAM are read into process memory instead of memory-mapped.")]
    public bool NoMmap { get; init; }

    /// <summary>True for <c>--context max</c>.</summary>
    public bool LongestContext => Context is { Max: true };

    /// <summary>The one context to ask for: null for <c>--context max</c> (the format is chosen at the default context)
    /// or when none was given; the first of a sweep.</summary>
    public long? ContextTokens => Context is { Max: false, Tokens: [var first, ..] } ? first : null;

    /// <summary>The contexts of a sweep (<c>--context 4k,32k,128k</c>: one row per context); null for one context.</summary>
    public IReadOnlyList<long>? ContextSweep => Context is { Max: false, Tokens.Count: > 1 } c ? c.Tokens : null;

    /// <summary>The llama.cpp options as the core's settings (call after <see cref="Validate"/>).</summary>
    /// <returns>The settings.</returns>
    public RuntimeSettings RuntimeSettings() => new()
    {
        KvTypeK = CacheType(KvTypeK ?? KvType),
        KvTypeV = CacheType(KvTypeV ?? KvType),
        FlashAttention = FlashAttn is { } fa ? ParseFlashAttention(fa)!.Value : FlashAttentionMode.Auto,
        GpuLayers = GpuLayers,
        BatchTokens = Batch ?? Core.Estimation.RuntimeSettings.DefaultBatchTokens,
        UbatchTokens = Ubatch ?? Core.Estimation.RuntimeSettings.DefaultUbatchTokens,
        Parallel = Parallel ?? 1,
        KvUnified = KvUnified,
        OverrideTensor = OverrideTensor,
        Mmap = !NoMmap,
    };

    private ValidationResult ValidateRuntimeSettings()
    {
        foreach (var (flag, value) in new[] { ("--kv-type", KvType), ("--kv-type-k", KvTypeK), ("--kv-type-v", KvTypeV) })
        {
            if (value is not null && !Core.Estimation.RuntimeSettings.TryParseCacheType(value, out _))
            {
                return ValidationResult.Error($"{flag} '{value}' is not a llama.cpp cache type: use one of {Core.Estimation.RuntimeSettings.CacheTypeList()}.");
            }
        }

        if (FlashAttn is { } fa && ParseFlashAttention(fa) is null) return ValidationResult.Error($"--flash-attn '{fa}': use on, off or auto.");
        if (KvUnified && Parallel is null) return ValidationResult.Error("--kv-unified shares the KV cache between --parallel sequences; give --parallel N as well.");
        return RuntimeSettings().Problem() is { } problem ? ValidationResult.Error(problem) : ValidationResult.Success();
    }

    private static TensorDataType? CacheType(string? text) =>
        text is not null && Core.Estimation.RuntimeSettings.TryParseCacheType(text, out var t) ? t : null;

    private static FlashAttentionMode? ParseFlashAttention(string text) => text.Trim().ToLowerInvariant() switch
    {
        "on" or "1" or "true" => FlashAttentionMode.On,
        "off" or "0" or "false" => FlashAttentionMode.Off,
        "auto" => FlashAttentionMode.Auto,
        _ => null,
    };
}

/// <summary>A <c>fit --context</c> value: one token count, a sweep of several, or <c>max</c>.</summary>
/// <param name="Tokens">The token counts, in the order given (empty for <c>max</c>).</param>
/// <param name="Max">True for <c>max</c>: the longest context that fits.</param>
public sealed record ContextOption(IReadOnlyList<long> Tokens, bool Max);

/// <summary>Converts <c>fit --context</c>: a token count (<see cref="TokenCountConverter"/>: 4096, 4k, 128k), a
/// comma-separated sweep of them (4k,32k,128k), or <c>max</c>.</summary>
public sealed class ContextOptionConverter : TypeConverter
{
    /// <summary>Most contexts one sweep may list.</summary>
    public const int MaxSweep = 16;

    /// <inheritdoc />
    public override bool CanConvertFrom(ITypeDescriptorContext? context, Type sourceType) =>
        sourceType == typeof(string) || base.CanConvertFrom(context, sourceType);

    /// <inheritdoc />
    /// <exception cref="FormatException">Neither <c>max</c> nor one to <see cref="MaxSweep"/> positive whole token counts.</exception>
    public override object? ConvertFrom(ITypeDescriptorContext? context, CultureInfo? culture, object value) =>
        value is string text ? Parse(text) : base.ConvertFrom(context, culture, value);

    /// <summary>Parses a <c>--context</c> value.</summary>
    /// <param name="text">The option value.</param>
    /// <returns>The option.</returns>
    /// <exception cref="FormatException">Not <c>max</c> and not a list of token counts.</exception>
    public static ContextOption Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (string.Equals(text.Trim(), "max", StringComparison.OrdinalIgnoreCase)) return new ContextOption([], true);
        string[] parts = text.Split(',', StringSplitOptions.TrimEntries);
        if (parts.Length > MaxSweep)
        {
            throw new FormatException(string.Create(CultureInfo.InvariantCulture, $"--context '{text}' lists {parts.Length} contexts; a sweep takes at most {MaxSweep}."));
        }

        var tokens = new List<long>(parts.Length);
        foreach (string part in parts)
        {
            try
            {
                tokens.Add(TokenCountConverter.Parse(part));
            }
            catch (FormatException e)
            {
                throw new FormatException(e.Message.Replace("give a whole number", "give max (the longest that fits), a comma-separated sweep (4k,32k,128k) or a whole number", StringComparison.Ordinal), e);
            }
        }

        return new ContextOption(tokens, false);
    }
}
