namespace LlmSize.Core.Formats.Gguf;

/// <summary>
/// Limits and choices for <see cref="GgufReader"/>. Every count and length read from a file is compared with these
/// caps and with the bytes left in the file before anything is allocated; exceeding a cap is a
/// <see cref="ModelFormatException"/> (malformed / hostile input), not an out-of-memory.
/// </summary>
/// <remarks>Defaults fit every published GGUF model (vocabularies of 256,000 tokens, MoE models of thousands of
/// tensors) while keeping the worst-case allocation small.</remarks>
public sealed class GgufReaderOptions
{
    /// <summary>The default options.</summary>
    public static GgufReaderOptions Default { get; } = new();

    /// <summary>Most bytes the header (magic through the last tensor info) may take. Default 256 MiB.</summary>
    public long MaxHeaderBytes { get; init; } = 256L * 1024 * 1024;

    /// <summary>Most tensors one file may declare. Default 1,048,576.</summary>
    public long MaxTensorCount { get; init; } = 1 << 20;

    /// <summary>Most metadata key/value pairs one file may declare. Default 65,536.</summary>
    public long MaxMetadataCount { get; init; } = 1 << 16;

    /// <summary>Most elements one metadata array may declare. Default 16,777,216.</summary>
    public long MaxArrayLength { get; init; } = 1 << 24;

    /// <summary>
    /// Arrays with more elements than this keep only their element type and count (<see cref="GgufArray.Items"/> is
    /// null); their bytes are still walked and validated. Default 4096 elements (per-layer arrays are kept, token
    /// lists are not).
    /// </summary>
    public int MaxMaterializedArrayLength { get; init; } = 4096;

    /// <summary>Most bytes of one string (keys, values, array elements). Default 16 MiB
    /// (some converters store a whole <c>tokenizer.json</c> as one string).</summary>
    public int MaxStringLength { get; init; } = 16 * 1024 * 1024;

    /// <summary>Most bytes of a tensor name. Default 1024 (ggml itself allows 63: <c>GGML_MAX_NAME</c> = 64).</summary>
    public int MaxTensorNameLength { get; init; } = 1024;

    /// <summary>Deepest nesting of arrays inside arrays (a top-level array is depth 1). Default 4.</summary>
    public int MaxArrayNestingDepth { get; init; } = 4;

    /// <summary>Read buffer in bytes (at least 64). Default 65,536. The reader never reads past the end of the header
    /// by more than the alignment padding, whatever the buffer size.</summary>
    public int BufferSize { get; init; } = 64 * 1024;

    /// <summary>Checks that the options are usable.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A limit is zero, negative or (for <see cref="BufferSize"/>)
    /// below 64 bytes.</exception>
    internal void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(MaxHeaderBytes, nameof(MaxHeaderBytes));
        ArgumentOutOfRangeException.ThrowIfNegative(MaxTensorCount, nameof(MaxTensorCount));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(MaxTensorCount, int.MaxValue, nameof(MaxTensorCount));
        ArgumentOutOfRangeException.ThrowIfNegative(MaxMetadataCount, nameof(MaxMetadataCount));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(MaxMetadataCount, int.MaxValue, nameof(MaxMetadataCount));
        ArgumentOutOfRangeException.ThrowIfNegative(MaxArrayLength, nameof(MaxArrayLength));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(MaxArrayLength, 1L << 40, nameof(MaxArrayLength));
        ArgumentOutOfRangeException.ThrowIfNegative(MaxMaterializedArrayLength, nameof(MaxMaterializedArrayLength));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(MaxMaterializedArrayLength, Array.MaxLength, nameof(MaxMaterializedArrayLength));
        ArgumentOutOfRangeException.ThrowIfNegative(MaxStringLength, nameof(MaxStringLength));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(MaxStringLength, Array.MaxLength, nameof(MaxStringLength));
        ArgumentOutOfRangeException.ThrowIfNegative(MaxTensorNameLength, nameof(MaxTensorNameLength));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(MaxArrayNestingDepth, nameof(MaxArrayNestingDepth));
        ArgumentOutOfRangeException.ThrowIfLessThan(BufferSize, 64, nameof(BufferSize));
    }
}
