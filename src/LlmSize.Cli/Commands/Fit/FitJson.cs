using LlmSize.Core.Estimation.Fit;

namespace LlmSize.Cli.Commands.Fit;

/// <summary>JSON shape of a fit report (documented in README, schema "llmsize.fit/v1").</summary>
internal sealed record FitJson(
    string Schema, string Model, string Device, string Runtime, string Outcome, string BindingConstraint, string Reason,
    FitVariantJson Requested, FitVariantJson? Best, double? DecodeTokensPerSecond, double? PrefillTokensPerSecond, double LoadSeconds,
    long DownloadBytes, IReadOnlyDictionary<string, double> DownloadSeconds, IReadOnlyList<string> Warnings,
    RuntimeSettingsJson Settings, LongestContextJson? LongestContext, bool Tight, double TightHeadroomFraction)
{
    /// <summary>Where the model's answer came from (remote names); null for local files and plain catalog names.</summary>
    public Infrastructure.OriginJson? Origin { get; init; }

    public static FitJson From(FitReport r) => new(
        "llmsize.fit/v1", r.ModelName, r.Device.Id, r.Runtime.Id, r.Outcome.ToString(), r.BindingConstraint.ToString(), r.Reason,
        FitVariantJson.From(r.Requested), r.Best is null ? null : FitVariantJson.From(r.Best),
        r.HasTokenSpeed ? Round(r.Speed.DecodeTokensPerSecond) : null,
        r.HasTokenSpeed ? Round(r.Speed.PrefillTokensPerSecond) : null, Round(r.Speed.LoadSeconds),
        r.DownloadBytes, r.Download.ToDictionary(d => d.Network.Id, d => Round(d.Seconds)), r.Warnings,
        RuntimeSettingsJson.From(r.Requested.Memory.Settings, r.Requested.Memory.KvCache),
        r.LongestContext is { } l ? new LongestContextJson(l.Format, l.Tokens, l.Limit, l.Step, l.Variant is null ? null : FitVariantJson.From(l.Variant)) : null,
        r.TightFit, FitVariant.TightHeadroomFraction);

    private static double Round(double v) => double.IsFinite(v) ? Math.Round(v, 2) : 0;
}

/// <summary>JSON shape of one variant.</summary>
internal sealed record FitVariantJson(string Format, long ContextTokens, string Target, int? GpuLayers, bool Fits,
    long WeightsBytes, long KvCacheBytes, long ComputeBufferBytes, long OverheadBytes, long TotalBytes, double BitsPerWeight,
    IReadOnlyList<FitCheckJson> Checks)
{
    public static FitVariantJson From(FitVariant v) => new(v.Format.Name, v.ContextTokens, v.Target.ToString(), v.GpuLayers, v.Fits,
        v.Memory.Weights.TotalBytes, v.Memory.KvCache.Bytes, v.Memory.ComputeBufferBytes, v.Memory.OverheadBytes, v.Memory.TotalBytes,
        Math.Round(v.Memory.Weights.BitsPerWeight, 3), v.Checks.Select(c => new FitCheckJson(c.Constraint.ToString(), c.RequiredBytes, c.AvailableBytes, c.Passes, c.Detail)).ToList());
}

/// <summary>JSON shape of one check.</summary>
internal sealed record FitCheckJson(string Constraint, long RequiredBytes, long AvailableBytes, bool Passes, string Detail);

/// <summary>JSON shape of the runtime settings used (llama.cpp's knobs, named as its flags are).</summary>
internal sealed record RuntimeSettingsJson(string CacheTypeK, string CacheTypeV, string FlashAttn, int? GpuLayers, int Batch, int Ubatch,
    int Parallel, bool KvUnified, bool Mmap, string? OverrideTensor, long KvCells, string Flags)
{
    public static RuntimeSettingsJson From(LlmSize.Core.Estimation.RuntimeSettings s, LlmSize.Core.Estimation.KvCacheEstimate kv) => new(
        kv.CacheType.Name.ToLowerInvariant(), (kv.ValueCacheType ?? kv.CacheType).Name.ToLowerInvariant(), s.FlashAttention.ToString().ToLowerInvariant(),
        s.GpuLayers, s.BatchTokens, s.UbatchTokens, s.Parallel, s.KvUnified, s.Mmap, s.OverrideTensor, kv.ContextTokens, s.ToFlags());
}

/// <summary>JSON shape of <c>--context max</c>: the longest context at which the format fits.</summary>
internal sealed record LongestContextJson(string Format, long ContextTokens, long TrainedMaximum, int Step, FitVariantJson? Variant);
