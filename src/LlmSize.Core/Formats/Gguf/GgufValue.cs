using System.Globalization;

namespace LlmSize.Core.Formats.Gguf;

/// <summary>
/// One GGUF metadata value: its on-disk <see cref="Type"/> and the value as the natural .NET type
/// (<see cref="byte"/>, <see cref="sbyte"/>, <see cref="ushort"/>, <see cref="short"/>, <see cref="uint"/>,
/// <see cref="int"/>, <see cref="float"/>, <see cref="bool"/>, <see cref="string"/>, <see cref="GgufArray"/>,
/// <see cref="ulong"/>, <see cref="long"/>, <see cref="double"/>).
/// </summary>
public sealed class GgufValue
{
    internal GgufValue(GgufValueType type, object value)
    {
        Type = type;
        Value = value;
    }

    /// <summary>Creates a value for writing (<see cref="GgufWriter"/>), checking that the .NET type of
    /// <paramref name="value"/> is the one <paramref name="type"/> maps to (see the class summary).</summary>
    /// <param name="type">GGUF type tag.</param>
    /// <param name="value">The value: <see cref="uint"/> for UINT32, <see cref="string"/> for STRING,
    /// <see cref="GgufArray"/> for ARRAY, …</param>
    /// <returns>The value.</returns>
    /// <exception cref="ArgumentException"><paramref name="value"/> has the wrong .NET type for <paramref name="type"/>.</exception>
    public static GgufValue Create(GgufValueType type, object value)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (ClrType(type) != value.GetType())
        {
            throw new ArgumentException($"A GGUF {type} value must be a {ClrType(type)?.Name ?? "known type"}, not {value.GetType().Name}.", nameof(value));
        }

        return new GgufValue(type, value);
    }

    /// <summary>A STRING value.</summary>
    /// <param name="value">UTF-8 encodable text.</param>
    /// <returns>The value.</returns>
    public static GgufValue FromString(string value) => Create(GgufValueType.String, value);

    /// <summary>A UINT32 value.</summary>
    /// <param name="value">The number.</param>
    /// <returns>The value.</returns>
    public static GgufValue FromUInt32(uint value) => new(GgufValueType.UInt32, value);

    /// <summary>A FLOAT32 value.</summary>
    /// <param name="value">The number.</param>
    /// <returns>The value.</returns>
    public static GgufValue FromFloat32(float value) => new(GgufValueType.Float32, value);

    /// <summary>An ARRAY value of the given element type and elements.</summary>
    /// <param name="elementType">Type of every element.</param>
    /// <param name="items">Elements; its .NET element type must match (<c>string[]</c> for STRING, <c>float[]</c>
    /// for FLOAT32, <c>int[]</c> for INT32 …).</param>
    /// <returns>The value.</returns>
    /// <exception cref="ArgumentException">The array's element type does not match <paramref name="elementType"/>.</exception>
    public static GgufValue FromArray(GgufValueType elementType, Array items)
    {
        ArgumentNullException.ThrowIfNull(items);
        if (ClrType(elementType) != items.GetType().GetElementType())
        {
            throw new ArgumentException($"A GGUF array of {elementType} must be a {ClrType(elementType)?.Name}[], not {items.GetType().Name}.", nameof(items));
        }

        return new GgufValue(GgufValueType.Array, new GgufArray(elementType, items.LongLength, items));
    }

    /// <summary>The .NET type a value of GGUF type <paramref name="type"/> has.</summary>
    /// <param name="type">Type tag.</param>
    /// <returns>The .NET type, or null for an unknown tag.</returns>
    public static Type? ClrType(GgufValueType type) => type switch
    {
        GgufValueType.UInt8 => typeof(byte),
        GgufValueType.Int8 => typeof(sbyte),
        GgufValueType.UInt16 => typeof(ushort),
        GgufValueType.Int16 => typeof(short),
        GgufValueType.UInt32 => typeof(uint),
        GgufValueType.Int32 => typeof(int),
        GgufValueType.Float32 => typeof(float),
        GgufValueType.Bool => typeof(bool),
        GgufValueType.String => typeof(string),
        GgufValueType.Array => typeof(GgufArray),
        GgufValueType.UInt64 => typeof(ulong),
        GgufValueType.Int64 => typeof(long),
        GgufValueType.Float64 => typeof(double),
        _ => null,
    };

    /// <summary>The value's GGUF type tag.</summary>
    public GgufValueType Type { get; }

    /// <summary>The value; its .NET type follows <see cref="Type"/> (see the class summary).</summary>
    public object Value { get; }

    /// <summary>True when <see cref="Type"/> is one of the eight integer types.</summary>
    public bool IsInteger => IsIntegerType(Type);

    /// <summary>Gets a STRING value.</summary>
    /// <param name="value">The string when the result is true.</param>
    /// <returns>False when the value is not a string.</returns>
    public bool TryGetString(out string value)
    {
        value = Value as string ?? string.Empty;
        return Type == GgufValueType.String;
    }

    /// <summary>Gets any integer value (UINT8 … INT64) as a 64-bit signed integer.</summary>
    /// <param name="value">The integer when the result is true.</param>
    /// <returns>False when the value is not an integer, or a UINT64 above <see cref="long.MaxValue"/>.</returns>
    public bool TryGetInt64(out long value) => TryToInt64(Value, out value);

    /// <summary>Gets any floating-point or integer value as a <see cref="double"/> (large 64-bit integers round).</summary>
    /// <param name="value">The number when the result is true.</param>
    /// <returns>False when the value is not numeric (string, bool, array).</returns>
    public bool TryGetDouble(out double value)
    {
        switch (Value)
        {
            case float f: value = f; return true;
            case double d: value = d; return true;
            case ulong u: value = u; return true;
            default:
                bool ok = TryToInt64(Value, out long l);
                value = l;
                return ok;
        }
    }

    /// <summary>Gets a BOOL value.</summary>
    /// <param name="value">The boolean when the result is true.</param>
    /// <returns>False when the value is not a BOOL.</returns>
    public bool TryGetBoolean(out bool value)
    {
        value = Value is true;
        return Type == GgufValueType.Bool;
    }

    /// <summary>Gets an ARRAY value.</summary>
    /// <param name="value">The array when the result is true.</param>
    /// <returns>False when the value is not an array.</returns>
    public bool TryGetArray(out GgufArray value)
    {
        value = Value as GgufArray ?? GgufArray.Empty;
        return Type == GgufValueType.Array;
    }

    /// <summary>Formats the value (arrays as their summary), invariant culture.</summary>
    /// <returns>Text for display.</returns>
    public override string ToString() => Value switch
    {
        string s => s,
        bool b => b ? "true" : "false",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => Value.ToString() ?? string.Empty,
    };

    internal static bool IsIntegerType(GgufValueType t) => t is GgufValueType.UInt8 or GgufValueType.Int8
        or GgufValueType.UInt16 or GgufValueType.Int16 or GgufValueType.UInt32 or GgufValueType.Int32
        or GgufValueType.UInt64 or GgufValueType.Int64;

    internal static bool TryToInt64(object? boxed, out long value)
    {
        switch (boxed)
        {
            case byte v: value = v; return true;
            case sbyte v: value = v; return true;
            case ushort v: value = v; return true;
            case short v: value = v; return true;
            case uint v: value = v; return true;
            case int v: value = v; return true;
            case long v: value = v; return true;
            case ulong v when v <= long.MaxValue: value = (long)v; return true;
            default: value = 0; return false;
        }
    }
}

