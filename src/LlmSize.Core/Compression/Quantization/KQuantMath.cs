using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace LlmSize.Core.Compression.Quantization;

/// <summary>
/// Shared arithmetic of ggml's k-quant reference quantizers (Q4_K, Q5_K, Q6_K), written from
/// <c>ggml/src/ggml-quants.c</c> (helpers <c>nearest_int</c>, <c>make_qkx2_quants</c>, <c>make_qx_quants</c>,
/// <c>get_scale_min_k4</c>) and <c>ggml/src/ggml-impl.h</c> (FP32 ↔ FP16).
/// </summary>
/// <remarks>
/// Byte identity with ggml needs the same single-precision operations in the same order: every sum below is a
/// sequential float sum over the elements in index order, products are grouped as in the C source
/// (<c>w*l*l</c> is <c>(w*l)*l</c>), integer factors are converted to float before multiplying, and no fused
/// multiply-add is used (ggml-base is compiled without FMA contraction on x86-64; RyuJIT never contracts).
/// The SIMD paths keep that order by putting independent <em>candidates</em> (trial scales) in the vector lanes
/// and walking the elements sequentially, never by splitting one sum across lanes.
/// </remarks>
internal static partial class KQuantMath
{
    /// <summary>Elements per k-quant super-block (<c>QK_K</c>).</summary>
    public const int QK = 256;

    /// <summary>ggml's <c>GROUP_MAX_EPS</c>: below this absolute maximum a group counts as all zero.</summary>
    public const float GroupMaxEps = 1e-15f;

    [ThreadStatic]
    private static bool t_scalarOnly;

    /// <summary>True when the Vector256 paths run: hardware-accelerated and not switched off on this thread.</summary>
    internal static bool UseSimd => Vector256.IsHardwareAccelerated && !t_scalarOnly;

    /// <summary>True when the Vector512 candidate loop runs (AVX-512 hardware; same switch as <see cref="UseSimd"/>).</summary>
    internal static bool UseSimd512 => Vector512.IsHardwareAccelerated && !t_scalarOnly && !t_no512;

    [ThreadStatic]
    private static bool t_no512;

    /// <summary>Forces the Vector256 paths instead of Vector512 on the calling thread (tests); returns the old setting.</summary>
    internal static bool SetNo512(bool no512)
    {
        bool old = t_no512;
        t_no512 = no512;
        return old;
    }

    /// <summary>Forces the scalar paths on the calling thread (tests compare both paths); returns the old setting.</summary>
    internal static bool SetScalarOnly(bool scalarOnly)
    {
        bool old = t_scalarOnly;
        t_scalarOnly = scalarOnly;
        return old;
    }

    /// <summary>
    /// ggml <c>nearest_int</c>: adds 1.5 × 2^23 so the float adder rounds half to even, then reads the low mantissa
    /// bits. Exact for |x| ≤ 4194303; outside (and for NaN/Inf) it returns the same wrapped value ggml does.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int NearestInt(float value)
    {
        float biased = value + 12582912f;
        return (BitConverter.SingleToInt32Bits(biased) & 0x007FFFFF) - 0x00400000;
    }

    /// <summary>Vector form of <see cref="NearestInt(float)"/>, lane by lane identical.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<int> NearestInt(Vector256<float> value)
    {
        Vector256<int> bits = (value + Vector256.Create(12582912f)).AsInt32();
        return (bits & Vector256.Create(0x007FFFFF)) - Vector256.Create(0x00400000);
    }

    /// <summary>Vector512 form of <see cref="NearestInt(float)"/>, lane by lane identical.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<int> NearestInt(Vector512<float> value)
    {
        Vector512<int> bits = (value + Vector512.Create(12582912f)).AsInt32();
        return (bits & Vector512.Create(0x007FFFFF)) - Vector512.Create(0x00400000);
    }

