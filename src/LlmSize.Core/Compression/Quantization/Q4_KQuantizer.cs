using LlmSize.Core.Precision;

namespace LlmSize.Core.Compression.Quantization;

/// <summary>
/// ggml Q4_K: super-blocks of 256 weights in 144 bytes (4.5 bits per weight), eight groups of 32 with a 6-bit scale
/// and a 6-bit min each, levels 0–15: <c>w ≈ d·scale_j·q − dmin·min_j</c>. Byte-identical to ggml's
/// <c>quantize_row_q4_K_ref</c>, which is what <c>ggml_quantize_chunk</c> (and so <c>llama_model_quantize</c>) runs
/// for Q4_K when no importance matrix is given.
/// </summary>
/// <remarks>
/// Block layout (<c>block_q4_K</c>, ggml/src/ggml-common.h): <c>d</c> FP16 (bytes 0–1), <c>dmin</c> FP16 (2–3),
/// 12 bytes of packed 6-bit scales and mins (4–15, see <c>get_scale_min_k4</c>), 128 bytes of 4-bit levels (16–143):
/// byte <c>32·c + l</c> holds element <c>64·c + l</c> in its low nibble and <c>64·c + 32 + l</c> in its high nibble.
/// Algorithm: ggml/src/ggml-quants.c <c>quantize_row_q4_K_ref</c> / <c>dequantize_row_q4_K</c>.
/// NaN or ±Inf weights are not rejected: like the reference, they yield the same (meaningless) bytes ggml writes;
/// callers that must not write garbage check for them first.
/// </remarks>
public sealed class Q4_KQuantizer : IImportanceRowQuantizer
{
    private const int BlockBytes = 144;

    /// <inheritdoc />
    public TensorDataType Type => TensorDataType.Q4_K;

    /// <inheritdoc />
    /// <exception cref="ArgumentException"><paramref name="src"/> is not a multiple of 256 weights, or
    /// <paramref name="dst"/> is not exactly 144 bytes per 256 weights.</exception>
    public void QuantizeRow(ReadOnlySpan<float> src, Span<byte> dst) => QuantizeRow(src, dst, default);

    /// <inheritdoc />
    /// <remarks>With importance weights: ggml <c>quantize_row_q4_K_impl</c> (groups fitted by <c>make_qkx3_quants</c>
    /// with weights <c>w·sqrt(σ² + x²)</c>, σ² = 2·Σx²/256; block scales and mins by <c>make_qp_quants</c>).</remarks>
    public void QuantizeRow(ReadOnlySpan<float> src, Span<byte> dst, ReadOnlySpan<float> importance)
    {
        int blocks = KQuantMath.CheckQuantizeLengths(src.Length, dst.Length, BlockBytes, "Q4_K");
        KQuantMath.CheckImportanceLength(src.Length, importance.Length);
        Span<byte> levels = stackalloc byte[KQuantMath.QK];
        for (int b = 0; b < blocks; ++b)
        {
            ReadOnlySpan<float> x = src.Slice(b * KQuantMath.QK, KQuantMath.QK);
            Span<byte> block = dst.Slice(b * BlockBytes, BlockBytes);
            if (importance.IsEmpty) KQuantMath.QuantizeAffineSuperBlock(x, 15, -1f, 0.1f, 20, block, levels);
            else KQuantMath.QuantizeAffineSuperBlockWeighted(x, importance.Slice(b * KQuantMath.QK, KQuantMath.QK), 15, block, levels);

            Span<byte> qs = block.Slice(16, 128);
            for (int c = 0; c < 4; ++c)
            {
                for (int l = 0; l < 32; ++l)
                {
                    qs[32 * c + l] = (byte)(levels[64 * c + l] | (levels[64 * c + 32 + l] << 4));
                }
            }
        }
    }

    /// <inheritdoc />
    /// <exception cref="ArgumentException"><paramref name="src"/> is not a whole number of 144-byte blocks, or
    /// <paramref name="dst"/> does not hold exactly 256 weights per block.</exception>
    public void DequantizeRow(ReadOnlySpan<byte> src, Span<float> dst)
    {
        int blocks = KQuantMath.CheckDequantizeLengths(src.Length, dst.Length, BlockBytes, "Q4_K");
        for (int b = 0; b < blocks; ++b)
        {
            ReadOnlySpan<byte> block = src.Slice(b * BlockBytes, BlockBytes);
            Span<float> y = dst.Slice(b * KQuantMath.QK, KQuantMath.QK);
            float d = KQuantMath.ReadHalf(block, 0);
            float min = KQuantMath.ReadHalf(block, 2);
            ReadOnlySpan<byte> scales = block.Slice(4, 12);
            ReadOnlySpan<byte> qs = block.Slice(16, 128);
            for (int c = 0; c < 4; ++c)
            {
                KQuantMath.GetScaleMinK4(2 * c, scales, out byte sc1, out byte m1);
                KQuantMath.GetScaleMinK4(2 * c + 1, scales, out byte sc2, out byte m2);
                float d1 = d * sc1, min1 = min * m1;
                float d2 = d * sc2, min2 = min * m2;
                for (int l = 0; l < 32; ++l)
                {
                    y[64 * c + l] = d1 * (qs[32 * c + l] & 0xF) - min1;
                }

                for (int l = 0; l < 32; ++l)
                {
                    y[64 * c + 32 + l] = d2 * (qs[32 * c + l] >> 4) - min2;
                }
            }
        }
    }
}
