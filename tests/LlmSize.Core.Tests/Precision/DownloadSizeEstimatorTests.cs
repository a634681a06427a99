using System.Globalization;
using LlmSize.Core.Models.Architectures;
using LlmSize.Core.Precision;
using LlmSize.Core.Tests.Infrastructure;

namespace LlmSize.Core.Tests.Precision;

public sealed class DownloadSizeEstimatorTests
{
    private const long Mistral7B = 7_241_732_096; // shared/reference/published-parameter-counts.csv (keras-hub mistral_7b_en)

    [Fact]
    public void Q4_0_of_mistral_7b_from_the_block_layout()
    {
        // Q4_0: 32 weights in 18 bytes (2-byte fp16 scale + 16 bytes of nibbles).
        // 7,241,732,096 / 32 = 226,304,128 blocks (divisible: 7,241,732,096 = 32 × 226,304,128);
        // 226,304,128 × 18 = 4,073,474,304 bytes.
        var q4_0 = QuantizationScheme.GgufTypes.Single(s => s.Name == "Q4_0");
        var e = DownloadSizeEstimator.Estimate(Mistral7B, q4_0);
        Assert.Equal(4_073_474_304, e.Bytes);
        Assert.Equal(0, e.PaddingElements);
        Assert.Empty(e.Notes);
        Assert.Equal(4.073474304, e.Gigabytes, 9);                  // / 10^9
        Assert.Equal(4_073_474_304 / 1_073_741_824.0, e.Gibibytes, 12); // / 2^30 = 3.7937 GiB
        Assert.Equal(4.5, e.EffectiveBitsPerWeight, 12);
        Assert.Equal("4,073,474,304 bytes = 4.07 GB (10^9) = 3.79 GiB (2^30)", e.FormatSize());
    }

    /// <summary>Plain and group schemes on 7,241,732,096 parameters, arithmetic in the comment.</summary>
    public static TheoryData<string, long> MistralBytes => new()
    {
        { "fp32", 28_966_928_384 },          // × 4
        { "fp16", 14_483_464_192 },          // × 2
        { "bf16", 14_483_464_192 },          // × 2
        { "int8", 7_241_732_096 },           // × 1
        { "int4", 3_620_866_048 },           // / 2 (two per byte, no overhead)
        { "int4-g32-f16", 4_073_474_304 },   // / 32 × 18 = 226,304,128 × 18
        { "int4-g128-f16", 3_734_018_112 },  // / 128 × 66 = 56,576,032 × 66
        { "int4-g128-f16-zp4", 3_762_306_128 }, // / 256 × 133 = 28,288,016 × 133
        { "q4f16_1", 4_073_474_304 },        // / 32 × 18
        { "q4f32_1", 4_526_082_560 },        // / 32 × 20 = 226,304,128 × 20
        { "q3f16_1", 3_258_779_454 },        // 7,241,732,096 / 40 = 181,043,302.4 -> 181,043,303 blocks × 18 (padded)
        { "q0f16", 14_483_464_192 },
        { "q0f32", 28_966_928_384 },
        { "tjs-fp32", 28_966_928_384 },
        { "tjs-fp16", 14_483_464_192 },
        { "tjs-q8", 7_241_732_096 },
        { "tjs-int8", 7_241_732_096 },
        { "tjs-uint8", 7_241_732_096 },
        { "tjs-q4", 4_526_082_560 },         // / 32 × 20 (fp32 scale)
        { "tjs-q4f16", 4_073_474_304 },      // / 32 × 18 (fp16 scale)
        { "tjs-bnb4", 4_073_474_304 },       // / 64 × 36 = 113,152,064 × 36
    };

    [Theory]
    [MemberData(nameof(MistralBytes))]
    public void Plain_group_mlc_and_transformers_js_bytes(string scheme, long bytes)
    {
        Assert.True(QuantizationScheme.TryFromName(scheme, out var s));
        Assert.Equal(bytes, DownloadSizeEstimator.Estimate(Mistral7B, s).Bytes);
    }

