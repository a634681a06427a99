using LlmSize.Core.Precision;

namespace LlmSize.Core.Formats.Onnx;

/// <summary>
/// <c>TensorProto.DataType</c> of <c>onnx/onnx.proto</c>: the element type id stored in an ONNX tensor.
/// </summary>
public enum OnnxElementType
{
    /// <summary>UNDEFINED (0): not valid for a stored tensor.</summary>
    Undefined = 0,
    /// <summary>FLOAT: IEEE 754 binary32.</summary>
    Float = 1,
    /// <summary>UINT8.</summary>
    UInt8 = 2,
    /// <summary>INT8.</summary>
    Int8 = 3,
    /// <summary>UINT16.</summary>
    UInt16 = 4,
    /// <summary>INT16.</summary>
    Int16 = 5,
    /// <summary>INT32.</summary>
    Int32 = 6,
    /// <summary>INT64.</summary>
    Int64 = 7,
    /// <summary>STRING: variable-length UTF-8 strings in <c>string_data</c>.</summary>
    String = 8,
    /// <summary>BOOL: one byte per element.</summary>
    Bool = 9,
    /// <summary>FLOAT16: IEEE 754 binary16.</summary>
    Float16 = 10,
    /// <summary>DOUBLE: IEEE 754 binary64.</summary>
    Double = 11,
    /// <summary>UINT32.</summary>
    UInt32 = 12,
    /// <summary>UINT64.</summary>
    UInt64 = 13,
    /// <summary>COMPLEX64: two binary32.</summary>
    Complex64 = 14,
    /// <summary>COMPLEX128: two binary64.</summary>
    Complex128 = 15,
    /// <summary>BFLOAT16.</summary>
    BFloat16 = 16,
    /// <summary>FLOAT8E4M3FN.</summary>
    Float8E4M3FN = 17,
    /// <summary>FLOAT8E4M3FNUZ.</summary>
    Float8E4M3FNUZ = 18,
    /// <summary>FLOAT8E5M2.</summary>
    Float8E5M2 = 19,
    /// <summary>FLOAT8E5M2FNUZ.</summary>
    Float8E5M2FNUZ = 20,
    /// <summary>UINT4: two elements per byte.</summary>
    UInt4 = 21,
    /// <summary>INT4: two elements per byte.</summary>
    Int4 = 22,
    /// <summary>FLOAT4E2M1: two elements per byte.</summary>
    Float4E2M1 = 23,
    /// <summary>FLOAT8E8M0: the MX scale type.</summary>
    Float8E8M0 = 24,
    /// <summary>UINT2: four elements per byte.</summary>
    UInt2 = 25,
    /// <summary>INT2: four elements per byte.</summary>
    Int2 = 26,
}

/// <summary>Maps <see cref="OnnxElementType"/> to the project's <see cref="TensorDataType"/>.</summary>
public static class OnnxElementTypes
{
    /// <summary>Returns the storage type of an ONNX element type.</summary>
    /// <param name="type">The ONNX type.</param>
    /// <param name="dataType">The matching type; <see cref="TensorDataType.U8"/> for STRING (whose size is the bytes of its
    /// strings, not a per-element width).</param>
    /// <returns>False for UNDEFINED and ids no version of onnx.proto defines.</returns>
    public static bool TryGetDataType(OnnxElementType type, out TensorDataType dataType)
    {
        TensorDataType? t = type switch
        {
            OnnxElementType.Float => TensorDataType.F32,
            OnnxElementType.UInt8 => TensorDataType.U8,
            OnnxElementType.Int8 => TensorDataType.I8,
            OnnxElementType.UInt16 => TensorDataType.U16,
            OnnxElementType.Int16 => TensorDataType.I16,
            OnnxElementType.Int32 => TensorDataType.I32,
            OnnxElementType.Int64 => TensorDataType.I64,
            OnnxElementType.String => TensorDataType.U8,
            OnnxElementType.Bool => TensorDataType.Bool,
            OnnxElementType.Float16 => TensorDataType.F16,
            OnnxElementType.Double => TensorDataType.F64,
            OnnxElementType.UInt32 => TensorDataType.U32,
            OnnxElementType.UInt64 => TensorDataType.U64,
            OnnxElementType.Complex64 => TensorDataType.C64,
            OnnxElementType.Complex128 => TensorDataType.C128,
            OnnxElementType.BFloat16 => TensorDataType.BF16,
            OnnxElementType.Float8E4M3FN => TensorDataType.F8_E4M3,
            OnnxElementType.Float8E4M3FNUZ => TensorDataType.F8_E4M3FNUZ,
            OnnxElementType.Float8E5M2 => TensorDataType.F8_E5M2,
            OnnxElementType.Float8E5M2FNUZ => TensorDataType.F8_E5M2FNUZ,
            OnnxElementType.UInt4 => TensorDataType.U4,
            OnnxElementType.Int4 => TensorDataType.I4,
            OnnxElementType.Float4E2M1 => TensorDataType.F4,
            OnnxElementType.Float8E8M0 => TensorDataType.F8_E8M0,
            OnnxElementType.UInt2 => TensorDataType.U2,
            OnnxElementType.Int2 => TensorDataType.I2,
            _ => null,
        };
        dataType = t!;
        return t is not null;
    }

    /// <summary>
    /// Bytes that <paramref name="elements"/> elements of <paramref name="dataType"/> occupy in ONNX <c>raw_data</c> or
    /// external data: sub-byte types are packed and the last byte is padded (onnx.proto: INT4 "packed two per byte").
    /// </summary>
    /// <param name="dataType">Storage type.</param>
    /// <param name="elements">Element count, ≥ 0.</param>
    /// <returns>Bytes, rounded up to whole blocks.</returns>
    /// <exception cref="OverflowException">The result does not fit in 64 bits.</exception>
    public static long GetPackedByteCount(TensorDataType dataType, long elements)
    {
        ArgumentNullException.ThrowIfNull(dataType);
        ArgumentOutOfRangeException.ThrowIfNegative(elements);
        long blocks = elements / dataType.BlockSize + (elements % dataType.BlockSize != 0 ? 1 : 0);
        return checked(blocks * dataType.BlockBytes);
    }

    /// <summary>True for the floating-point element types (candidates for learned weights).</summary>
    /// <param name="type">The ONNX type.</param>
    /// <returns>True for FLOAT, FLOAT16, BFLOAT16, DOUBLE and the FP8 / FP4 types.</returns>
    public static bool IsFloat(OnnxElementType type) => type is OnnxElementType.Float or OnnxElementType.Float16
        or OnnxElementType.BFloat16 or OnnxElementType.Double or OnnxElementType.Float8E4M3FN
        or OnnxElementType.Float8E4M3FNUZ or OnnxElementType.Float8E5M2 or OnnxElementType.Float8E5M2FNUZ
        or OnnxElementType.Float4E2M1;
}