/// <summary>
/// A GGUF ARRAY value: element type and count always; the elements only when the array was materialized (at most
/// <see cref="GgufReaderOptions.MaxMaterializedArrayLength"/> elements). Large arrays such as
/// <c>tokenizer.ggml.tokens</c> (32,000–256,000 strings) are walked and validated but not kept.
/// </summary>
public sealed class GgufArray
{
    internal static readonly GgufArray Empty = new(GgufValueType.UInt8, 0, Array.Empty<byte>());

    internal GgufArray(GgufValueType elementType, long count, Array? items)
    {
        ElementType = elementType;
        Count = count;
        Items = items;
    }

    /// <summary>Type of every element.</summary>
    public GgufValueType ElementType { get; }

    /// <summary>Number of elements declared in the file.</summary>
    public long Count { get; }

    /// <summary>
    /// The elements as a typed .NET array (<c>uint[]</c> for UINT32, <c>string[]</c> for STRING, <c>bool[]</c> for
    /// BOOL, <c>GgufArray[]</c> for nested arrays, …), or null when the array was not materialized.
    /// </summary>
    public Array? Items { get; }

    /// <summary>True when <see cref="Items"/> holds the elements.</summary>
    public bool IsMaterialized => Items is not null;

    /// <summary>Gets the elements of a materialized integer array as 64-bit signed integers.</summary>
    /// <param name="values">The elements when the result is true.</param>
    /// <returns>False when the array is not materialized, not of an integer type, or holds a UINT64 above
    /// <see cref="long.MaxValue"/>.</returns>
    public bool TryGetInt64Values(out long[] values)
    {
        values = [];
        if (Items is null || !GgufValue.IsIntegerType(ElementType)) return false;
        var result = new long[Items.Length];
        for (int i = 0; i < result.Length; i++)
        {
            if (!GgufValue.TryToInt64(Items.GetValue(i), out result[i])) return false;
        }

        values = result;
        return true;
    }

    /// <summary>Gets the elements of a materialized STRING array.</summary>
    /// <param name="values">The strings when the result is true.</param>
    /// <returns>False when the array is not materialized or not of strings.</returns>
    public bool TryGetStrings(out IReadOnlyList<string> values)
    {
        values = Items as string[] ?? [];
        return Items is string[];
    }

    /// <summary>Summary such as <c>[STRING × 32000]</c>.</summary>
    /// <returns>Text for display.</returns>
    public override string ToString() => $"[{ElementType} × {Count.ToString(CultureInfo.InvariantCulture)}]";
}
