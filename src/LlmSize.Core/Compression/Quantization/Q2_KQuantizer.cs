using LlmSize.Core.Precision;

namespace LlmSize.Core.Compression.Quantization;

/// <summary>
/// ggml Q2_K: super-blocks of 256 weights in 84 bytes (2.625 bits per weight), sixteen groups of 16 with a 4-bit scale
/// and a 4-bit min each, levels 0–3: <c>w ≈ d·scale_j·q − dmin·min_j</c>. Byte-identical to ggml's
/// <c>quantize_row_q2_K_ref</c>, which <c>ggml_quantize_chunk</c> runs for Q2_K when no importance matrix is given.
/// </summary>
/// <remarks>
/// Block layout (<c>block_q2_K</c>, ggml/src/ggml-common.h): 16 bytes of scales (0–15, scale in the low nibble, min
/// in the high nibble), 64 bytes <c>qs</c> (16–79; per half h, byte 32h + l holds elements 128h + l, +32, +64, +96 at
/// shifts 0, 2, 4, 6), <c>d</c> FP16 (80–81), <c>dmin</c> FP16 (82–83).
/// Algorithm: ggml/src/ggml-quants.c <c>quantize_row_q2_K_ref</c> (groups fitted by <c>make_qkx2_quants</c> with
/// weights |x|, nmax 3, candidates −0.5 + 0.1·is, is = 0…15, absolute-error criterion) and <c>dequantize_row_q2_K</c>.
/// NaN or ±Inf weights are not rejected: like the reference, they yield the same (meaningless) bytes ggml writes.
/// </remarks>
public sealed class Q2_KQuantizer : IImportanceRowQuantizer
{
    private const int BlockBytes = 84;
    private const int QsOffset = 16, DOffset = 80, DminOffset = 82;
    private const float Q4Scale = 15f;

    /// <inheritdoc />
    public TensorDataType Type => TensorDataType.Q2_K;

    /// <inheritdoc />
    /// <exception cref="ArgumentException"><paramref name="src"/> is not a multiple of 256 weights, or
    /// <paramref name="dst"/> is not exactly 84 bytes per 256 weights.</exception>
    public void QuantizeRow(ReadOnlySpan<float> src, Span<byte> dst) => QuantizeRow(src, dst, default);

    /// <inheritdoc />
    /// <remarks>With importance weights: ggml <c>quantize_row_q2_K_impl</c> (groups by <c>make_qkx3_quants(16, 3, …,
    /// −0.9, 0.05, 36)</c> with weights <c>w·sqrt(σ² + x²)</c>, σ² = Σx²/256; scales and mins by <c>make_qp_quants(16,
    /// 15, …)</c> weighted by the groups' weight sums).</remarks>
    public void QuantizeRow(ReadOnlySpan<float> src, Span<byte> dst, ReadOnlySpan<float> importance)
    {
        int blocks = KQuantMath.CheckQuantizeLengths(src.Length, dst.Length, BlockBytes, "Q2_K");
        KQuantMath.CheckImportanceLength(src.Length, importance.Length);
        Span<byte> levels = stackalloc byte[KQuantMath.QK];
        Span<float> weights = stackalloc float[16];
        Span<float> scales = stackalloc float[16];
        Span<float> mins = stackalloc float[16];
        for (int b = 0; b < blocks; ++b)
        {
            ReadOnlySpan<float> x = src.Slice(b * KQuantMath.QK, KQuantMath.QK);
            Span<byte> block = dst.Slice(b * BlockBytes, BlockBytes);

            if (!importance.IsEmpty)
            {
                QuantizeScalesWeighted(x, importance.Slice(b * KQuantMath.QK, KQuantMath.QK), block, levels, weights, scales, mins);
                FinishBlock(x, block, levels);
                continue;
            }

            float maxScale = 0; // the min is deducted, so scales are never negative
            float maxMin = 0;
            for (int g = 0; g < 16; ++g)
            {
                ReadOnlySpan<float> group = x.Slice(16 * g, 16);
                for (int l = 0; l < 16; ++l) weights[l] = MathF.Abs(group[l]);
                scales[g] = KQuantMath.MakeQkx2Quants(3, group, weights, levels.Slice(16 * g, 16), out mins[g], -0.5f, 0.1f, 15, useMad: true);
                if (scales[g] > maxScale) maxScale = scales[g];
                if (mins[g] > maxMin) maxMin = mins[g];
            }

            Span<byte> packed = block[..16];
            if (maxScale > 0)
            {
                float iscale = Q4Scale / maxScale;
                for (int g = 0; g < 16; ++g)
                {
                    packed[g] = unchecked((byte)KQuantMath.NearestInt(iscale * scales[g])); // uint8 assignment truncates
                }

                KQuantMath.WriteHalf(block, DOffset, KQuantMath.FloatToHalf(maxScale / Q4Scale));
            }
            else
            {
                packed.Clear();
                KQuantMath.WriteHalf(block, DOffset, 0);
            }

            if (maxMin > 0)
            {
                float iscale = Q4Scale / maxMin;
                for (int g = 0; g < 16; ++g)
                {
                    packed[g] |= unchecked((byte)(KQuantMath.NearestInt(iscale * mins[g]) << 4));
                }

                KQuantMath.WriteHalf(block, DminOffset, KQuantMath.FloatToHalf(maxMin / Q4Scale));
            }
            else
            {
                KQuantMath.WriteHalf(block, DminOffset, 0);
            }

            FinishBlock(x, block, levels);
        }
    }