    /// <summary>
    /// FP32 → FP16 bits, round to nearest even, overflow to ±Inf, NaN to the quiet NaN <c>0x7E00</c> with the sign
    /// kept: the portable <c>ggml_compute_fp32_to_fp16</c> of ggml-impl.h (from Maratyszcza/FP16), which
    /// <c>GGML_FP32_TO_FP16</c> uses in ggml-base.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ushort FloatToHalf(float f) => GgmlMath.FloatToHalfBits(f);

    /// <summary>FP16 bits → FP32, exact (every half is a float); <c>GGML_FP16_TO_FP32</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float HalfToFloat(ushort h) => GgmlMath.HalfBitsToFloat(h);

    /// <summary>Reads a little-endian FP16 at <paramref name="offset"/> as float.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float ReadHalf(ReadOnlySpan<byte> block, int offset) =>
        HalfToFloat(BinaryPrimitives.ReadUInt16LittleEndian(block.Slice(offset, 2)));

    /// <summary>Writes FP16 bits little-endian at <paramref name="offset"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void WriteHalf(Span<byte> block, int offset, ushort bits) =>
        BinaryPrimitives.WriteUInt16LittleEndian(block.Slice(offset, 2), bits);

    /// <summary>
    /// ggml <c>get_scale_min_k4</c>: the 6-bit scale and min of sub-block <paramref name="j"/> (0–7) from the 12-byte
    /// packed array (sub-blocks 0–3 in the low 6 bits of bytes 0–3 / 4–7; 4–7 split into a nibble in bytes 8–11 and
    /// two high bits in the top of bytes 0–7).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void GetScaleMinK4(int j, ReadOnlySpan<byte> q, out byte scale, out byte min)
    {
        if (j < 4)
        {
            scale = (byte)(q[j] & 63);
            min = (byte)(q[j + 4] & 63);
        }
        else
        {
            scale = (byte)((q[j + 4] & 0xF) | ((q[j - 4] >> 6) << 4));
            min = (byte)((q[j + 4] >> 4) | ((q[j] >> 6) << 4));
        }
    }

    /// <summary>
    /// Packs eight 6-bit scales and mins into the 12-byte layout <see cref="GetScaleMinK4"/> reads (the packing loop of
    /// <c>quantize_row_q4_K_ref</c>). Every byte of <paramref name="q"/> is written: bytes 0–7 are assigned for
    /// j &lt; 4 before j ≥ 4 ORs its top bits into them, so the old content does not matter.
    /// </summary>
    public static void PackScaleMinK4(ReadOnlySpan<byte> ls, ReadOnlySpan<byte> lm, Span<byte> q)
    {
        for (int j = 0; j < 8; ++j)
        {
            byte s = ls[j], m = lm[j];
            if (j < 4)
            {
                q[j] = s;
                q[j + 4] = m;
            }
            else
            {
                q[j + 4] = (byte)((s & 0xF) | ((m & 0xF) << 4));
                q[j - 4] |= (byte)((s >> 4) << 6);
                q[j] |= (byte)((m >> 4) << 6);
            }
        }
    }

