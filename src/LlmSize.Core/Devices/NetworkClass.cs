using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace LlmSize.Core.Devices;

/// <summary>
/// A class of network connection with a typical sustained download speed, used to estimate how long a model takes to
/// download. Speeds are in Mbps (10^6 bits per second), as network reports state them; one byte is 8 bits, so a
/// download of <c>b</c> bytes takes <c>b × 8 / (Mbps × 10^6)</c> seconds.
/// </summary>
/// <remarks>
/// The built-in classes are medians / averages from crowd-sourced measurement reports (Ookla Speedtest Intelligence,
/// Opensignal), cited in <see cref="Source"/>. They are typical values, not guarantees; the user can give their own
/// speed with <see cref="FromMbps"/>.
/// </remarks>
public sealed record NetworkClass
{
    private NetworkClass(string id, string displayName, double downloadMbps, string source, string notes)
    {
        Id = id;
        DisplayName = displayName;
        DownloadMbps = downloadMbps;
        Source = source;
        Notes = notes;
    }

    /// <summary>Stable id (<c>3g</c>, <c>4g</c>, <c>5g</c>, <c>broadband</c>, <c>wifi5</c>, <c>wifi6</c>, <c>datacenter</c>, or <c>custom</c>).</summary>
    public string Id { get; }

    /// <summary>Human-readable name.</summary>
    public string DisplayName { get; }

    /// <summary>Typical sustained download speed, Mbps (10^6 bit/s). Always finite and &gt; 0.</summary>
    public double DownloadMbps { get; }

    /// <summary>Download speed in bytes per second (<see cref="DownloadMbps"/> × 10^6 / 8).</summary>
    public double DownloadBytesPerSecond => DownloadMbps * 1_000_000.0 / 8.0;

    /// <summary>URL (and report name) the speed comes from; "user" for <see cref="FromMbps"/>.</summary>
    public string Source { get; }

    /// <summary>What the number is (median or mean, period, scope) and any arithmetic.</summary>
    public string Notes { get; }

    /// <summary>3G (UMTS/HSPA). 2 Mbps: Opensignal, Global State of Mobile Networks (Aug 2016) measured a lowest
    /// country average of 2.2 Mbps on 3G-dominated networks and notes CDMA EV-DO 3G under 1 Mbps; 2 Mbps is the
    /// rounded-down typical 3G figure.</summary>
    public static NetworkClass ThreeG { get; } = new("3g", "3G mobile", 2.0,
        "https://opensignal.com/reports/2016/08/global-state-of-the-mobile-network/ (Opensignal, Global State of Mobile Networks, Aug 2016); https://www.fiercewireless.com/europe/opensignal-report-finds-sizeable-differences-3g-and-4g-speeds-globally",
        "Slowest country average 2.2 Mbps (3G-dominated); EV-DO 3G typically < 1 Mbps. Rounded down to 2 Mbps.");

    /// <summary>4G LTE. 17.4 Mbps: Opensignal, State of LTE (Nov 2016), global average LTE download.</summary>
    public static NetworkClass FourG { get; } = new("4g", "4G LTE mobile", 17.4,
        "https://opensignal.com/blog/page/2/ (Opensignal, State of LTE, Nov 2016: 'the global average LTE connection is 17.4 Mbps')",
        "Global average LTE download speed, 78 countries, 2016.");

    /// <summary>5G. 203.04 Mbps: Ookla, The State of Worldwide Connectivity in 2023, median global 5G download, Q3 2023.</summary>
    public static NetworkClass FiveG { get; } = new("5g", "5G mobile", 203.04,
        "https://ooklacommain.kinsta.cloud/articles/tag/global-index-th/page/2 (Ookla article 'The State of Worldwide Connectivity in 2023', Dec 19 2023, Speedtest Intelligence Q3 2023)",
        "Median global 5G download speed Q3 2023 (168.27 Mbps in Q3 2022).");

    /// <summary>Fixed broadband (wired). 83.95 Mbps: Ookla, The State of Worldwide Connectivity in 2023, median global
    /// fixed download, Q3 2023.</summary>
    public static NetworkClass Broadband { get; } = new("broadband", "Fixed broadband (wired)", 83.95,
        "https://ooklacommain.kinsta.cloud/articles/tag/global-index-th/page/2 (Ookla article 'The State of Worldwide Connectivity in 2023', Dec 19 2023, Speedtest Intelligence Q3 2023)",
        "Median global fixed-broadband download speed Q3 2023.");

    /// <summary>Wi-Fi 5 (802.11ac) on a home broadband line. 81.91 Mbps: Ookla's average Wi-Fi download in the U.S.,
    /// Q1–Q2 2018 (the Wi-Fi 5 era); a Wi-Fi download is bounded by the broadband line behind the access point.</summary>
    public static NetworkClass WiFi5 { get; } = new("wifi5", "Wi-Fi 5 (802.11ac) home network", 81.91,
        "https://ooklacommain.kinsta.cloud/articles/tag/global-speeds/page/9 (Ookla article 'Which College Campus Scores the Fastest Wi-Fi?', Aug 21 2018: 'the average Wi-Fi download speed in the U.S. was 81.91 Mbps during Q1-Q2 2018')",
        "Mean Wi-Fi Speedtest download, U.S., H1 2018; bounded by the broadband line, not the radio link.");

