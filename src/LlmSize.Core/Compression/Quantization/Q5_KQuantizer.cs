using LlmSize.Core.Precision;

namespace LlmSize.Core.Compression.Quantization;

/// <summary>
/// ggml Q5_K: super-blocks of 256 weights in 176 bytes (5.5 bits per weight), eight groups of 32 with a 6-bit scale
/// and a 6-bit min each, levels 0–31: <c>w ≈ d·scale_j·q − dmin·min_j</c>. Byte-identical to ggml's
/// <c>quantize_row_q5_K_ref</c>, which <c>ggml_quantize_chunk</c> runs for Q5_K when no importance matrix is given.
/// </summary>
/// <remarks>
/// Block layout (<c>block_q5_K</c>, ggml/src/ggml-common.h): <c>d</c> FP16 (bytes 0–1), <c>dmin</c> FP16 (2–3),
/// 12 bytes of packed 6-bit scales and mins (4–15), 32 bytes <c>qh</c> of fifth bits (16–47: bit 2c of byte l is
/// element 64c + l, bit 2c+1 is element 64c + 32 + l), 128 bytes <c>qs</c> of low nibbles (48–175, as in Q4_K).
/// Algorithm: ggml/src/ggml-quants.c <c>quantize_row_q5_K_ref</c> / <c>dequantize_row_q5_K</c>.
/// NaN or ±Inf weights are not rejected: like the reference, they yield the same (meaningless) bytes ggml writes.
/// </remarks>
public sealed class Q5_KQuantizer : IImportanceRowQuantizer
{
    private const int BlockBytes = 176;

    /// <inheritdoc />
    public TensorDataType Type => TensorDataType.Q5_K;

    /// <inheritdoc />
    /// <exception cref="ArgumentException"><paramref name="src"/> is not a multiple of 256 weights, or
    /// <paramref name="dst"/> is not exactly 176 bytes per 256 weights.</exception>
    public void QuantizeRow(ReadOnlySpan<float> src, Span<byte> dst) => QuantizeRow(src, dst, default);

    /// <inheritdoc />
    /// <remarks>With importance weights: ggml <c>quantize_row_q5_K_impl</c> (groups fitted by <c>make_qkx3_quants</c>
    /// with weights <c>w·sqrt(σ² + x²)</c>, σ² = 2·Σx²/256; block scales and mins by <c>make_qp_quants</c>).</remarks>
    public void QuantizeRow(ReadOnlySpan<float> src, Span<byte> dst, ReadOnlySpan<float> importance)
    {
        int blocks = KQuantMath.CheckQuantizeLengths(src.Length, dst.Length, BlockBytes, "Q5_K");
        KQuantMath.CheckImportanceLength(src.Length, importance.Length);
        Span<byte> levels = stackalloc byte[KQuantMath.QK];
        for (int b = 0; b < blocks; ++b)
        {
            ReadOnlySpan<float> x = src.Slice(b * KQuantMath.QK, KQuantMath.QK);
            Span<byte> block = dst.Slice(b * BlockBytes, BlockBytes);
            if (importance.IsEmpty) KQuantMath.QuantizeAffineSuperBlock(x, 31, -0.5f, 0.1f, 15, block, levels);
            else KQuantMath.QuantizeAffineSuperBlockWeighted(x, importance.Slice(b * KQuantMath.QK, KQuantMath.QK), 31, block, levels);

            Span<byte> qh = block.Slice(16, 32);
            Span<byte> ql = block.Slice(48, 128);
            qh.Clear();
            byte m1 = 1, m2 = 2;
            for (int c = 0; c < 4; ++c)
            {
                for (int j = 0; j < 32; ++j)
                {
                    int l1 = levels[64 * c + j];
                    if (l1 > 15)
                    {
                        l1 -= 16;
                        qh[j] |= m1;
                    }

                    int l2 = levels[64 * c + 32 + j];
                    if (l2 > 15)
                    {
                        l2 -= 16;
                        qh[j] |= m2;
                    }

                    ql[32 * c + j] = (byte)(l1 | (l2 << 4));
                }

                m1 <<= 2;
                m2 <<= 2;
            }
        }
    }

    /// <inheritdoc />
    /// <exception cref="ArgumentException"><paramref name="src"/> is not a whole number of 176-byte blocks, or
    /// <paramref name="dst"/> does not hold exactly 256 weights per block.</exception>
    public void DequantizeRow(ReadOnlySpan<byte> src, Span<float> dst)
    {
        int blocks = KQuantMath.CheckDequantizeLengths(src.Length, dst.Length, BlockBytes, "Q5_K");
        for (int b = 0; b < blocks; ++b)
        {
            ReadOnlySpan<byte> block = src.Slice(b * BlockBytes, BlockBytes);
            Span<float> y = dst.Slice(b * KQuantMath.QK, KQuantMath.QK);
            float d = KQuantMath.ReadHalf(block, 0);
            float min = KQuantMath.ReadHalf(block, 2);
            ReadOnlySpan<byte> scales = block.Slice(4, 12);
            ReadOnlySpan<byte> qh = block.Slice(16, 32);
            ReadOnlySpan<byte> ql = block.Slice(48, 128);
            int u1 = 1, u2 = 2;
            for (int c = 0; c < 4; ++c)
            {
                KQuantMath.GetScaleMinK4(2 * c, scales, out byte sc1, out byte m1);
                KQuantMath.GetScaleMinK4(2 * c + 1, scales, out byte sc2, out byte m2);
                float d1 = d * sc1, min1 = min * m1;
                float d2 = d * sc2, min2 = min * m2;
                for (int l = 0; l < 32; ++l)
                {
                    y[64 * c + l] = d1 * ((ql[32 * c + l] & 0xF) + ((qh[l] & u1) != 0 ? 16 : 0)) - min1;
                }

                for (int l = 0; l < 32; ++l)
                {
                    y[64 * c + 32 + l] = d2 * ((ql[32 * c + l] >> 4) + ((qh[l] & u2) != 0 ? 16 : 0)) - min2;
                }

                u1 <<= 2;
                u2 <<= 2;
            }
        }
    }
}
