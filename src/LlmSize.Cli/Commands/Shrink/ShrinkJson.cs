using LlmSize.Core.Compression.Planning;
using LlmSize.Core.Estimation;

namespace LlmSize.Cli.Commands.Shrink;

/// <summary>JSON shape of a shrink plan (schema "llmsize.shrink/v1").</summary>
internal sealed record ShrinkJson(string Schema, string Model, string Device, string Runtime, long Parameters,
    IReadOnlyList<ShrinkOptionJson> Options, IReadOnlyList<string> Notes, double TightHeadroomFraction)
{
    /// <summary>Where the model's answer came from (remote names); null for local files and plain catalog names.</summary>
    public Infrastructure.OriginJson? Origin { get; init; }

    public static ShrinkJson From(ShrinkPlan plan, Func<GgufWeightFormat, bool> canQuantize) => new(
        "llmsize.shrink/v1", plan.ModelName, plan.Device.Id, plan.Runtime.Id, plan.Parameters,
        plan.Options.Select((o, i) => ShrinkOptionJson.From(i + 1, o, canQuantize)).ToList(), plan.Notes, ShrinkPlanner.TightHeadroomFraction);
}

/// <summary>JSON shape of one ranked option.</summary>
internal sealed record ShrinkOptionJson(int Rank, string Technique, string Label, long Parameters, string Format, long ContextTokens,
    long DownloadBytes, long MemoryBytes, bool Fits, string Binding, double? DecodeTokensPerSecond, double? PerplexityDelta,
    string? QualityMeasuredOn, string? QualitySource, string QualityNote, bool NeedsTraining, bool? LlmsizeQuantizeCanProduce,
    int LayerCount, bool Split, int? GpuLayers, double? HeadroomFraction, bool Tight, long? LongestContextTokens)
{
    public static ShrinkOptionJson From(int rank, ShrinkOption o, Func<GgufWeightFormat, bool> canQuantize) => new(
        rank, o.Technique.ToString(), o.Label, o.Parameters, o.Format.Name, o.ContextTokens, o.DownloadBytes, o.MemoryBytes, o.Fits,
        o.Binding.ToString(), o.DecodeTokensPerSecond is { } s ? Math.Round(s, 2) : null, o.Quality?.PerplexityDelta, o.Quality?.MeasuredOn,
        o.Quality?.Source, o.QualityNote, o.NeedsTraining, o.Format is GgufWeightFormat g ? canQuantize(g) : null, o.LayerCount, o.IsSplit,
        o.GpuLayers, o.HeadroomFraction is { } h ? Math.Round(h, 4) : null, o.IsTight, o.LongestContext?.Tokens);
}
