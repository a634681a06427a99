namespace LlmSize.Core.Formats.Safetensors;

/// <summary>
/// Limits for <see cref="SafetensorsReader"/>. Every length, count and depth read from a file is compared with these
/// before anything is allocated for it; exceeding one is a <see cref="ModelFormatException"/>.
/// </summary>
public sealed class SafetensorsReaderOptions
{
    /// <summary>The defaults, shared.</summary>
    public static SafetensorsReaderOptions Default { get; } = new();

    /// <summary>
    /// Largest accepted JSON header, in bytes. Default 100,000,000 (the reference implementation's
    /// <c>MAX_HEADER_SIZE</c> in <c>safetensors/src/tensor.rs</c>).
    /// </summary>
    /// <remarks>
    /// The header is read into memory whole, so the cap bounds the memory one file can make the reader allocate.
    /// Matching the reference means every file the reference library opens opens here, and a file declaring more
    /// (a random 8-byte prefix from a file of another format declares up to 2^64) is rejected before any allocation
    /// (see <c>attacks/README.md</c>, proposal 2: a huge JSON header as a denial of service).
    /// </remarks>
    public int MaxHeaderBytes { get; init; } = SafetensorsConstants.ReferenceMaxHeaderBytes;

    /// <summary>Most tensor entries accepted in one header. Default 1,000,000 (a header of that many entries is
    /// about 80 MB, within <see cref="MaxHeaderBytes"/>).</summary>
    public int MaxTensorCount { get; init; } = 1_000_000;

    /// <summary>Most <c>__metadata__</c> entries accepted. Default 100,000.</summary>
    public int MaxMetadataEntries { get; init; } = 100_000;

    /// <summary>Longest accepted JSON string (tensor name, dtype, metadata key or value), in UTF-8 bytes as stored
    /// (escapes included). Default 16,777,216 (16 MiB).</summary>
    public int MaxStringBytes { get; init; } = 16 * 1024 * 1024;

    /// <summary>Most dimensions in one tensor's shape. Default 64 (PyTorch itself caps tensors at 64 dimensions).</summary>
    public int MaxDimensions { get; init; } = 64;

    /// <summary>Deepest JSON nesting accepted inside fields this reader skips (unknown fields of a tensor entry or of an
    /// index). Default 32. The header's own structure needs depth 3.</summary>
    public int MaxJsonDepth { get; init; } = 32;

    /// <summary>Largest accepted <c>model.safetensors.index.json</c>, in bytes. Default 100,000,000.</summary>
    public int MaxIndexBytes { get; init; } = 100_000_000;

    /// <summary>Most shard files accepted in one index. Default 100,000.</summary>
    public int MaxShardCount { get; init; } = 100_000;

    /// <summary>Checks that every limit is positive.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A limit is zero or negative.</exception>
    internal void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(MaxHeaderBytes);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(MaxTensorCount);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(MaxMetadataEntries);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(MaxStringBytes);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(MaxDimensions);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(MaxJsonDepth);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(MaxIndexBytes);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(MaxShardCount);
    }
}
