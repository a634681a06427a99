using System.Buffers.Binary;
using System.Text;
using LlmSize.Core.Formats.Safetensors;

namespace LlmSize.Core.Tests.Formats.Safetensors;

/// <summary>How a test hands bytes to the reader (System.Formats.Tar's tests run every case both ways, sync and async).</summary>
public enum ReadMode
{
    /// <summary>Read(Stream) on a MemoryStream.</summary>
    SyncSeekable,
    /// <summary>Read(Stream) on a stream that cannot seek.</summary>
    SyncNonSeekable,
    /// <summary>ReadAsync(Stream) on a MemoryStream.</summary>
    AsyncSeekable,
    /// <summary>ReadAsync(Stream) on a stream that cannot seek.</summary>
    AsyncNonSeekable,
}

/// <summary>Builds safetensors bytes in code and reads them in each <see cref="ReadMode"/>.</summary>
internal static class SafetensorsTestData
{
    public static readonly ReadMode[] AllModes = Enum.GetValues<ReadMode>();

    /// <summary>8-byte little-endian length of <paramref name="json"/> (spec: "8 bytes: N, an unsigned little-endian 64-bit
    /// integer"), the JSON as UTF-8, then <paramref name="dataBytes"/> bytes of data (0x00).</summary>
    public static byte[] Build(string json, long dataBytes) => Build(Encoding.UTF8.GetBytes(json), dataBytes);

    /// <inheritdoc cref="Build(string, long)"/>
    public static byte[] Build(byte[] json, long dataBytes)
    {
        var bytes = new byte[8 + json.Length + dataBytes];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, (ulong)json.Length); // N
        json.CopyTo(bytes, 8);                                               // header JSON
        return bytes;                                                        // data section: zeros
    }

    /// <summary>An arbitrary 8-byte length prefix followed by <paramref name="rest"/>.</summary>
    public static byte[] WithLength(ulong declared, byte[] rest)
    {
        var bytes = new byte[8 + rest.Length];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, declared);
        rest.CopyTo(bytes, 8);
        return bytes;
    }

    public static Task<SafetensorsFile> ReadAsync(byte[] bytes, ReadMode mode, SafetensorsReaderOptions? options = null,
        string name = "test.safetensors") => mode switch
        {
            ReadMode.SyncSeekable => Task.FromResult(SafetensorsReader.Read(new MemoryStream(bytes, writable: false), options, name)),
            ReadMode.SyncNonSeekable => Task.FromResult(SafetensorsReader.Read(new NonSeekableStream(bytes), options, name)),
            ReadMode.AsyncSeekable => SafetensorsReader.ReadAsync(new MemoryStream(bytes, writable: false), options, name),
            ReadMode.AsyncNonSeekable => SafetensorsReader.ReadAsync(new NonSeekableStream(bytes), options, name),
            _ => throw new ArgumentOutOfRangeException(nameof(mode)),
        };

    /// <summary>Reads and expects a <see cref="ModelFormatException"/> with <paramref name="expected"/>.</summary>
    public static async Task<ModelFormatException> AssertFailsAsync(byte[] bytes, ReadMode mode, ModelFormatError expected,
        SafetensorsReaderOptions? options = null)
    {
        var e = await Assert.ThrowsAsync<ModelFormatException>(() => ReadAsync(bytes, mode, options));
        Assert.True(expected == e.Error, $"expected {expected}, got {e.Error}: {e.Message}");
        Assert.Equal("test.safetensors", e.FilePath);
        return e;
    }

    /// <summary>Absolute offset of <paramref name="needle"/> in the header JSON: 8 + its UTF-8 position.</summary>
    public static long OffsetOf(string json, string needle)
    {
        int i = json.IndexOf(needle, StringComparison.Ordinal);
        Assert.True(i >= 0, needle);
        return 8 + Encoding.UTF8.GetByteCount(json.AsSpan(0, i));
    }
}

/// <summary>A read-only stream over bytes that refuses to seek and returns at most 7 bytes per read (so the reader's
/// loops over short reads are exercised).</summary>
internal sealed class NonSeekableStream(byte[] bytes) : Stream
{
    private int _position;

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    public override void Flush() { }
    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        int n = Math.Min(Math.Min(buffer.Length, 7), bytes.Length - _position);
        bytes.AsSpan(_position, n).CopyTo(buffer);
        _position += n;
        return n;
    }

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return ValueTask.FromResult(Read(buffer.Span));
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}

/// <summary>Wraps a stream and counts the bytes read through it.</summary>
internal sealed class CountingStream(Stream inner) : Stream
{
    public long BytesRead { get; private set; }

    public override bool CanRead => inner.CanRead;
    public override bool CanSeek => inner.CanSeek;
    public override bool CanWrite => false;
    public override long Length => inner.Length;
    public override long Position { get => inner.Position; set => inner.Position = value; }
    public override void Flush() { }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        int n = inner.Read(buffer);
        BytesRead += n;
        return n;
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        int n = await inner.ReadAsync(buffer, cancellationToken);
        BytesRead += n;
        return n;
    }

    public override long Seek(long offset, SeekOrigin origin) => inner.Seek(offset, origin);
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
