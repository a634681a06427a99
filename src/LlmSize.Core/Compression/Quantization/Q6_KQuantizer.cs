using LlmSize.Core.Precision;

namespace LlmSize.Core.Compression.Quantization;

/// <summary>
/// ggml Q6_K: super-blocks of 256 weights in 210 bytes (6.5625 bits per weight), sixteen groups of 16 with a signed
/// 8-bit scale each, symmetric levels −32…31: <c>w ≈ d·scale_j·q</c>. Byte-identical to ggml's
/// <c>quantize_row_q6_K_ref</c>, which <c>ggml_quantize_chunk</c> runs for Q6_K when no importance matrix is given.
/// </summary>
/// <remarks>
/// Block layout (<c>block_q6_K</c>, ggml/src/ggml-common.h): 128 bytes <c>ql</c> of low nibbles (0–127), 64 bytes
/// <c>qh</c> of high 2-bit pairs (128–191), 16 signed scales (192–207), <c>d</c> FP16 (208–209). Per half
/// (128 weights, h = 0, 1): <c>ql[64h + l]</c> holds elements l (low) and 64 + l (high nibble), <c>ql[64h + 32 + l]</c>
/// elements 32 + l and 96 + l, <c>qh[32h + l]</c> the top two bits of elements l, 32 + l, 64 + l, 96 + l.
/// Algorithm: ggml/src/ggml-quants.c <c>quantize_row_q6_K_ref</c> / <c>dequantize_row_q6_K</c>.
/// NaN or ±Inf weights are not rejected: like the reference, they yield the same (meaningless) bytes ggml writes.
/// </remarks>
public sealed class Q6_KQuantizer : IImportanceRowQuantizer
{
    private const int BlockBytes = 210;

    /// <inheritdoc />
    public TensorDataType Type => TensorDataType.Q6_K;

    /// <inheritdoc />
    /// <exception cref="ArgumentException"><paramref name="src"/> is not a multiple of 256 weights, or
    /// <paramref name="dst"/> is not exactly 210 bytes per 256 weights.</exception>
    public void QuantizeRow(ReadOnlySpan<float> src, Span<byte> dst) => QuantizeRow(src, dst, default);

    /// <inheritdoc />
    /// <remarks>With importance weights: ggml <c>quantize_row_q6_K_impl</c>, where the weights go straight into <c>make_qx_quants</c> (no σ² term).</remarks>
    public void QuantizeRow(ReadOnlySpan<float> src, Span<byte> dst, ReadOnlySpan<float> importance)
    {
        int blocks = KQuantMath.CheckQuantizeLengths(src.Length, dst.Length, BlockBytes, "Q6_K");
        KQuantMath.CheckImportanceLength(src.Length, importance.Length);
        Span<sbyte> levels = stackalloc sbyte[KQuantMath.QK];
        Span<float> scales = stackalloc float[16];
        for (int b = 0; b < blocks; ++b)
        {
            ReadOnlySpan<float> x = src.Slice(b * KQuantMath.QK, KQuantMath.QK);
            Span<byte> block = dst.Slice(b * BlockBytes, BlockBytes);

            float maxScale = 0;
            float maxAbsScale = 0;
            for (int g = 0; g < 16; ++g)
            {
                float scale = KQuantMath.MakeQxQuantsRmse1(32, x.Slice(16 * g, 16), levels.Slice(16 * g, 16),
                    importance.IsEmpty ? default : importance.Slice(b * KQuantMath.QK + 16 * g, 16));
                scales[g] = scale;
                float absScale = MathF.Abs(scale);
                if (absScale > maxAbsScale)
                {
                    maxAbsScale = absScale;
                    maxScale = scale;
                }
            }

            if (maxAbsScale < KQuantMath.GroupMaxEps)
            {
                block.Clear(); // d = FP16(0) = 0x0000 too
                continue;
            }

            float iscale = -128f / maxScale;
            ushort dBits = KQuantMath.FloatToHalf(1 / iscale);
            KQuantMath.WriteHalf(block, 208, dBits);
            Span<byte> blockScales = block.Slice(192, 16);
            for (int g = 0; g < 16; ++g)
            {
                blockScales[g] = unchecked((byte)(sbyte)Math.Min(127, KQuantMath.NearestInt(iscale * scales[g])));
            }

            float dAll = KQuantMath.HalfToFloat(dBits);
            for (int g = 0; g < 16; ++g)
            {
                float d = dAll * (sbyte)blockScales[g];
                if (d == 0)
                {
                    continue;
                }

                for (int i = 0; i < 16; ++i)
                {
                    int l = KQuantMath.NearestInt(x[16 * g + i] / d);
                    levels[16 * g + i] = (sbyte)(Math.Max(-32, Math.Min(31, l)) + 32);
                }
            }

            Span<byte> ql = block[..128];
            Span<byte> qh = block.Slice(128, 64);
            for (int h = 0; h < 2; ++h)
            {
                int j = 128 * h;
                for (int l = 0; l < 32; ++l)
                {
                    int q1 = levels[j + l], q2 = levels[j + l + 32], q3 = levels[j + l + 64], q4 = levels[j + l + 96];
                    ql[64 * h + l] = (byte)((q1 & 0xF) | ((q3 & 0xF) << 4));
                    ql[64 * h + l + 32] = (byte)((q2 & 0xF) | ((q4 & 0xF) << 4));
                    qh[32 * h + l] = (byte)((q1 >> 4) | ((q2 >> 4) << 2) | ((q3 >> 4) << 4) | ((q4 >> 4) << 6));
                }
            }
        }
    }

    /// <inheritdoc />
    /// <exception cref="ArgumentException"><paramref name="src"/> is not a whole number of 210-byte blocks, or
    /// <paramref name="dst"/> does not hold exactly 256 weights per block.</exception>
    public void DequantizeRow(ReadOnlySpan<byte> src, Span<float> dst)
    {
        int blocks = KQuantMath.CheckDequantizeLengths(src.Length, dst.Length, BlockBytes, "Q6_K");
        for (int b = 0; b < blocks; ++b)
        {
            ReadOnlySpan<byte> block = src.Slice(b * BlockBytes, BlockBytes);
            Span<float> y = dst.Slice(b * KQuantMath.QK, KQuantMath.QK);
            float d = KQuantMath.ReadHalf(block, 208);
            ReadOnlySpan<byte> ql = block[..128];
            ReadOnlySpan<byte> qh = block.Slice(128, 64);
            ReadOnlySpan<byte> sc = block.Slice(192, 16);
            for (int h = 0; h < 2; ++h)
            {
                for (int l = 0; l < 32; ++l)
                {
                    int g = 8 * h + l / 16;
                    byte lo = ql[64 * h + l], hi = ql[64 * h + l + 32], top = qh[32 * h + l];
                    int q1 = (sbyte)((lo & 0xF) | (((top >> 0) & 3) << 4)) - 32;
                    int q2 = (sbyte)((hi & 0xF) | (((top >> 2) & 3) << 4)) - 32;
                    int q3 = (sbyte)((lo >> 4) | (((top >> 4) & 3) << 4)) - 32;
                    int q4 = (sbyte)((hi >> 4) | (((top >> 6) & 3) << 4)) - 32;
                    y[128 * h + l] = d * (sbyte)sc[g] * q1;
                    y[128 * h + l + 32] = d * (sbyte)sc[g + 2] * q2;
                    y[128 * h + l + 64] = d * (sbyte)sc[g + 4] * q3;
                    y[128 * h + l + 96] = d * (sbyte)sc[g + 6] * q4;
                }
            }
        }
    }
}
