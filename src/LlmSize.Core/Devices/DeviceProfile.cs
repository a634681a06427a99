namespace LlmSize.Core.Devices;

/// <summary>
/// What one device offers a model: memory (system RAM, dedicated VRAM or unified memory), memory bandwidth, compute,
/// CPU cores, the WebGPU limits of its browser, free storage, how much memory one app or browser tab may really use,
/// and a typical network. Every number of a built-in profile is backed by an entry of <see cref="Sources"/>; derived
/// values show their arithmetic in <see cref="Notes"/>.
/// </summary>
/// <remarks>
/// Units: bytes for sizes (GiB = 2^30 bytes; vendors' "8 GB RAM" / "24 GB GDDR6X" are binary-sized parts, i.e. GiB,
/// while storage "GB" is 10^9 bytes), GB/s (10^9 bytes per second) for bandwidth, TFLOPS (10^12 floating-point
/// operations per second) for compute. Instances are immutable; profiles come from <see cref="DeviceCatalog"/>,
/// <see cref="CustomDeviceBuilder"/> or <see cref="ThisMachine"/>.
/// </remarks>
public sealed record DeviceProfile
{
    /// <summary>Stable kebab-case id (<c>pixel-8</c>, <c>iphone-15-pro</c>, <c>rtx-4090</c>).</summary>
    public required string Id { get; init; }

    /// <summary>Human-readable name (e.g. "Google Pixel 8").</summary>
    public required string DisplayName { get; init; }

    /// <summary>Other names the device is found by (e.g. "4090", "geforce-rtx-4090"). Never null.</summary>
    public IReadOnlyList<string> Aliases { get; init; } = [];

    /// <summary>Device class.</summary>
    public required DeviceCategory Category { get; init; }

    /// <summary>Operating system and the browser / runtime host assumed (e.g. "Android 14, Chrome").</summary>
    public required string Platform { get; init; }

    /// <summary>Installed system RAM, bytes (for Apple Silicon: the unified memory).</summary>
    public required long RamBytes { get; init; }

    /// <summary>Dedicated GPU memory (VRAM), bytes; null when the GPU has none (integrated, unified, phone).</summary>
    public long? GpuMemoryBytes { get; init; }

    /// <summary>True when CPU and GPU share one memory pool with no copy between them (Apple Silicon, phone SoCs,
    /// integrated GPUs): the model lives in <see cref="RamBytes"/>, bounded by <see cref="AppMemoryLimitBytes"/>.</summary>
    public bool UnifiedMemory { get; init; }

    /// <summary>Peak bandwidth of the memory the model would live in, GB/s (10^9 bytes/s): VRAM for a discrete GPU,
    /// system memory otherwise. A theoretical peak; sustained decode bandwidth is lower (the estimator applies an
    /// efficiency factor).</summary>
    public required double MemoryBandwidthGBps { get; init; }

    /// <summary>Peak dense FP16 throughput of the GPU, TFLOPS: tensor / matrix cores with FP32 accumulate and no
    /// sparsity where the GPU has them, else the vector rate. Null when no source gives it.</summary>
    public double? GpuFp16Tflops { get; init; }

    /// <summary>Peak FP32 (vector) throughput of the GPU, TFLOPS. Null when no source gives it.</summary>
    public double? GpuFp32Tflops { get; init; }

    /// <summary>CPU cores (all clusters; logical processors for <see cref="ThisMachine"/>).</summary>
    public required int CpuCores { get; init; }

    /// <summary>Performance ("big" / "prime" + "gold") cores, when the CPU is heterogeneous and the split is known.</summary>
    public int? CpuBigCores { get; init; }

    /// <summary>Typical WebGPU limits of the device's browser; null when the browser exposes no WebGPU.</summary>
    public WebGpuLimits? WebGpu { get; init; }

    /// <summary>True for a probed browser that has no WebGPU: browser runtimes still run there on wasm
    /// (<see cref="Estimation.ExecutionTarget.BrowserWasm"/>), WebGPU-only runtimes do not.</summary>
    public bool BrowserWithoutWebGpu { get; init; }

    /// <summary>The origin's storage left for the model as the browser itself reported it
    /// (<c>navigator.storage.estimate()</c>: quota − usage), bytes; null = derive it from
    /// <see cref="FreeStorageBytes"/> by the browser's quota rule.</summary>
    public long? OriginQuotaBytes { get; init; }

    /// <summary>Assumed free storage for model files, bytes (10^9-byte GB in sources).</summary>
    public required long FreeStorageBytes { get; init; }

    /// <summary>How much system memory one app (or browser tab, where the device is used through a browser) can
    /// really use before the OS kills it, bytes: Android low-memory killer, iOS jetsam per-app limit, desktop OS and
    /// other apps. Never more than <see cref="RamBytes"/>.</summary>
    public required long AppMemoryLimitBytes { get; init; }

    /// <summary>System memory the OS and other processes keep, bytes: <see cref="RamBytes"/> −
    /// <see cref="AppMemoryLimitBytes"/>.</summary>
    public long OsReserveBytes => RamBytes - AppMemoryLimitBytes;

    /// <summary>The memory a model's weights would live in when fully on the accelerator, bytes: dedicated VRAM for a
    /// discrete GPU, else <see cref="AppMemoryLimitBytes"/>.</summary>
    public long PrimaryModelMemoryBytes => GpuMemoryBytes ?? AppMemoryLimitBytes;

    /// <summary>Typical network used to download a model on this device.</summary>
    public required NetworkClass Network { get; init; }

    /// <summary>Derivations (bandwidth = transfer rate × bus width / 8, TFLOPS = ALUs × 2 × clock), assumptions and
    /// caveats; null when none.</summary>
    public string? Notes { get; init; }

    /// <summary>Citations for the numbers above. Never null; every built-in profile has at least one.</summary>
    public IReadOnlyList<DeviceSource> Sources { get; init; } = [];
}
