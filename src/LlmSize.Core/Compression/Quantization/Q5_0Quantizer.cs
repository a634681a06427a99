using System.Buffers.Binary;
using LlmSize.Core.Precision;

namespace LlmSize.Core.Compression.Quantization;

/// <summary>
/// ggml Q5_0: blocks of 32 weights as fp16 scale d = max / −16 (max signed, of largest magnitude), a 32-bit word of
/// fifth bits and 32 low nibbles; q = min(31, trunc(x/d + 16.5)) (22 bytes per block, 5.5 bits per weight).
/// </summary>
/// <remarks>Follows <c>quantize_row_q5_0_ref</c> / <c>dequantize_row_q5_0</c> in ggml <c>src/ggml-quants.c</c>
/// (block_q5_0: <c>ggml_half d; uint8_t qh[4]; uint8_t qs[16]</c>; qh is a little-endian uint32 with bit j for
/// element j and bit j + 16 for element j + 16).</remarks>
public sealed class Q5_0Quantizer : IImportanceRowQuantizer
{
    private const int Qk = 32;
    private const int BlockBytes = 22;

    /// <summary>The shared instance (the quantizer is stateless).</summary>
    public static Q5_0Quantizer Instance { get; } = new();

    /// <inheritdoc />
    public TensorDataType Type => TensorDataType.Q5_0;

    /// <inheritdoc />
    /// <exception cref="ArgumentException">The lengths do not fit whole Q5_0 blocks, or the importance weights are not
    /// one per element.</exception>
    /// <remarks>With importance weights: ggml <c>quantize_row_q5_0_impl</c> (see <see cref="LegacyImportance"/>).</remarks>
    public void QuantizeRow(ReadOnlySpan<float> src, Span<byte> dst, ReadOnlySpan<float> importance)
    {
        if (importance.IsEmpty)
        {
            QuantizeRow(src, dst);
            return;
        }

        GgmlMath.CheckRow(this, src.Length, dst.Length, nameof(src), nameof(dst));
        KQuantMath.CheckImportanceLength(src.Length, importance.Length);
        LegacyImportance.QuantizeSymmetric(src, dst, importance, fifthBit: true);
    }

    /// <inheritdoc />
    /// <exception cref="ArgumentException">The lengths do not fit whole Q5_0 blocks.</exception>
    public void QuantizeRow(ReadOnlySpan<float> src, Span<byte> dst)
    {
        GgmlMath.CheckRow(this, src.Length, dst.Length, nameof(src), nameof(dst));
        int nb = src.Length / Qk;
        for (int i = 0; i < nb; i++)
        {
            var x = src.Slice(i * Qk, Qk);
            var y = dst.Slice(i * BlockBytes, BlockBytes);
            float max = GgmlMath.SignedAbsMax(x);
            float d = max / -16;
            float id = d != 0f ? 1.0f / d : 0.0f;
            GgmlMath.WriteHalf(y, d);
            // C: MIN(31, (int8_t)(x·id + 16.5f)); low nibbles in qs, fifth bits in qh.
            GgmlMath.QuantizeNibbles(x, 0f, id, 16.5f, 31, y.Slice(6, 16), out uint qh);
            BinaryPrimitives.WriteUInt32LittleEndian(y[2..], qh);
        }
    }

    /// <inheritdoc />
    /// <exception cref="ArgumentException">The lengths do not fit whole Q5_0 blocks.</exception>
    public void DequantizeRow(ReadOnlySpan<byte> src, Span<float> dst)
    {
        GgmlMath.CheckRow(this, dst.Length, src.Length, nameof(dst), nameof(src));
        int nb = dst.Length / Qk;
        for (int i = 0; i < nb; i++)
        {
            var y = src.Slice(i * BlockBytes, BlockBytes);
            float d = GgmlMath.ReadHalf(y);
            uint qh = BinaryPrimitives.ReadUInt32LittleEndian(y[2..]);
            for (int j = 0; j < Qk / 2; j++)
            {
                int xh0 = (int)((qh >> j) << 4 & 0x10);
                int xh1 = (int)((qh >> (j + 12)) & 0x10);
                dst[i * Qk + j] = (((y[6 + j] & 0x0F) | xh0) - 16) * d;
                dst[i * Qk + j + Qk / 2] = (((y[6 + j] >> 4) | xh1) - 16) * d;
            }
        }
    }
}
