using LlmSize.Core.Devices;

namespace LlmSize.Core.Estimation.Fit;

/// <summary>The verdict of a fit check.</summary>
public enum FitOutcome
{
    /// <summary>Runs as asked: the requested format and context fit every constraint.</summary>
    Fits,
    /// <summary>Runs with a change: a lower precision, a shorter context or partial GPU offload.</summary>
    FitsWithChanges,
    /// <summary>No format of the runtime fits, even at a short context.</summary>
    DoesNotFit,
}

/// <summary>What limits the fit.</summary>
public enum FitConstraint
{
    /// <summary>Nothing: everything fits.</summary>
    None,
    /// <summary>Memory an app (or browser tab) may use on a unified-memory or CPU-only device.</summary>
    AppMemory,
    /// <summary>Dedicated GPU memory.</summary>
    Vram,
    /// <summary>System RAM for the CPU-resident part of a partially offloaded model.</summary>
    HostRam,
    /// <summary>WebGPU <c>maxStorageBufferBindingSize</c> / <c>maxBufferSize</c>: the largest tensor must fit one buffer.</summary>
    WebGpuBufferLimit,
    /// <summary>The runtime runs only in a browser (WebGPU or wasm) and the device profile has none (data-centre GPUs).</summary>
    NoWebGpu,
    /// <summary>WebGPU <c>shader-f16</c> feature missing for an f16 format.</summary>
    ShaderF16Missing,
    /// <summary>wasm32's 4 GiB address space (onnxruntime-web wasm backend).</summary>
    Wasm4GiB,
    /// <summary>Free storage (or the browser origin quota) for caching the download.</summary>
    Storage,
    /// <summary>The runtime cannot run this architecture at all (WebLLM: MLC LLM has no model definition for it).</summary>
    UnsupportedArchitecture,
}

/// <summary>Helpers for <see cref="FitConstraint"/>.</summary>
public static class FitConstraintExtensions
{
    /// <summary>True for yes/no checks (a WebGPU feature, a browser being present) whose "bytes" are 1 or 0.</summary>
    /// <param name="constraint">The constraint.</param>
    /// <returns>Whether it is a feature check.</returns>
    public static bool IsFeature(this FitConstraint constraint) =>
        constraint is FitConstraint.ShaderF16Missing or FitConstraint.NoWebGpu or FitConstraint.UnsupportedArchitecture;

    /// <summary>True for checks no format or context can pass (no browser, an architecture the runtime cannot run):
    /// the ladder is not walked when one fails.</summary>
    /// <param name="constraint">The constraint.</param>
    /// <returns>Whether failing it is final.</returns>
    public static bool IsHopeless(this FitConstraint constraint) =>
        constraint is FitConstraint.NoWebGpu or FitConstraint.UnsupportedArchitecture;

    /// <summary>The constraint in words for sentences and tables ("app memory", "WebGPU buffer", "shader-f16");
    /// JSON keeps the enum names.</summary>
    /// <param name="constraint">The constraint.</param>
    /// <returns>Words.</returns>
    public static string Describe(this FitConstraint constraint) => constraint switch
    {
        FitConstraint.None => "–",
        FitConstraint.AppMemory => "app memory",
        FitConstraint.Vram => "VRAM",
        FitConstraint.HostRam => "host RAM",
        FitConstraint.WebGpuBufferLimit => "WebGPU buffer",
        FitConstraint.NoWebGpu => "browser with WebGPU",
        FitConstraint.ShaderF16Missing => "shader-f16",
        FitConstraint.Wasm4GiB => "wasm32 4 GiB",
        FitConstraint.Storage => "storage",
        FitConstraint.UnsupportedArchitecture => "runtime support",
        _ => constraint.ToString(),
    };
}

/// <summary>One constraint checked: what is needed against what is there.</summary>
/// <param name="Constraint">The constraint.</param>
/// <param name="RequiredBytes">Bytes needed (1 for a feature check).</param>
/// <param name="AvailableBytes">Bytes available (1 or 0 for a feature check).</param>
/// <param name="Detail">What was compared, in words.</param>
public sealed record FitCheck(FitConstraint Constraint, long RequiredBytes, long AvailableBytes, string Detail)
{
    /// <summary>True when required ≤ available.</summary>
    public bool Passes => RequiredBytes <= AvailableBytes;

    /// <summary>Available − required, bytes (negative when it does not fit).</summary>
    public long HeadroomBytes => AvailableBytes - RequiredBytes;
}

/// <summary>Download time over one network class.</summary>
/// <param name="Network">Network class.</param>
/// <param name="Seconds">Seconds at its sustained throughput.</param>
public sealed record DownloadTime(NetworkClass Network, double Seconds);
