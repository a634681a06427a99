using System.Buffers.Binary;

namespace LlmSize.Core.Formats.Gguf.Internal;

/// <summary>Names the format of bytes that are not GGUF, so the error says "a ZIP archive" rather than "bad magic".</summary>
internal static class GgufForeignFormats
{
    /// <summary>A short description of the format <paramref name="head"/> (the first up to 16 bytes) looks like, or null.</summary>
    public static string? Describe(ReadOnlySpan<byte> head)
    {
        if (head.StartsWith("PK\x03\x04"u8) || head.StartsWith("PK\x05\x06"u8)) return "a ZIP archive (a PyTorch .bin/.pt checkpoint or .npz?)";
        if (head.StartsWith((ReadOnlySpan<byte>)[0x1F, 0x8B])) return "a gzip stream";
        if (head.StartsWith("version "u8)) return "a Git LFS pointer (the model was not downloaded)";

        // Legacy ggml formats write their magic as a little-endian u32: 'ggml' → "lmgg", 'ggmf' → "fmgg", 'ggjt' → "tjgg".
        if (head.StartsWith("lmgg"u8) || head.StartsWith("fmgg"u8) || head.StartsWith("tjgg"u8)) return "a legacy GGML/GGMF/GGJT file (convert it to GGUF)";
        if (head.Length >= 9 && head[8] == (byte)'{' && BinaryPrimitives.ReadUInt64LittleEndian(head) is > 0 and < (1UL << 40))
        {
            return "a safetensors file (8-byte header length, then JSON)";
        }

        if (head.StartsWith((ReadOnlySpan<byte>)[0x89, 0x48, 0x44, 0x46])) return "an HDF5 file";
        if (head.Length >= 2 && head[0] == 0x80 && head[1] is >= 2 and <= 5) return "a Python pickle";
        ReadOnlySpan<byte> trimmed = head.TrimStart(" \t\r\n"u8);
        if (trimmed.StartsWith("<"u8)) return "an HTML/XML document (an error page instead of the model?)";
        if (trimmed.StartsWith("{"u8)) return "a JSON document";
        return null;
    }
}
