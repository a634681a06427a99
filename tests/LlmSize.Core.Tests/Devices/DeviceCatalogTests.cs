using LlmSize.Core.Devices;
using LlmSize.Core.Estimation.Fit;

namespace LlmSize.Core.Tests.Devices;

public sealed class DeviceCatalogTests
{
    private const long GiB = 1L << 30;

    [Fact]
    public void Default_LoadsAtLeastFortyProfiles()
    {
        Assert.True(DeviceCatalog.Default.Profiles.Count >= 40, $"only {DeviceCatalog.Default.Profiles.Count} profiles");
    }

    [Fact]
    public void Default_IsLoadedOnce()
    {
        Assert.Same(DeviceCatalog.Default, DeviceCatalog.Default);
    }

    [Fact]
    public void Default_IdsAreUniqueKebabCase()
    {
        var ids = DeviceCatalog.Default.Profiles.Select(p => p.Id).ToList();
        Assert.Equal(ids.Count, ids.Distinct(StringComparer.Ordinal).Count());
        Assert.All(ids, id => Assert.True(DeviceProfileValidator.IsValidId(id), id));
    }

    [Fact]
    public void Default_EveryProfileHasASourceWithUrlAndSupports()
    {
        Assert.All(DeviceCatalog.Default.Profiles, p =>
        {
            Assert.NotEmpty(p.Sources);
            Assert.All(p.Sources, s =>
            {
                Assert.True(Uri.IsWellFormedUriString(s.Url, UriKind.Absolute), $"{p.Id}: {s.Url}");
                Assert.False(string.IsNullOrWhiteSpace(s.Supports));
            });
        });
    }

    [Fact]
    public void Default_CoversEveryBuiltInCategory()
    {
        var present = DeviceCatalog.Default.Profiles.Select(p => p.Category).ToHashSet();
        foreach (DeviceCategory c in Enum.GetValues<DeviceCategory>().Where(c => c != DeviceCategory.Custom))
        {
            Assert.Contains(c, present);
        }
    }

    [Fact]
    public void Default_EveryProfilePassesValidation()
    {
        Assert.All(DeviceCatalog.Default.Profiles, p =>
        {
            Assert.Null(DeviceProfileValidator.Validate(p, requireSources: true, out _));
            Assert.True(p.AppMemoryLimitBytes <= p.RamBytes);
            Assert.True(double.IsFinite(p.MemoryBandwidthGBps) && p.MemoryBandwidthGBps > 0);
            Assert.False(p.UnifiedMemory && p.GpuMemoryBytes is not null);
        });
    }

    public static TheoryData<string> RequiredIds => new()
    {
        // The device ids the issue and the task name explicitly.
        "galaxy-a15", "galaxy-a05", "redmi-13c", "pixel-7a", "galaxy-a55", "pixel-8", "pixel-8-pro", "pixel-9-pro",
        "galaxy-s24-ultra", "iphone-12", "iphone-13", "iphone-15", "iphone-15-pro", "iphone-16-pro", "ipad-air-m2",
        "macbook-air-m1-8gb", "macbook-air-m2-16gb", "macbook-pro-m3-pro-18gb", "macbook-pro-m4-max-128gb",
        "rtx-4050-laptop", "rtx-4060-laptop", "rtx-4070-laptop", "rtx-4090-laptop", "rtx-3060", "rtx-4070", "rtx-4090",
        "rtx-5090", "rx-7900-xtx", "t4", "a10g", "l4", "a100-40gb", "a100-80gb", "h100-80gb", "h200",
    };

    [Theory]
    [MemberData(nameof(RequiredIds))]
    public void Default_HasRequiredDevice(string id)
    {
        Assert.True(DeviceCatalog.Default.TryFind(id, out DeviceProfile? p));
        Assert.Equal(id, p.Id);
    }

    [Fact]
    public void Rtx4090_MatchesNvidiaSpec()
    {
        DeviceProfile p = DeviceCatalog.Default.Find("rtx-4090");
        // NVIDIA RTX 4090 spec page / Ada whitepaper: 24 GB GDDR6X (binary-sized = 24 GiB), 384-bit x 21 Gbps / 8 = 1008 GB/s,
        // 82.58 TFLOPS FP32 (16384 cores x 2 x 2.52 GHz), 165.15 TFLOPS FP16 tensor dense with FP32 accumulate.
        Assert.Equal(24 * GiB, p.GpuMemoryBytes);
        Assert.Equal(384 * 21 / 8.0, p.MemoryBandwidthGBps);
        Assert.Equal(82.58, p.GpuFp32Tflops);
        Assert.Equal(165.15, p.GpuFp16Tflops);
        Assert.Equal(DeviceCategory.DesktopGpu, p.Category);
        Assert.False(p.UnifiedMemory);
    }

