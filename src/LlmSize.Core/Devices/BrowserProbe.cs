using System.Globalization;

namespace LlmSize.Core.Devices;

/// <summary>WebGPU as a probe saw it: the adapter's limits and the limits the device granted when requested with
/// them (defaults are 256 MiB buffer / 128 MiB binding; adapters often offer more only on request).</summary>
public sealed record ProbedWebGpu
{
    /// <summary><c>GPUAdapterInfo.vendor</c>; null when hidden.</summary>
    public string? Vendor { get; init; }

    /// <summary><c>GPUAdapterInfo.architecture</c>.</summary>
    public string? Architecture { get; init; }

    /// <summary><c>GPUAdapterInfo.description</c>.</summary>
    public string? Description { get; init; }

    /// <summary><c>adapter.limits.maxBufferSize</c>, bytes.</summary>
    public long AdapterMaxBufferSize { get; init; }

    /// <summary><c>adapter.limits.maxStorageBufferBindingSize</c>, bytes.</summary>
    public long AdapterMaxStorageBufferBindingSize { get; init; }

    /// <summary><c>device.limits.maxBufferSize</c> of a device requested with the adapter's limits, bytes; 0 = not requested.</summary>
    public long GrantedMaxBufferSize { get; init; }

    /// <summary><c>device.limits.maxStorageBufferBindingSize</c> of that device, bytes; 0 = not requested.</summary>
    public long GrantedMaxStorageBufferBindingSize { get; init; }

    /// <summary><c>adapter.features</c> (e.g. <c>shader-f16</c>).</summary>
    public IReadOnlyList<string> Features { get; init; } = [];

    /// <summary>The largest buffer the probe really allocated, bytes (a bounded measurement); null when not measured.</summary>
    public long? MeasuredMaxBufferBytes { get; init; }
}

/// <summary>What <c>/probe.js</c>'s <c>probe()</c> reports about a visitor's browser. Every field may be absent: the
/// browser did not expose it (Safari and Firefox have no <c>navigator.deviceMemory</c> or client hints).</summary>
public sealed record BrowserProbe
{
    /// <summary><c>navigator.userAgent</c>.</summary>
    public string? UserAgent { get; init; }

    /// <summary>UA client hint <c>platform</c> ("Android", "Windows", "macOS", "Linux", "Chrome OS", "iOS").</summary>
    public string? Platform { get; init; }

    /// <summary>UA client hint <c>mobile</c>.</summary>
    public bool? Mobile { get; init; }

    /// <summary>UA client hint <c>model</c> ("Pixel 7a"; empty on desktops).</summary>
    public string? Model { get; init; }

    /// <summary>UA client hint <c>architecture</c> ("x86", "arm").</summary>
    public string? Architecture { get; init; }

    /// <summary>UA client hint <c>formFactors</c> joined ("Desktop", "Mobile", "Tablet").</summary>
    public string? FormFactor { get; init; }

    /// <summary><c>navigator.deviceMemory</c>, GiB: a bucket (0.25 … 8, a power of two rounded down, capped at 8 in Chrome).</summary>
    public double? DeviceMemoryGiB { get; init; }

    /// <summary><c>navigator.hardwareConcurrency</c>.</summary>
    public int? HardwareConcurrency { get; init; }

    /// <summary>WebGPU; null when <c>navigator.gpu</c> is absent or no adapter was granted.</summary>
    public ProbedWebGpu? WebGpu { get; init; }

    /// <summary><c>navigator.storage.estimate().quota</c>, bytes.</summary>
    public long? StorageQuotaBytes { get; init; }

    /// <summary><c>navigator.storage.estimate().usage</c>, bytes.</summary>
    public long? StorageUsageBytes { get; init; }

    /// <summary><c>navigator.storage.persisted()</c>.</summary>
    public bool? StoragePersisted { get; init; }

    /// <summary><c>navigator.connection.downlink</c>, Mbps (Chrome caps it at 10: a lower bound).</summary>
    public double? DownlinkMbps { get; init; }

    /// <summary><c>navigator.connection.saveData</c> (a metered or data-saving connection).</summary>
    public bool? SaveData { get; init; }

    /// <summary>Measured download throughput from a test file the app serves, Mbps; null when not measured.</summary>
    public double? MeasuredDownloadMbps { get; init; }

