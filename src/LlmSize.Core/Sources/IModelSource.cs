namespace LlmSize.Core.Sources;

/// <summary>One file a model source holds.</summary>
/// <param name="Path">Path relative to the source's root, '/'-separated (for a single-file source: the file name).</param>
/// <param name="Length">Exact size in bytes.</param>
public sealed record ModelSourceFile(string Path, long Length);

/// <summary>
/// Where a model's bytes come from: a local file or folder today; the Hub, an Ollama registry, an HTTP range reader or
/// an uploaded header slice are further implementations of this one interface, not new code paths. Readers see only
/// seekable streams; every read through the source is counted (<see cref="Statistics"/>), so "header only" is
/// checkable.
/// </summary>
public interface IModelSource
{
    /// <summary>What to call the source in messages (a path, a URL).</summary>
    string DisplayName { get; }

    /// <summary>Reads made through the source so far.</summary>
    SourceStatistics Statistics { get; }

    /// <summary>The files of the source with their sizes, in ordinal order of path.</summary>
    /// <returns>The files.</returns>
    IReadOnlyList<ModelSourceFile> ListFiles();

    /// <summary>Whether a file exists.</summary>
    /// <param name="path">Relative path.</param>
    /// <returns>True when the source holds it.</returns>
    bool Exists(string path);

    /// <summary>Opens a file as a seekable, read-only stream; reads are counted in <see cref="Statistics"/>.</summary>
    /// <param name="path">Relative path.</param>
    /// <returns>The stream (the caller disposes it).</returns>
    /// <exception cref="FileNotFoundException">No such file.</exception>
    Stream OpenRead(string path);

    /// <summary>The local file system path of a file, for readers that follow references to sibling files (shards,
    /// external data, adapters) themselves; null when the source is not local.</summary>
    /// <param name="path">Relative path.</param>
    /// <returns>A full path, or null.</returns>
    string? LocalPath(string path);
}

/// <summary>Counts of reads made through a source: requests (read calls) and bytes delivered.</summary>
public sealed class SourceStatistics
{
    private long _requests;
    private long _bytes;

    /// <summary>Read calls made.</summary>
    public long Requests => Interlocked.Read(ref _requests);

    /// <summary>Bytes delivered to readers.</summary>
    public long BytesRead => Interlocked.Read(ref _bytes);

    /// <summary>Records one read.</summary>
    /// <param name="bytes">Bytes it delivered.</param>
    internal void Record(int bytes)
    {
        Interlocked.Increment(ref _requests);
        Interlocked.Add(ref _bytes, bytes);
    }
}
