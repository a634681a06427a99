using System.Text;
using System.Text.Json;
using LlmSize.Core.Models.Catalog;
using LlmSize.Core.Tests.Infrastructure;

namespace LlmSize.Core.Tests.Models.Catalog;

public sealed class ModelCatalogTests
{
    private static ModelCatalog Catalog => ModelCatalog.Default;

    /// <summary>The 13 configs in shared/fixtures/configs and the catalog id each must be under.</summary>
    public static TheoryData<string> SharedConfigs => new()
    {
        "gemma-2b", "gemma-7b", "gemma-2-2b", "mistral-7b-v0.1", "mixtral-8x7b-v0.1", "llama-2-7b", "llama-3.2-1b",
        "qwen2-0.5b", "smollm2-135m", "tinyllama-1.1b-chat-v1.0", "gpt2", "phi-2", "distilbert-base-uncased",
    };

    [Fact]
    public void Every_shared_config_folder_is_in_the_table()
    {
        var folders = Directory.GetDirectories(TestPaths.Fixture("configs")).Select(d => Path.GetFileName(d)).Order();
        Assert.Equal(folders, ((IEnumerable<object[]>)SharedConfigs).Select(r => (string)r[0]).Order());
    }

    [Theory]
    [MemberData(nameof(SharedConfigs))]
    public void Shared_config_is_present_and_equal_in_values(string id)
    {
        Assert.True(Catalog.TryFind(id, out var entry));
        Assert.Equal(id, entry.Id);
        Assert.True(entry.Disclosed);
        Assert.True(entry.ConfigIsVerbatim);
        Assert.NotNull(entry.Config);
        using var shared = JsonDocument.Parse(File.ReadAllBytes(TestPaths.Fixture("configs", id, "config.json")));
        AssertJsonEqual(shared.RootElement, entry.Config.Value, "$");
    }

