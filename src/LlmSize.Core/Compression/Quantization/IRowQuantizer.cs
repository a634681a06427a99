namespace LlmSize.Core.Compression.Quantization;
/// <summary>Quantizes rows of float weights into one ggml block type, byte-identical to ggml's reference quantizer.</summary>
public interface IRowQuantizer
{
    /// <summary>The ggml type produced.</summary>
    LlmSize.Core.Precision.TensorDataType Type { get; }
    /// <summary>Quantizes one row: src.Length must be a multiple of Type.BlockSize; dst.Length = src.Length / BlockSize × BlockBytes.</summary>
    void QuantizeRow(System.ReadOnlySpan<float> src, System.Span<byte> dst);
    /// <summary>Dequantizes one row (for error reports and tests).</summary>
    void DequantizeRow(System.ReadOnlySpan<byte> src, System.Span<float> dst);
}
