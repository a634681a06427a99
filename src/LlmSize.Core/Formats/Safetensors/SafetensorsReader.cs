using LlmSize.Core.Sources;
using System.Buffers;
using System.Buffers.Binary;
using LlmSize.Core.Models;
using static LlmSize.Core.Formats.Safetensors.SafetensorsThrowHelper;

namespace LlmSize.Core.Formats.Safetensors;

/// <summary>
/// Reads the header of safetensors files (<c>.safetensors</c>) and sharded safetensors models, without reading tensor
/// data: the bytes read from a file or seekable stream are 8 + the header length, whatever the file's size.
/// </summary>
/// <remarks>
/// Format: huggingface/safetensors <c>README.md</c> "Format" (8-byte little-endian header length N, N bytes of UTF-8
/// JSON beginning with <c>{</c> and possibly padded with spaces, then the data section). Validation follows the
/// reference's <c>read_metadata</c>/<c>validate</c> (<c>safetensors/src/tensor.rs</c>): header cap, UTF-8, JSON,
/// tensors sorted by <c>data_offsets</c> contiguous from 0, sizes = shape × dtype bits / 8, and the data section
/// covered exactly (no trailing bytes: the reference's <c>MetadataIncompleteBuffer</c>; the spec: "The byte buffer needs
/// to be entirely indexed, and cannot contain holes").
/// </remarks>
public static partial class SafetensorsReader
{
    /// <summary>Reads the header of the safetensors file at <paramref name="path"/>.</summary>
    /// <param name="path">The <c>.safetensors</c> file.</param>
    /// <param name="options">Limits; <see cref="SafetensorsReaderOptions.Default"/> when null.</param>
    /// <returns>The file's tensors, metadata and section lengths.</returns>
    /// <exception cref="ArgumentException"><paramref name="path"/> is null or empty, or a limit in
    /// <paramref name="options"/> is not positive (<see cref="ArgumentOutOfRangeException"/>).</exception>
    /// <exception cref="ModelFormatException">The file is not a valid safetensors file (see <see cref="ModelFormatException.Error"/>).</exception>
    /// <exception cref="IOException">The file cannot be opened or read (<see cref="FileNotFoundException"/> when absent).</exception>
    public static SafetensorsFile Read(string path, SafetensorsReaderOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        using FileStream stream = OpenFile(path, useAsync: false);
        return ReadCoreAsync(stream, options ?? SafetensorsReaderOptions.Default, path, useAsync: false, default).GetAwaiter().GetResult();
    }

