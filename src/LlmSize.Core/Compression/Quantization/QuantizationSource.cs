using System.Collections.Immutable;
using LlmSize.Core.Formats.Gguf;
using LlmSize.Core.Precision;

namespace LlmSize.Core.Compression.Quantization;

/// <summary>One input tensor as the quantizer sees it: GGUF name and shape, where its bytes are, and (for converted
/// checkpoints) the order its rows must be read in.</summary>
/// <param name="Name">GGUF tensor name.</param>
/// <param name="Shape">Dimensions, outermost first.</param>
/// <param name="Type">Input type.</param>
/// <param name="FilePath">File holding the bytes.</param>
/// <param name="DataOffset">Absolute offset of the first byte.</param>
/// <param name="ByteLength">Bytes of the tensor.</param>
/// <param name="RowOrder">Output row r is input row RowOrder[r] (the q/k permutation of convert_hf_to_gguf); null = identity.</param>
internal sealed record QuantizationSourceTensor(
    string Name, ImmutableArray<long> Shape, TensorDataType Type, string FilePath, long DataOffset, long ByteLength, int[]? RowOrder = null)
{
    /// <summary>ggml ne[] order (innermost first).</summary>
    public long[] Ne => [.. Shape.Reverse()];

    /// <summary>Row length (innermost dimension).</summary>
    public long RowLength => Shape.IsEmpty ? 1 : Shape[^1];

    /// <summary>Number of rows.</summary>
    public long RowCount => RowLength == 0 ? 0 : checked(Shape.Aggregate(1L, (a, b) => checked(a * b)) / RowLength);
}

/// <summary>A model to quantize: GGUF metadata (carried over, or built from config.json) and tensors.</summary>
internal sealed record QuantizationSource(
    string Path, IReadOnlyList<KeyValuePair<string, GgufValue>> Metadata, IReadOnlyList<QuantizationSourceTensor> Tensors)
{
    public string? Architecture => Get(GgufConstants.ArchitectureKey)?.Value as string;

    public GgufValue? Get(string key) => Metadata.FirstOrDefault(kv => kv.Key == key).Value;

    public long GetInt(string key, long fallback) => Get(key) is { } v && v.TryGetInt64(out long l) ? l : fallback;

    /// <summary>Reads a GGUF input: every metadata array materialized so it can be written back.</summary>
    public static QuantizationSource FromGguf(string path)
    {
        var file = GgufReader.Read(path, new GgufReaderOptions { MaxMaterializedArrayLength = 1 << 24 });
        if (file.Parts.Count > 1)
        {
            throw new NotSupportedException($"'{path}' is one part of a split GGUF; merge it first (llama-gguf-split --merge).");
        }

        if (file.IsBigEndian)
        {
            throw new NotSupportedException($"'{path}' is a big-endian GGUF; only little-endian inputs are quantized (llama.cpp's default byte order).");
        }

        var tensors = file.Tensors.Select(t => new QuantizationSourceTensor(
            t.Name, t.Shape, t.DataType, t.FilePath ?? path,
            t.DataOffset ?? throw new ModelFormatException(ModelFormatError.MissingField, "tensor without a data offset", path, null, t.Name),
            t.ByteLength)).ToList();
        return new QuantizationSource(path, file.Metadata.ToList(), tensors);
    }
}
