using System.Buffers;
using System.Buffers.Binary;
using System.Collections.ObjectModel;
using System.Numerics;
using System.Text;
using System.Text.Unicode;

namespace LlmSize.Core.Formats.Gguf.Internal;

/// <summary>Metadata key/value pairs (spec "File Structure": <c>gguf_metadata_kv_t</c>, <c>gguf_metadata_value_t</c>).</summary>
internal sealed partial class GgufHeaderParser<TAdapter>
{
    private async ValueTask<(ReadOnlyDictionary<string, GgufValue> Metadata, uint Alignment)> ReadMetadataAsync(long count)
    {
        var metadata = new OrderedDictionary<string, GgufValue>((int)Math.Min(count, 1024), StringComparer.Ordinal);
        uint alignment = GgufConstants.DefaultAlignment;
        for (long i = 0; i < count; i++)
        {
            _kvLeft = count - i - 1;
            _part = $"the key of metadata pair {i}";
            _field = $"metadata[{i}].key";
            long keyAt = Position;
            string key = (await ReadStringAsync(_options.MaxStringLength, materialize: true).ConfigureAwait(false))!;
            _field = key;
            if (metadata.ContainsKey(key))
            {
                Fail(ModelFormatError.DuplicateKey, $"metadata key '{key}' appears twice", keyAt);
            }

            _part = $"the value type of '{key}'";
            long typeAt = Position;
            uint type = await ReadUInt32Async().ConfigureAwait(false);
            _part = $"the value of '{key}'";
            GgufValue value = await ReadValueAsync(type, typeAt).ConfigureAwait(false);
            if (key == GgufConstants.AlignmentKey)
            {
                alignment = ValidateAlignment(value, typeAt);
            }

            metadata.Add(key, value);
        }

        _kvLeft = 0;
        return (new ReadOnlyDictionary<string, GgufValue>(metadata), alignment);
    }

    private uint ValidateAlignment(GgufValue value, long offset)
    {
        // Spec "Standardized key-value pairs": general.alignment is a uint32, a non-zero multiple of 8 in practice;
        // ggml's gguf.cpp requires a non-zero power of two.
        if (value.Type != GgufValueType.UInt32)
        {
            Fail(ModelFormatError.InvalidValue, $"general.alignment must be a UINT32, not {value.Type}", offset);
        }

        uint a = (uint)value.Value;
        if (a == 0 || !BitOperations.IsPow2(a))
        {
            Fail(ModelFormatError.InvalidValue, $"general.alignment = {a} is not a non-zero power of two", offset);
        }

        return a;
    }

    private async ValueTask<GgufValue> ReadValueAsync(uint type, long typeAt)
    {
        switch ((GgufValueType)type)
        {
            case GgufValueType.UInt8: await EnsureAsync(1).ConfigureAwait(false); return new(GgufValueType.UInt8, U8());
            case GgufValueType.Int8: await EnsureAsync(1).ConfigureAwait(false); return new(GgufValueType.Int8, (sbyte)U8());
            case GgufValueType.UInt16: await EnsureAsync(2).ConfigureAwait(false); return new(GgufValueType.UInt16, U16());
            case GgufValueType.Int16: await EnsureAsync(2).ConfigureAwait(false); return new(GgufValueType.Int16, (short)U16());
            case GgufValueType.UInt32: await EnsureAsync(4).ConfigureAwait(false); return new(GgufValueType.UInt32, U32());
            case GgufValueType.Int32: await EnsureAsync(4).ConfigureAwait(false); return new(GgufValueType.Int32, (int)U32());
            case GgufValueType.Float32: await EnsureAsync(4).ConfigureAwait(false); return new(GgufValueType.Float32, F32());
            case GgufValueType.UInt64: await EnsureAsync(8).ConfigureAwait(false); return new(GgufValueType.UInt64, U64());
            case GgufValueType.Int64: await EnsureAsync(8).ConfigureAwait(false); return new(GgufValueType.Int64, (long)U64());
            case GgufValueType.Float64: await EnsureAsync(8).ConfigureAwait(false); return new(GgufValueType.Float64, F64());
            case GgufValueType.Bool:
                await EnsureAsync(1).ConfigureAwait(false);
                return new(GgufValueType.Bool, ReadBool());
            case GgufValueType.String:
                return new(GgufValueType.String, (await ReadStringAsync(_options.MaxStringLength, materialize: true).ConfigureAwait(false))!);
            case GgufValueType.Array:
                return new(GgufValueType.Array, await ReadArrayAsync(1).ConfigureAwait(false));
            default:
                return GgufThrowHelper.Throw<GgufValue>(ModelFormatError.UnknownDataType,
                    $"metadata value type {type} is not defined (the spec defines 0–12)", _file, typeAt, _field);
        }
    }