    /// <summary>
    /// ggml <c>make_qkx2_quants</c>: fits <c>x ≈ scale·L − theMin</c>, L in [0, nmax],
    /// trying <paramref name="nstep"/> + 1 candidate inverse scales <c>(rmin + rdelta·is + nmax)/(max − min)</c>
    /// and keeping the weighted least-squares solution with the smallest weighted squared error.
    /// </summary>
    /// <param name="nmax">Largest level (15 for Q4_K, 31 for Q5_K).</param>
    /// <param name="x">The group (32 elements).</param>
    /// <param name="weights">Per-element weights.</param>
    /// <param name="levels">Receives the chosen levels.</param>
    /// <param name="theMin">Receives the (non-negative) offset to subtract: <c>−min</c>.</param>
    /// <param name="rmin">Candidate start (−1 for Q4_K, −0.5 for Q5_K).</param>
    /// <param name="rdelta">Candidate step (0.1).</param>
    /// <param name="nstep">Candidates after the first (20 for Q4_K, 15 for Q5_K and Q2_K).</param>
    /// <param name="useMad">ggml's <c>use_mad</c>: the error is Σw·|diff| (Q2_K) instead of Σw·diff² (Q4_K, Q5_K).</param>
    /// <returns>The scale.</returns>
    public static float MakeQkx2Quants(int nmax, ReadOnlySpan<float> x, ReadOnlySpan<float> weights, Span<byte> levels,
        out float theMin, float rmin, float rdelta, int nstep, bool useMad = false)
    {
        int n = x.Length;
        float min = x[0];
        float max = x[0];
        float sumW = weights[0];
        float sumX = sumW * x[0];
        for (int i = 1; i < n; ++i)
        {
            if (x[i] < min) min = x[i];
            if (x[i] > max) max = x[i];
            float w = weights[i];
            sumW += w;
            sumX += w * x[i];
        }

        if (min > 0) min = 0;
        if (max == min)
        {
            levels[..n].Clear();
            theMin = -min;
            return 0f;
        }

        float iscale = nmax / (max - min);
        float scale = 1 / iscale;
        float bestError = 0;
        for (int i = 0; i < n; ++i)
        {
            int l = NearestInt(iscale * (x[i] - min));
            levels[i] = (byte)Math.Max(0, Math.Min(nmax, l));
            float diff = scale * levels[i] + min - x[i];
            diff = useMad ? MathF.Abs(diff) : diff * diff;
            bestError += weights[i] * diff;
        }

        if (nstep < 1)
        {
            theMin = -min;
            return scale;
        }

        if (UseSimd512 && n <= 32)
        {
            Qkx2CandidatesSimd512(nmax, x, weights, levels, ref scale, ref min, ref bestError, max, sumW, sumX, rmin, rdelta, nstep, useMad);
        }
        else if (UseSimd && n <= 32)
        {
            Qkx2CandidatesSimd(nmax, x, weights, levels, ref scale, ref min, ref bestError, max, sumW, sumX, rmin, rdelta, nstep, useMad);
        }
        else
        {
            Span<byte> aux = stackalloc byte[n];
            for (int step = 0; step <= nstep; ++step)
            {
                iscale = (rmin + rdelta * step + nmax) / (max - min);
                float sumL = 0, sumL2 = 0, sumXL = 0;
                for (int i = 0; i < n; ++i)
                {
                    int l = NearestInt(iscale * (x[i] - min));
                    l = Math.Max(0, Math.Min(nmax, l));
                    aux[i] = (byte)l;
                    float w = weights[i];
                    sumL += w * l;
                    sumL2 += w * l * l;
                    sumXL += w * l * x[i];
                }

                float d = sumW * sumL2 - sumL * sumL;
                if (d > 0)
                {
                    float thisScale = (sumW * sumXL - sumX * sumL) / d;
                    float thisMin = (sumL2 * sumX - sumL * sumXL) / d;
                    if (thisMin > 0)
                    {
                        thisMin = 0;
                        thisScale = sumXL / sumL2;
                    }

                    float curError = 0;
                    for (int i = 0; i < n; ++i)
                    {
                        float diff = thisScale * aux[i] + thisMin - x[i];
                        diff = useMad ? MathF.Abs(diff) : diff * diff;
                        curError += weights[i] * diff;
                    }

                    if (curError < bestError)
                    {
                        aux.CopyTo(levels);
                        bestError = curError;
                        scale = thisScale;
                        min = thisMin;
                    }
                }
            }
        }

        theMin = -min;
        return scale;
    }

