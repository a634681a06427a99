using LlmSize.Core.Sources;
using System.Buffers;
using System.IO.MemoryMappedFiles;
using LlmSize.Core.Formats.Tflite.Internal;

namespace LlmSize.Core.Formats.Tflite;

/// <summary>
/// Reads the header (the flatbuffer tables) of a TFLite model: <c>.tflite</c> files, MediaPipe / LiteRT LLM
/// <c>.bin</c> files (the same flatbuffer format) and the model entries of MediaPipe <c>.task</c> bundles.
/// </summary>
/// <remarks>
/// Format: <c>tensorflow/lite/schema/schema.fbs</c> (tables Model, SubGraph, Tensor, QuantizationParameters,
/// Operator, OperatorCode, Buffer, Metadata) over the FlatBuffers binary format ("FlatBuffers internals").
/// Ordinary TFLite files keep their weights inside the flatbuffer, so the parser needs random access to the whole
/// file: <see cref="Read(string, TfliteReaderOptions?)"/> memory-maps it and touches only the pages holding tables,
/// shapes and names, so bytes read and memory stay proportional to the metadata, not to the weights. Files over
/// 2 GB keep weights after the flatbuffer (<c>Buffer.offset</c>/<c>size</c>); they are validated against the file length.
/// </remarks>
public static class TfliteReader
{
    /// <summary>Reads a TFLite flatbuffer file by memory-mapping it.</summary>
    /// <param name="path">Path of a <c>.tflite</c> or MediaPipe LLM <c>.bin</c> file.</param>
    /// <param name="options">Limits; <see cref="TfliteReaderOptions.Default"/> when null.</param>
    /// <returns>The model's subgraphs, tensors, operators, buffers and totals.</returns>
    /// <exception cref="ModelFormatException">The file is not a valid TFLite flatbuffer (bad identifier, an offset or
    /// length outside the file, a count over a cap, an unknown tensor type …).</exception>
    /// <exception cref="ArgumentException"><paramref name="path"/> is empty, or an option is out of range.</exception>
    /// <exception cref="IOException">The file cannot be opened or mapped (<see cref="FileNotFoundException"/> …).</exception>
    public static TfliteModelInfo Read(string path, TfliteReaderOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        options ??= TfliteReaderOptions.Default;
        options.Validate();
        using var fs = LocalFileGuard.OpenRead(path, bufferSize: 1, FileOptions.RandomAccess);
        long length = fs.Length;
        if (length < TfliteConstants.MinimumLength)
        {
            // Too short to map usefully; read what is there so the message can say zip/identifier/truncated.
            Span<byte> small = stackalloc byte[TfliteConstants.MinimumLength];
            int n = fs.ReadAtLeast(small, (int)length, throwOnEndOfStream: false);
            return TfliteParser.Parse(small[..n], length, path, 0, options);
        }

        long mapped = Math.Min(length, options.MaxFlatbufferBytes);
        using MemoryMappedFile mmf = MemoryMappedFile.CreateFromFile(fs, mapName: null, capacity: 0,
            MemoryMappedFileAccess.Read, HandleInheritability.None, leaveOpen: true);
        using MemoryMappedViewAccessor view = mmf.CreateViewAccessor(0, mapped, MemoryMappedFileAccess.Read);
        return ParseView(view, mapped, length, path, options);
    }

    /// <summary>Reads a TFLite flatbuffer file; the same as <see cref="Read(string, TfliteReaderOptions?)"/> on a
    /// worker thread (mapping and parsing are synchronous).</summary>
    /// <param name="path">Path of a <c>.tflite</c> or MediaPipe LLM <c>.bin</c> file.</param>
    /// <param name="options">Limits; defaults when null.</param>
    /// <param name="cancellationToken">Cancels before the read starts.</param>
    /// <returns>The model description.</returns>
    /// <exception cref="ModelFormatException">The file is not a valid TFLite flatbuffer.</exception>
    /// <exception cref="IOException">The file cannot be opened.</exception>
    /// <exception cref="OperationCanceledException">The token was cancelled.</exception>
    public static Task<TfliteModelInfo> ReadAsync(string path, TfliteReaderOptions? options = null,
        CancellationToken cancellationToken = default) =>
        Task.Run(() => Read(path, options), cancellationToken);

