using System.Buffers.Binary;

namespace LlmSize.Core.Compression.Quantization;

/// <summary>
/// The importance-matrix paths of the 32-weight legacy types (ggml/src/ggml-quants.c <c>quantize_row_q4_0_impl</c>,
/// <c>q4_1_impl</c>, <c>q5_0_impl</c>, <c>q5_1_impl</c>): element weights <c>qw·sqrt(σ² + x²)</c> with σ² = Σx²/n over
/// the whole row; Q4_0/Q5_0 blocks fitted by <c>make_qx_quants</c> (nmax 8 / 16), Q4_1/Q5_1 by
/// <c>make_qkx3_quants</c> (nmax 15 / 31, candidates −0.9 + 0.05·is, is = 0…36).
/// </summary>
internal static class LegacyImportance
{
    private const int Qk = 32;

    /// <summary>Quantizes a row of Q4_0 (<paramref name="fifthBit"/> false, 18-byte blocks) or Q5_0 (true, 22-byte).</summary>
    public static void QuantizeSymmetric(ReadOnlySpan<float> src, Span<byte> dst, ReadOnlySpan<float> qw, bool fifthBit)
    {
        int blockBytes = fifthBit ? 22 : 18;
        int nmax = fifthBit ? 16 : 8;
        Span<float> weights = stackalloc float[Qk];
        Span<sbyte> levels = stackalloc sbyte[Qk];
        float sigma2 = KQuantMath.SumSquares(src) / src.Length;
        for (int ib = 0; ib < src.Length / Qk; ++ib)
        {
            ReadOnlySpan<float> xb = src.Slice(ib * Qk, Qk);
            Span<byte> y = dst.Slice(ib * blockBytes, blockBytes);
            KQuantMath.ImportanceWeights(xb, qw.Slice(ib * Qk, Qk), sigma2, weights);
            float d = KQuantMath.MakeQxQuantsRmse1(nmax, xb, levels, weights);
            KQuantMath.WriteHalf(y, 0, KQuantMath.FloatToHalf(d));
            Pack(levels, y[(fifthBit ? 6 : 2)..], fifthBit ? y.Slice(2, 4) : default);
        }
    }

    /// <summary>Quantizes a row of Q4_1 (<paramref name="fifthBit"/> false, 20-byte blocks) or Q5_1 (true, 24-byte).</summary>
    public static void QuantizeAffine(ReadOnlySpan<float> src, Span<byte> dst, ReadOnlySpan<float> qw, bool fifthBit)
    {
        int blockBytes = fifthBit ? 24 : 20;
        int nmax = fifthBit ? 31 : 15;
        Span<float> weights = stackalloc float[Qk];
        Span<byte> levels = stackalloc byte[Qk];
        Span<sbyte> signedLevels = stackalloc sbyte[Qk];
        float sigma2 = KQuantMath.SumSquares(src) / src.Length;
        for (int ib = 0; ib < src.Length / Qk; ++ib)
        {
            ReadOnlySpan<float> xb = src.Slice(ib * Qk, Qk);
            Span<byte> y = dst.Slice(ib * blockBytes, blockBytes);
            KQuantMath.ImportanceWeights(xb, qw.Slice(ib * Qk, Qk), sigma2, weights);
            float d = KQuantMath.MakeQkx2Quants(nmax, xb, weights, levels, out float theMin, -0.9f, 0.05f, 36);
            KQuantMath.WriteHalf(y, 0, KQuantMath.FloatToHalf(d));
            KQuantMath.WriteHalf(y, 2, KQuantMath.FloatToHalf(-theMin));
            for (int j = 0; j < Qk; ++j) signedLevels[j] = (sbyte)levels[j];
            Pack(signedLevels, y[(fifthBit ? 8 : 4)..], fifthBit ? y.Slice(4, 4) : default);
        }
    }

    /// <summary>Low nibbles of elements j and j + 16 into byte j; with <paramref name="qh"/>, the fifth bits as a
    /// little-endian uint32 (bit j for element j, bit j + 16 for element j + 16).</summary>
    private static void Pack(ReadOnlySpan<sbyte> levels, Span<byte> qs, Span<byte> qh)
    {
        uint high = 0;
        for (int j = 0; j < 16; ++j)
        {
            int a = levels[j], b = levels[j + 16];
            qs[j] = (byte)((a & 0x0F) | ((b & 0x0F) << 4));
            high |= (uint)((a & 0x10) >> 4) << j;
            high |= (uint)((b & 0x10) >> 4) << (j + 16);
        }

        if (!qh.IsEmpty) BinaryPrimitives.WriteUInt32LittleEndian(qh, high);
    }
}
