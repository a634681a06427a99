using LlmSize.Core.Compression.Quantization;

namespace LlmSize.Core.Tests.Compression.Quantization;

/// <summary>The scalar helpers against C semantics, and the SIMD paths against the scalar ones.</summary>
public sealed class GgmlMathTests
{
    /// <summary>C roundf: halfway cases away from zero (C11 7.12.9.6).</summary>
    [Theory]
    [InlineData(0.5f, 1f)]
    [InlineData(-0.5f, -1f)]
    [InlineData(1.5f, 2f)]
    [InlineData(2.5f, 3f)] // banker's rounding would give 2
    [InlineData(-2.5f, -3f)]
    [InlineData(0.49999997f, 0f)] // largest float below 0.5: x + 0.5 would round up to 1 in float
    [InlineData(126.5f, 127f)]
    [InlineData(8388609f, 8388609f)] // 2^23 + 1: already integral
    public void RoundAwayFromZero_IsCRoundf(float x, float expected) => Assert.Equal(expected, GgmlMath.RoundAwayFromZero(x));

    /// <summary>fp32 → fp16 bits, IEEE round to nearest even (values from the binary16 format definition).</summary>
    [Theory]
    [InlineData(1f, 0x3C00)]
    [InlineData(-2f, 0xC000)]
    [InlineData(65504f, 0x7BFF)] // largest finite half
    [InlineData(65520f, 0x7C00)] // halfway to 65536 → rounds to even = +Inf
    [InlineData(1.00048828125f, 0x3C00)] // 1 + 2^-11: tie → even (mantissa 0)
    [InlineData(1.00146484375f, 0x3C02)] // 1 + 3·2^-11: tie → even (mantissa 2)
    [InlineData(5.9604645e-8f, 0x0001)] // 2^-24: smallest subnormal
    [InlineData(float.NaN, 0x7E00)] // ggml: quiet NaN 0x7E00 with the input's sign (compared without the sign bit)
    public void FloatToHalfBits(float x, int expected)
    {
        ushort bits = GgmlMath.FloatToHalfBits(x);
        if (float.IsNaN(x)) Assert.Equal(expected, bits & 0x7FFF);
        else Assert.Equal(expected, bits);
    }

    /// <summary>The branch-free conversion equals .NET's IEEE round-to-nearest-even <see cref="Half"/> conversion for
    /// every non-NaN float of a wide random sample plus the edges (subnormals, overflow, ±0, ±Inf).</summary>
    [Fact]
    public void FloatToHalfBits_EqualsIeeeConversion()
    {
        var rng = new Random(11);
        var samples = new List<uint> { 0, 0x8000_0000, 0x7F80_0000, 0xFF80_0000, 0x3380_0000, 0x3300_0000, 0x3300_0001, 0x477F_F000, 0x477F_EFFF, 0x3880_0000, 0x387F_FFFF };
        for (int i = 0; i < 200_000; i++) samples.Add((uint)rng.NextInt64(0, 1L << 32));
        foreach (uint u in samples)
        {
            float f = BitConverter.UInt32BitsToSingle(u);
            if (float.IsNaN(f)) continue;
            Assert.True(BitConverter.HalfToUInt16Bits((Half)f) == GgmlMath.FloatToHalfBits(f), $"0x{u:X8}");
        }
    }

    /// <summary>fp32 → bf16: round to nearest even on the dropped 16 bits; NaN forced quiet (ggml_compute_fp32_to_bf16).</summary>
    [Theory]
    [InlineData(0x3F80_0000u, 0x3F80)] // 1.0
    [InlineData(0x3F80_8000u, 0x3F80)] // tie, even stays
    [InlineData(0x3F81_8000u, 0x3F82)] // tie, odd rounds up
    [InlineData(0x3F80_8001u, 0x3F81)] // above the tie
    [InlineData(0x7F80_0001u, 0x7FC0)] // signalling NaN: top bits 0x7F80 | 64 (quiet bit)
    public void FloatToBFloat16Bits(uint input, int expected) =>
        Assert.Equal(expected, GgmlMath.FloatToBFloat16Bits(BitConverter.UInt32BitsToSingle(input)));

    /// <summary>On SIMD hardware the public paths are the Vector256 ones; they must equal the scalar forms.</summary>
    [Fact]
    public void SimdPaths_EqualScalarPaths()
    {
        var rng = new Random(5);
        var x = new float[32];
        Span<byte> a = stackalloc byte[32], b = stackalloc byte[32];
        for (int iter = 0; iter < 2000; iter++)
        {
            float scale = MathF.Pow(10, rng.Next(-8, 8));
            for (int i = 0; i < 32; i++) x[i] = (float)(rng.NextDouble() - 0.5) * scale;
            if (iter % 7 == 0) x[rng.Next(32)] = 0.5f * scale; // ties
            float amax = GgmlMath.AbsMax(x);
            float id = amax == 0 ? 0 : 1f / (amax / 127);
            Q8_0Quantizer.QuantizeBlockVector(x, a, id);
            Q8_0Quantizer.QuantizeBlockScalar(x, b, id);
            Assert.True(a.SequenceEqual(b), $"Q8_0 block {iter}");

            float max = GgmlMath.SignedAbsMax(x);
            float d = max / -8;
            float id4 = d != 0 ? 1f / d : 0f;
            GgmlMath.QuantizeNibbles(x, 0f, id4, 8.5f, 15, a[..16], out uint qh1);
            GgmlMath.QuantizeNibblesScalar(x, 0f, id4, 8.5f, 15, b[..16], out uint qh2);
            Assert.True(a[..16].SequenceEqual(b[..16]) && qh1 == qh2, $"Q4_0 block {iter}");

            var (mn, mx) = GgmlMath.MinMax(x);
            float d5 = (mx - mn) / 31;
            float id5 = d5 != 0 ? 1f / d5 : 0f;
            GgmlMath.QuantizeNibbles(x, mn, id5, 0.5f, 255, a[..16], out qh1);
            GgmlMath.QuantizeNibblesScalar(x, mn, id5, 0.5f, 255, b[..16], out qh2);
            Assert.True(a[..16].SequenceEqual(b[..16]) && qh1 == qh2, $"Q5_1 block {iter}");
        }
    }
}
