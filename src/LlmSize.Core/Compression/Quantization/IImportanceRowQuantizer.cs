namespace LlmSize.Core.Compression.Quantization;

/// <summary>
/// A row kernel whose ggml quantizer also takes an importance matrix (the <c>imatrix</c> argument of
/// <c>ggml_quantize_chunk</c>: one non-negative weight per column, from llama-imatrix), byte-identical to ggml's
/// <c>quantize_row_*_impl</c> with those weights.
/// </summary>
public interface IImportanceRowQuantizer : IRowQuantizer
{
    /// <summary>Quantizes one row with per-column importance weights.</summary>
    /// <param name="src">The row; a whole number of blocks.</param>
    /// <param name="dst">The blocks, <c>src.Length / BlockSize × BlockBytes</c> bytes.</param>
    /// <param name="importance">One weight per element of the row (<c>importance.Length == src.Length</c>); empty means
    /// none, which is <see cref="IRowQuantizer.QuantizeRow"/>.</param>
    /// <exception cref="ArgumentException">The lengths do not fit the block layout, or <paramref name="importance"/> is
    /// neither empty nor as long as the row.</exception>
    void QuantizeRow(ReadOnlySpan<float> src, Span<byte> dst, ReadOnlySpan<float> importance);
}