    /// <summary>
    /// The candidate loop of <see cref="MakeQkx2Quants"/> with 8 candidates per Vector256 (one per lane), each lane
    /// summing over the elements in index order exactly like the scalar loop. A candidate's levels depend on the
    /// best <c>min</c> found before it, so the lanes are computed speculatively with the current <c>min</c>; when a
    /// candidate is accepted and changes <c>min</c>, the candidates after it are recomputed.
    /// </summary>
    private static void Qkx2CandidatesSimd(int nmax, ReadOnlySpan<float> x, ReadOnlySpan<float> weights, Span<byte> levels,
        ref float scale, ref float min, ref float bestError, float max, float sumW, float sumX, float rmin, float rdelta, int nstep, bool useMad)
    {
        int n = x.Length;
        Span<float> iscales = stackalloc float[8];
        Span<float> scales = stackalloc float[8];
        Span<float> mins = stackalloc float[8];
        Span<float> errors = stackalloc float[8];
        Span<float> ds = stackalloc float[8];
        Vector256<int> zero = Vector256<int>.Zero;
        Vector256<int> top = Vector256.Create(nmax);
        Span<Vector256<float>> lanesLevels = stackalloc Vector256<float>[32]; // levels of element i, one candidate per lane
        int step = 0;
        while (step <= nstep)
        {
            int count = Math.Min(8, nstep + 1 - step);
            float range = max - min;
            for (int k = 0; k < 8; ++k)
            {
                // Spare lanes repeat the last candidate; they are never selected.
                int s = step + Math.Min(k, count - 1);
                iscales[k] = (rmin + rdelta * s + nmax) / range;
            }

            Vector256<float> vIscale = Vector256.Create<float>(iscales);
            Vector256<float> vMin = Vector256.Create(min);
            Vector256<float> sumL = Vector256<float>.Zero, sumL2 = Vector256<float>.Zero, sumXL = Vector256<float>.Zero;
            for (int i = 0; i < n; ++i)
            {
                Vector256<float> xi = Vector256.Create(x[i]);
                Vector256<int> l = Vector256.Min(Vector256.Max(NearestInt(vIscale * (xi - vMin)), zero), top);
                Vector256<float> lf = Vector256.ConvertToSingle(l);
                lanesLevels[i] = lf;
                Vector256<float> wl = Vector256.Create(weights[i]) * lf;
                sumL += wl;
                sumL2 += wl * lf;
                sumXL += wl * xi;
            }

            Vector256<float> vSumW = Vector256.Create(sumW), vSumX = Vector256.Create(sumX);
            Vector256<float> d = vSumW * sumL2 - sumL * sumL;
            Vector256<float> thisScale = (vSumW * sumXL - vSumX * sumL) / d;
            Vector256<float> thisMin = (sumL2 * vSumX - sumL * sumXL) / d;
            Vector256<float> positive = Vector256.GreaterThan(thisMin, Vector256<float>.Zero);
            thisMin = Vector256.ConditionalSelect(positive, Vector256<float>.Zero, thisMin);
            thisScale = Vector256.ConditionalSelect(positive, sumXL / sumL2, thisScale);

            Vector256<float> error = Vector256<float>.Zero;
            for (int i = 0; i < n; ++i)
            {
                Vector256<float> diff = thisScale * lanesLevels[i] + thisMin - Vector256.Create(x[i]);
                diff = useMad ? Vector256.Abs(diff) : diff * diff;
                error += Vector256.Create(weights[i]) * diff;
            }

            d.CopyTo(ds);
            error.CopyTo(errors);
            thisScale.CopyTo(scales);
            thisMin.CopyTo(mins);

            int next = step + count;
            for (int k = 0; k < count; ++k)
            {
                if (ds[k] > 0 && errors[k] < bestError)
                {
                    for (int i = 0; i < n; ++i)
                    {
                        levels[i] = (byte)lanesLevels[i].GetElement(k);
                    }

                    bestError = errors[k];
                    scale = scales[k];
                    bool minChanged = BitConverter.SingleToInt32Bits(mins[k]) != BitConverter.SingleToInt32Bits(min);
                    min = mins[k];
                    if (minChanged)
                    {
                        // Later candidates were computed with the old min: redo them from here.
                        next = step + k + 1;
                        break;
                    }
                }
            }

            step = next;
        }
    }