    /// <summary>The largest wasm memory the probe really grew, bytes; null when not measured.</summary>
    public long? WasmMaxMemoryBytes { get; init; }
}

/// <summary>How a number of a probed profile is known.</summary>
public enum ProbeBasis
{
    /// <summary>Measured by the probe (an allocation, a download).</summary>
    Measured,
    /// <summary>Reported exactly by the browser (WebGPU limits, core count, storage estimate).</summary>
    Reported,
    /// <summary>Reported by the browser rounded or capped (<c>deviceMemory</c> buckets, <c>downlink</c> capped at 10 Mbps): a lower bound.</summary>
    BrowserRounded,
    /// <summary>Not exposed: taken from the catalog profile the client hints match.</summary>
    Unknown,
}

/// <summary>One number of a probed profile and how it is known.</summary>
/// <param name="Name">What it is ("RAM", "maxStorageBufferBindingSize" …).</param>
/// <param name="Value">The value in words, with units.</param>
/// <param name="Basis">How it is known.</param>
/// <param name="Note">Why, and what stands in for an unknown.</param>
public sealed record ProbedValue(string Name, string Value, ProbeBasis Basis, string Note);

/// <summary>A device profile built from a probe, the catalog profile that filled its unknowns, and how each number is
/// known.</summary>
/// <param name="Profile">The profile the fit checks use.</param>
/// <param name="Fallback">The catalog profile the client hints match (its numbers stand in for unknowns).</param>
/// <param name="Values">Each number and its basis.</param>
/// <param name="Notes">Hard platform limits applied and other caveats.</param>
public sealed record ProbedDevice(DeviceProfile Profile, DeviceProfile Fallback, IReadOnlyList<ProbedValue> Values, IReadOnlyList<string> Notes);

/// <summary>
/// Turns a <see cref="BrowserProbe"/> into a <see cref="DeviceProfile"/> (data, no estimation): what the browser
/// exposes is used as reported; unknowns (memory bandwidth, VRAM, and RAM where <c>deviceMemory</c> is absent) come from
/// the catalog profile the client hints match, and the answer says so. Known platform limits are applied as hard
/// limits: iOS Safari's per-tab memory, the origin's storage quota as the browser reports it.
/// </summary>
public static class BrowserProbeProfile
{
    /// <summary>iOS / iPadOS Safari's per-tab memory before jetsam kills the tab: about 1.5 GB (1.5 × 10^9 bytes),
    /// as reported by WebLLM users whose tab reloaded after the download (web-llm #753); an estimate, not a published
    /// limit.</summary>
    public const long IosSafariTabMemoryBytes = 1_500_000_000;

    /// <summary>Chrome's <c>navigator.deviceMemory</c> cap, GiB: values are rounded down to a power of two and capped
    /// at 8 (W3C Device Memory spec, Chromium's implementation).</summary>
    public const double DeviceMemoryCapGiB = 8;

