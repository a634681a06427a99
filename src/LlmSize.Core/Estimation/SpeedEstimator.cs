using LlmSize.Core.Devices;
using LlmSize.Core.Estimation.Fit;

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
    /// <summary>
    /// Speed of one fit variant on a device: compute from the GPU's FP16 (else FP32) TFLOPS on GPU targets (or
    /// <see cref="EstimationAssumptions.GpuTflopsPerGBps"/> × bandwidth when no figure is published), from weighted CPU
    /// cores otherwise; bandwidth of the memory the weights are read from — the profile's (VRAM on a discrete GPU),
    /// <see cref="EstimationAssumptions.HostRamBandwidthGBps"/> for CPU/wasm execution on a discrete-GPU machine, and
    /// for a CPU/GPU split the harmonic mix of both by the share of layers on each (and of the weights llama.cpp
    /// <c>-ot PATTERN=CPU</c> keeps in system RAM).
    /// </summary>
    /// <param name="device">The device.</param>
    /// <param name="variant">The variant (format, target, split, memory).</param>
    /// <param name="activeParameters">Parameters used per token.</param>
    /// <param name="assumptions">Efficiency factors; null = defaults.</param>
    /// <returns>The estimate.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    public static SpeedEstimate ForVariant(DeviceProfile device, FitVariant variant, long activeParameters, EstimationAssumptions? assumptions = null)
    {
        ArgumentNullException.ThrowIfNull(device);
        ArgumentNullException.ThrowIfNull(variant);
        var a = assumptions ?? EstimationAssumptions.Default;
        double cores = device.CpuBigCores is { } big && big > 0 && big < device.CpuCores
            ? big + ((device.CpuCores - big) * a.LittleCoreShare)
            : device.CpuCores;
        double tflops = variant.Target.IsGpu()
            ? device.GpuFp16Tflops ?? device.GpuFp32Tflops ?? device.MemoryBandwidthGBps * a.GpuTflopsPerGBps
            : cores * a.CpuTflopsPerCore;
        // A device profile's bandwidth is that of the memory the model lives in: VRAM on a discrete GPU. CPU and wasm
        // execution there reads system RAM instead.
        bool discrete = device.GpuMemoryBytes is not null && !device.UnifiedMemory;
        double bandwidth = discrete && !variant.Target.IsGpu() ? a.HostRamBandwidthGBps : device.MemoryBandwidthGBps;
        // Time per token adds up: bytes on the GPU at VRAM bandwidth, bytes in system RAM (CPU layers of a split, tensors
        // kept there by -ot) at host RAM bandwidth; -ot's share is its share of the weights, read in proportion.
        double hostShare = variant.IsSplit ? 1 - ((double)variant.GpuLayers!.Value / variant.LayerCount) : 0;
        if (discrete && variant.Target.IsGpu() && variant.HostPinnedBytes > 0 && variant.Memory.Weights.TotalBytes > 0)
        {
            hostShare += (1 - hostShare) * Math.Min(1, (double)variant.HostPinnedBytes / variant.Memory.Weights.TotalBytes);
        }

        if (hostShare > 0)
        {
            bandwidth = 1 / (((1 - hostShare) / device.MemoryBandwidthGBps) + (hostShare / a.HostRamBandwidthGBps));
        }

        return Estimate(variant.Memory, activeParameters, bandwidth, Math.Max(tflops, 1e-3), variant.Target, null, a, variant.LayerCount);
    }

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
