using LlmSize.Core.Models.Catalog;
using LlmSize.Core.Tests.Infrastructure;

namespace LlmSize.Core.Tests.Models.Catalog;

/// <summary>
/// WebLLM model ids (<c>&lt;base&gt;-&lt;quantization&gt;-MLC[-1k]</c>, mlc-ai/web-llm <c>src/config.ts</c>
/// <c>prebuiltAppConfig</c>) resolve to the catalog entry of their base model, and give their quantization.
/// </summary>
public sealed class ModelCatalogWebLlmIdTests
{
    private static ModelCatalog Catalog => ModelCatalog.Default;

    /// <summary>Every row of Estimation/Data/webllm-prebuilt-vram.csv: WebLLM model_id, its quantization column and the
    /// catalog_id column (the catalog entry describing the same shapes, from that file).</summary>
    public static TheoryData<string, string, string> PrebuiltRows()
    {
        var data = new TheoryData<string, string, string>();
        foreach (string line in File.ReadLines(Path.Combine(TestPaths.RepoRoot, "tests", "LlmSize.Core.Tests", "Estimation", "Data", "webllm-prebuilt-vram.csv")))
        {
            if (line.Length == 0 || line.StartsWith('#') || line.StartsWith("model_id,", StringComparison.Ordinal)) continue;
            // model_id,quantization,vram_required_MB,context_window_size,catalog_id,model_lib
            string[] f = line.Split(',');
            data.Add(f[0], f[1], f[4]);
        }

        return data;
    }

    [Fact]
    public void The_reference_file_has_all_its_rows()
    {
        // webllm-prebuilt-vram.csv: 73 data rows (74 lines after the 3 comment lines, minus the header).
        Assert.Equal(73, PrebuiltRows().Count);
    }

    [Theory]
    [MemberData(nameof(PrebuiltRows))]
    public void Every_prebuilt_WebLlm_id_resolves_to_its_catalog_entry(string modelId, string quantization, string catalogId)
    {
        Assert.True(Catalog.TryFind(modelId, out var entry, out string? quant), modelId);
        Assert.Equal(catalogId, entry.Id);
        Assert.Equal(quantization, quant);
        Assert.True(Catalog.TryFind(modelId, out var plain), modelId); // the two-argument form finds it too
        Assert.Same(entry, plain);
    }

    [Theory]
    [InlineData("Llama-3.2-1B-Instruct-q4f16_1-MLC", "Llama-3.2-1B-Instruct", "q4f16_1")]
    [InlineData("Llama-3.1-8B-Instruct-q4f32_1-MLC-1k", "Llama-3.1-8B-Instruct", "q4f32_1")] // 1k-context build
    [InlineData("mlc-ai/gemma-2-2b-it-q4f16_1-MLC", "gemma-2-2b-it", "q4f16_1")]              // Hugging Face repo id
    [InlineData("Qwen3-0.6B-q0f32-MLC", "Qwen3-0.6B", "q0f32")]                                // unquantized f32
    [InlineData("Llama-3.1-70B-Instruct-q3f16_1-MLC", "Llama-3.1-70B-Instruct", "q3f16_1")]
    [InlineData("phi-2-Q4F16_1-mlc", "phi-2", "q4f16_1")]                                      // case-insensitive
    public void TryParseWebLlmId_splits_base_and_quantization(string id, string baseName, string quantization)
    {
        Assert.True(ModelCatalog.TryParseWebLlmId(id, out string? b, out string? q));
        Assert.Equal(baseName, b);
        Assert.Equal(quantization, q);
    }

    [Theory]
    [InlineData("Llama-3.2-1B-Instruct")]         // no quantization / MLC suffix
    [InlineData("Llama-3.2-1B-Instruct-q4f16_1")] // no -MLC
    [InlineData("q4f16_1-MLC")]                   // no base name
    [InlineData("Llama-3.2-1B-Instruct-Q4_K_M-MLC")] // a GGUF type, not an MLC quantization
    [InlineData("")]
    [InlineData(null)]
    public void TryParseWebLlmId_rejects_other_names(string? id)
    {
        Assert.False(ModelCatalog.TryParseWebLlmId(id, out _, out _));
    }

    [Theory]
    [InlineData("Unknown-Model-7B-q4f16_1-MLC")] // well-formed id of a model the catalog lacks
    [InlineData("gemma-q4f16_1-MLC")]            // base "gemma" is ambiguous (gemma-2b, gemma-7b, gemma-2-2b …)
    public void Unknown_or_ambiguous_WebLlm_ids_are_not_found(string id)
    {
        Assert.False(Catalog.TryFind(id, out _, out string? quant));
        Assert.Null(quant);
    }

    [Theory]
    [InlineData("Llama-2-7b-chat-hf", "llama-2-7b")]          // -chat-hf: Meta's chat model in HF format, base shapes
    [InlineData("meta-llama/Llama-2-7b-chat-hf", "llama-2-7b")]
    [InlineData("TinyLlama-1.1B-Chat", "tinyllama-1.1b-chat-v1.0")] // -chat stripped: alias tinyllama-1.1b
    public void Chat_variants_resolve_to_the_base_entry(string query, string id)
    {
        Assert.True(Catalog.TryFind(query, out var entry, out string? quant));
        Assert.Equal(id, entry.Id);
        Assert.Null(quant); // not a WebLLM id
    }

    [Fact]
    public void ModelLoader_loads_a_WebLlm_id_with_the_build_it_names_in_the_reference()
    {
        var inventory = ModelLoader.Load("Qwen2.5-0.5B-Instruct-q4f16_1-MLC");
        Assert.Equal("qwen2.5-0.5b", inventory.Source);
        Assert.NotNull(inventory.Architecture);
        Assert.Equal(Core.Models.ModelReferenceKind.PrebuiltId, inventory.Reference.Kind);
        Assert.Equal("q4f16_1", inventory.Reference.WebLlm!.Quantization);
        Assert.Equal("Qwen2.5-0.5B-Instruct-q4f16_1-MLC", inventory.Reference.WebLlm.ModelId);
        Assert.Null(inventory.Reference.WebLlm.ContextTokens); // no -1k suffix: the model's own context
        Assert.Contains("WebLLM", inventory.Note, StringComparison.Ordinal);
        Assert.Equal(1024, ModelLoader.Load("Qwen2.5-0.5B-Instruct-q4f16_1-MLC-1k").Reference.WebLlm!.ContextTokens); // WebLLM's -1k records: context_window_size 1024
        var plain = ModelLoader.Load("qwen2.5-0.5b");
        Assert.Null(plain.Reference.WebLlm);
        Assert.Equal(Core.Models.ModelReferenceKind.Catalog, plain.Reference.Kind);
    }
}
