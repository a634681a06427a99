using System.Text.Json;

namespace LlmSize.Core.Sources;

/// <summary>
/// A model repository on the Hugging Face Hub (or any mirror at <c>HF_ENDPOINT</c>), read header-only. One request
/// lists the revision's files with exact sizes and resolves it to a commit
/// (<c>GET /api/models/{repo}/revision/{revision}?blobs=true</c>, the call huggingface_hub's <c>model_info(...,
/// files_metadata=True)</c> makes); files are then read by range from <c>/{repo}/resolve/{commit}/{path}</c>, pinned
/// to that commit, following the redirect to the LFS/CDN host without the token. The Hub's <c>X-Error-Code</c>
/// header tells a missing repository from a missing revision or file and a gated repository.
/// </summary>
public sealed class HubModelSource : RemoteModelSource
{
    private readonly string _repo;
    private readonly string _endpoint;

    private HubModelSource(RemoteHttp http, RemoteSourceOptions options, HeaderCache? cache, string repo, string revision,
        IReadOnlyList<ModelSourceFile> files, string commit, DateTimeOffset? fromCacheAt)
        : base(http, options, cache, files, commit, fromCacheAt)
    {
        _repo = repo;
        Revision = revision;
        _endpoint = options.HubEndpoint.TrimEnd('/');
    }

    /// <summary>The repository id ("org/name").</summary>
    public string Repository => _repo;

    /// <summary>The revision asked for (a branch, tag or commit).</summary>
    public string Revision { get; }

    /// <inheritdoc />
    public override string DisplayName => $"hf:{_repo}" + (Revision == "main" ? "" : "@" + Revision);

    /// <inheritdoc />
    protected override string OriginName => _endpoint == RemoteSourceOptions.DefaultHubEndpoint ? "the Hub" : $"the Hub at {_endpoint}";

    /// <inheritdoc />
    protected override string CommitLabel => "commit";

    /// <inheritdoc />
    protected override string[] CacheKey => ["hub", new Uri(_endpoint).Authority, _repo];

    private protected override string? Token => Options.HubToken;

    private protected override string? TokenHost => new Uri(_endpoint).Host;

    /// <summary>Opens a repository at a revision: lists its files (one request), or answers from the cache when
    /// offline or when the Hub cannot be reached and the cache has the revision.</summary>
    /// <param name="repository">"org/name".</param>
    /// <param name="revision">Branch, tag or commit; null = "main".</param>
    /// <param name="options">Endpoint, token, cache, limits.</param>
    /// <param name="cancellationToken">Cancels the requests.</param>
    /// <returns>The source (dispose it).</returns>
    /// <exception cref="RemoteSourceException">No such repository, revision; access denied (gated, private); the Hub
    /// unreachable with no cached copy; a malformed listing.</exception>
    public static async Task<HubModelSource> OpenAsync(string repository, string? revision, RemoteSourceOptions options,
        CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(repository);
        ArgumentNullException.ThrowIfNull(options);
        revision ??= "main";
        string endpoint = options.HubEndpoint.TrimEnd('/');
        var cache = options.CacheFolder is { } folder ? new HeaderCache(folder) : null;
        string[] listingKey = ["hub", new Uri(endpoint).Authority, repository, "revisions", revision];
        CachedAnswer? cached = cache?.TryReadAnswer(listingKey);
        var http = new RemoteHttp(options);
        try
        {
            if (options.Offline)
            {
                if (cached is null)
                {
                    throw new RemoteSourceException(InputErrorKind.RemoteFailure,
                        $"hf:{repository}@{revision}: offline, and the cache has no copy of this revision (run once online first)",
                        $"{endpoint}/{repository}") { IsTransient = true };
                }

                return Create(http, options, cache, repository, revision, cached.Body, cached.FetchedAt, endpoint);
            }

            var url = new Uri($"{endpoint}/api/models/{EscapeRepo(repository)}/revision/{Uri.EscapeDataString(revision)}?blobs=true");
            HttpResponseMessage response;
            try
            {
                (response, _) = await http.GetAsync(url, options.HubToken, new Uri(endpoint).Host, r =>
                {
                    r.Headers.Accept.ParseAdd("application/json");
                    if (cached?.ETag is { } etag) r.Headers.TryAddWithoutValidation("If-None-Match", etag);
                }, cancellationToken, SourceStatistics.ListingName).ConfigureAwait(false);
            }
            catch (RemoteSourceException e) when (e.IsTransient && cached is not null)
            {
                return Create(http, options, cache, repository, revision, cached.Body, cached.FetchedAt, endpoint);
            }

            using (response)
            {
                if ((int)response.StatusCode == 304 && cached is not null)
                {
                    return Create(http, options, cache, repository, revision, cached.Body, null, endpoint);
                }

                if (!response.IsSuccessStatusCode)
                {
                    var failure = Failure(response, url, repository, revision, null, options);
                    if (failure.IsTransient && cached is not null)
                    {
                        return Create(http, options, cache, repository, revision, cached.Body, cached.FetchedAt, endpoint);
                    }

                    throw failure;
                }

                byte[] body = await http.ReadBoundedAsync(response, url, cancellationToken, SourceStatistics.ListingName).ConfigureAwait(false);
                var source = Create(http, options, cache, repository, revision, body, null, endpoint);
                cache?.WriteAnswer(body, response.Headers.ETag?.Tag, listingKey);
                return source;
            }
        }
        catch
        {
            http.Dispose();
            throw;
        }
    }

