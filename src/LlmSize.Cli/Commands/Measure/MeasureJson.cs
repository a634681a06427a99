using LlmSize.Measurement;

namespace LlmSize.Cli.Commands.Measure;

/// <summary>JSON shape of a measure report (schema "llmsize.measure/v1"): the run, and each term predicted vs measured.</summary>
internal sealed record MeasureJson(
    string Schema, string Model, string Device, long ContextTokens, int Threads, int PromptTokens, int GenTokens,
    double LoadSeconds, long BaselineResidentBytes, long PeakResidentBytes, long PeakGrowthBytes, bool PeakWasReset, string MemorySource,
    double PrefillTokensPerSecond, double DecodeTokensPerSecond, string? SystemInfo, IReadOnlyList<MeasureTermJson> Terms)
{
    public static MeasureJson From(string path, MeasureReport r)
    {
        var m = r.Measurement;
        return new("llmsize.measure/v1", path, r.Fit.Device.Id, m.ContextTokens, m.Threads, m.PromptTokens, m.GenTokens,
            Math.Round(m.LoadSeconds, 4), m.BaselineResidentBytes, m.PeakResidentBytes, m.PeakGrowthBytes, m.PeakWasReset, m.MemorySource,
            Math.Round(m.PrefillTokensPerSecond, 2), Math.Round(m.DecodeTokensPerSecond, 2), m.SystemInfo,
            r.Terms.Select(t => new MeasureTermJson(t.Name, t.Unit, t.Predicted, t.Measured, t.RelativeError is { } e ? Math.Round(e, 4) : null,
                t.PredictedHow, t.MeasuredHow)).ToList());
    }
}

/// <summary>JSON shape of one term.</summary>
internal sealed record MeasureTermJson(string Name, string Unit, double? Predicted, double? Measured, double? RelativeError, string PredictedHow, string MeasuredHow);