    /// <summary>Builds the profile.</summary>
    /// <param name="probe">The probe.</param>
    /// <param name="catalog">Catalog to match; null = <see cref="DeviceCatalog.Default"/>.</param>
    /// <returns>The probed device.</returns>
    /// <exception cref="InputException">A value out of range (negative sizes, WebGPU limits below the spec minimums,
    /// more than 1024 cores); the message names the field.</exception>
    public static ProbedDevice Build(BrowserProbe probe, DeviceCatalog? catalog = null)
    {
        ArgumentNullException.ThrowIfNull(probe);
        catalog ??= DeviceCatalog.Default;
        Validate(probe);
        var values = new List<ProbedValue>();
        var notes = new List<string>();
        var (fallback, why) = Match(probe, catalog);
        values.Add(new ProbedValue("catalog match", fallback.Id, ProbeBasis.Unknown, why));

        bool ios = IsIos(probe);
        long ram = fallback.RamBytes;
        long app = fallback.AppMemoryLimitBytes;
        if (probe.DeviceMemoryGiB is { } gib and > 0)
        {
            long reported = (long)(gib * (1L << 30));
            // deviceMemory is a lower bound; a matched profile with more RAM in the same bucket is not contradicted.
            ram = fallback.RamBytes >= reported && (gib < DeviceMemoryCapGiB ? fallback.RamBytes < 2 * reported : true) ? fallback.RamBytes : reported;
            app = (long)(ram * ((double)fallback.AppMemoryLimitBytes / fallback.RamBytes));
            values.Add(new ProbedValue("RAM", Gib(ram), ProbeBasis.BrowserRounded,
                $"navigator.deviceMemory = {gib.ToString(CultureInfo.InvariantCulture)} GiB (rounded down to a power of two, capped at {DeviceMemoryCapGiB} GiB): a lower bound; tab share as {fallback.Id}'s ratio"));
        }
        else
        {
            values.Add(new ProbedValue("RAM", Gib(ram), ProbeBasis.Unknown, $"navigator.deviceMemory not exposed; {fallback.Id}'s RAM stands in"));
        }

        if (ios && app > IosSafariTabMemoryBytes)
        {
            app = IosSafariTabMemoryBytes;
            notes.Add("iOS Safari: a tab is killed near 1.5 GB (web-llm #753); the tab's memory is capped there (estimate).");
        }

        int cores = probe.HardwareConcurrency is { } c and > 0 ? c : fallback.CpuCores;
        values.Add(new ProbedValue("CPU cores", cores.ToString(CultureInfo.InvariantCulture), probe.HardwareConcurrency is > 0 ? ProbeBasis.Reported : ProbeBasis.Unknown,
            probe.HardwareConcurrency is > 0 ? "navigator.hardwareConcurrency" : $"not exposed; {fallback.Id}'s cores stand in"));
        values.Add(new ProbedValue("memory bandwidth", $"{fallback.MemoryBandwidthGBps.ToString(CultureInfo.InvariantCulture)} GB/s", ProbeBasis.Unknown,
            $"browsers expose no memory bandwidth; {fallback.Id}'s stands in (speeds are estimates for that device)"));

        WebGpuLimits? webGpu = null;
        if (probe.WebGpu is { } g)
        {
            long buffer = g.GrantedMaxBufferSize > 0 ? g.GrantedMaxBufferSize : WebGpuLimits.SpecMinimumMaxBufferSizeBytes;
            long binding = g.GrantedMaxStorageBufferBindingSize > 0 ? g.GrantedMaxStorageBufferBindingSize : WebGpuLimits.SpecMinimumMaxStorageBufferBindingSizeBytes;
            if (g.MeasuredMaxBufferBytes is { } measured && measured < buffer)
            {
                buffer = measured;
                binding = Math.Min(binding, measured);
                values.Add(new ProbedValue("largest buffer allocated", Gib(measured), ProbeBasis.Measured, "a bounded allocation test; below the granted maxBufferSize"));
            }

            bool f16 = g.Features.Contains("shader-f16", StringComparer.Ordinal);
            webGpu = new WebGpuLimits
            {
                Browser = BrowserName(probe) + (g.Description is { Length: > 0 } d ? $" ({d})" : g.Vendor is { Length: > 0 } v ? $" ({v} {g.Architecture})" : ""),
                MaxBufferSizeBytes = buffer,
                MaxStorageBufferBindingSizeBytes = binding,
                ShaderF16 = f16,
                Basis = WebGpuLimitsBasis.Reported,
            };
            values.Add(new ProbedValue("maxBufferSize", Gib(buffer), ProbeBasis.Reported,
                g.GrantedMaxBufferSize > 0 ? $"granted on request (adapter offers {Gib(g.AdapterMaxBufferSize)})" : "not requested: the spec default"));
            values.Add(new ProbedValue("maxStorageBufferBindingSize", Gib(binding), ProbeBasis.Reported,
                g.GrantedMaxStorageBufferBindingSize > 0 ? $"granted on request (adapter offers {Gib(g.AdapterMaxStorageBufferBindingSize)})" : "not requested: the spec default"));
            values.Add(new ProbedValue("shader-f16", f16 ? "available" : "absent", ProbeBasis.Reported, "adapter.features"));
        }
        else
        {
            values.Add(new ProbedValue("WebGPU", "none", ProbeBasis.Reported, "navigator.gpu absent or no adapter: the wasm path"));
        }

        long? quota = null;
        if (probe.StorageQuotaBytes is { } q)
        {
            quota = Math.Max(0, q - (probe.StorageUsageBytes ?? 0));
            values.Add(new ProbedValue("origin storage left", Gib(quota.Value), ProbeBasis.Reported,
                "navigator.storage.estimate(): quota − usage" + (probe.StoragePersisted == true ? " (persisted)" : " (best-effort: the browser may evict it)")));
        }

        var network = fallback.Network;
        if (probe.MeasuredDownloadMbps is { } mbps and > 0)
        {
            network = NetworkClass.FromMbps(mbps);
            values.Add(new ProbedValue("download speed", $"{mbps:0.#} Mbps", ProbeBasis.Measured, "a test file from this server"));
        }
        else if (probe.DownlinkMbps is { } down and > 0)
        {
            network = NetworkClass.FromMbps(down);
            values.Add(new ProbedValue("download speed", $"{down:0.#} Mbps", ProbeBasis.BrowserRounded, "navigator.connection.downlink (Chrome caps it at 10 Mbps): a lower bound"));
        }

        if (probe.WasmMaxMemoryBytes is { } wasm)
        {
            values.Add(new ProbedValue("largest wasm memory", Gib(wasm), ProbeBasis.Measured, "WebAssembly.Memory grown until it failed (bounded)"));
            if (wasm < 4L << 30) notes.Add($"wasm memory grew to {Gib(wasm)} only; the wasm32 limit of 4 GiB is not reachable in this tab.");
        }

        var profile = new DeviceProfile
        {
            Id = "this-browser",
            DisplayName = $"This browser ({BrowserName(probe)}; unknowns from {fallback.DisplayName})",
            Category = fallback.Category,
            Platform = (probe.Platform ?? fallback.Platform) + ", " + BrowserName(probe),
            RamBytes = ram,
            GpuMemoryBytes = fallback.GpuMemoryBytes,
            UnifiedMemory = fallback.UnifiedMemory,
            MemoryBandwidthGBps = fallback.MemoryBandwidthGBps,
            GpuFp16Tflops = fallback.GpuFp16Tflops,
            GpuFp32Tflops = fallback.GpuFp32Tflops,
            CpuCores = cores,
            WebGpu = webGpu,
            BrowserWithoutWebGpu = webGpu is null,
            FreeStorageBytes = fallback.FreeStorageBytes,
            OriginQuotaBytes = quota,
            AppMemoryLimitBytes = Math.Min(app, ram),
            Network = network,
            Notes = "Probed in the browser; unknowns from " + fallback.Id + ".",
            Sources = fallback.Sources,
        };
        return new ProbedDevice(profile, fallback, values, notes);
    }

