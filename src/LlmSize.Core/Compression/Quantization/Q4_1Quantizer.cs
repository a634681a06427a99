using LlmSize.Core.Precision;

namespace LlmSize.Core.Compression.Quantization;

/// <summary>
/// ggml Q4_1: blocks of 32 weights as fp16 scale d = (max − min) / 15, fp16 minimum m and 32 four-bit values
/// q = min(15, trunc((x − min)/d + 0.5)), element j low nibble, j + 16 high nibble (20 bytes per block, 5 bits per
/// weight); x ≈ q·d + m.
/// </summary>
/// <remarks>Follows <c>quantize_row_q4_1_ref</c> / <c>dequantize_row_q4_1</c> in ggml <c>src/ggml-quants.c</c>
/// (block_q4_1: <c>ggml_half d, m; uint8_t qs[16]</c>).</remarks>
public sealed class Q4_1Quantizer : IImportanceRowQuantizer
{
    private const int Qk = 32;
    private const int BlockBytes = 20;

    /// <summary>The shared instance (the quantizer is stateless).</summary>
    public static Q4_1Quantizer Instance { get; } = new();

    /// <inheritdoc />
    public TensorDataType Type => TensorDataType.Q4_1;

    /// <inheritdoc />
    /// <exception cref="ArgumentException">The lengths do not fit whole Q4_1 blocks, or the importance weights are not
    /// one per element.</exception>
    /// <remarks>With importance weights: ggml <c>quantize_row_q4_1_impl</c> (see <see cref="LegacyImportance"/>).</remarks>
    public void QuantizeRow(ReadOnlySpan<float> src, Span<byte> dst, ReadOnlySpan<float> importance)
    {
        if (importance.IsEmpty)
        {
            QuantizeRow(src, dst);
            return;
        }

        GgmlMath.CheckRow(this, src.Length, dst.Length, nameof(src), nameof(dst));
        KQuantMath.CheckImportanceLength(src.Length, importance.Length);
        LegacyImportance.QuantizeAffine(src, dst, importance, fifthBit: false);
    }

    /// <inheritdoc />
    /// <exception cref="ArgumentException">The lengths do not fit whole Q4_1 blocks.</exception>
    public void QuantizeRow(ReadOnlySpan<float> src, Span<byte> dst)
    {
        GgmlMath.CheckRow(this, src.Length, dst.Length, nameof(src), nameof(dst));
        int nb = src.Length / Qk;
        for (int i = 0; i < nb; i++)
        {
            var x = src.Slice(i * Qk, Qk);
            var y = dst.Slice(i * BlockBytes, BlockBytes);
            var (min, max) = GgmlMath.MinMax(x);
            float d = (max - min) / ((1 << 4) - 1);
            float id = d != 0f ? 1.0f / d : 0.0f;
            GgmlMath.WriteHalf(y, d);
            GgmlMath.WriteHalf(y[2..], min);
            // C: MIN(15, (int8_t)((x − min)·id + 0.5f)).
            GgmlMath.QuantizeNibbles(x, min, id, 0.5f, 15, y.Slice(4, 16), out _);
        }
    }

    /// <inheritdoc />
    /// <exception cref="ArgumentException">The lengths do not fit whole Q4_1 blocks.</exception>
    public void DequantizeRow(ReadOnlySpan<byte> src, Span<float> dst)
    {
        GgmlMath.CheckRow(this, dst.Length, src.Length, nameof(dst), nameof(src));
        int nb = dst.Length / Qk;
        for (int i = 0; i < nb; i++)
        {
            var y = src.Slice(i * BlockBytes, BlockBytes);
            float d = GgmlMath.ReadHalf(y);
            float m = GgmlMath.ReadHalf(y[2..]);
            for (int j = 0; j < Qk / 2; j++)
            {
                dst[i * Qk + j] = (y[4 + j] & 0x0F) * d + m;
                dst[i * Qk + j + Qk / 2] = (y[4 + j] >> 4) * d + m;
            }
        }
    }
}
