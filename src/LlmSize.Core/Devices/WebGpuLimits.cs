namespace LlmSize.Core.Devices;

/// <summary>How a <see cref="WebGpuLimits"/> value is known.</summary>
public enum WebGpuLimitsBasis
{
    /// <summary>Seen in a cited report of this device family's adapter limits (an issue thread, a limits dump).</summary>
    Reported = 1,
    /// <summary>The tier commonly reported by this browser on this GPU family; individual devices may differ.</summary>
    Typical,
    /// <summary>Only the WebGPU specification's guaranteed minimum is known
    /// (<c>maxBufferSize</c> 268,435,456 bytes, <c>maxStorageBufferBindingSize</c> 134,217,728 bytes).</summary>
    SpecMinimum,
}

/// <summary>
/// The WebGPU adapter limits and features a browser typically exposes on a device: what a model running in a tab via
/// WebGPU (WebLLM, Transformers.js / onnxruntime-web, MediaPipe) can allocate in one buffer and bind in one shader.
/// </summary>
/// <remarks>
/// Limit names follow the WebGPU specification, section "Limits" (https://www.w3.org/TR/webgpu/#limits). Browsers
/// report limits in tiers to reduce fingerprinting (MDN, GPUSupportedLimits), so a profile states a tier and its
/// <see cref="Basis"/>, not a measured value of one handset.
/// </remarks>
public sealed record WebGpuLimits
{
    /// <summary>WebGPU specification default / guaranteed minimum of <c>maxBufferSize</c>: 256 MiB (268,435,456 bytes).</summary>
    public const long SpecMinimumMaxBufferSizeBytes = 268_435_456;

    /// <summary>WebGPU specification default / guaranteed minimum of <c>maxStorageBufferBindingSize</c>: 128 MiB
    /// (134,217,728 bytes).</summary>
    public const long SpecMinimumMaxStorageBufferBindingSizeBytes = 134_217_728;

    /// <summary>Browser and graphics backend the limits are for (e.g. "Chrome 13x / Vulkan (Adreno)").</summary>
    public required string Browser { get; init; }

    /// <summary><c>maxBufferSize</c>: the largest single GPU buffer, in bytes.</summary>
    public required long MaxBufferSizeBytes { get; init; }

    /// <summary><c>maxStorageBufferBindingSize</c>: the largest range of a storage buffer one binding may expose to a
    /// shader, in bytes; the largest single weight tensor (or weight shard) must fit in it.</summary>
    public required long MaxStorageBufferBindingSizeBytes { get; init; }

    /// <summary>Whether the <c>shader-f16</c> feature is typically available (needed for f16 weights / activations,
    /// e.g. WebLLM <c>q4f16_1</c>, Transformers.js <c>q4f16</c>).</summary>
    public required bool ShaderF16 { get; init; }

    /// <summary>How these numbers are known.</summary>
    public required WebGpuLimitsBasis Basis { get; init; }
}
