using LlmSize.Core.Models;

namespace LlmSize.Core.Formats.Safetensors;

/// <summary>
/// What one safetensors file's header declares: its tensors (in data order), its <c>__metadata__</c> and the sizes
/// of its three parts (8-byte length, JSON header, data section). Produced from the header alone.
/// </summary>
public sealed class SafetensorsFile
{
    internal SafetensorsFile(string? filePath, IReadOnlyList<TensorInfo> tensors, IReadOnlyDictionary<string, string> metadata,
        long headerLength, long dataSectionLength)
    {
        FilePath = filePath;
        Tensors = tensors;
        Metadata = metadata;
        HeaderLength = headerLength;
        DataSectionLength = dataSectionLength;
        long parameters = 0;
        foreach (TensorInfo t in tensors) parameters = checked(parameters + t.ElementCount);
        ParameterCount = parameters;
    }

    /// <summary>The file path, or the display name given for a stream; null when neither is known.</summary>
    public string? FilePath { get; }

    /// <summary>The tensors sorted by data offset (the order of their bytes in the file). Each has
    /// <see cref="TensorInfo.DataOffset"/> = absolute byte offset in the file and <see cref="TensorInfo.FilePath"/> =
    /// <see cref="FilePath"/>.</summary>
    public IReadOnlyList<TensorInfo> Tensors { get; }

    /// <summary>The <c>__metadata__</c> map (empty when absent or null), e.g. <c>{"format": "pt"}</c>.</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>The JSON header's length N in bytes as the 8-byte prefix declares it (padding included).</summary>
    public long HeaderLength { get; }

    /// <summary>Absolute offset of the data section: 8 + <see cref="HeaderLength"/>.</summary>
    public long DataSectionOffset => SafetensorsConstants.LengthPrefixBytes + HeaderLength;

    /// <summary>Bytes of the data section, which the tensors cover exactly (the reader checks this).</summary>
    public long DataSectionLength { get; }

    /// <summary>Total file length in bytes: 8 + <see cref="HeaderLength"/> + <see cref="DataSectionLength"/>.</summary>
    public long FileLength => DataSectionOffset + DataSectionLength;

    /// <summary>Sum of the tensors' element counts (parameters as stored).</summary>
    public long ParameterCount { get; }

    /// <summary>Finds a tensor by exact (ordinal) name.</summary>
    /// <param name="name">Tensor name.</param>
    /// <returns>The tensor, or null.</returns>
    public TensorInfo? FindTensor(string name)
    {
        foreach (TensorInfo t in Tensors)
        {
            if (string.Equals(t.Name, name, StringComparison.Ordinal)) return t;
        }

        return null;
    }
}
