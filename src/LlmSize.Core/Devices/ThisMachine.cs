using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;

namespace LlmSize.Core.Devices;

/// <summary>One GPU found on this machine.</summary>
/// <param name="Name">Name as the driver reports it (e.g. "NVIDIA GeForce RTX 4090").</param>
/// <param name="MemoryBytes">Total GPU memory, bytes (nvidia-smi reports MiB; converted × 2^20).</param>
/// <param name="DriverVersion">Driver version, when reported.</param>
public sealed record DetectedGpu(string Name, long MemoryBytes, string? DriverVersion);

/// <summary>What <see cref="ThisMachine.Detect"/> found: each value is null or empty when it could not be detected,
/// and <see cref="NotDetected"/> says why.</summary>
public sealed record ThisMachineInfo
{
    /// <summary>OS description (<see cref="RuntimeInformation.OSDescription"/>).</summary>
    public required string OsDescription { get; init; }

    /// <summary>Total physical RAM, bytes (Linux MemTotal; elsewhere the GC's view of available memory, which honours
    /// container limits). Null when unknown.</summary>
    public long? TotalRamBytes { get; init; }

    /// <summary>RAM available for new allocations now, bytes (Linux MemAvailable). Null when unknown.</summary>
    public long? AvailableRamBytes { get; init; }

    /// <summary>Logical processors visible to this process (<see cref="Environment.ProcessorCount"/>).</summary>
    public required int LogicalCores { get; init; }

    /// <summary>Free space available to this user on the file system that holds the current directory, bytes
    /// (<see cref="DriveInfo.AvailableFreeSpace"/> of the mount point containing
    /// <see cref="Environment.CurrentDirectory"/>). Null when it could not be read.</summary>
    public long? FreeStorageBytes { get; init; }

    /// <summary>GPUs found (NVIDIA via nvidia-smi only); empty when none were detected.</summary>
    public IReadOnlyList<DetectedGpu> Gpus { get; init; } = [];

    /// <summary>What was detected and how (e.g. "RAM from /proc/meminfo").</summary>
    public IReadOnlyList<string> Detected { get; init; } = [];

    /// <summary>What could not be detected and why (e.g. "GPU: nvidia-smi not found").</summary>
    public IReadOnlyList<string> NotDetected { get; init; } = [];

