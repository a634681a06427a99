using LlmSize.Core.Models;
using LlmSize.Core.Models.Catalog;
using LlmSize.Core.Sources;
using LlmSize.Core.Tests.Infrastructure;
using LlmSize.Testing;

namespace LlmSize.Core.Tests.Sources;

/// <summary>A test hub with the repositories every remote test reads, built once: sparse multi-GB models whose headers
/// are real, and the shared fixtures.</summary>
public sealed class RemoteHubFixture : IAsyncLifetime
{
    internal TestHub Hub { get; private set; } = null!;

    internal string Folder { get; } = Path.Combine(Path.GetTempPath(), "llmsize-hub-" + Guid.NewGuid().ToString("N")[..8]);

    /// <summary>The sharded TinyLlama folder (local copy of repo test/tinyllama).</summary>
    internal string TinyLlamaFolder => Path.Combine(Folder, "tinyllama");

    internal string GgufFolder => Path.Combine(Folder, "gguf-repo");

    internal string WideFile => Path.Combine(Folder, "wide", "model.safetensors");

    public async Task InitializeAsync()
    {
        Hub = await TestHub.StartAsync();
        Hub.AddRepo("test/tinyllama", SparseModelFiles.WriteShardedTinyLlama(TinyLlamaFolder, 3));

        // A GGUF repository of variants: the same real header under two quantization names.
        Directory.CreateDirectory(GgufFolder);
        string tiny = TestPaths.Fixture("gguf", "llama-2-tiny-random.gguf");
        string vocab = TestPaths.Fixture("gguf", "ggml-vocab-llama-spm.gguf");
        File.Copy(tiny, Path.Combine(GgufFolder, "tiny-Q8_0.gguf"), overwrite: true);
        File.Copy(vocab, Path.Combine(GgufFolder, "tiny-F16.gguf"), overwrite: true);
        Hub.AddRepo("test/tiny-GGUF", new Dictionary<string, string>
        {
            ["tiny-Q8_0.gguf"] = Path.Combine(GgufFolder, "tiny-Q8_0.gguf"),
            ["tiny-F16.gguf"] = Path.Combine(GgufFolder, "tiny-F16.gguf"),
            ["README.md"] = TestPaths.Fixture("..", "README.md"),
        });
        Hub.AddRepo("test/gated", new Dictionary<string, string> { ["model.gguf"] = tiny }, requiredToken: "hf_test_token");
        Hub.AddRepo("test/throttled", new Dictionary<string, string> { ["model.gguf"] = tiny });
        Hub.Throttled.Add("/api/models/test/throttled/revision/main");
        string truncated = Path.Combine(Folder, "truncated.gguf");
        File.Copy(vocab, truncated, overwrite: true);
        Hub.AddRepo("test/truncated", new Dictionary<string, string> { ["model.gguf"] = truncated });
        Hub.Truncated.Add(truncated);

        // A safetensors header longer than the first speculative range (128 KiB): 2,400 small tensors.
        Directory.CreateDirectory(Path.GetDirectoryName(WideFile)!);
        SparseModelFiles.WriteSafetensors(WideFile,
            Enumerable.Range(0, 2400).Select(i => ($"model.layers.{i / 8}.block.{i % 8}.weight", "BF16", new long[] { 1024, 1024 })));
        Hub.AddRepo("test/wide", new Dictionary<string, string> { ["model.safetensors"] = WideFile });
        string noRange = Path.Combine(Folder, "norange.safetensors");
        SparseModelFiles.WriteSafetensors(noRange, SparseModelFiles.TinyLlama());
        Hub.AddRepo("test/norange", new Dictionary<string, string> { ["model.safetensors"] = noRange });
        Hub.NoRange.Add(noRange);

        Hub.Ollama["library/tiny:latest"] = [(OllamaModelSource.ModelLayerMediaType, tiny), ("application/vnd.ollama.image.template", TestPaths.Fixture("..", "README.md"))];
        Hub.Direct["/files/vocab.gguf"] = vocab;
    }

