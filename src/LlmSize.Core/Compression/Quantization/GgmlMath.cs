using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace LlmSize.Core.Compression.Quantization;

/// <summary>
/// Scalar helpers with exactly the semantics of ggml's reference code: fp32 → fp16 / bf16 conversion
/// (round to nearest even), C <c>roundf</c> (halfway away from zero), block absolute maximum.
/// </summary>
/// <remarks>Sources read: ggml-org/ggml <c>src/ggml-impl.h</c> (<c>ggml_compute_fp32_to_fp16</c>,
/// <c>ggml_compute_fp32_to_bf16</c>) and <c>src/ggml-quants.c</c>; re-implemented, not copied.</remarks>
internal static class GgmlMath
{
    /// <summary>fp32 → IEEE binary16 bits, round to nearest even; NaN becomes the quiet NaN 0x7E00 with the sign kept
    /// (as ggml's bit-trick conversion does); overflow becomes ±Inf.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ushort FloatToHalfBits(float f)
    {
        // Branch-free rounding by float arithmetic (the FP16 library's method that ggml uses): scaling by 2^112 then
        // 2^-110 pushes overflow to Inf and lets the FPU round the mantissa to nearest even at the half's precision;
        // adding a power of two chosen from the input's exponent aligns the bits to cut.
        uint w = BitConverter.SingleToUInt32Bits(f);
        uint shl1 = w + w;
        uint sign = w & 0x8000_0000u;
        float b = MathF.Abs(f) * BitConverter.UInt32BitsToSingle(0x7780_0000u) * BitConverter.UInt32BitsToSingle(0x0880_0000u);
        uint bias = shl1 & 0xFF00_0000u;
        if (bias < 0x7100_0000u) bias = 0x7100_0000u;
        b = BitConverter.UInt32BitsToSingle((bias >> 1) + 0x0780_0000u) + b;
        uint bits = BitConverter.SingleToUInt32Bits(b);
        uint nonsign = ((bits >> 13) & 0x7C00u) + (bits & 0x0FFFu);
        return (ushort)((sign >> 16) | (shl1 > 0xFF00_0000u ? 0x7E00u : nonsign));
    }

    /// <summary>IEEE binary16 bits → fp32 (exact).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float HalfBitsToFloat(ushort h) => (float)BitConverter.UInt16BitsToHalf(h);

    /// <summary>fp32 → bfloat16 bits: round to nearest even; NaN keeps its top bits and is forced quiet (ggml).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ushort FloatToBFloat16Bits(float f)
    {
        uint u = BitConverter.SingleToUInt32Bits(f);
        if ((u & 0x7FFF_FFFF) > 0x7F80_0000) return (ushort)((u >> 16) | 64);
        return (ushort)((u + (0x7FFF + ((u >> 16) & 1))) >> 16);
    }

    /// <summary>bfloat16 bits → fp32 (exact).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float BFloat16BitsToFloat(ushort b) => BitConverter.UInt32BitsToSingle((uint)b << 16);

    /// <summary>C <c>roundf</c>: nearest integer, halfway cases away from zero; exact for every float.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float RoundAwayFromZero(float x)
    {
        float t = MathF.Truncate(x);
        // x - t is exact (same binade or smaller), so the comparison decides the halfway case exactly.
        return MathF.Abs(x - t) >= 0.5f ? t + MathF.CopySign(1f, x) : t;
    }

    /// <summary>
    /// C <c>(int)lroundf(x)</c> on x86-64 glibc: nearest integer, halfway away from zero; NaN, ±Inf and values beyond
    /// the range of <c>long</c> give <c>LONG_MIN</c>, whose low 32 bits are 0.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int LRoundToInt(float x)
    {
        if (!(MathF.Abs(x) < 9.223372E+18f)) return 0; // LONG_MIN truncated to int
        return unchecked((int)(long)RoundAwayFromZero(x));
    }

    /// <summary>Largest |x| with C's <c>MAX(a, b) = a &gt; b ? a : b</c> in index order (a NaN is dropped by the next
    /// element, as in ggml's <c>amax = MAX(amax, fabsf(v))</c> loops).</summary>
    public static float AbsMaxSequential(ReadOnlySpan<float> x)
    {
        float amax = 0f;
        for (int i = 0; i < x.Length; i++)
        {
            float a = MathF.Abs(x[i]);
            amax = amax > a ? amax : a;
        }

        return amax;
    }

    /// <summary>Writes a little-endian fp16 scale.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void WriteHalf(Span<byte> dst, float value) =>
        BinaryPrimitives.WriteUInt16LittleEndian(dst, FloatToHalfBits(value));

    /// <summary>Reads a little-endian fp16 scale.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float ReadHalf(ReadOnlySpan<byte> src) => HalfBitsToFloat(BinaryPrimitives.ReadUInt16LittleEndian(src));