    /// <summary>As <see cref="Qkx2CandidatesSimd"/> with 16 candidates per Vector512 (AVX-512 hardware).</summary>
    private static void Qkx2CandidatesSimd512(int nmax, ReadOnlySpan<float> x, ReadOnlySpan<float> weights, Span<byte> levels,
        ref float scale, ref float min, ref float bestError, float max, float sumW, float sumX, float rmin, float rdelta, int nstep, bool useMad)
    {
        int n = x.Length;
        Span<float> iscales = stackalloc float[16];
        Span<float> scales = stackalloc float[16];
        Span<float> mins = stackalloc float[16];
        Span<float> errors = stackalloc float[16];
        Span<float> ds = stackalloc float[16];
        Vector512<int> zero = Vector512<int>.Zero;
        Vector512<int> top = Vector512.Create(nmax);
        Span<Vector512<float>> lanesLevels = stackalloc Vector512<float>[32]; // levels of element i, one candidate per lane
        int step = 0;
        while (step <= nstep)
        {
            int count = Math.Min(16, nstep + 1 - step);
            float range = max - min;
            for (int k = 0; k < 16; ++k)
            {
                // Spare lanes repeat the last candidate; they are never selected.
                int s = step + Math.Min(k, count - 1);
                iscales[k] = (rmin + rdelta * s + nmax) / range;
            }

            Vector512<float> vIscale = Vector512.Create<float>(iscales);
            Vector512<float> vMin = Vector512.Create(min);
            Vector512<float> sumL = Vector512<float>.Zero, sumL2 = Vector512<float>.Zero, sumXL = Vector512<float>.Zero;
            for (int i = 0; i < n; ++i)
            {
                Vector512<float> xi = Vector512.Create(x[i]);
                Vector512<int> l = Vector512.Min(Vector512.Max(NearestInt(vIscale * (xi - vMin)), zero), top);
                Vector512<float> lf = Vector512.ConvertToSingle(l);
                lanesLevels[i] = lf;
                Vector512<float> wl = Vector512.Create(weights[i]) * lf;
                sumL += wl;
                sumL2 += wl * lf;
                sumXL += wl * xi;
            }

            Vector512<float> vSumW = Vector512.Create(sumW), vSumX = Vector512.Create(sumX);
            Vector512<float> d = vSumW * sumL2 - sumL * sumL;
            Vector512<float> thisScale = (vSumW * sumXL - vSumX * sumL) / d;
            Vector512<float> thisMin = (sumL2 * vSumX - sumL * sumXL) / d;
            Vector512<float> positive = Vector512.GreaterThan(thisMin, Vector512<float>.Zero);
            thisMin = Vector512.ConditionalSelect(positive, Vector512<float>.Zero, thisMin);
            thisScale = Vector512.ConditionalSelect(positive, sumXL / sumL2, thisScale);

            Vector512<float> error = Vector512<float>.Zero;
            for (int i = 0; i < n; ++i)
            {
                Vector512<float> diff = thisScale * lanesLevels[i] + thisMin - Vector512.Create(x[i]);
                diff = useMad ? Vector512.Abs(diff) : diff * diff;
                error += Vector512.Create(weights[i]) * diff;
            }

            d.CopyTo(ds);
            error.CopyTo(errors);
            thisScale.CopyTo(scales);
            thisMin.CopyTo(mins);

            int next = step + count;
            for (int k = 0; k < count; ++k)
            {
                if (ds[k] > 0 && errors[k] < bestError)
                {
                    for (int i = 0; i < n; ++i)
                    {
                        levels[i] = (byte)lanesLevels[i].GetElement(k);
                    }

                    bestError = errors[k];
                    scale = scales[k];
                    bool minChanged = BitConverter.SingleToInt32Bits(mins[k]) != BitConverter.SingleToInt32Bits(min);
                    min = mins[k];
                    if (minChanged)
                    {
                        // Later candidates were computed with the old min: redo them from here.
                        next = step + k + 1;
                        break;
                    }
                }
            }

            step = next;
        }
    }