    public async Task DisposeAsync()
    {
        await Hub.DisposeAsync();
        try
        {
            Directory.Delete(Folder, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

/// <summary>
/// Remote sources against a real HTTP server (Kestrel on 127.0.0.1): the same exact numbers as on a local copy,
/// header-only reads (bytes fetched stay tiny against multi-GB files), Hub conventions (gated repos, tokens not sent
/// across redirects, 404 kinds), resilience (429 then success, no Range support, truncated bodies) and the cache
/// (offline with and without it).
/// </summary>
public sealed class RemoteSourceTests(RemoteHubFixture fixture) : IClassFixture<RemoteHubFixture>
{
    private TestHub Hub => fixture.Hub;

    private RemoteSourceOptions Options(string? token = null, bool offline = false, string? cache = null, bool allowFull = false) => new()
    {
        HubEndpoint = Hub.Endpoint,
        OllamaRegistry = Hub.Endpoint,
        HubToken = token,
        Offline = offline,
        CacheFolder = cache,
        AllowFullDownload = allowFull,
        RetryBaseDelay = TimeSpan.FromMilliseconds(10),
        MaxRetries = 2,
    };

    [Fact]
    public void Sharded_safetensors_from_the_hub_give_the_local_numbers_from_headers_only()
    {
        var local = ModelLoader.Load(fixture.TinyLlamaFolder);
        var remote = ModelLoader.Load("hf:test/tinyllama", remote: Options());

        // Published: TinyLlama-1.1B has 1,100,048,384 parameters (shared/reference/published-parameter-counts.csv).
        Assert.Equal(1_100_048_384, remote.CountTensors().Parameters);
        Assert.Equal(local.CountTensors().Parameters, remote.CountTensors().Parameters);
        Assert.Equal(local.DownloadBytes, remote.DownloadBytes);
        Assert.Equal(local.Tensors.Count, remote.Tensors.Count);
        Assert.Equal(local.Files.Select(f => f.Length), remote.Files.Select(f => f.Length));
        Assert.NotNull(remote.Architecture);
        Assert.Equal(local.Architecture!.LayerCount, remote.Architecture!.LayerCount);

        // 4.4 GB of weights; only the listing, the index, config.json and 3 shard headers are fetched.
        Assert.True(remote.DownloadBytes > 4_400_000_000);
        Assert.Equal(ModelReferenceKind.Hub, remote.Reference.Kind);
        // The physical limit: each shard's 8-byte length + header, the index, config.json and the listing. Fetched
        // bytes stay within 1.5× of it (the first range of each shard is sized from the index's tensor names).
        long headers = fixture.Hub.Repos["test/tinyllama"].Files.Where(f => f.Key.EndsWith(".safetensors", StringComparison.Ordinal))
            .Sum(f => 8 + (long)BitConverter.ToUInt64(File.ReadAllBytes(f.Value).AsSpan(0, 8)));
        long json = new FileInfo(Path.Combine(fixture.TinyLlamaFolder, "model.safetensors.index.json")).Length
            + new FileInfo(Path.Combine(fixture.TinyLlamaFolder, "config.json")).Length;
        Assert.True(remote.Reference.BytesFetched < 1.5 * (headers + json) + 2048, $"{remote.Reference.BytesFetched} bytes fetched for {headers + json} bytes of headers and JSON");
        // listing 1 + index (1 + redirect) + config (1 + redirect) + 3 shards × (1 + redirect) = 11 HTTP requests; one range per file.
        Assert.True(remote.Reference.Requests <= 11, $"{remote.Reference.Requests} requests");
        Assert.Contains("from the Hub", remote.Reference.Origin);
        Assert.Contains(Hub.Repos["test/tinyllama"].Commit[..12], remote.Reference.Origin);
    }

    [Fact]
    public void A_repo_of_gguf_variants_lists_them_and_a_path_picks_one()
    {
        var e = Assert.Throws<NotSupportedException>(() => ModelLoader.Load("hf:test/tiny-GGUF", remote: Options()));
        Assert.Contains("tiny-Q8_0.gguf", e.Message);
        Assert.Contains("tiny-F16.gguf", e.Message);

        var local = ModelLoader.Load(Path.Combine(fixture.GgufFolder, "tiny-Q8_0.gguf"));
        var remote = ModelLoader.Load("hf:test/tiny-GGUF/tiny-Q8_0.gguf", remote: Options());
        // Published: llama-2-tiny-random has 513,048 parameters (shared/reference/published-parameter-counts.csv).
        Assert.Equal(513_048, remote.CountTensors().Parameters);
        Assert.Equal(local.DownloadBytes, remote.DownloadBytes);

        // The same file named by a Hub URL (blob form).
        var byUrl = ModelLoader.Load($"{Hub.Endpoint}/test/tiny-GGUF/blob/main/tiny-Q8_0.gguf", remote: Options());
        Assert.Equal(513_048, byUrl.CountTensors().Parameters);
    }

    [Fact]
    public async Task A_gguf_with_a_32k_vocabulary_takes_one_range_request()
    {
        // The real LLaMA SPM vocabulary file: 32,000 tokens with scores and types, 0 tensors.
        using var source = await HubModelSource.OpenAsync("test/tiny-GGUF", null, Options());
        long before = source.Statistics.Requests;
        var inventory = Core.Formats.ModelFormatRegistry.Identify(source, "tiny-F16.gguf");
        Assert.Equal("llama", inventory.Architecture?.Family ?? inventory.Metadata["general.architecture"]);
        // One range request to the resolve URL, one to the CDN it redirects to.
        Assert.Equal(2, source.Statistics.Requests - before);
    }

    [Fact]
    public async Task A_header_longer_than_the_first_range_takes_exactly_one_more()
    {
        using var source = await HubModelSource.OpenAsync("test/wide", null, Options());
        long before = source.Statistics.Requests;
        var inventory = Core.Formats.ModelFormatRegistry.Identify(source, "model.safetensors");
        Assert.Equal(2400, inventory.Tensors.Count);
        // First range: resolve + CDN; the second goes straight to the CDN URL it was served from.
        Assert.Equal(3, source.Statistics.Requests - before);
        long header = new FileInfo(fixture.WideFile).Length - 2400L * 1024 * 1024 * 2;
        Assert.True(source.Statistics.BytesRead - 0 < header + 4096, $"{source.Statistics.BytesRead} bytes for a {header}-byte header");
    }

    [Fact]
    public void A_gated_repo_needs_the_token_which_never_reaches_the_cdn()
    {
        var denied = Assert.Throws<RemoteSourceException>(() => ModelLoader.Load("hf:test/gated", remote: Options()));
        Assert.Equal(InputErrorKind.AccessDenied, denied.Kind);
        Assert.Contains("gated", denied.Message);
        Assert.Contains("HF_TOKEN", denied.Message);

        var inventory = ModelLoader.Load("hf:test/gated", remote: Options(token: "hf_test_token"));
        Assert.Equal(513_048, inventory.CountTensors().Parameters);
        Assert.NotEmpty(Hub.CdnRequests);
        Assert.DoesNotContain(Hub.CdnRequests, r => r.Authorized);
        Assert.DoesNotContain("secret", inventory.Reference.Origin);
    }

    [Fact]
    public void Missing_repo_revision_and_file_are_told_apart()
    {
        var repo = Assert.Throws<RemoteSourceException>(() => ModelLoader.Load("hf:test/nothing-here", remote: Options()));
        Assert.Equal(InputErrorKind.NotFound, repo.Kind);
        Assert.Contains("no such repository", repo.Message);

        var revision = Assert.Throws<RemoteSourceException>(() => ModelLoader.Load("hf:test/tinyllama@v9", remote: Options()));
        Assert.Contains("no revision 'v9'", revision.Message);

        var file = Assert.Throws<RemoteSourceException>(() => ModelLoader.Load("hf:test/tinyllama/nope.gguf", remote: Options()));
        Assert.Equal(InputErrorKind.NotFound, file.Kind);
        Assert.Contains("nope.gguf", file.Message);
    }

    [Fact]
    public void A_429_is_retried_and_then_answers()
    {
        var inventory = ModelLoader.Load("hf:test/throttled", remote: Options());
        Assert.Equal(513_048, inventory.CountTensors().Parameters);
        Assert.Equal(2, Hub.Hits("/api/models/test/throttled"));
    }

    [Fact]
    public void A_server_that_ignores_range_is_refused_unless_allowed()
    {
        var e = Assert.Throws<RemoteSourceException>(() => ModelLoader.Load("hf:test/norange", remote: Options()));
        Assert.Contains("ignores Range", e.Message);
        Assert.Contains("--allow-full-download", e.Message);

        // Allowed: read from the start only as far as the header, then the connection is dropped (4.4 GB not pulled).
        var allowed = ModelLoader.Load("hf:test/norange", remote: Options(allowFull: true));
        Assert.Equal(1_100_048_384, allowed.CountTensors().Parameters);
        Assert.True(allowed.Reference.BytesFetched < 1_000_000, $"{allowed.Reference.BytesFetched} bytes");
    }

    [Fact]
    public void A_truncated_body_is_a_typed_error_naming_the_url_and_offset()
    {
        var e = Assert.Throws<RemoteSourceException>(() => ModelLoader.Load("hf:test/truncated", remote: Options()));
        Assert.Equal(InputErrorKind.RemoteFailure, e.Kind);
        Assert.NotNull(e.Offset);
        Assert.Contains("offset", e.Message);
        Assert.Contains("/cdn/", e.Message);
        Assert.DoesNotContain("secret", e.Message);
    }

    [Fact]
    public void An_ollama_manifest_leads_to_the_model_layer()
    {
        var local = ModelLoader.Load(TestPaths.Fixture("gguf", "llama-2-tiny-random.gguf"));
        var remote = ModelLoader.Load("ollama:tiny", remote: Options());
        Assert.Equal(ModelReferenceKind.Ollama, remote.Reference.Kind);
        Assert.Equal(local.CountTensors().Parameters, remote.CountTensors().Parameters);
        Assert.Equal(local.DownloadBytes, remote.DownloadBytes);
        Assert.Contains("Ollama registry", remote.Reference.Origin);
        // The plain name:tag form reaches the same model.
        Assert.Equal(513_048, ModelLoader.Load("tiny:latest", remote: Options()).CountTensors().Parameters);
    }

    [Fact]
    public void A_direct_url_finds_the_length_and_the_header_in_one_request()
    {
        // "localhost", not the Hub endpoint's host: a URL of some other server.
        var remote = ModelLoader.Load($"{Hub.Endpoint.Replace("127.0.0.1", "localhost", StringComparison.Ordinal)}/files/vocab.gguf", remote: Options());
        Assert.Equal(ModelReferenceKind.Url, remote.Reference.Kind);
        Assert.Equal(new FileInfo(TestPaths.Fixture("gguf", "ggml-vocab-llama-spm.gguf")).Length, remote.DownloadBytes);
        Assert.Equal(1, remote.Reference.Requests);
    }

    [Fact]
    public void Offline_answers_from_the_cache_else_from_the_catalog_else_fails()
    {
        string cache = Path.Combine(fixture.Folder, "cache-" + Guid.NewGuid().ToString("N")[..6]);
        var online = ModelLoader.Load("hf:test/tinyllama", remote: Options(cache: cache));
        var offline = ModelLoader.Load("hf:test/tinyllama", remote: Options(offline: true, cache: cache));
        Assert.Equal(online.CountTensors().Parameters, offline.CountTensors().Parameters);
        Assert.Equal(online.DownloadBytes, offline.DownloadBytes);
        Assert.Equal(0, offline.Reference.Requests);
        Assert.Contains("from the cache", offline.Reference.Origin);

        // A second online read revalidates the listing (304) and reads headers from the cache: one request.
        var again = ModelLoader.Load("hf:test/tinyllama", remote: Options(cache: cache));
        Assert.Equal(1, again.Reference.Requests);
        Assert.Equal(online.DownloadBytes, again.DownloadBytes);

        // No cache: a Hub id the catalog knows answers from the catalog and says so; an unknown one fails.
        var catalog = ModelLoader.Load("hf:google/gemma-2b", remote: Options(offline: true, cache: Path.Combine(cache, "empty")));
        Assert.Equal(ModelFileFormat.Catalog, catalog.Format);
        Assert.Contains("built-in catalog; nothing fetched", catalog.Reference.Origin);
        var none = Assert.Throws<RemoteSourceException>(() => ModelLoader.Load("hf:test/tinyllama", remote: Options(offline: true, cache: Path.Combine(cache, "empty"))));
        Assert.Contains("offline", none.Message);
    }

    [Fact]
    public void A_plain_hub_id_the_catalog_knows_answers_from_the_catalog_without_fetching()
    {
        var inventory = ModelLoader.Load("google/gemma-2b", remote: Options());
        Assert.Equal(ModelFileFormat.Catalog, inventory.Format);
        Assert.Contains("hf:google/gemma-2b reads the Hub", inventory.Reference.Origin);
        var tiny = ModelLoader.Load("test/tinyllama", remote: Options());
        Assert.Equal(1_100_048_384, tiny.CountTensors().Parameters);
    }
}