    /// <summary>Largest |x| of a block (order-independent, so the SIMD path is exact). NaN propagation is not
    /// guaranteed; callers refuse NaN weights before quantizing.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float AbsMax(ReadOnlySpan<float> x)
    {
        int i = 0;
        float amax = 0f;
        if (Vector256.IsHardwareAccelerated && x.Length >= 8)
        {
            var acc = Vector256<float>.Zero;
            for (; i <= x.Length - 8; i += 8)
            {
                acc = Vector256.MaxNative(acc, Vector256.Abs(Vector256.Create(x.Slice(i, 8))));
            }

            amax = MaxAcross(acc);
        }

        for (; i < x.Length; i++)
        {
            float a = MathF.Abs(x[i]);
            if (a > amax) amax = a;
        }
        return amax;
    }

    /// <summary>Smallest and largest element of a block, starting from ±<see cref="float.MaxValue"/> as ggml does.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static (float Min, float Max) MinMax(ReadOnlySpan<float> x)
    {
        int i = 0;
        float min = float.MaxValue, max = -float.MaxValue;
        if (Vector256.IsHardwareAccelerated && x.Length == 32)
        {
            // One ggml block: four loads, a min/max tree, four scalar compares.
            var v0 = Vector256.Create(x[..8]);
            var v1 = Vector256.Create(x.Slice(8, 8));
            var v2 = Vector256.Create(x.Slice(16, 8));
            var v3 = Vector256.Create(x.Slice(24, 8));
            var lo = Vector256.MinNative(Vector256.MinNative(v0, v1), Vector256.MinNative(v2, v3));
            var hi = Vector256.MaxNative(Vector256.MaxNative(v0, v1), Vector256.MaxNative(v2, v3));
            var lo4 = Vector128.MinNative(lo.GetLower(), lo.GetUpper());
            var hi4 = Vector128.MaxNative(hi.GetLower(), hi.GetUpper());
            for (int k = 0; k < 4; k++)
            {
                float a = lo4.GetElement(k), b = hi4.GetElement(k);
                if (a < min) min = a;
                if (b > max) max = b;
            }

            i = 32;
        }
        else if (Vector256.IsHardwareAccelerated && x.Length >= 8)
        {
            var vmin = Vector256.Create(float.MaxValue);
            var vmax = Vector256.Create(-float.MaxValue);
            for (; i <= x.Length - 8; i += 8)
            {
                var v = Vector256.Create(x.Slice(i, 8));
                // MinNative/MaxNative (minps/maxps): plain comparisons, as ggml's `<` / `>`; the sign of a zero
                // result is fixed below.
                vmin = Vector256.MinNative(vmin, v);
                vmax = Vector256.MaxNative(vmax, v);
            }

            var m4 = Vector128.MinNative(vmin.GetLower(), vmin.GetUpper());
            var x4 = Vector128.MaxNative(vmax.GetLower(), vmax.GetUpper());
            for (int k = 0; k < 4; k++)
            {
                float a = m4.GetElement(k), b = x4.GetElement(k);
                if (a < min) min = a;
                if (b > max) max = b;
            }
        }

        for (; i < x.Length; i++)
        {
            if (x[i] < min) min = x[i];
            if (x[i] > max) max = x[i];
        }

        // ggml keeps the FIRST element reaching the extreme (strict < / >); only the sign of a zero can tell which,
        // and SIMD min/max do not promise which zero they return: take it from the first zero element.
        if (min == 0f) min = FirstZero(x);
        if (max == 0f) max = FirstZero(x);
        return (min, max);
    }

    /// <summary>ggml's Q4_0/Q5_0 scale search: the first element of largest |x| (keeping its sign).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float SignedAbsMax(ReadOnlySpan<float> x)
    {
        float amax = AbsMax(x);
        // All zeros: ggml's max stays +0 (then d = +0 / -8 = -0), so a leading -0 must not be returned.
        if (amax == 0f) return 0f;
        // ggml: if (amax < fabsf(v)) { amax = fabsf(v); max = v; } — the first element reaching the maximum wins.
        if (Vector256.IsHardwareAccelerated && x.Length == 32)
        {
            var target = Vector256.Create(amax);
            uint mask = Vector256.ExtractMostSignificantBits(Vector256.Equals(Vector256.Abs(Vector256.Create(x[..8])), target))
                | Vector256.ExtractMostSignificantBits(Vector256.Equals(Vector256.Abs(Vector256.Create(x.Slice(8, 8))), target)) << 8
                | Vector256.ExtractMostSignificantBits(Vector256.Equals(Vector256.Abs(Vector256.Create(x.Slice(16, 8))), target)) << 16
                | Vector256.ExtractMostSignificantBits(Vector256.Equals(Vector256.Abs(Vector256.Create(x.Slice(24, 8))), target)) << 24;
            if (mask != 0) return x[System.Numerics.BitOperations.TrailingZeroCount(mask)];
        }

        foreach (float v in x)
        {
            if (MathF.Abs(v) == amax) return v;
        }

        return 0f;
    }

