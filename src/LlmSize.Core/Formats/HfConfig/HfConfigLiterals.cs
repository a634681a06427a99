namespace LlmSize.Core.Formats.HfConfig;

/// <summary>
/// Python's <c>json.dumps</c> writes <c>NaN</c>, <c>Infinity</c> and <c>-Infinity</c> as bare literals (its default
/// <c>allow_nan=True</c>), which RFC 8259 and System.Text.Json refuse. Hugging Face configs carry them in fields no
/// count uses (<c>rope_theta</c>, <c>layer_norm_eps</c>, scaling factors), so they are read: each bare literal outside
/// a string becomes the JSON string of the same spelling. A field that counts do use then fails as "not a number"
/// naming that field, as any other wrong type would.
/// </summary>
internal static class HfConfigLiterals
{
    private static ReadOnlySpan<byte> NaN => "NaN"u8;

    private static ReadOnlySpan<byte> Infinity => "Infinity"u8;

    /// <summary>Returns <paramref name="utf8"/> itself when it holds no bare literal, else a copy with each quoted.</summary>
    public static ReadOnlyMemory<byte> QuoteNonFiniteLiterals(ReadOnlyMemory<byte> utf8)
    {
        ReadOnlySpan<byte> s = utf8.Span;
        List<(int Start, int Length)>? found = null;
        bool inString = false;
        for (int i = 0; i < s.Length; i++)
        {
            byte b = s[i];
            if (inString)
            {
                if (b == (byte)'\\') i++;
                else if (b == (byte)'"') inString = false;
                continue;
            }

            if (b == (byte)'"')
            {
                inString = true;
                continue;
            }

            int length = Match(s, i);
            if (length > 0)
            {
                (found ??= []).Add((i, length));
                i += length - 1;
            }
        }

        if (found is null) return utf8;
        var output = new byte[s.Length + 2 * found.Count];
        int from = 0, to = 0;
        foreach (var (start, length) in found)
        {
            s[from..start].CopyTo(output.AsSpan(to));
            to += start - from;
            output[to++] = (byte)'"';
            s.Slice(start, length).CopyTo(output.AsSpan(to));
            to += length;
            output[to++] = (byte)'"';
            from = start + length;
        }

        s[from..].CopyTo(output.AsSpan(to));
        return output;
    }

    /// <summary>Length of a bare NaN / Infinity / -Infinity token at <paramref name="i"/> (after a value
    /// separator, with a delimiter after it), else 0.</summary>
    private static int Match(ReadOnlySpan<byte> s, int i)
    {
        int length = s[i..].StartsWith(NaN) ? NaN.Length
            : s[i..].StartsWith(Infinity) ? Infinity.Length
            : s[i] == (byte)'-' && s[(i + 1)..].StartsWith(Infinity) ? Infinity.Length + 1
            : 0;
        if (length == 0) return 0;
        if (!Delimiter(Previous(s, i)) || !Delimiter(i + length < s.Length ? s[i + length] : (byte)' ')) return 0;
        return length;
    }

    private static byte Previous(ReadOnlySpan<byte> s, int i)
    {
        for (int j = i - 1; j >= 0; j--)
        {
            if (s[j] is not ((byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n')) return s[j];
        }

        return (byte)' ';
    }

    private static bool Delimiter(byte b) => b is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n'
        or (byte)',' or (byte)':' or (byte)'[' or (byte)']' or (byte)'{' or (byte)'}';
}
