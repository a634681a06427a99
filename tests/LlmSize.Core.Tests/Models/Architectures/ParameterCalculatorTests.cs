using LlmSize.Core.Models.Architectures;

namespace LlmSize.Core.Tests.Models.Architectures;

/// <summary>
/// The calculator on architectures built from core fields only, as a GGUF reader produces them (Family =
/// <c>general.architecture</c>); family defaults come from <see cref="ModelFamilies"/>.
/// </summary>
public sealed class ParameterCalculatorTests
{
    /// <summary>An architecture with only the core fields, and its published total.</summary>
    /// <param name="Name">Label.</param>
    /// <param name="Architecture">Core fields only.</param>
    /// <param name="Parameters">Expected total.</param>
    public sealed record Case(string Name, ModelArchitecture Architecture, long Parameters)
    {
        /// <inheritdoc />
        public override string ToString() => Name;
    }

    private static ModelArchitecture Core(string family, long vocab, long hidden, int layers, int heads, int kv,
        int headDim, long inner, bool tie, long context = 0) => new()
    {
        Family = family,
        VocabSize = vocab,
        HiddenSize = hidden,
        LayerCount = layers,
        AttentionHeadCount = heads,
        KeyValueHeadCount = kv,
        HeadDim = headDim,
        IntermediateSize = inner,
        TieWordEmbeddings = tie,
        ContextLength = context,
    };

    public static TheoryData<Case> GgufFamilyCases() => new()
    {
        // published-parameter-counts.csv: llama-2-7b 6,738,415,616 (model.num_parameters()).
        new Case("llama: LLaMA-2-7B", Core("llama", 32000, 4096, 32, 32, 32, 128, 11008, false), 6_738_415_616),
        // published-parameter-counts.csv: gemma-2b 2,506,172,416 (GGUF: no output.weight -> tied).
        new Case("gemma: gemma-2b", Core("gemma", 256000, 2048, 18, 8, 1, 256, 16384, true), 2_506_172_416),
        // published-parameter-counts.csv: gemma-2-2b 2,614,341,888.
        new Case("gemma2: gemma-2-2b", Core("gemma2", 256000, 2304, 26, 8, 4, 256, 9216, true), 2_614_341_888),
        // gemma-3-1b-it 999,885,952 (HF safetensors total; see HfConfigPublishedModelTests).
        new Case("gemma3: gemma-3-1b", Core("gemma3", 262144, 1152, 26, 4, 1, 256, 6912, true), 999_885_952),
        // published-parameter-counts.csv: qwen2-0.5b 494,032,768 (q/k/v biases by family default).
        new Case("qwen2: Qwen2-0.5B", Core("qwen2", 151936, 896, 24, 14, 2, 64, 4864, true), 494_032_768),
        // Qwen3-0.6B 596,049,920 (sum of numel of the Hub checkpoint; q_norm/k_norm by family default).
        new Case("qwen3: Qwen3-0.6B", Core("qwen3", 151936, 1024, 28, 16, 8, 128, 3072, true), 596_049_920),
        // published-parameter-counts.csv: phi-2 2,779,683,840 (LayerNorm, biases, lm_head bias by family default).
        new Case("phi2: phi-2", Core("phi2", 51200, 2560, 32, 32, 32, 80, 10240, false), 2_779_683_840),
        // Phi-3-mini-4k 3,821,079,552 (HF safetensors total; see HfConfigPublishedModelTests).
        new Case("phi3: Phi-3-mini", Core("phi3", 32064, 3072, 32, 32, 32, 96, 8192, false), 3_821_079_552),
        // published-parameter-counts.csv: gpt2 124,439,808 (learned positions = context length 1024).
        new Case("gpt2: GPT-2", Core("gpt2", 50257, 768, 12, 12, 12, 64, 3072, true, 1024), 124_439_808),
        // Falcon-7B, derived in HfConfigPublishedModelTests.Falcon7b_MultiQueryParallelAttention: 6,921,720,704.
        new Case("falcon: Falcon-7B", Core("falcon", 65024, 4544, 32, 71, 1, 64, 18176, true, 2048), 6_921_720_704),
        // t5-small 60,506,624 (keras-hub t5_small_multi; see HfConfigPublishedModelTests): GGUF t5 has one
        // block_count, decoder blocks default to the same count; relu MLP and tied head by T5Config default.
        new Case("t5: t5-small", Core("t5", 32128, 512, 6, 8, 8, 64, 2048, true, 512), 60_506_624),
        // GGUF bert = llama.cpp's converter output: no pooler, no MLM head ("we are only using BERT for
        // embeddings"). bert-base-uncased BertModel 109,482,240 - pooler 768 x 768 + 768 = 108,891,648.
        new Case("bert: bert-base (no pooler)", Core("bert", 30522, 768, 12, 12, 12, 64, 3072, true, 512), 108_891_648),
    };

