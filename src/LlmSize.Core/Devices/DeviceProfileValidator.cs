using System.Globalization;
using System.Text.RegularExpressions;

namespace LlmSize.Core.Devices;

/// <summary>
/// Plausibility rules every <see cref="DeviceProfile"/> must pass, whether built in, loaded from a user's file or
/// described inline: positive memory, positive finite bandwidth, and caps that catch unit mistakes (a RAM of 8 TB
/// typed for 8 GB) without rejecting real hardware.
/// </summary>
public static partial class DeviceProfileValidator
{
    /// <summary>Largest accepted RAM, VRAM or app memory limit: 64 TiB (a large server has a few TiB).</summary>
    public const long MaxMemoryBytes = 64L << 40;

    /// <summary>Largest accepted free storage: 1 PB (10^15 bytes).</summary>
    public const long MaxStorageBytes = 1_000_000_000_000_000;

    /// <summary>Largest accepted memory bandwidth: 100,000 GB/s (an H200 has 4,800 GB/s).</summary>
    public const double MaxBandwidthGBps = 100_000;

    /// <summary>Largest accepted dense TFLOPS figure: 100,000 (an H100 SXM has 989 dense FP16).</summary>
    public const double MaxTflops = 100_000;

    /// <summary>Largest accepted CPU core count.</summary>
    public const int MaxCpuCores = 4096;

    /// <summary>Largest accepted id / name length, characters.</summary>
    public const int MaxNameLength = 128;

    [GeneratedRegex("^[a-z0-9]+(-[a-z0-9]+)*$", RegexOptions.CultureInvariant)]
    private static partial Regex KebabCase();

    /// <summary>Whether <paramref name="id"/> is kebab-case (lower-case letters and digits in groups joined by single
    /// dashes) and at most <see cref="MaxNameLength"/> characters.</summary>
    /// <param name="id">The id to check.</param>
    /// <returns>True when valid.</returns>
    public static bool IsValidId(string? id) =>
        !string.IsNullOrEmpty(id) && id.Length <= MaxNameLength && KebabCase().IsMatch(id);

