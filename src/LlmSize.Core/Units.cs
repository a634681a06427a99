using System.Globalization;

namespace LlmSize.Core;

/// <summary>
/// Unit conversions and formatting. GB = 10^9 bytes (SI, as vendors and download pages use); GiB = 2^30 bytes
/// (binary, as RAM/VRAM and operating systems report). Output always names which one it is.
/// </summary>
public static class Units
{
    /// <summary>Bytes in one GB (10^9).</summary>
    public const double BytesPerGB = 1e9;

    /// <summary>Bytes in one GiB (2^30).</summary>
    public const double BytesPerGiB = 1024.0 * 1024 * 1024;

    /// <summary>Bytes in one MiB (2^20).</summary>
    public const double BytesPerMiB = 1024.0 * 1024;

    /// <summary>Formats a byte count in decimal units ("4.07 GB", "359.7 MB", "812 B").</summary>
    /// <param name="bytes">Bytes (≥ 0).</param>
    /// <returns>Text with a decimal (SI) unit.</returns>
    public static string FormatDecimal(double bytes)
    {
        string[] units = ["B", "kB", "MB", "GB", "TB", "PB"];
        int i = 0;
        double v = bytes;
        while (Math.Abs(v) >= 1000 && i < units.Length - 1)
        {
            v /= 1000;
            i++;
        }

        return i == 0 ? $"{v:0} {units[i]}".Replace(',', '.') : v.ToString(v >= 100 ? "0.0" : "0.00", CultureInfo.InvariantCulture) + " " + units[i];
    }

    /// <summary>Formats a byte count in binary units ("3.79 GiB", "343.0 MiB").</summary>
    /// <param name="bytes">Bytes (≥ 0).</param>
    /// <returns>Text with a binary (IEC) unit.</returns>
    public static string FormatBinary(double bytes)
    {
        string[] units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"];
        int i = 0;
        double v = bytes;
        while (Math.Abs(v) >= 1024 && i < units.Length - 1)
        {
            v /= 1024;
            i++;
        }

        return i == 0 ? $"{v:0} {units[i]}" : v.ToString(v >= 100 ? "0.0" : "0.00", CultureInfo.InvariantCulture) + " " + units[i];
    }

    /// <summary>A fraction as a percentage without a culture's spacing: one decimal from 1% up ("5.0%", "57.3%"), two
    /// significant digits below ("0.042%"), "&lt;0.000001%" for anything smaller.</summary>
    /// <param name="fraction">0.05 for 5%.</param>
    /// <returns>Text.</returns>
    public static string Percent(double fraction)
    {
        var inv = System.Globalization.CultureInfo.InvariantCulture;
        double p = fraction * 100;
        if (p == 0 || !double.IsFinite(p) || Math.Abs(p) >= 1) return p.ToString("0.0", inv) + "%";
        if (Math.Abs(p) < 1e-6) return (p < 0 ? "-" : string.Empty) + "<0.000001%";

        // Decimals for two significant digits: 0.0415 → floor(log10) = -2 → 3 decimals → "0.042".
        int decimals = 1 - (int)Math.Floor(Math.Log10(Math.Abs(p)));
        double rounded = Math.Round(p, decimals, MidpointRounding.AwayFromZero);
        if (Math.Abs(rounded) >= 1) return rounded.ToString("0.0", inv) + "%"; // 0.996 → "1.0%"
        return rounded.ToString("F" + decimals.ToString(inv), inv) + "%";
    }

    /// <summary>A count with its noun: "1 layer", "2 layers" (English plural by "s").</summary>
    /// <param name="count">The count.</param>
    /// <param name="noun">Singular noun.</param>
    /// <returns>Text.</returns>
    public static string Plural(long count, string noun) =>
        count.ToString(System.Globalization.CultureInfo.InvariantCulture) + " " + noun + (count == 1 ? string.Empty : "s");

    /// <summary>Formats bytes both ways: "4.07 GB (3.79 GiB)".</summary>
    /// <param name="bytes">Bytes.</param>
    /// <returns>Decimal and binary text.</returns>
    public static string FormatBoth(double bytes) => $"{FormatDecimal(bytes)} ({FormatBinary(bytes)})";

    /// <summary>Formats a parameter count compactly in the field's style ("2.51B", "134.5M", "513.0K").</summary>
    /// <param name="parameters">Parameter count.</param>
    /// <returns>Text with a K/M/B/T suffix (10^3 steps).</returns>
    public static string FormatParameters(long parameters)
    {
        double p = parameters;
        return p switch
        {
            >= 1e12 => (p / 1e12).ToString("0.##", CultureInfo.InvariantCulture) + "T",
            >= 1e9 => (p / 1e9).ToString("0.##", CultureInfo.InvariantCulture) + "B",
            >= 1e6 => (p / 1e6).ToString("0.#", CultureInfo.InvariantCulture) + "M",
            >= 1e3 => (p / 1e3).ToString("0.#", CultureInfo.InvariantCulture) + "K",
            _ => parameters.ToString(CultureInfo.InvariantCulture),
        };
    }
}