    /// <summary>
    /// The shared inner loop of Q4_0, Q4_1, Q5_0 and Q5_1 for one block of 32: q[j] = min(clamp, trunc((x[j] − sub)·id + bias))
    /// (C: <c>(int8_t)</c> / <c>(uint8_t)</c> casts truncate), low nibbles packed as element j | element j + 16 &lt;&lt; 4,
    /// and bit 4 of each q gathered into <paramref name="qh"/> (bit j for element j, bit j + 16 for element j + 16).
    /// Each lane does the scalar operations in the scalar order (subtract, multiply, add; no fused multiply-add), so the
    /// SIMD path gives the reference's bytes.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void QuantizeNibbles(ReadOnlySpan<float> x, float sub, float id, float bias, int clamp, Span<byte> qs, out uint qh)
    {
        if (Vector256.IsHardwareAccelerated)
        {
            var vsub = Vector256.Create(sub);
            var vid = Vector256.Create(id);
            var vbias = Vector256.Create(bias);
            var vclamp = Vector256.Create(clamp);
            var a0 = Vector256.Min(Vector256.ConvertToInt32((Vector256.Create(x[..8]) - vsub) * vid + vbias), vclamp);
            var a1 = Vector256.Min(Vector256.ConvertToInt32((Vector256.Create(x.Slice(8, 8)) - vsub) * vid + vbias), vclamp);
            var b0 = Vector256.Min(Vector256.ConvertToInt32((Vector256.Create(x.Slice(16, 8)) - vsub) * vid + vbias), vclamp);
            var b1 = Vector256.Min(Vector256.ConvertToInt32((Vector256.Create(x.Slice(24, 8)) - vsub) * vid + vbias), vclamp);
            var lowMask = Vector256.Create(0x0F);
            var p0 = (a0 & lowMask) | ((b0 & lowMask) << 4);
            var p1 = (a1 & lowMask) | ((b1 & lowMask) << 4);
            var s16 = Vector256.Narrow(p0, p1);
            Vector128.Narrow(s16.GetLower(), s16.GetUpper()).AsByte().CopyTo(qs);
            qh = Vector256.ExtractMostSignificantBits(a0 << 27)
                | Vector256.ExtractMostSignificantBits(a1 << 27) << 8
                | Vector256.ExtractMostSignificantBits(b0 << 27) << 16
                | Vector256.ExtractMostSignificantBits(b1 << 27) << 24;
            return;
        }

        QuantizeNibblesScalar(x, sub, id, bias, clamp, qs, out qh);
    }

    /// <summary>The scalar form of <see cref="QuantizeNibbles"/> (used without SIMD hardware; tests compare both).</summary>
    internal static void QuantizeNibblesScalar(ReadOnlySpan<float> x, float sub, float id, float bias, int clamp, Span<byte> qs, out uint qh)
    {
        qh = 0;
        for (int j = 0; j < 16; j++)
        {
            int xi0 = Math.Min(clamp, (int)((x[j] - sub) * id + bias));
            int xi1 = Math.Min(clamp, (int)((x[16 + j] - sub) * id + bias));
            qs[j] = (byte)((xi0 & 0x0F) | ((xi1 & 0x0F) << 4));
            qh |= (((uint)xi0 & 0x10u) >> 4) << j;
            qh |= (((uint)xi1 & 0x10u) >> 4) << (j + 16);
        }
    }

    private static float FirstZero(ReadOnlySpan<float> x)
    {
        foreach (float v in x)
        {
            if (v == 0f) return v;
        }

        return 0f;
    }

    private static float MaxAcross(Vector256<float> v)
    {
        var m = Vector128.MaxNative(v.GetLower(), v.GetUpper());
        float a = m.GetElement(0), b = m.GetElement(1), c = m.GetElement(2), d = m.GetElement(3);
        float ab = a > b ? a : b, cd = c > d ? c : d;
        return ab > cd ? ab : cd;
    }

    /// <summary>Throws when a row does not fit the block layout of <paramref name="quantizer"/>.</summary>
    public static void CheckRow(IRowQuantizer quantizer, int srcLength, int dstLength, string srcName, string dstName)
    {
        var t = quantizer.Type;
        if (srcLength % t.BlockSize != 0)
        {
            throw new ArgumentException(
                $"A row of {srcLength} elements is not a whole number of {t.Name} blocks of {t.BlockSize}.", srcName);
        }

        long need = (long)srcLength / t.BlockSize * t.BlockBytes;
        if (dstLength != need)
        {
            throw new ArgumentException(
                $"{t.Name} needs {need} bytes for {srcLength} elements; the buffer has {dstLength}.", dstName);
        }
    }
}
