using LlmSize.Core.Precision;

namespace LlmSize.Core.Compression.Quantization;

/// <summary>
/// ggml TQ2_0 (ternary, BitNet b1.58 / TriLM): super-blocks of 256 weights in 66 bytes (2.0625 bits per weight),
/// each weight −1, 0 or +1 times one FP16 scale <c>d = max |x|</c>, stored as 2-bit codes 0…2. Byte-identical to
/// ggml's <c>quantize_row_tq2_0_ref</c>, which <c>ggml_quantize_chunk</c> runs for TQ2_0 (it ignores importance weights).
/// </summary>
/// <remarks>
/// Block layout (<c>block_tq2_0</c>, ggml/src/ggml-common.h): 64 bytes <c>qs</c> (0–63: per half h, byte 32h + m holds
/// elements 128h + m, +32, +64, +96 at shifts 0, 2, 4, 6), <c>d</c> FP16 (64–65). Code = <c>lroundf(x/d) + 1</c>.
/// Algorithm: ggml/src/ggml-quants.c <c>quantize_row_tq2_0_ref</c> / <c>dequantize_row_tq2_0</c>.
/// </remarks>
public sealed class TQ2_0Quantizer : IRowQuantizer
{
    private const int BlockBytes = 66;

    /// <inheritdoc />
    public TensorDataType Type => TensorDataType.TQ2_0;

    /// <inheritdoc />
    /// <exception cref="ArgumentException"><paramref name="src"/> is not a multiple of 256 weights, or
    /// <paramref name="dst"/> is not exactly 66 bytes per 256 weights.</exception>
    public void QuantizeRow(ReadOnlySpan<float> src, Span<byte> dst)
    {
        int blocks = KQuantMath.CheckQuantizeLengths(src.Length, dst.Length, BlockBytes, "TQ2_0");
        for (int b = 0; b < blocks; ++b)
        {
            ReadOnlySpan<float> x = src.Slice(b * KQuantMath.QK, KQuantMath.QK);
            Span<byte> block = dst.Slice(b * BlockBytes, BlockBytes);
            float d = GgmlMath.AbsMaxSequential(x);
            float id = d != 0 ? 1f / d : 0f;
            KQuantMath.WriteHalf(block, 64, KQuantMath.FloatToHalf(d));
            for (int h = 0; h < 2; ++h)
            {
                for (int m = 0; m < 32; ++m)
                {
                    int q = 0;
                    for (int n = 0; n < 4; ++n)
                    {
                        int xi = GgmlMath.LRoundToInt(x[128 * h + m + 32 * n] * id) + 1;
                        q += (xi & 3) << (2 * n);
                    }

                    block[32 * h + m] = unchecked((byte)q);
                }
            }
        }
    }

    /// <inheritdoc />
    /// <exception cref="ArgumentException"><paramref name="src"/> is not a whole number of 66-byte blocks, or
    /// <paramref name="dst"/> does not hold exactly 256 weights per block.</exception>
    public void DequantizeRow(ReadOnlySpan<byte> src, Span<float> dst)
    {
        int blocks = KQuantMath.CheckDequantizeLengths(src.Length, dst.Length, BlockBytes, "TQ2_0");
        for (int b = 0; b < blocks; ++b)
        {
            ReadOnlySpan<byte> block = src.Slice(b * BlockBytes, BlockBytes);
            Span<float> y = dst.Slice(b * KQuantMath.QK, KQuantMath.QK);
            float d = KQuantMath.ReadHalf(block, 64);
            for (int h = 0; h < 2; ++h)
            {
                for (int l = 0; l < 4; ++l)
                {
                    for (int m = 0; m < 32; ++m)
                    {
                        int q = (block[32 * h + m] >> (2 * l)) & 3;
                        y[128 * h + 32 * l + m] = (float)(q - 1) * d;
                    }
                }
            }
        }
    }
}
