using LlmSize.Core;
using LlmSize.Core.Devices;
using LlmSize.Core.Estimation.Fit;

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
        // Default app memory: RAM − min(4 GiB, RAM / 2) = 8 GiB − 4 GiB = 4 GiB (the catalog's Windows / Linux PC rule,
        // devices.json "system RAM minus 4 GiB kept by the OS"; laptop-intel-uhd-620: 8 GiB RAM, 4 GiB app limit).
        Assert.Equal(4L << 30, p.AppMemoryLimitBytes);
        Assert.Equal(4L << 30, p.OsReserveBytes);
        Assert.Equal(4L << 30, p.PrimaryModelMemoryBytes);
        Assert.Same(NetworkClass.Broadband, p.Network);
    }

    [Fact]
    public void A_device_without_cores_says_its_prompt_speed_rests_on_an_assumed_core()
    {
        // Issue 17 item 6: --ram 16GiB --bandwidth 50GB/s gave a prompt speed equal to the generation speed from an
        // unstated one-core assumption. Now the report says so and points to --cores; with --cores 8 the assumption
        // and the warning are gone, and compute-bound prefill outruns bandwidth-bound decode.
        DeviceProfile assumed = new CustomDeviceBuilder().WithRam("16GiB").WithBandwidth("50GB/s").Build();
        Assert.True(assumed.CpuCoresAssumed);
        var r = FitPipeline.Run(new FitRequest { Model = ModelLoader.Load("gemma-2b"), Devices = [assumed], Runtime = LlmSize.Core.Estimation.Runtimes.LlamaCpp }).Reports.Single();
        Assert.Contains(r.Warnings, w => w.Contains("--cores", StringComparison.Ordinal) && w.Contains("1 CPU core", StringComparison.Ordinal));

        DeviceProfile eight = new CustomDeviceBuilder().WithRam("16GiB").WithBandwidth("50GB/s").WithCores(8).Build();
        Assert.False(eight.CpuCoresAssumed);
        var r8 = FitPipeline.Run(new FitRequest { Model = ModelLoader.Load("gemma-2b"), Devices = [eight], Runtime = LlmSize.Core.Estimation.Runtimes.LlamaCpp }).Reports.Single();
        Assert.DoesNotContain(r8.Warnings, w => w.Contains("--cores", StringComparison.Ordinal));
        Assert.True(r8.Speed.PrefillTokensPerSecond > r8.Speed.DecodeTokensPerSecond);
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
        var e = Assert.Throws<InputException>(() => new CustomDeviceBuilder().WithBandwidth("100GB/s").Build());
        Assert.Contains("--ram", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Build_WithoutBandwidthNamesTheOption()
    {
        var e = Assert.Throws<InputException>(() => new CustomDeviceBuilder().WithRam("8GiB").Build());
        Assert.Contains("--bandwidth", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("0GiB", "--ram")]      // zero memory
    [InlineData("100 TiB", "--ram")]   // absurd: above the 64 TiB cap
    public void Build_ImpossibleRamNamesTheOption(string ram, string option)
    {
        var e = Assert.Throws<InputException>(() => new CustomDeviceBuilder().WithRam(ram).WithBandwidth("10GB/s").Build());
        Assert.StartsWith(option, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Build_ZeroBandwidthRejected()
    {
        var e = Assert.Throws<InputException>(() => new CustomDeviceBuilder().WithRam("8GiB").WithBandwidth("0GB/s").Build());
        Assert.StartsWith("--bandwidth", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Build_VramWithUnifiedMemoryRejected()
    {
        Assert.Throws<InputException>(() =>
            new CustomDeviceBuilder().WithRam("8GiB").WithVram("4GiB").WithUnifiedMemory().WithBandwidth("10GB/s").Build());
    }

    [Fact]
    public void Build_AppLimitAboveRamRejected()
    {
        var e = Assert.Throws<InputException>(() =>
            new CustomDeviceBuilder().WithRam("8GiB").WithAppMemoryLimit("9GiB").WithBandwidth("10GB/s").Build());
        Assert.StartsWith("--usable-ram", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("eight gigs")]
    [InlineData("8")]
    public void WithRam_BadTextNamesOptionAndText(string text)
    {
        var e = Assert.Throws<InputException>(() => new CustomDeviceBuilder().WithRam(text));
        Assert.Contains("--ram", e.Message, StringComparison.Ordinal);
        Assert.Contains(text, e.Message, StringComparison.Ordinal);
        Assert.IsType<FormatException>(e.InnerException);
    }

    [Fact]
    public void WithNetwork_BadTextThrows()
    {
        Assert.Throws<InputException>(() => new CustomDeviceBuilder().WithNetwork("carrier pigeon"));
        Assert.Throws<InputException>(() => new CustomDeviceBuilder().WithNetwork("0Mbps"));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(5000)]
    public void WithCores_OutOfRangeThrows(int cores)
    {
        Assert.Throws<InputException>(() => new CustomDeviceBuilder().WithCores(cores));
    }

    [Theory]
    [InlineData("4GiB", 2L << 30)]   // min(4 GiB, 4 GiB / 2) = 2 GiB reserve → 2 GiB usable, as every 4 GiB catalog profile
    [InlineData("8GiB", 4L << 30)]   // min(4 GiB, 4 GiB) = 4 GiB reserve → 4 GiB usable (laptop-intel-uhd-620)
    [InlineData("16GiB", 12L << 30)] // 16 − 4 = 12 GiB (laptop-iris-xe, rtx-4060-laptop)
    [InlineData("64GiB", 60L << 30)] // 64 − 4 = 60 GiB (rtx-4090 desktop)
    public void Build_DefaultAppMemoryExcludesTheCatalogsOsReserve(string ram, long expectedAppBytes)
    {
        DeviceProfile p = new CustomDeviceBuilder().WithRam(ram).WithBandwidth("50GB/s").Build();
        Assert.Equal(expectedAppBytes, p.AppMemoryLimitBytes);
        Assert.Contains("OS reserve", p.Notes, StringComparison.Ordinal);
    }

    [Fact]
    public void Build_DefaultReserveMatchesEveryPcProfileOfTheCatalog()
    {
        // The rule is derived from devices.json: each Windows / Linux PC profile keeps RAM − 4 GiB usable, and each
        // 4 GiB profile keeps 2 GiB (half), so the rule must reproduce those catalog values exactly.
        var pcs = DeviceCatalog.Default.Profiles.Where(d => d.Category is DeviceCategory.IntegratedGpuLaptop or DeviceCategory.RtxLaptop or DeviceCategory.DesktopGpu
            || d.RamBytes == 4L << 30).ToList();
        Assert.NotEmpty(pcs);
        Assert.All(pcs, d => Assert.Equal(d.OsReserveBytes, CustomDeviceBuilder.DefaultOsReserveBytes(d.RamBytes)));
    }

    [Fact]
    public void Build_UsableRamStillOverridesTheReserve()
    {
        DeviceProfile p = new CustomDeviceBuilder().WithRam("8GiB").WithAppMemoryLimit("8GiB").WithBandwidth("50GB/s").Build();
        Assert.Equal(8L << 30, p.AppMemoryLimitBytes);
    }

    [Fact]
    public void Build_WithoutBrowserHasNoWebGpu()
    {
        DeviceProfile p = new CustomDeviceBuilder().WithRam("8GiB").WithBandwidth("50GB/s").Build();
        Assert.Null(p.WebGpu);
    }

    [Fact]
    public void Build_ChromeUsesTheCatalogsDesktopChromeLimits()
    {
        DeviceProfile p = new CustomDeviceBuilder().WithRam("8GiB").WithBandwidth("100GB/s").WithUnifiedMemory()
            .WithBrowser("Chrome").WithShaderF16().Build();
        Assert.NotNull(p.WebGpu);
        // Same tier as the catalog's desktop profiles (devices.json, e.g. rtx-4090 / laptop-iris-xe): maxBufferSize
        // 4 GiB, maxStorageBufferBindingSize 2 GiB, "Typical".
        DeviceProfile desktop = DeviceCatalog.Default.Find("laptop-iris-xe");
        Assert.Equal(desktop.WebGpu!.MaxBufferSizeBytes, p.WebGpu.MaxBufferSizeBytes);
        Assert.Equal(desktop.WebGpu.MaxStorageBufferBindingSizeBytes, p.WebGpu.MaxStorageBufferBindingSizeBytes);
        Assert.Equal(4L << 30, p.WebGpu.MaxBufferSizeBytes);
        Assert.Equal(2L << 30, p.WebGpu.MaxStorageBufferBindingSizeBytes);
        Assert.Equal(WebGpuLimitsBasis.Typical, p.WebGpu.Basis);
        Assert.True(p.WebGpu.ShaderF16);
        Assert.Contains("Chrome", p.WebGpu.Browser, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("safari", "Safari")]
    [InlineData("firefox", "Firefox")]
    [InlineData("chrome-android", "Android")]
    public void Build_MobileAndUnpublishedBrowsersUseTheSpecMinimums(string name, string browserText)
    {
        DeviceProfile p = new CustomDeviceBuilder().WithRam("6GiB").WithBandwidth("50GB/s").WithBrowser(name).Build();
        // WebGPU spec §3.6 "Limits": default maxBufferSize 268,435,456 and maxStorageBufferBindingSize 134,217,728 bytes.
        Assert.Equal(268_435_456, p.WebGpu!.MaxBufferSizeBytes);
        Assert.Equal(134_217_728, p.WebGpu.MaxStorageBufferBindingSizeBytes);
        Assert.False(p.WebGpu.ShaderF16); // absent unless --shader-f16
        Assert.Contains(browserText, p.WebGpu.Browser, StringComparison.Ordinal);
    }

    [Fact]
    public void Build_MaxBufferAndBindingOverrideThePreset()
    {
        DeviceProfile p = new CustomDeviceBuilder().WithRam("16GiB").WithBandwidth("100GB/s").WithBrowser("edge")
            .WithMaxBufferSize("8GiB").WithMaxStorageBufferBindingSize("4GiB").Build();
        Assert.Equal(8L << 30, p.WebGpu!.MaxBufferSizeBytes);
        Assert.Equal(4L << 30, p.WebGpu.MaxStorageBufferBindingSizeBytes);
        Assert.Equal(WebGpuLimitsBasis.Reported, p.WebGpu.Basis);
    }

    [Fact]
    public void Build_MaxBindingBelowTheSpecMinimumNamesTheOption()
    {
        var e = Assert.Throws<InputException>(() => new CustomDeviceBuilder().WithRam("8GiB").WithBandwidth("50GB/s")
            .WithBrowser("chrome").WithMaxStorageBufferBindingSize("64MiB").Build()); // 64 MiB < spec minimum 128 MiB
        Assert.StartsWith("--max-buffer / --max-binding", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("shader")]
    [InlineData("buffer")]
    public void Build_WebGpuDetailsWithoutBrowserNameTheOption(string which)
    {
        var b = new CustomDeviceBuilder().WithRam("8GiB").WithBandwidth("50GB/s");
        if (which == "shader") b.WithShaderF16(); else b.WithMaxBufferSize("1GiB");
        var e = Assert.Throws<InputException>(() => b.Build());
        Assert.Contains("--browser", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void WithBrowser_UnknownNameListsTheKnownOnes()
    {
        var e = Assert.Throws<InputException>(() => new CustomDeviceBuilder().WithBrowser("netscape"));
        Assert.Contains("--browser", e.Message, StringComparison.Ordinal);
        Assert.Contains("chrome", e.Message, StringComparison.Ordinal);
        Assert.Contains("safari", e.Message, StringComparison.Ordinal);
    }
}
