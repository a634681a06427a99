using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace LlmSize.Core.Devices;

/// <summary>
/// Parses the human-written quantities of device specs: sizes ("8GiB", "8 GB", "512MiB"), bandwidths ("100GB/s"),
/// compute ("3.5TFLOPS") and network speeds ("50Mbps").
/// </summary>
/// <remarks>
/// <para>A unit is always required: "8" alone is rejected, because GB (10^9) and GiB (2^30) differ by 7%.</para>
/// <para>Size units: B; decimal kB/KB, MB, GB, TB, PB (10^3…10^15); binary KiB, MiB, GiB, TiB, PiB (2^10…2^50),
/// case-insensitive ("gb" = GB). "b" is read as bytes, never bits. Bandwidth units: B/s with the same prefixes (KB/s,
/// MB/s, GB/s, TB/s, GiB/s …), also written "GBps"; the result is in GB/s (10^9 bytes/s). Compute units: FLOPS with
/// G, T or P prefix; the result is in TFLOPS. Network units: Kbps, Mbps, Gbps (also "Mbit/s"); the result is in Mbps.
/// Numbers use '.' as the decimal separator whatever the culture; no sign, no exponent, no thousands separators.</para>
/// </remarks>
public static class DeviceSpecParser
{
    private const int MaxTextLength = 64;

    /// <summary>Parses a size such as "8GiB", "8 GB", "512MiB", "1.5 TiB" into bytes.</summary>
    /// <param name="text">The text to parse.</param>
    /// <returns>The size in bytes, rounded to the nearest byte.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="text"/> is null.</exception>
    /// <exception cref="FormatException">The text is not a number followed by a size unit, is negative, or exceeds
    /// <see cref="long.MaxValue"/> bytes; the message quotes the text.</exception>
    public static long ParseBytes(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return TryParseBytes(text, out long bytes, out string? error) ? bytes : throw new FormatException(error);
    }

    /// <summary>Non-throwing form of <see cref="ParseBytes"/>.</summary>
    /// <param name="text">The text to parse.</param>
    /// <param name="bytes">The size in bytes, or 0.</param>
    /// <returns>True when the text is a valid size.</returns>
    public static bool TryParseBytes(string? text, out long bytes) => TryParseBytes(text, out bytes, out _);

    /// <summary>Parses a bandwidth such as "100GB/s", "68.25 GB/s", "1 TB/s", "900 GiB/s" into GB/s (10^9 bytes/s).</summary>
    /// <param name="text">The text to parse.</param>
    /// <returns>The bandwidth in GB/s; finite and ≥ 0.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="text"/> is null.</exception>
    /// <exception cref="FormatException">The text is not a number followed by a bandwidth unit; the message quotes it.</exception>
    public static double ParseBandwidthGBps(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return TryParseBandwidthGBps(text, out double gbps, out string? error) ? gbps : throw new FormatException(error);
    }

    /// <summary>Parses a bandwidth as <see cref="ParseBandwidthGBps"/> does, without throwing.</summary>
    /// <param name="text">The text to parse.</param>
    /// <param name="gbps">The bandwidth in GB/s when it parses.</param>
    /// <param name="error">Why it does not parse (quotes the text), else null.</param>
    /// <returns>True when the text is a number and a bandwidth unit.</returns>
    public static bool TryParseBandwidthGBps(string? text, out double gbps, [NotNullWhen(false)] out string? error)
    {
        gbps = 0;
        if (text is null) { error = "no bandwidth given"; return false; }
        if (!TrySplit(text, out decimal value, out string unit, out error)) return false;
        string u = unit.ToLowerInvariant();
        if (u.EndsWith("/s", StringComparison.Ordinal))
        {
            u = u[..^2];
        }
        else if (u.EndsWith("ps", StringComparison.Ordinal) && u.Length > 2 && unit[^3] == 'B')
        {
            u = u[..^2]; // "GBps": capital B = bytes; "Gbps" (bits) is a network unit, rejected below.
        }
        else
        {
            error = $"'{text}' is not a bandwidth: expected a number and a unit per second such as '100GB/s' or '900 GiB/s'.";
            return false;
        }

        if (!TryByteMultiplier(u, out decimal multiplier))
        {
            error = $"'{text}' has an unknown bandwidth unit '{unit}': use B/s, KB/s, MB/s, GB/s, TB/s or KiB/s … TiB/s.";
            return false;
        }

        gbps = (double)(value * multiplier / 1_000_000_000m);
        return true;
    }