    /// <summary>Reads the header of the safetensors file at <paramref name="path"/> asynchronously.</summary>
    /// <param name="path">The <c>.safetensors</c> file.</param>
    /// <param name="options">Limits; <see cref="SafetensorsReaderOptions.Default"/> when null.</param>
    /// <param name="cancellationToken">Cancels the reads.</param>
    /// <returns>The file's tensors, metadata and section lengths.</returns>
    /// <exception cref="ArgumentException"><paramref name="path"/> is null or empty, or a limit in
    /// <paramref name="options"/> is not positive (<see cref="ArgumentOutOfRangeException"/>).</exception>
    /// <exception cref="ModelFormatException">The file is not a valid safetensors file.</exception>
    /// <exception cref="IOException">The file cannot be opened or read.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public static async Task<SafetensorsFile> ReadAsync(string path, SafetensorsReaderOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        await using FileStream stream = OpenFile(path, useAsync: true);
        return await ReadCoreAsync(stream, options ?? SafetensorsReaderOptions.Default, path, useAsync: true, cancellationToken)
            .ConfigureAwait(false);
    }

    /// <summary>
    /// Reads a safetensors header from <paramref name="stream"/>, whose current position is the start of the file. The
    /// stream is not disposed.
    /// </summary>
    /// <remarks>
    /// A seekable stream is read for 8 + N bytes only and its data-section length is taken from
    /// <see cref="Stream.Length"/>. A non-seekable stream has no length, so after the header the reader reads and
    /// discards the data section (in fixed 64 KiB chunks, at most one byte past the end the header declares) to check
    /// that it is exactly as long as the tensors need; memory stays constant.
    /// </remarks>
    /// <param name="stream">A readable stream positioned at the file's first byte.</param>
    /// <param name="options">Limits; <see cref="SafetensorsReaderOptions.Default"/> when null.</param>
    /// <param name="displayName">Name used in errors and as <see cref="TensorInfo.FilePath"/>; may be null.</param>
    /// <returns>The tensors, metadata and section lengths; offsets are relative to the stream's starting position.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="stream"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="stream"/> cannot be read, or a limit in
    /// <paramref name="options"/> is not positive (<see cref="ArgumentOutOfRangeException"/>).</exception>
    /// <exception cref="ModelFormatException">The bytes are not a valid safetensors file.</exception>
    /// <exception cref="IOException">Reading failed.</exception>
    public static SafetensorsFile Read(Stream stream, SafetensorsReaderOptions? options = null, string? displayName = null)
    {
        CheckStream(stream);
        return ReadCoreAsync(stream, options ?? SafetensorsReaderOptions.Default, displayName, useAsync: false, default)
            .GetAwaiter().GetResult();
    }

    /// <summary>Reads a safetensors header from <paramref name="stream"/> asynchronously; see
    /// <see cref="Read(Stream, SafetensorsReaderOptions?, string?)"/>. The stream is not disposed.</summary>
    /// <param name="stream">A readable stream positioned at the file's first byte.</param>
    /// <param name="options">Limits; <see cref="SafetensorsReaderOptions.Default"/> when null.</param>
    /// <param name="displayName">Name used in errors and as <see cref="TensorInfo.FilePath"/>; may be null.</param>
    /// <param name="cancellationToken">Cancels the reads.</param>
    /// <returns>The tensors, metadata and section lengths.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="stream"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="stream"/> cannot be read, or a limit in
    /// <paramref name="options"/> is not positive (<see cref="ArgumentOutOfRangeException"/>).</exception>
    /// <exception cref="ModelFormatException">The bytes are not a valid safetensors file.</exception>
    /// <exception cref="IOException">Reading failed.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public static async Task<SafetensorsFile> ReadAsync(Stream stream, SafetensorsReaderOptions? options = null,
        string? displayName = null, CancellationToken cancellationToken = default)
    {
        CheckStream(stream);
        return await ReadCoreAsync(stream, options ?? SafetensorsReaderOptions.Default, displayName, useAsync: true, cancellationToken)
            .ConfigureAwait(false);
    }

    private static void CheckStream(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        if (!stream.CanRead) throw new ArgumentException("The stream is not readable.", nameof(stream));
    }

    private static FileStream OpenFile(string path, bool useAsync) =>
        LocalFileGuard.OpenRead(path, bufferSize: 1, useAsync ? FileOptions.Asynchronous : FileOptions.None);

    /// <summary>The one parsing routine; <paramref name="useAsync"/> picks the stream API (System.Formats.Tar's pattern).</summary>
    private static async ValueTask<SafetensorsFile> ReadCoreAsync(Stream stream, SafetensorsReaderOptions options, string? file,
        bool useAsync, CancellationToken ct)
    {
        options.Validate();
        const int prefix = SafetensorsConstants.LengthPrefixBytes;
        long? available = stream.CanSeek ? Math.Max(0, stream.Length - stream.Position) : null;

        byte[] start = new byte[SafetensorsConstants.SniffBytes];
        int got = await ReadAtLeastAsync(stream, start.AsMemory(0, prefix), prefix, useAsync, ct).ConfigureAwait(false);
        if (got < prefix)
        {
            ThrowIfOtherFormat(start.AsSpan(0, got), file);
            Throw(ModelFormatError.Truncated,
                got == 0 ? "the file is empty; a safetensors file starts with an 8-byte header length"
                         : $"the file has {got} bytes; a safetensors file starts with an 8-byte header length", file, 0);
        }

        ulong n = BinaryPrimitives.ReadUInt64LittleEndian(start);
        bool tooLarge = n > (ulong)options.MaxHeaderBytes;
        bool beyondEnd = available is { } a && n > (ulong)(a - prefix);
        if (tooLarge || beyondEnd)
        {
            // Look at a few more bytes so a zip, HTML page or LFS pointer is named as such.
            int more = await ReadAtLeastAsync(stream, start.AsMemory(prefix), start.Length - prefix, useAsync, ct).ConfigureAwait(false);
            ThrowHeaderLength(start.AsSpan(0, prefix + more),
                tooLarge ? $"the header length {n} exceeds the limit of {options.MaxHeaderBytes} bytes (MaxHeaderBytes)"
                         : $"the header length {n} exceeds the {available - prefix} bytes that follow the length field",
                file);
        }

        int headerLength = (int)n;
        byte[] header = ArrayPool<byte>.Shared.Rent(Math.Max(1, available is null ? Math.Min(headerLength, SafetensorsConstants.StreamChunkBytes) : headerLength));
        try
        {
            int have;
            if (available is not null)
            {
                have = await ReadAtLeastAsync(stream, header.AsMemory(0, headerLength), headerLength, useAsync, ct).ConfigureAwait(false);
            }
            else
            {
                // Non-seekable: grow the buffer only as bytes arrive, so a hostile N cannot make us allocate N up front.
                have = 0;
                while (have < headerLength)
                {
                    if (have == header.Length)
                    {
                        byte[] bigger = ArrayPool<byte>.Shared.Rent((int)Math.Min((long)header.Length * 2, headerLength));
                        header.AsSpan(0, have).CopyTo(bigger);
                        ArrayPool<byte>.Shared.Return(header);
                        header = bigger;
                    }

                    int want = Math.Min(header.Length, headerLength) - have;
                    int read = await ReadAtLeastAsync(stream, header.AsMemory(have, want), want, useAsync, ct).ConfigureAwait(false);
                    have += read;
                    if (read < want) break;
                }
            }

            if (have < headerLength)
            {
                ReadOnlySpan<byte> seen = header.AsSpan(0, Math.Min(have, SafetensorsConstants.SniffBytes - prefix));
                seen.CopyTo(start.AsSpan(prefix));
                ThrowHeaderLength(start.AsSpan(0, prefix + seen.Length),
                    $"the header length {n} exceeds the {have} bytes that follow the length field", file);
            }

            ReadOnlySpan<byte> json = header.AsSpan(0, headerLength);
            if (json.Length > 0 && json[0] != SafetensorsConstants.HeaderStart)
            {
                Span<byte> sniff = start;
                json[..Math.Min(json.Length, sniff.Length - prefix)].CopyTo(sniff[prefix..]);
                ThrowIfOtherFormat(sniff[..Math.Min(sniff.Length, prefix + json.Length)], file);
            }

            SafetensorsHeaderParser.ParsedHeader parsed = SafetensorsHeaderParser.Parse(json, options, file);
            long dataOffset = prefix + (long)headerLength;
            long dataLength = available is { } total
                ? total - dataOffset
                : await MeasureDataAsync(stream, parsed.DataEnd, useAsync, ct).ConfigureAwait(false);
            CheckDataLength(parsed, dataOffset, dataLength, file);
            return new SafetensorsFile(file, SafetensorsHeaderParser.ToTensorInfos(parsed.Tensors, dataOffset, file), parsed.Metadata,
                headerLength, dataLength);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(header);
        }
    }

    /// <summary>The data section must be exactly as long as the tensors need (the reference's
    /// <c>buffer_end + N_LEN + n != buffer_len</c> → <c>MetadataIncompleteBuffer</c>).</summary>
    private static void CheckDataLength(SafetensorsHeaderParser.ParsedHeader parsed, long dataOffset, long dataLength, string? file)
    {
        if (parsed.DataEnd > dataLength)
        {
            foreach (SafetensorsHeaderParser.RawTensor t in parsed.Tensors)
            {
                if (t.End > dataLength)
                {
                    Throw(ModelFormatError.OffsetOutOfRange,
                        $"data_offsets [{t.Begin}, {t.End}] end past the data section, which has {dataLength} bytes (file truncated?)",
                        file, dataOffset + Math.Min(t.Begin, dataLength), t.Name);
                }
            }
        }

        if (parsed.DataEnd < dataLength)
        {
            Throw(ModelFormatError.DataNotContiguous,
                $"the tensors cover {parsed.DataEnd} bytes but the data section has {(dataLength > parsed.DataEnd + 1 ? dataLength.ToString() : "more")}; " +
                "trailing bytes are not allowed (the spec: the byte buffer must be entirely indexed)",
                file, dataOffset + parsed.DataEnd);
        }
    }

    /// <summary>Counts the bytes left in a non-seekable stream, stopping one byte past <paramref name="expected"/>.</summary>
    private static async ValueTask<long> MeasureDataAsync(Stream stream, long expected, bool useAsync, CancellationToken ct)
    {
        byte[] chunk = ArrayPool<byte>.Shared.Rent(SafetensorsConstants.StreamChunkBytes);
        try
        {
            long total = 0;
            long limit = expected == long.MaxValue ? expected : expected + 1;
            while (total < limit)
            {
                int want = (int)Math.Min(chunk.Length, limit - total);
                int read = useAsync
                    ? await stream.ReadAsync(chunk.AsMemory(0, want), ct).ConfigureAwait(false)
                    : stream.Read(chunk, 0, want);
                if (read == 0) break;
                total += read;
            }

            return total;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(chunk);
        }
    }

    private static async ValueTask<int> ReadAtLeastAsync(Stream stream, Memory<byte> buffer, int minimum, bool useAsync,
        CancellationToken ct) =>
        useAsync
            ? await stream.ReadAtLeastAsync(buffer, minimum, throwOnEndOfStream: false, ct).ConfigureAwait(false)
            : stream.ReadAtLeast(buffer.Span, minimum, throwOnEndOfStream: false);
}
