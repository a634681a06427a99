using System.Text.Json;

namespace LlmSize.Cli.Tests.Commands;

/// <summary>Issue 17, item 4: what an installed tool prints cites public sources, never this repository's files
/// (<c>shared/reference/ggml-types.csv</c>, test class names, <c>src/…</c> paths) that its user does not have.</summary>
public sealed class NoInternalPathsTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("llmsize-nopaths-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static readonly string[] Internal =
    [
        "shared/", "reference/", ".csv", "fixtures/", "src/LlmSize", "tests/", "Tests.", "Tests)", "Tests ", ".cs)", ".cs ",
        LlmSize.Testing.RepoPaths.Root,
    ];

    private static void AssertNoInternalPaths(string text, string what)
    {
        foreach (string s in Internal)
        {
            int at = text.IndexOf(s, StringComparison.Ordinal);
            Assert.True(at < 0, $"{what} contains '{s}': …{(at < 0 ? "" : text.Substring(Math.Max(0, at - 80), Math.Min(160, text.Length - Math.Max(0, at - 80))))}…");
        }
    }

    public static TheoryData<string[]> MainCommands() => new()
    {
        new[] { "fit", "gemma-2b", "--device", "pixel-8", "--runtime", "llama.cpp" },
        new[] { "fit", "gemma-2b", "--device", "pixel-8", "--runtime", "llama.cpp", "--json" },
        new[] { "fit", "mistral-7b-v0.1", "--all-devices", "--runtime", "llama.cpp", "--quant", "Q4_K_M" },
        new[] { "fit", "llama-3.2-1b", "--device", "iphone-15", "--runtime", "webllm", "--json" },
        new[] { "fit", "qwen2-0.5b", "--device", "pixel-8", "--runtime", "onnxruntime" },
        new[] { "inspect", "gemma-2b" },
        new[] { "inspect", "qwen2.5-0.5b", "--json" },
        new[] { "shrink", "gemma-2b", "--device", "galaxy-a15" },
        new[] { "shrink", "gemma-2b", "--device", "galaxy-a15", "--json" },
        new[] { "devices", "list" },
        new[] { "devices", "list", "--json" },
        new[] { "devices", "show", "pixel-8", "--json" },
        new[] { "models" },
        new[] { "models", "--json" },
        new[] { "distill", "llama-3.1-8b", "--target-params", "1B" },
        new[] { "lora", "size", "llama-3-8b", "--rank", "16" },
    };

    [Theory]
    [MemberData(nameof(MainCommands))]
    public void Main_commands_cite_no_repository_file(string[] args)
    {
        var (code, output, error) = CliRunner.RunSplit(args);
        Assert.True(code == 0, string.Join(' ', args) + ": " + error);
        AssertNoInternalPaths(output + error, "llmsize " + string.Join(' ', args));
    }

    [Fact]
    public void Inspect_of_a_gguf_file_cites_no_repository_file()
    {
        // A copy outside the repository, so the only paths in the output are the user's own.
        string gguf = Path.Combine(_dir, "model.gguf");
        File.Copy(CliRunner.Shared("fixtures", "gguf", "llama-2-tiny-random.gguf"), gguf);
        foreach (string[] args in new[] { new[] { "inspect", gguf }, ["inspect", gguf, "--json", "--tensors"], ["fit", gguf, "--device", "pixel-8", "--json"] })
        {
            var (code, output, error) = CliRunner.RunSplit(args);
            Assert.True(code == 0, error);
            AssertNoInternalPaths(output + error, "llmsize " + string.Join(' ', args));
        }
    }

    [Theory]
    [InlineData("LlmSize.Core.Data.devices.json")]
    [InlineData("LlmSize.Core.Data.catalog.json")]
    [InlineData("LlmSize.Core.Data.quant-quality.json")]
    public void Embedded_data_cites_no_repository_file(string resource)
    {
        using Stream stream = typeof(LlmSize.Core.Devices.DeviceCatalog).Assembly.GetManifestResourceStream(resource)!;
        using JsonDocument doc = JsonDocument.Parse(stream, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        var strings = new List<string>();
        Collect(doc.RootElement, strings);
        Assert.NotEmpty(strings);
        foreach (string s in strings) AssertNoInternalPaths(s, resource);
    }

    private static void Collect(JsonElement e, List<string> into)
    {
        switch (e.ValueKind)
        {
            case JsonValueKind.String: into.Add(e.GetString()!); break;
            case JsonValueKind.Array: foreach (JsonElement x in e.EnumerateArray()) Collect(x, into); break;
            case JsonValueKind.Object: foreach (JsonProperty p in e.EnumerateObject()) Collect(p.Value, into); break;
        }
    }
}