    /// <summary>
    /// ggml <c>make_qx_quants</c> with <c>rmse_type = 1</c> and no importance weights (the weight of an element is
    /// x²), as <c>quantize_row_q6_K_ref</c> calls it: symmetric levels <c>L − nmax</c> in [−nmax, nmax − 1], the
    /// first guess <c>−nmax/max</c> refined over 18 trial scales <c>−(nmax + 0.1·is)/max</c>, is = −9…9, is ≠ 0.
    /// </summary>
    /// <param name="nmax">Half the level count (32 for Q6_K).</param>
    /// <param name="x">The group (16 elements).</param>
    /// <param name="levels">Receives the levels, 0 … 2·nmax − 1.</param>
    /// <returns>The (signed) scale.</returns>
    /// <param name="weights">Per-element weights (<c>make_qx_quants</c>' <c>qw</c>); empty means x².</param>
    public static float MakeQxQuantsRmse1(int nmax, ReadOnlySpan<float> x, Span<sbyte> levels, ReadOnlySpan<float> weights = default)
    {
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

        if (amax < GroupMaxEps)
        {
            levels[..n].Clear();
            return 0f;
        }

        float iscale = -nmax / max;
        float sumLX = 0;
        float sumL2 = 0;
        for (int i = 0; i < n; ++i)
        {
            int l = NearestInt(iscale * x[i]);
            l = Math.Max(-nmax, Math.Min(nmax - 1, l));
            levels[i] = (sbyte)(l + nmax);
            float w = weights.IsEmpty ? x[i] * x[i] : weights[i];
            sumLX += w * x[i] * l;
            sumL2 += w * l * l;
        }

        float scale = sumL2 != 0 ? sumLX / sumL2 : 0.0f;
        float best = scale * sumLX;
        if (UseSimd && n <= 32)
        {
            QxCandidatesSimd(nmax, x, levels, max, ref scale, ref best, weights);
            return scale;
        }

        for (int step = -9; step <= 9; ++step)
        {
            if (step == 0)
            {
                continue;
            }

            iscale = -(nmax + 0.1f * step) / max;
            sumLX = sumL2 = 0;
            for (int i = 0; i < n; ++i)
            {
                int l = NearestInt(iscale * x[i]);
                l = Math.Max(-nmax, Math.Min(nmax - 1, l));
                float w = weights.IsEmpty ? x[i] * x[i] : weights[i];
                sumLX += w * x[i] * l;
                sumL2 += w * l * l;
            }

            if (sumL2 > 0 && sumLX * sumLX > best * sumL2)
            {
                for (int i = 0; i < n; ++i)
                {
                    int l = NearestInt(iscale * x[i]);
                    levels[i] = (sbyte)(nmax + Math.Max(-nmax, Math.Min(nmax - 1, l)));
                }

                scale = sumLX / sumL2;
                best = scale * sumLX;
            }
        }

        return scale;
    }

    /// <summary>
    /// The 18 trial scales of <see cref="MakeQxQuantsRmse1"/> in lanes (3 × 8, the last 6 lanes idle); the trials
    /// are independent, only the acceptance (which depends on the running best) is sequential.
    /// </summary>
    private static void QxCandidatesSimd(int nmax, ReadOnlySpan<float> x, Span<sbyte> levels, float max, ref float scale, ref float best,
        ReadOnlySpan<float> weights)
    {
        int n = x.Length;
        Span<float> iscales = stackalloc float[24];
        Span<float> lx = stackalloc float[24];
        Span<float> l2 = stackalloc float[24];
        for (int k = 0; k < 24; ++k)
        {
            int step = k < 18 ? (k < 9 ? k - 9 : k - 8) : 9;
            iscales[k] = -(nmax + 0.1f * step) / max;
        }

        Vector256<int> lo = Vector256.Create(-nmax), hi = Vector256.Create(nmax - 1);
        for (int v = 0; v < 3; ++v)
        {
            Vector256<float> vIscale = Vector256.Create<float>(iscales.Slice(v * 8, 8));
            Vector256<float> sumLX = Vector256<float>.Zero, sumL2 = Vector256<float>.Zero;
            for (int i = 0; i < n; ++i)
            {
                Vector256<float> xi = Vector256.Create(x[i]);
                Vector256<float> lf = Vector256.ConvertToSingle(Vector256.Min(Vector256.Max(NearestInt(vIscale * xi), lo), hi));
                Vector256<float> w = weights.IsEmpty ? xi * xi : Vector256.Create(weights[i]);
                sumLX += w * xi * lf;
                sumL2 += w * lf * lf;
            }

            sumLX.CopyTo(lx.Slice(v * 8, 8));
            sumL2.CopyTo(l2.Slice(v * 8, 8));
        }

        for (int k = 0; k < 18; ++k)
        {
            float sLX = lx[k], sL2 = l2[k];
            if (sL2 > 0 && sLX * sLX > best * sL2)
            {
                float iscale = iscales[k];
                for (int i = 0; i < n; ++i)
                {
                    int l = NearestInt(iscale * x[i]);
                    levels[i] = (sbyte)(nmax + Math.Max(-nmax, Math.Min(nmax - 1, l)));
                }

                scale = sLX / sL2;
                best = scale * sLX;
            }
        }
    }

