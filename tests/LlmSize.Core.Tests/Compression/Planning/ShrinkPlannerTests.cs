using System.Text;
using LlmSize.Core.Compression.Planning;
using LlmSize.Core.Devices;
using LlmSize.Core.Estimation;
using LlmSize.Core.Models.Architectures;
using LlmSize.Core.Models.Catalog;

namespace LlmSize.Core.Tests.Compression.Planning;

public class ShrinkPlannerTests
{
    private static ModelArchitecture Gemma2B => ModelLoader.FromCatalog(ModelCatalog.Default.Entries.Single(e => e.Id == "gemma-2b")).Architecture!;

    [Fact]
    public void Gemma2B_OnAPhone_RankedWithFittingOptionsFirst()
    {
        var device = DeviceCatalog.Default.Find("galaxy-a15");
        var plan = ShrinkPlanner.Plan(Gemma2B, "gemma-2b", device, Runtimes.LlamaCpp);
        Assert.Equal(2_506_172_416, plan.Parameters); // published Gemma 2B count (catalog)
        // Every ladder format, 2 depth + 2 width pruning levels, and the smaller Gemma-family models of the catalog.
        int siblings = ShrinkPlanner.Siblings(Gemma2B, "gemma-2b", ModelCatalog.Default, 2_506_172_416).Count;
        Assert.Equal(Runtimes.LlamaCpp.Formats.Count + 4 + siblings, plan.Options.Length);
        int firstMiss = plan.Options.ToList().FindIndex(o => !o.Fits);
        Assert.True(firstMiss > 0);
        Assert.All(plan.Options.Skip(firstMiss), o => Assert.False(o.Fits));
        Assert.Equal(ShrinkTechnique.Quantization, plan.Options[0].Technique);
        Assert.All(plan.Options.Where(o => o.Fits), o => Assert.NotNull(o.DecodeTokensPerSecond));
        var q4 = plan.Options.Single(o => o.Label == "Q4_K_M");
        Assert.Equal(0.1754, q4.Quality!.PerplexityDelta);   // llama.cpp quantize.cpp: "4.58G, +0.1754 ppl @ Llama-3-8B"
        Assert.Equal("Llama-3-8B", q4.Quality.MeasuredOn);
    }

    [Fact]
    public void WidthPruning_Gemma2B_25Percent_IsCountedExactly()
    {
        // Gemma 2B: 18 layers, hidden 2048, FFN 16384 → 12288; gate/up/down lose 3 × 2048 × 4096 per layer:
        // 2,506,172,416 − 18 × 25,165,824 = 2,053,187,584.
        var pruned = ShrinkPlanner.WidthPruned(Gemma2B, 0.25);
        Assert.Equal(12288, pruned.IntermediateSize);
        Assert.Equal(2_053_187_584, ParameterCalculator.Count(pruned).Total);
    }

    [Fact]
    public void DepthPruning_RoundsTheDroppedLayers()
    {
        Assert.Equal(13, ShrinkPlanner.DepthPruned(Gemma2B, 0.25)!.LayerCount); // round(4.5) = 5 dropped of 18
        Assert.Equal(9, ShrinkPlanner.DepthPruned(Gemma2B, 0.5)!.LayerCount);
        Assert.Null(ShrinkPlanner.DepthPruned(Gemma2B, 0.01));                  // nothing to drop
    }

    [Fact]
    public void SmallerSiblings_ComeFromTheCatalog()
    {
        var llama8 = ModelLoader.FromCatalog(ModelCatalog.Default.Entries.Single(e => e.Id == "llama-3-8b")).Architecture!;
        var siblings = ShrinkPlanner.Siblings(llama8, "llama-3-8b", ModelCatalog.Default, ParameterCalculator.Count(llama8).Total);
        Assert.Contains(siblings, s => s.Entry.Id == "llama-3.2-1b");
        Assert.DoesNotContain(siblings, s => s.Entry.Id == "llama-3.1-8b"); // same size, not smaller
    }

    [Fact]
    public void QualityTable_EveryEntryHasASource()
    {
        var table = QuantizationQuality.Default;
        Assert.NotEmpty(table.Entries);
        Assert.All(table.Entries, e => Assert.Contains("quantize.cpp", e.Source));
        Assert.All(table.Entries, e => Assert.Contains(e.MeasuredOn, e.Quoted));
        Assert.Equal(0.0026, table.Find("llama.cpp", "q8_0")!.PerplexityDelta); // "7.96G, +0.0026 ppl @ Llama-3-8B"
        Assert.Null(table.Find("webllm", "q4f16_1"));
    }

    [Fact]
    public void QualityTable_BadJson_AndMissingSource_AreFormatErrors()
    {
        var e1 = Assert.Throws<ModelFormatException>(() => QuantizationQuality.Load("{"u8.ToArray()));
        Assert.Equal(ModelFormatError.InvalidJson, e1.Error);
        byte[] noSource = Encoding.UTF8.GetBytes("""{"entries":[{"type":"Q4_0","runtime":"llama.cpp","perplexityDelta":0.4,"measuredOn":"x","fileSize":"1G","quoted":"q"}]}""");
        var e2 = Assert.Throws<ModelFormatException>(() => QuantizationQuality.Load(noSource));
        Assert.Equal(ModelFormatError.MissingField, e2.Error);
    }
}
