using System.Globalization;
using LlmSize.Core.Formats.HfConfig;
using LlmSize.Core.Models.Architectures;
using LlmSize.Core.Models.Catalog;
using LlmSize.Core.Tests.Infrastructure;

namespace LlmSize.Core.Tests.Models.Catalog;

/// <summary>
/// The catalog's configs against the published parameter counts: the analytic count (<see cref="HfConfigReader"/> +
/// <see cref="ParameterCalculator"/>) of each entry's config must equal the count its source publishes, to the unit.
/// Also: names stay unique, and the WebLLM reference rows resolve to catalog entries.
/// </summary>
public sealed class ModelCatalogPublishedCountTests
{
    private static ModelCatalog Catalog => ModelCatalog.Default;

    /// <summary>Entries added beyond the shared configs: id and the published total (source and hand count beside each).</summary>
    public static TheoryData<string, long> AddedEntries => new()
    {
        // meta-llama/Llama-3.2-3B(-Instruct): HF Hub safetensors.parameters.BF16 = 3,212,749,824. By hand: embed 128256 x
        // 3072 = 394,002,432 (tied); per layer q/o 2 x 3072^2 + k/v 2 x (8 x 128) x 3072 + MLP 3 x 3072 x 8192 + norms
        // 2 x 3072 = 100,669,440, x 28 = 2,818,744,320; final norm 3,072.
        { "llama-3.2-3b", 3_212_749_824 },
        // meta-llama/Llama-3.1-70B: HF Hub safetensors total (hand count in HfConfigPublishedModelTests).
        { "llama-3.1-70b", 70_553_706_496 },
        // mistralai/Mistral-7B-v0.3: keras-hub mistral_0.3_7b_en params (hand count in HfConfigPublishedModelTests).
        { "mistral-7b-v0.3", 7_248_023_552 },
        // Qwen/Qwen2.5-3B: keras-hub qwen2.5_3b_en params 3,085,938,688 (model card "3.09B"). By hand: embed 151936 x
        // 2048 = 311,164,928 (tied); per layer q/o 2 x 2048^2 + k/v 2 x (2 x 128) x 2048 + q/k/v biases 2048 + 256 + 256
        // + MLP 3 x 2048 x 11008 + norms 2 x 2048 = 77,074,944, x 36 = 2,774,697,984; final norm 2,048.
        { "qwen2.5-3b", 3_085_938_688 },
        // Qwen/Qwen2.5-7B: HF Hub safetensors total (hand count in HfConfigPublishedModelTests).
        { "qwen2.5-7b", 7_615_616_512 },
        // Qwen/Qwen3-0.6B: sum(p.numel()) of the Hub checkpoint (hand count in HfConfigPublishedModelTests).
        { "qwen3-0.6b", 596_049_920 },
        // google/gemma-3-1b-it: HF Hub safetensors total (hand count in HfConfigPublishedModelTests).
        { "gemma-3-1b", 999_885_952 },
        // google/gemma-2-9b: HF Hub safetensors total (hand count in HfConfigPublishedModelTests).
        { "gemma-2-9b", 9_241_705_984 },
        // microsoft/Phi-3-mini-4k-instruct: keras-hub phi3_mini_4k_instruct_en params (hand count in
        // HfConfigPublishedModelTests).
        { "phi-3-mini-4k-instruct", 3_821_079_552 },
        // microsoft/Phi-3.5-mini-instruct: HF Hub safetensors total 3,821,079,552, the same as Phi-3-mini: same vocab
        // (32,064), hidden (3072), MLP (8192), 32 layers, 32 KV heads, untied; only context and RoPE scaling differ.
        { "phi-3.5-mini-instruct", 3_821_079_552 },
        // HuggingFaceTB/SmolLM2-360M(-Instruct): 361,821,120 (model.parameters() sum / F32 GGUF tensor values). By hand:
        // embed 49152 x 960 = 47,185,920 (tied); per layer q/o 2 x 960^2 + k/v 2 x (5 x 64) x 960 + MLP 3 x 960 x 2560
        // + norms 2 x 960 = 9,832,320, x 32 = 314,634,240; final norm 960.
        { "smollm2-360m", 361_821_120 },
        // HuggingFaceTB/SmolLM2-1.7B(-Instruct): sum(p.numel()) 1,711,376,384. By hand: embed 49152 x 2048 =
        // 100,663,296 (tied); per layer 4 x 2048^2 + MLP 3 x 2048 x 8192 + norms 2 x 2048 = 67,112,960, x 24 =
        // 1,610,711,040; final norm 2,048.
        { "smollm2-1.7b", 1_711_376_384 },
        // gpt2-medium: keras-hub gpt2_medium_en params (hand count in HfConfigPublishedModelTests).
        { "gpt2-medium", 354_823_168 },
        // bert-base-uncased as its config names it (BertForMaskedLM): trainable parameters 109,514,298 (hand count in
        // HfConfigPublishedModelTests).
        { "bert-base-uncased", 109_514_298 },
        // t5-small: keras-hub t5_small_multi params (hand count in HfConfigPublishedModelTests).
        { "t5-small", 60_506_624 },
        // google/flan-t5-base: print_trainable_parameters of the Hub checkpoint (hand count in HfConfigPublishedModelTests).
        { "flan-t5-base", 247_577_856 },
        // Issue 12: new families and whole multimodal models; sources and hand counts in HfConfigNewFamilyTests and
        // HfConfigMultimodalTests (deepseek-v3: the main model, its MTP layer reported apart).
        { "qwen1.5-moe-a2.7b", 14_315_784_192 },
        { "qwen3-30b-a3b", 30_532_122_624 },
        { "deepseek-v2-lite", 15_706_484_224 },
        { "deepseek-v2", 235_741_434_880 },
        { "deepseek-moe-16b", 16_375_728_128 },
        { "olmo-2-7b", 7_298_617_344 },
        { "gpt-j-6b", 6_050_882_784 },
        { "pythia-70m", 70_426_624 },
        { "pythia-1.4b", 1_414_647_808 },
        { "stablelm-2-1.6b", 1_644_515_328 },
        { "stablelm-3b-4e1t", 2_795_443_200 },
        { "granite-3.1-2b", 2_533_531_648 },
        { "granite-3.0-1b-a400m", 1_334_628_352 },
        { "aya-expanse-8b", 8_028_033_024 },
        { "internlm2.5-7b", 7_737_708_544 },
        { "internlm2.5-1.8b", 1_889_110_016 },
        { "opt-125m", 125_239_296 },
        { "opt-350m", 331_196_416 },
        { "bloom-560m", 559_214_592 },
        { "bloom-1b1", 1_065_314_304 },
        { "bloom-7b1", 7_069_016_064 },
        { "starcoderbase-1b", 1_137_207_296 },
        { "starcoder", 15_517_456_384 },
        { "llava-1.5-7b", 7_063_427_072 },
        { "qwen2-vl-2b", 2_208_985_600 },
        { "qwen2-vl-7b", 8_291_375_616 },
        { "qwen2.5-vl-7b", 8_292_166_656 },
        { "deepseek-v3", 671_026_419_200 },
        { "gemma-3-4b", 4_300_079_472 },
        { "gpt-oss-20b", 20_914_757_184 },
        { "gpt-oss-120b", 116_829_156_672 },
        { "paligemma-3b-224", 2_923_466_480 },
        { "phi-3.5-vision-instruct", 4_146_621_440 },
        { "llama-3.2-11b-vision", 10_670_220_835 },
        { "llama-4-scout", 108_641_793_536 },
        { "modernbert-base", 149_655_232 },
    };

