using System.Buffers.Binary;
using LlmSize.Core.Precision;

namespace LlmSize.Core.Compression.Quantization;

/// <summary>
/// ggml Q5_1: blocks of 32 weights as fp16 scale d = (max − min) / 31, fp16 minimum m, a 32-bit word of fifth bits
/// and 32 low nibbles; q = trunc((x − min)/d + 0.5) (24 bytes per block, 6 bits per weight); x ≈ q·d + m.
/// </summary>
/// <remarks>Follows <c>quantize_row_q5_1_ref</c> / <c>dequantize_row_q5_1</c> in ggml <c>src/ggml-quants.c</c>
/// (block_q5_1: <c>ggml_half d, m; uint8_t qh[4]; uint8_t qs[16]</c>). Unlike Q4_1 the reference does not clamp
/// to 31 (the cast is to <c>uint8_t</c>); neither do we.</remarks>
public sealed class Q5_1Quantizer : IImportanceRowQuantizer
{
    private const int Qk = 32;
    private const int BlockBytes = 24;

    /// <summary>The shared instance (the quantizer is stateless).</summary>
    public static Q5_1Quantizer Instance { get; } = new();

    /// <inheritdoc />
    public TensorDataType Type => TensorDataType.Q5_1;

    /// <inheritdoc />
    /// <exception cref="ArgumentException">The lengths do not fit whole Q5_1 blocks, or the importance weights are not
    /// one per element.</exception>
    /// <remarks>With importance weights: ggml <c>quantize_row_q5_1_impl</c> (see <see cref="LegacyImportance"/>).</remarks>
    public void QuantizeRow(ReadOnlySpan<float> src, Span<byte> dst, ReadOnlySpan<float> importance)
    {
        if (importance.IsEmpty)
        {
            QuantizeRow(src, dst);
            return;
        }

        GgmlMath.CheckRow(this, src.Length, dst.Length, nameof(src), nameof(dst));
        KQuantMath.CheckImportanceLength(src.Length, importance.Length);
        LegacyImportance.QuantizeAffine(src, dst, importance, fifthBit: true);
    }

    /// <inheritdoc />
    /// <exception cref="ArgumentException">The lengths do not fit whole Q5_1 blocks.</exception>
    public void QuantizeRow(ReadOnlySpan<float> src, Span<byte> dst)
    {
        GgmlMath.CheckRow(this, src.Length, dst.Length, nameof(src), nameof(dst));
        int nb = src.Length / Qk;
        for (int i = 0; i < nb; i++)
        {
            var x = src.Slice(i * Qk, Qk);
            var y = dst.Slice(i * BlockBytes, BlockBytes);
            var (min, max) = GgmlMath.MinMax(x);
            float d = (max - min) / ((1 << 5) - 1);
            float id = d != 0f ? 1.0f / d : 0.0f;
            GgmlMath.WriteHalf(y, d);
            GgmlMath.WriteHalf(y[2..], min);
            // C: (uint8_t)((x − min)·id + 0.5f), no clamp (values stay ≤ 31); 255 keeps the uint8 range.
            GgmlMath.QuantizeNibbles(x, min, id, 0.5f, 255, y.Slice(8, 16), out uint qh);
            BinaryPrimitives.WriteUInt32LittleEndian(y[4..], qh);
        }
    }

    /// <inheritdoc />
    /// <exception cref="ArgumentException">The lengths do not fit whole Q5_1 blocks.</exception>
    public void DequantizeRow(ReadOnlySpan<byte> src, Span<float> dst)
    {
        GgmlMath.CheckRow(this, dst.Length, src.Length, nameof(dst), nameof(src));
        int nb = dst.Length / Qk;
        for (int i = 0; i < nb; i++)
        {
            var y = src.Slice(i * BlockBytes, BlockBytes);
            float d = GgmlMath.ReadHalf(y);
            float m = GgmlMath.ReadHalf(y[2..]);
            uint qh = BinaryPrimitives.ReadUInt32LittleEndian(y[4..]);
            for (int j = 0; j < Qk / 2; j++)
            {
                int xh0 = (int)((qh >> j) << 4 & 0x10);
                int xh1 = (int)((qh >> (j + 12)) & 0x10);
                dst[i * Qk + j] = ((y[8 + j] & 0x0F) | xh0) * d + m;
                dst[i * Qk + j + Qk / 2] = ((y[8 + j] >> 4) | xh1) * d + m;
            }
        }
    }
}
