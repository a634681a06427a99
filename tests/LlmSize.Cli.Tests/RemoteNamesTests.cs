using System.Text.Json;
using LlmSize.Cli;
using LlmSize.Core.Sources;
using LlmSize.Testing;
using Spectre.Console.Testing;

namespace LlmSize.Cli.Tests;

/// <summary>A local hub (Kestrel on 127.0.0.1) with a sharded sparse TinyLlama and a GGUF repository, for the CLI tests.</summary>
public sealed class CliHubFixture : IAsyncLifetime
{
    internal TestHub Hub { get; private set; } = null!;

    internal string Folder { get; } = Path.Combine(Path.GetTempPath(), "llmsize-cli-hub-" + Guid.NewGuid().ToString("N")[..8]);

    internal string TinyLlamaFolder => Path.Combine(Folder, "tinyllama");

    internal string Gguf => CliRunner.Shared("fixtures", "gguf", "llama-2-tiny-random.gguf");

    public async Task InitializeAsync()
    {
        Hub = await TestHub.StartAsync();
        Hub.AddRepo("test/tinyllama", SparseModelFiles.WriteShardedTinyLlama(TinyLlamaFolder, 3));
        Hub.AddRepo("test/tiny-GGUF", new Dictionary<string, string> { ["tiny-Q8_0.gguf"] = Gguf });
        Hub.AddRepo("test/gated", new Dictionary<string, string> { ["model.gguf"] = Gguf }, requiredToken: "hf_right");
        Hub.Ollama["library/tiny:latest"] = [(OllamaModelSource.ModelLayerMediaType, Gguf)];
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

/// <summary><c>inspect</c>, <c>fit</c> and <c>shrink</c> on remote names: the same numbers as on the local copy, where
/// the answer came from on every output, <c>--verbose</c> per-file requests, <c>--offline</c>, and one-line errors.</summary>
public sealed class RemoteNamesTests(CliHubFixture fixture) : IClassFixture<CliHubFixture>
{
    private RemoteSourceOptions Options(string? token = null, string? cache = null) => new()
    {
        HubEndpoint = fixture.Hub.Endpoint,
        OllamaRegistry = fixture.Hub.Endpoint,
        HubToken = token,
        CacheFolder = cache,
        RetryBaseDelay = TimeSpan.FromMilliseconds(10),
        MaxRetries = 1,
    };

    private static (int Code, string Output) Run(RemoteSourceOptions remote, params string[] args)
    {
        var console = new TestConsole().Width(250);
        console.Profile.Capabilities.Ansi = false;
        int code = LlmSizeApp.Create(console, null, remote).Run(args);
        return (code, console.Output);
    }

    [Fact]
    public void Inspect_of_a_hub_id_equals_inspect_of_the_local_folder_and_says_where_it_came_from()
    {
        var (localCode, localJson) = CliRunner.Run("inspect", fixture.TinyLlamaFolder, "--json");
        var (code, json) = Run(Options(), "inspect", "hf:test/tinyllama", "--json");
        Assert.Equal(0, localCode);
        Assert.Equal(0, code);
        using var local = JsonDocument.Parse(localJson);
        using var remote = JsonDocument.Parse(json);
        // TinyLlama-1.1B: 1,100,048,384 parameters (shared/reference/published-parameter-counts.csv).
        Assert.Equal(1_100_048_384, remote.RootElement.GetProperty("parameters").GetProperty("total").GetInt64());
        Assert.Equal(local.RootElement.GetProperty("download").GetProperty("bytes").GetInt64(),
            remote.RootElement.GetProperty("download").GetProperty("bytes").GetInt64());
        Assert.Equal(JsonValueKind.Null, local.RootElement.GetProperty("origin").ValueKind);
        var origin = remote.RootElement.GetProperty("origin");
        Assert.Equal("Hub", origin.GetProperty("kind").GetString());
        Assert.StartsWith("from the Hub at " + fixture.Hub.Endpoint + " at commit ", origin.GetProperty("text").GetString());
        Assert.Equal(fixture.Hub.Repos["test/tinyllama"].Commit, origin.GetProperty("commit").GetString());
        var files = origin.GetProperty("files").EnumerateArray().Select(f => f.GetProperty("path").GetString()).ToList();
        Assert.Equal(SourceStatistics.ListingName, files[0]);
        Assert.Contains("model-00001-of-00003.safetensors", files);
        Assert.Equal(origin.GetProperty("requests").GetInt64(), origin.GetProperty("files").EnumerateArray().Sum(f => f.GetProperty("requests").GetInt64()));
        Assert.Equal(origin.GetProperty("bytesFetched").GetInt64(), origin.GetProperty("files").EnumerateArray().Sum(f => f.GetProperty("bytes").GetInt64()));
    }

    [Fact]
    public void Verbose_text_lists_requests_and_bytes_per_file()
    {
        var (code, output) = Run(Options(), "inspect", "hf:test/tinyllama", "--verbose");
        Assert.True(code == 0, output);
        Assert.True(output.Contains("(file list)", StringComparison.Ordinal), output);
        Assert.Contains("source: from the Hub at " + fixture.Hub.Endpoint + " at commit", output);
        Assert.Contains("(file list)", output);
        Assert.Contains("model.safetensors.index.json", output);
        Assert.Contains("model-00003-of-00003.safetensors", output);
        Assert.Contains("total", output);
        var (quietCode, quiet) = Run(Options(), "inspect", "hf:test/tinyllama");
        Assert.Equal(0, quietCode);
        Assert.Contains("source: from the Hub", quiet);
        Assert.DoesNotContain("(file list)", quiet);
    }

    [Fact]
    public void Fit_and_shrink_take_hub_and_ollama_names()
    {
        var (fitCode, fit) = Run(Options(), "fit", "hf:test/tinyllama", "--device", "pixel-8", "--json");
        Assert.Equal(0, fitCode);
        using (var doc = JsonDocument.Parse(fit))
        {
            var first = doc.RootElement[0];
            Assert.Equal("Hub", first.GetProperty("origin").GetProperty("kind").GetString());
        }

        var (localFitCode, localFit) = CliRunner.Run("fit", fixture.TinyLlamaFolder, "--device", "pixel-8", "--json");
        Assert.Equal(0, localFitCode);
        using (var a = JsonDocument.Parse(fit))
        using (var b = JsonDocument.Parse(localFit))
        {
            // The same verdict and bytes as the local copy.
            Assert.Equal(b.RootElement[0].GetProperty("outcome").GetString(), a.RootElement[0].GetProperty("outcome").GetString());
            Assert.Equal(b.RootElement[0].GetProperty("downloadBytes").GetInt64(), a.RootElement[0].GetProperty("downloadBytes").GetInt64());
            Assert.Equal(b.RootElement[0].GetProperty("requested").GetProperty("totalBytes").GetInt64(),
                a.RootElement[0].GetProperty("requested").GetProperty("totalBytes").GetInt64());
        }

        var (shrinkCode, shrink) = Run(Options(), "shrink", "ollama:tiny", "--device", "pixel-8");
        Assert.Equal(0, shrinkCode);
        Assert.Contains("source: from the Ollama registry", shrink);
        var (ggufCode, gguf) = Run(Options(), "fit", $"{fixture.Hub.Endpoint}/test/tiny-GGUF/blob/main/tiny-Q8_0.gguf", "--device", "pixel-8");
        Assert.Equal(0, ggufCode);
        Assert.Contains("source: from the Hub", gguf);
    }

    [Fact]
    public void Offline_without_a_cache_is_one_line_exit_1_and_with_a_cache_answers_from_it()
    {
        string cache = Path.Combine(fixture.Folder, "cache-" + Guid.NewGuid().ToString("N")[..6]);
        var (missCode, miss) = Run(Options(cache: cache), "inspect", "hf:test/tiny-GGUF/tiny-Q8_0.gguf", "--offline");
        Assert.Equal(1, missCode);
        Assert.Single(miss.Trim().Split('\n'));
        Assert.Contains("offline", miss);

        Assert.Equal(0, Run(Options(cache: cache), "inspect", "hf:test/tiny-GGUF/tiny-Q8_0.gguf").Code);
        int before = fixture.Hub.Hits("/");
        var (code, output) = Run(Options(cache: cache), "inspect", "hf:test/tiny-GGUF/tiny-Q8_0.gguf", "--offline", "--json");
        Assert.Equal(0, code);
        Assert.Equal(before, fixture.Hub.Hits("/")); // nothing fetched
        using var doc = JsonDocument.Parse(output);
        Assert.StartsWith("from the cache", doc.RootElement.GetProperty("origin").GetProperty("text").GetString());
    }

    [Fact]
    public void A_gated_repository_without_the_token_says_how_to_get_access_in_one_line()
    {
        var (code, output) = Run(Options(), "inspect", "hf:test/gated");
        Assert.Equal(1, code);
        Assert.Single(output.Trim().Split('\n'));
        Assert.Contains("HF_TOKEN", output);
        Assert.Equal(0, Run(Options(token: "hf_right"), "inspect", "hf:test/gated").Code);
    }

    [Fact]
    public void A_missing_repository_is_exit_1_naming_it()
    {
        var (code, output) = Run(Options(), "inspect", "hf:test/no-such-model");
        Assert.Equal(1, code);
        Assert.Contains("test/no-such-model", output);
    }
}
