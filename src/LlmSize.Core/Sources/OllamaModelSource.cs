using System.Security.Cryptography;
using System.Text.Json;

namespace LlmSize.Core.Sources;

/// <summary>
/// A model in an Ollama registry (<c>registry.ollama.ai</c> or <c>OLLAMA_REGISTRY</c>), read header-only: the tag's
/// manifest (an OCI/Docker v2 image manifest, <c>GET /v2/{namespace}/{model}/manifests/{tag}</c>) names its layers by
/// media type; the model layer (<c>application/vnd.ollama.image.model</c>, a GGUF file) is served as
/// <c>model.gguf</c>, a vision projector (<c>application/vnd.ollama.image.projector</c>) as <c>projector.gguf</c>, and
/// both are read by range from <c>/v2/{namespace}/{model}/blobs/{digest}</c>. The manifest's SHA-256 pins the version.
/// </summary>
public sealed class OllamaModelSource : RemoteModelSource
{
    /// <summary>The media type of the model layer.</summary>
    public const string ModelLayerMediaType = "application/vnd.ollama.image.model";

    /// <summary>The media type of a vision projector layer.</summary>
    public const string ProjectorLayerMediaType = "application/vnd.ollama.image.projector";

    private readonly Dictionary<string, string> _digests;
    private readonly string _registry;

    private OllamaModelSource(RemoteHttp http, RemoteSourceOptions options, HeaderCache? cache, string ns, string model, string tag,
        IReadOnlyList<ModelSourceFile> files, Dictionary<string, string> digests, string manifestDigest, DateTimeOffset? fromCacheAt)
        : base(http, options, cache, files, manifestDigest, fromCacheAt)
    {
        Namespace = ns;
        Model = model;
        Tag = tag;
        _digests = digests;
        _registry = options.OllamaRegistry.TrimEnd('/');
    }

    /// <summary>The namespace ("library" for official models).</summary>
    public string Namespace { get; }

    /// <summary>The model name ("llama3.2").</summary>
    public string Model { get; }

    /// <summary>The tag ("3b", "latest").</summary>
    public string Tag { get; }

    /// <inheritdoc />
    public override string DisplayName => $"ollama:{(Namespace == "library" ? "" : Namespace + "/")}{Model}:{Tag}";

    /// <inheritdoc />
    protected override string OriginName =>
        _registry == RemoteSourceOptions.DefaultOllamaRegistry ? "the Ollama registry" : $"the Ollama registry at {_registry}";

    /// <inheritdoc />
    protected override string CommitLabel => "manifest";

    /// <inheritdoc />
    protected override string[] CacheKey => ["ollama", new Uri(_registry).Authority, Namespace + "/" + Model];

