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

    /// <summary>The runtime settings the estimate is for (cache types, flash attention, batch, sequences, offload).</summary>
    public RuntimeSettings Settings { get; init; } = RuntimeSettings.Default;

    /// <summary>The terms, in display order.</summary>
    public required IReadOnlyList<MemoryTerm> Terms { get; init; }

    /// <summary>Sum of the terms, in bytes.</summary>
    public long TotalBytes => Weights.TotalBytes + KvCache.Bytes + ComputeBufferBytes + OverheadBytes;
}

/// <summary>
/// Estimates runtime memory from a <see cref="ModelArchitecture"/> alone (no files): weights in the runtime's format,
/// KV cache for the context, compute buffers for one prefill chunk, and the runtime's fixed overhead.
/// </summary>
/// <remarks>Compute buffers and the KV cache's window rules are the runtime's (<see cref="RuntimeProfile.ComputeBuffers(ModelArchitecture, WeightFormat, long, RuntimeSettings)"/>,
/// <see cref="RuntimeProfile.KvCacheView"/>); README "How estimates are made" lists them.</remarks>
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
    /// <param name="weights">The weight bytes of <paramref name="format"/> when already computed (they do not depend on
    /// the context); null = compute them.</param>
    /// <param name="settings">The runtime's start-up settings (llama.cpp <c>-ctk/-ctv</c>, <c>-fa</c>, <c>-ub</c>,
    /// <c>-np</c>); null = <see cref="RuntimeSettings.Default"/>. Its cache types win over
    /// <paramref name="kvCacheType"/>; its sequences share the context as the runtime's
    /// <see cref="RuntimeProfile.KvCacheCells"/> says (then <paramref name="sequences"/> must be 1).</param>
    /// <returns>The estimate.</returns>
    /// <exception cref="ArgumentException">The format does not belong to the runtime, or the context is below 1.</exception>
    public static MemoryEstimate Estimate(ModelArchitecture architecture, RuntimeProfile runtime, WeightFormat? format = null,
        long? contextTokens = null, TensorDataType? kvCacheType = null, int sequences = 1, WeightBytes? weights = null,
        RuntimeSettings? settings = null)
    {
        ArgumentNullException.ThrowIfNull(architecture);
        ArgumentNullException.ThrowIfNull(runtime);
        format ??= runtime.FindFormat(runtime.DefaultFormat)!;
        if (!format.Equals(runtime.FindFormat(format.Name)))
        {
            throw new ArgumentException($"Format '{format.Name}' is not a {runtime.DisplayName} format; it has: {string.Join(", ", runtime.Formats.Select(f => f.Name))}.", nameof(format));
        }

        bool defaulted = contextTokens is null;
        long context = contextTokens ?? (architecture.ContextLength > 0 ? Math.Min(DefaultContextTokens, architecture.ContextLength) : DefaultContextTokens);
        if (context < 1) throw new ArgumentException($"Context must be at least 1 token, got {context}.", nameof(contextTokens));

        weights ??= format.ComputeBytes(architecture, ParameterCalculator.EnumerateWeights(architecture));
        var (kvArchitecture, kvNote) = runtime.KvCacheView(architecture);
        settings ??= RuntimeSettings.Default;
        var (cells, _, cellsNote) = runtime.KvCacheCells(context, settings);
        var keyType = settings.KvTypeK ?? kvCacheType ?? format.KvCacheType;
        var valueType = settings.KvTypeV ?? kvCacheType ?? format.KvCacheType;
        string? windowNote = null;
        if (kvArchitecture.SlidingWindow is { } window and > 0)
        {
            (long windowCells, windowNote) = runtime.SlidingWindowCells(window, context, settings);
            kvArchitecture = kvArchitecture with { SlidingWindow = (int)Math.Clamp(windowCells, 1, int.MaxValue) };
        }

        var kv = KvCacheEstimator.Estimate(kvArchitecture, cells, keyType, sequences, valueType);
        if (cellsNote is not null) kv = kv with { Formula = $"{kv.Formula}; {cellsNote}" };
        if (windowNote is not null && kv.SlidingWindowLayers > 0) kv = kv with { Formula = $"{kv.Formula}; {windowNote}" };
        var (compute, computeHow) = runtime.ComputeBuffers(architecture, format, context, settings);
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
            Settings = settings,
        };
    }

    /// <summary>Memory of stored weights whose architecture is unknown (a TFLite/ONNX graph without config.json): the
    /// exact tensor bytes plus the runtime's overhead; no KV cache or buffers can be derived, and the terms say so.</summary>
    /// <param name="runtime">The runtime.</param>
    /// <param name="stored">The stored weights.</param>
    /// <param name="contextTokens">Context tokens as asked (only reported); null = 0.</param>
    /// <returns>The estimate.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    public static MemoryEstimate StoredWeights(RuntimeProfile runtime, Fit.StoredWeightFormat stored, long? contextTokens)
    {
        ArgumentNullException.ThrowIfNull(runtime);
        ArgumentNullException.ThrowIfNull(stored);
        var weights = new WeightBytes(stored.StoredBytes, stored.StoredBytes, stored.StoredBytes, "(unknown: largest tensor not derived)", 0,
            stored.Parameters == 0 ? 0 : stored.StoredBytes * 8.0 / stored.Parameters);
        var kv = new KvCacheEstimate(0, contextTokens ?? 0, 1, TensorDataType.F16, 0, 0, 0, "unknown: the file carries no architecture");
        return new MemoryEstimate
        {
            Runtime = runtime,
            Format = stored,
            ContextTokens = contextTokens ?? 0,
            ContextDefaulted = contextTokens is null,
            Weights = weights,
            KvCache = kv,
            ComputeBufferBytes = 0,
            OverheadBytes = runtime.OverheadBytes,
            Terms =
            [
                new MemoryTerm("weights", stored.StoredBytes, "exact tensor bytes of the file"),
                new MemoryTerm("KV cache", 0, "unknown: no architecture (put the model's config.json beside the file)"),
                new MemoryTerm("compute buffers", 0, "unknown: no architecture"),
                new MemoryTerm("runtime overhead", runtime.OverheadBytes, runtime.OverheadSource),
            ],
        };
    }
}
