using System.Buffers.Binary;

namespace LlmSize.Core.Formats.Tflite;

/// <summary>Recognizes TFLite flatbuffers (<c>.tflite</c>, MediaPipe LLM <c>.bin</c>) from their first bytes.</summary>
public static class TfliteFormatDetector
{
    /// <summary>Bytes <see cref="IsTflite"/> needs: the root uoffset (4) and the file identifier (4).</summary>
    public const int MinimumHeaderLength = TfliteConstants.MinimumLength;

    /// <summary>
    /// True when <paramref name="header"/> starts like a TFLite flatbuffer: file identifier "TFL3" at bytes 4..8
    /// (schema.fbs <c>file_identifier</c>) and a root table offset of at least 8 (past the header). Never throws.
    /// </summary>
    /// <param name="header">The first bytes of the file; fewer than <see cref="MinimumHeaderLength"/> gives false.</param>
    /// <returns>Whether the bytes look like a TFLite model.</returns>
    public static bool IsTflite(ReadOnlySpan<byte> header) =>
        header.Length >= MinimumHeaderLength
        && header.Slice(4, 4).SequenceEqual(TfliteConstants.FileIdentifier)
        && BinaryPrimitives.ReadUInt32LittleEndian(header) >= MinimumHeaderLength;
}
