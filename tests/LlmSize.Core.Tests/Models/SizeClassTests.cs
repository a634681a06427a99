using System.Globalization;
using LlmSize.Core.Models;
using LlmSize.Core.Tests.Infrastructure;

namespace LlmSize.Core.Tests.Models;

public sealed class SizeClassTests
{
    /// <summary>
    /// Published counts (shared/reference/published-parameter-counts.csv, whose "source" column cites each) and the
    /// class the documented rule gives; the name each model carries is in the comment.
    /// </summary>
    public static TheoryData<string, long, string> CsvCounts => new()
    {
        { "gemma-2b", 2_506_172_416, "2B" },               // named "gemma-2b": 2.506B, 0.506 < 0.6 of a step -> 2B
        { "gemma-7b", 8_537_680_896, "8B" },               // named "gemma-7b": 8.538B -> 8B (the name understates)
        { "gemma-2-2b", 2_614_341_888, "3B" },             // named "gemma-2-2b": 2.614B, 0.614 >= 0.6 -> 3B
        { "mistral-7b-v0.1", 7_241_732_096, "7B" },        // named "7b": 7.24B -> 7B
        { "mixtral-8x7b-v0.1", 46_702_792_704, "47B" },    // named "8x7B" (experts x size); total 46.70B -> 47B
        { "llama-2-7b", 6_738_415_616, "7B" },             // named "7b": 6.738B, 0.738 >= 0.6 -> 7B
        { "llama-3.2-1b", 1_235_814_400, "1B" },           // named "1B": 1.236B / 0.5B = 2.47 steps -> 1B
        { "qwen2-0.5b", 494_032_768, "0.5B" },             // named "0.5B": 0.494B / 0.5B = 0.99 steps -> 0.5B
        { "smollm2-135m", 134_515_008, "135M" },           // named "135M": 134.515M rounds to 135M
        { "tinyllama-1.1b-chat-v1.0", 1_100_048_384, "1B" }, // named "1.1B": 2.2 steps of 0.5B -> 1B (name agrees within 10%)
        { "gpt2", 124_439_808, "124M" },                   // "gpt2" (124M in keras-hub gpt2_base_en)
        { "phi-2", 2_779_683_840, "3B" },                  // "phi-2" carries no size; 2.78B -> 3B
        { "distilbert-base-uncased", 66_985_530, "67M" },  // 66.99M -> 67M
        { "llama-2-tiny-random (GGUF)", 513_048, "513K" }, // 513.048K -> 513K
    };

    [Theory]
    [MemberData(nameof(CsvCounts))]
    public void Class_of_published_count(string model, long parameters, string expected)
    {
        Assert.Equal(expected, SizeClass.FromParameterCount(parameters).Label);
        Assert.Equal(expected + " class", SizeClass.FromParameterCount(parameters).DisplayName);
        // The count in the table is the CSV's, so the table cannot drift from the shared reference.
        Assert.Equal(parameters, PublishedCounts()[model]);
    }

    [Fact]
    public void Every_csv_row_is_in_the_table()
    {
        var table = CsvCounts.Select(row => (string)row[0]).ToHashSet();
        Assert.Equal(PublishedCounts().Keys.Order(), table.Order());
    }

    // Counts from the brief that are not in the CSV: Qwen2.5-1.5B 1,543,714,304; Llama 3 8B 8,030,261,248 and
    // Llama 3 70B 70,553,706,496 (HF Hub safetensors totals of Qwen/Qwen2.5-1.5B, meta-llama/Meta-Llama-3-8B, -70B).
    [Theory]
    [InlineData(1_543_714_304L, "1.5B", 1_500_000_000L)] // 3.087 steps of 0.5B -> 3 -> 1.5B
    [InlineData(8_030_261_248L, "8B", 8_000_000_000L)]
    [InlineData(70_553_706_496L, "70B", 70_000_000_000L)] // 0.554 < 0.6 of a step -> 70B, not 71B
    [InlineData(175_000_000_000L, "175B", 175_000_000_000L)] // GPT-3 (Brown et al. 2020)
    [InlineData(1_800_000_000_000L, "1.8T", 1_800_000_000_000L)]
    [InlineData(999L, "999", 999L)]
    [InlineData(0L, "0", 0L)]
    [InlineData(6_543_210L, "6.5M", 6_500_000L)]
    [InlineData(449_999_999L, "450M", 450_000_000L)] // just below the half-step band: plain rounding in M
    [InlineData(450_000_000L, "0.5B", 500_000_000L)] // first count of the half-step band
    [InlineData(1_799_999_999L, "1.5B", 1_500_000_000L)] // 3.5999 steps: below 0.6 -> 1.5B
    [InlineData(1_800_000_000L, "2B", 2_000_000_000L)] // exactly 0.6 of a step -> up
    public void Class_rule_examples(long parameters, string label, long nominal)
    {
        var c = SizeClass.FromParameterCount(parameters);
        Assert.Equal(label, c.Label);
        Assert.Equal(nominal, c.NominalParameters);
        Assert.Equal(parameters, c.Parameters);
    }