    /// <summary>Parses a compute rate such as "3.5TFLOPS", "500 GFLOPS", "1.2 PFLOPS" into TFLOPS.</summary>
    /// <param name="text">The text to parse.</param>
    /// <returns>TFLOPS (10^12 floating-point operations per second); finite and ≥ 0.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="text"/> is null.</exception>
    /// <exception cref="FormatException">The text is not a number followed by GFLOPS, TFLOPS or PFLOPS.</exception>
    public static double ParseTflops(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return TryParseTflops(text, out double tflops, out string? error) ? tflops : throw new FormatException(error);
    }

    /// <summary>Parses a compute rate as <see cref="ParseTflops"/> does, without throwing.</summary>
    /// <param name="text">The text to parse.</param>
    /// <param name="tflops">TFLOPS when it parses.</param>
    /// <param name="error">Why it does not parse, else null.</param>
    /// <returns>True when the text is a number and GFLOPS, TFLOPS or PFLOPS.</returns>
    public static bool TryParseTflops(string? text, out double tflops, [NotNullWhen(false)] out string? error)
    {
        tflops = 0;
        if (text is null) { error = "no compute rate given"; return false; }
        if (!TrySplit(text, out decimal value, out string unit, out error)) return false;
        decimal? scale = unit.ToLowerInvariant() switch
        {
            "gflops" or "gflop/s" => 0.001m,
            "tflops" or "tflop/s" => 1m,
            "pflops" or "pflop/s" => 1000m,
            _ => null,
        };
        if (scale is null)
        {
            error = $"'{text}' has an unknown compute unit '{unit}': use GFLOPS, TFLOPS or PFLOPS.";
            return false;
        }

        tflops = (double)(value * scale.Value);
        return true;
    }

    /// <summary>Parses a network speed such as "50Mbps", "1 Gbps", "800 kbps", "100 Mbit/s" into Mbps (10^6 bit/s).</summary>
    /// <param name="text">The text to parse.</param>
    /// <returns>Mbps; finite and ≥ 0.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="text"/> is null.</exception>
    /// <exception cref="FormatException">The text is not a number followed by Kbps, Mbps or Gbps.</exception>
    public static double ParseMbps(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return TryParseMbps(text, out double mbps, out string? error) ? mbps : throw new FormatException(error);
    }

    /// <summary>Parses a network speed as <see cref="ParseMbps"/> does, without throwing.</summary>
    /// <param name="text">The text to parse.</param>
    /// <param name="mbps">Mbps when it parses.</param>
    /// <param name="error">Why it does not parse, else null.</param>
    /// <returns>True when the text is a number and Kbps, Mbps or Gbps.</returns>
    public static bool TryParseMbps(string? text, out double mbps, [NotNullWhen(false)] out string? error)
    {
        mbps = 0;
        if (text is null) { error = "no network speed given"; return false; }
        if (!TrySplit(text, out decimal value, out string unit, out error)) return false;
        decimal? scale = unit.ToLowerInvariant() switch
        {
            "kbps" or "kbit/s" => 0.001m,
            "mbps" or "mbit/s" => 1m,
            "gbps" or "gbit/s" => 1000m,
            _ => null,
        };
        if (scale is null)
        {
            error = $"'{text}' has an unknown network-speed unit '{unit}': use Kbps, Mbps or Gbps.";
            return false;
        }

        mbps = (double)(value * scale.Value);
        return true;
    }