    /// <summary>Checks a profile.</summary>
    /// <param name="profile">The profile.</param>
    /// <param name="requireSources">True to require at least one source with a URL (built-in catalog rule).</param>
    /// <param name="field">The JSON field name of the first problem (<c>ram</c>, <c>memoryBandwidthGBps</c>, …), or null.</param>
    /// <returns>Null when valid, else a sentence saying what is wrong, with the value seen and the limit.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="profile"/> is null.</exception>
    public static string? Validate(DeviceProfile profile, bool requireSources, out string? field)
    {
        ArgumentNullException.ThrowIfNull(profile);
        field = "id";
        if (!IsValidId(profile.Id))
        {
            return $"id '{Shorten(profile.Id)}' must be kebab-case (e.g. 'pixel-8'), 1–{MaxNameLength} characters.";
        }

        field = "displayName";
        if (string.IsNullOrWhiteSpace(profile.DisplayName) || profile.DisplayName.Length > MaxNameLength)
        {
            return $"displayName must be non-empty and at most {MaxNameLength} characters.";
        }

        field = "aliases";
        foreach (string alias in profile.Aliases)
        {
            if (string.IsNullOrWhiteSpace(alias) || alias.Length > MaxNameLength)
            {
                return $"every alias must be non-empty and at most {MaxNameLength} characters.";
            }
        }

        field = "ram";
        if (Memory(profile.RamBytes, "RAM") is { } ram)
        {
            return ram;
        }

        field = "gpuMemory";
        if (profile.GpuMemoryBytes is { } vram && Memory(vram, "GPU memory") is { } vramProblem)
        {
            return vramProblem;
        }

        field = "unifiedMemory";
        if (profile.UnifiedMemory && profile.GpuMemoryBytes is not null)
        {
            return "a device with unified memory has no separate GPU memory: give gpuMemory only for a discrete GPU.";
        }

        field = "appMemoryLimit";
        if (Memory(profile.AppMemoryLimitBytes, "app memory limit") is { } app)
        {
            return app;
        }

        if (profile.AppMemoryLimitBytes > profile.RamBytes)
        {
            string appText = Units.FormatBinary(profile.AppMemoryLimitBytes), ramText = Units.FormatBinary(profile.RamBytes);
            return appText == ramText // rounded alike: show the exact byte counts that differ
                ? Inv($"app memory limit {profile.AppMemoryLimitBytes:N0} bytes exceeds RAM {profile.RamBytes:N0} bytes.")
                : Inv($"app memory limit {appText} exceeds RAM {ramText}.");
        }

        field = "memoryBandwidthGBps";
        if (!double.IsFinite(profile.MemoryBandwidthGBps) || profile.MemoryBandwidthGBps <= 0
            || profile.MemoryBandwidthGBps > MaxBandwidthGBps)
        {
            return Inv($"memory bandwidth {profile.MemoryBandwidthGBps} GB/s must be > 0 and ≤ {MaxBandwidthGBps} GB/s.");
        }

        field = "gpuFp16Tflops";
        if (Tflops(profile.GpuFp16Tflops) is { } fp16)
        {
            return fp16;
        }

        field = "gpuFp32Tflops";
        if (Tflops(profile.GpuFp32Tflops) is { } fp32)
        {
            return fp32;
        }

        field = "cpuCores";
        if (profile.CpuCores < 1 || profile.CpuCores > MaxCpuCores)
        {
            return Inv($"cpuCores {profile.CpuCores} must be between 1 and {MaxCpuCores}.");
        }

        field = "cpuBigCores";
        if (profile.CpuBigCores is { } big && (big < 1 || big > profile.CpuCores))
        {
            return Inv($"cpuBigCores {big} must be between 1 and cpuCores ({profile.CpuCores}).");
        }

        field = "freeStorage";
        if (profile.FreeStorageBytes < 0 || profile.FreeStorageBytes > MaxStorageBytes)
        {
            return Inv($"free storage {profile.FreeStorageBytes} bytes must be ≥ 0 and ≤ {MaxStorageBytes} bytes (1 PB).");
        }

        field = "webGpu";
        if (profile.WebGpu is { } web)
        {
            if (web.MaxBufferSizeBytes < WebGpuLimits.SpecMinimumMaxBufferSizeBytes || web.MaxBufferSizeBytes > MaxMemoryBytes)
            {
                return Inv($"webGpu.maxBufferSize {web.MaxBufferSizeBytes} bytes is below the WebGPU spec minimum of {WebGpuLimits.SpecMinimumMaxBufferSizeBytes} bytes or above {MaxMemoryBytes} bytes.");
            }

            if (web.MaxStorageBufferBindingSizeBytes < WebGpuLimits.SpecMinimumMaxStorageBufferBindingSizeBytes
                || web.MaxStorageBufferBindingSizeBytes > MaxMemoryBytes)
            {
                return Inv($"webGpu.maxStorageBufferBindingSize {web.MaxStorageBufferBindingSizeBytes} bytes is below the WebGPU spec minimum of {WebGpuLimits.SpecMinimumMaxStorageBufferBindingSizeBytes} bytes or above {MaxMemoryBytes} bytes.");
            }

            if (string.IsNullOrWhiteSpace(web.Browser))
            {
                return "webGpu.browser must name the browser and backend.";
            }
        }

        field = "sources";
        foreach (DeviceSource source in profile.Sources)
        {
            if (!Uri.TryCreate(source.Url, UriKind.Absolute, out Uri? uri) || (uri.Scheme != "https" && uri.Scheme != "http"))
            {
                return $"source URL '{Shorten(source.Url)}' is not an absolute http(s) URL.";
            }

            if (string.IsNullOrWhiteSpace(source.Supports))
            {
                return $"source '{Shorten(source.Url)}' must say which values it supports.";
            }
        }

        if (requireSources && profile.Sources.Count == 0)
        {
            return "at least one source is required.";
        }

        field = null;
        return null;
    }

    private static string? Memory(long bytes, string what) =>
        bytes <= 0 || bytes > MaxMemoryBytes
            ? Inv($"{what} {bytes:N0} bytes must be > 0 and at most {Units.FormatBinary(MaxMemoryBytes)}.")
            : null;

    private static string? Tflops(double? value) =>
        value is { } v && (!double.IsFinite(v) || v <= 0 || v > MaxTflops)
            ? Inv($"TFLOPS {v} must be > 0 and ≤ {MaxTflops}.")
            : null;

    private static string Inv(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);

    private static string Shorten(string? s) => s is null ? "(null)" : s.Length > 64 ? s[..64] + "…" : s;
}
