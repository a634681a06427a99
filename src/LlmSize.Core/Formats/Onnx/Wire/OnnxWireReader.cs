using System.Text;
using Google.Protobuf;

namespace LlmSize.Core.Formats.Onnx.Wire;

/// <summary>
/// Protobuf wire reading for the ONNX walker. Google.Protobuf's <see cref="CodedInputStream"/> decodes tags, varints,
/// fixed-width values, strings and small byte fields. Two things it cannot do are added here, on a seekable stream:
/// <list type="bullet">
/// <item>peek a length prefix before the decoder allocates for it (so every length is checked against the limit and
/// the bytes left first), and</item>
/// <item>skip a large payload (tensor data) by seeking: <see cref="CodedInputStream"/> skips by reading, so the
/// decoder is replaced by a fresh one positioned after the payload.</item>
/// </list>
/// Positions are absolute stream offsets, so nothing is lost when the decoder is replaced.
/// </summary>
internal sealed class OnnxWireReader : IDisposable
{
    /// <summary>Payloads up to this many bytes are skipped by reading through the decoder's buffer; longer ones seek.</summary>
    private const int SeekThreshold = 4096;

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private readonly Stream _stream;
    private CodedInputStream _input;

    /// <param name="stream">A readable, seekable stream positioned at the first byte of the model.</param>
    /// <param name="length">Absolute offset of the end of the model in <paramref name="stream"/>.</param>
    public OnnxWireReader(Stream stream, long length)
    {
        _stream = stream;
        Length = length;
        _input = new CodedInputStream(stream, leaveOpen: true);
    }

    /// <summary>Absolute offset of the end of input.</summary>
    public long Length { get; }

    /// <summary>Absolute offset of the next byte to decode. For a stream source <see cref="CodedInputStream.Position"/>
    /// is already absolute: the stream's position less the bytes still buffered.</summary>
    public long Position => _input.Position;

    public uint ReadTag() => _input.ReadTag();

    public long ReadInt64() => _input.ReadInt64();

    public int ReadInt32() => _input.ReadInt32();

    public uint ReadFixed32() => _input.ReadFixed32();

    /// <summary>Reads (consumes) a length prefix; throws <see cref="InvalidProtocolBufferException"/> when negative.</summary>
    public int ReadLength() => _input.ReadLength();

    /// <summary>Skips the value of the last tag read (any wire type; length-delimited values are read through).</summary>
    public void SkipLastField() => _input.SkipLastField();

    /// <summary>
    /// Decodes the length prefix at <see cref="Position"/> without consuming it.
    /// </summary>
    /// <param name="prefixBytes">Bytes of the varint prefix.</param>
    /// <returns>The declared length, or -1 when the prefix is truncated, negative or longer than 5 bytes.</returns>
    public long PeekLength(out int prefixBytes)
    {
        prefixBytes = 0;
        long saved = _stream.Position;
        Span<byte> b = stackalloc byte[5];
        int n;
        try
        {
            _stream.Position = Position;
            n = _stream.ReadAtLeast(b, b.Length, throwOnEndOfStream: false);
        }
        finally
        {
            _stream.Position = saved;
        }

        ulong value = 0;
        for (int i = 0; i < n; i++)
        {
            value |= (ulong)(b[i] & 0x7F) << (7 * i);
            if ((b[i] & 0x80) == 0)
            {
                prefixBytes = i + 1;
                return value > int.MaxValue ? -1 : (long)value;
            }
        }

        return -1;
    }

    /// <summary>Reads a length-delimited value (callers peek and cap its length first).</summary>
    public byte[] ReadBytesValue() => _input.ReadBytes().ToByteArray();

    /// <summary>Reads a length-delimited UTF-8 string (callers peek and cap its length first).</summary>
    /// <exception cref="DecoderFallbackException">The bytes are not UTF-8.</exception>
    public string ReadStringValue()
    {
        ByteString bytes = _input.ReadBytes();
        return bytes.Length == 0 ? string.Empty : StrictUtf8.GetString(bytes.Span);
    }

    /// <summary>Skips the length-delimited value at <see cref="Position"/> whose length was peeked: reads small ones
    /// through, seeks over large ones.</summary>
    public void SkipLengthDelimited(long peekedLength)
    {
        if (peekedLength <= SeekThreshold)
        {
            _input.SkipLastField();
            return;
        }

        int len = _input.ReadLength();
        SeekForward(len);
    }

    /// <summary>Moves <paramref name="count"/> bytes forward by seeking and restarting the decoder there.</summary>
    public void SeekForward(long count)
    {
        if (count <= 0) return;
        long target = checked(Position + count);
        _input.Dispose();
        _stream.Position = target;
        _input = new CodedInputStream(_stream, leaveOpen: true);
    }

    public void Dispose() => _input.Dispose();
}
