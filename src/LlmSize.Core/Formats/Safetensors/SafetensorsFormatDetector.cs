using System.Buffers.Binary;

namespace LlmSize.Core.Formats.Safetensors;

/// <summary>Cheap, never-throwing format sniffing for safetensors files.</summary>
public static class SafetensorsFormatDetector
{
    /// <summary>Bytes <see cref="IsSafetensors"/> needs: the 8-byte header length plus the header's first byte.</summary>
    public const int MinimumHeaderSize = SafetensorsConstants.LengthPrefixBytes + 1;

    /// <summary>
    /// Tells whether <paramref name="header"/> (the first bytes of a file) starts like a safetensors file: a
    /// little-endian u64 header length of at least 2 and at most 100,000,000 (the reference cap), followed by
    /// <c>{</c> (the spec: "The header data MUST begin with a <c>{</c> character").
    /// </summary>
    /// <param name="header">The first bytes of the file; at least <see cref="MinimumHeaderSize"/> (9) are needed.</param>
    /// <returns>True when the bytes start like safetensors; false otherwise, including when fewer than
    /// <see cref="MinimumHeaderSize"/> bytes are given. Never throws.</returns>
    public static bool IsSafetensors(ReadOnlySpan<byte> header)
    {
        if (header.Length < MinimumHeaderSize) return false;
        ulong n = BinaryPrimitives.ReadUInt64LittleEndian(header);
        return n >= 2 && n <= SafetensorsConstants.ReferenceMaxHeaderBytes
            && header[SafetensorsConstants.LengthPrefixBytes] == SafetensorsConstants.HeaderStart;
    }

    /// <summary>
    /// Recognizes the files most often given in place of a safetensors file: a zip archive (PyTorch <c>.bin</c>/<c>.pt</c>
    /// since torch 1.6), gzip, a Python pickle (legacy PyTorch checkpoint), a Git LFS pointer, an HTML page, GGUF, or a
    /// JSON document (an index or config). Never throws.
    /// </summary>
    /// <param name="start">The first bytes of the file (up to 64 are looked at).</param>
    /// <param name="description">What the bytes look like, when recognized.</param>
    /// <returns>True when recognized.</returns>
    internal static bool TryDescribeOtherFormat(ReadOnlySpan<byte> start, out string? description)
    {
        description = null;
        if (start.StartsWith("PK\u0003\u0004"u8) || start.StartsWith("PK\u0005\u0006"u8))
        {
            description = "a zip archive (a PyTorch .bin/.pt checkpoint is a zip file; convert it to safetensors)";
        }
        else if (start.StartsWith((ReadOnlySpan<byte>)[0x1F, 0x8B]))
        {
            description = "gzip-compressed data (decompress it first)";
        }
        else if (start.StartsWith("version https://git-lfs"u8))
        {
            description = "a Git LFS pointer file (the real file was not downloaded; run 'git lfs pull')";
        }
        else if (start.StartsWith("GGUF"u8))
        {
            description = "a GGUF file";
        }
        else if (start.Length >= 2 && start[0] == 0x80 && start[1] is >= 2 and <= 5)
        {
            description = "a Python pickle (a legacy PyTorch checkpoint)";
        }
        else
        {
            ReadOnlySpan<byte> t = TrimStart(start);
            if (t.Length > 0 && t[0] == (byte)'<' && LooksLikeMarkup(t))
            {
                description = "an HTML/XML page (a download that returned an error or login page?)";
            }
            else if (t.Length > 0 && t[0] is (byte)'{' or (byte)'[')
            {
                description = "a JSON document (an index or config file, not a .safetensors file)";
            }
        }

        return description is not null;
    }

    private static ReadOnlySpan<byte> TrimStart(ReadOnlySpan<byte> s)
    {
        if (s.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF])) s = s[3..];
        int i = 0;
        while (i < s.Length && s[i] is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n') i++;
        return s[i..];
    }

    private static bool LooksLikeMarkup(ReadOnlySpan<byte> t)
    {
        ReadOnlySpan<byte> rest = t[1..];
        return StartsWithIgnoreCase(rest, "!doctype"u8) || StartsWithIgnoreCase(rest, "html"u8)
            || StartsWithIgnoreCase(rest, "?xml"u8) || StartsWithIgnoreCase(rest, "head"u8)
            || StartsWithIgnoreCase(rest, "body"u8) || StartsWithIgnoreCase(rest, "!--"u8);
    }

    private static bool StartsWithIgnoreCase(ReadOnlySpan<byte> s, ReadOnlySpan<byte> lowerPrefix)
    {
        if (s.Length < lowerPrefix.Length) return false;
        for (int i = 0; i < lowerPrefix.Length; i++)
        {
            byte b = s[i];
            if (b is >= (byte)'A' and <= (byte)'Z') b = (byte)(b + 32);
            if (b != lowerPrefix[i]) return false;
        }

        return true;
    }
}
