using LlmSize.Core.Devices;
using LlmSize.Core.Estimation.Fit;

namespace LlmSize.Core.Tests.Devices;

public sealed class NetworkClassTests
{
    [Fact]
    public void All_HasTheRequiredClassesWithSourcesAndPositiveSpeeds()
    {
        string[] required = ["3g", "4g", "5g", "broadband", "wifi5", "wifi6"];
        foreach (string id in required)
        {
            Assert.Contains(NetworkClass.All, n => n.Id == id);
        }

        Assert.All(NetworkClass.All, n =>
        {
            Assert.True(double.IsFinite(n.DownloadMbps) && n.DownloadMbps > 0);
            Assert.StartsWith("https://", n.Source, StringComparison.Ordinal);
        });
    }

    [Fact]
    public void PublishedMedians()
    {
        // Ookla, The State of Worldwide Connectivity in 2023: Q3 2023 median 5G 203.04 Mbps, fixed 83.95 Mbps.
        Assert.Equal(203.04, NetworkClass.FiveG.DownloadMbps);
        Assert.Equal(83.95, NetworkClass.Broadband.DownloadMbps);
        // Opensignal State of LTE (Nov 2016): global average LTE 17.4 Mbps.
        Assert.Equal(17.4, NetworkClass.FourG.DownloadMbps);
    }

    [Fact]
    public void DownloadBytesPerSecond_ConvertsBitsToBytes()
    {
        // 100 Mbps = 100 x 10^6 bit/s / 8 = 12.5 x 10^6 bytes/s.
        Assert.Equal(12_500_000, NetworkClass.FromMbps(100).DownloadBytesPerSecond);
    }

    [Theory]
    [InlineData("LTE", "4g")]
    [InlineData("Wi-Fi 6", "wifi6")]
    [InlineData("wifi_5", "wifi5")]
    [InlineData("fixed", "broadband")]
    [InlineData("5G", "5g")]
    public void TryFind_AcceptsCommonNames(string name, string id)
    {
        Assert.True(NetworkClass.TryFind(name, out NetworkClass? n));
        Assert.Equal(id, n.Id);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    [InlineData(2_000_000)]
    public void FromMbps_RejectsImpossibleSpeeds(double mbps)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => NetworkClass.FromMbps(mbps));
    }
}
