namespace LlmSize.Core.Estimation.Fit;

/// <summary>The one-sentence reason of a <see cref="FitReport"/>: the verdict and the constraint behind it.</summary>
internal static class FitExplanation
{
    /// <summary>Words for the verdict.</summary>
    /// <param name="outcome">The verdict.</param>
    /// <param name="requested">The requested variant.</param>
    /// <param name="best">The best variant that fits, or null.</param>
    /// <param name="last">The variant finally reported (best, else the smallest tried).</param>
    /// <returns>One sentence without a final period.</returns>
    public static string Reason(FitOutcome outcome, FitVariant requested, FitVariant? best, FitVariant last)
    {
        var b = requested.Binding;
        return outcome switch
        {
            FitOutcome.Fits => $"{requested.Format.Name}{At(requested)} fits{Split(requested)}; tightest constraint {b.Constraint.Describe()} ({Units.FormatBinary(b.HeadroomBytes)} headroom)",
            FitOutcome.FitsWithChanges when requested.Fits =>
                $"{requested.Format.Name} fits only{Split(requested)}; use {best!.Format.Name}{At(best)}, which fits entirely in VRAM",
            FitOutcome.FitsWithChanges => $"{requested.Format.Name} does not fit ({b.Constraint.Describe()}: {Why(b)}); "
                + $"use {best!.Format.Name}{At(best)}{Split(best)}",
            _ => last == requested
                ? $"{requested.Format.Name} fails on {Failures(requested)}"
                : $"{requested.Format.Name} fails on {b.Constraint.Describe()}, and even {last.Format.Name}{At(last)} fails on {Failures(last)}",
        };
    }

    private static string At(FitVariant v) => v.ContextTokens > 0 ? $" at {v.ContextTokens} tokens" : string.Empty;

    private static string Why(FitCheck c) => c.Constraint.IsFeature()
        ? c.Detail
        : $"{Units.FormatBinary(c.RequiredBytes)} needed vs {Units.FormatBinary(c.AvailableBytes)} available";

    private static string Failures(FitVariant v)
    {
        var failing = v.Checks.Where(c => !c.Passes).OrderBy(c => c.HeadroomBytes).ToList();
        return string.Join(" and ", failing.Select(c => $"{c.Constraint.Describe()} ({Why(c)})"));
    }

    private static string Split(FitVariant v) => v.IsSplit
        ? $" with {v.GpuLayers} of {Units.Plural(v.LayerCount, "layer")} on the GPU (-ngl {v.GpuLayers}; the rest runs at system-RAM speed)"
        : string.Empty;
}
