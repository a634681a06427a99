using LlmSize.Core.Formats.Tflite;

namespace LlmSize.Core.Formats.MediaPipe;

/// <summary>Limits applied by <see cref="MediaPipeTaskReader"/> to a <c>.task</c> bundle.</summary>
public sealed class MediaPipeTaskReaderOptions
{
    /// <summary>The defaults.</summary>
    public static MediaPipeTaskReaderOptions Default { get; } = new();

    /// <summary>Most entries in the bundle. Default 4,096.</summary>
    public int MaxEntries { get; init; } = 4_096;

    /// <summary>Most UTF-16 characters of an entry name. Default 1,024.</summary>
    public int MaxEntryNameLength { get; init; } = 1_024;

    /// <summary>
    /// Most uncompressed bytes of a compressed (deflated) model entry, which must be inflated into memory to be parsed.
    /// Stored entries are memory-mapped in place and are bounded by <see cref="TfliteReaderOptions.MaxFlatbufferBytes"/>
    /// instead. Default 512 MiB (2^29 bytes).
    /// </summary>
    public long MaxInflatedEntryBytes { get; init; } = 512L * 1024 * 1024;

    /// <summary>Largest uncompressed ÷ compressed size ratio accepted for an entry that must be inflated (zip-bomb
    /// guard; deflate cannot exceed about 1032:1, ordinary model data stays far below 100:1). Default 100.</summary>
    public int MaxCompressionRatio { get; init; } = 100;

    /// <summary>Limits for the TFLite models inside the bundle.</summary>
    public TfliteReaderOptions Tflite { get; init; } = TfliteReaderOptions.Default;

    internal void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfNegative(MaxEntries);
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxEntryNameLength, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(MaxInflatedEntryBytes);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(MaxInflatedEntryBytes, (long)Array.MaxLength);
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxCompressionRatio, 1);
        ArgumentNullException.ThrowIfNull(Tflite);
        Tflite.Validate();
    }
}
