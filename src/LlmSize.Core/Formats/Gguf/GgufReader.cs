using LlmSize.Core.Sources;
using LlmSize.Core.Formats.Gguf.Internal;

namespace LlmSize.Core.Formats.Gguf;

/// <summary>
/// Reads the header of a GGUF file (versions 1–3, little- or big-endian): metadata and tensor descriptions, never the
/// tensor data. Bytes read are bounded by the header length, so inspecting a 70 GB model reads a few megabytes.
/// </summary>
/// <remarks>
/// Follows the GGUF specification (ggml repository, <c>docs/gguf.md</c>, "File Structure") and the checks of ggml's
/// reference reader (<c>ggml/src/gguf.cpp</c>): alignment a non-zero power of two, tensor offsets aligned,
/// at most <see cref="GgufConstants.MaxDimensions"/> dimensions, rows a whole number of quantization blocks.
/// Split models (<c>model-00001-of-00003.gguf</c>) are read with <see cref="ReadSplit"/>.
/// </remarks>
public static partial class GgufReader
{
    /// <summary>Reads the header of a GGUF file.</summary>
    /// <param name="path">Path of the file.</param>
    /// <param name="options">Limits; <see cref="GgufReaderOptions.Default"/> when null.</param>
    /// <returns>The parsed header; tensors carry <paramref name="path"/> and absolute data offsets.</returns>
    /// <exception cref="ArgumentException"><paramref name="path"/> is null or empty.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    /// <exception cref="ModelFormatException">The file is not GGUF, is truncated, or violates the format or a cap;
    /// <see cref="ModelFormatException.Error"/> tells which.</exception>
    /// <exception cref="IOException">The file cannot be read (<see cref="FileNotFoundException"/> when absent).</exception>
    public static GgufFile Read(string path, GgufReaderOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        using FileStream stream = OpenFile(path, useAsync: false);
        return Read(stream, options, path);
    }

    /// <summary>Reads the header of a GGUF file asynchronously.</summary>
    /// <param name="path">Path of the file.</param>
    /// <param name="options">Limits; <see cref="GgufReaderOptions.Default"/> when null.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The parsed header.</returns>
    /// <exception cref="ArgumentException"><paramref name="path"/> is null or empty.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    /// <exception cref="ModelFormatException">The file is malformed (see <see cref="Read(string, GgufReaderOptions?)"/>).</exception>
    /// <exception cref="IOException">The file cannot be read.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public static async Task<GgufFile> ReadAsync(string path, GgufReaderOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        FileStream stream = OpenFile(path, useAsync: true);
        await using (stream.ConfigureAwait(false))
        {
            return await ReadAsync(stream, options, path, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Reads a GGUF header from a stream positioned at the start of the file. The stream need not be seekable; when it
    /// is, the bytes after its position are the file (used for the bounds checks of counts and tensor data). The stream
    /// is left open and positioned somewhere after the header.
    /// </summary>
    /// <param name="stream">A readable stream.</param>
    /// <param name="options">Limits; <see cref="GgufReaderOptions.Default"/> when null.</param>
    /// <param name="displayName">File name for error messages and <see cref="Models.TensorInfo.FilePath"/>, when known.</param>
    /// <returns>The parsed header. Offsets are relative to the stream's initial position.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="stream"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="stream"/> is not readable.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    /// <exception cref="ModelFormatException">The bytes are not a valid GGUF header.</exception>
    /// <exception cref="IOException">The stream fails.</exception>
    public static GgufFile Read(Stream stream, GgufReaderOptions? options = null, string? displayName = null)
    {
        options = Prepare(stream, options);
        using var parser = new GgufHeaderParser<GgufSyncReadAdapter>(stream, options, displayName, CancellationToken.None);
        ValueTask<GgufFile> task = parser.ParseAsync();
        // The synchronous adapter completes every read inline, so the task is already complete here.
        return task.IsCompleted ? task.GetAwaiter().GetResult() : task.AsTask().GetAwaiter().GetResult();
    }

    /// <summary>Reads a GGUF header from a stream asynchronously (see <see cref="Read(Stream, GgufReaderOptions?, string?)"/>).</summary>
    /// <param name="stream">A readable stream.</param>
    /// <param name="options">Limits; <see cref="GgufReaderOptions.Default"/> when null.</param>
    /// <param name="displayName">File name for error messages, when known.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The parsed header.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="stream"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="stream"/> is not readable.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    /// <exception cref="ModelFormatException">The bytes are not a valid GGUF header.</exception>
    /// <exception cref="IOException">The stream fails.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public static async Task<GgufFile> ReadAsync(Stream stream, GgufReaderOptions? options = null, string? displayName = null,
        CancellationToken cancellationToken = default)
    {
        options = Prepare(stream, options);
        using var parser = new GgufHeaderParser<GgufAsyncReadAdapter>(stream, options, displayName, cancellationToken);
        return await parser.ParseAsync().ConfigureAwait(false);
    }

    private static GgufReaderOptions Prepare(Stream stream, GgufReaderOptions? options)
    {
        ArgumentNullException.ThrowIfNull(stream);
        if (!stream.CanRead) throw new ArgumentException("The stream is not readable.", nameof(stream));
        options ??= GgufReaderOptions.Default;
        options.Validate();
        return options;
    }

    // bufferSize 1 turns off FileStream's own buffer: the parser buffers and bounds its read-ahead itself.
    private static FileStream OpenFile(string path, bool useAsync) =>
        LocalFileGuard.OpenRead(path, bufferSize: 1,
            useAsync ? FileOptions.Asynchronous | FileOptions.SequentialScan : FileOptions.SequentialScan);
}