    [Theory]
    [MemberData(nameof(AddedEntries))]
    public void Added_entry_counts_to_its_published_total(string id, long parameters)
    {
        Assert.True(Catalog.TryFind(id, out var entry));
        Assert.Equal(id, entry.Id);
        Assert.Equal(parameters, entry.PublishedParameters);
        Assert.False(string.IsNullOrWhiteSpace(entry.ParameterSource));
        // Written from published tables, with a note saying so; gemma-3-4b carries google/gemma-3-4b-it's own file.
        Assert.True(entry.ConfigIsVerbatim ? id == "gemma-3-4b" : !string.IsNullOrWhiteSpace(entry.ConfigNote));

        ModelArchitecture a = HfConfigReader.Parse(entry.Config!.Value, id + "/config.json");
        ParameterBreakdown count = ParameterCalculator.Count(a);

        Assert.Equal(parameters, count.Total);
        if (!a.IsMixtureOfExperts)
        {
            Assert.Equal(count.Total, count.ActivePerToken);
        }
        else
        {
            Assert.True(count.ActivePerToken < count.Total);
        }
    }

    [Fact]
    public void Every_entry_with_a_config_and_a_published_count_counts_to_it()
    {
        // Not only the added rows: every disclosed entry's config must reproduce its own published count
        // (MoE entries: the total; active per token is a different figure).
        var withCounts = Catalog.Entries.Where(e => e.Config is not null && e.PublishedParameters is not null).ToList();
        Assert.True(withCounts.Count >= 30, $"only {withCounts.Count} entries carry a config and a count");
        var mismatches = withCounts
            .Select(e => (e.Id, Published: e.PublishedParameters!.Value,
                Counted: ParameterCalculator.Count(HfConfigReader.Parse(e.Config!.Value, e.Id + "/config.json")).Total))
            .Where(x => x.Published != x.Counted)
            .Select(x => $"{x.Id}: published {x.Published:N0}, counted {x.Counted:N0}")
            .ToList();
        Assert.True(mismatches.Count == 0, string.Join("; ", mismatches));
    }

