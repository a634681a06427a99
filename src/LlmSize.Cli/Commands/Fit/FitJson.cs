using LlmSize.Core.Estimation.Fit;

namespace LlmSize.Cli.Commands.Fit;

/// <summary>JSON shape of a fit report (documented in README, schema "llmsize.fit/v1").</summary>
internal sealed record FitJson(
    string Schema, string Model, string Device, string Runtime, string Outcome, string BindingConstraint, string Reason,
    FitVariantJson Requested, FitVariantJson? Best, double? DecodeTokensPerSecond, double? PrefillTokensPerSecond, double LoadSeconds,
    long DownloadBytes, IReadOnlyDictionary<string, double> DownloadSeconds, IReadOnlyList<string> Warnings)
{
    public static FitJson From(FitReport r) => new(
        "llmsize.fit/v1", r.ModelName, r.Device.Id, r.Runtime.Id, r.Outcome.ToString(), r.BindingConstraint.ToString(), r.Reason,
        FitVariantJson.From(r.Requested), r.Best is null ? null : FitVariantJson.From(r.Best),
        r.HasTokenSpeed ? Round(r.Speed.DecodeTokensPerSecond) : null,
        r.HasTokenSpeed ? Round(r.Speed.PrefillTokensPerSecond) : null, Round(r.Speed.LoadSeconds),
        r.DownloadBytes, r.Download.ToDictionary(d => d.Network.Id, d => Round(d.Seconds)), r.Warnings);

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
