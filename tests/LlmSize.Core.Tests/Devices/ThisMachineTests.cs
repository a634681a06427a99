using LlmSize.Core.Devices;
using LlmSize.Core.Estimation.Fit;

namespace LlmSize.Core.Tests.Devices;

public sealed class ThisMachineTests
{
    [Fact]
    public void ParseMemInfo_ReadsTotalAndAvailableInKiB()
    {
        // proc(5): /proc/meminfo values are in kB meaning KiB (1024 bytes).
        const string text = "MemTotal:       16318256 kB\nMemFree:         1000000 kB\nMemAvailable:    8000000 kB\nBuffers: 1 kB\n";
        (long? total, long? available) = ThisMachine.ParseMemInfo(text);
        Assert.Equal(16318256L * 1024, total);
        Assert.Equal(8000000L * 1024, available);
    }

    [Theory]
    [InlineData("")]
    [InlineData("MemTotal: lots kB")]
    [InlineData("MemTotal: -5 kB")]
    [InlineData("MemTotal: 99999999999999999999 kB")]
    [InlineData("MemTotal: 100 MB")]
    public void ParseMemInfo_MalformedGivesNull(string text)
    {
        (long? total, _) = ThisMachine.ParseMemInfo(text);
        Assert.Null(total);
    }

    [Fact]
    public void ParseNvidiaSmi_ReadsNameMemoryDriver()
    {
        // nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader,nounits: memory in MiB.
        const string csv = "NVIDIA H200, 143771, 570.86.15\nNVIDIA GeForce RTX 4090, 24564, 570.86.15\n";
        IReadOnlyList<DetectedGpu> gpus = ThisMachine.ParseNvidiaSmi(csv);
        Assert.Equal(2, gpus.Count);
        Assert.Equal("NVIDIA H200", gpus[0].Name);
        Assert.Equal(143771L << 20, gpus[0].MemoryBytes);
        Assert.Equal("570.86.15", gpus[0].DriverVersion);
    }

    [Theory]
    [InlineData("")]
    [InlineData("No devices were found")]
    [InlineData("GPU, [N/A], 1.0")]
    [InlineData(", 1000, 1.0")]
    public void ParseNvidiaSmi_MalformedLinesSkipped(string csv)
    {
        Assert.Empty(ThisMachine.ParseNvidiaSmi(csv));
    }

    [Fact]
    public void Detect_NeverThrowsAndReportsCores()
    {
        ThisMachineInfo info = ThisMachine.Detect(TimeSpan.FromSeconds(5));
        Assert.Equal(Environment.ProcessorCount, info.LogicalCores);
        Assert.NotEmpty(info.Detected);
        Assert.False(string.IsNullOrEmpty(info.OsDescription));
        if (OperatingSystem.IsLinux())
        {
            Assert.NotNull(info.TotalRamBytes);
            Assert.True(info.TotalRamBytes > 0);
        }

        // Either a GPU was found or the report says why not.
        Assert.True(info.Gpus.Count > 0 || info.NotDetected.Any(s => s.StartsWith("GPU", StringComparison.Ordinal)));
    }

    [Fact]
    public void ToProfile_UsesCatalogBandwidthForAKnownGpu()
    {
        var info = new ThisMachineInfo
        {
            OsDescription = "test", TotalRamBytes = 64L << 30, AvailableRamBytes = 60L << 30, LogicalCores = 16,
            Gpus = [new DetectedGpu("NVIDIA GeForce RTX 4090", 24564L << 20, "1")],
        };
        DeviceProfile p = info.ToProfile();
        Assert.Equal(1008, p.MemoryBandwidthGBps); // from the rtx-4090 catalog profile
        Assert.Equal(24564L << 20, p.GpuMemoryBytes);
        Assert.Equal(60L << 30, p.AppMemoryLimitBytes);
        Assert.Equal(DeviceCategory.Custom, p.Category);
        Assert.Null(DeviceProfileValidator.Validate(p, requireSources: false, out _));
    }

