using LlmSize.Core.Models;

namespace LlmSize.Core.Formats.Safetensors;

/// <summary>
/// A sharded safetensors model: the index (<c>model.safetensors.index.json</c>) and the header of every shard it
/// names, cross-checked.
/// </summary>
public sealed class SafetensorsModel
{
    internal SafetensorsModel(string indexPath, IReadOnlyList<SafetensorsFile> files, IReadOnlyList<TensorInfo> tensors,
        long? indexTotalSize, IReadOnlyList<string> warnings)
    {
        IndexPath = indexPath;
        Files = files;
        Tensors = tensors;
        IndexTotalSize = indexTotalSize;
        Warnings = warnings;
        long bytes = 0, fileBytes = 0, parameters = 0;
        foreach (SafetensorsFile f in files)
        {
            bytes = checked(bytes + f.DataSectionLength);
            fileBytes = checked(fileBytes + f.FileLength);
            parameters = checked(parameters + f.ParameterCount);
        }

        TensorDataBytes = bytes;
        TotalFileBytes = fileBytes;
        ParameterCount = parameters;
    }

    /// <summary>Full path of the index file.</summary>
    public string IndexPath { get; }

    /// <summary>The shards in the order of their file names (ordinal), each with its byte lengths.</summary>
    public IReadOnlyList<SafetensorsFile> Files { get; }

    /// <summary>Every tensor of every shard (shard order, then data order); <see cref="TensorInfo.FilePath"/> names the shard.</summary>
    public IReadOnlyList<TensorInfo> Tensors { get; }

    /// <summary><c>metadata.total_size</c> of the index in bytes, or null when the index has none (some
    /// writers omit it).</summary>
    public long? IndexTotalSize { get; }

    /// <summary>Sum of the tensors' data bytes over all shards (= the sum of the data sections), in bytes.
    /// transformers/huggingface_hub write <c>total_size</c> as this sum.</summary>
    public long TensorDataBytes { get; }

    /// <summary>Sum of the shard file lengths (headers included), in bytes.</summary>
    public long TotalFileBytes { get; }

    /// <summary>Sum of all tensors' element counts (parameters as stored).</summary>
    public long ParameterCount { get; }

    /// <summary>True when <see cref="IndexTotalSize"/> is absent or equals <see cref="TensorDataBytes"/>.</summary>
    public bool TotalSizeMatches => IndexTotalSize is null || IndexTotalSize == TensorDataBytes;

    /// <summary>Inconsistencies that do not stop loading (total_size mismatch, tensors a shard holds that the index
    /// does not list). Real indexes have these; transformers loads such models.</summary>
    public IReadOnlyList<string> Warnings { get; }
}
