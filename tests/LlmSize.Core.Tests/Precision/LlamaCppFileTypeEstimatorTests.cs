using LlmSize.Core.Models.Architectures;
using LlmSize.Core.Precision;

namespace LlmSize.Core.Tests.Precision;

public sealed class LlamaCppFileTypeEstimatorTests
{
    // shared/fixtures/configs/llama-2-7b/config.json
    private static readonly ModelArchitecture Llama2_7B = new()
    {
        Family = "llama", VocabSize = 32_000, HiddenSize = 4096, LayerCount = 32, AttentionHeadCount = 32,
        KeyValueHeadCount = 32, HeadDim = 128, IntermediateSize = 11_008,
    };

    // shared/fixtures/configs/mixtral-8x7b-v0.1/config.json
    private static readonly ModelArchitecture Mixtral = new()
    {
        Family = "llama", VocabSize = 32_000, HiddenSize = 4096, LayerCount = 32, AttentionHeadCount = 32,
        KeyValueHeadCount = 8, HeadDim = 128, IntermediateSize = 14_336, ExpertCount = 8, ActiveExpertCount = 2,
    };

    [Fact]
    public void Llama_2_7b_Q4_K_M_spelled_out()
    {
        // use_more_bits(i, 32): i < 4, i >= 28, or (i - 4) % 3 == 2 -> 16 layers (0-3, 6, 9, …, 27, 28-31) get Q6_K
        // attn_v and ffn_down. Q4_K row of 4096 = 16 blocks × 144 = 2,304 bytes; Q6_K: 16 × 210 = 3,360.
        //   token_embd Q4_K 32,000 × 2,304 = 73,728,000; output Q6_K 32,000 × 3,360 = 107,520,000
        //   per layer all-Q4_K: q, k, v, o 4 × 4096 × 2,304 = 37,748,736; gate, up 2 × 11,008 × 2,304 = 50,724,864;
        //   down 4096 × 43 × 144 = 25,362,432; norms 2 × 4096 × 4 = 32,768 -> 113,868,800; × 32 = 3,643,801,600
        //   16 bumped layers: v +4096 × (3,360 - 2,304) = +4,325,376, down +4096 × 43 × 66 = +11,624,448 -> × 16 = 255,197,184
        //   output_norm 16,384
        //   total 73,728,000 + 107,520,000 + 3,643,801,600 + 255,197,184 + 16,384 = 4,080,263,168
        var e = LlamaCppFileTypeEstimator.Estimate(Llama2_7B, LlamaFileType.Q4_K_M);
        Assert.Equal(4_080_263_168, e.Bytes);
        Assert.Equal(6_738_415_616, e.Parameters); // CSV count
        Assert.Equal(16, e.Tensors.Count(t => t.Name.EndsWith("attn_v.weight", StringComparison.Ordinal) && t.Type == TensorDataType.Q6_K));
        Assert.Equal(TensorDataType.Q6_K, e.Tensors.Single(t => t.Name == "output.weight").Type);
        Assert.Equal(TensorDataType.F32, e.Tensors.Single(t => t.Name == "blk.0.attn_norm.weight").Type);
        Assert.Equal(291, e.Tensors.Count); // 2 + 32 × 9 + 1: the tensor count of a llama-2-7b GGUF
    }

    /// <summary>
    /// TheBloke/Llama-2-7B-GGUF file sizes as the Hugging Face Hub shows them (GB, 10^9, rounded; files made with
    /// llama.cpp commit bd33e5a). The file adds about 1 MB of header and tokenizer, below the rounding.
    /// </summary>
    public static TheoryData<LlamaFileType, double> TheBlokeLlama2Sizes => new()
    {
        { LlamaFileType.Q3_K_S, 2.95 },
        { LlamaFileType.Q3_K_M, 3.30 },
        { LlamaFileType.Q3_K_L, 3.60 },
        { LlamaFileType.Q4_0, 3.83 },
        { LlamaFileType.Q4_K_S, 3.86 },
        { LlamaFileType.Q4_K_M, 4.08 },
        { LlamaFileType.Q5_0, 4.65 },
        { LlamaFileType.Q5_K_S, 4.65 },
        { LlamaFileType.Q5_K_M, 4.78 },
        { LlamaFileType.Q6_K, 5.53 },
        { LlamaFileType.Q8_0, 7.16 },
    };

    [Theory]
    [MemberData(nameof(TheBlokeLlama2Sizes))]
    public void Llama_2_7b_matches_published_gguf_sizes(LlamaFileType fileType, double gigabytes)
    {
        var e = LlamaCppFileTypeEstimator.Estimate(Llama2_7B, fileType);
        Assert.Equal(gigabytes, Math.Round(e.Bytes / 1e9, 2));
    }

