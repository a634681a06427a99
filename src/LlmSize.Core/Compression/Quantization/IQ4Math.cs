using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace LlmSize.Core.Compression.Quantization;

/// <summary>
/// The non-linear 4-bit grid of IQ4_NL / IQ4_XS and ggml's shared fitting routine
/// (<c>quantize_row_iq4_nl_impl</c> of ggml/src/ggml-quants.c, without importance weights: the weight of an element
/// is x²; 7 trial inverse scales either side of the first guess).
/// </summary>
internal static class IQ4Math
{
    /// <summary>ggml <c>kvalues_iq4nl</c> (ggml/src/ggml-common.h): the 16 levels, ascending.</summary>
    public static ReadOnlySpan<sbyte> Values => [-127, -104, -83, -65, -49, -35, -22, -10, 1, 13, 25, 38, 53, 69, 89, 113];

    /// <summary>Trial inverse scales each side of the first guess (<c>ntry</c> = 7 in quantize_iq4_nl/xs).</summary>
    public const int Tries = 7;

    /// <summary>
    /// ggml <c>best_index_int8(16, kvalues_iq4nl, x)</c>: the nearest level's index; below the lowest / above the
    /// highest level the end index; between two levels the lower one only when strictly nearer (a tie takes the
    /// upper); NaN gives 15 (every comparison is false, so the search walks up).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int BestIndex(float x)
    {
        ReadOnlySpan<sbyte> v = Values;
        if (x <= v[0]) return 0;
        if (x >= v[15]) return 15;
        int lo = 0, hi = 15;
        while (hi - lo > 1)
        {
            int mid = (lo + hi) / 2;
            if (x < v[mid]) hi = mid;
            else lo = mid;
        }

        return x - v[hi - 1] < v[hi] - x ? hi - 1 : hi;
    }

    /// <summary>
    /// Fits one block of 32 (the per-block part of <c>quantize_row_iq4_nl_impl</c>): first scale <c>max/127</c> from
    /// the signed maximum, its least-squares refinement, then the 15 trial inverse scales <c>(t − 127)/max</c>,
    /// t = −7…7, keeping the one that maximizes <c>(Σwqx)² / Σwq²</c>.
    /// </summary>
    /// <returns>The block scale (0 for an all-zero block: max |x| below GROUP_MAX_EPS).</returns>
    /// <param name="xb">The block (32 weights).</param>
    /// <param name="weights">Per-element weights (from an importance matrix); empty means x².</param>
    public static float FitBlock(ReadOnlySpan<float> xb, ReadOnlySpan<float> weights = default)
    {
        ReadOnlySpan<sbyte> values = Values;
        float amax = 0, max = 0;
        for (int j = 0; j < xb.Length; ++j)
        {
            float ax = MathF.Abs(xb[j]);
            if (ax > amax)
            {
                amax = ax;
                max = xb[j];
            }
        }

        if (amax < KQuantMath.GroupMaxEps)
        {
            return 0f;
        }

        float d = -max / values[0];
        float id = 1 / d;
        if (KQuantMath.UseSimd && xb.Length == 32)
        {
            return FitCandidatesSimd(xb, id, max, weights);
        }

        float sumQX = 0, sumQ2 = 0;
        for (int j = 0; j < xb.Length; ++j)
        {
            float q = values[BestIndex(id * xb[j])];
            float w = weights.IsEmpty ? xb[j] * xb[j] : weights[j];
            sumQX += w * q * xb[j];
            sumQ2 += w * q * q;
        }

        d = sumQ2 > 0 ? sumQX / sumQ2 : 0f;
        float best = d * sumQX;
        for (int t = -Tries; t <= Tries; ++t)
        {
            id = (t + values[0]) / max;
            sumQX = sumQ2 = 0;
            for (int j = 0; j < xb.Length; ++j)
            {
                float q = values[BestIndex(id * xb[j])];
                float w = weights.IsEmpty ? xb[j] * xb[j] : weights[j];
                sumQX += w * q * xb[j];
                sumQ2 += w * q * q;
            }

            if (sumQ2 > 0 && sumQX * sumQX > best * sumQ2)
            {
                d = sumQX / sumQ2;
                best = d * sumQX;
            }
        }

        return d;
    }

    /// <summary>
    /// <see cref="FitBlock"/>'s 16 independent fits — the first guess and the 15 trials — one per lane of two
    /// Vector256, each lane summing over the elements in index order exactly as the scalar loop; then the sequential
    /// acceptance in the scalar order (first guess, then t = −7…7).
    /// </summary>
    private static float FitCandidatesSimd(ReadOnlySpan<float> xb, float firstId, float max, ReadOnlySpan<float> weights)
    {
        ReadOnlySpan<sbyte> values = Values;
        Span<float> ids = stackalloc float[16];
        ids[0] = firstId;
        for (int t = -Tries; t <= Tries; ++t)
        {
            ids[t + Tries + 1] = (t + values[0]) / max;
        }

        Vector256<float> id0 = Vector256.Create<float>(ids[..8]), id1 = Vector256.Create<float>(ids[8..]);
        Vector256<float> qx0 = Vector256<float>.Zero, q20 = Vector256<float>.Zero;
        Vector256<float> qx1 = Vector256<float>.Zero, q21 = Vector256<float>.Zero;
        for (int j = 0; j < xb.Length; ++j)
        {
            float x = xb[j];
            Vector256<float> vx = Vector256.Create(x);
            Vector256<float> vw = Vector256.Create(weights.IsEmpty ? x * x : weights[j]);
            Vector256<float> q = Level(id0 * vx, out _);
            Vector256<float> wq = vw * q;
            qx0 += wq * vx;
            q20 += wq * q;
            q = Level(id1 * vx, out _);
            wq = vw * q;
            qx1 += wq * vx;
            q21 += wq * q;
        }

        Span<float> sumQX = stackalloc float[16];
        Span<float> sumQ2 = stackalloc float[16];
        qx0.CopyTo(sumQX);
        qx1.CopyTo(sumQX[8..]);
        q20.CopyTo(sumQ2);
        q21.CopyTo(sumQ2[8..]);
        float d = sumQ2[0] > 0 ? sumQX[0] / sumQ2[0] : 0f;
        float best = d * sumQX[0];
        for (int k = 1; k < 16; ++k)
        {
            if (sumQ2[k] > 0 && sumQX[k] * sumQX[k] > best * sumQ2[k])
            {
                d = sumQX[k] / sumQ2[k];
                best = d * sumQX[k];
            }
        }

        return d;
    }

