using System.Runtime.Intrinsics;
using LlmSize.Core.Precision;

namespace LlmSize.Core.Compression.Quantization;

/// <summary>
/// ggml Q3_K: super-blocks of 256 weights in 110 bytes (3.4375 bits per weight), sixteen groups of 16 with a signed
/// 6-bit scale each, symmetric levels −4…3: <c>w ≈ d·(scale_j − 32)·q</c>. Byte-identical to ggml's
/// <c>quantize_row_q3_K_ref</c>, which <c>ggml_quantize_chunk</c> runs for Q3_K when no importance matrix is given.
/// </summary>
/// <remarks>
/// Block layout (<c>block_q3_K</c>, ggml/src/ggml-common.h): 32 bytes <c>hmask</c> (0–31; bit b of byte m is the
/// high bit of element 32b + m), 64 bytes <c>qs</c> of low 2-bit pairs (32–95; per half h, byte 32h + l holds elements
/// 128h + l, +32, +64, +96 at shifts 0, 2, 4, 6), 12 bytes of packed 6-bit scales (96–107: low nibbles of scales
/// 0–7 in bytes 0–7, of scales 8–15 in their high nibbles; the top two bits of scale j in byte 8 + j % 4 at shift
/// 2·(j / 4)), <c>d</c> FP16 (108–109).
/// Algorithm: ggml/src/ggml-quants.c <c>make_q3_quants</c> (with <c>do_rmse</c>), <c>quantize_row_q3_K_ref</c> and
/// <c>dequantize_row_q3_K</c>. NaN or ±Inf weights are not rejected: like the reference, they yield the same
/// (meaningless) bytes ggml writes.
/// </remarks>
public sealed class Q3_KQuantizer : IImportanceRowQuantizer
{
    private const int BlockBytes = 110;
    private const int HmaskOffset = 0, QsOffset = 32, ScalesOffset = 96, DOffset = 108;

    /// <inheritdoc />
    public TensorDataType Type => TensorDataType.Q3_K;

    /// <inheritdoc />
    /// <exception cref="ArgumentException"><paramref name="src"/> is not a multiple of 256 weights, or
    /// <paramref name="dst"/> is not exactly 110 bytes per 256 weights.</exception>
    public void QuantizeRow(ReadOnlySpan<float> src, Span<byte> dst) => QuantizeRow(src, dst, default);

    /// <inheritdoc />
    /// <remarks>With importance weights: ggml <c>quantize_row_q3_K_impl</c> (groups by <c>make_qx_quants(16, 4, …, w·sqrt(σ² + x²))</c>, σ² = 2·Σx²/256; the 16 scales by <c>make_qx_quants(16, 32, …)</c> weighted by the groups' weight sums).</remarks>
    public void QuantizeRow(ReadOnlySpan<float> src, Span<byte> dst, ReadOnlySpan<float> importance)
    {
        int blocks = KQuantMath.CheckQuantizeLengths(src.Length, dst.Length, BlockBytes, "Q3_K");
        KQuantMath.CheckImportanceLength(src.Length, importance.Length);
        Span<sbyte> levels = stackalloc sbyte[KQuantMath.QK];
        Span<float> scales = stackalloc float[16];
        Span<float> scratch = stackalloc float[32];
        Span<int> scratchLevels = stackalloc int[16];
        Span<float> weights = stackalloc float[16];
        Span<float> sw = stackalloc float[16];
        Span<sbyte> ls = stackalloc sbyte[16];
        for (int b = 0; b < blocks; ++b)
        {
            ReadOnlySpan<float> x = src.Slice(b * KQuantMath.QK, KQuantMath.QK);
            Span<byte> block = dst.Slice(b * BlockBytes, BlockBytes);
            if (!importance.IsEmpty)
            {
                QuantizeScalesWeighted(x, importance.Slice(b * KQuantMath.QK, KQuantMath.QK), block, levels, weights, sw, ls);
                FinishBlock(x, block, levels);
                continue;
            }

            float maxScale = 0;
            float amax = 0;
            for (int g = 0; g < 16; ++g)
            {
                scales[g] = MakeQ3Quants(x.Slice(16 * g, 16), levels.Slice(16 * g, 16), scratch, scratchLevels);
                float a = MathF.Abs(scales[g]);
                if (a > amax)
                {
                    amax = a;
                    maxScale = scales[g];
                }
            }

            Span<byte> packed = block.Slice(ScalesOffset, 12);
            packed.Clear();
            if (maxScale != 0 || float.IsNaN(maxScale))
            {
                float iscale = -32f / maxScale;
                for (int g = 0; g < 16; ++g)
                {
                    // int8_t l = nearest_int(...): truncated to 8 bits before the clamp.
                    int l = unchecked((sbyte)KQuantMath.NearestInt(iscale * scales[g]));
                    l = Math.Max(-32, Math.Min(31, l)) + 32;
                    if (g < 8) packed[g] = (byte)(l & 0xF);
                    else packed[g - 8] |= (byte)((l & 0xF) << 4);
                    packed[8 + g % 4] |= (byte)((l >> 4) << (2 * (g / 4)));
                }

                KQuantMath.WriteHalf(block, DOffset, KQuantMath.FloatToHalf(1 / iscale));
            }
            else
            {
                KQuantMath.WriteHalf(block, DOffset, 0);
            }

            FinishBlock(x, block, levels);
        }
    }