    [Fact]
    public void H200_MatchesNvidiaSpec()
    {
        DeviceProfile p = DeviceCatalog.Default.Find("h200");
        // NVIDIA H200 spec page: 141 GB HBM3e at 4.8 TB/s; Hopper SXM FP16 tensor 989.4 TFLOPS dense (1979 sparse / 2).
        Assert.Equal(141 * GiB, p.GpuMemoryBytes);
        Assert.Equal(4800, p.MemoryBandwidthGBps);
        Assert.Equal(989.4, p.GpuFp16Tflops);
        Assert.Null(p.WebGpu); // server: no browser
    }

    [Fact]
    public void MacBookAirM1_MatchesAppleSpecAndMetalWorkingSet()
    {
        DeviceProfile p = DeviceCatalog.Default.Find("macbook-air-m1-8gb");
        // Apple M1: 8 GB unified LPDDR4X-4266 on a 128-bit bus: 4266 x 128 / 8 = 68.26 GB/s (68.25 as quoted);
        // 2.6 TFLOPS GPU (Apple newsroom, Nov 2020).
        Assert.Equal(8 * GiB, p.RamBytes);
        Assert.True(p.UnifiedMemory);
        Assert.Null(p.GpuMemoryBytes);
        Assert.Equal(68.25, p.MemoryBandwidthGBps);
        Assert.Equal(2.6, p.GpuFp32Tflops);
        // recommendedMaxWorkingSetSize ~ 2/3 of RAM (llama-cpp-python #687: 10922.67 MB of 16 GB): 8 GiB x 2/3 = 5.33 GiB.
        Assert.Equal((long)Math.Round(5.33 * GiB), p.AppMemoryLimitBytes);
    }

    [Fact]
    public void GalaxyA15_IsALowEndFourGigabytePhoneWithAndroidWebGpuLimits()
    {
        DeviceProfile p = DeviceCatalog.Default.Find("galaxy-a15");
        Assert.Equal(DeviceCategory.LowEndPhone, p.Category);
        Assert.Equal(4 * GiB, p.RamBytes);
        // Helio G99 LPDDR4X-4266 on 2 x 16-bit channels: 4266 x 32 / 8 = 17.064 GB/s, stored rounded to 17.06.
        Assert.Equal(17.06, p.MemoryBandwidthGBps);
        // web-llm #209: Chrome on Android reports maxStorageBufferBindingSize = 128 MB.
        Assert.NotNull(p.WebGpu);
        Assert.Equal(128L << 20, p.WebGpu.MaxStorageBufferBindingSizeBytes);
        // Assumed Android reserve max(2 GiB, 35%) leaves 2 GiB on a 4 GiB phone.
        Assert.Equal(2 * GiB, p.AppMemoryLimitBytes);
        Assert.Equal(2 * GiB, p.OsReserveBytes);
        Assert.Same(NetworkClass.FourG, p.Network);
    }

    [Fact]
    public void IpadAirM2_UsesMeasuredPerAppLimit()
    {
        DeviceProfile p = DeviceCatalog.Default.Find("ipad-air-m2");
        // Apple developer forum 826325: an 8 GB iPad allows one app about 3 GB on iPadOS 26.4+.
        Assert.Equal(3 * GiB, p.AppMemoryLimitBytes);
        Assert.Equal(100, p.MemoryBandwidthGBps); // Apple: M2 100 GB/s
    }

    [Fact]
    public void PrimaryModelMemory_IsVramForDiscreteAndAppLimitOtherwise()
    {
        DeviceProfile gpu = DeviceCatalog.Default.Find("rtx-4060-laptop");
        DeviceProfile phone = DeviceCatalog.Default.Find("pixel-8");
        Assert.Equal(8 * GiB, gpu.PrimaryModelMemoryBytes); // NVIDIA: RTX 4060 Laptop 8 GB GDDR6
        Assert.Equal(phone.AppMemoryLimitBytes, phone.PrimaryModelMemoryBytes);
    }