    /// <summary>Builds a <see cref="DeviceProfile"/> of category <see cref="DeviceCategory.Custom"/> (id
    /// <c>this-machine</c>). Memory bandwidth and TFLOPS cannot be measured here: they come from
    /// <paramref name="memoryBandwidthGBps"/> when given, else from the catalog profile whose display name or alias
    /// matches the first detected GPU (e.g. "NVIDIA H200" → <c>h200</c>). Free storage is
    /// <see cref="FreeStorageBytes"/>; when that is unknown, the assumption of <see cref="CustomDeviceBuilder"/>
    /// (RAM × 4) is used and the profile's <see cref="DeviceProfile.Notes"/> say so.</summary>
    /// <param name="catalog">Catalog used to look up the GPU; null for <see cref="DeviceCatalog.Default"/>.</param>
    /// <param name="memoryBandwidthGBps">Bandwidth to use, GB/s; null to take it from the catalog.</param>
    /// <returns>The profile.</returns>
    /// <exception cref="InvalidOperationException">RAM was not detected, or the bandwidth is neither given nor found
    /// in the catalog; the message says which option to pass (<c>--bandwidth</c>).</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="memoryBandwidthGBps"/> is not finite and &gt; 0.</exception>
    public DeviceProfile ToProfile(DeviceCatalog? catalog = null, double? memoryBandwidthGBps = null)
    {
        if (memoryBandwidthGBps is { } given && (!double.IsFinite(given) || given <= 0 || given > DeviceProfileValidator.MaxBandwidthGBps))
        {
            throw new ArgumentOutOfRangeException(nameof(memoryBandwidthGBps), given, "Bandwidth must be finite, > 0 GB/s and plausible.");
        }

        long ram = TotalRamBytes ?? throw new InvalidOperationException(
            "This machine's RAM could not be detected; describe it inline instead (--ram 16GiB --bandwidth 100GB/s).");
        catalog ??= DeviceCatalog.Default;
        DetectedGpu? gpu = Gpus.Count > 0 ? Gpus[0] : null;
        DeviceProfile? known = null;
        if (gpu is not null)
        {
            string name = gpu.Name.StartsWith("NVIDIA ", StringComparison.OrdinalIgnoreCase) ? gpu.Name["NVIDIA ".Length..] : gpu.Name;
            if (!catalog.TryFind(gpu.Name, out known) && !catalog.TryFind(name, out known))
            {
                catalog.TryFind(name.Replace("GeForce ", string.Empty, StringComparison.OrdinalIgnoreCase), out known);
            }
        }

        double bandwidth = memoryBandwidthGBps ?? known?.MemoryBandwidthGBps ?? throw new InvalidOperationException(
            gpu is null
                ? "Memory bandwidth cannot be detected on this machine; pass it (--bandwidth 50GB/s)."
                : $"GPU '{gpu.Name}' is not in the device catalog, so its memory bandwidth is unknown; pass it (--bandwidth 400GB/s).");

        long storage = FreeStorageBytes is { } free && free >= 0
            ? Math.Min(free, DeviceProfileValidator.MaxStorageBytes)
            : CustomDeviceBuilder.AssumedFreeStorageBytes(ram);
        return new DeviceProfile
        {
            Id = "this-machine",
            DisplayName = gpu is null ? "This machine" : $"This machine ({gpu.Name})",
            Category = DeviceCategory.Custom,
            Platform = OsDescription,
            RamBytes = ram,
            GpuMemoryBytes = gpu?.MemoryBytes,
            UnifiedMemory = false,
            MemoryBandwidthGBps = bandwidth,
            GpuFp16Tflops = memoryBandwidthGBps is null ? known?.GpuFp16Tflops : null,
            GpuFp32Tflops = memoryBandwidthGBps is null ? known?.GpuFp32Tflops : null,
            CpuCores = Math.Clamp(LogicalCores, 1, DeviceProfileValidator.MaxCpuCores),
            FreeStorageBytes = storage,
            AppMemoryLimitBytes = Math.Min(AvailableRamBytes ?? ram, ram),
            Network = NetworkClass.Broadband,
            Notes = "Detected: " + string.Join("; ", Detected)
                + (NotDetected.Count > 0 ? ". Not detected: " + string.Join("; ", NotDetected) : string.Empty)
                + (known is not null && memoryBandwidthGBps is null ? $". Bandwidth and TFLOPS from catalog profile '{known.Id}'." : string.Empty)
                + (FreeStorageBytes is null ? ". Free storage unknown: assumed RAM × 4 (assumption, as for inline devices)." : string.Empty),
            Sources = known?.Sources ?? [],
        };
    }
}

/// <summary>
/// Detects this machine's RAM, cores and (NVIDIA) GPUs for <c>llmsize fit --this-machine</c>. Never throws: what it
/// cannot find is listed in <see cref="ThisMachineInfo.NotDetected"/>.
/// </summary>
/// <remarks>
/// RAM: Linux <c>/proc/meminfo</c> (MemTotal, MemAvailable; kB there means KiB, proc(5)), capped by a container's
/// memory limit when the GC reports a lower one; elsewhere
/// <see cref="GC.GetGCMemoryInfo()"/>.<see cref="GCMemoryInfo.TotalAvailableMemoryBytes"/>. Cores:
/// <see cref="Environment.ProcessorCount"/>. GPU: <c>nvidia-smi --query-gpu=name,memory.total,driver_version
/// --format=csv,noheader,nounits</c> with a timeout (memory.total in MiB). Free storage:
/// <see cref="DriveInfo.AvailableFreeSpace"/> (space available to this user, bytes) of the mounted file system whose
/// root is the longest prefix of <see cref="Environment.CurrentDirectory"/> (on Linux <c>Path.GetPathRoot</c> is
/// always "/", which may be another file system), falling back to the drive of <c>Path.GetPathRoot</c>.
/// </remarks>
public static class ThisMachine
{
    /// <summary>Default time allowed for nvidia-smi.</summary>
    public static readonly TimeSpan DefaultGpuQueryTimeout = TimeSpan.FromSeconds(5);

    private const int MaxGpuOutputChars = 64 * 1024;

