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
    /// <summary>The value of <c>--context max</c> after conversion (no token count is negative).</summary>
    public const long LongestContextTokens = -1;

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
    [Description("llama.cpp -ngl: layers offloaded to the GPU, 0 to the model's layer count (default: as many as fit).")]
    public int? GpuLayers { get; init; }

    /// <summary>Logical batch.</summary>
    [CommandOption("--batch <TOKENS>")]
    [Description("llama.cpp -b, logical batch (default 2048); caps --ubatch.")]
    public int? Batch { get; init; }

    /// <summary>Physical batch.</summary>
    [CommandOption("--ubatch <TOKENS>")]
    [Description("llama.cpp -ub, physical batch (default 512): the tokens per graph evaluation, which size the compute buffer.")]
    public int? Ubatch { get; init; }

    /// <summary>Parallel sequences.</summary>
    [CommandOption("--parallel <N>")]
    [Description("llama.cpp -np: sequences sharing --context; each gets context / N (padded to 256) unless --kv-unified.")]
    public int? Parallel { get; init; }

    /// <summary>Unified KV cache.</summary>
    [CommandOption("--kv-unified")]
    [Description("llama.cpp --kv-unified: all --parallel sequences share one KV buffer (any one may use the whole context).")]
    public bool KvUnified { get; init; }

    /// <summary>No memory mapping.</summary>
    [CommandOption("--no-mmap")]
    [Description("llama.cpp --no-mmap: weights kept in system RAM are read into process memory instead of memory-mapped.")]
    public bool NoMmap { get; init; }

    /// <summary>True for <c>--context max</c>.</summary>
    public bool LongestContext => Context == LongestContextTokens;

    /// <summary>The context to ask for: null for <c>--context max</c> (the format is chosen at the default context).</summary>
    public long? ContextTokens => LongestContext ? null : Context;

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

/// <summary>Converts <c>fit --context</c>: a token count (<see cref="TokenCountConverter"/>) or <c>max</c>, the longest
/// context that fits (<see cref="FitSettings.LongestContextTokens"/>).</summary>
public sealed class ContextOrMaxConverter : TypeConverter
{
    /// <inheritdoc />
    public override bool CanConvertFrom(ITypeDescriptorContext? context, Type sourceType) =>
        sourceType == typeof(string) || base.CanConvertFrom(context, sourceType);

    /// <inheritdoc />
    /// <exception cref="FormatException">Neither <c>max</c> nor a positive whole token count.</exception>
    public override object? ConvertFrom(ITypeDescriptorContext? context, CultureInfo? culture, object value) => value switch
    {
        string text when string.Equals(text.Trim(), "max", StringComparison.OrdinalIgnoreCase) => FitSettings.LongestContextTokens,
        string text => Parse(text),
        _ => base.ConvertFrom(context, culture, value),
    };

    private static long Parse(string text)
    {
        try
        {
            return TokenCountConverter.Parse(text);
        }
        catch (FormatException e)
        {
            throw new FormatException(e.Message.Replace("give a whole number", "give max (the longest that fits) or a whole number", StringComparison.Ordinal), e);
        }
    }
}