    [Theory]
    [InlineData("q4f16_1", 4.5)]   // (32 × 4 + 16) / 32
    [InlineData("q4f32_1", 5.0)]   // (32 × 4 + 32) / 32
    [InlineData("q3f16_1", 3.6)]   // (4 × 32 + 16) / 40
    [InlineData("q0f16", 16.0)]
    [InlineData("q0f32", 32.0)]
    [InlineData("tjs-q4", 5.0)]    // (32 × 4 + 32) / 32
    [InlineData("tjs-q4f16", 4.5)] // (32 × 4 + 16) / 32
    [InlineData("tjs-bnb4", 4.5)]  // (64 × 4 + 32) / 64
    [InlineData("tjs-q8", 8.0)]
    [InlineData("int4-g128-f16", 4.125)] // (128 × 4 + 16) / 128
    [InlineData("int4-g128-f16-zp4", 4.15625)] // (128 × 4 + 16 + 4) / 128
    public void Bits_per_weight_from_layout(string scheme, double bits)
    {
        Assert.True(QuantizationScheme.TryFromName(scheme, out var s));
        Assert.Equal(bits, s.BitsPerWeight, 12);
    }

    [Fact]
    public void Every_gguf_type_matches_the_ggml_types_table()
    {
        // shared/reference/ggml-types.csv: type_name, ggml_type_id, block_size_elems, bytes_per_block, bits_per_weight, status.
        var active = File.ReadLines(TestPaths.Reference("ggml-types.csv")).Skip(1)
            .Select(l => l.Split(','))
            .Where(c => c.Length > 5 && c[5] == "active")
            .ToDictionary(c => c[0], c => (Block: int.Parse(c[2], CultureInfo.InvariantCulture),
                Bytes: int.Parse(c[3], CultureInfo.InvariantCulture), Bits: double.Parse(c[4], CultureInfo.InvariantCulture)));
        Assert.Equal(active.Keys.Order(), QuantizationScheme.GgufTypes.Select(s => s.Name).Order());
        foreach (var s in QuantizationScheme.GgufTypes)
        {
            var row = active[s.Name];
            Assert.Equal(row.Bits, s.BitsPerWeight, 4);
            // Mistral 7B's count is a multiple of 256 (7,241,732,096 = 256 × 28,288,016), so every type divides it:
            // bytes = count / block × bytes per block, exactly, no padding.
            var e = DownloadSizeEstimator.Estimate(Mistral7B, s);
            Assert.Equal(Mistral7B / row.Block * row.Bytes, e.Bytes);
            Assert.Equal(0, e.PaddingElements);
        }
    }

    [Theory]
    [InlineData("Q4_K", 4_073_474_304)]  // 28,288,016 blocks of 256 × 144
    [InlineData("Q6_K", 5_940_483_360)]  // 28,288,016 × 210
    [InlineData("Q8_0", 7_694_340_352)]  // 226,304,128 × 34
    [InlineData("Q2_K", 2_376_193_344)]  // 28,288,016 × 84
    [InlineData("IQ2_XXS", 1_867_009_056)] // 28,288,016 × 66
    [InlineData("IQ4_XS", 3_847_170_176)]  // 28,288,016 × 136
    [InlineData("MXFP4", 3_847_170_176)]   // 226,304,128 × 17
    public void Selected_gguf_types_spelled_out(string type, long bytes)
    {
        Assert.True(QuantizationScheme.TryFromName("gguf:" + type, out var s));
        Assert.Equal(bytes, DownloadSizeEstimator.Estimate(Mistral7B, s).Bytes);
    }

    [Fact]
    public void Count_not_a_multiple_of_the_block_is_rounded_up_and_said()
    {
        // SmolLM2-135M: 134,515,008 (CSV) = 256 × 525,449 + 64 -> Q4_K needs 525,450 blocks, 192 padding elements;
        // 525,450 × 144 = 75,664,800 bytes.
        Assert.True(QuantizationScheme.TryFromName("gguf:Q4_K", out var q4k));
        var e = DownloadSizeEstimator.Estimate(134_515_008, q4k);
        Assert.Equal(75_664_800, e.Bytes);
        Assert.Equal(192, e.PaddingElements);
        Assert.Contains(e.Notes, n => n.Contains("not a whole number of Q4_K blocks", StringComparison.Ordinal));
    }

    private static ModelArchitecture Llama2_7B => new()
    {
        // shared/fixtures/configs/llama-2-7b/config.json
        Family = "llama", VocabSize = 32_000, HiddenSize = 4096, LayerCount = 32, AttentionHeadCount = 32,
        KeyValueHeadCount = 32, HeadDim = 128, IntermediateSize = 11_008,
    };