    /// <summary>The catalog profile the client hints match, smallest first within the platform (a conservative stand-in).</summary>
    private static (DeviceProfile Profile, string Why) Match(BrowserProbe probe, DeviceCatalog catalog)
    {
        string platform = (probe.Platform ?? "").ToLowerInvariant();
        string ua = probe.UserAgent ?? "";
        Func<DeviceProfile, bool> filter;
        string family;
        if (IsIos(probe))
        {
            bool ipad = ua.Contains("iPad", StringComparison.Ordinal) || probe.FormFactor?.Contains("Tablet", StringComparison.OrdinalIgnoreCase) == true;
            filter = d => d.Platform.StartsWith(ipad ? "iPadOS" : "iOS", StringComparison.Ordinal);
            family = ipad ? "iPad" : "iPhone";
        }
        else if (platform == "android" || ua.Contains("Android", StringComparison.Ordinal))
        {
            filter = d => d.Platform.StartsWith("Android", StringComparison.Ordinal);
            family = "Android phone";
        }
        else if (platform.Contains("chrome os") || platform.Contains("chromeos") || ua.Contains("CrOS", StringComparison.Ordinal))
        {
            filter = d => d.Category == DeviceCategory.Chromebook;
            family = "Chromebook";
        }
        else if (platform == "macos" || ua.Contains("Macintosh", StringComparison.Ordinal))
        {
            filter = d => d.Category == DeviceCategory.AppleSilicon;
            family = "Mac";
        }
        else
        {
            filter = d => d.Category == DeviceCategory.IntegratedGpuLaptop;
            family = "Windows / Linux PC (integrated GPU assumed: browsers do not expose VRAM)";
        }

        var candidates = catalog.Profiles.Where(filter).OrderBy(d => d.RamBytes).ThenBy(d => d.MemoryBandwidthGBps).ToList();
        if (candidates.Count == 0) candidates = catalog.Profiles.Where(d => d.WebGpu is not null).OrderBy(d => d.RamBytes).ToList();
        if (probe.Model is { Length: > 0 } model
            && candidates.FirstOrDefault(d => d.DisplayName.Contains(model, StringComparison.OrdinalIgnoreCase)) is { } named)
        {
            return (named, $"client hint model '{model}' names {named.DisplayName}");
        }

        DeviceProfile pick = candidates[0];
        if (probe.DeviceMemoryGiB is { } gib and > 0)
        {
            long bytes = (long)(gib * (1L << 30));
            pick = candidates.FirstOrDefault(d => d.RamBytes >= bytes) ?? candidates[^1];
        }

        return (pick, $"{family}: the smallest catalog profile of that kind with at least the RAM the browser reports");
    }