    [Theory]
    [MemberData(nameof(GgufFamilyCases))]
    public void Count_WithCoreFieldsOnly_UsesFamilyDefaults(Case c)
    {
        ParameterBreakdown count = ParameterCalculator.Count(c.Architecture);

        Assert.Equal(c.Parameters, count.Total);
    }

    [Theory]
    [MemberData(nameof(GgufFamilyCases))]
    public void EnumerateWeights_SumsToCount(Case c)
    {
        IReadOnlyList<ArchitectureWeight> weights = ParameterCalculator.EnumerateWeights(c.Architecture);

        Assert.Equal(ParameterCalculator.Count(c.Architecture).Total, weights.Sum(w => w.Elements));
        Assert.Equal(weights.Count, weights.Select(w => w.Name).Distinct().Count());
    }

    [Fact]
    public void Llama_Breakdown_ByComponent()
    {
        // LLaMA-2-7B by hand: embedding 32000 x 4096 = 131,072,000; attention 32 x 4 x 4096^2 = 2,147,483,648;
        // MLP 32 x 3 x 4096 x 11008 = 4,328,521,728; norms (32 x 2 + 1) x 4096 = 266,240; lm_head 131,072,000.
        ParameterBreakdown b = ParameterCalculator.Count(Core("llama", 32000, 4096, 32, 32, 32, 128, 11008, false));

        Assert.Equal(131_072_000, b.Embedding);
        Assert.Equal(2_147_483_648, b.Attention);
        Assert.Equal(4_328_521_728, b.Mlp);
        Assert.Equal(266_240, b.Norms);
        Assert.Equal(131_072_000, b.OutputHead);
        Assert.Equal(0, b.Experts);
        Assert.Equal(0, b.Other);
        Assert.Equal(b.Total, b.ActivePerToken);
        Assert.Equal(b.Total - 131_072_000, b.NonEmbedding);
    }

    [Fact]
    public void Llama_QProjectionShape_IsOutByIn()
    {
        ModelArchitecture a = Core("llama", 128256, 4096, 32, 32, 8, 128, 14336, false);

        ArchitectureWeight k = ParameterCalculator.EnumerateWeights(a).Single(w => w.Name == "blk.{layer}.attn_k.weight");

        Assert.Equal([1024L, 4096L], k.Shape);
        Assert.Equal(32, k.Repeat);
    }

    [Fact]
    public void MoE_ActivePerToken_CountsTopKExpertsOnly()
    {
        // Mixtral-8x7B as GGUF metadata would give it (llama family, 8 experts, 2 used): CSV total 46,702,792,704,
        // active 12,879,925,248 (CSV notes).
        ModelArchitecture a = Core("llama", 32000, 4096, 32, 32, 8, 128, 14336, false) with
        {
            ExpertCount = 8,
            ActiveExpertCount = 2,
        };

        ParameterBreakdown b = ParameterCalculator.Count(a);

        Assert.Equal(46_702_792_704, b.Total);
        Assert.Equal(12_879_925_248, b.ActivePerToken);
    }

    [Fact]
    public void SharedExperts_AreAlwaysActive()
    {
        // Tiny MoE: hidden 4, expert inner 2, 4 routed (1 active) + 1 shared, 1 layer, gated, no biases.
        // One expert = 3 x 4 x 2 = 24. Experts = router 4 x 4 + 4 x 24 + 24 = 136; active = 16 + 24 + 24 = 64.
        ModelArchitecture a = Core("llama", 10, 4, 1, 1, 1, 4, 8, true) with
        {
            ExpertCount = 4,
            ActiveExpertCount = 1,
            SharedExpertCount = 1,
            ExpertIntermediateSize = 2,
        };

        ParameterBreakdown b = ParameterCalculator.Count(a);

        Assert.Equal(136, b.Experts);
        Assert.Equal(b.Total - 136 + 64, b.ActivePerToken);
    }