    /// <summary>
    /// Lane-wise <see cref="BestIndex"/>: the level value and its index. Between the ends the nearest levels are the
    /// largest one ≤ x and the smallest one &gt; x (what the binary search brackets); the same float comparison picks
    /// one; x ≤ −127 gives index 0, x ≥ 113 and NaN give 15.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Level(Vector256<float> x, out Vector256<int> index)
    {
        ReadOnlySpan<sbyte> values = Values;
        Vector256<float> lower = Vector256.Create(float.NegativeInfinity);
        Vector256<float> upper = Vector256.Create(float.PositiveInfinity);
        Vector256<int> count = Vector256<int>.Zero;
        for (int k = 0; k < 16; ++k)
        {
            Vector256<float> vk = Vector256.Create((float)values[k]);
            Vector256<float> ge = Vector256.GreaterThanOrEqual(x, vk);
            lower = Vector256.ConditionalSelect(ge, vk, lower);
            count -= ge.AsInt32(); // mask lanes are −1
            Vector256<float> vd = Vector256.Create((float)values[15 - k]);
            upper = Vector256.ConditionalSelect(Vector256.LessThan(x, vd), vd, upper);
        }

        Vector256<float> pickLower = Vector256.LessThan(x - lower, upper - x);
        Vector256<float> q = Vector256.ConditionalSelect(pickLower, lower, upper);
        // count = hi (levels ≤ x); the lower level is index hi − 1.
        Vector256<int> idx = count + pickLower.AsInt32();
        Vector256<float> atBottom = Vector256.LessThanOrEqual(x, Vector256.Create((float)values[0]));
        Vector256<float> atTop = ~Vector256.LessThan(x, Vector256.Create((float)values[15]));
        q = Vector256.ConditionalSelect(atTop, Vector256.Create((float)values[15]), q);
        q = Vector256.ConditionalSelect(atBottom, Vector256.Create((float)values[0]), q);
        idx = Vector256.ConditionalSelect(atTop.AsInt32(), Vector256.Create(15), idx);
        index = Vector256.ConditionalSelect(atBottom.AsInt32(), Vector256<int>.Zero, idx);
        return q;
    }

    /// <summary>Level indices of <c>id·x</c> for 32 elements (<see cref="BestIndex"/> per element).</summary>
    public static void Indices32(ReadOnlySpan<float> x, float id, Span<byte> levels)
    {
        int j = 0;
        if (KQuantMath.UseSimd)
        {
            Vector256<float> vid = Vector256.Create(id);
            Span<int> tmp = stackalloc int[8];
            for (; j + 8 <= x.Length; j += 8)
            {
                Level(vid * Vector256.Create(x.Slice(j, 8)), out Vector256<int> idx);
                idx.CopyTo(tmp);
                for (int k = 0; k < 8; ++k) levels[j + k] = (byte)tmp[k];
            }
        }

        for (; j < x.Length; ++j)
        {
            levels[j] = (byte)BestIndex(id * x[j]);
        }
    }

    /// <summary>The weights of <c>quantize_row_iq4_nl_impl</c> with an importance matrix:
    /// <c>qw·sqrt(σ² + x²)</c>, σ² = Σx² over the super-block × 2 / its length.</summary>
    public static float Sigma2(ReadOnlySpan<float> superBlock)
    {
        float sigma2 = KQuantMath.SumSquares(superBlock);
        sigma2 *= 2f / superBlock.Length;
        return sigma2;
    }

    /// <summary>Packs 32 level indices into 16 bytes: byte j holds element j (low nibble) and j + 16 (high).</summary>
    public static void Pack32(ReadOnlySpan<byte> levels, Span<byte> qs)
    {
        for (int j = 0; j < 16; ++j)
        {
            qs[j] = (byte)(levels[j] | (levels[16 + j] << 4));
        }
    }

    /// <summary>Unpacks 16 bytes of level indices times <paramref name="dl"/> into 32 floats.</summary>
    public static void Unpack32(ReadOnlySpan<byte> qs, float dl, Span<float> y)
    {
        ReadOnlySpan<sbyte> values = Values;
        for (int j = 0; j < 16; ++j)
        {
            y[j] = dl * values[qs[j] & 0xF];
            y[j + 16] = dl * values[qs[j] >> 4];
        }
    }
}
