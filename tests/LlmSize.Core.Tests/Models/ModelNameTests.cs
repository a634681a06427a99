using LlmSize.Core.Models;

namespace LlmSize.Core.Tests.Models;

public sealed class ModelNameTests
{
    /// <summary>What a name is expected to parse into. Size is the tag text as written in the name; null = none.</summary>
    public sealed record Expected(
        string Family,
        string? Version = null,
        string? Tier = null,
        string? Size = null,
        string? Variant = null,
        string[]? Quant = null,
        string? Revision = null,
        string Remainder = "",
        string? Organization = null,
        string? Publisher = null,
        string? Context = null);

    // Real model names: Hugging Face repository ids, a GGUF file name (TheBloke/Mistral-7B-v0.1-GGUF), WebLLM ids
    // (shared/reference/webllm-vram.csv), vendor product names, an Ollama tag.
    public static TheoryData<string, Expected> Names => new()
    {
        { "gemma-2b", new("gemma", Size: "2b") },
        { "gemma-2-2b-it", new("gemma", Version: "2", Size: "2b", Variant: "it") },
        { "Llama-3.2-1B-Instruct-q4f16_1-MLC", new("Llama", Version: "3.2", Size: "1B", Variant: "instruct", Quant: ["q4f16_1", "MLC"]) },
        { "TinyLlama-1.1B-Chat-v1.0", new("TinyLlama", Size: "1.1B", Variant: "chat", Revision: "1.0") },
        { "Mixtral-8x7B-Instruct-v0.1", new("Mixtral", Size: "8x7B", Variant: "instruct", Revision: "0.1") },
        { "mistral-7b-v0.1.Q4_K_M.gguf", new("mistral", Size: "7b", Revision: "0.1", Quant: ["Q4_K_M", "GGUF"]) },
        { "Qwen2.5-0.5B-Instruct", new("Qwen", Version: "2.5", Size: "0.5B", Variant: "instruct") },
        { "SmolLM2-135M-Instruct", new("SmolLM", Version: "2", Size: "135M", Variant: "instruct") },
        { "phi-2", new("phi", Version: "2") },
        { "Phi-3-mini-4k-instruct", new("Phi", Version: "3", Tier: "mini", Variant: "instruct", Context: "4k") },
        { "gemma-3n-E2B-it", new("gemma", Version: "3n", Size: "E2B", Variant: "it") },
        { "Gemini 1.5 Pro", new("Gemini", Version: "1.5", Tier: "Pro") },
        { "GPT-4", new("GPT", Version: "4") },
        // T5 is a family name ending in a digit, not "T version 5" (google-t5/t5-small; "small" is its size tier).
        { "t5-small", new("t5", Tier: "small") },
        { "GPT-4o", new("GPT", Version: "4o") },
        { "Claude 3 Opus", new("Claude", Version: "3", Tier: "Opus") },
        { "Meta-Llama-3-8B-Instruct", new("Llama", Version: "3", Size: "8B", Variant: "instruct", Publisher: "Meta") },
        { "deepseek-coder-6.7b-instruct", new("deepseek", Size: "6.7b", Variant: "instruct") },
        { "meta-llama/Llama-3.2-1B", new("Llama", Version: "3.2", Size: "1B", Organization: "meta-llama") },
        { "microsoft/Phi-3-mini-4k-instruct-onnx", new("Phi", Version: "3", Tier: "mini", Variant: "instruct", Quant: ["ONNX"], Organization: "microsoft", Context: "4k") },
        { "meta-llama/Llama-3.1-70B-Instruct", new("Llama", Version: "3.1", Size: "70B", Variant: "instruct", Organization: "meta-llama") },
        { "phi3:3.8b", new("phi", Version: "3", Size: "3.8b") },
        { "Llama-3.2-1B-Instruct-q4f32_1-MLC", new("Llama", Version: "3.2", Size: "1B", Variant: "instruct", Quant: ["q4f32_1", "MLC"]) },
        { "SmolLM2-135M-Instruct-q0f16-MLC", new("SmolLM", Version: "2", Size: "135M", Variant: "instruct", Quant: ["q0f16", "MLC"]) },
        { "Qwen2.5-7B-Instruct-IQ2_XXS.gguf", new("Qwen", Version: "2.5", Size: "7B", Variant: "instruct", Quant: ["IQ2_XXS", "GGUF"]) },
        { "llama-2-7b.Q8_0.gguf", new("llama", Version: "2", Size: "7b", Quant: ["Q8_0", "GGUF"]) },
        { "Llama-2-7B-Chat-GPTQ", new("Llama", Version: "2", Size: "7B", Variant: "chat", Quant: ["gptq"]) },
        { "Mistral-7B-Instruct-v0.2-AWQ", new("Mistral", Size: "7B", Variant: "instruct", Revision: "0.2", Quant: ["awq"]) },
        { "gemma-2b-it-int4", new("gemma", Size: "2b", Variant: "it", Quant: ["int4"]) },
        { "Llama-3.2-1B-int8", new("Llama", Version: "3.2", Size: "1B", Quant: ["int8"]) },
        { "Qwen2.5-0.5B-Instruct-fp16", new("Qwen", Version: "2.5", Size: "0.5B", Variant: "instruct", Quant: ["fp16"]) },
        { "gemma-2-2b-it-bf16", new("gemma", Version: "2", Size: "2b", Variant: "it", Quant: ["bf16"]) },
        { "distilbert-base-uncased", new("distilbert", Variant: "base", Remainder: "uncased") },
        { "gpt2", new("gpt", Version: "2") },
        { "Llama-2-7b-hf", new("Llama", Version: "2", Size: "7b", Remainder: "hf") },
    };

