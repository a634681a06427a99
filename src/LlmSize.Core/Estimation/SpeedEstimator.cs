namespace LlmSize.Core.Estimation;

/// <summary>Expected speed and times, each with the formula used.</summary>
/// <param name="DecodeTokensPerSecond">Tokens generated per second at the stated context.</param>
/// <param name="PrefillTokensPerSecond">Prompt tokens processed per second.</param>
/// <param name="LoadSeconds">Seconds to read the weights from storage into memory.</param>
/// <param name="BytesReadPerToken">Bytes read from memory per generated token (active weights + KV cache).</param>
/// <param name="DecodeFormula">How decode speed was computed.</param>
/// <param name="PrefillFormula">How prefill speed was computed.</param>
public sealed record SpeedEstimate(
    double DecodeTokensPerSecond,
    double PrefillTokensPerSecond,
    double LoadSeconds,
    long BytesReadPerToken,
    string DecodeFormula,
    string PrefillFormula);

/// <summary>
/// Speed from first principles: decoding one token reads every active weight once plus the KV cache, so it is
/// bandwidth-bound (tokens/s = effective bandwidth ÷ bytes per token); prefill is compute-bound (2 FLOPs per active
/// parameter per token, Kaplan et al. 2020); loading is storage-bound.
/// </summary>
public static class SpeedEstimator
{
    /// <summary>Estimates speed.</summary>
    /// <param name="memory">Memory estimate (weights, KV cache, active bytes).</param>
    /// <param name="activeParameters">Parameters used per token (MoE: top-k experts only).</param>
    /// <param name="bandwidthGBps">Peak memory bandwidth of where the weights live, GB/s (10^9 B/s); must be &gt; 0.</param>
    /// <param name="teraFlops">Peak throughput for the compute precision, TFLOPS; must be &gt; 0.</param>
    /// <param name="target">Execution target (chooses the efficiency factors).</param>
    /// <param name="storageReadGBps">Storage read speed, GB/s; null = the assumption's default.</param>
    /// <param name="assumptions">Efficiency factors; null = defaults.</param>
    /// <returns>The estimate (finite, non-negative numbers).</returns>
    /// <exception cref="ArgumentOutOfRangeException">A rate is not a positive finite number.</exception>
    /// <param name="layers">Transformer layers (for the fixed per-layer cost on GPU targets); 0 = none.</param>
    public static SpeedEstimate Estimate(MemoryEstimate memory, long activeParameters, double bandwidthGBps, double teraFlops,
        ExecutionTarget target, double? storageReadGBps = null, EstimationAssumptions? assumptions = null, int layers = 0)
    {
        ArgumentNullException.ThrowIfNull(memory);
        RequirePositive(bandwidthGBps, nameof(bandwidthGBps));
        RequirePositive(teraFlops, nameof(teraFlops));
        var a = assumptions ?? EstimationAssumptions.Default;
        double storage = storageReadGBps ?? a.DefaultStorageReadGBps;
        RequirePositive(storage, nameof(storageReadGBps));

        double bwEff = target switch
        {
            ExecutionTarget.NativeGpu => a.NativeGpuBandwidthEfficiency,
            ExecutionTarget.NativeCpu => a.NativeCpuBandwidthEfficiency,
            ExecutionTarget.BrowserWebGpu => a.WebGpuBandwidthEfficiency,
            _ => a.WasmBandwidthEfficiency,
        };
        double flopEff = target == ExecutionTarget.NativeGpu || target == ExecutionTarget.BrowserWebGpu ? a.GpuComputeEfficiency : a.CpuComputeEfficiency;

        // At the end of a full context the whole KV cache is read per token; on average half of it.
        long kvRead = memory.KvCache.Bytes / 2;
        long perToken = memory.Weights.ActiveBytesPerToken + kvRead;
        bool gpu = target is ExecutionTarget.NativeGpu or ExecutionTarget.BrowserWebGpu;
        double overheadSeconds = gpu ? Math.Max(0, layers) * a.GpuPerLayerOverheadMs / 1000 : 0;
        double decode = 1 / (Math.Max(1, perToken) / (bandwidthGBps * 1e9 * bwEff) + overheadSeconds);
        // Prompt tokens are processed in batches, so prefill is never slower than generating one token at a time.
        double prefill = Math.Max(decode, teraFlops * 1e12 * flopEff / (2.0 * Math.Max(1, activeParameters)));
        double load = memory.Weights.TotalBytes / (storage * 1e9);
        return new SpeedEstimate(decode, prefill, load, perToken,
            $"{bandwidthGBps:0.#} GB/s × {bwEff:0.##} efficiency ÷ ({Units.FormatDecimal(memory.Weights.ActiveBytesPerToken)} active weights + {Units.FormatDecimal(kvRead)} KV read, mid-context)"
                + (overheadSeconds > 0 ? $" + {Units.Plural(layers, "layer")} × {a.GpuPerLayerOverheadMs} ms fixed cost; an upper bound" : "; an upper bound"),
            $"{teraFlops:0.##} TFLOPS × {flopEff:0.##} efficiency ÷ (2 × {Units.FormatParameters(activeParameters)} active parameters)");
    }

    /// <summary>Seconds to download <paramref name="bytes"/> at a sustained <paramref name="megabitsPerSecond"/>
    /// (10^6 bit/s). Network classes give measured median throughput (already below nominal link rates).</summary>
    /// <param name="bytes">Download size in bytes.</param>
    /// <param name="megabitsPerSecond">Sustained throughput in Mbit/s; must be &gt; 0.</param>
    /// <returns>Seconds.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The speed is not a positive finite number.</exception>
    public static double DownloadSeconds(long bytes, double megabitsPerSecond)
    {
        RequirePositive(megabitsPerSecond, nameof(megabitsPerSecond));
        return bytes * 8.0 / (megabitsPerSecond * 1e6);
    }

    private static void RequirePositive(double value, string name)
    {
        if (!(value > 0) || double.IsInfinity(value))
        {
            throw new ArgumentOutOfRangeException(name, value, "must be a positive, finite number");
        }
    }
}