    /// <summary>TheBloke/Mixtral-8x7B-v0.1-GGUF (llama.cpp 8a7b2fa) as the Hub shows them (GB, 3 significant digits).</summary>
    [Theory]
    [InlineData(LlamaFileType.Q4_0, 26.4)]
    [InlineData(LlamaFileType.Q5_0, 32.2)]
    [InlineData(LlamaFileType.Q6_K, 38.4)]
    [InlineData(LlamaFileType.Q8_0, 49.6)]
    public void Mixtral_single_type_files_match_published_sizes(LlamaFileType fileType, double gigabytes)
    {
        var e = LlamaCppFileTypeEstimator.Estimate(Mixtral, fileType);
        Assert.Equal(46_702_792_704, e.Parameters); // CSV count
        Assert.Equal(gigabytes, Math.Round(e.Bytes / 1e9, 1));
        // 8-expert models keep attn_k and attn_v at Q8_0; the router stays F32.
        Assert.Equal(TensorDataType.Q8_0, e.Tensors.Single(t => t.Name == "blk.5.attn_v.weight").Type);
        Assert.Equal(TensorDataType.F32, e.Tensors.Single(t => t.Name == "blk.5.ffn_gate_inp.weight").Type);
    }

    [Fact]
    public void Tied_embedding_takes_the_output_type()
    {
        // SmolLM2-135M (shared config): tied, hidden 576 = 2.25 × 256 -> not a multiple of the Q4_K block, so the
        // output rule picks Q8_0 for token_embd, and every Q4_K matrix with 576-element rows falls back to Q5_0.
        var smol = new ModelArchitecture
        {
            Family = "llama", VocabSize = 49_152, HiddenSize = 576, LayerCount = 30, AttentionHeadCount = 9,
            KeyValueHeadCount = 3, HeadDim = 64, IntermediateSize = 1536, TieWordEmbeddings = true,
        };
        var e = LlamaCppFileTypeEstimator.Estimate(smol, LlamaFileType.Q4_K_M);
        Assert.Equal(134_515_008, e.Parameters); // CSV count
        Assert.Equal(TensorDataType.Q8_0, e.Tensors.Single(t => t.Name == "token_embd.weight").Type);
        Assert.DoesNotContain(e.Tensors, t => t.Name == "output.weight");
        Assert.Equal(TensorDataType.Q5_0, e.Tensors.Single(t => t.Name == "blk.1.attn_q.weight").Type);
        // ffn_down rows are 1536 = 6 × 256 long, so no fallback: layer 1 is a use_more_bits layer of 30 (1 < 30 / 8 = 3)
        // -> Q6_K; layer 4 is not ((4 - 3) % 3 = 1) -> Q4_K.
        Assert.Equal(TensorDataType.Q6_K, e.Tensors.Single(t => t.Name == "blk.1.ffn_down.weight").Type);
        Assert.Equal(TensorDataType.Q4_K, e.Tensors.Single(t => t.Name == "blk.4.ffn_down.weight").Type);
        Assert.Contains(e.Notes, n => n.Contains("falls back to Q5_0", StringComparison.Ordinal));
    }

    [Fact]
    public void Seventy_b_llama_bumps_attn_v()
    {
        // Llama 2/3 70B shape: 80 layers, GQA 64/8 -> LLM_TYPE_70B: Q4_K attn_v becomes Q5_K (layer 10 is not a
        // use_more_bits layer for Q4_K_S, which only bumps i < 4).
        var arch = Llama2_7B with { LayerCount = 80, AttentionHeadCount = 64, KeyValueHeadCount = 8, HiddenSize = 8192, IntermediateSize = 28_672 };
        var e = LlamaCppFileTypeEstimator.Estimate(arch, LlamaFileType.Q4_K_S);
        Assert.Equal(TensorDataType.Q5_K, e.Tensors.Single(t => t.Name == "blk.10.attn_v.weight").Type);
    }

    [Theory]
    [InlineData("Q4_K_M", LlamaFileType.Q4_K_M)]
    [InlineData("q5_k_s", LlamaFileType.Q5_K_S)]
    [InlineData("Q8_0", LlamaFileType.Q8_0)]
    public void Parses_file_type_names(string name, LlamaFileType expected)
    {
        Assert.True(LlamaCppFileTypeEstimator.TryParseFileType(name, out var f));
        Assert.Equal(expected, f);
    }

    [Theory]
    [InlineData("Q4_K_X")]
    [InlineData("15")]
    [InlineData("")]
    [InlineData(null)]
    public void Rejects_unknown_file_type_names(string? name)
    {
        Assert.False(LlamaCppFileTypeEstimator.TryParseFileType(name, out _));
    }

    [Fact]
    public void Unsupported_and_bad_input()
    {
        Assert.Throws<NotSupportedException>(() =>
            LlamaCppFileTypeEstimator.Estimate(Llama2_7B with { Kind = TransformerKind.EncoderOnly }, LlamaFileType.Q4_0));
        Assert.Throws<NotSupportedException>(() =>
            LlamaCppFileTypeEstimator.Estimate(Llama2_7B with { KvLoraRank = 512 }, LlamaFileType.Q4_0));
        Assert.Throws<ArgumentOutOfRangeException>(() => LlamaCppFileTypeEstimator.Estimate(Llama2_7B, (LlamaFileType)99));
        Assert.Throws<ArgumentOutOfRangeException>(() =>
            LlamaCppFileTypeEstimator.Estimate(Llama2_7B with { KeyValueHeadCount = 0 }, LlamaFileType.Q4_0));
        Assert.Throws<ArgumentNullException>(() => LlamaCppFileTypeEstimator.Estimate(null!, LlamaFileType.Q4_0));
    }
}