    [Fact]
    public void PerLayerKvHeads_ZeroMeansNoAttention()
    {
        // 2 layers, the second without attention: attention = 1 x 4 x 8 x 8 = 256 instead of 512.
        ModelArchitecture a = Core("llama", 10, 8, 2, 2, 2, 4, 16, true) with { KeyValueHeadCountPerLayer = [2, 0] };

        Assert.Equal(256, ParameterCalculator.Count(a).Attention);
    }

    [Fact]
    public void ExplicitStructuralFields_OverrideFamilyDefaults()
    {
        // llama with attention_bias: q, k, v, o biases: 4 x 8 per layer on top of 4 x 64.
        ModelArchitecture a = Core("llama", 10, 8, 1, 2, 2, 4, 16, true) with
        {
            AttentionQkvBias = true,
            AttentionOutputBias = true,
        };

        Assert.Equal(4 * 64 + 4 * 8, ParameterCalculator.Count(a).Attention);
    }

    [Fact]
    public void UnknownFamily_WithUnsetFields_IsNotSupported()
    {
        var e = Assert.Throws<NotSupportedException>(() =>
            ParameterCalculator.Count(Core("mamba", 10, 8, 1, 2, 2, 4, 16, true)));

        Assert.Contains("llama", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void UnknownFamily_WithEveryFieldSet_IsCounted()
    {
        ModelArchitecture a = ModelFamilies.ApplyDefaults(Core("llama", 10, 8, 1, 2, 2, 4, 16, true)) with { Family = "custom" };

        Assert.Equal(ParameterCalculator.Count(a with { Family = "llama" }).Total, ParameterCalculator.Count(a).Total);
    }

    [Theory]
    [InlineData(0L, 8L)]   // zero vocabulary
    [InlineData(10L, -8L)] // negative hidden size
    public void NonPositiveSizes_AreArgumentException(long vocab, long hidden)
    {
        Assert.Throws<ArgumentException>(() => ParameterCalculator.Count(Core("llama", vocab, hidden, 1, 2, 2, 4, 16, true)));
    }

    [Fact]
    public void PerLayerKvListOfWrongLength_IsArgumentException()
    {
        ModelArchitecture a = Core("llama", 10, 8, 3, 2, 2, 4, 16, true) with { KeyValueHeadCountPerLayer = [2, 2] };

        Assert.Throws<ArgumentException>(() => ParameterCalculator.Count(a));
    }

    [Fact]
    public void OverflowingShapes_AreArgumentException_NotWrapped()
    {
        ModelArchitecture a = Core("llama", long.MaxValue / 2, 1L << 40, 1, 1, 1, 1, 1, false);

        Assert.Throws<ArgumentException>(() => ParameterCalculator.Count(a));
    }

    [Fact]
    public void Mla_CountsLatentProjections()
    {
        // Issue 12: MLA is counted. hidden 8, 2 heads, head_dim 4 (nope 2 + rope 2), v_head_dim 3, kv_lora_rank 5,
        // q_lora_rank 6: q_a 6 x 8 + q_a norm 6 + q_b (2 x 4) x 6 + kv_a (5 + 2) x 8 + kv_a norm 5 +
        // kv_b 2 x (2 + 3) x 5 + o 8 x (2 x 3) = 48 + 6 + 48 + 56 + 5 + 50 + 48 = 261.
        ModelArchitecture a = Core("llama", 10, 8, 1, 2, 2, 4, 16, true) with
        {
            KvLoraRank = 5, QkRopeHeadDim = 2, QueryLoraRank = 6, ValueHeadDim = 3,
        };

        Assert.Equal(261, ParameterCalculator.Count(a).Attention);
    }

    [Fact]
    public void Mla_RopeNotBelowHeadDim_IsArgumentException()
    {
        ModelArchitecture a = Core("llama", 10, 8, 1, 2, 2, 4, 16, true) with { KvLoraRank = 5, QkRopeHeadDim = 4 };

        Assert.Throws<ArgumentException>(() => ParameterCalculator.Count(a));
    }

    [Fact]
    public void Null_IsArgumentNull()
    {
        Assert.Throws<ArgumentNullException>(() => ParameterCalculator.Count(null!));
    }
}
