using System.Globalization;

namespace LlmSize.Core.Sources;

/// <summary>
/// What the Hub, Ollama and URL sources share: a file list with exact sizes known up front, files opened as lazily
/// range-reading streams (<see cref="HttpRangeStream"/>), the leading bytes of each file read kept in the
/// <see cref="HeaderCache"/> under the exact version (commit, digest), and counts of requests and bytes.
/// </summary>
public abstract class RemoteModelSource : IModelSource, IDisposable
{
    private readonly Dictionary<string, ModelSourceFile> _files;
    private readonly Dictionary<string, Uri> _servedBy = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();
    private readonly HashSet<string> _filesFromCache = new(StringComparer.Ordinal);
    private readonly Dictionary<string, byte[]> _seeds = new(StringComparer.Ordinal);

    private protected RemoteModelSource(RemoteHttp http, RemoteSourceOptions options, HeaderCache? cache, IReadOnlyList<ModelSourceFile> files,
        string commit, DateTimeOffset? listedFromCacheAt)
    {
        Http = http;
        Options = options;
        Cache = cache;
        Commit = commit;
        ListedFromCacheAt = listedFromCacheAt;
        _files = new Dictionary<string, ModelSourceFile>(StringComparer.Ordinal);
        foreach (var f in files) _files[f.Path] = f;
        Files = [.. files.OrderBy(f => f.Path, StringComparer.Ordinal)];
    }

    /// <inheritdoc />
    public abstract string DisplayName { get; }

    /// <inheritdoc />
    public SourceStatistics Statistics => Http.Statistics;

    /// <inheritdoc />
    public string Commit { get; }

    /// <summary>When the file list came from the cache (offline, or the server could not be reached): when it was fetched; else null.</summary>
    public DateTimeOffset? ListedFromCacheAt { get; }

    /// <summary>What the source is called in <see cref="Origin"/>: "the Hub", "the Ollama registry", "the server".</summary>
    protected abstract string OriginName { get; }

    /// <summary>The version's kind in <see cref="Origin"/>: "commit", "manifest".</summary>
    protected abstract string CommitLabel { get; }

    /// <summary>The cache key of the source (host, repository), before the commit and path.</summary>
    protected abstract string[] CacheKey { get; }

    /// <inheritdoc />
    public string Origin
    {
        get
        {
            string bare = Commit.StartsWith("sha256:", StringComparison.Ordinal) ? Commit[7..] : Commit;
            string version = $"{CommitLabel} {(bare.Length > 12 ? bare[..12] : bare)}";
            long requests = Statistics.Requests;
            string traffic = requests == 0
                ? "nothing fetched"
                : $"{Units.Plural(requests, "request")}, {Units.FormatDecimal(Statistics.BytesRead)}";
            if (ListedFromCacheAt is { } at && requests == 0)
            {
                return $"from the cache ({OriginName}, {version}, fetched {at.UtcDateTime.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture)} UTC); nothing fetched";
            }

            int fromCache;
            lock (_lock) fromCache = _filesFromCache.Count;
            string cached = fromCache > 0 ? $"; {Units.Plural(fromCache, "header")} from the cache" : "";
            return $"from {OriginName} at {version} ({traffic}{cached})";
        }
    }

    /// <summary>The files, in ordinal order of path.</summary>
    protected IReadOnlyList<ModelSourceFile> Files { get; }

    private protected RemoteHttp Http { get; }

    private protected RemoteSourceOptions Options { get; }

    private protected HeaderCache? Cache { get; }

    /// <inheritdoc />
    public IReadOnlyList<ModelSourceFile> ListFiles() => Files;

    /// <inheritdoc />
    public int MaxParallelReads => Math.Max(1, Options.MaxParallelFiles);

    /// <inheritdoc />
    public bool Exists(string path) => _files.ContainsKey(path);

    /// <inheritdoc />
    public string? LocalPath(string path) => null;

    /// <inheritdoc />
    public long GetLength(string path) =>
        _files.TryGetValue(path, out var f) ? f.Length : throw new FileNotFoundException($"{DisplayName}: no file '{path}'", path);

    /// <inheritdoc />
    public virtual string DisplayPath(string path) => $"{DisplayName}/{path}";

    /// <inheritdoc />
    public Stream OpenRead(string path) => OpenRead(path, 0);

