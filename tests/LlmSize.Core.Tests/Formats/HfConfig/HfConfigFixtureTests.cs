using LlmSize.Core.Formats.HfConfig;
using LlmSize.Core.Models.Architectures;
using LlmSize.Core.Tests.Infrastructure;

namespace LlmSize.Core.Tests.Formats.HfConfig;

/// <summary>
/// Every real <c>config.json</c> under <c>../shared/fixtures/configs/</c> must count, to the unit, the <c>parameters</c>
/// column of <c>../shared/reference/published-parameter-counts.csv</c> (its <c>source</c> column cites keras-hub presets,
/// <c>model.num_parameters()</c> and the Hugging Face Hub safetensors totals).
/// </summary>
public sealed class HfConfigFixtureTests
{
    /// <summary>The CSV rows whose <c>config</c> column is a config.json fixture.</summary>
    public static TheoryData<PublishedCount> ConfigRows()
    {
        var data = new TheoryData<PublishedCount>();
        foreach (PublishedCount row in PublishedCountsCsv.Rows.Where(r => r.Config.StartsWith("fixtures/configs/", StringComparison.Ordinal)))
        {
            data.Add(row);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(ConfigRows))]
    public void Count_EqualsPublishedCount(PublishedCount row)
    {
        ModelArchitecture a = HfConfigReader.Read(Path.Combine(TestPaths.Shared, row.Config));

        ParameterBreakdown count = ParameterCalculator.Count(a);

        Assert.Equal(row.Parameters, count.Total);
    }

    [Theory]
    [MemberData(nameof(ConfigRows))]
    public async Task ReadAsync_MatchesRead(PublishedCount row)
    {
        string path = Path.Combine(TestPaths.Shared, row.Config);

        ModelArchitecture sync = HfConfigReader.Read(path);
        ModelArchitecture async = await HfConfigReader.ReadAsync(path);

        Assert.Equal(ParameterCalculator.Count(sync), ParameterCalculator.Count(async));
    }

    [Fact]
    public void EveryFixtureConfig_HasACsvRow()
    {
        string[] folders = [.. Directory.GetDirectories(TestPaths.Fixture("configs")).Select(d => Path.GetFileName(d))];
        string[] rows = [.. PublishedCountsCsv.Rows.Select(r => r.Config)];

        Assert.All(folders, f => Assert.Contains($"fixtures/configs/{f}/config.json", rows));
    }

    [Fact]
    public void Mixtral_ActivePerToken_IsTop2Of8()
    {
        // CSV notes for mixtral-8x7b-v0.1: "active parameters per token 12879925248 (computed from config)".
        // Re-derived: each expert = 3 x 4096 x 14336 = 176,160,768; 32 layers x 6 idle experts = 33,822,867,456;
        // 46,702,792,704 - 33,822,867,456 = 12,879,925,248.
        ModelArchitecture a = HfConfigReader.Read(TestPaths.Fixture("configs", "mixtral-8x7b-v0.1", "config.json"));

        ParameterBreakdown count = ParameterCalculator.Count(a);

        Assert.Equal(46_702_792_704, count.Total);
        Assert.Equal(12_879_925_248, count.ActivePerToken);
        Assert.Equal(0, count.Mlp);
        // Experts: 32 layers x (8 x 176,160,768 + router 8 x 4096) = 45,097,156,608 + 1,048,576.
        Assert.Equal(45_097_156_608 + 1_048_576, count.Experts);
    }

    [Fact]
    public void Gemma2b_AbsentTieWordEmbeddings_MeansTied()
    {
        // CSV: gemma-2b 2,506,172,416 (keras-hub gemma_2b_en); tie_word_embeddings absent -> GemmaConfig default true.
        ModelArchitecture a = HfConfigReader.Read(TestPaths.Fixture("configs", "gemma-2b", "config.json"));

        ParameterBreakdown count = ParameterCalculator.Count(a);

        Assert.True(a.TieWordEmbeddings);
        Assert.Equal(256, a.HeadDim); // head_dim x heads = 2048 = hidden here; gemma-7b: 256 x 16 = 4096 != 3072
        Assert.Equal(2_506_172_416, count.Total);
        Assert.Equal(0, count.OutputHead);
        Assert.Equal(count.Total, count.ActivePerToken);
    }

    [Fact]
    public void Gpt2_Components()
    {
        // GPT-2 small (CSV 124,439,808): wte 50257 x 768 = 38,597,376 + wpe 1024 x 768 = 786,432;
        // per layer attention c_attn 768 x 2304 + 2304 and c_proj 768 x 768 + 768 = 2,362,368; x 12 = 28,348,416;
        // norms (12 x 2 + 1) x 2 x 768 = 38,400; lm_head tied.
        ModelArchitecture a = HfConfigReader.Read(TestPaths.Fixture("configs", "gpt2", "config.json"));

        ParameterBreakdown count = ParameterCalculator.Count(a);

        Assert.Equal(38_597_376 + 786_432, count.Embedding);
        Assert.Equal(28_348_416, count.Attention);
        Assert.Equal(38_400, count.Norms);
        Assert.Equal(0, count.OutputHead);
    }

    [Fact]
    public void DistilBert_MaskedLmHead_IsCountedAsArchitecturesNames()
    {
        // CSV notes: backbone 66,362,880 plus vocab_transform 768 x 768 + 768, vocab_layer_norm 2 x 768 and
        // vocab_projector bias 30522 = 66,985,530.
        ModelArchitecture a = HfConfigReader.Read(TestPaths.Fixture("configs", "distilbert-base-uncased", "config.json"));

        ParameterBreakdown count = ParameterCalculator.Count(a);

        Assert.Equal("DistilBertForMaskedLM", a.ArchitectureName);
        Assert.Equal(590_592 + 1_536 + 30_522, count.OutputHead);
        Assert.Equal(66_362_880, count.Total - count.OutputHead);
    }
}