    [Theory]
    [MemberData(nameof(SharedConfigs))]
    public void Shared_model_published_count_matches_the_csv(string id)
    {
        // shared/reference/published-parameter-counts.csv, column "parameters".
        string row = File.ReadLines(TestPaths.Reference("published-parameter-counts.csv")).Single(l => l.StartsWith(id + ",", StringComparison.Ordinal));
        long expected = long.Parse(row.Split(',')[2], System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(Catalog.TryFind(id, out var entry));
        Assert.Equal(expected, entry.PublishedParameters);
        Assert.False(string.IsNullOrWhiteSpace(entry.ParameterSource));
    }

    [Fact]
    public void Every_entry_has_a_source_url_and_ids_are_unique()
    {
        Assert.NotEmpty(Catalog.Entries);
        Assert.All(Catalog.Entries, e =>
        {
            Assert.True(Uri.TryCreate(e.Source, UriKind.Absolute, out var uri), e.Id);
            Assert.Equal("https", uri!.Scheme);
            Assert.Equal(e.Id.ToLowerInvariant(), e.Id);
        });
        Assert.Equal(Catalog.Entries.Count, Catalog.Entries.Select(e => e.Id).Distinct(StringComparer.OrdinalIgnoreCase).Count());
    }

    /// <summary>Entries beyond the shared configs: verified architecture keys, published counts (sources in catalog.json).</summary>
    [Theory]
    [InlineData("llama-3-8b", 8_030_261_248L, 4096, 32, 8)]     // Ollama llama3 8B general.parameter_count
    [InlineData("llama-3.1-8b", 8_030_261_248L, 4096, 32, 8)]   // HF Hub safetensors total
    [InlineData("qwen2.5-0.5b", 494_032_768L, 896, 24, 2)]      // same shapes as Qwen2-0.5B (CSV)
    [InlineData("qwen2.5-1.5b", 1_543_714_304L, 1536, 28, 2)]   // HF Hub safetensors total
    public void Verified_extra_entries(string id, long parameters, int hidden, int layers, int kvHeads)
    {
        Assert.True(Catalog.TryFind(id, out var entry));
        Assert.Equal(parameters, entry.PublishedParameters);
        Assert.False(entry.ConfigIsVerbatim);
        Assert.False(string.IsNullOrWhiteSpace(entry.ConfigNote));
        var config = entry.Config!.Value;
        Assert.Equal(hidden, config.GetProperty("hidden_size").GetInt32());
        Assert.Equal(layers, config.GetProperty("num_hidden_layers").GetInt32());
        Assert.Equal(kvHeads, config.GetProperty("num_key_value_heads").GetInt32());
    }

    [Fact]
    public void Non_verbatim_config_without_note_is_MissingField()
    {
        var ex = Assert.Throws<ModelFormatException>(() => ModelCatalog.Load(Utf8(
            """{"entries":[{"id":"a","displayName":"A","family":"F","publisher":"P","source":"https://x","config":{},"configVerbatim":false}]}""")));
        Assert.Equal(ModelFormatError.MissingField, ex.Error);
    }

    [Theory]
    [InlineData("gpt-4")]
    [InlineData("gpt-4o")]
    [InlineData("gemini-1.5-pro")]
    [InlineData("gemini-ultra")]
    [InlineData("claude-3-opus")]
    public void Undisclosed_models_are_present_without_a_count(string id)
    {
        Assert.True(Catalog.TryFind(id, out var entry));
        Assert.False(entry.Disclosed);
        Assert.Null(entry.Config);
        Assert.Null(entry.PublishedParameters);
        Assert.Contains("not disclosed by the vendor", entry.Note, StringComparison.OrdinalIgnoreCase);
    }

    [Theory]
    [InlineData("gemma-2b", "gemma-2b")]
    [InlineData("GEMMA-2B", "gemma-2b")]
    [InlineData("google/gemma-2b", "gemma-2b")]
    [InlineData("someone/gemma-2b", "gemma-2b")]   // any org prefix
    [InlineData("gemma-2b-it", "gemma-2b")]        // -it stripped: one entry starts with gemma-2b
    [InlineData("Qwen/Qwen2-0.5B-Instruct", "qwen2-0.5b")]
    [InlineData("mistral-7b", "mistral-7b-v0.1")] // alias of v0.1 (the first release)
    [InlineData("Gemini 1.5 Pro", "gemini-1.5-pro")]
    [InlineData("gpt_4o", "gpt-4o")]
    [InlineData("meta-llama/Llama-2-7b-hf", "llama-2-7b")]
    public void Finds_by_id_alias_and_tolerated_forms(string query, string id)
    {
        Assert.True(Catalog.TryFind(query, out var entry));
        Assert.Equal(id, entry.Id);
    }

    [Theory]
    [InlineData("gemma-3b")]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData(null)]
    [InlineData("-it")]
    [InlineData("gemma-it")] // stem "gemma" starts gemma-2b, gemma-7b, gemma-2-2b: ambiguous
    [InlineData("gpt-instruct")] // stem "gpt" starts gpt-4 and gpt-4o: ambiguous
    [InlineData("mistral-7b-instruct")] // stem "mistral-7b" names v0.1 and starts mistral-7b-v0.3: ambiguous
    public void Does_not_find_unknown_or_ambiguous(string? query)
    {
        Assert.False(Catalog.TryFind(query, out _));
    }

    [Fact]
    public void Suggests_nearest_by_edit_distance()
    {
        // "gema-2b" -> "gemma-2b" is one insertion away; "gemma-7b" (insert m, 2 -> 7) and gemma-2-2b's alias
        // "gemma2-2b" (insert m, insert 2) are two edits away, ties ordered by id.
        var suggestions = Catalog.SuggestNearest("gema-2b", 3);
        Assert.Equal(["gemma-2b", "gemma-2-2b", "gemma-7b"], suggestions.Select(e => e.Id));
        Assert.Equal("mixtral-8x7b-v0.1", Catalog.SuggestNearest("mixtrl-8x7b", 1).Single().Id);
        Assert.Throws<ArgumentOutOfRangeException>(() => Catalog.SuggestNearest("x", 0));
        Assert.Throws<ArgumentException>(() => Catalog.SuggestNearest(new string('a', ModelCatalog.MaxQueryLength + 1), 3));
    }

    [Theory]
    [InlineData("kitten", "sitting", 3)] // the textbook Levenshtein example
    [InlineData("", "abc", 3)]
    [InlineData("abc", "abc", 0)]
    [InlineData("gema-2b", "gemma-2b", 1)]
    public void Edit_distance(string a, string b, int expected)
    {
        Assert.Equal(expected, ModelCatalog.EditDistance(a, b));
        Assert.Equal(expected, ModelCatalog.EditDistance(b, a));
    }

    // ---- malformed catalog documents: one per error kind ----

    [Fact]
    public void Not_json_is_InvalidJson()
    {
        var ex = Assert.Throws<ModelFormatException>(() => ModelCatalog.Load("{ not json"u8, "bad.json"));
        Assert.Equal(ModelFormatError.InvalidJson, ex.Error);
        Assert.Equal("bad.json", ex.FilePath);
    }

