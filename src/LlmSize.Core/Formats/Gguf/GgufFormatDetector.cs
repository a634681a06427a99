using System.Buffers.Binary;

namespace LlmSize.Core.Formats.Gguf;

/// <summary>Recognizes GGUF files from their first bytes, without throwing.</summary>
public static class GgufFormatDetector
{
    /// <summary>Bytes <see cref="IsGguf"/> needs: the 4-byte magic and the 4-byte version.</summary>
    public const int MinimumHeaderLength = 8;

    /// <summary>
    /// True when <paramref name="header"/> starts with the magic "GGUF" followed by a supported version (1–3) in
    /// either byte order. Never throws; returns false when fewer than <see cref="MinimumHeaderLength"/> bytes are given.
    /// </summary>
    /// <param name="header">The first bytes of a file (at least 8).</param>
    /// <returns>True for a GGUF header this project can read.</returns>
    public static bool IsGguf(ReadOnlySpan<byte> header) =>
        header.Length >= MinimumHeaderLength && header[..4].SequenceEqual(GgufConstants.Magic)
        && TryDecodeVersion(BinaryPrimitives.ReadUInt32LittleEndian(header[4..]), out _, out _);

    /// <summary>Decodes the raw little-endian version field: a byte-swapped supported version means big-endian.</summary>
    internal static bool TryDecodeVersion(uint raw, out uint version, out bool bigEndian)
    {
        bigEndian = false;
        version = raw;
        if (raw is >= GgufConstants.MinVersion and <= GgufConstants.MaxVersion) return true;
        uint swapped = BinaryPrimitives.ReverseEndianness(raw);
        if (swapped is >= GgufConstants.MinVersion and <= GgufConstants.MaxVersion)
        {
            version = swapped;
            bigEndian = true;
            return true;
        }

        return false;
    }
}