    private static bool TryParseBytes(string? text, out long bytes, [NotNullWhen(false)] out string? error)
    {
        bytes = 0;
        if (text is null)
        {
            error = "A size is required, e.g. '8GiB'.";
            return false;
        }

        if (!TrySplit(text, out decimal value, out string unit, out error))
        {
            return false;
        }

        if (!TryByteMultiplier(unit.ToLowerInvariant(), out decimal multiplier))
        {
            error = $"'{text}' has an unknown size unit '{unit}': use B, KB, MB, GB, TB (10^3 steps) or KiB, MiB, GiB, TiB (2^10 steps).";
            return false;
        }

        // decimal has 28-29 significant digits: value ≤ 10^15 (checked in TrySplit) × 2^50 stays below its range of
        // about 7.9 × 10^28, so the product cannot overflow before the long range check.
        decimal product = Math.Round(value * multiplier, MidpointRounding.AwayFromZero);
        if (product > long.MaxValue)
        {
            error = $"'{text}' is too large: sizes are limited to {long.MaxValue} bytes (8 EiB).";
            return false;
        }

        bytes = (long)product;
        return true;
    }

    private static bool TryByteMultiplier(string lowerUnit, out decimal multiplier)
    {
        multiplier = lowerUnit switch
        {
            "b" or "byte" or "bytes" => 1m,
            "kb" => 1_000m,
            "mb" => 1_000_000m,
            "gb" => 1_000_000_000m,
            "tb" => 1_000_000_000_000m,
            "pb" => 1_000_000_000_000_000m,
            "kib" => 1024m,
            "mib" => 1024m * 1024,
            "gib" => 1024m * 1024 * 1024,
            "tib" => 1024m * 1024 * 1024 * 1024,
            "pib" => 1024m * 1024 * 1024 * 1024 * 1024,
            _ => 0m,
        };
        return multiplier != 0m;
    }

    /// <summary>Splits "12.5 GiB" into 12.5 and "GiB". Accepts digits with at most one '.', optional spaces, then
    /// letters and '/'.</summary>
    private static bool TrySplit(string text, out decimal value, out string unit, [NotNullWhen(false)] out string? error)
    {
        value = 0;
        unit = string.Empty;
        string shown = text.Length > MaxTextLength ? text[..MaxTextLength] + "…" : text;
        if (text.Length > MaxTextLength)
        {
            error = $"'{shown}' is too long for a quantity (at most {MaxTextLength} characters).";
            return false;
        }

        ReadOnlySpan<char> s = text.AsSpan().Trim();
        if (s.IsEmpty)
        {
            error = "An empty string is not a quantity: expected a number and a unit, e.g. '8GiB'.";
            return false;
        }

        if (s[0] == '-')
        {
            error = $"'{shown}' is negative: quantities must be ≥ 0.";
            return false;
        }

        int i = 0;
        bool dot = false;
        while (i < s.Length && (char.IsAsciiDigit(s[i]) || (s[i] == '.' && !dot)))
        {
            dot |= s[i] == '.';
            i++;
        }

        ReadOnlySpan<char> number = s[..i];
        ReadOnlySpan<char> rest = s[i..].TrimStart();
        if (number.IsEmpty || number is ".")
        {
            error = $"'{shown}' does not start with a number: expected e.g. '8GiB', '100GB/s', '3.5TFLOPS'.";
            return false;
        }

        if (rest.IsEmpty)
        {
            error = $"'{shown}' has no unit: write e.g. '{number.ToString()}GiB' or '{number.ToString()}GB' (GB = 10^9 bytes, GiB = 2^30 bytes).";
            return false;
        }

        foreach (char c in rest)
        {
            if (!char.IsAsciiLetter(c) && c != '/')
            {
                error = $"'{shown}' is not a number followed by a unit (unexpected '{c}').";
                return false;
            }
        }

        if (number.Length > 20 || !decimal.TryParse(number, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out value)
            || value > 1_000_000_000_000_000m)
        {
            error = $"'{shown}' has a number that is too large.";
            return false;
        }

        unit = rest.ToString();
        error = null;
        return true;
    }
}
