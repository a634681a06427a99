namespace LlmSize.Core.Formats.Gguf.Internal;

/// <summary>
/// The one I/O operation the parser needs, so that one parser serves <see cref="GgufReader.Read(Stream, GgufReaderOptions?, string?)"/>
/// and <see cref="GgufReader.ReadAsync(Stream, GgufReaderOptions?, string?, CancellationToken)"/> (the pattern of
/// System.Formats.Tar's sync/async header reading, done with a generic struct instead of duplicated code).
/// </summary>
internal interface IGgufReadAdapter
{
    /// <summary>Reads at least <paramref name="minimumBytes"/> into <paramref name="buffer"/> unless the stream ends.</summary>
    /// <returns>Bytes read (fewer than the minimum only at end of stream).</returns>
    ValueTask<int> ReadAtLeastAsync(Stream stream, Memory<byte> buffer, int minimumBytes, CancellationToken cancellationToken);
}

/// <summary>Synchronous reads: the returned task is always complete.</summary>
internal readonly struct GgufSyncReadAdapter : IGgufReadAdapter
{
    public ValueTask<int> ReadAtLeastAsync(Stream stream, Memory<byte> buffer, int minimumBytes, CancellationToken cancellationToken) =>
        new(stream.ReadAtLeast(buffer.Span, minimumBytes, throwOnEndOfStream: false));
}

/// <summary>Asynchronous reads.</summary>
internal readonly struct GgufAsyncReadAdapter : IGgufReadAdapter
{
    public ValueTask<int> ReadAtLeastAsync(Stream stream, Memory<byte> buffer, int minimumBytes, CancellationToken cancellationToken) =>
        stream.ReadAtLeastAsync(buffer, minimumBytes, throwOnEndOfStream: false, cancellationToken);
}
