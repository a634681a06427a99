using System.Collections.Frozen;

namespace LlmSize.Core.Precision;

/// <summary>What kind of numbers a <see cref="TensorDataType"/> stores.</summary>
public enum DataTypeKind
{
    /// <summary>IEEE / brain / OCP-microscaling floating point, one element per slot (F32, BF16, F8_E4M3, F4 …).</summary>
    Float,
    /// <summary>Signed integer.</summary>
    SignedInteger,
    /// <summary>Unsigned integer.</summary>
    UnsignedInteger,
    /// <summary>Boolean (one byte per element in safetensors).</summary>
    Boolean,
    /// <summary>Complex number.</summary>
    Complex,
    /// <summary>Block-quantized: a block of <see cref="TensorDataType.BlockSize"/> weights shares scales (ggml Q4_K, Q8_0 …).</summary>
    BlockQuantized,
}

/// <summary>
/// A tensor element type: its storage layout as blocks of <see cref="BlockSize"/> elements taking
/// <see cref="BlockBytes"/> bytes. Plain types have a block of one element (F32: 1 element, 4 bytes); sub-byte types
/// pack several elements per block (safetensors F4: 2 elements, 1 byte); ggml quantized types carry their per-block
/// scales in the block (Q4_K: 256 elements, 144 bytes).
/// </summary>
/// <remarks>
/// Sources: safetensors <c>Dtype</c> enum and <c>bitsize()</c> (huggingface/safetensors, safetensors/src/tensor.rs);
/// ggml <c>type_traits</c> (ggml/src/ggml.c) (https://github.com/ggml-org/llama.cpp/blob/master/ggml/src/ggml.c; block layouts in ggml/src/ggml-common.h).
/// Instances are interned: compare with <c>==</c>.
/// </remarks>
public sealed class TensorDataType
{
    private TensorDataType(string name, DataTypeKind kind, int blockSize, int blockBytes, int? ggmlTypeId, string? safetensorsName)
    {
        Name = name;
        Kind = kind;
        BlockSize = blockSize;
        BlockBytes = blockBytes;
        GgmlTypeId = ggmlTypeId;
        SafetensorsName = safetensorsName;
    }

    /// <summary>Canonical upper-case name (GGUF / safetensors spelling: "F32", "BF16", "Q4_K", "F8_E4M3").</summary>
    public string Name { get; }

    /// <summary>Kind of values stored.</summary>
    public DataTypeKind Kind { get; }

    /// <summary>Elements per storage block (1 for plain types, 32 or 256 for ggml quantized types).</summary>
    public int BlockSize { get; }

    /// <summary>Bytes per storage block, scales included.</summary>
    public int BlockBytes { get; }

    /// <summary>Storage bits per element, block overhead (scales, mins) included: <c>BlockBytes × 8 / BlockSize</c>.</summary>
    public double BitsPerElement => BlockBytes * 8.0 / BlockSize;

    /// <summary>The ggml type id (<c>enum ggml_type</c>) when GGUF can store this type, else null.</summary>
    public int? GgmlTypeId { get; }

    /// <summary>The safetensors dtype string when safetensors can store this type, else null.</summary>
    public string? SafetensorsName { get; }

    /// <summary>True for floating-point types of one element per block (candidates for quantization input).</summary>
    public bool IsPlainFloat => Kind == DataTypeKind.Float && BlockSize == 1;

    /// <summary>
    /// Exact storage bytes of <paramref name="elementCount"/> elements.
    /// </summary>
    /// <param name="elementCount">Number of elements (parameters), ≥ 0.</param>
    /// <returns>Bytes, computed with checked arithmetic.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="elementCount"/> is negative.</exception>
    /// <exception cref="ArgumentException"><paramref name="elementCount"/> is not a whole number of blocks.</exception>
    /// <exception cref="OverflowException">The byte count does not fit in 64 bits.</exception>
    public long GetByteCount(long elementCount)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(elementCount);
        if (elementCount % BlockSize != 0)
        {
            throw new ArgumentException(
                $"{elementCount} elements is not a whole number of {Name} blocks of {BlockSize} elements.", nameof(elementCount));
        }