    private protected override Uri UrlOf(string path) =>
        new($"{_endpoint}/{EscapeRepo(_repo)}/resolve/{Uri.EscapeDataString(Commit)}/{string.Join('/', path.Split('/').Select(Uri.EscapeDataString))}");

    private protected override Exception FileFailure(HttpResponseMessage response, Uri url, string path) =>
        Failure(response, url, _repo, Revision, path, Options);

    /// <summary>Maps a Hub error to one line: what is missing (repo, revision, file) or why access was denied.</summary>
    private static RemoteSourceException Failure(HttpResponseMessage response, Uri url, string repo, string revision, string? path,
        RemoteSourceOptions options)
    {
        int status = (int)response.StatusCode;
        string code = response.Headers.TryGetValues("X-Error-Code", out var values) ? values.FirstOrDefault() ?? "" : "";
        string name = $"hf:{repo}" + (revision == "main" ? "" : "@" + revision) + (path is null ? "" : "/" + path);
        string endpoint = options.HubEndpoint.TrimEnd('/');
        string tokenHint = options.HubToken is null
            ? "set HF_TOKEN (or log in with `hf auth login`) to a token that may read it"
            : "the token in use (HF_TOKEN or the huggingface token file) may not read it";
        string redacted = RemoteHttp.Redact(url);
        if (code == "GatedRepo")
        {
            return new RemoteSourceException(InputErrorKind.AccessDenied,
                $"{name}: gated model; request access at {endpoint}/{repo} and {tokenHint}", redacted, statusCode: status);
        }

        if (status is 401 or 403 && code != "RepoNotFound")
        {
            return new RemoteSourceException(InputErrorKind.AccessDenied,
                $"{name}: the Hub refuses access (private or gated, HTTP {status}); {tokenHint}", redacted, statusCode: status);
        }

        return (status, code) switch
        {
            (404, "RevisionNotFound") => new RemoteSourceException(InputErrorKind.NotFound,
                $"{name}: no revision '{revision}' in {repo} (a branch, tag or commit)", redacted, statusCode: status),
            (404, "EntryNotFound") => new RemoteSourceException(InputErrorKind.NotFound,
                $"{name}: no such file in the repository at this revision", redacted, statusCode: status),
            (404 or 401 or 403, _) => new RemoteSourceException(InputErrorKind.NotFound,
                $"{name}: no such repository on {endpoint} (or it is private: {tokenHint})", redacted, statusCode: status),
            (408 or 429 or >= 500, _) => new RemoteSourceException(InputErrorKind.RemoteFailure,
                $"{name}: the Hub answered HTTP {status} after retries; try again later", redacted, statusCode: status) { IsTransient = true },
            _ => new RemoteSourceException(InputErrorKind.RemoteFailure, $"{name}: the Hub answered HTTP {status}", redacted, statusCode: status),
        };
    }

    private static HubModelSource Create(RemoteHttp http, RemoteSourceOptions options, HeaderCache? cache, string repo, string revision,
        byte[] listing, DateTimeOffset? fromCacheAt, string endpoint)
    {
        string where = $"{endpoint}/api/models/{repo}";
        string? sha = null;
        var files = new List<ModelSourceFile>();
        try
        {
            using var doc = JsonDocument.Parse(listing, new JsonDocumentOptions { MaxDepth = 16 });
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object) throw Malformed(where, "the listing is not a JSON object");
            if (root.TryGetProperty("sha", out var s) && s.ValueKind == JsonValueKind.String) sha = s.GetString();
            if (!root.TryGetProperty("siblings", out var siblings) || siblings.ValueKind != JsonValueKind.Array)
            {
                throw Malformed(where, "the listing has no 'siblings' array");
            }

            foreach (var sibling in siblings.EnumerateArray())
            {
                if (sibling.ValueKind != JsonValueKind.Object
                    || !sibling.TryGetProperty("rfilename", out var n) || n.ValueKind != JsonValueKind.String)
                {
                    throw Malformed(where, "a sibling has no 'rfilename'");
                }

                string name = n.GetString()!;
                long size = sibling.TryGetProperty("size", out var z) && z.ValueKind == JsonValueKind.Number && z.TryGetInt64(out long v) && v >= 0 ? v
                    : sibling.TryGetProperty("lfs", out var lfs) && lfs.ValueKind == JsonValueKind.Object && lfs.TryGetProperty("size", out var ls)
                      && ls.TryGetInt64(out long lv) && lv >= 0 ? lv
                    : throw Malformed(where, $"sibling '{name}' has no size (the listing was not asked with blobs=true?)");
                if (name.Length == 0 || name.StartsWith('/') || name.Split('/').Any(p => p is ".." or "." or ""))
                {
                    throw Malformed(where, $"sibling name '{name}' is not a relative path");
                }

                files.Add(new ModelSourceFile(name, size));
            }
        }
        catch (JsonException e)
        {
            throw Malformed(where, "the listing is not well-formed JSON: " + e.Message);
        }

        if (sha is null || sha.Length == 0) throw Malformed(where, "the listing has no commit 'sha'");
        return new HubModelSource(http, options, cache, repo, revision, files, sha, fromCacheAt);
    }

    private static RemoteSourceException Malformed(string url, string what) =>
        new(InputErrorKind.RemoteFailure, $"{url}: {what}", url);

    private static string EscapeRepo(string repo) => string.Join('/', repo.Split('/').Select(Uri.EscapeDataString));
}
