using LlmSize.Core.Devices;
using LlmSize.Core.Estimation.Fit;

namespace LlmSize.Core.Tests.Devices;

public sealed class DeviceSpecParserTests
{
    public static TheoryData<string, long> Sizes => new()
    {
        { "8GiB", 8L << 30 },                 // 8 x 2^30
        { "8 GiB", 8L << 30 },
        { "8 GB", 8_000_000_000 },            // 8 x 10^9
        { "8gb", 8_000_000_000 },             // units are case-insensitive; b = bytes
        { "512MiB", 512L << 20 },             // 512 x 2^20
        { "1.5 GiB", 1_610_612_736 },         // 1.5 x 2^30
        { "100 B", 100 },
        { "64KiB", 65_536 },
        { "2 TB", 2_000_000_000_000 },
        { "1 TiB", 1L << 40 },
        { "0.5 KB", 500 },
        { " 24 GiB ", 24L << 30 },            // surrounding spaces ignored
        { "0GiB", 0 },                        // zero parses; profiles reject it later
    };

    [Theory]
    [MemberData(nameof(Sizes))]
    public void ParseBytes_Table(string text, long expected)
    {
        Assert.Equal(expected, DeviceSpecParser.ParseBytes(text));
        Assert.True(DeviceSpecParser.TryParseBytes(text, out long b));
        Assert.Equal(expected, b);
    }

    [Theory]
    [InlineData("8")]              // no unit: GB vs GiB ambiguous
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("GiB")]            // no number
    [InlineData("-8GiB")]          // negative
    [InlineData("8 GiBs")]         // unknown unit
    [InlineData("8 Gb/s")]         // a bandwidth, not a size
    [InlineData("8,5 GiB")]        // comma decimal separator
    [InlineData("1.2.3 GB")]
    [InlineData("1e9 B")]          // exponent
    [InlineData("99999999999 PiB")] // overflows 64-bit bytes
    [InlineData("8 G")]            // bare prefix is ambiguous
    public void ParseBytes_BadTextThrowsFormatExceptionQuotingIt(string text)
    {
        var e = Assert.Throws<FormatException>(() => DeviceSpecParser.ParseBytes(text));
        if (text.Trim().Length > 0)
        {
            Assert.Contains(text.Trim().Length > 64 ? text[..10] : text, e.Message, StringComparison.Ordinal);
        }

        Assert.False(DeviceSpecParser.TryParseBytes(text, out _));
    }

    [Fact]
    public void ParseBytes_NullThrowsArgumentNull()
    {
        Assert.Throws<ArgumentNullException>(() => DeviceSpecParser.ParseBytes(null!));
        Assert.False(DeviceSpecParser.TryParseBytes(null, out _));
    }

    [Fact]
    public void ParseBytes_HugeTextIsRejectedWithoutEcho()
    {
        string text = new string('9', 10_000) + "GB";
        var e = Assert.Throws<FormatException>(() => DeviceSpecParser.ParseBytes(text));
        Assert.True(e.Message.Length < 400);
    }

    public static TheoryData<string, double> Bandwidths => new()
    {
        { "100GB/s", 100 },
        { "68.25 GB/s", 68.25 },
        { "1 TB/s", 1000 },
        { "800 MB/s", 0.8 },
        { "100 GBps", 100 },
        { "1 GiB/s", 1.073741824 }, // 2^30 / 10^9
    };

    [Theory]
    [MemberData(nameof(Bandwidths))]
    public void ParseBandwidth_Table(string text, double expected)
    {
        Assert.Equal(expected, DeviceSpecParser.ParseBandwidthGBps(text), 9);
    }

    [Theory]
    [InlineData("100")]
    [InlineData("100 GB")]      // size, not per second
    [InlineData("100 Gbps")]    // bits: a network unit
    [InlineData("100 XB/s")]
    [InlineData("-5 GB/s")]
    public void ParseBandwidth_BadTextThrows(string text)
    {
        var e = Assert.Throws<FormatException>(() => DeviceSpecParser.ParseBandwidthGBps(text));
        Assert.Contains(text, e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("3.5TFLOPS", 3.5)]
    [InlineData("500 GFLOPS", 0.5)]
    [InlineData("1.2 PFLOPS", 1200)]
    [InlineData("82.58 tflops", 82.58)]
    public void ParseTflops_Table(string text, double expected)
    {
        Assert.Equal(expected, DeviceSpecParser.ParseTflops(text), 9);
    }

    [Theory]
    [InlineData("3.5")]
    [InlineData("3.5 TOPS")]
    [InlineData("fast")]
    public void ParseTflops_BadTextThrows(string text)
    {
        var e = Assert.Throws<FormatException>(() => DeviceSpecParser.ParseTflops(text));
        Assert.Contains(text, e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("50Mbps", 50)]
    [InlineData("1 Gbps", 1000)]
    [InlineData("800 kbps", 0.8)]
    [InlineData("100 Mbit/s", 100)]
    public void ParseMbps_Table(string text, double expected)
    {
        Assert.Equal(expected, DeviceSpecParser.ParseMbps(text), 9);
    }

    [Theory]
    [InlineData("50")]
    [InlineData("50 MB/s")]
    public void ParseMbps_BadTextThrows(string text)
    {
        Assert.Throws<FormatException>(() => DeviceSpecParser.ParseMbps(text));
    }
}