        return checked(elementCount / BlockSize * BlockBytes);
    }

    /// <summary>Like <see cref="GetByteCount"/> but returns false instead of throwing.</summary>
    /// <param name="elementCount">Number of elements.</param>
    /// <param name="bytes">Exact byte count when the result is true.</param>
    /// <returns>False when negative, not a whole number of blocks, or overflowing.</returns>
    public bool TryGetByteCount(long elementCount, out long bytes)
    {
        bytes = 0;
        if (elementCount < 0 || elementCount % BlockSize != 0) return false;
        long blocks = elementCount / BlockSize;
        if (blocks > long.MaxValue / BlockBytes) return false;
        bytes = blocks * BlockBytes;
        return true;
    }

    /// <inheritdoc />
    public override string ToString() => Name;

    // ---- plain types (safetensors and/or GGUF) ----
#pragma warning disable CS1591 // the names are the documentation: the spec's own type names
    public static readonly TensorDataType F64 = new("F64", DataTypeKind.Float, 1, 8, 28, "F64");
    public static readonly TensorDataType F32 = new("F32", DataTypeKind.Float, 1, 4, 0, "F32");
    public static readonly TensorDataType F16 = new("F16", DataTypeKind.Float, 1, 2, 1, "F16");
    public static readonly TensorDataType BF16 = new("BF16", DataTypeKind.Float, 1, 2, 30, "BF16");
    public static readonly TensorDataType I64 = new("I64", DataTypeKind.SignedInteger, 1, 8, 27, "I64");
    public static readonly TensorDataType I32 = new("I32", DataTypeKind.SignedInteger, 1, 4, 26, "I32");
    public static readonly TensorDataType I16 = new("I16", DataTypeKind.SignedInteger, 1, 2, 25, "I16");
    public static readonly TensorDataType I8 = new("I8", DataTypeKind.SignedInteger, 1, 1, 24, "I8");
    public static readonly TensorDataType U64 = new("U64", DataTypeKind.UnsignedInteger, 1, 8, null, "U64");
    public static readonly TensorDataType U32 = new("U32", DataTypeKind.UnsignedInteger, 1, 4, null, "U32");
    public static readonly TensorDataType U16 = new("U16", DataTypeKind.UnsignedInteger, 1, 2, null, "U16");
    public static readonly TensorDataType U8 = new("U8", DataTypeKind.UnsignedInteger, 1, 1, null, "U8");
    public static readonly TensorDataType Bool = new("BOOL", DataTypeKind.Boolean, 1, 1, null, "BOOL");
    public static readonly TensorDataType F8_E4M3 = new("F8_E4M3", DataTypeKind.Float, 1, 1, null, "F8_E4M3");
    public static readonly TensorDataType F8_E5M2 = new("F8_E5M2", DataTypeKind.Float, 1, 1, null, "F8_E5M2");
    public static readonly TensorDataType F8_E8M0 = new("F8_E8M0", DataTypeKind.Float, 1, 1, null, "F8_E8M0");
    /// <summary>FP4 E2M1: 4 bits, two elements per byte.</summary>
    public static readonly TensorDataType F4 = new("F4", DataTypeKind.Float, 2, 1, null, "F4");
    /// <summary>FP6 E2M3: 6 bits, four elements per 3 bytes.</summary>
    public static readonly TensorDataType F6_E2M3 = new("F6_E2M3", DataTypeKind.Float, 4, 3, null, "F6_E2M3");
    /// <summary>FP6 E3M2: 6 bits, four elements per 3 bytes.</summary>
    public static readonly TensorDataType F6_E3M2 = new("F6_E3M2", DataTypeKind.Float, 4, 3, null, "F6_E3M2");
    /// <summary>Complex of two F32.</summary>
    public static readonly TensorDataType C64 = new("C64", DataTypeKind.Complex, 1, 8, null, "C64");
    /// <summary>FP8 E4M3 "FNUZ" variant (finite, no negative zero; AMD MI300 style), one byte per element.</summary>
    public static readonly TensorDataType F8_E4M3FNUZ = new("F8_E4M3FNUZ", DataTypeKind.Float, 1, 1, null, "F8_E4M3FNUZ");
    /// <summary>FP8 E5M2 "FNUZ" variant (finite, no negative zero), one byte per element.</summary>
    public static readonly TensorDataType F8_E5M2FNUZ = new("F8_E5M2FNUZ", DataTypeKind.Float, 1, 1, null, "F8_E5M2FNUZ");
    /// <summary>Signed 4-bit integer, two elements per byte (TFLite <c>INT4</c>, ONNX <c>INT4</c>).</summary>
    public static readonly TensorDataType I4 = new("I4", DataTypeKind.SignedInteger, 2, 1, null, null);
    /// <summary>Unsigned 4-bit integer, two elements per byte (TFLite <c>UINT4</c>, ONNX <c>UINT4</c>).</summary>
    public static readonly TensorDataType U4 = new("U4", DataTypeKind.UnsignedInteger, 2, 1, null, null);
    /// <summary>Signed 2-bit integer, four elements per byte (TFLite <c>INT2</c>).</summary>
    public static readonly TensorDataType I2 = new("I2", DataTypeKind.SignedInteger, 4, 1, null, null);

    // ---- further ONNX types (onnx/onnx.proto TensorProto.DataType; sub-byte types packed low nibble first) ----
    /// <summary>Complex of two F64 (ONNX COMPLEX128).</summary>
    public static readonly TensorDataType C128 = new("C128", DataTypeKind.Complex, 1, 16, null, null);
    /// <summary>Unsigned 2-bit integer, four elements per byte (ONNX UINT2).</summary>
    public static readonly TensorDataType U2 = new("U2", DataTypeKind.UnsignedInteger, 4, 1, null, null);

    // ---- ggml block-quantized types (ggml.c type_traits) ----
    public static readonly TensorDataType Q4_0 = Q("Q4_0", 2, 32, 18);
    public static readonly TensorDataType Q4_1 = Q("Q4_1", 3, 32, 20);
    public static readonly TensorDataType Q5_0 = Q("Q5_0", 6, 32, 22);
    public static readonly TensorDataType Q5_1 = Q("Q5_1", 7, 32, 24);
    public static readonly TensorDataType Q8_0 = Q("Q8_0", 8, 32, 34);
    public static readonly TensorDataType Q8_1 = Q("Q8_1", 9, 32, 36);
    public static readonly TensorDataType Q2_K = Q("Q2_K", 10, 256, 84);
    public static readonly TensorDataType Q3_K = Q("Q3_K", 11, 256, 110);
    public static readonly TensorDataType Q4_K = Q("Q4_K", 12, 256, 144);
    public static readonly TensorDataType Q5_K = Q("Q5_K", 13, 256, 176);
    public static readonly TensorDataType Q6_K = Q("Q6_K", 14, 256, 210);
    public static readonly TensorDataType Q8_K = Q("Q8_K", 15, 256, 292);
    public static readonly TensorDataType IQ2_XXS = Q("IQ2_XXS", 16, 256, 66);
    public static readonly TensorDataType IQ2_XS = Q("IQ2_XS", 17, 256, 74);
    public static readonly TensorDataType IQ3_XXS = Q("IQ3_XXS", 18, 256, 98);
    public static readonly TensorDataType IQ1_S = Q("IQ1_S", 19, 256, 50);
    public static readonly TensorDataType IQ4_NL = Q("IQ4_NL", 20, 32, 18);
    public static readonly TensorDataType IQ3_S = Q("IQ3_S", 21, 256, 110);
    public static readonly TensorDataType IQ2_S = Q("IQ2_S", 22, 256, 82);
    public static readonly TensorDataType IQ4_XS = Q("IQ4_XS", 23, 256, 136);
    public static readonly TensorDataType IQ1_M = Q("IQ1_M", 29, 256, 56);
    public static readonly TensorDataType TQ1_0 = Q("TQ1_0", 34, 256, 54);
    public static readonly TensorDataType TQ2_0 = Q("TQ2_0", 35, 256, 66);
    public static readonly TensorDataType MXFP4 = Q("MXFP4", 39, 32, 17);
    public static readonly TensorDataType NVFP4 = Q("NVFP4", 40, 64, 36);
    public static readonly TensorDataType Q1_0 = Q("Q1_0", 41, 128, 18);
    public static readonly TensorDataType Q2_0 = Q("Q2_0", 42, 64, 18);