    /// <inheritdoc />
    public Stream OpenRead(string path, int expectedHeaderBytes)
    {
        if (!_files.TryGetValue(path, out var file)) throw new FileNotFoundException($"{DisplayName}: no file '{path}'", path);
        string[] key = [.. CacheKey, Commit, path];
        byte[]? seed;
        lock (_lock) _seeds.TryGetValue(path, out seed);
        bool fromCache = false;
        if (seed is null && Cache?.TryReadPrefix(key) is { } cached && cached.TotalLength == file.Length)
        {
            seed = cached.Prefix;
            fromCache = true;
            lock (_lock) _seeds[path] = seed;
        }

        int first = expectedHeaderBytes > 0 ? (int)Math.Min(expectedHeaderBytes, file.Length) : RangeReadPolicy.FirstRange(path, file.Length);
        var stream = new HttpRangeStream(file.Length, first, RangeReadPolicy.Growth(path),
            (offset, count, ct) => FetchAsync(path, offset, count, ct), seed, s => Done(s, key, path, fromCache));
        return stream;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Disposes the HTTP client.</summary>
    /// <param name="disposing">True from <see cref="Dispose()"/>.</param>
    protected virtual void Dispose(bool disposing)
    {
        if (disposing) Http.Dispose();
    }

    /// <summary>The URL of a file (before redirects).</summary>
    private protected abstract Uri UrlOf(string path);

    /// <summary>The token for requests to <see cref="TokenHost"/>, or null.</summary>
    private protected virtual string? Token => null;

    /// <summary>The only host that may receive <see cref="Token"/>.</summary>
    private protected virtual string? TokenHost => null;

    /// <summary>Maps a failed file request to an exception naming the file.</summary>
    private protected abstract Exception FileFailure(HttpResponseMessage response, Uri url, string path);

    private async Task<byte[]> FetchAsync(string path, long offset, int count, CancellationToken ct)
    {
        if (Options.Offline)
        {
            throw new RemoteSourceException(InputErrorKind.RemoteFailure,
                $"{DisplayPath(path)}: offline, and the cache holds only the first bytes of this file, not offset {offset}",
                DisplayPath(path), offset) { IsTransient = true };
        }

        Uri url;
        lock (_lock) url = _servedBy.TryGetValue(path, out var known) ? known : UrlOf(path);
        RangeAnswer answer;
        try
        {
            answer = await Http.GetRangeAsync(url, offset, count, Token, TokenHost, (r, u) => FileFailure(r, u, path), ct, path).ConfigureAwait(false);
        }
        catch (RemoteSourceException e) when (e.StatusCode is 403 or 401 or 410 && url != UrlOf(path))
        {
            // A signed CDN URL that expired: start again from the repository's URL.
            lock (_lock) _servedBy.Remove(path);
            answer = await Http.GetRangeAsync(UrlOf(path), offset, count, Token, TokenHost, (r, u) => FileFailure(r, u, path), ct, path).ConfigureAwait(false);
        }

        lock (_lock) _servedBy[path] = answer.ServedBy;
        if (answer.TotalLength != _files[path].Length)
        {
            throw new RemoteSourceException(InputErrorKind.RemoteFailure,
                $"{DisplayPath(path)}: the server says the file has {answer.TotalLength} bytes, the listing {_files[path].Length}",
                RemoteHttp.Redact(answer.ServedBy), offset);
        }

        return answer.Bytes;
    }

    /// <summary>Leading bytes of a file already fetched (the request that found a URL's length), used by the next open.</summary>
    private protected void Seed(string path, byte[] prefix)
    {
        lock (_lock) _seeds[path] = prefix;
    }

    private void Done(HttpRangeStream stream, string[] key, string path, bool fromCache)
    {
        byte[] prefix = stream.ContiguousPrefix();
        lock (_lock)
        {
            // The next open of the same file (a format sniffs, then reads) starts from everything held so far.
            if (!_seeds.TryGetValue(path, out var held) || held.Length < prefix.Length) _seeds[path] = prefix;
            if (fromCache && !stream.Fetched) _filesFromCache.Add(path);
            if (fromCache) Statistics.RecordCacheHit(path);
        }

        if (stream.Fetched && Cache is not null && prefix.Length > stream.SeedLength) Cache.WritePrefix(prefix, stream.Length, key);
    }
}