    /// <summary>Detects what it can; never throws.</summary>
    /// <param name="gpuQueryTimeout">Time allowed for nvidia-smi; null for <see cref="DefaultGpuQueryTimeout"/>.</param>
    /// <returns>What was found and what was not.</returns>
    public static ThisMachineInfo Detect(TimeSpan? gpuQueryTimeout = null)
    {
        var detected = new List<string>();
        var missing = new List<string>();
        long? total = null;
        long? available = null;

        if (OperatingSystem.IsLinux())
        {
            try
            {
                (total, available) = ParseMemInfo(File.ReadAllText("/proc/meminfo"));
                if (total is not null)
                {
                    detected.Add("RAM from /proc/meminfo");
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                missing.Add("RAM: /proc/meminfo unreadable (" + e.Message + ")");
            }
        }

        long gcLimit = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
        if (total is { } host && gcLimit > 0 && gcLimit < host)
        {
            // /proc/meminfo shows the host inside a container; the GC honours the cgroup memory limit.
            total = gcLimit;
            available = available is { } a ? Math.Min(a, gcLimit) : null;
            detected.Add("RAM capped by the container / cgroup limit (GC.GetGCMemoryInfo)");
        }

        if (total is null)
        {
            long gc = gcLimit;
            if (gc > 0)
            {
                total = gc;
                detected.Add("RAM from GC.GetGCMemoryInfo().TotalAvailableMemoryBytes (may reflect a container limit)");
            }
            else
            {
                missing.Add("RAM: not reported by the runtime");
            }
        }

        if (available is null)
        {
            missing.Add("available RAM: only reported on Linux (/proc/meminfo MemAvailable)");
        }

        detected.Add("cores from Environment.ProcessorCount");

        long? freeStorage = null;
        try
        {
            string directory = Environment.CurrentDirectory;
            (freeStorage, string root) = QueryFreeStorage(directory);
            detected.Add(string.Create(CultureInfo.InvariantCulture, $"free storage of '{root}' (holding the current directory) from DriveInfo.AvailableFreeSpace"));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or System.Security.SecurityException)
        {
            missing.Add("free storage: " + e.Message);
        }

        IReadOnlyList<DetectedGpu> gpus = [];
        try
        {
            (gpus, string? why) = QueryNvidiaSmi(gpuQueryTimeout ?? DefaultGpuQueryTimeout);
            if (gpus.Count > 0)
            {
                detected.Add(string.Create(CultureInfo.InvariantCulture, $"{gpus.Count} GPU(s) from nvidia-smi"));
            }
            else
            {
                missing.Add("GPU: " + why);
            }
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            missing.Add("GPU: nvidia-smi failed (" + e.Message + ")");
        }

        return new ThisMachineInfo
        {
            OsDescription = RuntimeInformation.OSDescription,
            TotalRamBytes = total,
            AvailableRamBytes = available,
            LogicalCores = Environment.ProcessorCount,
            FreeStorageBytes = freeStorage,
            Gpus = gpus,
            Detected = detected,
            NotDetected = missing,
        };
    }

    /// <summary>Free space of the file system holding <paramref name="directory"/>: the mounted drive whose root is the
    /// longest prefix of the directory, else the drive of <see cref="Path.GetPathRoot(string)"/>.</summary>
    /// <param name="directory">An absolute directory.</param>
    /// <returns><see cref="DriveInfo.AvailableFreeSpace"/> in bytes and the drive's root.</returns>
    /// <exception cref="IOException">The drive is not ready or cannot be read.</exception>
    /// <exception cref="UnauthorizedAccessException">The drive may not be queried.</exception>
    /// <exception cref="ArgumentException">The directory has no root.</exception>
    private static (long FreeBytes, string Root) QueryFreeStorage(string directory)
    {
        string? root = null;
        try
        {
            root = PickMountRoot(directory, DriveInfo.GetDrives().Select(d => d.RootDirectory.FullName));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Listing mounts can fail (e.g. an unreadable /proc/mounts); the path root below still answers.
        }

        root ??= Path.GetPathRoot(directory);
        if (string.IsNullOrEmpty(root))
        {
            throw new ArgumentException($"'{directory}' has no path root.", nameof(directory));
        }

        var drive = new DriveInfo(root);
        long free = drive.AvailableFreeSpace;
        if (free < 0)
        {
            throw new IOException($"drive '{root}' reported {free} free bytes.");
        }

        return (free, root);
    }

    /// <summary>Picks the mount root that holds <paramref name="directory"/>: the longest root that equals it or is a
    /// prefix of it ending at a directory separator ("/work" holds "/work/x" but not "/workspace"). Case-insensitive
    /// on Windows and macOS, ordinal elsewhere.</summary>
    /// <param name="directory">An absolute directory.</param>
    /// <param name="roots">Mount roots (e.g. "/", "/work", "C:\").</param>
    /// <returns>The matching root, or null when none holds the directory.</returns>
    internal static string? PickMountRoot(string directory, IEnumerable<string> roots)
    {
        StringComparison cmp = OperatingSystem.IsWindows() || OperatingSystem.IsMacOS()
            ? StringComparison.OrdinalIgnoreCase
            : StringComparison.Ordinal;
        string? best = null;
        foreach (string root in roots)
        {
            if (string.IsNullOrEmpty(root))
            {
                continue;
            }

            string r = root.Length > 1 ? Path.TrimEndingDirectorySeparator(root) : root;
            bool holds = directory.Equals(r, cmp)
                || (directory.StartsWith(r, cmp)
                    && (Path.EndsInDirectorySeparator(r) || (directory.Length > r.Length && (directory[r.Length] == Path.DirectorySeparatorChar || directory[r.Length] == Path.AltDirectorySeparatorChar))));
            if (holds && (best is null || r.Length > best.Length))
            {
                best = r;
            }
        }

        return best;
    }

    /// <summary>Parses <c>/proc/meminfo</c> text: MemTotal and MemAvailable in kB (= KiB, per proc(5)) to bytes.</summary>
    /// <param name="text">File contents.</param>
    /// <returns>Total and available bytes; each null when absent or malformed.</returns>
    internal static (long? Total, long? Available) ParseMemInfo(string text)
    {
        long? total = null, available = null;
        foreach (string line in text.Split('\n'))
        {
            int colon = line.IndexOf(':');
            if (colon <= 0)
            {
                continue;
            }

            string key = line[..colon];
            if (key is not ("MemTotal" or "MemAvailable"))
            {
                continue;
            }

            string[] parts = line[(colon + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length == 2 && parts[1] == "kB"
                && long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out long kib)
                && kib > 0 && kib <= long.MaxValue / 1024)
            {
                if (key == "MemTotal") total = kib * 1024; else available = kib * 1024;
            }
        }

        return (total, available);
    }

    /// <summary>Parses nvidia-smi CSV output (<c>name, memory.total [MiB], driver_version</c> per line, no header, no
    /// units). Malformed lines are skipped.</summary>
    /// <param name="csv">The output.</param>
    /// <returns>The GPUs.</returns>
    internal static IReadOnlyList<DetectedGpu> ParseNvidiaSmi(string csv)
    {
        var gpus = new List<DetectedGpu>();
        foreach (string raw in csv.Split('\n'))
        {
            string[] f = raw.Split(',', StringSplitOptions.TrimEntries);
            if (f.Length < 2 || f[0].Length == 0 || f[0].Length > 256)
            {
                continue;
            }

            if (long.TryParse(f[1], NumberStyles.None, CultureInfo.InvariantCulture, out long mib) && mib > 0
                && mib <= DeviceProfileValidator.MaxMemoryBytes >> 20)
            {
                gpus.Add(new DetectedGpu(f[0], mib << 20, f.Length > 2 && f[2].Length > 0 ? f[2] : null));
            }
        }

        return gpus;
    }

    private static (IReadOnlyList<DetectedGpu> Gpus, string? Why) QueryNvidiaSmi(TimeSpan timeout)
    {
        var psi = new ProcessStartInfo("nvidia-smi", "--query-gpu=name,memory.total,driver_version --format=csv,noheader,nounits")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            CreateNoWindow = true,
        };

        Process? process;
        try
        {
            process = Process.Start(psi);
        }
        catch (Win32Exception)
        {
            return ([], "nvidia-smi not found (no NVIDIA driver, or another GPU vendor; other GPUs are not detected)");
        }

        if (process is null)
        {
            return ([], "nvidia-smi could not be started");
        }

        using (process)
        {
            Task<string> stdout = process.StandardOutput.ReadToEndAsync();
            Task<string> stderr = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(timeout))
            {
                try
                {
                    process.Kill(entireProcessTree: true);
                }
                catch (InvalidOperationException)
                {
                    // Exited between the wait and the kill.
                }

                return ([], string.Create(CultureInfo.InvariantCulture, $"nvidia-smi did not answer within {timeout.TotalSeconds:0.#} s"));
            }

            process.WaitForExit();
            string output = stdout.Result;
            _ = stderr.Result;
            if (process.ExitCode != 0)
            {
                return ([], string.Create(CultureInfo.InvariantCulture, $"nvidia-smi exited with code {process.ExitCode}"));
            }

            if (output.Length > MaxGpuOutputChars)
            {
                output = output[..MaxGpuOutputChars];
            }

            IReadOnlyList<DetectedGpu> gpus = ParseNvidiaSmi(output);
            return (gpus, gpus.Count == 0 ? "nvidia-smi listed no GPUs" : null);
        }
    }
}