    /// <summary>Opens a tag: fetches its manifest (one request), or answers from the cache offline or when the registry
    /// cannot be reached.</summary>
    /// <param name="ns">Namespace; "library" for official models.</param>
    /// <param name="model">Model name.</param>
    /// <param name="tag">Tag; null = "latest".</param>
    /// <param name="options">Registry, cache, limits.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>The source (dispose it).</returns>
    /// <exception cref="RemoteSourceException">No such model or tag; a manifest without a model layer; unreachable with no cached copy.</exception>
    public static async Task<OllamaModelSource> OpenAsync(string ns, string model, string? tag, RemoteSourceOptions options,
        CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(ns);
        ArgumentException.ThrowIfNullOrWhiteSpace(model);
        ArgumentNullException.ThrowIfNull(options);
        tag ??= "latest";
        string registry = options.OllamaRegistry.TrimEnd('/');
        string display = $"ollama:{(ns == "library" ? "" : ns + "/")}{model}:{tag}";
        var cache = options.CacheFolder is { } folder ? new HeaderCache(folder) : null;
        string[] key = ["ollama", new Uri(registry).Authority, ns + "/" + model, "tags", tag];
        CachedAnswer? cached = cache?.TryReadAnswer(key);
        var http = new RemoteHttp(options);
        try
        {
            if (options.Offline)
            {
                return cached is not null
                    ? Create(http, options, cache, ns, model, tag, cached.Body, cached.FetchedAt, registry, display)
                    : throw new RemoteSourceException(InputErrorKind.RemoteFailure,
                        $"{display}: offline, and the cache has no copy of this tag (run once online first)", registry) { IsTransient = true };
            }

            var url = new Uri($"{registry}/v2/{Uri.EscapeDataString(ns)}/{Uri.EscapeDataString(model)}/manifests/{Uri.EscapeDataString(tag)}");
            HttpResponseMessage response;
            try
            {
                (response, _) = await http.GetAsync(url, null, null, r =>
                {
                    r.Headers.Accept.ParseAdd("application/vnd.docker.distribution.manifest.v2+json");
                    r.Headers.Accept.ParseAdd("application/vnd.oci.image.manifest.v1+json");
                    if (cached?.ETag is { } etag) r.Headers.TryAddWithoutValidation("If-None-Match", etag);
                }, cancellationToken, SourceStatistics.ListingName).ConfigureAwait(false);
            }
            catch (RemoteSourceException e) when (e.IsTransient && cached is not null)
            {
                return Create(http, options, cache, ns, model, tag, cached.Body, cached.FetchedAt, registry, display);
            }

            using (response)
            {
                int status = (int)response.StatusCode;
                if (status == 304 && cached is not null) return Create(http, options, cache, ns, model, tag, cached.Body, null, registry, display);
                if (!response.IsSuccessStatusCode)
                {
                    bool transient = status is 408 or 429 or >= 500;
                    if (transient && cached is not null) return Create(http, options, cache, ns, model, tag, cached.Body, cached.FetchedAt, registry, display);
                    throw status == 404
                        ? new RemoteSourceException(InputErrorKind.NotFound, $"{display}: no such model or tag in {registry}", RemoteHttp.Redact(url), statusCode: status)
                        : new RemoteSourceException(InputErrorKind.RemoteFailure, $"{display}: the registry answered HTTP {status}", RemoteHttp.Redact(url), statusCode: status)
                        {
                            IsTransient = transient,
                        };
                }

                byte[] body = await http.ReadBoundedAsync(response, url, cancellationToken, SourceStatistics.ListingName).ConfigureAwait(false);
                var source = Create(http, options, cache, ns, model, tag, body, null, registry, display);
                cache?.WriteAnswer(body, response.Headers.ETag?.Tag, key);
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
        new($"{_registry}/v2/{Uri.EscapeDataString(Namespace)}/{Uri.EscapeDataString(Model)}/blobs/{_digests[path]}");

    private protected override Exception FileFailure(HttpResponseMessage response, Uri url, string path)
    {
        int status = (int)response.StatusCode;
        return new RemoteSourceException(status == 404 ? InputErrorKind.NotFound : InputErrorKind.RemoteFailure,
            $"{DisplayName}: the registry answered HTTP {status} for the {path} blob {_digests[path]}", RemoteHttp.Redact(url), statusCode: status)
        {
            IsTransient = status is 408 or 429 or >= 500,
        };
    }

    private static OllamaModelSource Create(RemoteHttp http, RemoteSourceOptions options, HeaderCache? cache, string ns, string model, string tag,
        byte[] manifest, DateTimeOffset? fromCacheAt, string registry, string display)
    {
        var files = new List<ModelSourceFile>();
        var digests = new Dictionary<string, string>(StringComparer.Ordinal);
        try
        {
            using var doc = JsonDocument.Parse(manifest, new JsonDocumentOptions { MaxDepth = 16 });
            if (doc.RootElement.ValueKind != JsonValueKind.Object
                || !doc.RootElement.TryGetProperty("layers", out var layers) || layers.ValueKind != JsonValueKind.Array)
            {
                throw Malformed(display, registry, "the manifest has no 'layers' array");
            }

            int projectors = 0;
            foreach (var layer in layers.EnumerateArray())
            {
                string? mediaType = layer.ValueKind == JsonValueKind.Object && layer.TryGetProperty("mediaType", out var m) && m.ValueKind == JsonValueKind.String ? m.GetString() : null;
                string? name = mediaType switch
                {
                    ModelLayerMediaType => "model.gguf",
                    ProjectorLayerMediaType => projectors++ == 0 ? "projector.gguf" : $"projector-{projectors}.gguf",
                    _ => null,
                };
                if (name is null) continue;
                if (!layer.TryGetProperty("digest", out var d) || d.ValueKind != JsonValueKind.String
                    || d.GetString() is not { } digest || !IsDigest(digest))
                {
                    throw Malformed(display, registry, $"a {mediaType} layer has no valid 'digest' (sha256:<64 hex>)");
                }

                if (!layer.TryGetProperty("size", out var s) || !s.TryGetInt64(out long size) || size < 0)
                {
                    throw Malformed(display, registry, $"layer {digest} has no valid 'size'");
                }

                if (digests.ContainsKey(name)) throw Malformed(display, registry, "the manifest has two model layers");
                digests[name] = digest;
                files.Add(new ModelSourceFile(name, size));
            }
        }
        catch (JsonException e)
        {
            throw Malformed(display, registry, "the manifest is not well-formed JSON: " + e.Message);
        }

        if (!digests.ContainsKey("model.gguf")) throw Malformed(display, registry, $"the manifest has no {ModelLayerMediaType} layer");
        string manifestDigest = "sha256:" + Convert.ToHexStringLower(SHA256.HashData(manifest));
        return new OllamaModelSource(http, options, cache, ns, model, tag, files, digests, manifestDigest, fromCacheAt);
    }

    private static bool IsDigest(string digest) =>
        digest.Length == 71 && digest.StartsWith("sha256:", StringComparison.Ordinal) && digest.AsSpan(7).ContainsAnyExcept("0123456789abcdef") is false;

    private static RemoteSourceException Malformed(string display, string registry, string what) =>
        new(InputErrorKind.RemoteFailure, $"{display}: {what}", registry);
}