    /// <inheritdoc />
    /// <exception cref="ArgumentException"><paramref name="src"/> is not a whole number of 110-byte blocks, or
    /// <paramref name="dst"/> does not hold exactly 256 weights per block.</exception>
    public void DequantizeRow(ReadOnlySpan<byte> src, Span<float> dst)
    {
        int blocks = KQuantMath.CheckDequantizeLengths(src.Length, dst.Length, BlockBytes, "Q3_K");
        for (int b = 0; b < blocks; ++b)
        {
            ReadOnlySpan<byte> block = src.Slice(b * BlockBytes, BlockBytes);
            Span<float> y = dst.Slice(b * KQuantMath.QK, KQuantMath.QK);
            float dAll = KQuantMath.ReadHalf(block, DOffset);
            ReadOnlySpan<byte> hmask = block.Slice(HmaskOffset, 32);
            ReadOnlySpan<byte> qs = block.Slice(QsOffset, 64);
            ReadOnlySpan<byte> packed = block.Slice(ScalesOffset, 12);
            for (int j = 0; j < KQuantMath.QK; ++j)
            {
                int half = j >> 7, within = j & 127, shift = 2 * (within >> 5), l = within & 31;
                int low = (qs[32 * half + l] >> shift) & 3;
                int high = (hmask[j & 31] >> (j >> 5)) & 1;
                float dl = dAll * Scale(packed, j >> 4);
                y[j] = dl * (low - (high != 0 ? 0 : 4));
            }
        }
    }

    /// <summary>The shared end of both quantizers for one super-block whose scales and <c>d</c> are written: levels
    /// requantized with the stored scales (groups with scale 0 keep their fit), then the high-bit mask and 2-bit pairs.</summary>
    private static void FinishBlock(ReadOnlySpan<float> x, Span<byte> block, Span<sbyte> levels)
    {
        float dAll = KQuantMath.ReadHalf(block, DOffset);
        for (int g = 0; g < 16; ++g)
        {
            float d = dAll * Scale(block.Slice(ScalesOffset, 12), g);
            if (d == 0)
            {
                continue;
            }

            RequantizeGroup(x.Slice(16 * g, 16), d, levels.Slice(16 * g, 16));
        }

        Span<byte> hmask = block.Slice(HmaskOffset, 32);
        hmask.Clear();
        for (int j = 0; j < KQuantMath.QK; ++j)
        {
            if (levels[j] > 3)
            {
                hmask[j & 31] |= (byte)(1 << (j >> 5));
                levels[j] -= 4;
            }
        }

        Span<byte> qs = block.Slice(QsOffset, 64);
        for (int h = 0; h < 2; ++h)
        {
            int j = 128 * h;
            for (int l = 0; l < 32; ++l)
            {
                qs[32 * h + l] = (byte)((byte)levels[j + l] | ((byte)levels[j + l + 32] << 2) | ((byte)levels[j + l + 64] << 4) | ((byte)levels[j + l + 96] << 6));
            }
        }
    }

    /// <summary>The scale part of <c>quantize_row_q3_K_impl</c>: groups fitted with importance weights, the 16 group
    /// scales quantized to 6 bits by a second weighted <c>make_qx_quants</c>, packed, and <c>d</c> written.</summary>
    private static void QuantizeScalesWeighted(ReadOnlySpan<float> x, ReadOnlySpan<float> qw, Span<byte> block, Span<sbyte> levels,
        Span<float> weights, Span<float> sw, Span<sbyte> ls)
    {
        Span<float> scales = stackalloc float[16];
        float sigma2 = 2 * KQuantMath.SumSquares(x) / KQuantMath.QK;
        for (int g = 0; g < 16; ++g)
        {
            ReadOnlySpan<float> group = x.Slice(16 * g, 16);
            KQuantMath.ImportanceWeights(group, qw.Slice(16 * g, 16), sigma2, weights);
            float sumW = 0;
            for (int l = 0; l < 16; ++l) sumW += weights[l];
            sw[g] = sumW;
            scales[g] = KQuantMath.MakeQxQuantsRmse1(4, group, levels.Slice(16 * g, 16), weights);
        }

        Span<byte> packed = block.Slice(ScalesOffset, 12);
        packed.Clear();
        float dBlock = KQuantMath.MakeQxQuantsRmse1(32, scales, ls, sw);
        for (int g = 0; g < 16; ++g)
        {
            int l = ls[g];
            if (g < 8) packed[g] = (byte)(l & 0xF);
            else packed[g - 8] |= (byte)((l & 0xF) << 4);
            packed[8 + g % 4] |= (byte)((l >> 4) << (2 * (g / 4)));
        }

        KQuantMath.WriteHalf(block, DOffset, KQuantMath.FloatToHalf(dBlock));
    }

