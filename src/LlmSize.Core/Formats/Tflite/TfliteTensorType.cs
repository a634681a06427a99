using LlmSize.Core.Precision;

namespace LlmSize.Core.Formats.Tflite;

/// <summary>
/// TFLite tensor element types: <c>enum TensorType : byte</c> of <c>tensorflow/lite/schema/schema.fbs</c>
/// (values 0–18 as in the TensorFlow schema; 19–22 added later by LiteRT: INT2, UINT4, FLOAT8_E4M3FN, FLOAT8_E5M2).
/// </summary>
public enum TfliteTensorType : byte
{
    /// <summary>IEEE binary32.</summary>
    Float32 = 0,
    /// <summary>IEEE binary16.</summary>
    Float16 = 1,
    /// <summary>Signed 32-bit integer.</summary>
    Int32 = 2,
    /// <summary>Unsigned 8-bit integer.</summary>
    UInt8 = 3,
    /// <summary>Signed 64-bit integer.</summary>
    Int64 = 4,
    /// <summary>Variable-length strings (TFLite's packed string buffer); no fixed element size.</summary>
    String = 5,
    /// <summary>Boolean, one byte per element.</summary>
    Bool = 6,
    /// <summary>Signed 16-bit integer.</summary>
    Int16 = 7,
    /// <summary>Complex of two binary32.</summary>
    Complex64 = 8,
    /// <summary>Signed 8-bit integer.</summary>
    Int8 = 9,
    /// <summary>IEEE binary64.</summary>
    Float64 = 10,
    /// <summary>Complex of two binary64.</summary>
    Complex128 = 11,
    /// <summary>Unsigned 64-bit integer.</summary>
    UInt64 = 12,
    /// <summary>Resource handle; no fixed element size.</summary>
    Resource = 13,
    /// <summary>Variant handle; no fixed element size.</summary>
    Variant = 14,
    /// <summary>Unsigned 32-bit integer.</summary>
    UInt32 = 15,
    /// <summary>Unsigned 16-bit integer.</summary>
    UInt16 = 16,
    /// <summary>Signed 4-bit integer, two per byte (an odd count rounds up to a whole byte).</summary>
    Int4 = 17,
    /// <summary>bfloat16.</summary>
    BFloat16 = 18,
    /// <summary>Signed 2-bit integer, four per byte.</summary>
    Int2 = 19,
    /// <summary>Unsigned 4-bit integer, two per byte.</summary>
    UInt4 = 20,
    /// <summary>8-bit float E4M3 (finite, no infinities).</summary>
    Float8E4M3FN = 21,
    /// <summary>8-bit float E5M2.</summary>
    Float8E5M2 = 22,
}

/// <summary>Sizes and project dtype mappings of <see cref="TfliteTensorType"/>.</summary>
public static class TfliteTensorTypeExtensions
{
    /// <summary>The highest <see cref="TfliteTensorType"/> value this reader knows.</summary>
    internal const byte MaxKnown = (byte)TfliteTensorType.Float8E5M2;

    /// <summary>The project's dtype for a TFLite type, or null for STRING, RESOURCE, VARIANT and COMPLEX128, which
    /// have no <see cref="TensorDataType"/>.</summary>
    /// <param name="type">The TFLite type.</param>
    /// <returns>The matching dtype or null.</returns>
    public static TensorDataType? ToDataType(this TfliteTensorType type) => type switch
    {
        TfliteTensorType.Float32 => TensorDataType.F32,
        TfliteTensorType.Float16 => TensorDataType.F16,
        TfliteTensorType.Int32 => TensorDataType.I32,
        TfliteTensorType.UInt8 => TensorDataType.U8,
        TfliteTensorType.Int64 => TensorDataType.I64,
        TfliteTensorType.Bool => TensorDataType.Bool,
        TfliteTensorType.Int16 => TensorDataType.I16,
        TfliteTensorType.Complex64 => TensorDataType.C64,
        TfliteTensorType.Int8 => TensorDataType.I8,
        TfliteTensorType.Float64 => TensorDataType.F64,
        TfliteTensorType.UInt64 => TensorDataType.U64,
        TfliteTensorType.UInt32 => TensorDataType.U32,
        TfliteTensorType.UInt16 => TensorDataType.U16,
        TfliteTensorType.Int4 => TensorDataType.I4,
        TfliteTensorType.BFloat16 => TensorDataType.BF16,
        TfliteTensorType.Int2 => TensorDataType.I2,
        TfliteTensorType.UInt4 => TensorDataType.U4,
        TfliteTensorType.Float8E4M3FN => TensorDataType.F8_E4M3,
        TfliteTensorType.Float8E5M2 => TensorDataType.F8_E5M2,
        _ => null,
    };

    /// <summary>
    /// Dense storage bytes of <paramref name="elementCount"/> elements of <paramref name="type"/>: sub-byte types
    /// are packed and rounded up to a whole byte (TFLite packs INT4 two per byte, low nibble first); null for types
    /// without a fixed element size (STRING, RESOURCE, VARIANT).
    /// </summary>
    /// <param name="type">The TFLite type.</param>
    /// <param name="elementCount">Number of elements, ≥ 0.</param>
    /// <returns>Bytes, or null when the type has no fixed size or the product overflows 64 bits.</returns>
    public static long? GetDenseByteCount(this TfliteTensorType type, long elementCount)
    {
        if (elementCount < 0) return null;
        if (type == TfliteTensorType.Complex128) return elementCount > long.MaxValue / 16 ? null : elementCount * 16;
        TensorDataType? dt = type.ToDataType();
        if (dt is null) return null;
        long blocks = elementCount / dt.BlockSize + (elementCount % dt.BlockSize == 0 ? 0 : 1);
        return blocks > long.MaxValue / dt.BlockBytes ? null : blocks * dt.BlockBytes;
    }
}