    /// <summary>Checks the span lengths of a k-quant row; throws <see cref="ArgumentException"/> when they do not fit.</summary>
    /// <returns>The number of 256-element super-blocks.</returns>
    public static int CheckQuantizeLengths(int srcLength, int dstLength, int blockBytes, string typeName)
    {
        if (srcLength % QK != 0)
        {
            throw new ArgumentException(
                $"A {typeName} row must hold a multiple of {QK} weights; got {srcLength}.", "src");
        }

        int blocks = srcLength / QK;
        long expected = (long)blocks * blockBytes;
        if (dstLength != expected)
        {
            throw new ArgumentException(
                $"A {typeName} row of {srcLength} weights takes {expected} bytes; the destination has {dstLength}.", "dst");
        }

        return blocks;
    }

    /// <summary>Checks the span lengths of a k-quant dequantization; throws <see cref="ArgumentException"/>.</summary>
    /// <returns>The number of 256-element super-blocks.</returns>
    public static int CheckDequantizeLengths(int srcLength, int dstLength, int blockBytes, string typeName)
    {
        if (srcLength % blockBytes != 0)
        {
            throw new ArgumentException(
                $"{typeName} data must be a multiple of {blockBytes} bytes (one block); got {srcLength}.", "src");
        }

        int blocks = srcLength / blockBytes;
        long expected = (long)blocks * QK;
        if (dstLength != expected)
        {
            throw new ArgumentException(
                $"{blocks} {typeName} blocks hold {expected} weights; the destination has {dstLength}.", "dst");
        }

        return blocks;
    }

    /// <summary>
    /// Weights of <c>quantize_row_q4_K_ref</c> / <c>q5_K_ref</c> for one 32-element group:
    /// <c>av_x + |x_l|</c> with <c>av_x = sqrt(Σx²/32)</c> (the sum sequential, in index order).
    /// </summary>
    public static void GroupWeights(ReadOnlySpan<float> x, Span<float> weights)
    {
        float sumX2 = 0;
        for (int l = 0; l < x.Length; ++l)
        {
            sumX2 += x[l] * x[l];
        }

        float avX = MathF.Sqrt(sumX2 / x.Length);
        int i = 0;
        if (UseSimd)
        {
            Vector256<float> vAv = Vector256.Create(avX);
            for (; i + 8 <= x.Length; i += 8)
            {
                (vAv + Vector256.Abs(Vector256.Create(x.Slice(i, 8)))).CopyTo(weights.Slice(i, 8));
            }
        }

        for (; i < x.Length; ++i)
        {
            weights[i] = avX + MathF.Abs(x[i]);
        }
    }