    /// <summary>The final pass for one group of 16: <c>L = clamp(nearest_int(x / d), −4, 3) + 4</c> (Vector256 when
    /// available: the division is IEEE-exact lane by lane, so the levels are the scalar ones).</summary>
    private static void RequantizeGroup(ReadOnlySpan<float> x, float d, Span<sbyte> levels)
    {
        int i = 0;
        if (KQuantMath.UseSimd)
        {
            Vector256<float> vd = Vector256.Create(d);
            Vector256<int> lo = Vector256.Create(-4), hi = Vector256.Create(3), four = Vector256.Create(4);
            Span<int> tmp = stackalloc int[8];
            for (; i + 8 <= x.Length; i += 8)
            {
                Vector256<int> l = KQuantMath.NearestInt(Vector256.Create(x.Slice(i, 8)) / vd);
                (Vector256.Min(Vector256.Max(l, lo), hi) + four).CopyTo(tmp);
                for (int k = 0; k < 8; ++k) levels[i + k] = (sbyte)tmp[k];
            }
        }

        for (; i < x.Length; ++i)
        {
            int l = KQuantMath.NearestInt(x[i] / d);
            levels[i] = (sbyte)(Math.Max(-4, Math.Min(3, l)) + 4);
        }
    }

    /// <summary>The signed 6-bit scale of group <paramref name="g"/> minus 32, as the reference reads it back.</summary>
    private static int Scale(ReadOnlySpan<byte> packed, int g)
    {
        int lo = g < 8 ? packed[g] & 0xF : packed[g - 8] >> 4;
        return (lo | (((packed[8 + g % 4] >> (2 * (g / 4))) & 3) << 4)) - 32;
    }

    /// <summary>
    /// ggml <c>make_q3_quants(16, 4, x, L, do_rmse = true)</c>: levels −4…3 from the first guess <c>−4/max</c>, then up
    /// to five passes that move one level at a time when the weighted (x²) fit <c>Σwxl² / Σwl²</c> improves.
    /// </summary>
    /// <param name="x">The group (16 weights).</param>
    /// <param name="levels">Receives L + 4.</param>
    /// <param name="scratch">32 floats of work space (x² and x³ per element).</param>
    /// <param name="lv">16 ints of work space (the levels while they move).</param>
    /// <returns>The scale.</returns>
    private static float MakeQ3Quants(ReadOnlySpan<float> x, Span<sbyte> levels, Span<float> scratch, Span<int> lv)
    {
        const int nmax = 4;
        int n = x.Length;
        float max = 0;
        float amax = 0;
        for (int i = 0; i < n; ++i)
        {
            float ax = MathF.Abs(x[i]);
            if (ax > amax)
            {
                amax = ax;
                max = x[i];
            }
        }

        if (amax < KQuantMath.GroupMaxEps)
        {
            levels[..n].Clear();
            return 0f;
        }

        // w = x² and w·x are recomputed in every C pass; computed once here they are the same floats.
        Span<float> w = scratch[..16];
        Span<float> wx = scratch[16..];
        float iscale = -nmax / max;
        float sumLX = 0;
        float sumL2 = 0;
        for (int i = 0; i < n; ++i)
        {
            float xi = x[i];
            int l = KQuantMath.NearestInt(iscale * xi);
            l = Math.Max(-nmax, Math.Min(nmax - 1, l));
            lv[i] = l;
            float wi = xi * xi;
            w[i] = wi;
            wx[i] = wi * xi;
            sumLX += wx[i] * l;
            sumL2 += wi * l * l;
        }

        for (int attempt = 0; attempt < 5; ++attempt)
        {
            int changed = 0;
            for (int i = 0; i < n; ++i)
            {
                float wi = w[i], wxi = wx[i];
                float li = lv[i];
                float slx = sumLX - wxi * li;
                if (slx > 0)
                {
                    float sl2 = sumL2 - wi * li * li;
                    int newL = KQuantMath.NearestInt(x[i] * sl2 / slx);
                    newL = Math.Max(-nmax, Math.Min(nmax - 1, newL));
                    if (newL != lv[i])
                    {
                        slx += wxi * newL;
                        sl2 += wi * newL * newL;
                        if (sl2 > 0 && slx * slx * sumL2 > sumLX * sumLX * sl2)
                        {
                            lv[i] = newL;
                            sumLX = slx;
                            sumL2 = sl2;
                            ++changed;
                        }
                    }
                }
            }

            if (changed == 0)
            {
                break;
            }
        }

        for (int i = 0; i < n; ++i)
        {
            levels[i] = (sbyte)(lv[i] + nmax);
        }

        return sumL2 > 0f ? sumLX / sumL2 : 0f;
    }
}
