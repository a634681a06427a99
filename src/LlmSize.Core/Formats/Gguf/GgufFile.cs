using LlmSize.Core.Models;

namespace LlmSize.Core.Formats.Gguf;

/// <summary>
/// The header of a GGUF file (or of all parts of a split model): version, byte order, alignment, metadata and
/// tensor descriptions. Produced by <see cref="GgufReader"/> from header bytes alone; no tensor data is read.
/// </summary>
public sealed class GgufFile
{
    internal GgufFile(uint version, bool isBigEndian, uint alignment, IReadOnlyDictionary<string, GgufValue> metadata,
        IReadOnlyList<TensorInfo> tensors, long headerLength, long tensorDataOffset, long? fileLength, string? filePath,
        IReadOnlyList<GgufFile>? parts = null)
    {
        Version = version;
        IsBigEndian = isBigEndian;
        Alignment = alignment;
        Metadata = metadata;
        Tensors = tensors;
        HeaderLength = headerLength;
        TensorDataOffset = tensorDataOffset;
        FileLength = fileLength;
        FilePath = filePath;
        Parts = parts ?? [];
    }

    /// <summary>GGUF version (1, 2 or 3).</summary>
    public uint Version { get; }

    /// <summary>True when the file's numbers (and tensor data) are big-endian (detected from the version field).</summary>
    public bool IsBigEndian { get; }

    /// <summary>Alignment of the tensor data section and of every tensor offset, in bytes (<c>general.alignment</c>,
    /// default 32).</summary>
    public uint Alignment { get; }

    /// <summary>Metadata key/value pairs in file order.</summary>
    public IReadOnlyDictionary<string, GgufValue> Metadata { get; }

    /// <summary>Tensors in file order (for a split model: part 1's, then part 2's, …), each with its absolute
    /// <see cref="TensorInfo.DataOffset"/> and <see cref="TensorInfo.FilePath"/>.</summary>
    public IReadOnlyList<TensorInfo> Tensors { get; }

    /// <summary>Bytes of the header proper: magic through the last tensor info (before alignment padding).</summary>
    public long HeaderLength { get; }

    /// <summary>Absolute byte offset where the tensor data section starts (the header length rounded up to
    /// <see cref="Alignment"/>). For a split model: the first part's.</summary>
    public long TensorDataOffset { get; }

    /// <summary>File length in bytes when known (null for a non-seekable stream). For a split model: all parts together.</summary>
    public long? FileLength { get; }

    /// <summary>The file path (or display name) the header was read from, when known; for a split model the first part.</summary>
    public string? FilePath { get; }

    /// <summary>For a model read with <see cref="GgufReader.ReadSplit"/> from several parts: each part's header, in
    /// part order. Empty for a single file.</summary>
    public IReadOnlyList<GgufFile> Parts { get; }

    /// <summary>The <c>general.architecture</c> string, or null when absent or not a string.</summary>
    public string? Architecture => TryGetString(GgufConstants.ArchitectureKey, out string s) ? s : null;

    /// <summary>Sum of the tensors' element counts (parameters stored in the file).</summary>
    public long TotalElementCount => Tensors.Sum(t => t.ElementCount);

    /// <summary>Sum of the tensors' data bytes.</summary>
    public long TotalTensorBytes => Tensors.Sum(t => t.ByteLength);

    /// <summary>Looks up a metadata value.</summary>
    /// <param name="key">Metadata key (case-sensitive).</param>
    /// <param name="value">The value when found.</param>
    /// <returns>False when the key is absent.</returns>
    public bool TryGetValue(string key, out GgufValue value) => Metadata.TryGetValue(key, out value!);

    /// <summary>Looks up a STRING metadata value.</summary>
    /// <param name="key">Metadata key.</param>
    /// <param name="value">The string when found.</param>
    /// <returns>False when absent or not a string.</returns>
    public bool TryGetString(string key, out string value)
    {
        value = string.Empty;
        return TryGetValue(key, out GgufValue v) && v.TryGetString(out value);
    }

    /// <summary>Looks up an integer metadata value of any integer type.</summary>
    /// <param name="key">Metadata key.</param>
    /// <param name="value">The integer when found.</param>
    /// <returns>False when absent or not an integer.</returns>
    public bool TryGetInt64(string key, out long value)
    {
        value = 0;
        return TryGetValue(key, out GgufValue v) && v.TryGetInt64(out value);
    }
}
