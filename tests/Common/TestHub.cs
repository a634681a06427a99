using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace LlmSize.Testing;

/// <summary>
/// A real HTTP server (Kestrel on 127.0.0.1, a free port) serving model repositories in the shapes of the Hugging Face
/// Hub API and an Ollama registry, honouring <c>Range</c> the way ASP.NET Core's file results do. The API is on
/// <c>127.0.0.1</c>; file bodies redirect (302/307) to a "CDN" on <c>localhost</c> — another host name — so tests see
/// whether a token crosses the redirect. Faults per file: 429 first, no Range support, a truncated body.
/// </summary>
/// <remarks>API shapes read from huggingface_hub (<c>HfApi.model_info</c>: <c>GET /api/models/{repo}/revision/{rev}</c>
/// with <c>blobs=true</c> → <c>sha</c>, <c>siblings[].rfilename/size</c>; <c>X-Error-Code</c> RepoNotFound /
/// RevisionNotFound / EntryNotFound / GatedRepo) and ollama's server/images.go (manifest v2 with layers by media type;
/// blobs by digest).</remarks>
internal sealed class TestHub : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, int> _hits = new();
    private readonly ConcurrentQueue<(string Path, long StartTicks, long EndTicks)> _log = new();
    private readonly ConcurrentBag<(string Path, bool Authorized)> _cdnRequests = [];

    private TestHub(WebApplication app) => _app = app;

    /// <summary>Hub repositories by id.</summary>
    public Dictionary<string, HubRepo> Repos { get; } = new(StringComparer.Ordinal);

    /// <summary>Ollama models by "namespace/model:tag" → layers (media type, backing file).</summary>
    public Dictionary<string, List<(string MediaType, string File)>> Ollama { get; } = new(StringComparer.Ordinal);

    /// <summary>Direct files by URL path ("/files/x.gguf").</summary>
    public Dictionary<string, string> Direct { get; } = new(StringComparer.Ordinal);

    /// <summary>Delay before every answer: a simulated network round trip (benchmarks use 50 ms).</summary>
    public TimeSpan Latency { get; set; }

    /// <summary>Paths whose first request answers 429 (Retry-After: 0).</summary>
    public HashSet<string> Throttled { get; } = [];

    /// <summary>Paths served with 200 and the whole file, ignoring Range.</summary>
    public HashSet<string> NoRange { get; } = [];

    /// <summary>Paths whose range bodies stop halfway.</summary>
    public HashSet<string> Truncated { get; } = [];

    /// <summary>The API base URL (http://127.0.0.1:port).</summary>
    public string Endpoint { get; private set; } = "";

    /// <summary>Requests that reached the CDN host, and whether they carried an Authorization header.</summary>
    public IReadOnlyCollection<(string Path, bool Authorized)> CdnRequests => _cdnRequests;

    /// <summary>Requests that started at or after <paramref name="sinceTicks"/> (<see cref="Now"/>), with their start and
    /// end relative to it (the end is when the handler returned: headers and body written).</summary>
    public IReadOnlyList<(string Path, TimeSpan Start, TimeSpan End)> Log(long sinceTicks) =>
        [.. _log.Where(e => e.StartTicks >= sinceTicks).Select(e => (e.Path, TimeSpan.FromTicks(e.StartTicks - sinceTicks), TimeSpan.FromTicks(e.EndTicks - sinceTicks)))];

    /// <summary>Requests whose path contains <paramref name="pathContains"/>.</summary>
    public int Hits(string pathContains) => _hits.Where(h => h.Key.Contains(pathContains, StringComparison.Ordinal)).Sum(h => h.Value);

    /// <summary>Starts the server.</summary>
    public static async Task<TestHub> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var hub = new TestHub(app);
        app.Run(hub.HandleAsync);
        await app.StartAsync();
        hub.Endpoint = app.Urls.First().TrimEnd('/');
        return hub;
    }

    /// <summary>Adds a Hub repository whose files are local files (real fixtures or generated sparse files).</summary>
    public HubRepo AddRepo(string id, IReadOnlyDictionary<string, string> files, string? requiredToken = null)
    {
        var repo = new HubRepo(id, Convert.ToHexStringLower(SHA1.HashData(Encoding.UTF8.GetBytes(id))), files, requiredToken);
        Repos[id] = repo;
        return repo;
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private async Task HandleAsync(HttpContext ctx)
    {
        long start = System.Diagnostics.Stopwatch.GetTimestamp();
        try
        {
            await HandleCoreAsync(ctx);
        }
        finally
        {
            _log.Enqueue((ctx.Request.Path.Value ?? "/", TicksOf(start), TicksOf(System.Diagnostics.Stopwatch.GetTimestamp())));
        }
    }

    /// <summary>A <see cref="System.Diagnostics.Stopwatch"/> timestamp in <see cref="TimeSpan"/> ticks.</summary>
    public static long TicksOf(long timestamp) => (long)(timestamp * (double)TimeSpan.TicksPerSecond / System.Diagnostics.Stopwatch.Frequency);

    /// <summary>Now, in the units of <see cref="Log"/>.</summary>
    public static long Now => TicksOf(System.Diagnostics.Stopwatch.GetTimestamp());

    private async Task HandleCoreAsync(HttpContext ctx)
    {
        string path = ctx.Request.Path.Value ?? "/";
        _hits.AddOrUpdate(path, 1, (_, n) => n + 1);
        if (Latency > TimeSpan.Zero) await Task.Delay(Latency);
        if (Throttled.Contains(path) && _hits[path] == 1)
        {
            ctx.Response.StatusCode = 429;
            ctx.Response.Headers.RetryAfter = "0";
            return;
        }

        if (path.StartsWith("/cdn/", StringComparison.Ordinal))
        {
            _cdnRequests.Add((path, ctx.Request.Headers.Authorization.Count > 0));
            string file = Uri.UnescapeDataString(path["/cdn/".Length..]);
            await ServeFileAsync(ctx, file, path);
            return;
        }

        if (path.StartsWith("/files/", StringComparison.Ordinal) && Direct.TryGetValue(path, out var direct))
        {
            await ServeFileAsync(ctx, direct, path);
            return;
        }

        if (path.StartsWith("/api/models/", StringComparison.Ordinal))
        {
            await ListingAsync(ctx, path["/api/models/".Length..]);
            return;
        }

        if (path.StartsWith("/v2/", StringComparison.Ordinal))
        {
            await OllamaAsync(ctx, path["/v2/".Length..]);
            return;
        }

        // /{org}/{name}/resolve/{rev}/{path}
        string[] parts = path.Trim('/').Split('/');
        if (parts.Length >= 5 && parts[2] == "resolve")
        {
            string id = parts[0] + "/" + parts[1];
            if (!Repos.TryGetValue(id, out var repo)) { Error(ctx, 404, "RepoNotFound"); return; }
            if (!Authorized(ctx, repo)) { Error(ctx, 401, "GatedRepo"); return; }
            if (parts[3] != repo.Commit && parts[3] != "main") { Error(ctx, 404, "RevisionNotFound"); return; }
            string file = string.Join('/', parts[4..].Select(Uri.UnescapeDataString));
            if (!repo.Files.TryGetValue(file, out var local)) { Error(ctx, 404, "EntryNotFound"); return; }
            // LFS files go to the CDN host: "localhost" instead of "127.0.0.1".
            string cdn = Endpoint.Replace("127.0.0.1", "localhost", StringComparison.Ordinal);
            ctx.Response.StatusCode = 302;
            ctx.Response.Headers.Location = $"{cdn}/cdn/{Uri.EscapeDataString(local)}?X-Amz-Signature=secret";
            return;
        }

        ctx.Response.StatusCode = 404;
    }

    private async Task ListingAsync(HttpContext ctx, string rest)
    {
        // {org}/{name}/revision/{revision}
        string[] parts = rest.Split('/');
        string id = parts.Length >= 2 ? parts[0] + "/" + parts[1] : rest;
        if (!Repos.TryGetValue(id, out var repo)) { Error(ctx, 404, "RepoNotFound"); return; }
        if (!Authorized(ctx, repo)) { Error(ctx, 401, "GatedRepo"); return; }
        string revision = parts.Length >= 4 ? Uri.UnescapeDataString(parts[3]) : "main";
        if (revision != "main" && revision != repo.Commit) { Error(ctx, 404, "RevisionNotFound"); return; }
        var body = new
        {
            id,
            sha = repo.Commit,
            siblings = repo.Files.Select(f => new { rfilename = f.Key, size = new FileInfo(f.Value).Length }).ToArray(),
        };
        string etag = "\"" + repo.Commit + "\"";
        if (ctx.Request.Headers.IfNoneMatch == etag)
        {
            ctx.Response.StatusCode = 304;
            return;
        }

        ctx.Response.Headers.ETag = etag;
        ctx.Response.ContentType = "application/json";
        await ctx.Response.WriteAsync(JsonSerializer.Serialize(body));
    }

    private async Task OllamaAsync(HttpContext ctx, string rest)
    {
        // {ns}/{model}/manifests/{tag} or {ns}/{model}/blobs/{digest}
        string[] parts = rest.Split('/');
        if (parts.Length != 4) { ctx.Response.StatusCode = 404; return; }
        string key = $"{parts[0]}/{parts[1]}";
        if (parts[2] == "manifests")
        {
            if (!Ollama.TryGetValue($"{key}:{parts[3]}", out var layers)) { ctx.Response.StatusCode = 404; return; }
            var manifest = new
            {
                schemaVersion = 2,
                mediaType = "application/vnd.docker.distribution.manifest.v2+json",
                config = new { mediaType = "application/vnd.docker.container.image.v1+json", digest = "sha256:" + new string('0', 64), size = 2 },
                layers = layers.Select(l => new { mediaType = l.MediaType, digest = Digest(l.File), size = new FileInfo(l.File).Length }).ToArray(),
            };
            ctx.Response.ContentType = "application/vnd.docker.distribution.manifest.v2+json";
            await ctx.Response.WriteAsync(JsonSerializer.Serialize(manifest));
            return;
        }

        var layer = Ollama.Where(o => o.Key.StartsWith(key + ":", StringComparison.Ordinal)).SelectMany(o => o.Value)
            .FirstOrDefault(l => Digest(l.File) == parts[3]);
        if (layer.File is null) { ctx.Response.StatusCode = 404; return; }
        string cdn = Endpoint.Replace("127.0.0.1", "localhost", StringComparison.Ordinal);
        ctx.Response.StatusCode = 307;
        ctx.Response.Headers.Location = $"{cdn}/cdn/{Uri.EscapeDataString(layer.File)}";
    }

    private async Task ServeFileAsync(HttpContext ctx, string file, string path)
    {
        if (!File.Exists(file)) { ctx.Response.StatusCode = 404; return; }
        bool key(HashSet<string> set) => set.Contains(path) || set.Contains(file);
        if (key(NoRange))
        {
            await Results.File(file, "application/octet-stream", enableRangeProcessing: false).ExecuteAsync(ctx);
            return;
        }

        if (key(Truncated) && ctx.Request.Headers.Range.Count > 0)
        {
            // Declare the full range, send half of it, end the response.
            long length = new FileInfo(file).Length;
            var range = System.Net.Http.Headers.RangeHeaderValue.Parse(ctx.Request.Headers.Range.ToString()).Ranges.First();
            long from = range.From ?? 0;
            long to = Math.Min(range.To ?? length - 1, length - 1);
            ctx.Response.StatusCode = 206;
            ctx.Response.Headers.ContentRange = $"bytes {from}-{to}/{length}";
            ctx.Response.ContentLength = to - from + 1;
            byte[] half = new byte[(to - from + 1) / 2];
            await using (var s = File.OpenRead(file))
            {
                s.Position = from;
                s.ReadExactly(half);
            }

            await ctx.Response.Body.WriteAsync(half);
            await ctx.Response.Body.FlushAsync();
            ctx.Abort();
            return;
        }

        ctx.Response.Headers.ETag = "\"" + Digest(file)[7..23] + "\"";
        await Results.File(file, "application/octet-stream", enableRangeProcessing: true).ExecuteAsync(ctx);
    }

    private static bool Authorized(HttpContext ctx, HubRepo repo) =>
        repo.RequiredToken is null || ctx.Request.Headers.Authorization == "Bearer " + repo.RequiredToken;

    private static void Error(HttpContext ctx, int status, string code)
    {
        ctx.Response.StatusCode = status;
        ctx.Response.Headers["X-Error-Code"] = code;
    }

    private static readonly ConcurrentDictionary<string, string> Digests = new();

    /// <summary>A stable digest for a backing file (of its path: the files are large and sparse; the tests need only
    /// a valid, unique sha256 digest string).</summary>
    private static string Digest(string file) => Digests.GetOrAdd(file, f => "sha256:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(f))));
}

/// <summary>A repository of the test hub.</summary>
internal sealed record HubRepo(string Id, string Commit, IReadOnlyDictionary<string, string> Files, string? RequiredToken);