    /// <summary>Wi-Fi 6 (802.11ax) on a home broadband line. Assumed equal to the fixed-broadband median (83.95 Mbps,
    /// Ookla Q3 2023): a Wi-Fi 6 radio link (hundreds of Mbps) is rarely the bottleneck, so the line behind it sets the
    /// download speed.</summary>
    public static NetworkClass WiFi6 { get; } = new("wifi6", "Wi-Fi 6 (802.11ax) home network", 83.95,
        "https://ooklacommain.kinsta.cloud/articles/tag/global-index-th/page/2 (Ookla article 'The State of Worldwide Connectivity in 2023', Q3 2023 fixed median)",
        "Derived: min(Wi-Fi 6 link, broadband line) = broadband median 83.95 Mbps, since the link rate exceeds the line.");

    /// <summary>Cloud / data-centre host. 10,000 Mbps (10 Gbps): the "up to 10 Gbps" tier of single-GPU cloud
    /// instances; AWS G5 instances reach up to 100 Gbps at the largest sizes, so this is the conservative end.</summary>
    public static NetworkClass DataCenter { get; } = new("datacenter", "Data-centre network", 10_000,
        "https://docs.aws.amazon.com/AWSEC2/latest/WindowsGuide/accelerated-computing-instances.html (AWS: G5 instances with up to 100 Gbps of network bandwidth)",
        "Assumption: 10 Gbps, the lower tier of single-GPU instances; large multi-GPU instances have 100 Gbps or more.");

    /// <summary>All built-in classes, slowest first.</summary>
    public static IReadOnlyList<NetworkClass> All { get; } = [ThreeG, FourG, WiFi5, Broadband, WiFi6, FiveG, DataCenter];

    /// <summary>A user-specified speed.</summary>
    /// <param name="mbps">Download speed in Mbps (10^6 bit/s); finite, &gt; 0 and at most 1,000,000 (1 Tbps).</param>
    /// <returns>A class with id <c>custom</c>.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="mbps"/> is not finite, not positive, or absurd.</exception>
    public static NetworkClass FromMbps(double mbps)
    {
        if (!double.IsFinite(mbps) || mbps <= 0 || mbps > 1_000_000)
        {
            throw new ArgumentOutOfRangeException(nameof(mbps), mbps,
                "A network speed must be a finite number of Mbps greater than 0 and at most 1,000,000.");
        }

        return new NetworkClass("custom", string.Create(CultureInfo.InvariantCulture, $"{mbps:0.##} Mbps (user)"),
            mbps, "user", "Speed given by the user.");
    }

    /// <summary>A <c>--network</c> value: a built-in class (<see cref="TryFind"/>) or a speed such as 50Mbps
    /// (<see cref="DeviceSpecParser.TryParseMbps"/>, above 0 and at most 1,000,000 Mbps).</summary>
    /// <param name="text">The value.</param>
    /// <param name="network">The class, or null.</param>
    /// <returns>True when the value names a class or is a valid speed.</returns>
    public static bool TryParse(string? text, [NotNullWhen(true)] out NetworkClass? network)
    {
        if (TryFind(text, out network)) return true;
        if (DeviceSpecParser.TryParseMbps(text, out double mbps, out _) && double.IsFinite(mbps) && mbps > 0 && mbps <= 1_000_000)
        {
            network = FromMbps(mbps);
            return true;
        }

        network = null;
        return false;
    }

    /// <summary>Finds a built-in class by id or common name (<c>3g</c>, <c>4g</c>, <c>lte</c>, <c>5g</c>,
    /// <c>broadband</c>, <c>fixed</c>, <c>wifi5</c>, <c>wi-fi-6</c>, …), ignoring case, spaces, dashes and
    /// underscores.</summary>
    /// <param name="name">The name to look up.</param>
    /// <param name="network">The class found, or null.</param>
    /// <returns>True when found.</returns>
    public static bool TryFind(string? name, [NotNullWhen(true)] out NetworkClass? network)
    {
        network = null;
        if (string.IsNullOrWhiteSpace(name))
        {
            return false;
        }

        string key = new(name.Where(char.IsLetterOrDigit).Select(char.ToLowerInvariant).ToArray());
        network = key switch
        {
            "3g" or "umts" or "hspa" => ThreeG,
            "4g" or "lte" or "4glte" => FourG,
            "5g" or "5gnr" => FiveG,
            "broadband" or "fixed" or "fixedbroadband" or "wired" or "ethernet" => Broadband,
            "wifi5" or "80211ac" => WiFi5,
            "wifi6" or "wifi6e" or "80211ax" => WiFi6,
            "datacenter" or "datacentre" or "cloud" => DataCenter,
            _ => null,
        };
        return network is not null;
    }
}
