namespace LlmSize.Core.Compression.Quantization;

/// <summary>
/// The importance-matrix arithmetic of ggml's k-quants (<c>quantize_row_q{2,3,4,5,6}_K_impl</c> of
/// ggml/src/ggml-quants.c, with <c>make_qp_quants</c> and <c>make_qkx3_quants</c>), in the same single-precision
/// operations and order as the C source.
/// </summary>
/// <remarks>
/// <c>make_qkx3_quants</c> with weights is <c>make_qkx2_quants</c> with another candidate grid: its only textual
/// difference, <c>max &lt;= min</c> for <c>max == min</c>, cannot change a result (after <c>min = min(min, 0)</c>,
/// <c>max &lt; min</c> is impossible, and with NaN both comparisons are false), so
/// <see cref="KQuantMath.MakeQkx2Quants"/> serves both.
/// </remarks>
internal static partial class KQuantMath
{
    /// <summary>Throws <see cref="ArgumentException"/> unless the importance weights are absent or one per element.</summary>
    public static void CheckImportanceLength(int srcLength, int importanceLength)
    {
        if (importanceLength != 0 && importanceLength != srcLength)
        {
            throw new ArgumentException(
                $"The importance weights must be one per element of the row ({srcLength}); got {importanceLength}.", "importance");
        }
    }

    /// <summary>
    /// The element weights of the <c>_impl</c> quantizers: <c>qw[l] · sqrt(σ² + x[l]²)</c>.
    /// </summary>
    public static void ImportanceWeights(ReadOnlySpan<float> x, ReadOnlySpan<float> qw, float sigma2, Span<float> weights)
    {
        for (int l = 0; l < x.Length; ++l)
        {
            weights[l] = qw[l] * MathF.Sqrt(sigma2 + x[l] * x[l]);
        }
    }

    /// <summary>Σx² over a span, sequential in index order.</summary>
    public static float SumSquares(ReadOnlySpan<float> x)
    {
        float s = 0;
        for (int i = 0; i < x.Length; ++i) s += x[i] * x[i];
        return s;
    }

    /// <summary>
    /// ggml <c>make_qp_quants</c>: quantizes non-negative values (the block scales or mins) to levels 0…nmax with
    /// weights: the best of 9 trial scales <c>(nmax + 0.1·is)/max</c> by weighted squared error, then up to five
    /// passes that move single levels while the weighted fit improves.
    /// </summary>
    /// <returns>The scale; <paramref name="levels"/> receives the levels (uint8, as the C array).</returns>
    public static float MakeQpQuants(int nmax, ReadOnlySpan<float> x, Span<byte> levels, ReadOnlySpan<float> quantWeights)
    {
        int n = x.Length;
        float max = 0;
        for (int i = 0; i < n; ++i)
        {
            max = max > x[i] ? max : x[i];
        }

        if (max < GroupMaxEps)
        {
            levels[..n].Clear();
            return 0f;
        }

        float iscale = nmax / max;
        for (int i = 0; i < n; ++i)
        {
            levels[i] = unchecked((byte)NearestInt(iscale * x[i]));
        }

        float scale = 1 / iscale;
        float bestMse = 0;
        for (int i = 0; i < n; ++i)
        {
            float diff = x[i] - scale * levels[i];
            float w = quantWeights[i];
            bestMse += w * diff * diff;
        }

        for (int step = -4; step <= 4; ++step)
        {
            if (step == 0) continue;
            float iscaleIs = (0.1f * step + nmax) / max;
            float scaleIs = 1 / iscaleIs;
            float mse = 0;
            for (int i = 0; i < n; ++i)
            {
                int l = Math.Min(nmax, NearestInt(iscaleIs * x[i]));
                float diff = x[i] - scaleIs * l;
                float w = quantWeights[i];
                mse += w * diff * diff;
            }

            if (mse < bestMse)
            {
                bestMse = mse;
                iscale = iscaleIs;
            }
        }

        float sumLX = 0;
        float sumL2 = 0;
        for (int i = 0; i < n; ++i)
        {
            int l = Math.Min(nmax, NearestInt(iscale * x[i]));
            levels[i] = unchecked((byte)l);
            float w = quantWeights[i];
            sumLX += w * x[i] * l;
            sumL2 += w * l * l;
        }

        for (int attempt = 0; attempt < 5; ++attempt)
        {
            int changed = 0;
            for (int i = 0; i < n; ++i)
            {
                float w = quantWeights[i];
                float li = levels[i];
                float slx = sumLX - w * x[i] * li;
                float sl2 = sumL2 - w * li * li;
                if (slx > 0 && sl2 > 0)
                {
                    int newL = Math.Min(nmax, NearestInt(x[i] * sl2 / slx));
                    if (newL != levels[i])
                    {
                        slx += w * x[i] * newL;
                        sl2 += w * newL * newL;
                        if (slx * slx * sumL2 > sumLX * sumLX * sl2)
                        {
                            levels[i] = unchecked((byte)newL);
                            sumLX = slx;
                            sumL2 = sl2;
                            ++changed;
                        }
                    }
                }
            }

            if (changed == 0) break;
        }

        return sumL2 > 0f ? sumLX / sumL2 : 0f;
    }