    [Fact]
    public void No_entries_is_MissingField()
    {
        var ex = Assert.Throws<ModelFormatException>(() => ModelCatalog.Load("{}"u8));
        Assert.Equal(ModelFormatError.MissingField, ex.Error);
    }

    [Fact]
    public void Entry_without_source_is_MissingField()
    {
        // one entry: id, names, a config, but no "source"
        var ex = Assert.Throws<ModelFormatException>(() => ModelCatalog.Load(Utf8(
            """{"entries":[{"id":"a","displayName":"A","family":"F","publisher":"P","config":{}}]}""")));
        Assert.Equal(ModelFormatError.MissingField, ex.Error);
        Assert.Contains("source", ex.Message);
    }

    [Fact]
    public void Duplicate_id_or_alias_is_DuplicateKey()
    {
        // entry b's alias "org/A" normalises to "a", entry a's id
        var ex = Assert.Throws<ModelFormatException>(() => ModelCatalog.Load(Utf8(
            """{"entries":[""" +
            """{"id":"a","displayName":"A","family":"F","publisher":"P","source":"https://x","config":{}},""" +
            """{"id":"b","aliases":["org/A"],"displayName":"B","family":"F","publisher":"P","source":"https://x","config":{}}]}""")));
        Assert.Equal(ModelFormatError.DuplicateKey, ex.Error);
    }

    [Fact]
    public void Disclosed_entry_without_config_is_InvalidValue()
    {
        var ex = Assert.Throws<ModelFormatException>(() => ModelCatalog.Load(Utf8(
            """{"entries":[{"id":"a","displayName":"A","family":"F","publisher":"P","source":"https://x"}]}""")));
        Assert.Equal(ModelFormatError.InvalidValue, ex.Error);
    }

    [Fact]
    public void Negative_published_count_is_InvalidValue()
    {
        var ex = Assert.Throws<ModelFormatException>(() => ModelCatalog.Load(Utf8(
            """{"entries":[{"id":"a","displayName":"A","family":"F","publisher":"P","source":"https://x","config":{},"publishedParameters":-5}]}""")));
        Assert.Equal(ModelFormatError.InvalidValue, ex.Error);
    }

    [Fact]
    public void Wrong_types_are_InvalidJson()
    {
        // "config" is a string, not an object
        var ex = Assert.Throws<ModelFormatException>(() => ModelCatalog.Load(Utf8(
            """{"entries":[{"id":"a","displayName":"A","family":"F","publisher":"P","source":"https://x","config":"x"}]}""")));
        Assert.Equal(ModelFormatError.InvalidJson, ex.Error);
    }

    [Fact]
    public void Oversized_document_is_HeaderTooLarge()
    {
        var ex = Assert.Throws<ModelFormatException>(() => ModelCatalog.Load(new byte[ModelCatalog.MaxDocumentBytes + 1]));
        Assert.Equal(ModelFormatError.HeaderTooLarge, ex.Error);
    }

    private static byte[] Utf8(string s) => Encoding.UTF8.GetBytes(s);

    /// <summary>Deep value equality: same keys in any order, same array order, numbers equal as decimals.</summary>
    private static void AssertJsonEqual(JsonElement expected, JsonElement actual, string path)
    {
        Assert.True(expected.ValueKind == actual.ValueKind, $"{path}: {expected.ValueKind} vs {actual.ValueKind}");
        switch (expected.ValueKind)
        {
            case JsonValueKind.Object:
                var e = expected.EnumerateObject().ToDictionary(p => p.Name, p => p.Value);
                var a = actual.EnumerateObject().ToDictionary(p => p.Name, p => p.Value);
                Assert.True(e.Keys.Order().SequenceEqual(a.Keys.Order()), $"{path}: keys differ");
                foreach (var (k, v) in e) AssertJsonEqual(v, a[k], path + "." + k);
                break;
            case JsonValueKind.Array:
                Assert.True(expected.GetArrayLength() == actual.GetArrayLength(), $"{path}: lengths differ");
                for (int i = 0; i < expected.GetArrayLength(); i++) AssertJsonEqual(expected[i], actual[i], $"{path}[{i}]");
                break;
            case JsonValueKind.Number:
                Assert.True(expected.GetDecimal() == actual.GetDecimal(), $"{path}: {expected} vs {actual}");
                break;
            case JsonValueKind.String:
                Assert.Equal(expected.GetString(), actual.GetString());
                break;
        }
    }
}
