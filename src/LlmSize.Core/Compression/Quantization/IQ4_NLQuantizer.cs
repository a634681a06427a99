using LlmSize.Core.Precision;

namespace LlmSize.Core.Compression.Quantization;

/// <summary>
/// ggml IQ4_NL: blocks of 32 weights in 18 bytes (4.5 bits per weight), one FP16 scale and 4-bit indices into the
/// non-linear grid <c>kvalues_iq4nl</c> (−127 … 113): <c>w ≈ d·kvalues[q]</c>. Byte-identical to ggml's
/// <c>quantize_iq4_nl</c> without an importance matrix (what <c>ggml_quantize_chunk</c> runs for IQ4_NL).
/// </summary>
/// <remarks>
/// Block layout (<c>block_iq4_nl</c>, ggml/src/ggml-common.h): <c>d</c> FP16 (bytes 0–1), 16 bytes <c>qs</c> (2–17):
/// byte j holds element j in its low nibble and element j + 16 in its high nibble.
/// Algorithm: ggml/src/ggml-quants.c <c>quantize_row_iq4_nl_impl</c> (super-block = block = 32) and
/// <c>dequantize_row_iq4_nl</c>. NaN or ±Inf weights are not rejected: like the reference, they yield the same
/// (meaningless) bytes ggml writes.
/// </remarks>
public sealed class IQ4_NLQuantizer : IImportanceRowQuantizer
{
    private const int BlockSize = 32, BlockBytes = 18;

    /// <inheritdoc />
    public TensorDataType Type => TensorDataType.IQ4_NL;

    /// <inheritdoc />
    /// <exception cref="ArgumentException">The lengths do not fit whole IQ4_NL blocks (32 weights, 18 bytes).</exception>
    public void QuantizeRow(ReadOnlySpan<float> src, Span<byte> dst) => QuantizeRow(src, dst, default);

    /// <inheritdoc />
    /// <remarks>With importance weights: ggml <c>quantize_iq4_nl</c> with <c>quant_weights</c> (element weights
    /// <c>qw·sqrt(σ² + x²)</c>, σ² = 2·Σx²/32 over the block).</remarks>
    public void QuantizeRow(ReadOnlySpan<float> src, Span<byte> dst, ReadOnlySpan<float> importance)
    {
        GgmlMath.CheckRow(this, src.Length, dst.Length, nameof(src), nameof(dst));
        KQuantMath.CheckImportanceLength(src.Length, importance.Length);
        Span<float> weights = stackalloc float[BlockSize];
        int blocks = src.Length / BlockSize;
        Span<byte> levels = stackalloc byte[BlockSize];
        for (int b = 0; b < blocks; ++b)
        {
            ReadOnlySpan<float> x = src.Slice(b * BlockSize, BlockSize);
            Span<byte> block = dst.Slice(b * BlockBytes, BlockBytes);
            float d;
            if (importance.IsEmpty)
            {
                d = IQ4Math.FitBlock(x);
            }
            else
            {
                KQuantMath.ImportanceWeights(x, importance.Slice(b * BlockSize, BlockSize), IQ4Math.Sigma2(x), weights);
                d = IQ4Math.FitBlock(x, weights);
            }

            KQuantMath.WriteHalf(block, 0, KQuantMath.FloatToHalf(d));
            float id = d != 0 ? 1 / d : 0; // NaN is "true" in C: 1/NaN
            IQ4Math.Indices32(x, id, levels);

            IQ4Math.Pack32(levels, block.Slice(2, 16));
        }
    }

    /// <inheritdoc />
    /// <exception cref="ArgumentException">The lengths do not fit whole IQ4_NL blocks (32 weights, 18 bytes).</exception>
    public void DequantizeRow(ReadOnlySpan<byte> src, Span<float> dst)
    {
        if (src.Length % BlockBytes != 0)
        {
            throw new ArgumentException($"IQ4_NL data must be a multiple of {BlockBytes} bytes (one block); got {src.Length}.", nameof(src));
        }

        int blocks = src.Length / BlockBytes;
        if (dst.Length != (long)blocks * BlockSize)
        {
            throw new ArgumentException($"{blocks} IQ4_NL blocks hold {(long)blocks * BlockSize} weights; the destination has {dst.Length}.", nameof(dst));
        }

        for (int b = 0; b < blocks; ++b)
        {
            ReadOnlySpan<byte> block = src.Slice(b * BlockBytes, BlockBytes);
            IQ4Math.Unpack32(block.Slice(2, 16), KQuantMath.ReadHalf(block, 0), dst.Slice(b * BlockSize, BlockSize));
        }
    }
}
