using LlmSize.Core.Devices;

namespace LlmSize.Core.Estimation.Fit;

/// <summary>How much of a device's free storage a browser origin may use to cache a model download.</summary>
public static class StorageQuota
{
    /// <summary>
    /// The origin storage quota a browser grants for caching the model (Cache Storage / IndexedDB / OPFS), from the
    /// device's free space as the stand-in for the disk it can see: Chromium gives an origin up to 60% of the disk
    /// (web.dev "Storage for the web", Chrome 110+); Firefox's best-effort limit is 10% of the disk or 10 GiB per
    /// eTLD+1 group, whichever is smaller (MDN "Storage quotas and eviction criteria"); Safari 17+ grants a browser
    /// origin about 60% of the disk (WebKit blog "Updates to Storage Policy", 2023).
    /// </summary>
    /// <param name="device">The device (its browser and free storage).</param>
    /// <returns>Bytes an origin may store, and the rule in words.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="device"/> is null.</exception>
    public static (long Bytes, string Rule) Browser(DeviceProfile device)
    {
        ArgumentNullException.ThrowIfNull(device);
        if (device.OriginQuotaBytes is { } reported) return (reported, "origin quota left as the browser reports it (navigator.storage.estimate(): quota − usage)");
        string browser = device.WebGpu?.Browser ?? device.Platform;
        long free = device.FreeStorageBytes;
        if (browser.Contains("Firefox", StringComparison.OrdinalIgnoreCase))
        {
            return (Math.Min(free / 10, 10L << 30), "Firefox origin quota: min(10% of the disk, 10 GiB), taken here of the free space");
        }

        return browser.Contains("Safari", StringComparison.OrdinalIgnoreCase)
            ? ((long)(free * 0.6), "Safari 17+ origin quota: ~60% of the disk, taken here of the free space")
            : ((long)(free * 0.6), "Chromium origin quota: 60% of the disk, taken here of the free space");
    }
}