    private bool ReadBool()
    {
        long at = Position;
        byte b = U8();
        if (b > 1) Fail(ModelFormatError.InvalidValue, $"a BOOL must be 0 or 1, not {b}", at);
        return b == 1;
    }

    /// <summary>Smallest encoding of one element of <paramref name="type"/> (strings: the length field; arrays: type + count).</summary>
    private int MinElementBytes(GgufValueType type) => type switch
    {
        GgufValueType.UInt8 or GgufValueType.Int8 or GgufValueType.Bool => 1,
        GgufValueType.UInt16 or GgufValueType.Int16 => 2,
        GgufValueType.UInt32 or GgufValueType.Int32 or GgufValueType.Float32 => 4,
        GgufValueType.UInt64 or GgufValueType.Int64 or GgufValueType.Float64 => 8,
        GgufValueType.String => SizeFieldBytes,
        _ => 4 + SizeFieldBytes,
    };

    private async ValueTask<GgufArray> ReadArrayAsync(int depth)
    {
        long at = Position;
        if (depth > _options.MaxArrayNestingDepth)
        {
            Fail(ModelFormatError.NestingTooDeep, $"arrays are nested {depth} deep; the cap is {_options.MaxArrayNestingDepth}", at);
        }

        string outerPart = _part;
        _part = $"the array header of '{_field}'";
        uint rawType = await ReadUInt32Async().ConfigureAwait(false);
        if (rawType > (uint)GgufValueType.Float64)
        {
            Fail(ModelFormatError.UnknownDataType, $"array element type {rawType} is not defined (the spec defines 0–12)", at);
        }

        var type = (GgufValueType)rawType;
        ulong rawCount = await ReadSizeAsync().ConfigureAwait(false);
        int size = MinElementBytes(type);
        if (rawCount > (ulong)_options.MaxArrayLength)
        {
            Fail(ModelFormatError.CountTooLarge,
                $"an array of {Num(rawCount)} {type} elements exceeds the cap of {Num(_options.MaxArrayLength)}", at);
        }

        long count = (long)rawCount;
        if (Remaining is long rem && count * size > rem)
        {
            Fail(ModelFormatError.CountTooLarge,
                $"an array of {Num(count)} {type} elements needs at least {Num(count * size)} bytes, but only {Num(rem)} bytes follow", at);
        }

        _part = $"the elements of array '{_field}'";
        bool keep = count <= _options.MaxMaterializedArrayLength;
        long savedAhead = _arrayAhead;
        try
        {
            Array? items = type switch
            {
                GgufValueType.String => await ReadStringArrayAsync(count, keep).ConfigureAwait(false),
                GgufValueType.Array => await ReadNestedArraysAsync(count, keep, depth).ConfigureAwait(false),
                GgufValueType.Bool => await ReadBoolArrayAsync(count, keep).ConfigureAwait(false),
                _ when keep => await ReadNumericArrayAsync(type, (int)count, size).ConfigureAwait(false),
                _ => await SkipNumericArrayAsync(count, size).ConfigureAwait(false),
            };
            _part = outerPart;
            return new GgufArray(type, count, items);
        }
        finally
        {
            _arrayAhead = savedAhead;
        }
    }

    private async ValueTask<Array?> SkipNumericArrayAsync(long count, int size)
    {
        _arrayAhead = 0;
        await SkipAsync(count * size).ConfigureAwait(false);
        return null;
    }

    private async ValueTask<Array?> ReadNumericArrayAsync(GgufValueType type, int count, int size)
    {
        Array items = type switch
        {
            GgufValueType.UInt8 => new byte[count],
            GgufValueType.Int8 => new sbyte[count],
            GgufValueType.UInt16 => new ushort[count],
            GgufValueType.Int16 => new short[count],
            GgufValueType.UInt32 => new uint[count],
            GgufValueType.Int32 => new int[count],
            GgufValueType.Float32 => new float[count],
            GgufValueType.UInt64 => new ulong[count],
            GgufValueType.Int64 => new long[count],
            _ => new double[count],
        };
        for (int i = 0; i < count; i++)
        {
            _arrayAhead = (long)(count - i - 1) * size;
            await EnsureAsync(size).ConfigureAwait(false);
            switch (items)
            {
                case byte[] a: a[i] = U8(); break;
                case sbyte[] a: a[i] = (sbyte)U8(); break;
                case ushort[] a: a[i] = U16(); break;
                case short[] a: a[i] = (short)U16(); break;
                case uint[] a: a[i] = U32(); break;
                case int[] a: a[i] = (int)U32(); break;
                case float[] a: a[i] = F32(); break;
                case ulong[] a: a[i] = U64(); break;
                case long[] a: a[i] = (long)U64(); break;
                case double[] a: a[i] = F64(); break;
            }
        }

        return items;
    }