    /// <summary>
    /// The final pass of the Q4_K / Q5_K reference quantizers for one 32-element group:
    /// <c>L = clamp(nearest_int((x + dm) / d), 0, nmax)</c>.
    /// </summary>
    public static void Requantize(ReadOnlySpan<float> x, float d, float dm, int nmax, Span<byte> levels)
    {
        int i = 0;
        if (UseSimd)
        {
            Vector256<float> vd = Vector256.Create(d), vdm = Vector256.Create(dm);
            Vector256<int> top = Vector256.Create(nmax);
            Span<int> tmp = stackalloc int[8];
            for (; i + 8 <= x.Length; i += 8)
            {
                Vector256<int> l = NearestInt((Vector256.Create(x.Slice(i, 8)) + vdm) / vd);
                Vector256.Min(Vector256.Max(l, Vector256<int>.Zero), top).CopyTo(tmp);
                for (int k = 0; k < 8; ++k)
                {
                    levels[i + k] = (byte)tmp[k];
                }
            }
        }

        for (; i < x.Length; ++i)
        {
            int l = NearestInt((x[i] + dm) / d);
            levels[i] = (byte)Math.Max(0, Math.Min(nmax, l));
        }
    }

    /// <summary>
    /// The shared part of <c>quantize_row_q4_K_ref</c> and <c>quantize_row_q5_K_ref</c> for one super-block: fits each
    /// of the 8 groups of 32 with <see cref="MakeQkx2Quants"/>, quantizes the 8 scales and 8 mins to 6 bits against
    /// their maxima, writes <c>d</c>, <c>dmin</c> (FP16, bytes 0–3) and the 12 packed scale bytes (4–15) of
    /// <paramref name="header"/>, and leaves in <paramref name="levels"/> the 256 levels requantized with the stored
    /// (rounded) scales — or, for a group whose stored scale is 0, the levels of the group fit.
    /// </summary>
    public static void QuantizeAffineSuperBlock(ReadOnlySpan<float> x, int nmax, float rmin, float rdelta, int nstep,
        Span<byte> header, Span<byte> levels)
    {
        Span<float> weights = stackalloc float[32];
        Span<float> scales = stackalloc float[8];
        Span<float> mins = stackalloc float[8];
        Span<byte> ls = stackalloc byte[8];
        Span<byte> lm = stackalloc byte[8];
        float maxScale = 0; // as the min is deducted, scales are never negative
        float maxMin = 0;
        for (int j = 0; j < 8; ++j)
        {
            ReadOnlySpan<float> group = x.Slice(32 * j, 32);
            GroupWeights(group, weights);
            scales[j] = MakeQkx2Quants(nmax, group, weights, levels.Slice(32 * j, 32), out mins[j], rmin, rdelta, nstep);
            if (scales[j] > maxScale) maxScale = scales[j];
            if (mins[j] > maxMin) maxMin = mins[j];
        }

        float invScale = maxScale > 0 ? 63f / maxScale : 0f;
        float invMin = maxMin > 0 ? 63f / maxMin : 0f;
        for (int j = 0; j < 8; ++j)
        {
            // uint8_t ls = nearest_int(...): the int is truncated to 8 bits before the MIN(63, ·).
            ls[j] = Math.Min((byte)63, unchecked((byte)NearestInt(invScale * scales[j])));
            lm[j] = Math.Min((byte)63, unchecked((byte)NearestInt(invMin * mins[j])));
        }

        Span<byte> packed = header.Slice(4, 12);
        PackScaleMinK4(ls, lm, packed);
        ushort dBits = FloatToHalf(maxScale / 63f);
        ushort dminBits = FloatToHalf(maxMin / 63f);
        WriteHalf(header, 0, dBits);
        WriteHalf(header, 2, dminBits);

        float dAll = HalfToFloat(dBits);
        float dminAll = HalfToFloat(dminBits);
        for (int j = 0; j < 8; ++j)
        {
            GetScaleMinK4(j, packed, out byte sc, out byte m);
            float d = dAll * sc;
            if (d == 0)
            {
                continue;
            }

            float dm = dminAll * m;
            Requantize(x.Slice(32 * j, 32), d, dm, nmax, levels.Slice(32 * j, 32));
        }
    }
}