    private static bool IsIos(BrowserProbe p) =>
        string.Equals(p.Platform, "iOS", StringComparison.OrdinalIgnoreCase)
        || (p.UserAgent ?? "") is var ua && (ua.Contains("iPhone", StringComparison.Ordinal) || ua.Contains("iPad", StringComparison.Ordinal));

    private static string BrowserName(BrowserProbe p)
    {
        string ua = p.UserAgent ?? "";
        if (ua.Contains("Firefox/", StringComparison.Ordinal)) return "Firefox";
        if (ua.Contains("Edg/", StringComparison.Ordinal)) return "Edge";
        if (ua.Contains("Chrome/", StringComparison.Ordinal) || ua.Contains("Chromium/", StringComparison.Ordinal)) return "Chrome";
        if (ua.Contains("Safari/", StringComparison.Ordinal)) return "Safari";
        return "browser";
    }

    private static void Validate(BrowserProbe p)
    {
        static void Range(string field, double? v, double max)
        {
            if (v is { } x && (double.IsNaN(x) || x < 0 || x > max))
                throw new InputException(InputErrorKind.InvalidRequest, $"probe.{field}: {x.ToString(CultureInfo.InvariantCulture)} is out of range (0 … {max.ToString(CultureInfo.InvariantCulture)})");
        }

        Range("deviceMemoryGiB", p.DeviceMemoryGiB, 1024);
        Range("hardwareConcurrency", p.HardwareConcurrency, 1024);
        Range("storageQuotaBytes", p.StorageQuotaBytes, DeviceProfileValidator.MaxStorageBytes);
        Range("storageUsageBytes", p.StorageUsageBytes, DeviceProfileValidator.MaxStorageBytes);
        Range("downlinkMbps", p.DownlinkMbps, 1e6);
        Range("measuredDownloadMbps", p.MeasuredDownloadMbps, 1e6);
        Range("wasmMaxMemoryBytes", p.WasmMaxMemoryBytes, 1L << 40);
        if (p.WebGpu is { } g)
        {
            Range("webGpu.grantedMaxBufferSize", g.GrantedMaxBufferSize, 1L << 40);
            Range("webGpu.grantedMaxStorageBufferBindingSize", g.GrantedMaxStorageBufferBindingSize, 1L << 40);
            Range("webGpu.measuredMaxBufferBytes", g.MeasuredMaxBufferBytes, 1L << 40);
            if (g.GrantedMaxBufferSize is > 0 and < WebGpuLimits.SpecMinimumMaxBufferSizeBytes
                || g.GrantedMaxStorageBufferBindingSize is > 0 and < WebGpuLimits.SpecMinimumMaxStorageBufferBindingSizeBytes)
            {
                throw new InputException(InputErrorKind.InvalidRequest, "probe.webGpu: granted limits below the WebGPU spec minimums (256 MiB buffer, 128 MiB binding)");
            }

            if (g.Features.Count > 64 || g.Features.Any(f => f is null || f.Length > 64))
                throw new InputException(InputErrorKind.InvalidRequest, "probe.webGpu.features: at most 64 names of at most 64 characters");
        }

        foreach (var (field, text) in new[] { ("userAgent", p.UserAgent), ("platform", p.Platform), ("model", p.Model), ("architecture", p.Architecture), ("formFactor", p.FormFactor) })
        {
            if (text is { Length: > 512 }) throw new InputException(InputErrorKind.InvalidRequest, $"probe.{field}: longer than 512 characters");
        }
    }

    private static string Gib(long bytes) => Units.FormatBinary(bytes);
}