    private async ValueTask<Array?> ReadBoolArrayAsync(long count, bool keep)
    {
        bool[]? items = keep ? new bool[count] : null;
        for (long i = 0; i < count; i++)
        {
            _arrayAhead = count - i - 1;
            await EnsureAsync(1).ConfigureAwait(false);
            bool b = ReadBool();
            if (items is not null) items[i] = b;
        }

        return items;
    }

    private async ValueTask<Array?> ReadStringArrayAsync(long count, bool keep)
    {
        string[]? items = keep ? new string[count] : null;
        for (long i = 0; i < count; i++)
        {
            _arrayAhead = (count - i - 1) * SizeFieldBytes;
            // Token lists hold 32,000–256,000 short strings: take those already buffered without an await.
            string? s = TryReadBufferedString(_options.MaxStringLength, keep, out string? buffered)
                ? buffered
                : await ReadStringAsync(_options.MaxStringLength, keep).ConfigureAwait(false);
            if (items is not null) items[i] = s!;
        }

        return items;
    }

    private async ValueTask<Array?> ReadNestedArraysAsync(long count, bool keep, int depth)
    {
        GgufArray[]? items = keep ? new GgufArray[count] : null;
        for (long i = 0; i < count; i++)
        {
            _arrayAhead = (count - i - 1) * (4 + SizeFieldBytes);
            GgufArray inner = await ReadArrayAsync(depth + 1).ConfigureAwait(false);
            if (items is not null) items[i] = inner;
        }

        return items;
    }

    /// <summary>
    /// Reads a string that lies wholly in the buffer, without awaiting. Returns false (consuming nothing) when it does
    /// not, or when its length breaks a limit — the slow path then reads it or reports the error.
    /// </summary>
    private bool TryReadBufferedString(int maxLength, bool materialize, out string? value)
    {
        value = null;
        int sizeField = SizeFieldBytes;
        int available = Available;
        if (available < sizeField) return false;
        ReadOnlySpan<byte> lengthBytes = new(Buf, _start, sizeField);
        ulong length = _v1
            ? (_bigEndian ? BinaryPrimitives.ReadUInt32BigEndian(lengthBytes) : BinaryPrimitives.ReadUInt32LittleEndian(lengthBytes))
            : (_bigEndian ? BinaryPrimitives.ReadUInt64BigEndian(lengthBytes) : BinaryPrimitives.ReadUInt64LittleEndian(lengthBytes));
        if (length > (ulong)maxLength || length > (ulong)(available - sizeField)) return false;
        _start += sizeField;
        long at = Position;
        value = Decode(Take((int)length), materialize, at);
        return true;
    }

    /// <summary>Reads a <c>gguf_string_t</c> (length, UTF-8 bytes); validates the UTF-8 even when not materializing.</summary>
    private async ValueTask<string?> ReadStringAsync(int maxLength, bool materialize)
    {
        if (TryReadBufferedString(maxLength, materialize, out string? buffered)) return buffered;
        long at = Position;
        ulong rawLength = await ReadSizeAsync().ConfigureAwait(false);
        if (rawLength > (ulong)maxLength)
        {
            Fail(ModelFormatError.StringTooLong, $"a string of {Num(rawLength)} bytes exceeds the cap of {Num(maxLength)}", at);
        }

        if (Remaining is long rem && (long)rawLength > rem)
        {
            Fail(ModelFormatError.StringTooLong, $"a string of {Num(rawLength)} bytes is declared, but only {Num(rem)} bytes follow", at);
        }

        int length = (int)rawLength;
        long bytesAt = Position;
        if (length <= Buf.Length)
        {
            await EnsureAsync(length).ConfigureAwait(false);
            ReadOnlySpan<byte> bytes = Take(length);
            return Decode(bytes, materialize, bytesAt);
        }

        byte[] rented = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            int copied = 0;
            while (copied < length)
            {
                if (Available == 0) await EnsureAsync(Math.Min(length - copied, Buf.Length)).ConfigureAwait(false);
                int take = Math.Min(Available, length - copied);
                Buffer.BlockCopy(Buf, _start, rented, copied, take);
                _start += take;
                copied += take;
            }

            return Decode(rented.AsSpan(0, length), materialize, bytesAt);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    private string? Decode(ReadOnlySpan<byte> bytes, bool materialize, long offset)
    {
        if (!Utf8.IsValid(bytes))
        {
            Fail(ModelFormatError.InvalidUtf8, $"a string of {bytes.Length} bytes is not valid UTF-8", offset);
        }

        return materialize ? Encoding.UTF8.GetString(bytes) : null;
    }
}
