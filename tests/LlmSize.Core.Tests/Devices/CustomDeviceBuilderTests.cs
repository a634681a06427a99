using LlmSize.Core.Devices;

namespace LlmSize.Core.Tests.Devices;

public sealed class CustomDeviceBuilderTests
{
    [Fact]
    public void Build_InlineSpecsAsOnTheCommandLine()
    {
        // --ram 8GiB --vram 4GiB --bandwidth 100GB/s
        DeviceProfile p = new CustomDeviceBuilder().WithRam("8GiB").WithVram("4GiB").WithBandwidth("100GB/s").Build();
        Assert.Equal("custom", p.Id);
        Assert.Equal(DeviceCategory.Custom, p.Category);
        Assert.Equal(8L << 30, p.RamBytes);
        Assert.Equal(4L << 30, p.GpuMemoryBytes);
        Assert.Equal(100, p.MemoryBandwidthGBps);
        Assert.Equal(p.RamBytes, p.AppMemoryLimitBytes); // default: the user describes what they can use
        Assert.Equal(4L << 30, p.PrimaryModelMemoryBytes);
        Assert.Same(NetworkClass.Broadband, p.Network);
    }

    [Fact]
    public void Build_AllOptions()
    {
        DeviceProfile p = new CustomDeviceBuilder().WithName("lab box").WithRam("16 GB").WithUnifiedMemory()
            .WithAppMemoryLimit("12 GB").WithFreeStorage("500 GB").WithBandwidth("120 GB/s").WithFp16("8 TFLOPS")
            .WithFp32("4 TFLOPS").WithCores(10).WithNetwork("25Mbps").Build();
        Assert.Equal("lab box", p.DisplayName);
        Assert.True(p.UnifiedMemory);
        Assert.Equal(12_000_000_000, p.AppMemoryLimitBytes);
        Assert.Equal(25, p.Network.DownloadMbps);
        Assert.Equal(10, p.CpuCores);
        Assert.Equal(8, p.GpuFp16Tflops);
    }

    [Fact]
    public void Build_NamedNetworkClass()
    {
        DeviceProfile p = new CustomDeviceBuilder().WithRam("8GiB").WithBandwidth("50GB/s").WithNetwork("wifi6").Build();
        Assert.Same(NetworkClass.WiFi6, p.Network);
    }

    [Fact]
    public void Build_WithoutRamNamesTheOption()
    {
        var e = Assert.Throws<ArgumentException>(() => new CustomDeviceBuilder().WithBandwidth("100GB/s").Build());
        Assert.Contains("--ram", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Build_WithoutBandwidthNamesTheOption()
    {
        var e = Assert.Throws<ArgumentException>(() => new CustomDeviceBuilder().WithRam("8GiB").Build());
        Assert.Contains("--bandwidth", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("0GiB", "--ram")]      // zero memory
    [InlineData("100 TiB", "--ram")]   // absurd: above the 64 TiB cap
    public void Build_ImpossibleRamNamesTheOption(string ram, string option)
    {
        var e = Assert.Throws<ArgumentException>(() => new CustomDeviceBuilder().WithRam(ram).WithBandwidth("10GB/s").Build());
        Assert.StartsWith(option, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Build_ZeroBandwidthRejected()
    {
        var e = Assert.Throws<ArgumentException>(() => new CustomDeviceBuilder().WithRam("8GiB").WithBandwidth("0GB/s").Build());
        Assert.StartsWith("--bandwidth", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Build_VramWithUnifiedMemoryRejected()
    {
        Assert.Throws<ArgumentException>(() =>
            new CustomDeviceBuilder().WithRam("8GiB").WithVram("4GiB").WithUnifiedMemory().WithBandwidth("10GB/s").Build());
    }

    [Fact]
    public void Build_AppLimitAboveRamRejected()
    {
        var e = Assert.Throws<ArgumentException>(() =>
            new CustomDeviceBuilder().WithRam("8GiB").WithAppMemoryLimit("9GiB").WithBandwidth("10GB/s").Build());
        Assert.StartsWith("--usable-ram", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("eight gigs")]
    [InlineData("8")]
    public void WithRam_BadTextNamesOptionAndText(string text)
    {
        var e = Assert.Throws<ArgumentException>(() => new CustomDeviceBuilder().WithRam(text));
        Assert.Contains("--ram", e.Message, StringComparison.Ordinal);
        Assert.Contains(text, e.Message, StringComparison.Ordinal);
        Assert.IsType<FormatException>(e.InnerException);
    }

    [Fact]
    public void WithNetwork_BadTextThrows()
    {
        Assert.Throws<ArgumentException>(() => new CustomDeviceBuilder().WithNetwork("carrier pigeon"));
        Assert.Throws<ArgumentException>(() => new CustomDeviceBuilder().WithNetwork("0Mbps"));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(5000)]
    public void WithCores_OutOfRangeThrows(int cores)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new CustomDeviceBuilder().WithCores(cores));
    }
}