    [Theory]
    [InlineData("pixel-8", "pixel-8")]
    [InlineData("Pixel 8", "pixel-8")]
    [InlineData("  PIXEL_8  ", "pixel-8")]
    [InlineData("Google Pixel 8 Pro", "pixel-8-pro")]
    [InlineData("4090", "rtx-4090")]
    [InlineData("GeForce RTX 4090", "rtx-4090")]
    [InlineData("iphone15-pro", "iphone-15-pro")]
    public void TryFind_MatchesIdAliasAndDisplayNameNormalised(string name, string expected)
    {
        Assert.True(DeviceCatalog.Default.TryFind(name, out DeviceProfile? p));
        Assert.Equal(expected, p.Id);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData(null)]
    [InlineData("pixel8")]
    [InlineData("no-such-device")]
    public void TryFind_UnknownReturnsFalse(string? name)
    {
        Assert.False(DeviceCatalog.Default.TryFind(name, out DeviceProfile? p));
        Assert.Null(p);
    }

    [Fact]
    public void TryFind_VeryLongNameReturnsFalse()
    {
        Assert.False(DeviceCatalog.Default.TryFind(new string('x', 100_000), out _));
    }

    [Theory]
    [InlineData("pixel8", "pixel-8")]
    [InlineData("pixle-8", "pixel-8")]
    [InlineData("rtx4090", "rtx-4090")]
    [InlineData("h100", "h100-80gb")]
    [InlineData("galaxy-s24ultra", "galaxy-s24-ultra")]
    [InlineData("iphone 15pro", "iphone-15-pro")]
    public void SuggestNearest_PutsTheIntendedDeviceFirst(string typed, string expected)
    {
        IReadOnlyList<string> near = DeviceCatalog.Default.SuggestNearest(typed, 3);
        Assert.NotEmpty(near);
        Assert.Equal(expected, near[0]);
        Assert.True(near.Count <= 3);
        Assert.Equal(near.Count, near.Distinct().Count());
    }

    [Fact]
    public void SuggestNearest_NothingCloseGivesEmpty()
    {
        Assert.Empty(DeviceCatalog.Default.SuggestNearest("zzzzzzzzzzzzqqqq", 3));
        Assert.Empty(DeviceCatalog.Default.SuggestNearest("pixel8", 0));
        Assert.Empty(DeviceCatalog.Default.SuggestNearest(new string('q', 10_000), 3));
    }

    [Fact]
    public void SuggestNearest_NegativeMaxThrows()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => DeviceCatalog.Default.SuggestNearest("pixel8", -1));
    }

    [Fact]
    public void Find_UnknownSaysDidYouMean()
    {
        var e = Assert.Throws<UnknownNameException>(() => DeviceCatalog.Default.Find("pixel8"));
        Assert.Contains("unknown device 'pixel8'", e.Message, StringComparison.Ordinal);
        Assert.Contains("did you mean pixel-8", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_RejectsDuplicateIds()
    {
        DeviceProfile p = DeviceCatalog.Default.Find("pixel-8");
        Assert.Throws<ArgumentException>(() => new DeviceCatalog([p, p with { }]));
    }

    [Fact]
    public void WithOverrides_ReplacesSameIdAndAppends()
    {
        DeviceProfile pixel = DeviceCatalog.Default.Find("pixel-8");
        DeviceProfile changed = pixel with { RamBytes = 9 * GiB };
        DeviceProfile extra = pixel with { Id = "my-phone", DisplayName = "My phone", Aliases = [] };
        DeviceCatalog merged = DeviceCatalog.Default.WithOverrides(new DeviceCatalog([changed, extra]));
        Assert.Equal(DeviceCatalog.Default.Profiles.Count + 1, merged.Profiles.Count);
        Assert.Equal(9 * GiB, merged.Find("pixel-8").RamBytes);
        Assert.Equal("my-phone", merged.Find("my-phone").Id);
    }

    [Fact]
    public void Levenshtein_KnownDistances()
    {
        // Classic examples: kitten -> sitting = 3; flaw -> lawn = 2; equal strings 0; empty vs "abc" = 3.
        Assert.Equal(3, DeviceCatalog.Levenshtein("kitten", "sitting"));
        Assert.Equal(2, DeviceCatalog.Levenshtein("flaw", "lawn"));
        Assert.Equal(0, DeviceCatalog.Levenshtein("pixel", "pixel"));
        Assert.Equal(3, DeviceCatalog.Levenshtein("", "abc"));
    }
}