    /// <summary>
    /// <c>quantize_row_q4_K_impl</c> / <c>q5_K_impl</c> for one super-block: groups of 32 fitted by
    /// <c>make_qkx3_quants(32, nmax, …, −0.9, 0.05, 36)</c> with importance weights, the 8 scales and 8 mins
    /// quantized by <see cref="MakeQpQuants"/> (nmax 63) weighted by the groups' weight sums; header and levels as in
    /// <see cref="QuantizeAffineSuperBlock"/>.
    /// </summary>
    public static void QuantizeAffineSuperBlockWeighted(ReadOnlySpan<float> x, ReadOnlySpan<float> qw, int nmax,
        Span<byte> header, Span<byte> levels)
    {
        Span<float> weights = stackalloc float[32];
        Span<float> sw = stackalloc float[8];
        Span<float> scales = stackalloc float[8];
        Span<float> mins = stackalloc float[8];
        Span<byte> ls = stackalloc byte[8];
        Span<byte> lm = stackalloc byte[8];
        float sigma2 = 2 * SumSquares(x) / QK;
        for (int j = 0; j < 8; ++j)
        {
            ReadOnlySpan<float> group = x.Slice(32 * j, 32);
            ImportanceWeights(group, qw.Slice(32 * j, 32), sigma2, weights);
            float sumW = 0;
            for (int l = 0; l < 32; ++l) sumW += weights[l];
            sw[j] = sumW;
            scales[j] = MakeQkx2Quants(nmax, group, weights, levels.Slice(32 * j, 32), out mins[j], -0.9f, 0.05f, 36);
        }

        float dBlock = MakeQpQuants(63, scales, ls, sw);
        float mBlock = MakeQpQuants(63, mins, lm, sw);
        for (int j = 0; j < 8; ++j)
        {
            // Q5_K's impl clamps to 63, Q4_K's does not; make_qp_quants never returns more than nmax = 63 anyway.
            ls[j] = Math.Min((byte)63, ls[j]);
            lm[j] = Math.Min((byte)63, lm[j]);
        }

        Span<byte> packed = header.Slice(4, 12);
        PackScaleMinK4(ls, lm, packed);
        ushort dBits = FloatToHalf(dBlock);
        ushort dminBits = FloatToHalf(mBlock);
        WriteHalf(header, 0, dBits);
        WriteHalf(header, 2, dminBits);
        float dAll = HalfToFloat(dBits);
        float dminAll = HalfToFloat(dminBits);
        for (int j = 0; j < 8; ++j)
        {
            GetScaleMinK4(j, packed, out byte sc, out byte m);
            float d = dAll * sc;
            if (d == 0) continue;
            Requantize(x.Slice(32 * j, 32), d, dminAll * m, nmax, levels.Slice(32 * j, 32));
        }
    }
}
