using System.Buffers.Binary;
using System.Text;
using LlmSize.Core.Formats.Gguf;

namespace LlmSize.Core.Tests.Formats.Gguf;

/// <summary>
/// Writes GGUF bytes field by field (spec "File Structure") so tests can build valid and hostile files in code.
/// Numbers follow <see cref="BigEndian"/>; size fields (counts, string and array lengths, v1 dimensions) are u32 in
/// version 1 and u64 from version 2. <see cref="Mark"/> records named structural boundaries for truncation tests.
/// </summary>
public sealed class GgufTestWriter
{
    private readonly MemoryStream _bytes = new();

    public GgufTestWriter(uint version = 3, bool bigEndian = false)
    {
        Version = version;
        BigEndian = bigEndian;
    }

    public uint Version { get; }

    public bool BigEndian { get; }

    public List<(string Label, long Offset)> Marks { get; } = [];

    public long Length => _bytes.Length;

    public GgufTestWriter Mark(string label)
    {
        Marks.Add((label, _bytes.Length));
        return this;
    }

    public GgufTestWriter Raw(ReadOnlySpan<byte> bytes)
    {
        _bytes.Write(bytes);
        return this;
    }

    public GgufTestWriter U8(byte v) => Raw([v]);

    public GgufTestWriter U16(ushort v)
    {
        Span<byte> b = stackalloc byte[2];
        if (BigEndian) BinaryPrimitives.WriteUInt16BigEndian(b, v); else BinaryPrimitives.WriteUInt16LittleEndian(b, v);
        return Raw(b);
    }

    public GgufTestWriter U32(uint v)
    {
        Span<byte> b = stackalloc byte[4];
        if (BigEndian) BinaryPrimitives.WriteUInt32BigEndian(b, v); else BinaryPrimitives.WriteUInt32LittleEndian(b, v);
        return Raw(b);
    }

    public GgufTestWriter U64(ulong v)
    {
        Span<byte> b = stackalloc byte[8];
        if (BigEndian) BinaryPrimitives.WriteUInt64BigEndian(b, v); else BinaryPrimitives.WriteUInt64LittleEndian(b, v);
        return Raw(b);
    }

    public GgufTestWriter F32(float v) => U32(BitConverter.SingleToUInt32Bits(v));

    public GgufTestWriter F64(double v) => U64(BitConverter.DoubleToUInt64Bits(v));

    /// <summary>A size field: u32 in v1, u64 from v2.</summary>
    public GgufTestWriter Size(ulong v) => Version == 1 ? U32(checked((uint)v)) : U64(v);

    /// <summary>gguf_string_t: size field, then the UTF-8 bytes (no NUL).</summary>
    public GgufTestWriter Str(string s) => StrBytes(Encoding.UTF8.GetBytes(s));

    public GgufTestWriter StrBytes(ReadOnlySpan<byte> utf8) => Size((ulong)utf8.Length).Raw(utf8);

    /// <summary>Magic "GGUF", version, tensor_count, metadata_kv_count.</summary>
    public GgufTestWriter Header(ulong tensorCount, ulong kvCount) =>
        Raw("GGUF"u8).U32(Version).Size(tensorCount).Size(kvCount);

    public GgufTestWriter Type(GgufValueType t) => U32((uint)t);

    public GgufTestWriter KvU32(string key, uint v) => Str(key).Type(GgufValueType.UInt32).U32(v);

    public GgufTestWriter KvString(string key, string v) => Str(key).Type(GgufValueType.String).Str(v);

    public GgufTestWriter KvU32Array(string key, params uint[] values)
    {
        Str(key).Type(GgufValueType.Array).Type(GgufValueType.UInt32).Size((ulong)values.Length);
        foreach (uint v in values) U32(v);
        return this;
    }

    /// <summary>gguf_tensor_info_t: name, n_dims, ne[] innermost first (u32 in v1), ggml type, offset (u64).</summary>
    public GgufTestWriter Tensor(string name, ulong[] ne, uint ggmlType, ulong offset)
    {
        Str(name).U32((uint)ne.Length);
        foreach (ulong d in ne) Size(d);
        return U32(ggmlType).U64(offset);
    }

    /// <summary>Zero padding up to the next multiple of <paramref name="alignment"/>.</summary>
    public GgufTestWriter PadTo(int alignment)
    {
        while (_bytes.Length % alignment != 0) _bytes.WriteByte(0);
        return this;
    }

    public GgufTestWriter Zeros(int count) => Raw(new byte[count]);

    public byte[] ToArray() => _bytes.ToArray();
}

/// <summary>A read-only stream that hides seeking and length (as an HTTP body or pipe would).</summary>
internal sealed class NonSeekableStream(Stream inner) : Stream
{
    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    public override void Flush() { }
    public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, count);
    public override int Read(Span<byte> buffer) => inner.Read(buffer);
    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => inner.ReadAsync(buffer, cancellationToken);
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}

/// <summary>Counts the bytes read through it.</summary>
internal sealed class CountingStream(Stream inner) : Stream
{
    public long BytesRead { get; private set; }
    public override bool CanRead => true;
    public override bool CanSeek => inner.CanSeek;
    public override bool CanWrite => false;
    public override long Length => inner.Length;
    public override long Position { get => inner.Position; set => inner.Position = value; }
    public override void Flush() { }
    public override int Read(byte[] buffer, int offset, int count) => Count(inner.Read(buffer, offset, count));
    public override int Read(Span<byte> buffer) => Count(inner.Read(buffer));
    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        Count(await inner.ReadAsync(buffer, cancellationToken));
    public override long Seek(long offset, SeekOrigin origin) => inner.Seek(offset, origin);
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    private int Count(int n) { BytesRead += n; return n; }
}

/// <summary>How a test hands bytes to the reader: sync or async, seekable or not (System.Formats.Tar test habit).</summary>
public enum GgufReadMode
{
    SyncSeekable,
    AsyncSeekable,
    SyncNonSeekable,
    AsyncNonSeekable,
}

internal static class GgufTestRead
{
    public static readonly GgufReadMode[] AllModes = Enum.GetValues<GgufReadMode>();

    public static GgufFile Read(byte[] bytes, GgufReadMode mode, GgufReaderOptions? options = null, string? name = "test.gguf")
    {
        Stream stream = new MemoryStream(bytes, writable: false);
        if (mode is GgufReadMode.SyncNonSeekable or GgufReadMode.AsyncNonSeekable) stream = new NonSeekableStream(stream);
        return mode is GgufReadMode.SyncSeekable or GgufReadMode.SyncNonSeekable
            ? GgufReader.Read(stream, options, name)
            : GgufReader.ReadAsync(stream, options, name).GetAwaiter().GetResult();
    }

    public static ModelFormatException Fails(byte[] bytes, GgufReadMode mode = GgufReadMode.SyncSeekable, GgufReaderOptions? options = null) =>
        Assert.Throws<ModelFormatException>(() => Read(bytes, mode, options));
}
