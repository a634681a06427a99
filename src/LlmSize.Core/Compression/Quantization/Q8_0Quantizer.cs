using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using LlmSize.Core.Precision;

namespace LlmSize.Core.Compression.Quantization;

/// <summary>
/// ggml Q8_0: blocks of 32 weights as one fp16 scale d = max|x| / 127 and 32 signed bytes round(x / d)
/// (34 bytes per block, 8.5 bits per weight).
/// </summary>
/// <remarks>Follows <c>quantize_row_q8_0_ref</c> / <c>dequantize_row_q8_0</c> in ggml <c>src/ggml-quants.c</c>
/// (block_q8_0 in <c>ggml-common.h</c>: <c>ggml_half d; int8_t qs[32]</c>). The inner loop is vectorised with
/// <see cref="Vector256"/>; every lane does the same float operations as the C code (x·id, then roundf), so the
/// bytes are identical.</remarks>
public sealed class Q8_0Quantizer : IRowQuantizer
{
    private const int Qk = 32;

    /// <summary>The shared instance (the quantizer is stateless).</summary>
    public static Q8_0Quantizer Instance { get; } = new();

    /// <inheritdoc />
    public TensorDataType Type => TensorDataType.Q8_0;

    /// <inheritdoc />
    /// <exception cref="ArgumentException">The lengths do not fit whole Q8_0 blocks.</exception>
    public void QuantizeRow(ReadOnlySpan<float> src, Span<byte> dst)
    {
        GgmlMath.CheckRow(this, src.Length, dst.Length, nameof(src), nameof(dst));
        int nb = src.Length / Qk;
        for (int i = 0; i < nb; i++)
        {
            var x = src.Slice(i * Qk, Qk);
            var y = dst.Slice(i * 34, 34);
            float amax = GgmlMath.AbsMax(x);
            float d = amax / ((1 << 7) - 1);
            float id = d != 0f ? 1.0f / d : 0.0f;
            GgmlMath.WriteHalf(y, d);
            QuantizeBlock(x, y[2..], id);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void QuantizeBlock(ReadOnlySpan<float> x, Span<byte> qs, float id)
    {
        if (Vector256.IsHardwareAccelerated)
        {
            var vid = Vector256.Create(id);
            var half = Vector256.Create(0.5f);
            var one = Vector256.Create(1f);
            var signMask = Vector256.Create(-0f);
            for (int j = 0; j < Qk; j += 16)
            {
                var a = RoundAway(Vector256.Create(x.Slice(j, 8)) * vid, half, one, signMask);
                var b = RoundAway(Vector256.Create(x.Slice(j + 8, 8)) * vid, half, one, signMask);
                var ia = Vector256.ConvertToInt32(a);
                var ib = Vector256.ConvertToInt32(b);
                var s16 = Vector256.Narrow(ia, ib); // 16 × int16, values in [-127, 127]
                var s8 = Vector128.Narrow(s16.GetLower(), s16.GetUpper());
                s8.AsByte().CopyTo(qs.Slice(j, 16));
            }

            return;
        }

        QuantizeBlockScalar(x, qs, id);
    }

    /// <summary>Scalar form of the block loop (used without SIMD hardware; tests compare both).</summary>
    internal static void QuantizeBlockScalar(ReadOnlySpan<float> x, Span<byte> qs, float id)
    {
        for (int j = 0; j < Qk; j++)
        {
            qs[j] = (byte)(sbyte)GgmlMath.RoundAwayFromZero(x[j] * id);
        }
    }

    /// <summary>The SIMD form of the block loop, for tests (same as the public path on SIMD hardware).</summary>
    internal static void QuantizeBlockVector(ReadOnlySpan<float> x, Span<byte> qs, float id) => QuantizeBlock(x, qs, id);

    /// <summary>Lane-wise C roundf: truncate, then step away from zero when the dropped fraction is ≥ 0.5.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector256<float> RoundAway(Vector256<float> v, Vector256<float> half, Vector256<float> one, Vector256<float> signMask)
    {
        var t = Vector256.Truncate(v);
        var frac = Vector256.Abs(v - t);
        var step = (one | (v & signMask)) & Vector256.GreaterThanOrEqual(frac, half);
        return t + step;
    }

    /// <inheritdoc />
    /// <exception cref="ArgumentException">The lengths do not fit whole Q8_0 blocks.</exception>
    public void DequantizeRow(ReadOnlySpan<byte> src, Span<float> dst)
    {
        GgmlMath.CheckRow(this, dst.Length, src.Length, nameof(dst), nameof(src));
        int nb = dst.Length / Qk;
        for (int i = 0; i < nb; i++)
        {
            var y = src.Slice(i * 34, 34);
            float d = GgmlMath.ReadHalf(y);
            for (int j = 0; j < Qk; j++) dst[i * Qk + j] = (sbyte)y[2 + j] * d;
        }
    }
}
