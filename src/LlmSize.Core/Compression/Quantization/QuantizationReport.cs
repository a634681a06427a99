using System.Collections.Immutable;
using LlmSize.Core.Precision;

namespace LlmSize.Core.Compression.Quantization;

/// <summary>Progress of <see cref="GgufQuantizer.Quantize"/>: reported after each chunk of rows.</summary>
/// <param name="TensorName">The tensor being processed.</param>
/// <param name="TensorIndex">Its index (0-based) in output order.</param>
/// <param name="TensorCount">Number of tensors.</param>
/// <param name="BytesDone">Input tensor bytes processed so far, all tensors.</param>
/// <param name="BytesTotal">Input tensor bytes in all.</param>
public sealed record QuantizeProgress(string TensorName, int TensorIndex, int TensorCount, long BytesDone, long BytesTotal);

/// <summary>What happened to one tensor, with the error of the written weights against the original ones (computed by
/// dequantizing what was written).</summary>
/// <param name="Name">Tensor name in the output (GGUF naming).</param>
/// <param name="Shape">Dimensions, outermost first.</param>
/// <param name="SourceType">Type in the input.</param>
/// <param name="TargetType">Type written.</param>
/// <param name="BytesBefore">Bytes of the tensor in the input.</param>
/// <param name="BytesAfter">Bytes of the tensor in the output (without alignment padding).</param>
/// <param name="Converted">False when the bytes were copied unchanged (norms, 1-D tensors, tensors already of the
/// chosen type).</param>
/// <param name="Rmse">Root-mean-square error over all elements (0 when copied).</param>
/// <param name="MaxAbsError">Largest |original − written| (0 when copied).</param>
/// <param name="SnrDb">Signal-to-noise ratio 10·log10(Σx² / Σ(x − x̂)²) in dB; null when the error is zero.</param>
/// <param name="NonFiniteCount">NaN or ±Inf input weights (only counted for converted tensors).</param>
public sealed record TensorQuantizationReport(
    string Name,
    ImmutableArray<long> Shape,
    TensorDataType SourceType,
    TensorDataType TargetType,
    long BytesBefore,
    long BytesAfter,
    bool Converted,
    double Rmse,
    double MaxAbsError,
    double? SnrDb,
    long NonFiniteCount);

/// <summary>The result of <see cref="GgufQuantizer.Quantize"/>.</summary>
/// <param name="InputPath">The input file.</param>
/// <param name="OutputPath">The GGUF written.</param>
/// <param name="FileType">The llama.cpp file type requested (written as <c>general.file_type</c>).</param>
/// <param name="Tensors">One entry per tensor, in output order.</param>
/// <param name="OutputFileBytes">Size of the output file in bytes (header, padding and data).</param>
/// <param name="Elapsed">Wall time.</param>
public sealed record QuantizationReport(
    string InputPath,
    string OutputPath,
    LlamaFileType FileType,
    IReadOnlyList<TensorQuantizationReport> Tensors,
    long OutputFileBytes,
    TimeSpan Elapsed)
{
    /// <summary>Sum of the input tensor bytes.</summary>
    public long TensorBytesBefore => Tensors.Sum(t => t.BytesBefore);

    /// <summary>Sum of the output tensor bytes.</summary>
    public long TensorBytesAfter => Tensors.Sum(t => t.BytesAfter);
}