    [Theory]
    [MemberData(nameof(Names))]
    public void Parses_real_names(string name, Expected e)
    {
        var n = ModelName.Parse(name);
        Assert.Equal(name, n.Original);
        Assert.Equal(e.Family, n.Family);
        Assert.Equal(e.Version, n.Version);
        Assert.Equal(e.Tier, n.Tier);
        Assert.Equal(e.Size, n.SizeTag?.Text);
        Assert.Equal(e.Variant, n.Variant);
        Assert.Equal(e.Quant ?? [], n.QuantizationTags);
        Assert.Equal(e.Revision, n.Revision);
        Assert.Equal(e.Remainder, n.Remainder);
        Assert.Equal(e.Organization, n.Organization);
        Assert.Equal(e.Publisher, n.Publisher);
        Assert.Equal(e.Context, n.ContextTag);
    }

    public static TheoryData<string, long, int?, bool> SizeTags => new()
    {
        { "2B", 2_000_000_000, null, false },
        { "7b", 7_000_000_000, null, false },
        { "8x7B", 7_000_000_000, 8, false },   // per-expert size; 8 experts
        { "135M", 135_000_000, null, false },
        { "1.5B", 1_500_000_000, null, false },
        { "0.5B", 500_000_000, null, false },
        { "E2B", 2_000_000_000, null, true },  // Gemma 3n effective size
        { "1.1B", 1_100_000_000, null, false },
        { "70B", 70_000_000_000, null, false },
        { "3.8B", 3_800_000_000, null, false },
        { "6.7b", 6_700_000_000, null, false },
    };

    [Theory]
    [MemberData(nameof(SizeTags))]
    public void Size_tag_values(string text, long parameters, int? experts, bool effective)
    {
        Assert.True(ModelSizeTag.TryParse(text, out var tag));
        Assert.Equal(parameters, tag.Parameters);
        Assert.Equal(experts, tag.ExpertCount);
        Assert.Equal(experts is not null, tag.IsMixtureOfExperts);
        Assert.Equal(effective, tag.IsEffective);
    }

    [Theory]
    [InlineData("")]
    [InlineData("B")]
    [InlineData("0B")]
    [InlineData("0x7B")]
    [InlineData("7")]
    [InlineData("7Q")]
    [InlineData("instruct")]
    [InlineData(null)]
    public void Not_size_tags(string? text)
    {
        Assert.False(ModelSizeTag.TryParse(text, out _));
    }

    [Fact]
    public void Deepseek_coder_lists_both_variants()
    {
        Assert.Equal(["code", "instruct"], ModelName.Parse("deepseek-coder-6.7b-instruct").Variants);
        Assert.Equal("code", ModelName.Parse("deepseek-coder-6.7b-base").Variants[0]);
    }

    [Fact]
    public void Gguf_file_extension_is_recorded()
    {
        Assert.Equal(".gguf", ModelName.Parse("mistral-7b-v0.1.Q4_K_M.gguf").FileExtension);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData(null)]
    public void Blank_name_is_caller_misuse(string? name)
    {
        Assert.ThrowsAny<ArgumentException>(() => ModelName.Parse(name!));
    }

    [Fact]
    public void Hostile_names_do_not_throw()
    {
        // Long and odd inputs: separators only, a 10,000-character token, digits only, a huge size.
        foreach (string s in new[] { "----", new string('a', 10_000), "123456789", "99999999999999T", "/", "a/", "x.gguf" })
        {
            var n = ModelName.Parse(s);
            Assert.NotNull(n);
        }

        Assert.Null(ModelName.Parse("99999999999999T").SizeTag); // 10^14 T does not fit in 64 bits: not a tag
    }
}
