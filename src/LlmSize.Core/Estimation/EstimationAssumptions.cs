namespace LlmSize.Core.Estimation;

/// <summary>
/// Every efficiency factor the speed and time estimates use, in one place so measurements can calibrate them.
/// Each default states its source; all are fractions of a device's peak (0..1].
/// </summary>
public sealed record EstimationAssumptions
{
    /// <summary>Default assumptions.</summary>
    public static EstimationAssumptions Default { get; } = new();

    /// <summary>Fraction of peak memory bandwidth native GPU decoding reaches: 0.75. An assumption to calibrate:
    /// memory-bound decode kernels of llama.cpp (CUDA, Metal) are commonly reported at roughly 60–85% of the chip's
    /// peak bandwidth (llama.cpp discussion #4167, Apple Silicon token-generation results).</summary>
    public double NativeGpuBandwidthEfficiency { get; init; } = 0.75;

    /// <summary>Fraction of peak DRAM bandwidth CPU decoding reaches: 0.6 (memory-bound ggml CPU kernels; phones and
    /// laptops rarely exceed 60% of LPDDR peak in STREAM-like loads).</summary>
    public double NativeCpuBandwidthEfficiency { get; init; } = 0.6;

    /// <summary>Fraction of peak bandwidth WebGPU decoding reaches: 0.5. WebLLM reports retaining up to ~80% of
    /// native MLC speed (WebLLM paper, arXiv:2412.15803), and native MLC is itself below peak.</summary>
    public double WebGpuBandwidthEfficiency { get; init; } = 0.5;

    /// <summary>Fraction of peak bandwidth the wasm backend reaches: 0.25 (single-digit threads, 128-bit SIMD).</summary>
    public double WasmBandwidthEfficiency { get; init; } = 0.25;

    /// <summary>Fraction of peak FP16 throughput prefill reaches on GPUs: 0.4 (batched matmul, dequantization
    /// overhead for quantized weights).</summary>
    public double GpuComputeEfficiency { get; init; } = 0.4;

    /// <summary>Fraction of peak throughput prefill reaches on CPUs and in browsers: 0.25.</summary>
    public double CpuComputeEfficiency { get; init; } = 0.25;

    /// <summary>Sequential read speed used for load time when the device states none: 1.5 GB/s (UFS 3.1 / NVMe
    /// Gen3-class flash; phones' UFS 3.1 is rated ~2.1 GB/s sequential read).</summary>
    public double DefaultStorageReadGBps { get; init; } = 1.5;

    /// <summary>System-RAM bandwidth assumed for the CPU-resident layers of a partially offloaded model on a machine
    /// with a discrete GPU, whose profile states VRAM bandwidth only: 60 GB/s (dual-channel DDR5-4800: 2 × 8 B ×
    /// 4.8 GT/s = 76.8 GB/s peak).</summary>
    public double HostRamBandwidthGBps { get; init; } = 60;

    /// <summary>Peak FP32 throughput per CPU core when a profile gives none: 0.1 TFLOPS (two 256-bit FMA units ×
    /// 8 lanes × 2 FLOPs × ~3 GHz ≈ 0.1 TFLOPS).</summary>
    public double CpuTflopsPerCore { get; init; } = 0.1;

    /// <summary>Throughput of an efficiency ("little") core relative to a big core, for profiles that say how many big
    /// cores they have: 0.3. Cortex-A55/A510 issue two 64/128-bit NEON operations per cycle at ~1.8–2.0 GHz against
    /// four 128-bit pipes at ~3 GHz on Cortex-X cores (Arm Technical Reference Manuals), about a third.</summary>
    public double LittleCoreShare { get; init; } = 0.3;

    /// <summary>Peak FP16 throughput assumed per GB/s of memory bandwidth for a GPU whose profile gives no TFLOPS
    /// figure: 0.05 TFLOPS per GB/s (50 FLOP per byte; e.g. RTX 4090: 165 TFLOPS / 1008 GB/s ≈ 0.16, Apple M2 Max:
    /// 27 TFLOPS / 400 GB/s ≈ 0.07, Adreno 750: ~5.6 TFLOPS / 77 GB/s ≈ 0.07 — taken at the low end).</summary>
    public double GpuTflopsPerGBps { get; init; } = 0.05;

    /// <summary>Fixed time per transformer layer per generated token on GPU backends (kernel launches and
    /// synchronisation): 0.1 ms. Bandwidth alone would put a 7B Q4 model at 500+ tokens/s on an H100; single-stream
    /// llama.cpp results are a few hundred at most. An assumption to calibrate.</summary>
    public double GpuPerLayerOverheadMs { get; init; } = 0.1;

    /// <summary>Fraction of dedicated VRAM a model may use: 0.95 (display, driver and other processes keep the rest).</summary>
    public double UsableVramFraction { get; init; } = 0.95;
}
