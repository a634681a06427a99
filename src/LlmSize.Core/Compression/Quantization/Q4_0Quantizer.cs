using LlmSize.Core.Precision;

namespace LlmSize.Core.Compression.Quantization;

/// <summary>
/// ggml Q4_0: blocks of 32 weights as one fp16 scale d = max / −8 (max = the weight of largest magnitude, signed)
/// and 32 four-bit values q = min(15, trunc(x/d + 8.5)) packed two per byte, element j in the low nibble and
/// element j + 16 in the high nibble (18 bytes per block, 4.5 bits per weight).
/// </summary>
/// <remarks>Follows <c>quantize_row_q4_0_ref</c> / <c>dequantize_row_q4_0</c> in ggml <c>src/ggml-quants.c</c>
/// (block_q4_0: <c>ggml_half d; uint8_t qs[16]</c>).</remarks>
public sealed class Q4_0Quantizer : IImportanceRowQuantizer
{
    private const int Qk = 32;
    private const int BlockBytes = 18;

    /// <summary>The shared instance (the quantizer is stateless).</summary>
    public static Q4_0Quantizer Instance { get; } = new();

    /// <inheritdoc />
    public TensorDataType Type => TensorDataType.Q4_0;

    /// <inheritdoc />
    /// <exception cref="ArgumentException">The lengths do not fit whole Q4_0 blocks, or the importance weights are not
    /// one per element.</exception>
    /// <remarks>With importance weights: ggml <c>quantize_row_q4_0_impl</c> (see <see cref="LegacyImportance"/>).</remarks>
    public void QuantizeRow(ReadOnlySpan<float> src, Span<byte> dst, ReadOnlySpan<float> importance)
    {
        if (importance.IsEmpty)
        {
            QuantizeRow(src, dst);
            return;
        }

        GgmlMath.CheckRow(this, src.Length, dst.Length, nameof(src), nameof(dst));
        KQuantMath.CheckImportanceLength(src.Length, importance.Length);
        LegacyImportance.QuantizeSymmetric(src, dst, importance, fifthBit: false);
    }

    /// <inheritdoc />
    /// <exception cref="ArgumentException">The lengths do not fit whole Q4_0 blocks.</exception>
    public void QuantizeRow(ReadOnlySpan<float> src, Span<byte> dst)
    {
        GgmlMath.CheckRow(this, src.Length, dst.Length, nameof(src), nameof(dst));
        int nb = src.Length / Qk;
        for (int i = 0; i < nb; i++)
        {
            var x = src.Slice(i * Qk, Qk);
            var y = dst.Slice(i * BlockBytes, BlockBytes);
            float max = GgmlMath.SignedAbsMax(x);
            float d = max / -8;
            float id = d != 0f ? 1.0f / d : 0.0f;
            GgmlMath.WriteHalf(y, d);
            // C: MIN(15, (int8_t)(x·id + 8.5f)); x − 0 is x exactly, so the shared loop's subtraction changes nothing.
            GgmlMath.QuantizeNibbles(x, 0f, id, 8.5f, 15, y.Slice(2, 16), out _);
        }
    }

    /// <inheritdoc />
    /// <exception cref="ArgumentException">The lengths do not fit whole Q4_0 blocks.</exception>
    public void DequantizeRow(ReadOnlySpan<byte> src, Span<float> dst)
    {
        GgmlMath.CheckRow(this, dst.Length, src.Length, nameof(dst), nameof(src));
        int nb = dst.Length / Qk;
        for (int i = 0; i < nb; i++)
        {
            var y = src.Slice(i * BlockBytes, BlockBytes);
            float d = GgmlMath.ReadHalf(y);
            for (int j = 0; j < Qk / 2; j++)
            {
                dst[i * Qk + j] = ((y[2 + j] & 0x0F) - 8) * d;
                dst[i * Qk + j + Qk / 2] = ((y[2 + j] >> 4) - 8) * d;
            }
        }
    }
}