    [Fact]
    public void Every_added_entry_is_in_the_table()
    {
        // Entries beyond the 13 shared configs and the 4 earlier verified extras must each have a row above.
        string[] earlier =
        [
            "gemma-2b", "gemma-7b", "gemma-2-2b", "mistral-7b-v0.1", "mixtral-8x7b-v0.1", "llama-2-7b", "llama-3.2-1b",
            "qwen2-0.5b", "smollm2-135m", "tinyllama-1.1b-chat-v1.0", "gpt2", "phi-2", "distilbert-base-uncased",
            "llama-3-8b", "llama-3.1-8b", "qwen2.5-0.5b", "qwen2.5-1.5b",
        ];
        var inTable = ((IEnumerable<object[]>)AddedEntries).Select(r => (string)r[0]).ToHashSet(StringComparer.Ordinal);
        var added = Catalog.Entries.Where(e => e.Disclosed).Select(e => e.Id).Except(earlier, StringComparer.Ordinal);
        Assert.Equal(added.Order(StringComparer.Ordinal), inTable.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Ids_and_aliases_are_unique_across_entries()
    {
        // Load already refuses a name two entries share; this pins it for the embedded catalog with a readable message.
        // Within one entry a repository id ("google/gemma-2b") may normalise to the entry's own id: that is the convention.
        var owner = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var e in Catalog.Entries)
        {
            Assert.True(e.Aliases.Count == e.Aliases.Distinct(StringComparer.OrdinalIgnoreCase).Count(), $"{e.Id}: an alias is listed twice");
            foreach (string k in new[] { e.Id }.Concat(e.Aliases).Select(ModelCatalog.Normalize).Distinct(StringComparer.Ordinal))
            {
                Assert.True(owner.TryAdd(k, e.Id), $"'{k}' names both {owner.GetValueOrDefault(k)} and {e.Id}");
            }
        }

        Assert.Equal(Catalog.Entries.Count, Catalog.Entries.Select(e => e.Id).Distinct(StringComparer.Ordinal).Count());
    }

    [Theory]
    [InlineData("mistral-7b-v0.3", "mistral-7b-v0.3")]
    [InlineData("Mistral-7B-Instruct-v0.3", "mistral-7b-v0.3")]
    [InlineData("mistralai/Mistral-7B-Instruct-v0.3", "mistral-7b-v0.3")]
    [InlineData("smollm2-360m", "smollm2-360m")]
    [InlineData("SmolLM2-360M-Instruct", "smollm2-360m")]
    [InlineData("HuggingFaceTB/SmolLM2-1.7B-Instruct", "smollm2-1.7b")]
    [InlineData("meta-llama/Llama-3.2-3B-Instruct", "llama-3.2-3b")]
    [InlineData("Qwen/Qwen2.5-3B-Instruct", "qwen2.5-3b")]
    [InlineData("Qwen/Qwen2.5-7B-Instruct", "qwen2.5-7b")]
    [InlineData("google/gemma-3-1b-it", "gemma-3-1b")]
    [InlineData("gemma-2-9b-it", "gemma-2-9b")]
    [InlineData("microsoft/Phi-3.5-mini-instruct", "phi-3.5-mini-instruct")]
    [InlineData("phi-3-mini", "phi-3-mini-4k-instruct")]
    [InlineData("google-bert/bert-base-uncased", "bert-base-uncased")]
    [InlineData("meta-llama/Llama-3.1-70B-Instruct", "llama-3.1-70b")]
    public void Added_names_resolve(string query, string id)
    {
        Assert.True(Catalog.TryFind(query, out var entry));
        Assert.Equal(id, entry.Id);
    }

    /// <summary>WebLLM model id without its quantization suffix → the catalog entry with the same shapes.</summary>
    public static TheoryData<string, string> WebLlmRows()
    {
        var expected = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["SmolLM2-135M-Instruct"] = "smollm2-135m",
            ["SmolLM2-360M-Instruct"] = "smollm2-360m",
            ["TinyLlama-1.1B-Chat-v1.0"] = "tinyllama-1.1b-chat-v1.0",
            ["Llama-3.2-1B-Instruct"] = "llama-3.2-1b",
            ["Qwen2.5-0.5B-Instruct"] = "qwen2.5-0.5b",
            ["gemma-2b-it"] = "gemma-2b",
            ["gemma-2-2b-it"] = "gemma-2-2b",
            ["phi-2"] = "phi-2",
            ["Mistral-7B-Instruct-v0.3"] = "mistral-7b-v0.3",
        };
        var data = new TheoryData<string, string>();
        var seen = new HashSet<string>(StringComparer.Ordinal); // several rows per model (one per quantization)
        foreach (string line in File.ReadLines(TestPaths.Reference("webllm-vram.csv")).Skip(1))
        {
            // model_id,quantization,...: "SmolLM2-360M-Instruct-q4f16_1-MLC" with quantization "q4f16_1"
            string[] f = line.Split(',');
            int at = f[0].IndexOf("-" + f[1] + "-", StringComparison.Ordinal);
            Assert.True(at > 0, f[0]);
            string name = f[0][..at];
            Assert.True(expected.ContainsKey(name), $"webllm-vram.csv row {f[0]} has no expected catalog id here");
            if (seen.Add(name)) data.Add(name, expected[name]);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(WebLlmRows))]
    public void WebLlm_reference_rows_resolve_to_a_catalog_entry(string webLlmName, string id)
    {
        Assert.True(Catalog.TryFind(webLlmName, out var entry), webLlmName);
        Assert.Equal(id, entry.Id);
        Assert.NotNull(entry.Config);
        Assert.NotNull(entry.PublishedParameters);
    }

    [Fact]
    public void Published_counts_of_shared_models_still_come_from_the_csv()
    {
        // The added entries must not shadow a shared model: each CSV row's model still resolves to its own id.
        foreach (string line in File.ReadLines(TestPaths.Reference("published-parameter-counts.csv")).Skip(1))
        {
            string model = line.Split(',')[0];
            if (model.Contains(' ', StringComparison.Ordinal)) continue; // "llama-2-tiny-random (GGUF)": a file, not a model
            Assert.True(Catalog.TryFind(model, out var entry), model);
            Assert.Equal(model, entry.Id);
            Assert.Equal(long.Parse(line.Split(',')[2], CultureInfo.InvariantCulture), entry.PublishedParameters);
        }
    }
}
