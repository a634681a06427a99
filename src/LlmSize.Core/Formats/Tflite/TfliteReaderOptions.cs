namespace LlmSize.Core.Formats.Tflite;

/// <summary>
/// Limits applied by <see cref="TfliteReader"/>. Every count and length in a flatbuffer is compared with these caps
/// and with the bytes remaining before anything is allocated.
/// </summary>
public sealed class TfliteReaderOptions
{
    /// <summary>The defaults.</summary>
    public static TfliteReaderOptions Default { get; } = new();

    /// <summary>
    /// Most bytes of a file treated as flatbuffer. A file is memory-mapped, so only the pages the parser touches
    /// (tables, vectors of shapes and names; never weight data) are read; this cap bounds the mapped view and, for
    /// streams and zip entries that must be copied into memory, the copy. Default 2^31 − 1 bytes, the largest
    /// flatbuffer 32-bit offsets can address; files with external buffers keep their weights after this prefix.
    /// </summary>
    public long MaxFlatbufferBytes { get; init; } = TfliteConstants.MaxFlatbufferLength;

    /// <summary>Most subgraphs. Default 4,096.</summary>
    public int MaxSubgraphs { get; init; } = 4_096;

    /// <summary>Most tensors in one subgraph. Default 1,000,000.</summary>
    public int MaxTensorsPerSubgraph { get; init; } = 1_000_000;

    /// <summary>Most operators in one subgraph. Default 1,000,000.</summary>
    public int MaxOperatorsPerSubgraph { get; init; } = 1_000_000;

    /// <summary>Most entries of <c>Model.buffers</c> and <c>Model.operator_codes</c>. Default 2,000,000.</summary>
    public int MaxBuffers { get; init; } = 2_000_000;

    /// <summary>Most dimensions of a tensor shape. Default 64.</summary>
    public int MaxRank { get; init; } = 64;

    /// <summary>Most operator inputs/outputs and subgraph inputs/outputs per list. Default 100,000.</summary>
    public int MaxIndexListLength { get; init; } = 100_000;

    /// <summary>Most per-channel quantization scales / zero points per tensor. Default 10,000,000.</summary>
    public int MaxQuantizationParameters { get; init; } = 10_000_000;

    /// <summary>Most UTF-8 bytes of a name, description or custom op code. Default 65,536 bytes.</summary>
    public int MaxStringBytes { get; init; } = 65_536;

    /// <summary>Most metadata entries. Default 4,096.</summary>
    public int MaxMetadataEntries { get; init; } = 4_096;

    internal void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxFlatbufferBytes, TfliteConstants.MinimumLength, nameof(MaxFlatbufferBytes));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(MaxFlatbufferBytes, TfliteConstants.MaxFlatbufferLength, nameof(MaxFlatbufferBytes));
        ArgumentOutOfRangeException.ThrowIfNegative(MaxSubgraphs);
        ArgumentOutOfRangeException.ThrowIfNegative(MaxTensorsPerSubgraph);
        ArgumentOutOfRangeException.ThrowIfNegative(MaxOperatorsPerSubgraph);
        ArgumentOutOfRangeException.ThrowIfNegative(MaxBuffers);
        ArgumentOutOfRangeException.ThrowIfNegative(MaxRank);
        ArgumentOutOfRangeException.ThrowIfNegative(MaxIndexListLength);
        ArgumentOutOfRangeException.ThrowIfNegative(MaxQuantizationParameters);
        ArgumentOutOfRangeException.ThrowIfNegative(MaxStringBytes);
        ArgumentOutOfRangeException.ThrowIfNegative(MaxMetadataEntries);
    }
}
