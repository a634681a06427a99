using System.Buffers.Binary;
using System.Runtime.InteropServices;
using LlmSize.Core.Precision;

namespace LlmSize.Core.Compression.Quantization;

/// <summary>ggml F16 "quantization": each weight rounded to IEEE binary16, round to nearest even (2 bytes per weight).</summary>
/// <remarks>Follows <c>ggml_fp32_to_fp16_row</c> (ggml <c>src/ggml.c</c>) with <c>ggml_compute_fp32_to_fp16</c>.</remarks>
public sealed class F16RowConverter : IRowQuantizer
{
    /// <summary>The shared instance (stateless).</summary>
    public static F16RowConverter Instance { get; } = new();

    /// <inheritdoc />
    public TensorDataType Type => TensorDataType.F16;

    /// <inheritdoc />
    /// <exception cref="ArgumentException"><paramref name="dst"/> is not 2 bytes per element.</exception>
    public void QuantizeRow(ReadOnlySpan<float> src, Span<byte> dst)
    {
        GgmlMath.CheckRow(this, src.Length, dst.Length, nameof(src), nameof(dst));
        for (int i = 0; i < src.Length; i++)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(dst.Slice(i * 2, 2), GgmlMath.FloatToHalfBits(src[i]));
        }
    }

    /// <inheritdoc />
    /// <exception cref="ArgumentException"><paramref name="src"/> is not 2 bytes per element.</exception>
    public void DequantizeRow(ReadOnlySpan<byte> src, Span<float> dst)
    {
        GgmlMath.CheckRow(this, dst.Length, src.Length, nameof(dst), nameof(src));
        for (int i = 0; i < dst.Length; i++)
        {
            dst[i] = GgmlMath.HalfBitsToFloat(BinaryPrimitives.ReadUInt16LittleEndian(src.Slice(i * 2, 2)));
        }
    }
}

/// <summary>ggml BF16: each weight rounded to bfloat16 (the top 16 bits of fp32), round to nearest even.</summary>
/// <remarks>Follows <c>ggml_fp32_to_bf16_row_ref</c> (ggml <c>src/ggml.c</c>) with <c>ggml_compute_fp32_to_bf16</c>.</remarks>
public sealed class BF16RowConverter : IRowQuantizer
{
    /// <summary>The shared instance (stateless).</summary>
    public static BF16RowConverter Instance { get; } = new();

    /// <inheritdoc />
    public TensorDataType Type => TensorDataType.BF16;

    /// <inheritdoc />
    /// <exception cref="ArgumentException"><paramref name="dst"/> is not 2 bytes per element.</exception>
    public void QuantizeRow(ReadOnlySpan<float> src, Span<byte> dst)
    {
        GgmlMath.CheckRow(this, src.Length, dst.Length, nameof(src), nameof(dst));
        for (int i = 0; i < src.Length; i++)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(dst.Slice(i * 2, 2), GgmlMath.FloatToBFloat16Bits(src[i]));
        }
    }

    /// <inheritdoc />
    /// <exception cref="ArgumentException"><paramref name="src"/> is not 2 bytes per element.</exception>
    public void DequantizeRow(ReadOnlySpan<byte> src, Span<float> dst)
    {
        GgmlMath.CheckRow(this, dst.Length, src.Length, nameof(dst), nameof(src));
        for (int i = 0; i < dst.Length; i++)
        {
            dst[i] = GgmlMath.BFloat16BitsToFloat(BinaryPrimitives.ReadUInt16LittleEndian(src.Slice(i * 2, 2)));
        }
    }
}

/// <summary>ggml F32: the weights unchanged, little-endian.</summary>
public sealed class F32RowConverter : IRowQuantizer
{
    /// <summary>The shared instance (stateless).</summary>
    public static F32RowConverter Instance { get; } = new();

    /// <inheritdoc />
    public TensorDataType Type => TensorDataType.F32;

    /// <inheritdoc />
    /// <exception cref="ArgumentException"><paramref name="dst"/> is not 4 bytes per element.</exception>
    public void QuantizeRow(ReadOnlySpan<float> src, Span<byte> dst)
    {
        GgmlMath.CheckRow(this, src.Length, dst.Length, nameof(src), nameof(dst));
        if (BitConverter.IsLittleEndian)
        {
            MemoryMarshal.AsBytes(src).CopyTo(dst);
            return;
        }

        for (int i = 0; i < src.Length; i++) BinaryPrimitives.WriteSingleLittleEndian(dst.Slice(i * 4, 4), src[i]);
    }

    /// <inheritdoc />
    /// <exception cref="ArgumentException"><paramref name="src"/> is not 4 bytes per element.</exception>
    public void DequantizeRow(ReadOnlySpan<byte> src, Span<float> dst)
    {
        GgmlMath.CheckRow(this, dst.Length, src.Length, nameof(dst), nameof(src));
        for (int i = 0; i < dst.Length; i++) dst[i] = BinaryPrimitives.ReadSingleLittleEndian(src.Slice(i * 4, 4));
    }
}
