using System.Runtime.CompilerServices;

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
    public static float FitBlock(ReadOnlySpan<float> xb)
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
        float sumQX = 0, sumQ2 = 0;
        for (int j = 0; j < xb.Length; ++j)
        {
            float q = values[BestIndex(id * xb[j])];
            float w = xb[j] * xb[j];
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
                float w = xb[j] * xb[j];
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
