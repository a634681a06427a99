using System.Buffers;
using System.Buffers.Binary;
using System.Collections.ObjectModel;
using System.Globalization;

namespace LlmSize.Core.Formats.Gguf.Internal;

/// <summary>
/// Parses a GGUF header (magic, version, counts, metadata, tensor infos) from a stream, reading header bytes only.
/// This file holds the buffered I/O; <c>GgufHeaderParser.Metadata.cs</c> and <c>GgufHeaderParser.Tensors.cs</c>
/// interpret the bytes.
/// </summary>
/// <remarks>
/// Layout followed: GGUF specification (ggml <c>docs/gguf.md</c>, "File Structure"): <c>magic u32, version u32,
/// tensor_count u64, metadata_kv_count u64, metadata_kv[], tensor_info[], padding, tensor_data</c>; v1 used u32 for
/// the two counts, string lengths, array lengths and tensor dimensions.
/// <para>
/// Read-ahead: every buffer fill asks for the bytes needed now plus a lower bound of the header bytes still to come
/// (remaining key/value pairs and tensor infos at their smallest encoding, remaining array elements), so the reader
/// never reads past the end of the last tensor info: bytes read stay O(header) even for a 100 GB file.
/// </para>
/// </remarks>
/// <typeparam name="TAdapter">Synchronous or asynchronous stream reads.</typeparam>
internal sealed partial class GgufHeaderParser<TAdapter> : IDisposable where TAdapter : struct, IGgufReadAdapter
{
    private readonly Stream _stream;
    private readonly GgufReaderOptions _options;
    private readonly string? _file;
    private readonly long? _length;
    private readonly CancellationToken _cancellationToken;
    private byte[]? _buffer;
    private int _start;
    private int _end;
    private long _bufferOrigin;
    private bool _bigEndian;
    private bool _v1;
    private string? _field;
    private string _part = "header";
    private long _kvLeft;
    private long _tensorsLeft;
    private long _arrayAhead;

    public GgufHeaderParser(Stream stream, GgufReaderOptions options, string? file, CancellationToken cancellationToken)
    {
        _stream = stream;
        _options = options;
        _file = file;
        _cancellationToken = cancellationToken;
        if (stream.CanSeek)
        {
            _length = Math.Max(0, stream.Length - stream.Position);
        }

        _buffer = ArrayPool<byte>.Shared.Rent(options.BufferSize);
    }

    /// <summary>Bytes taken from the stream so far.</summary>
    public long BytesRead { get; private set; }

    private byte[] Buf => _buffer ?? throw new ObjectDisposedException(nameof(GgufHeaderParser<TAdapter>));

    private long Position => _bufferOrigin + _start;

    private int Available => _end - _start;

    private int SizeFieldBytes => _v1 ? 4 : 8;

    // Smallest encodings (spec "File Structure"): a key/value pair is key length + type + a 1-byte value; a tensor
    // info is name length + n_dims + type + offset (0 dimensions, empty name).
    private int MinKvBytes => SizeFieldBytes + 4 + 1;

    private int MinTensorInfoBytes => SizeFieldBytes + 4 + 4 + 8;

    private long? Remaining => _length is long l ? l - Position : null;

    public void Dispose()
    {
        byte[]? b = _buffer;
        _buffer = null;
        if (b is not null) ArrayPool<byte>.Shared.Return(b);
    }

    private long MinHeaderBytesAhead() => _kvLeft * MinKvBytes + _tensorsLeft * MinTensorInfoBytes + _arrayAhead;

    private ValueTask EnsureAsync(int count) => Available >= count ? ValueTask.CompletedTask : FillAsync(count, throwIfShort: true);

    /// <summary>Makes at least <paramref name="count"/> bytes available (count ≤ buffer length), or throws Truncated.</summary>
    private async ValueTask FillAsync(int count, bool throwIfShort)
    {
        byte[] buffer = Buf;
        if (Position + count > _options.MaxHeaderBytes)
        {
            Fail(ModelFormatError.HeaderTooLarge,
                $"the header is longer than MaxHeaderBytes = {_options.MaxHeaderBytes} bytes while reading {_part}", Position);
        }

        int available = Available;
        if (_start > 0)
        {
            Buffer.BlockCopy(buffer, _start, buffer, 0, available);
            _bufferOrigin += _start;
            _start = 0;
            _end = available;
        }

        int need = count - available;
        long want = Math.Min(buffer.Length - available, need + MinHeaderBytesAhead());
        want = Math.Min(want, _options.MaxHeaderBytes - (_bufferOrigin + available));
        if (_length is long length) want = Math.Min(want, length - (_bufferOrigin + available));
        want = Math.Max(want, need);
        _cancellationToken.ThrowIfCancellationRequested();
        int got = await default(TAdapter).ReadAtLeastAsync(_stream, buffer.AsMemory(available, (int)want), need, _cancellationToken)
            .ConfigureAwait(false);
        BytesRead += got;
        _end += got;
        if (got < need && throwIfShort)
        {
            Fail(ModelFormatError.Truncated,
                $"the file ends at byte {_bufferOrigin + _end} inside {_part}, which needs {count} bytes from byte {Position}",
                _bufferOrigin + _end);
        }
    }

    private async ValueTask SkipAsync(long count)
    {
        while (count > 0)
        {
            if (Available == 0) await EnsureAsync((int)Math.Min(count, Buf.Length)).ConfigureAwait(false);
            int take = (int)Math.Min(Available, count);
            _start += take;
            count -= take;
        }
    }