    [Fact]
    public void With_architecture_norms_stay_f32_in_gguf()
    {
        // Llama 2 7B: 6,738,415,616 parameters (CSV). Norms: (2 × 32 + 1) × 4096 = 266,240 kept F32 (4 bytes).
        // Quantized: 6,738,415,616 - 266,240 = 6,738,149,376 = 32 × 210,567,168 -> Q4_0: 210,567,168 × 18
        // = 3,790,209,024; + 266,240 × 4 = 1,064,960 -> 3,791,273,984 bytes.
        Assert.True(QuantizationScheme.TryFromName("gguf:Q4_0", out var q4_0));
        var weights = WeightBreakdown.FromArchitecture(Llama2_7B, 6_738_415_616);
        Assert.Equal(131_072_000, weights.EmbeddingParameters); // 32,000 × 4096
        Assert.Equal(266_240, weights.VectorParameters);
        var e = DownloadSizeEstimator.Estimate(weights, q4_0);
        Assert.Equal(3_791_273_984, e.Bytes);
        Assert.Equal(266_240, e.UnquantizedParameters);
        Assert.DoesNotContain(e.Notes, n => n.Contains("row length", StringComparison.Ordinal)); // 4096, 11,008 are multiples of 32
    }

    [Fact]
    public void With_architecture_row_lengths_not_divisible_by_the_block_are_reported()
    {
        // Llama 2 7B's MLP width 11,008 = 256 × 43 is divisible by the Q4_K block; a width of 11,000 is not
        // (11,000 / 256 = 42.97), so the note must name it.
        var arch = Llama2_7B with { IntermediateSize = 11_000 };
        Assert.True(QuantizationScheme.TryFromName("gguf:Q4_K", out var q4k));
        var e = DownloadSizeEstimator.Estimate(WeightBreakdown.FromArchitecture(arch, 6_738_415_616), q4k);
        Assert.Contains(e.Notes, n => n.StartsWith("row length 11,000 is not a multiple of the Q4_K block (256)", StringComparison.Ordinal));
    }

    [Fact]
    public void Transformers_js_q4_keeps_embeddings_unquantized()
    {
        // tjs-q4: embedding 131,072,000 and norms 266,240 stay float32 (4 bytes): 131,338,240 × 4 = 525,352,960;
        // quantized 6,738,415,616 - 131,338,240 = 6,607,077,376 = 32 × 206,471,168 -> × 20 = 4,129,423,360;
        // total 4,654,776,320 bytes.
        Assert.True(QuantizationScheme.TryFromName("tjs-q4", out var q4));
        var e = DownloadSizeEstimator.Estimate(WeightBreakdown.FromArchitecture(Llama2_7B, 6_738_415_616), q4);
        Assert.Equal(4_654_776_320, e.Bytes);
        Assert.Contains(e.Notes, n => n.Contains("embedding parameters kept unquantized", StringComparison.Ordinal));
    }

    [Fact]
    public void Estimate_all_covers_every_scheme()
    {
        var all = DownloadSizeEstimator.EstimateAll(Mistral7B);
        Assert.Equal(QuantizationScheme.All.Count, all.Count);
        Assert.All(all, e => Assert.True(e.Bytes > 0));
        Assert.Equal(QuantizationScheme.All.Count, QuantizationScheme.All.Distinct().Count());
    }

    [Fact]
    public void Bad_input_is_caller_misuse()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => DownloadSizeEstimator.Estimate(-1, QuantizationScheme.Fp16));
        Assert.Throws<ArgumentNullException>(() => DownloadSizeEstimator.Estimate(1, null!));
        Assert.Throws<ArgumentOutOfRangeException>(() =>
            DownloadSizeEstimator.Estimate(new WeightBreakdown { TotalParameters = 10, EmbeddingParameters = 8, VectorParameters = 8 }, QuantizationScheme.Fp16));
        Assert.Throws<ArgumentOutOfRangeException>(() => WeightBreakdown.FromArchitecture(Llama2_7B, 1_000));
        // long.MaxValue fp32 weights: 4 × (2^63 - 1) bytes overflows 64 bits.
        Assert.Throws<OverflowException>(() => DownloadSizeEstimator.Estimate(long.MaxValue, QuantizationScheme.Fp32));
        Assert.False(QuantizationScheme.TryFromName("q9f99", out _));
    }
}
