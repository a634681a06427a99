using LlmSize.Core.Models;

namespace LlmSize.Core.Tests.Models;

public sealed class LlmScaleTests
{
    // Boundaries: thresholds are inclusive at their lower end (documented on LlmScale).
    [Theory]
    [InlineData(0L, LlmScaleCategory.BelowSmallLanguageModel)]
    [InlineData(66_985_530L, LlmScaleCategory.BelowSmallLanguageModel)] // DistilBERT (CSV)
    [InlineData(99_999_999L, LlmScaleCategory.BelowSmallLanguageModel)]
    [InlineData(100_000_000L, LlmScaleCategory.SmallLanguageModel)]
    [InlineData(134_515_008L, LlmScaleCategory.SmallLanguageModel)]     // SmolLM2-135M (CSV)
    [InlineData(494_032_768L, LlmScaleCategory.SmallLanguageModel)]     // Qwen2-0.5B (CSV)
    [InlineData(999_999_999L, LlmScaleCategory.SmallLanguageModel)]
    [InlineData(1_000_000_000L, LlmScaleCategory.OnDeviceLlm)]
    [InlineData(1_235_814_400L, LlmScaleCategory.OnDeviceLlm)]          // Llama 3.2 1B (CSV)
    [InlineData(8_537_680_896L, LlmScaleCategory.OnDeviceLlm)]          // Gemma 7B (CSV)
    [InlineData(9_999_999_999L, LlmScaleCategory.OnDeviceLlm)]
    [InlineData(10_000_000_000L, LlmScaleCategory.LargeLlm)]
    [InlineData(46_702_792_704L, LlmScaleCategory.LargeLlm)]            // Mixtral 8x7B (CSV)
    [InlineData(99_999_999_999L, LlmScaleCategory.LargeLlm)]
    [InlineData(100_000_000_000L, LlmScaleCategory.FrontierScale)]
    [InlineData(175_000_000_000L, LlmScaleCategory.FrontierScale)]      // GPT-3
    public void Category_by_threshold(long parameters, LlmScaleCategory expected)
    {
        var result = LlmScale.Classify(parameters);
        Assert.Equal(expected, result.Category);
        Assert.Equal(expected >= LlmScaleCategory.OnDeviceLlm, result.IsCommonlyCalledLlm);
    }

    [Fact]
    public void Output_says_the_definition_is_fluid_and_cites_sources()
    {
        string text = LlmScale.Classify(1_235_814_400).Text;
        Assert.Contains("1B class", text);
        Assert.Contains("LLM, on-device class", text);
        Assert.Contains("fluid", text);
        Assert.Contains("arXiv:2303.18223", text);
        Assert.Contains("arXiv:2409.15790", text);
        Assert.Contains("this project's convention", text);
    }

    [Fact]
    public void Thresholds_are_the_documented_ones()
    {
        Assert.Equal(100_000_000, LlmScale.SmallLanguageModelThreshold);
        Assert.Equal(1_000_000_000, LlmScale.OnDeviceLlmThreshold);
        Assert.Equal(10_000_000_000, LlmScale.LargeLlmThreshold);
        Assert.Equal(100_000_000_000, LlmScale.FrontierScaleThreshold);
    }

    [Fact]
    public void Every_category_has_a_label_and_bad_input_is_rejected()
    {
        foreach (var c in Enum.GetValues<LlmScaleCategory>()) Assert.False(string.IsNullOrEmpty(LlmScale.GetLabel(c)));
        Assert.Throws<ArgumentOutOfRangeException>(() => LlmScale.GetLabel((LlmScaleCategory)99));
        Assert.Throws<ArgumentOutOfRangeException>(() => LlmScale.Classify(-1));
    }
}