#pragma warning restore CS1591

    private static TensorDataType Q(string name, int id, int block, int bytes) =>
        new(name, DataTypeKind.BlockQuantized, block, bytes, id, null);

    /// <summary>Every known type.</summary>
    public static IReadOnlyList<TensorDataType> All { get; } =
    [
        F64, F32, F16, BF16, I64, I32, I16, I8, U64, U32, U16, U8, Bool, F8_E4M3, F8_E5M2, F8_E8M0, F4, F6_E2M3, F6_E3M2, C64, F8_E4M3FNUZ, F8_E5M2FNUZ, I4, U4, I2,
        Q4_0, Q4_1, Q5_0, Q5_1, Q8_0, Q8_1, Q2_K, Q3_K, Q4_K, Q5_K, Q6_K, Q8_K, IQ2_XXS, IQ2_XS, IQ3_XXS, IQ1_S, IQ4_NL,
        IQ3_S, IQ2_S, IQ4_XS, IQ1_M, TQ1_0, TQ2_0, MXFP4, NVFP4, Q1_0, Q2_0,
        C128, U2,
    ];

    /// <summary>ggml type ids that were removed from ggml and are not valid in GGUF files (Q4_2, Q4_3, Q4_0_4_4 …).</summary>
    public static IReadOnlySet<int> RemovedGgmlTypeIds { get; } = new HashSet<int> { 4, 5, 31, 32, 33, 36, 37, 38 };

    private static readonly FrozenDictionary<int, TensorDataType> ByGgmlId =
        All.Where(t => t.GgmlTypeId is not null).ToFrozenDictionary(t => t.GgmlTypeId!.Value);

    private static readonly FrozenDictionary<string, TensorDataType> BySafetensorsName =
        All.Where(t => t.SafetensorsName is not null).ToFrozenDictionary(t => t.SafetensorsName!, StringComparer.Ordinal);

    private static readonly FrozenDictionary<string, TensorDataType> ByName =
        All.ToFrozenDictionary(t => t.Name, StringComparer.OrdinalIgnoreCase);

    /// <summary>Looks up a ggml type id (<c>enum ggml_type</c>).</summary>
    /// <param name="id">The id as stored in a GGUF tensor info.</param>
    /// <param name="type">The type, when known and not removed.</param>
    /// <returns>False for unknown or removed ids.</returns>
    public static bool TryFromGgmlId(uint id, out TensorDataType type) =>
        ByGgmlId.TryGetValue(id > int.MaxValue ? -1 : (int)id, out type!);

    /// <summary>Looks up a safetensors dtype string (case-sensitive, as the reference implementation's serde is).</summary>
    /// <param name="name">The dtype string, e.g. "BF16".</param>
    /// <param name="type">The type, when known.</param>
    /// <returns>False when the spec defines no such dtype.</returns>
    public static bool TryFromSafetensorsName(string name, out TensorDataType type) =>
        BySafetensorsName.TryGetValue(name, out type!);

    /// <summary>Looks up any type by its canonical name, case-insensitively ("q4_k" → Q4_K).</summary>
    /// <param name="name">Type name.</param>
    /// <param name="type">The type, when known.</param>
    /// <returns>False when unknown.</returns>
    public static bool TryFromName(string name, out TensorDataType type) => ByName.TryGetValue(name, out type!);
}