    private async ValueTask<ulong> ReadSizeAsync()
    {
        await EnsureAsync(SizeFieldBytes).ConfigureAwait(false);
        return _v1 ? U32() : U64();
    }

    private async ValueTask<uint> ReadUInt32Async()
    {
        await EnsureAsync(4).ConfigureAwait(false);
        return U32();
    }

    private ReadOnlySpan<byte> Take(int n)
    {
        var span = new ReadOnlySpan<byte>(Buf, _start, n);
        _start += n;
        return span;
    }

    private byte U8() => Buf[_start++];

    private ushort U16() => _bigEndian ? BinaryPrimitives.ReadUInt16BigEndian(Take(2)) : BinaryPrimitives.ReadUInt16LittleEndian(Take(2));

    private uint U32() => _bigEndian ? BinaryPrimitives.ReadUInt32BigEndian(Take(4)) : BinaryPrimitives.ReadUInt32LittleEndian(Take(4));

    private ulong U64() => _bigEndian ? BinaryPrimitives.ReadUInt64BigEndian(Take(8)) : BinaryPrimitives.ReadUInt64LittleEndian(Take(8));

    private float F32() => _bigEndian ? BinaryPrimitives.ReadSingleBigEndian(Take(4)) : BinaryPrimitives.ReadSingleLittleEndian(Take(4));

    private double F64() => _bigEndian ? BinaryPrimitives.ReadDoubleBigEndian(Take(8)) : BinaryPrimitives.ReadDoubleLittleEndian(Take(8));

    private void Fail(ModelFormatError error, string detail, long? offset, string? field = null) =>
        GgufThrowHelper.Throw(error, detail, _file, offset, field ?? _field);

    private static string Num(ulong v) => v.ToString("N0", CultureInfo.InvariantCulture);

    private static string Num(long v) => v.ToString("N0", CultureInfo.InvariantCulture);

    /// <summary>Parses the whole header.</summary>
    public async ValueTask<GgufFile> ParseAsync()
    {
        await ReadPreambleAsync().ConfigureAwait(false);

        _part = "tensor_count";
        _field = "tensor_count";
        long countAt = Position;
        ulong tensorCount = await ReadSizeAsync().ConfigureAwait(false);
        _part = "metadata_kv_count";
        _field = "metadata_kv_count";
        ulong kvCount = await ReadSizeAsync().ConfigureAwait(false);
        CheckCount(tensorCount, _options.MaxTensorCount, "tensor_count", countAt);
        CheckCount(kvCount, _options.MaxMetadataCount, "metadata_kv_count", countAt + SizeFieldBytes);
        long minimum = (long)kvCount * MinKvBytes + (long)tensorCount * MinTensorInfoBytes;
        if (Remaining is long rem && minimum > rem)
        {
            Fail(ModelFormatError.CountTooLarge,
                $"{Num(kvCount)} metadata pairs and {Num(tensorCount)} tensor infos need at least {Num(minimum)} bytes, but only {Num(rem)} bytes follow",
                countAt);
        }

        _kvLeft = (long)kvCount;
        _tensorsLeft = (long)tensorCount;
        (ReadOnlyDictionary<string, GgufValue> metadata, uint alignment) = await ReadMetadataAsync((long)kvCount).ConfigureAwait(false);
        var tensors = await ReadTensorInfosAsync((long)tensorCount, alignment).ConfigureAwait(false);
        return new GgufFile(_version, _bigEndian, alignment, metadata, tensors.Tensors, tensors.HeaderLength,
            tensors.DataOffset, _length, _file);
    }

    private uint _version;

    private async ValueTask ReadPreambleAsync()
    {
        // 16 bytes = the shortest possible header (v1: magic, version, two u32 counts); enough to recognize other formats.
        _part = "magic";
        _field = "magic";
        await FillAsync(16, throwIfShort: false).ConfigureAwait(false);
        ReadOnlySpan<byte> head = new(Buf, _start, Available);
        if (head.Length < 4 || !head[..4].SequenceEqual(GgufConstants.Magic))
        {
            if (GgufForeignFormats.Describe(head) is { } other)
            {
                Fail(ModelFormatError.WrongFormat, $"this is not a GGUF file; its first bytes are those of {other}", 0);
            }

            if (head.Length < 4 && GgufConstants.Magic.StartsWith(head))
            {
                Fail(ModelFormatError.Truncated, $"the file ends after {head.Length} bytes, inside the 4-byte magic", head.Length);
            }

            Fail(ModelFormatError.InvalidMagic,
                $"the magic is {Convert.ToHexString(head[..Math.Min(4, head.Length)])}, not 47475546 (\"GGUF\")", 0);
        }

        _start += 4;
        _part = "version";
        _field = "version";
        await EnsureAsync(4).ConfigureAwait(false);
        uint raw = BinaryPrimitives.ReadUInt32LittleEndian(Take(4));
        if (!GgufFormatDetector.TryDecodeVersion(raw, out _version, out _bigEndian))
        {
            Fail(ModelFormatError.UnsupportedVersion,
                $"version {raw} (bytes {raw:X8} little-endian) is not supported; this reader knows versions {GgufConstants.MinVersion}–{GgufConstants.MaxVersion} in either byte order",
                4);
        }

        _v1 = _version == 1;
    }

    private void CheckCount(ulong count, long cap, string what, long offset)
    {
        if (count > (ulong)cap)
        {
            Fail(ModelFormatError.CountTooLarge, $"{what} = {Num(count)} exceeds the cap of {Num(cap)}", offset, what);
        }
    }
}