    [Fact]
    public void ToProfile_UnknownGpuNeedsBandwidth()
    {
        var info = new ThisMachineInfo
        {
            OsDescription = "test", TotalRamBytes = 8L << 30, LogicalCores = 4,
            Gpus = [new DetectedGpu("Mystery GPU 9000", 1L << 30, null)],
        };
        var e = Assert.Throws<InvalidOperationException>(() => info.ToProfile());
        Assert.Contains("--bandwidth", e.Message, StringComparison.Ordinal);
        Assert.Equal(50, info.ToProfile(memoryBandwidthGBps: 50).MemoryBandwidthGBps);
    }

    [Fact]
    public void ToProfile_NoRamThrows()
    {
        var info = new ThisMachineInfo { OsDescription = "test", LogicalCores = 4 };
        Assert.Throws<InvalidOperationException>(() => info.ToProfile(memoryBandwidthGBps: 10));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(double.NaN)]
    public void ToProfile_BadBandwidthThrows(double bw)
    {
        var info = new ThisMachineInfo { OsDescription = "test", TotalRamBytes = 8L << 30, LogicalCores = 4 };
        Assert.Throws<ArgumentOutOfRangeException>(() => info.ToProfile(memoryBandwidthGBps: bw));
    }

    [Fact]
    public void Detect_FindsFreeStorageOfTheCurrentDirectory()
    {
        ThisMachineInfo info = ThisMachine.Detect(TimeSpan.FromSeconds(5));
        // The test runs from a directory on a mounted, writable file system (the build output), so its free space is known.
        Assert.NotNull(info.FreeStorageBytes);
        Assert.True(info.FreeStorageBytes > 0);
        Assert.Contains(info.Detected, s => s.Contains("free storage", StringComparison.Ordinal));
        DeviceProfile p = info.ToProfile(memoryBandwidthGBps: 50);
        Assert.Equal(info.FreeStorageBytes, p.FreeStorageBytes);
        Assert.True(p.FreeStorageBytes > 0);
    }

    [Fact]
    public void ToProfile_UsesTheDetectedFreeStorage()
    {
        var info = new ThisMachineInfo { OsDescription = "test", TotalRamBytes = 8L << 30, LogicalCores = 4, FreeStorageBytes = 123_000_000_000 };
        DeviceProfile p = info.ToProfile(memoryBandwidthGBps: 50);
        Assert.Equal(123_000_000_000, p.FreeStorageBytes);
        Assert.DoesNotContain("Free storage unknown", p.Notes, StringComparison.Ordinal);
    }

    [Fact]
    public void ToProfile_UnknownFreeStorageFallsBackToTheDocumentedAssumption()
    {
        var info = new ThisMachineInfo { OsDescription = "test", TotalRamBytes = 8L << 30, LogicalCores = 4 };
        DeviceProfile p = info.ToProfile(memoryBandwidthGBps: 50);
        Assert.Equal(32L << 30, p.FreeStorageBytes); // assumption: RAM × 4 = 8 GiB × 4, as for inline devices
        Assert.Contains("Free storage unknown", p.Notes, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/work/wt-core", new[] { "/", "/work", "/workspace" }, "/work")]     // longest prefix ending at '/'
    [InlineData("/workspace/a", new[] { "/", "/work", "/workspace" }, "/workspace")]
    [InlineData("/workshop", new[] { "/", "/work" }, "/")]                          // "/work" is not a prefix at a separator
    [InlineData("/work", new[] { "/", "/work/" }, "/work")]                         // trailing separator ignored
    [InlineData("/home/u", new[] { "/proc", "/sys" }, null)]                        // no root holds it
    public void PickMountRoot_ChoosesTheLongestRootHoldingTheDirectory(string directory, string[] roots, string? expected)
    {
        if (OperatingSystem.IsWindows()) return; // POSIX paths
        Assert.Equal(expected, ThisMachine.PickMountRoot(directory, roots));
    }
}
