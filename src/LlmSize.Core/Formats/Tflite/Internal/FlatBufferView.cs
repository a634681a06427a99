using System.Buffers.Binary;
using System.Text;

namespace LlmSize.Core.Formats.Tflite.Internal;

/// <summary>A validated flatbuffer table: its position, vtable position, vtable size and inline size (bytes).</summary>
internal readonly record struct FbTable(int Position, int VTable, int VTableSize, int InlineSize);

/// <summary>A validated flatbuffer vector: position of element 0 and element count (0 when absent).</summary>
internal readonly record struct FbVector(int Start, int Count);

/// <summary>
/// Bounds-checked access to a flatbuffer held in a span (a memory-mapped file, an array). Implements the wire format
/// of the FlatBuffers "Internals" document: a table starts with an soffset to its vtable (table − soffset); the
/// vtable holds its own size, the table's inline size and one uint16 field offset per field id at
/// <c>4 + 2 × id</c>; references are uoffsets relative to where they are stored; vectors and strings start with a
/// uint32 count. Every offset, count and size is compared with the buffer before it is followed, so hostile input
/// ends in <see cref="ModelFormatException"/>, never an out-of-range read.
/// </summary>
/// <remarks>
/// Google.FlatBuffers' <c>ByteBuffer</c>/<c>Table</c> (25.2.10) would do the same reads but only over a managed
/// <c>byte[]</c> in its .NET 8 build (compiled without <c>ENABLE_SPAN_T</c>) and without validation (its accessors
/// throw <see cref="ArgumentOutOfRangeException"/> on a bad offset); reading a memory-mapped file and validating
/// every step needs this span-based view instead. See the folder README.
/// </remarks>
internal readonly ref struct FlatBufferView
{
    private readonly ReadOnlySpan<byte> _b;
    private readonly string? _path;
    private readonly long _base;

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <param name="bytes">The flatbuffer.</param>
    /// <param name="path">File path for error messages.</param>
    /// <param name="baseOffset">Offset of <paramref name="bytes"/> in its file, added to error offsets.</param>
    public FlatBufferView(ReadOnlySpan<byte> bytes, string? path, long baseOffset)
    {
        _b = bytes;
        _path = path;
        _base = baseOffset;
    }

    public int Length => _b.Length;

    public ReadOnlySpan<byte> Bytes => _b;

    /// <summary>The root table (uoffset at byte 0).</summary>
    public FbTable Root()
    {
        if (_b.Length < TfliteConstants.MinimumLength)
        {
            TfliteThrowHelper.Throw(ModelFormatError.Truncated,
                $"TFLite flatbuffer: {_b.Length} bytes is shorter than the {TfliteConstants.MinimumLength}-byte header", _path, _base);
        }

        return Table(BinaryPrimitives.ReadUInt32LittleEndian(_b), 0, "Model (root)");
    }

    /// <summary>Validates the table at <paramref name="pos"/>; <paramref name="from"/> is where its offset was stored.</summary>
    public FbTable Table(long pos, long from, string what)
    {
        if (pos < 0 || pos > _b.Length - 4)
        {
            TfliteThrowHelper.ThrowOutOfRange("table offset", pos, _b.Length, _path, _base + from, what);
        }

        int p = (int)pos;
        long vt = p - (long)BinaryPrimitives.ReadInt32LittleEndian(_b[p..]);
        if (vt < 0 || vt > _b.Length - 4)
        {
            TfliteThrowHelper.ThrowOutOfRange("vtable offset", vt, _b.Length, _path, _base + p, what);
        }

        int v = (int)vt;
        int vtSize = BinaryPrimitives.ReadUInt16LittleEndian(_b[v..]);
        int inline = BinaryPrimitives.ReadUInt16LittleEndian(_b[(v + 2)..]);
        if (vtSize < 4 || (vtSize & 1) != 0)
        {
            TfliteThrowHelper.Throw(ModelFormatError.InvalidValue,
                $"TFLite flatbuffer: vtable size {vtSize} is not an even number ≥ 4", _path, _base + v, what);
        }

        if ((long)v + vtSize > _b.Length)
        {
            TfliteThrowHelper.Throw(ModelFormatError.Truncated,
                $"TFLite flatbuffer: the {vtSize}-byte vtable at byte {v} runs past the end of the {_b.Length}-byte buffer",
                _path, _base + v, what);
        }

        if (inline < 4)
        {
            TfliteThrowHelper.Throw(ModelFormatError.InvalidValue,
                $"TFLite flatbuffer: table inline size {inline} is smaller than its 4-byte vtable offset", _path, _base + v, what);
        }

        if ((long)p + inline > _b.Length)
        {
            TfliteThrowHelper.Throw(ModelFormatError.Truncated,
                $"TFLite flatbuffer: the {inline}-byte table at byte {p} runs past the end of the {_b.Length}-byte buffer",
                _path, _base + p, what);
        }

        return new FbTable(p, v, vtSize, inline);
    }

    /// <summary>Absolute position of field <paramref name="id"/> (<paramref name="size"/> bytes), or 0 when absent.</summary>
    public int Field(FbTable t, int id, int size, string field)
    {
        int slot = 4 + 2 * id;
        if (slot + 2 > t.VTableSize) return 0;
        int fo = BinaryPrimitives.ReadUInt16LittleEndian(_b[(t.VTable + slot)..]);
        if (fo == 0) return 0;
        if (fo < 4 || fo + size > t.InlineSize)
        {
            TfliteThrowHelper.Throw(ModelFormatError.OffsetOutOfRange,
                $"TFLite flatbuffer: field offset {fo} (+{size} bytes) lies outside the table's {t.InlineSize} inline bytes",
                _path, _base + t.VTable + slot, field);
        }

        return t.Position + fo;
    }

    public uint U32(FbTable t, int id, uint defaultValue, string field)
    {
        int p = Field(t, id, 4, field);
        return p == 0 ? defaultValue : BinaryPrimitives.ReadUInt32LittleEndian(_b[p..]);
    }

    public int I32(FbTable t, int id, int defaultValue, string field)
    {
        int p = Field(t, id, 4, field);
        return p == 0 ? defaultValue : BinaryPrimitives.ReadInt32LittleEndian(_b[p..]);
    }

    public ulong U64(FbTable t, int id, string field)
    {
        int p = Field(t, id, 8, field);
        return p == 0 ? 0 : BinaryPrimitives.ReadUInt64LittleEndian(_b[p..]);
    }

    public byte U8(FbTable t, int id, byte defaultValue, string field)
    {
        int p = Field(t, id, 1, field);
        return p == 0 ? defaultValue : _b[p];
    }

    public bool Has(FbTable t, int id, string field) => Field(t, id, 4, field) != 0;

    /// <summary>Follows the uoffset in field <paramref name="id"/>; returns 0 when absent, else a position with at
    /// least 4 bytes after it.</summary>
    public long Ref(FbTable t, int id, string field, out int storedAt)
    {
        storedAt = Field(t, id, 4, field);
        if (storedAt == 0) return 0;
        long target = storedAt + (long)BinaryPrimitives.ReadUInt32LittleEndian(_b[storedAt..]);
        if (target > _b.Length - 4)
        {
            TfliteThrowHelper.ThrowOutOfRange("reference", target, _b.Length, _path, _base + storedAt, field);
        }

        return target;
    }

    /// <summary>A sub-table, or null when the field is absent.</summary>
    public FbTable? SubTable(FbTable t, int id, string field)
    {
        long target = Ref(t, id, field, out int at);
        return target == 0 ? null : Table(target, at, field);
    }

    /// <summary>A vector of <paramref name="elementSize"/>-byte elements, checked against <paramref name="cap"/> and
    /// the bytes remaining.</summary>
    public FbVector Vector(FbTable t, int id, int elementSize, long cap, string field)
    {
        long target = Ref(t, id, field, out _);
        if (target == 0) return default;
        long count = BinaryPrimitives.ReadUInt32LittleEndian(_b[(int)target..]);
        long start = target + 4;
        long left = _b.Length - start;
        if (count > cap || count * elementSize > left)
        {
            TfliteThrowHelper.ThrowCount("vector", count, cap, left, _path, _base + target, field);
        }

        return new FbVector((int)start, (int)count);
    }

    /// <summary>A UTF-8 string field, or null when absent.</summary>
    public string? String(FbTable t, int id, int maxBytes, string field)
    {
        long target = Ref(t, id, field, out _);
        if (target == 0) return null;
        long count = BinaryPrimitives.ReadUInt32LittleEndian(_b[(int)target..]);
        long start = target + 4;
        if (count > maxBytes)
        {
            TfliteThrowHelper.Throw(ModelFormatError.StringTooLong,
                $"TFLite flatbuffer: string of {count} bytes exceeds the {maxBytes}-byte cap", _path, _base + target, field);
        }

        if (count > _b.Length - start)
        {
            TfliteThrowHelper.Throw(ModelFormatError.Truncated,
                $"TFLite flatbuffer: string of {count} bytes runs past the end of the {_b.Length}-byte buffer",
                _path, _base + target, field);
        }

        try
        {
            return StrictUtf8.GetString(_b.Slice((int)start, (int)count));
        }
        catch (DecoderFallbackException)
        {
            TfliteThrowHelper.Throw(ModelFormatError.InvalidUtf8, "TFLite flatbuffer: string is not valid UTF-8",
                _path, _base + start, field);
            return null;
        }
    }

    /// <summary>Table element <paramref name="i"/> of a vector of tables.</summary>
    public FbTable TableAt(FbVector v, int i, string what)
    {
        int at = v.Start + 4 * i;
        return Table(at + (long)BinaryPrimitives.ReadUInt32LittleEndian(_b[at..]), at, what);
    }

    public int I32At(FbVector v, int i) => BinaryPrimitives.ReadInt32LittleEndian(_b[(v.Start + 4 * i)..]);

    public float F32At(FbVector v, int i) => BinaryPrimitives.ReadSingleLittleEndian(_b[(v.Start + 4 * i)..]);

    public long I64At(FbVector v, int i) => BinaryPrimitives.ReadInt64LittleEndian(_b[(v.Start + 8 * i)..]);
}
