using LlmSize.Core.Precision;

namespace LlmSize.Core.Compression.Quantization;

/// <summary>
/// ggml TQ1_0 (ternary, BitNet b1.58 / TriLM): super-blocks of 256 weights in 54 bytes (1.6875 bits per weight), each
/// weight −1, 0 or +1 times one FP16 scale <c>d = max |x|</c>, five (or four) base-3 digits packed per byte as a
/// fixed-point fraction. Byte-identical to ggml's <c>quantize_row_tq1_0_ref</c>, which <c>ggml_quantize_chunk</c> runs
/// for TQ1_0 (it ignores importance weights).
/// </summary>
/// <remarks>
/// Block layout (<c>block_tq1_0</c>, ggml/src/ggml-common.h): 48 bytes <c>qs</c> (0–47), 4 bytes <c>qh</c> (48–51),
/// <c>d</c> FP16 (52–53). Bytes 0–31 hold elements m + 32n (n = 0…4, most significant digit first), bytes 32–47
/// elements 160 + m + 16n, <c>qh</c> byte j elements 240 + j + 4n (n = 0…3, then one zero digit); each byte is
/// <c>⌈v·256/243⌉</c> of its base-3 value v, digits <c>lroundf(x/d) + 1</c>.
/// Algorithm: ggml/src/ggml-quants.c <c>quantize_row_tq1_0_ref</c> / <c>dequantize_row_tq1_0</c>.
/// </remarks>
public sealed class TQ1_0Quantizer : IRowQuantizer
{
    private const int BlockBytes = 54;

    /// <inheritdoc />
    public TensorDataType Type => TensorDataType.TQ1_0;

    /// <inheritdoc />
    /// <exception cref="ArgumentException"><paramref name="src"/> is not a multiple of 256 weights, or
    /// <paramref name="dst"/> is not exactly 54 bytes per 256 weights.</exception>
    public void QuantizeRow(ReadOnlySpan<float> src, Span<byte> dst)
    {
        int blocks = KQuantMath.CheckQuantizeLengths(src.Length, dst.Length, BlockBytes, "TQ1_0");
        for (int b = 0; b < blocks; ++b)
        {
            ReadOnlySpan<float> x = src.Slice(b * KQuantMath.QK, KQuantMath.QK);
            Span<byte> block = dst.Slice(b * BlockBytes, BlockBytes);
            float d = GgmlMath.AbsMaxSequential(x);
            float id = d != 0 ? 1f / d : 0f;
            KQuantMath.WriteHalf(block, 52, KQuantMath.FloatToHalf(d));
            for (int m = 0; m < 32; ++m)
            {
                block[m] = Pack(x, m, 32, 5, id, extraDigit: false);
            }

            for (int m = 0; m < 16; ++m)
            {
                block[32 + m] = Pack(x, 160 + m, 16, 5, id, extraDigit: false);
            }

            for (int j = 0; j < 4; ++j)
            {
                block[48 + j] = Pack(x, 240 + j, 4, 4, id, extraDigit: true);
            }
        }
    }

    /// <summary>Base-3 digits of <paramref name="count"/> elements <paramref name="stride"/> apart, most significant
    /// first (uint8 arithmetic, as the reference), then the ceiling fixed-point step.</summary>
    private static byte Pack(ReadOnlySpan<float> x, int first, int stride, int count, float id, bool extraDigit)
    {
        byte q = 0;
        for (int n = 0; n < count; ++n)
        {
            int xi = GgmlMath.LRoundToInt(x[first + n * stride] * id) + 1;
            q = unchecked((byte)(q * 3));
            q = unchecked((byte)(q + xi));
        }

        if (extraDigit) q = unchecked((byte)(q * 3));
        return unchecked((byte)((q * 256 + 242) / 243));
    }

    /// <inheritdoc />
    /// <exception cref="ArgumentException"><paramref name="src"/> is not a whole number of 54-byte blocks, or
    /// <paramref name="dst"/> does not hold exactly 256 weights per block.</exception>
    public void DequantizeRow(ReadOnlySpan<byte> src, Span<float> dst)
    {
        int blocks = KQuantMath.CheckDequantizeLengths(src.Length, dst.Length, BlockBytes, "TQ1_0");
        ReadOnlySpan<byte> pow3 = [1, 3, 9, 27, 81, 243];
        for (int b = 0; b < blocks; ++b)
        {
            ReadOnlySpan<byte> block = src.Slice(b * BlockBytes, BlockBytes);
            Span<float> y = dst.Slice(b * KQuantMath.QK, KQuantMath.QK);
            float d = KQuantMath.ReadHalf(block, 52);
            int o = 0;
            for (int n = 0; n < 5; ++n)
            {
                for (int m = 0; m < 32; ++m) y[o++] = Digit(block[m], pow3[n]) * d;
            }

            for (int n = 0; n < 5; ++n)
            {
                for (int m = 0; m < 16; ++m) y[o++] = Digit(block[32 + m], pow3[n]) * d;
            }

            for (int n = 0; n < 4; ++n)
            {
                for (int j = 0; j < 4; ++j) y[o++] = Digit(block[48 + j], pow3[n]) * d;
            }
        }
    }

    /// <summary>Digit n of a packed byte as −1, 0 or 1: <c>((uint8)(q·3ⁿ) · 3) &gt;&gt; 8</c>, minus 1.</summary>
    private static float Digit(byte packed, byte power)
    {
        byte q = unchecked((byte)(packed * power));
        return (float)(((q * 3) >> 8) - 1);
    }
}
