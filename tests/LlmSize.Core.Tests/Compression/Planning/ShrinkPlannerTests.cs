using System.Text;
using LlmSize.Core.Compression.Planning;
using LlmSize.Core.Devices;
using LlmSize.Core.Estimation.Fit;
using LlmSize.Core.Estimation;
using LlmSize.Core.Models.Architectures;
using LlmSize.Core.Models.Catalog;

namespace LlmSize.Core.Tests.Compression.Planning;

public class ShrinkPlannerTests
{
    private static ModelArchitecture Gemma2B => Catalog("gemma-2b");

    private static ModelArchitecture Catalog(string id) => ModelLoader.FromCatalog(ModelCatalog.Default.Entries.Single(e => e.Id == id)).Architecture!;

    [Fact]
    public void Gemma2B_OnAPhone_RankedWithFittingOptionsFirst()
    {
        var device = DeviceCatalog.Default.Find("galaxy-a15");
        var plan = ShrinkPlanner.Plan(Gemma2B, "gemma-2b", device, Runtimes.LlamaCpp);
        Assert.Equal(2_506_172_416, plan.Parameters); // published Gemma 2B count (catalog)
        // Every ladder format from F16 down (llama.cpp lists nothing above F16), 2 depth + 2 width pruning levels, and
        // the smaller Gemma-family models of the catalog.
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

    [Fact]
    public void SplitVariants_RankAfterEveryFullVramFit_AndAgreeWithFit()
    {
        // User report: shrink ranked F16 (14.20 GiB) #1 as "fits" on an 8 GiB RTX 4060 Laptop, while fit says "F16 fits
        // only with 17 of 32 layers on the GPU ...; use Q6_K ..., which fits entirely in VRAM".
        var mistral = Catalog("mistral-7b-v0.1");
        var device = DeviceCatalog.Default.Find("rtx-4060-laptop");
        var plan = ShrinkPlanner.Plan(mistral, "mistral-7b-v0.1", device, Runtimes.LlamaCpp);

        var f16 = plan.Options.Single(o => o.Label == "F16");
        var q8 = plan.Options.Single(o => o.Label == "Q8_0");
        Assert.True(f16.Fits);
        Assert.True(f16.IsSplit);
        // -ngl arithmetic (FitAnalyzer partial offload): usable VRAM 8 GiB × 0.95 = 8,160,437,862 B; fixed on the GPU =
        // compute buffers 512 × (3 × 14336 + 4 × 4096) × 4 B + 32000 × 4 B = 121,762,816 B + overhead 100 MiB = 226,620,416 B.
        // F16 layer: 218,103,808 matrix weights × 2 B + 2 norms × 4096 × 4 B = 436,240,384 B, + KV 2 × 4096 × 8 × 128 × 2 B
        // = 16,777,216 B → 453,017,600 B; (8,160,437,862 − 226,620,416) / 453,017,600 = 17.5 → 17 layers (fit: "17 of 32").
        Assert.Equal(17, f16.GpuLayers);
        Assert.Equal(32, f16.LayerCount);
        // Q8_0 layer: 218,103,808 × 8.5 / 8 = 231,735,296 B + 32,768 B norms + 16,777,216 B KV = 248,545,280 B;
        // 7,933,817,446 / 248,545,280 = 31.9 → 31 of 32 layers.
        Assert.True(q8.IsSplit);
        Assert.Equal(31, q8.GpuLayers);

        // The same numbers as fit's own report.
        var analyzer = new FitAnalyzer(mistral, "mistral-7b-v0.1");
        Assert.Equal(analyzer.Analyze(device, Runtimes.LlamaCpp, Runtimes.LlamaCpp.FindFormat("F16")).Requested.GpuLayers, f16.GpuLayers);
        var fit = analyzer.Analyze(device, Runtimes.LlamaCpp);
        Assert.Equal("Q6_K", fit.Best!.Format.Name);                    // fit: "use Q6_K at 4096 tokens, which fits entirely in VRAM"
        Assert.Equal(fit.Best.Format.Name, plan.Options[0].Label);       // shrink's #1 is fit's recommendation
        Assert.False(plan.Options[0].IsSplit);
        Assert.Null(plan.Options[0].GpuLayers);

        // Every option that fits entirely in VRAM comes before every split; splits before options that do not fit.
        var order = plan.Options.Select(o => !o.Fits ? 2 : o.IsSplit ? 1 : 0).ToList();
        Assert.Equal(order.Order().ToList(), order);
        Assert.True(plan.Options.ToList().IndexOf(f16) < plan.Options.ToList().IndexOf(q8)); // splits keep precision order
    }

    [Fact]
    public void UnifiedMemoryDevice_HasNoSplits()
    {
        // A phone runs llama.cpp in app memory: no layer split (-ngl) is ever reported there.
        var plan = ShrinkPlanner.Plan(Gemma2B, "gemma-2b", DeviceCatalog.Default.Find("galaxy-a15"), Runtimes.LlamaCpp);
        Assert.All(plan.Options, o => Assert.Null(o.GpuLayers));
        Assert.All(plan.Options, o => Assert.False(o.IsSplit));
    }

    public static TheoryData<string, string> LadderStarts => new()
    {
        // (runtime id, expected first quantization row) = RuntimeProfile.LadderStart of each runtime.
        { "llama.cpp", "F16" },
        { "webllm", "q0f16" },
        { "transformers.js", "fp16" },
        { "onnxruntime", "fp16" },
        { "mediapipe", "fp16" },
    };

    [Theory]
    [MemberData(nameof(LadderStarts))]
    public void PrecisionLadder_StartsAtTheRuntimesLadderStart(string runtimeId, string expectedFirst)
    {
        Assert.True(Runtimes.TryFind(runtimeId, out var runtime));
        var plan = ShrinkPlanner.Plan(Catalog("qwen2.5-0.5b"), "qwen2.5-0.5b", DeviceCatalog.Default.Find("pixel-8"), runtime);
        var listed = plan.Options.Where(o => o.Technique == ShrinkTechnique.Quantization).Select(o => o.Label).ToList();
        var formats = runtime.Formats.Select(f => f.Name).ToList();
        int start = formats.IndexOf(expectedFirst);
        // Exactly the runtime's formats from its ladder start down, none above it (fp32 / q0f32 are never listed).
        Assert.Equal(formats.Skip(start).Order(StringComparer.Ordinal), listed.Order(StringComparer.Ordinal));
        Assert.Equal(formats.Skip(start), ShrinkPlanner.LadderFormats(runtime).Select(f => f.Name));
        Assert.DoesNotContain(listed, l => formats.IndexOf(l) < start);
    }

    [Fact]
    public void TransformersJs_OnPixel8_RanksFp16First_AsFitDoes()
    {
        // User report: fp32 ranked #1 above fp16 while fit starts at fp16 (RuntimeProfile.LadderStart).
        var qwen = Catalog("qwen2.5-0.5b");
        var device = DeviceCatalog.Default.Find("pixel-8");
        var plan = ShrinkPlanner.Plan(qwen, "qwen2.5-0.5b", device, Runtimes.TransformersJs);
        Assert.DoesNotContain(plan.Options, o => o.Label == "fp32");
        Assert.Equal("fp16", plan.Options[0].Label);
        var fit = new FitAnalyzer(qwen, "qwen2.5-0.5b").Analyze(device, Runtimes.TransformersJs);
        Assert.Equal(fit.Best!.Format.Name, plan.Options[0].Label); // fit: "fp16 at 4096 tokens fits"
    }

    [Fact]
    public void TightFit_IsMarked_AndRanksAfterEveryComfortableFit()
    {
        // User report: fit warned that its pick leaves only 14.36 MiB (1%) for gemma-2b on a Galaxy A15; shrink said
        // plain "fits". With llama.cpp's compute buffer for 512 rows of Gemma's 256,000-token logits
        // (512 × (256,000 + 2,048) × 4 B = 504 MiB) the pick is Q3_K_M, still tight.
        // The tight Q3_K_M now ranks after every comfortable fit (FitVariant.Preference), in shrink and fit alike.
        var device = DeviceCatalog.Default.Find("galaxy-a15");
        var plan = ShrinkPlanner.Plan(Gemma2B, "gemma-2b", device, Runtimes.LlamaCpp);
        var analyzer = new FitAnalyzer(Gemma2B, "gemma-2b");
        var tight = analyzer.Analyze(device, Runtimes.LlamaCpp, Runtimes.LlamaCpp.FindFormat("Q3_K_M"));
        Assert.Equal(512L * (256000 + 2048) * 4, tight.Requested.Memory.ComputeBufferBytes);
        double headroomMiB = (device.AppMemoryLimitBytes - tight.Requested.Memory.TotalBytes) / 1048576.0;
        Assert.Contains(tight.Warnings, w => w.StartsWith($"Q3_K_M leaves only {headroomMiB.ToString("0.00", System.Globalization.CultureInfo.InvariantCulture)} MiB", StringComparison.Ordinal));
        var fit = analyzer.Analyze(device, Runtimes.LlamaCpp);
        Assert.Equal("Q2_K", fit.Best!.Format.Name);           // the first comfortable rung
        Assert.Contains(fit.Warnings, w => w.StartsWith("Q3_K_M also fits", StringComparison.Ordinal));

        Assert.Equal("Q2_K", plan.Options[0].Label);
        int lastComfortable = plan.Options.ToList().FindLastIndex(o => o.Fits && !o.IsTight);
        int firstTight = plan.Options.ToList().FindIndex(o => o.IsTight);
        Assert.True(lastComfortable < firstTight, "every comfortable fit ranks before every tight one");
        var q3 = plan.Options.Single(o => o.Label == "Q3_K_M");
        Assert.Equal(plan.Options[firstTight], q3);             // the highest-precision tight fit leads the tight ones
        Assert.True(q3.IsTight);
        // Headroom = (app memory limit − memory) / limit, the same bytes as fit's warning.
        Assert.Equal((double)(device.AppMemoryLimitBytes - q3.MemoryBytes) / device.AppMemoryLimitBytes, q3.HeadroomFraction!.Value, 12);
        Assert.Equal(headroomMiB, (device.AppMemoryLimitBytes - q3.MemoryBytes) / 1048576.0, 6);
        Assert.True(q3.HeadroomFraction < ShrinkPlanner.TightHeadroomFraction);

        // Q2_K (1.73 GiB of 2.00 GiB, ~13% left) is not tight, and what does not fit has no headroom.
        var q2 = plan.Options.Single(o => o.Label == "Q2_K");
        Assert.False(q2.IsTight);
        Assert.True(q2.HeadroomFraction >= ShrinkPlanner.TightHeadroomFraction);
        Assert.All(plan.Options.Where(o => !o.Fits), o => Assert.Null(o.HeadroomFraction));
        Assert.All(plan.Options.Where(o => !o.Fits), o => Assert.False(o.IsTight));
    }

    [Fact]
    public void DepthPruning_FractionsKeepingTheSameLayers_AreListedOnce()
    {
        // 2 layers: 25% → round(0.5) = 1 dropped, 1 kept; 50% → 1 dropped, 1 kept: one what-if, labelled by the 50% it is.
        var twoLayers = Gemma2B with { LayerCount = 2 };
        var depth = ShrinkPlanner.DistinctDepthPrunings(twoLayers);
        Assert.Single(depth);
        Assert.Equal(0.5, depth[0].Fraction);
        Assert.Equal(1, depth[0].Architecture.LayerCount);
        var plan = ShrinkPlanner.Plan(twoLayers, "two-layer", DeviceCatalog.Default.Find("pixel-8"), Runtimes.LlamaCpp);
        var rows = plan.Options.Where(o => o.Technique == ShrinkTechnique.DepthPruning).ToList();
        Assert.Single(rows);
        Assert.EndsWith("(1 of 2 kept)", rows[0].Label, StringComparison.Ordinal);

        // 18 layers: 25% → 5 dropped (13 kept), 50% → 9 dropped (9 kept): both stay.
        Assert.Equal([13, 9], ShrinkPlanner.DistinctDepthPrunings(Gemma2B).Select(x => x.Architecture.LayerCount));
    }

    [Fact]
    public void WidthPruning_FractionsGivingTheSameShape_AreListedOnce()
    {
        // MLP 2 wide: ⌊2 × 0.75⌋ = 1 and ⌊2 × 0.5⌋ = 1: the same model, listed once (as the milder 25%).
        var narrow = Gemma2B with { IntermediateSize = 2 };
        var width = ShrinkPlanner.DistinctWidthPrunings(narrow);
        Assert.Single(width);
        Assert.Equal(0.25, width[0].Fraction);
        Assert.Equal(1, width[0].Architecture.IntermediateSize);
        var plan = ShrinkPlanner.Plan(narrow, "narrow", DeviceCatalog.Default.Find("pixel-8"), Runtimes.LlamaCpp);
        Assert.Single(plan.Options, o => o.Technique == ShrinkTechnique.WidthPruning);

        // MLP 1 wide: ⌊0.75⌋ and ⌊0.5⌋ clamp to 1, the width it has: no what-if at all.
        Assert.Empty(ShrinkPlanner.DistinctWidthPrunings(Gemma2B with { IntermediateSize = 1 }));
        // Gemma 2B: 16384 → 12288 and 8192, both listed.
        Assert.Equal([12288L, 8192L], ShrinkPlanner.DistinctWidthPrunings(Gemma2B).Select(x => x.Architecture.IntermediateSize));
    }
}
