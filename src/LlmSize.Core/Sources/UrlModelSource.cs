namespace LlmSize.Core.Sources;

/// <summary>
/// One model file at a direct <c>https://</c> URL (a <c>.gguf</c>, <c>.safetensors</c> or <c>.onnx</c> link), read by
/// range. The first range request also gives the file's length (<c>Content-Range</c>), so a small header costs one
/// request. The version is the server's ETag (or the length when it sends none). User-supplied URLs are fetched by
/// the CLI only; a web server must never open one (it would let visitors make the server fetch anything).
/// </summary>
public sealed class UrlModelSource : RemoteModelSource
{
    private readonly Uri _url;
    private readonly string _name;

    private UrlModelSource(RemoteHttp http, RemoteSourceOptions options, HeaderCache? cache, Uri url, string name, long length, string version,
        byte[]? seed, DateTimeOffset? fromCacheAt)
        : base(http, options, cache, [new ModelSourceFile(name, length)], version, fromCacheAt)
    {
        _url = url;
        _name = name;
        if (seed is not null) Seed(name, seed);
    }

    /// <summary>The file's name in the source (the URL's last path segment).</summary>
    public string FileName => _name;

    /// <inheritdoc />
    public override string DisplayName => RemoteHttp.Redact(_url);

    /// <inheritdoc />
    public override string DisplayPath(string path) => DisplayName;

    /// <inheritdoc />
    protected override string OriginName => _url.Host;

    /// <inheritdoc />
    protected override string CommitLabel => "ETag";

    /// <inheritdoc />
    protected override string[] CacheKey => ["url", _url.Authority, _url.AbsolutePath];

    /// <summary>Opens a URL: one range request for the first bytes, which also gives the length.</summary>
    /// <param name="url">An absolute http(s) URL of one model file.</param>
    /// <param name="options">Limits, cache.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>The source (dispose it).</returns>
    /// <exception cref="RemoteSourceException">The server cannot be reached, answers an error, ignores Range.</exception>
    public static async Task<UrlModelSource> OpenAsync(Uri url, RemoteSourceOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(url);
        ArgumentNullException.ThrowIfNull(options);
        if (!url.IsAbsoluteUri || url.Scheme is not ("https" or "http"))
        {
            throw new InputException(InputErrorKind.InvalidRequest, $"{url}: only http(s) URLs name a remote model file");
        }

        string name = Uri.UnescapeDataString(url.Segments.LastOrDefault()?.TrimEnd('/') ?? "");
        if (name.Length == 0 || name.Contains('/')) name = "model";
        var cache = options.CacheFolder is { } folder ? new HeaderCache(folder) : null;
        string[] key = ["url", url.Authority, url.AbsolutePath, "head"];
        var http = new RemoteHttp(options);
        try
        {
            CachedAnswer? cached = cache?.TryReadAnswer(key);
            if (options.Offline)
            {
                if (cached is null || !long.TryParse(System.Text.Encoding.UTF8.GetString(cached.Body), out long cachedLength))
                {
                    throw new RemoteSourceException(InputErrorKind.RemoteFailure,
                        $"{RemoteHttp.Redact(url)}: offline, and the cache has no copy of this file's header", RemoteHttp.Redact(url)) { IsTransient = true };
                }

                return new UrlModelSource(http, options, cache, url, name, cachedLength, cached.ETag ?? $"length {cachedLength}", null, cached.FetchedAt);
            }

            int first = RangeReadPolicy.FirstRange(name, long.MaxValue);
            RangeAnswer answer = await http.GetRangeAsync(url, 0, first, null, null, (r, u) => Failure(r, u), cancellationToken, name).ConfigureAwait(false);
            string version = answer.ETag ?? $"length {answer.TotalLength}";
            cache?.WriteAnswer(System.Text.Encoding.UTF8.GetBytes(answer.TotalLength.ToString(System.Globalization.CultureInfo.InvariantCulture)),
                answer.ETag, key);
            return new UrlModelSource(http, options, cache, url, name, answer.TotalLength, version, answer.Bytes, null);
        }
        catch
        {
            http.Dispose();
            throw;
        }
    }

    private protected override Uri UrlOf(string path) => _url;

    private protected override Exception FileFailure(HttpResponseMessage response, Uri url, string path) => Failure(response, url);

    private static RemoteSourceException Failure(HttpResponseMessage response, Uri url)
    {
        int status = (int)response.StatusCode;
        var kind = status switch
        {
            404 or 410 => InputErrorKind.NotFound,
            401 or 403 => InputErrorKind.AccessDenied,
            _ => InputErrorKind.RemoteFailure,
        };
        return new RemoteSourceException(kind, $"{RemoteHttp.Redact(url)}: the server answered HTTP {status}", RemoteHttp.Redact(url), statusCode: status)
        {
            IsTransient = status is 408 or 429 or >= 500,
        };
    }
}
