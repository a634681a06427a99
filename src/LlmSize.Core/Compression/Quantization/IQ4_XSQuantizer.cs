using System.Buffers.Binary;
using LlmSize.Core.Precision;

namespace LlmSize.Core.Compression.Quantization;

/// <summary>
/// ggml IQ4_XS: super-blocks of 256 weights in 136 bytes (4.25 bits per weight): an FP16 super-block scale, eight
/// signed 6-bit block scales and 4-bit indices into the non-linear grid <c>kvalues_iq4nl</c>:
/// <c>w ≈ d·(scale_j − 32)·kvalues[q]</c>. Byte-identical to ggml's <c>quantize_iq4_xs</c> without an importance
/// matrix (what <c>ggml_quantize_chunk</c> runs for IQ4_XS).
/// </summary>
/// <remarks>
/// Block layout (<c>block_iq4_xs</c>, ggml/src/ggml-common.h): <c>d</c> FP16 (bytes 0–1), <c>scales_h</c> uint16
/// (2–3: the top two bits of block scale j at bit 2j), <c>scales_l</c> (4–7: the low nibble of scale j in byte j / 2,
/// low nibble for even j), 128 bytes <c>qs</c> (8–135, 16 per block of 32, packed as in IQ4_NL).
/// Algorithm: ggml/src/ggml-quants.c <c>quantize_row_iq4_nl_impl</c> (super-block 256, block 32) and
/// <c>dequantize_row_iq4_xs</c>. The block scales are quantized against the unrounded <c>d = −max/32</c>, as in the
/// reference. NaN or ±Inf weights are not rejected: like the reference, they yield the same bytes ggml writes.
/// </remarks>
public sealed class IQ4_XSQuantizer : IImportanceRowQuantizer
{
    private const int Qk = 256, BlockBytes = 136, Blocks = 8;

    /// <inheritdoc />
    public TensorDataType Type => TensorDataType.IQ4_XS;

    /// <inheritdoc />
    /// <exception cref="ArgumentException">The lengths do not fit whole IQ4_XS super-blocks (256 weights, 136 bytes).</exception>
    public void QuantizeRow(ReadOnlySpan<float> src, Span<byte> dst) => QuantizeRow(src, dst, default);

    /// <inheritdoc />
    /// <remarks>With importance weights: ggml <c>quantize_iq4_xs</c> with <c>quant_weights</c> (element weights
    /// <c>qw·sqrt(σ² + x²)</c>, σ² = 2·Σx²/256 over the super-block).</remarks>
    public void QuantizeRow(ReadOnlySpan<float> src, Span<byte> dst, ReadOnlySpan<float> importance)
    {
        int superBlocks = KQuantMath.CheckQuantizeLengths(src.Length, dst.Length, BlockBytes, "IQ4_XS");
        KQuantMath.CheckImportanceLength(src.Length, importance.Length);
        Span<float> weights = stackalloc float[32];
        Span<float> scales = stackalloc float[Blocks];
        Span<byte> levels = stackalloc byte[32];
        for (int b = 0; b < superBlocks; ++b)
        {
            ReadOnlySpan<float> x = src.Slice(b * Qk, Qk);
            Span<byte> block = dst.Slice(b * BlockBytes, BlockBytes);
            float maxScale = 0, amaxScale = 0;
            float sigma2 = importance.IsEmpty ? 0 : IQ4Math.Sigma2(x);
            for (int ib = 0; ib < Blocks; ++ib)
            {
                if (importance.IsEmpty)
                {
                    scales[ib] = IQ4Math.FitBlock(x.Slice(32 * ib, 32));
                }
                else
                {
                    KQuantMath.ImportanceWeights(x.Slice(32 * ib, 32), importance.Slice(b * Qk + 32 * ib, 32), sigma2, weights);
                    scales[ib] = IQ4Math.FitBlock(x.Slice(32 * ib, 32), weights);
                }

                float a = MathF.Abs(scales[ib]);
                if (a > amaxScale)
                {
                    amaxScale = a;
                    maxScale = scales[ib];
                }
            }

            float d = -maxScale / 32;
            KQuantMath.WriteHalf(block, 0, KQuantMath.FloatToHalf(d));
            float id = d != 0 ? 1 / d : 0f;
            ushort scalesH = 0;
            Span<byte> scalesL = block.Slice(4, 4);
            for (int ib = 0; ib < Blocks; ++ib)
            {
                int l = KQuantMath.NearestInt(id * scales[ib]);
                l = Math.Max(-32, Math.Min(31, l));
                float dl = d * l;
                float idl = dl != 0 ? 1 / dl : 0f;
                ReadOnlySpan<float> xb = x.Slice(32 * ib, 32);
                IQ4Math.Indices32(xb, idl, levels);

                IQ4Math.Pack32(levels, block.Slice(8 + 16 * ib, 16));
                l += 32;
                if (ib % 2 == 0) scalesL[ib / 2] = (byte)(l & 0xF);
                else scalesL[ib / 2] |= (byte)((l & 0xF) << 4);
                scalesH |= (ushort)((l >> 4) << (2 * ib));
            }

            BinaryPrimitives.WriteUInt16LittleEndian(block.Slice(2, 2), scalesH);
        }
    }

    /// <inheritdoc />
    /// <exception cref="ArgumentException">The lengths do not fit whole IQ4_XS super-blocks (256 weights, 136 bytes).</exception>
    public void DequantizeRow(ReadOnlySpan<byte> src, Span<float> dst)
    {
        int superBlocks = KQuantMath.CheckDequantizeLengths(src.Length, dst.Length, BlockBytes, "IQ4_XS");
        for (int b = 0; b < superBlocks; ++b)
        {
            ReadOnlySpan<byte> block = src.Slice(b * BlockBytes, BlockBytes);
            float d = KQuantMath.ReadHalf(block, 0);
            int scalesH = BinaryPrimitives.ReadUInt16LittleEndian(block.Slice(2, 2));
            for (int ib = 0; ib < Blocks; ++ib)
            {
                int ls = ((block[4 + ib / 2] >> (4 * (ib % 2))) & 0xF) | (((scalesH >> (2 * ib)) & 3) << 4);
                IQ4Math.Unpack32(block.Slice(8 + 16 * ib, 16), d * (ls - 32), dst.Slice(b * Qk + 32 * ib, 32));
            }
        }
    }
}
