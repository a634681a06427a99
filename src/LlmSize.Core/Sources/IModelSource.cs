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

    /// <summary>The exact length of a file, in bytes.</summary>
    /// <param name="path">Relative path.</param>
    /// <returns>The length.</returns>
    /// <exception cref="FileNotFoundException">No such file.</exception>
    long GetLength(string path);

    /// <summary>Opens a file as a seekable, read-only stream; reads are counted in <see cref="Statistics"/>.</summary>
    /// <param name="path">Relative path.</param>
    /// <returns>The stream (the caller disposes it).</returns>
    /// <exception cref="FileNotFoundException">No such file.</exception>
    Stream OpenRead(string path);

    /// <summary>Opens a file whose header the caller can size in advance (a shard's tensor names are in the index), so
    /// a remote source fetches about that much in its first request instead of its default range.</summary>
    /// <param name="path">Relative path.</param>
    /// <param name="expectedHeaderBytes">The expected bytes from offset 0 to the end of the header.</param>
    /// <returns>The stream (the caller disposes it).</returns>
    /// <exception cref="FileNotFoundException">No such file.</exception>
    Stream OpenRead(string path, int expectedHeaderBytes) => OpenRead(path);

    /// <summary>The local file system path of a file, for readers that follow references to sibling files (shards,
    /// external data, adapters) themselves; null when the source is not local.</summary>
    /// <param name="path">Relative path.</param>
    /// <returns>A full path, or null.</returns>
    string? LocalPath(string path);

    /// <summary>Where the files were read from, for output: "from the Hub at commit 1a2b3c4 (3 requests, 120 KB)",
    /// "from the cache, fetched 2026-12-01"; null for a local source.</summary>
    string? Origin => null;

    /// <summary>How many files' headers to read at once (shards, split parts): 8 for a local source; a remote one
    /// uses <see cref="RemoteSourceOptions.MaxParallelFiles"/> so that shard headers arrive in one round trip.</summary>
    int MaxParallelReads => 8;

    /// <summary>The exact version read: the Hub commit, an Ollama manifest digest, a URL's ETag; null for a local source.</summary>
    string? Commit => null;

    /// <summary>How to name a file of the source in output and errors: its local path, else the source's name and the
    /// relative path.</summary>
    /// <param name="path">Relative path.</param>
    /// <returns>The name.</returns>
    string DisplayPath(string path) => LocalPath(path) ?? $"{DisplayName}/{path}";
}

/// <summary>Counts of reads made through a source: requests (read calls for a local source, HTTP requests for a
/// remote one) and bytes delivered (received over the network for a remote source), in total and per file.</summary>
public sealed class SourceStatistics
{
    /// <summary>The name under which a remote source's file listing (the Hub's revision API, an Ollama manifest) is counted.</summary>
    public const string ListingName = "(file list)";

    private readonly Lock _lock = new();
    private readonly List<FileTraffic> _files = [];
    private long _requests;
    private long _bytes;

    /// <summary>Read calls made.</summary>
    public long Requests => Interlocked.Read(ref _requests);

    /// <summary>Bytes delivered to readers.</summary>
    public long BytesRead => Interlocked.Read(ref _bytes);

    /// <summary>Traffic per file, in the order files were first read (remote sources; empty for a local one).</summary>
    public IReadOnlyList<FileTraffic> Files
    {
        get
        {
            lock (_lock) return [.. _files.Select(f => f.Snapshot())];
        }
    }

    /// <summary>Records one read.</summary>
    /// <param name="bytes">Bytes it delivered.</param>
    internal void Record(int bytes)
    {
        Interlocked.Increment(ref _requests);
        Interlocked.Add(ref _bytes, bytes);
    }

    /// <summary>Records one request (a remote source counts HTTP requests, not read calls).</summary>
    /// <param name="file">The file it was for, or null.</param>
    internal void RecordRequest(string? file = null)
    {
        Interlocked.Increment(ref _requests);
        if (file is not null) For(file).AddRequest();
    }

    /// <summary>Records bytes received.</summary>
    /// <param name="bytes">Bytes.</param>
    /// <param name="file">The file they belong to, or null.</param>
    internal void RecordBytes(long bytes, string? file = null)
    {
        Interlocked.Add(ref _bytes, bytes);
        if (file is not null) For(file).AddBytes(bytes);
    }

    /// <summary>Records that a file's leading bytes came from the cache.</summary>
    /// <param name="file">The file.</param>
    internal void RecordCacheHit(string file) => For(file).MarkCached();

    private FileTraffic For(string file)
    {
        lock (_lock)
        {
            foreach (var f in _files)
            {
                if (f.Path == file) return f;
            }

            var added = new FileTraffic(file);
            _files.Add(added);
            return added;
        }
    }
}

/// <summary>The traffic of one remote file: HTTP requests (redirect hops included) and bytes received.</summary>
public sealed class FileTraffic
{
    private long _requests;
    private long _bytes;
    private int _cached;

    internal FileTraffic(string path) => Path = path;

    /// <summary>Path in the repository (<see cref="SourceStatistics.ListingName"/> for the file listing).</summary>
    public string Path { get; }

    /// <summary>HTTP requests made for the file, redirects included.</summary>
    public long Requests => Interlocked.Read(ref _requests);

    /// <summary>Bytes received for the file (bodies only; headers of HTTP messages are not counted).</summary>
    public long Bytes => Interlocked.Read(ref _bytes);

    /// <summary>True when the file's leading bytes came from the local header cache.</summary>
    public bool FromCache => Volatile.Read(ref _cached) != 0;

    internal void AddRequest() => Interlocked.Increment(ref _requests);

    internal void AddBytes(long bytes) => Interlocked.Add(ref _bytes, bytes);

    internal void MarkCached() => Volatile.Write(ref _cached, 1);

    internal FileTraffic Snapshot()
    {
        var copy = new FileTraffic(Path);
        copy._requests = Requests;
        copy._bytes = Bytes;
        copy._cached = FromCache ? 1 : 0;
        return copy;
    }
}