    /// <summary>Parses a TFLite flatbuffer held in memory (tests, benchmarks, zip entries).</summary>
    /// <param name="flatbuffer">The model bytes; they are the whole file.</param>
    /// <param name="options">Limits; defaults when null.</param>
    /// <param name="filePath">A name for messages and <see cref="TfliteModelInfo.FilePath"/>.</param>
    /// <returns>The model description.</returns>
    /// <exception cref="ModelFormatException">The bytes are not a valid TFLite flatbuffer or exceed
    /// <see cref="TfliteReaderOptions.MaxFlatbufferBytes"/>.</exception>
    public static TfliteModelInfo Read(ReadOnlySpan<byte> flatbuffer, TfliteReaderOptions? options = null, string? filePath = null)
    {
        options ??= TfliteReaderOptions.Default;
        options.Validate();
        if (flatbuffer.Length > options.MaxFlatbufferBytes)
        {
            TfliteThrowHelper.Throw(ModelFormatError.HeaderTooLarge,
                $"TFLite flatbuffer of {flatbuffer.Length} bytes exceeds MaxFlatbufferBytes ({options.MaxFlatbufferBytes})",
                filePath, null);
        }

        return TfliteParser.Parse(flatbuffer, flatbuffer.Length, filePath, 0, options);
    }

    /// <summary>Reads a TFLite model from a stream (for example a zip entry), copying at most
    /// <see cref="TfliteReaderOptions.MaxFlatbufferBytes"/> bytes into pooled memory.</summary>
    /// <param name="stream">A readable stream positioned at the model's first byte; it is read to its end and not closed.</param>
    /// <param name="options">Limits; defaults when null.</param>
    /// <param name="filePath">A name for messages.</param>
    /// <returns>The model description.</returns>
    /// <exception cref="ModelFormatException">The model is invalid or longer than the cap.</exception>
    /// <exception cref="ArgumentException"><paramref name="stream"/> is not readable.</exception>
    public static TfliteModelInfo Read(Stream stream, TfliteReaderOptions? options = null, string? filePath = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        options ??= TfliteReaderOptions.Default;
        options.Validate();
        byte[] rented = BoundedStreamReader.Read(stream, options.MaxFlatbufferBytes, filePath, out int length);
        try
        {
            return TfliteParser.Parse(rented.AsSpan(0, length), length, filePath, 0, options);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    /// <summary>Asynchronously reads a TFLite model from a stream; see <see cref="Read(Stream, TfliteReaderOptions?, string?)"/>.</summary>
    /// <param name="stream">A readable stream positioned at the model's first byte; not closed.</param>
    /// <param name="options">Limits; defaults when null.</param>
    /// <param name="filePath">A name for messages.</param>
    /// <param name="cancellationToken">Cancels the copy.</param>
    /// <returns>The model description.</returns>
    /// <exception cref="ModelFormatException">The model is invalid or longer than the cap.</exception>
    /// <exception cref="ArgumentException"><paramref name="stream"/> is not readable.</exception>
    /// <exception cref="OperationCanceledException">The token was cancelled.</exception>
    public static async Task<TfliteModelInfo> ReadAsync(Stream stream, TfliteReaderOptions? options = null,
        string? filePath = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(stream);
        options ??= TfliteReaderOptions.Default;
        options.Validate();
        (byte[] rented, int length) = await BoundedStreamReader.ReadAsync(stream, options.MaxFlatbufferBytes, filePath, cancellationToken)
            .ConfigureAwait(false);
        try
        {
            return TfliteParser.Parse(rented.AsSpan(0, length), length, filePath, 0, options);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    internal static unsafe TfliteModelInfo ParseView(MemoryMappedViewAccessor view, long mapped, long fileLength,
        string? path, TfliteReaderOptions options, long baseOffset = 0)
    {
        byte* p = null;
        view.SafeMemoryMappedViewHandle.AcquirePointer(ref p);
        try
        {
            var span = new ReadOnlySpan<byte>(p + view.PointerOffset, checked((int)mapped));
            return TfliteParser.Parse(span, fileLength, path, baseOffset, options);
        }
        finally
        {
            view.SafeMemoryMappedViewHandle.ReleasePointer();
        }
    }
}
