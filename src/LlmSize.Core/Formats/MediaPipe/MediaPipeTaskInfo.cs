using System.Collections.Immutable;
using LlmSize.Core.Formats.Tflite;

namespace LlmSize.Core.Formats.MediaPipe;

/// <summary>What an entry of a <c>.task</c> bundle holds, recognized from its first bytes.</summary>
public enum MediaPipeTaskEntryKind
{
    /// <summary>A directory entry (name ends with '/').</summary>
    Directory,
    /// <summary>A TFLite flatbuffer ("TFL3" at bytes 4..8), parsed into <see cref="MediaPipeTaskEntry.Model"/>.</summary>
    TfliteModel,
    /// <summary>A nested zip (vision bundles such as hand_landmarker.task hold sub-bundles); not opened.</summary>
    NestedBundle,
    /// <summary>Anything else: tokenizer (<c>TOKENIZER_MODEL</c>, SentencePiece), metadata, labels.</summary>
    Other,
}

/// <summary>One entry of a <c>.task</c> bundle.</summary>
/// <param name="Name">Entry name as stored in the zip central directory.</param>
/// <param name="Length">Uncompressed bytes.</param>
/// <param name="CompressedLength">Bytes the entry occupies in the bundle (its share of the download).</param>
/// <param name="Kind">What the entry holds.</param>
/// <param name="Model">The parsed model for <see cref="MediaPipeTaskEntryKind.TfliteModel"/> entries, else null.</param>
/// <param name="ReadInPlace">True when the model was parsed from the bundle file memory-mapped in place (a stored
/// entry); false when it was inflated into memory.</param>
public sealed record MediaPipeTaskEntry(
    string Name,
    long Length,
    long CompressedLength,
    MediaPipeTaskEntryKind Kind,
    TfliteModelInfo? Model,
    bool ReadInPlace);

/// <summary>
/// A MediaPipe <c>.task</c> bundle: its entries and the TFLite models inside. The bundle's file length is what a
/// browser or device downloads.
/// </summary>
/// <param name="FilePath">Path of the bundle.</param>
/// <param name="DownloadBytes">Exact download size: the bundle's file length in bytes.</param>
/// <param name="Entries">Entries in central-directory order.</param>
public sealed record MediaPipeTaskInfo(string FilePath, long DownloadBytes, ImmutableArray<MediaPipeTaskEntry> Entries)
{
    /// <summary>The TFLite models of the bundle (entries of kind <see cref="MediaPipeTaskEntryKind.TfliteModel"/>).</summary>
    public IEnumerable<TfliteModelInfo> Models => Entries.Where(e => e.Model is not null).Select(e => e.Model!);

    /// <summary>Parameters of all models in the bundle (each model's <see cref="TfliteModelInfo.ParameterCount"/>).</summary>
    public long ParameterCount => Models.Sum(m => m.ParameterCount);

    /// <summary>Weight bytes of all models in the bundle (uncompressed).</summary>
    public long WeightBytes => Models.Sum(m => m.WeightBytes);

    /// <summary>The entry with this exact name, or null.</summary>
    /// <param name="name">Entry name, e.g. <c>TF_LITE_PREFILL_DECODE</c>.</param>
    /// <returns>The entry or null.</returns>
    public MediaPipeTaskEntry? Find(string name) => Entries.FirstOrDefault(e => e.Name == name);
}