    /// <summary>The shared end for one super-block whose scales, <c>d</c> and <c>dmin</c> are written: levels
    /// requantized with the stored values (groups with scale 0 keep their fit), then packed.</summary>
    private static void FinishBlock(ReadOnlySpan<float> x, Span<byte> block, Span<byte> levels)
    {
        float dAll = KQuantMath.ReadHalf(block, DOffset);
        float dminAll = KQuantMath.ReadHalf(block, DminOffset);
        for (int g = 0; g < 16; ++g)
        {
            float d = dAll * (block[g] & 0xF);
            if (d == 0)
            {
                continue;
            }

            float dm = dminAll * (block[g] >> 4);
            KQuantMath.Requantize(x.Slice(16 * g, 16), d, dm, 3, levels.Slice(16 * g, 16));
        }

        Span<byte> qs = block.Slice(QsOffset, 64);
        for (int h = 0; h < 2; ++h)
        {
            int j = 128 * h;
            for (int l = 0; l < 32; ++l)
            {
                qs[32 * h + l] = (byte)(levels[j + l] | (levels[j + l + 32] << 2) | (levels[j + l + 64] << 4) | (levels[j + l + 96] << 6));
            }
        }
    }

    /// <summary>The scale part of <c>quantize_row_q2_K_impl</c>: groups fitted with importance weights, then the 16
    /// scales and 16 mins to 4 bits by <see cref="KQuantMath.MakeQpQuants"/>; packed, <c>d</c> and <c>dmin</c> written.</summary>
    private static void QuantizeScalesWeighted(ReadOnlySpan<float> x, ReadOnlySpan<float> qw, Span<byte> block, Span<byte> levels,
        Span<float> weights, Span<float> scales, Span<float> mins)
    {
        Span<float> sw = stackalloc float[16];
        Span<byte> ls = stackalloc byte[16];
        Span<byte> lm = stackalloc byte[16];
        float sigma2 = KQuantMath.SumSquares(x) / KQuantMath.QK;
        for (int g = 0; g < 16; ++g)
        {
            ReadOnlySpan<float> group = x.Slice(16 * g, 16);
            KQuantMath.ImportanceWeights(group, qw.Slice(16 * g, 16), sigma2, weights);
            float sumW = 0;
            for (int l = 0; l < 16; ++l) sumW += weights[l];
            sw[g] = sumW;
            scales[g] = KQuantMath.MakeQkx2Quants(3, group, weights, levels.Slice(16 * g, 16), out mins[g], -0.9f, 0.05f, 36);
        }

        float dm = KQuantMath.MakeQpQuants(15, scales, ls, sw);
        float mm = KQuantMath.MakeQpQuants(15, mins, lm, sw);
        KQuantMath.WriteHalf(block, DOffset, KQuantMath.FloatToHalf(dm));
        KQuantMath.WriteHalf(block, DminOffset, KQuantMath.FloatToHalf(mm));
        for (int g = 0; g < 16; ++g)
        {
            block[g] = unchecked((byte)(ls[g] | (lm[g] << 4)));
        }
    }

    /// <inheritdoc />
    /// <exception cref="ArgumentException"><paramref name="src"/> is not a whole number of 84-byte blocks, or
    /// <paramref name="dst"/> does not hold exactly 256 weights per block.</exception>
    public void DequantizeRow(ReadOnlySpan<byte> src, Span<float> dst)
    {
        int blocks = KQuantMath.CheckDequantizeLengths(src.Length, dst.Length, BlockBytes, "Q2_K");
        for (int b = 0; b < blocks; ++b)
        {
            ReadOnlySpan<byte> block = src.Slice(b * BlockBytes, BlockBytes);
            Span<float> y = dst.Slice(b * KQuantMath.QK, KQuantMath.QK);
            float d = KQuantMath.ReadHalf(block, DOffset);
            float min = KQuantMath.ReadHalf(block, DminOffset);
            ReadOnlySpan<byte> qs = block.Slice(QsOffset, 64);
            for (int j = 0; j < KQuantMath.QK; ++j)
            {
                int half = j >> 7, within = j & 127, shift = 2 * (within >> 5), l = within & 31;
                byte sc = block[j >> 4];
                float dl = d * (sc & 0xF), ml = min * (sc >> 4);
                y[j] = dl * ((qs[32 * half + l] >> shift) & 3) - ml;
            }
        }
    }
}
