using System.Diagnostics;
using System.Text;
using LlmSize.Core.Formats.Peft;

namespace LlmSize.Core.Tests.Formats.Peft;

/// <summary>Issue 13, class 3: pattern costs multiply (modules × patterns); each pattern compiles once and one budget
/// bounds the whole matching operation.</summary>
public sealed class PeftPatternBudgetTests
{
    private static PeftAdapterConfig Parse(string json, PeftReaderOptions? options = null) =>
        PeftAdapterConfig.Parse(Encoding.UTF8.GetBytes(json), "adapter_config.json", options);

    [Fact]
    public void Issue13_catastrophic_rank_pattern_over_300_modules_is_linear()
    {
        // (a|aa)+$ backtracks exponentially on a run of a's followed by something else.
        var config = Parse("""{"peft_type":"LORA","r":8,"rank_pattern":{"(a|aa)+$":4}}""");
        string[] modules = [.. Enumerable.Range(0, 300).Select(i => $"model.layers.{i}." + new string('a', 40) + "b")];

        var clock = Stopwatch.StartNew();
        int[] ranks = [.. modules.Select(config.GetRank)];

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(2), $"took {clock.Elapsed}");
        Assert.All(ranks, r => Assert.Equal(8, r));
        Assert.Equal(4, config.GetRank("model.layers.0.aaaa"));
    }

    [Fact]
    public void Issue13_3000_patterns_times_3000_modules_hit_the_budget_quickly()
    {
        var sb = new StringBuilder("""{"peft_type":"LORA","r":8,"rank_pattern":{""");
        for (int i = 0; i < 3000; i++) sb.Append(i == 0 ? "" : ",").Append($"\"layer_{i}_proj\":4");
        sb.Append("}}");
        var config = Parse(sb.ToString());

        var clock = Stopwatch.StartNew();
        var e = Assert.Throws<ModelFormatException>(() =>
        {
            for (int m = 0; m < 3000; m++) config.GetRank($"model.layers.{m}.mlp.down_proj");
        });

        Assert.Equal(ModelFormatError.WorkBudgetExceeded, e.Error);
        Assert.Equal("adapter_config.json", e.FilePath);
        Assert.Equal("rank_pattern", e.Field);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"took {clock.Elapsed}");
    }

    [Fact]
    public void Issue13_match_budget_is_an_option()
    {
        var config = Parse("""{"peft_type":"LORA","r":8,"target_modules":"x|y","alpha_pattern":{"q":2}}""",
            new PeftReaderOptions { MaxPatternMatches = 5 });

        for (int i = 0; i < 5; i++) config.IsTargeted("a.b");
        var e = Assert.Throws<ModelFormatException>(() => config.GetAlpha("a.q"));

        Assert.Equal(ModelFormatError.WorkBudgetExceeded, e.Error);
        Assert.Contains("MaxPatternMatches", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Target_list_matching_is_exact_or_a_dotted_tail()
    {
        var config = Parse("""{"peft_type":"LORA","r":8,"target_modules":["q_proj","attn.c_attn"]}""");

        Assert.True(config.IsTargeted("model.layers.0.self_attn.q_proj"));
        Assert.True(config.IsTargeted("q_proj"));
        Assert.True(config.IsTargeted("transformer.h.0.attn.c_attn"));
        Assert.False(config.IsTargeted("model.layers.0.self_attn.xq_proj"));
        Assert.False(config.IsTargeted("transformer.h.0.c_attn"));
    }

    [Fact]
    public void Invalid_pattern_names_the_field_and_pattern()
    {
        var e = Assert.Throws<ModelFormatException>(() => Parse("""{"peft_type":"LORA","r":8,"rank_pattern":{"(":4}}"""));

        Assert.Equal(ModelFormatError.InvalidValue, e.Error);
        Assert.Equal("rank_pattern", e.Field);
    }
}
