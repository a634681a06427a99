namespace LlmSize.Core.Formats.Gguf;

/// <summary>
/// Type tag of a GGUF metadata value (<c>enum gguf_metadata_value_type</c> in the GGUF specification, section
/// "File Structure"). The numeric values are the on-disk UINT32 tags.
/// </summary>
public enum GgufValueType : uint
{
    /// <summary>8-bit unsigned integer (.NET <see cref="byte"/>).</summary>
    UInt8 = 0,
    /// <summary>8-bit signed integer (.NET <see cref="sbyte"/>).</summary>
    Int8 = 1,
    /// <summary>16-bit unsigned integer (.NET <see cref="ushort"/>).</summary>
    UInt16 = 2,
    /// <summary>16-bit signed integer (.NET <see cref="short"/>).</summary>
    Int16 = 3,
    /// <summary>32-bit unsigned integer (.NET <see cref="uint"/>).</summary>
    UInt32 = 4,
    /// <summary>32-bit signed integer (.NET <see cref="int"/>).</summary>
    Int32 = 5,
    /// <summary>IEEE 754 binary32 (.NET <see cref="float"/>).</summary>
    Float32 = 6,
    /// <summary>One byte, 0 = false, 1 = true (.NET <see cref="bool"/>).</summary>
    Bool = 7,
    /// <summary>UTF-8 string with a length prefix, not NUL-terminated (.NET <see cref="string"/>).</summary>
    String = 8,
    /// <summary>Typed array: element type, count, elements (.NET <see cref="GgufArray"/>).</summary>
    Array = 9,
    /// <summary>64-bit unsigned integer (.NET <see cref="ulong"/>), since GGUF v2.</summary>
    UInt64 = 10,
    /// <summary>64-bit signed integer (.NET <see cref="long"/>), since GGUF v2.</summary>
    Int64 = 11,
    /// <summary>IEEE 754 binary64 (.NET <see cref="double"/>), since GGUF v2.</summary>
    Float64 = 12,
}
