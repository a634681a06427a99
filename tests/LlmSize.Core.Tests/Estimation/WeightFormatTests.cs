using LlmSize.Core.Estimation;
using LlmSize.Core.Models.Architectures;
using LlmSize.Core.Precision;

namespace LlmSize.Core.Tests.Estimation;

/// <summary>Direct tests of <see cref="WeightFormat"/>: llama.cpp's per-tensor mixture (<see cref="GgufWeightFormat"/>,
/// the one llama.cpp tensor layout) against published GGUF sizes, and the uniform formats' arithmetic.</summary>
public sealed class WeightFormatTests
{
    // ../shared/fixtures/configs/llama-2-7b/config.json
    private static readonly ModelArchitecture Llama2_7B = new()
    {
        Family = "llama", VocabSize = 32_000, HiddenSize = 4096, LayerCount = 32, AttentionHeadCount = 32,
        KeyValueHeadCount = 32, HeadDim = 128, IntermediateSize = 11_008,
    };

    // ../shared/fixtures/configs/mixtral-8x7b-v0.1/config.json
    private static readonly ModelArchitecture Mixtral = new()
    {
        Family = "llama", VocabSize = 32_000, HiddenSize = 4096, LayerCount = 32, AttentionHeadCount = 32,
        KeyValueHeadCount = 8, HeadDim = 128, IntermediateSize = 14_336, ExpertCount = 8, ActiveExpertCount = 2,
    };

    private static WeightBytes Bytes(ModelArchitecture a, LlamaFileType t) =>
        Runtimes.LlamaCpp.FindFormat(LlamaFileTypes.Name(t)) is { } f
            ? f.ComputeBytes(a, ParameterCalculator.EnumerateWeights(a))
            : new GgufWeightFormat { Name = LlamaFileTypes.Name(t), FileType = t, Description = "test", Source = "test" }
                .ComputeBytes(a, ParameterCalculator.EnumerateWeights(a));

    [Fact]
    public void Llama_2_7b_Q4_K_M_spelled_out()
    {
        // use_more_bits(i, 32): i < 4, i >= 28, or (i - 4) % 3 == 2 -> 16 layers get Q6_K attn_v and ffn_down (llama.cpp
        // src/llama-quant.cpp). Q4_K row of 4096 = 16 blocks × 144 = 2,304 bytes; Q6_K: 16 × 210 = 3,360.
        //   token_embd Q4_K 32,000 × 2,304 = 73,728,000; output Q6_K 32,000 × 3,360 = 107,520,000
        //   per layer all-Q4_K 113,868,800 × 32 = 3,643,801,600; 16 bumped layers + 255,197,184; output_norm 16,384
        //   total 4,080,263,168 (TheBloke/Llama-2-7B-GGUF llama-2-7b.Q4_K_M.gguf: 4.08 GB)
        Assert.Equal(4_080_263_168, Bytes(Llama2_7B, LlamaFileType.Q4_K_M).TotalBytes);
    }

    /// <summary>TheBloke/Llama-2-7B-GGUF file sizes as the Hugging Face Hub shows them (GB, 10^9, rounded; files made with
    /// llama.cpp commit bd33e5a). The file adds about 1 MB of header and tokenizer, below the rounding.</summary>
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
        Assert.Equal(gigabytes, Math.Round(Bytes(Llama2_7B, fileType).TotalBytes / 1e9, 2));
    }

    /// <summary>TheBloke/Mixtral-8x7B-v0.1-GGUF (llama.cpp 8a7b2fa) as the Hub shows them (GB, 3 significant digits).</summary>
    [Theory]
    [InlineData(LlamaFileType.Q4_0, 26.4)]
    [InlineData(LlamaFileType.Q5_0, 32.2)]
    [InlineData(LlamaFileType.Q6_K, 38.4)]
    [InlineData(LlamaFileType.Q8_0, 49.6)]
    public void Mixtral_single_type_files_match_published_sizes(LlamaFileType fileType, double gigabytes)
    {
        Assert.Equal(gigabytes, Math.Round(Bytes(Mixtral, fileType).TotalBytes / 1e9, 1));
    }

    [Fact]
    public void Uniform_formats_are_bits_times_parameters()
    {
        // WebLLM q0f16: every weight 16 bits -> 2 bytes per parameter; Llama-2-7B has 6,738,415,616 parameters
        // (../shared/reference/published-parameter-counts.csv).
        var q0f16 = Runtimes.WebLlm.FindFormat("q0f16")!;
        var w = q0f16.ComputeBytes(Llama2_7B, ParameterCalculator.EnumerateWeights(Llama2_7B));
        Assert.Equal(6_738_415_616L * 2, w.TotalBytes);
        Assert.Equal(16, w.BitsPerWeight, 6);
        // The largest tensor is the 32,000 × 4096 embedding (or head): 262,144,000 bytes at 16 bits.
        Assert.Equal(32_000L * 4096 * 2, w.LargestTensorBytes);
    }

    [Fact]
    public void Moe_active_bytes_read_only_top_k_experts()
    {
        // Mixtral: 8 experts, 2 active -> per token only 2/8 of the expert weights are read.
        var f = Runtimes.LlamaCpp.FindFormat("Q8_0")!;
        var w = f.ComputeBytes(Mixtral, ParameterCalculator.EnumerateWeights(Mixtral));
        Assert.True(w.ActiveBytesPerToken < w.TotalBytes / 3, $"{w.ActiveBytesPerToken} vs {w.TotalBytes}");
    }
}
