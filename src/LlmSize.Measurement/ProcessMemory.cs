using System.Diagnostics;
using System.Globalization;

namespace LlmSize.Measurement;

/// <summary>Resident memory of this process at one moment.</summary>
/// <param name="ResidentBytes">Resident set size now, bytes (Linux <c>VmRSS</c>; elsewhere
/// <see cref="Process.WorkingSet64"/>).</param>
/// <param name="PeakResidentBytes">High-water mark of the resident set, bytes (Linux <c>VmHWM</c>: the largest
/// <c>VmRSS</c> since the process started or since <see cref="ProcessMemory.TryResetPeak"/>; elsewhere
/// <see cref="Process.PeakWorkingSet64"/>).</param>
/// <param name="Source">Where the numbers come from, in words.</param>
public sealed record ProcessMemorySample(long ResidentBytes, long PeakResidentBytes, string Source);

/// <summary>
/// Reads this process's resident memory. On Linux from <c>/proc/self/status</c> (proc(5): <c>VmRSS</c> = resident set
/// size, the sum of anonymous, file-backed — including memory-mapped model files once their pages are touched — and
/// shared-memory pages; <c>VmHWM</c> = its peak; both in "kB", which proc(5) means as KiB). Elsewhere from
/// <see cref="Process"/>.
/// </summary>
public static class ProcessMemory
{
    private const string StatusPath = "/proc/self/status";
    private const string ClearRefsPath = "/proc/self/clear_refs";

    /// <summary>Reads the current and peak resident set.</summary>
    /// <returns>The sample.</returns>
    public static ProcessMemorySample Read()
    {
        if (OperatingSystem.IsLinux() && File.Exists(StatusPath))
        {
            long? rss = null, hwm = null;
            foreach (string line in File.ReadLines(StatusPath))
            {
                if (line.StartsWith("VmRSS:", StringComparison.Ordinal)) rss = ParseKiB(line);
                else if (line.StartsWith("VmHWM:", StringComparison.Ordinal)) hwm = ParseKiB(line);
            }

            if (rss is { } r && hwm is { } h) return new ProcessMemorySample(r, Math.Max(r, h), "/proc/self/status VmRSS / VmHWM");
        }

        using var self = Process.GetCurrentProcess();
        return new ProcessMemorySample(self.WorkingSet64, Math.Max(self.WorkingSet64, self.PeakWorkingSet64), "Process.WorkingSet64 / PeakWorkingSet64");
    }

    /// <summary>Resets the peak (<c>VmHWM</c>) to the current resident set by writing "5" to <c>/proc/self/clear_refs</c>
    /// (Linux ≥ 4.0, proc(5)), so a later <see cref="Read"/> reports the peak of what ran in between.</summary>
    /// <returns>True when the kernel accepted it; false elsewhere (the peak then counts from process start).</returns>
    public static bool TryResetPeak()
    {
        if (!OperatingSystem.IsLinux()) return false;
        try
        {
            File.WriteAllText(ClearRefsPath, "5");
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>"VmRSS:    123456 kB" → 123456 × 1024 bytes.</summary>
    internal static long? ParseKiB(string line)
    {
        int colon = line.IndexOf(':', StringComparison.Ordinal);
        if (colon < 0) return null;
        var parts = line[(colon + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return parts.Length >= 1 && long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out long kib) ? kib * 1024 : null;
    }
}