    [Fact]
    public void Largest_count_does_not_overflow()
    {
        // long.MaxValue = 9,223,372,036,854,775,807 = 92,233,720 steps of 0.1T + 36,854,775,807 (< 0.6 step): 9,223,372T.
        var c = SizeClass.FromParameterCount(long.MaxValue);
        Assert.Equal("9223372T", c.Label);
        Assert.Equal(9_223_372_000_000_000_000, c.NominalParameters);
    }

    [Fact]
    public void Negative_count_is_rejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => SizeClass.FromParameterCount(-1));
    }

    [Fact]
    public void Gemma_2b_name_agrees()
    {
        // 2,506,172,416 (CSV) is in the 2B class, which is what the name says, although it is 25% above 2B.
        var result = SizeClass.FromParameterCount(2_506_172_416).Compare("gemma-2b");
        Assert.NotNull(result);
        Assert.Equal(SizeAgreement.Agrees, result.Agreement);
        Assert.Equal(2_506_172_416.0 / 2_000_000_000 - 1, result.Deviation, 12);
    }

    [Fact]
    public void Gemma_7b_name_understates_by_22_percent()
    {
        // 8,537,680,896 / 7,000,000,000 = 1.21967 -> 22%; class 8B != 7B and 22% > the 10% tolerance.
        var result = SizeClass.FromParameterCount(8_537_680_896).Compare("gemma-7b");
        Assert.NotNull(result);
        Assert.Equal(SizeAgreement.NameUnderstates, result.Agreement);
        Assert.StartsWith("name understates by 22%", result.Message);
        Assert.Equal(0.21967, result.Deviation, 5);
    }

    [Fact]
    public void Gemma_2_2b_name_understates_by_31_percent()
    {
        // 2,614,341,888 / 2,000,000,000 = 1.30717 -> 31%; class 3B.
        var result = SizeClass.FromParameterCount(2_614_341_888).Compare("gemma-2-2b-it")!;
        Assert.Equal(SizeAgreement.NameUnderstates, result.Agreement);
        Assert.StartsWith("name understates by 31%", result.Message);
    }

    [Theory]
    [InlineData(1_100_048_384L, "TinyLlama-1.1B-Chat-v1.0")] // class 1B != 1.1B but 1,100,048,384/1.1e9 - 1 = 0.004% <= 10%
    [InlineData(1_235_814_400L, "Llama-3.2-1B-Instruct")]    // class 1B = tag
    [InlineData(494_032_768L, "Qwen2.5-0.5B-Instruct")]      // class 0.5B = tag
    [InlineData(134_515_008L, "SmolLM2-135M-Instruct")]      // class 135M = tag
    [InlineData(7_241_732_096L, "mistral-7b-v0.1.Q4_K_M.gguf")] // class 7B = tag
    [InlineData(6_738_415_616L, "Llama-2-7b-hf")]            // class 7B = tag
    public void Names_that_agree(long parameters, string name)
    {
        Assert.Equal(SizeAgreement.Agrees, SizeClass.FromParameterCount(parameters).Compare(name)!.Agreement);
    }

    [Fact]
    public void Name_that_overstates()
    {
        // 6,000,000,000 counted for a "7B" tag: 6/7 - 1 = -14.3% -> "name overstates by 14%".
        var result = SizeClass.FromParameterCount(6_000_000_000).Compare("7B")!;
        Assert.Equal(SizeAgreement.NameOverstates, result.Agreement);
        Assert.StartsWith("name overstates by 14%", result.Message);
    }

    [Fact]
    public void Mixtral_tag_is_experts_times_size_not_a_total()
    {
        // 8 x 7B = 56B named; 46,702,792,704 counted (CSV) = 16.6% fewer, because attention and embeddings are shared.
        var result = SizeClass.FromParameterCount(46_702_792_704).Compare("Mixtral-8x7B-Instruct-v0.1")!;
        Assert.Equal(SizeAgreement.NotComparable, result.Agreement);
        Assert.Equal(46_702_792_704.0 / 56_000_000_000 - 1, result.Deviation, 12);
        Assert.Contains("17% fewer than 8 × 7B", result.Message);
        Assert.Equal("47B class", result.Counted.DisplayName);
    }

    [Fact]
    public void Effective_size_tag_is_not_a_total()
    {
        var result = SizeClass.FromParameterCount(5_000_000_000).Compare("gemma-3n-E2B-it")!;
        Assert.Equal(SizeAgreement.NotComparable, result.Agreement);
        Assert.Contains("effective size", result.Message);
    }

    [Fact]
    public void Name_without_size_gives_no_comparison()
    {
        Assert.Null(SizeClass.FromParameterCount(2_779_683_840).Compare("phi-2"));
    }

    private static Dictionary<string, long> PublishedCounts()
    {
        var result = new Dictionary<string, long>();
        foreach (string line in File.ReadLines(TestPaths.Reference("published-parameter-counts.csv")).Skip(1))
        {
            if (string.IsNullOrWhiteSpace(line)) continue;
            string[] cells = line.Split(',');
            result[cells[0]] = long.Parse(cells[2], CultureInfo.InvariantCulture);
        }

        return result;
    }
}
