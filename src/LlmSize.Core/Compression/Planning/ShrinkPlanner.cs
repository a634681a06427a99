using System.Collections.Immutable;
using LlmSize.Core.Devices;
using LlmSize.Core.Estimation;
using LlmSize.Core.Estimation.Fit;
using LlmSize.Core.Models;
using LlmSize.Core.Models.Architectures;
using LlmSize.Core.Models.Catalog;

namespace LlmSize.Core.Compression.Planning;

/// <summary>Kinds of shrinking the planner compares.</summary>
public enum ShrinkTechnique
{
    /// <summary>A lower-precision format of the runtime's precision ladder (no training).</summary>
    Quantization,
    /// <summary>Drop a fraction of the transformer blocks (depth pruning, e.g. ShortGPT / Minitron depth); needs recovery training.</summary>
    DepthPruning,
    /// <summary>Remove a fraction of the MLP channels (width pruning, e.g. Minitron / Sheared-LLaMA); needs recovery training.</summary>
    WidthPruning,
    /// <summary>A smaller published member of the same family (typically distilled or trained on the same data).</summary>
    SmallerSibling,
}

/// <summary>One way to shrink the model, with what it costs and whether it fits.</summary>
/// <param name="Technique">Technique.</param>
/// <param name="Label">Short label ("Q4_K_M", "drop 25% of layers", "gemma-2-2b").</param>
/// <param name="Parameters">Parameters of the resulting model (exact, from the architecture).</param>
/// <param name="Format">Weight format evaluated (for pruning and siblings: the best format that fits, else the runtime's lowest).</param>
/// <param name="ContextTokens">Context length evaluated.</param>
/// <param name="DownloadBytes">Download size in bytes (weights in that format).</param>
/// <param name="MemoryBytes">Estimated memory at run time (weights, KV cache, buffers, overhead), bytes.</param>
/// <param name="Fits">Whether every fit check passes.</param>
/// <param name="Binding">Binding constraint (None when it fits with headroom).</param>
/// <param name="DecodeTokensPerSecond">Expected decode speed when it fits; null when it does not.</param>
/// <param name="Quality">Published quality cost (quantization types with a source), else null.</param>
/// <param name="QualityNote">What is known about the quality cost, in words.</param>
/// <param name="NeedsTraining">True when the option needs (re)training to be usable (pruning).</param>
public sealed record ShrinkOption(ShrinkTechnique Technique, string Label, long Parameters, WeightFormat Format, long ContextTokens, long DownloadBytes,
    long MemoryBytes, bool Fits, FitConstraint Binding, double? DecodeTokensPerSecond, QuantizationQualityEntry? Quality, string QualityNote, bool NeedsTraining)
{
    /// <summary>Transformer blocks of the evaluated model (after depth pruning, or the sibling's own); 0 when unknown.</summary>
    public int LayerCount { get; init; }

    /// <summary>Layers kept on the GPU when the option runs only as a CPU/GPU split (llama.cpp <c>-ngl</c>, from
    /// <see cref="FitVariant.GpuLayers"/>); null when the whole model runs on one device (entirely in VRAM, in unified
    /// memory or on the CPU).</summary>
    public int? GpuLayers { get; init; }

    /// <summary>True when the option fits only with some layers in system RAM (<see cref="GpuLayers"/> of
    /// <see cref="LayerCount"/> on the GPU): it runs at system-RAM speed for the rest.</summary>
    public bool IsSplit => GpuLayers is { } n && n < LayerCount;

    /// <summary>
    /// Free fraction of the memory budget the model lives in when it fits (available − required) / available: app
    /// memory on unified-memory and CPU devices, VRAM when it runs entirely on a discrete GPU, system RAM for a split
    /// (its VRAM side is filled on purpose by the choice of <c>-ngl</c>). Null when it does not fit.
    /// </summary>
    public double? HeadroomFraction { get; init; }

    /// <summary>True when it fits with less than <see cref="ShrinkPlanner.TightHeadroomFraction"/> of its memory budget
    /// left (the same rule as the tight-fit warning of <see cref="FitReport.Warnings"/>).</summary>
    public bool IsTight => HeadroomFraction is { } h && h < ShrinkPlanner.TightHeadroomFraction;

    /// <summary>The longest context at which the option's format fits the device (<c>shrink --context max</c>), up to
    /// the model's trained maximum; null when not asked for.</summary>
    public LongestContext? LongestContext { get; init; }
}

/// <summary>The ranked plan.</summary>
/// <param name="ModelName">Model name.</param>
/// <param name="Device">Device.</param>
/// <param name="Runtime">Runtime.</param>
/// <param name="Parameters">Parameters of the original model.</param>
/// <param name="Options">Options, best first (ranking rule in <see cref="ShrinkPlanner"/>).</param>
/// <param name="Notes">Caveats that apply to the whole plan.</param>
public sealed record ShrinkPlan(string ModelName, DeviceProfile Device, RuntimeProfile Runtime, long Parameters, ImmutableArray<ShrinkOption> Options,
    ImmutableArray<string> Notes);

/// <summary>
/// Ranks the ways to make a model fit a device: every format of the runtime's precision ladder, structured pruning
/// what-ifs (drop 25% / 50% of layers; remove 25% / 50% of MLP channels — parameters recounted exactly), and smaller
/// members of the same family from the catalog. Memory, fit and speed come from <see cref="FitAnalyzer"/>; quality
/// costs from <see cref="QuantizationQuality"/> where a published source gives one.
/// </summary>
/// <remarks>
/// Ranking (<see cref="FitVariant.Preference(bool, bool, bool)"/>, the rule <c>llmsize fit</c> recommends by):
/// options that fit comfortably and entirely on one device (all layers in VRAM, or in unified / system memory) first,
/// then comfortable CPU/GPU splits (llama.cpp <c>-ngl</c>; the CPU layers run at system-RAM speed), then tight fits
/// (<see cref="ShrinkOption.IsTight"/>: under <see cref="TightHeadroomFraction"/> of the budget left) whole, then
/// tight splits; within each group quantization formats from the highest precision down (no training, smallest
/// published quality loss first), then smaller siblings (largest first), then pruning (mildest first). Options that do
/// not fit follow, smallest memory first. The precision ladder starts at the
/// runtime's 16-bit rung (<see cref="RuntimeProfile.LadderStart"/>), as <see cref="FitAnalyzer.Analyze"/> does when
/// no format is asked for: formats above it (fp32, q0f32) are not listed. Pruning fractions that give the same
/// architecture (on a 2-layer model, dropping 25% and 50% both keep 1 layer) are listed once. Unstructured sparsity
/// is not an option: zeros in a dense file weigh as much as any weight (see <see cref="Pruning.MagnitudePruner"/>).
/// </remarks>
public static class ShrinkPlanner
{
    /// <summary>Pruning fractions evaluated.</summary>
    public static readonly ImmutableArray<double> PruningFractions = [0.25, 0.5];

    /// <summary>Headroom below which a fit is tight: <see cref="FitVariant.TightHeadroomFraction"/>, the threshold of the
    /// fit report's tight-fit warning.</summary>
    public const double TightHeadroomFraction = FitVariant.TightHeadroomFraction;

    /// <summary>The formats of the runtime's precision ladder that the planner lists: from
    /// <see cref="RuntimeProfile.LadderStart"/> (F16 / q0f16 / fp16) down, in the runtime's order; all formats when the
    /// runtime does not have its ladder start.</summary>
    /// <param name="runtime">The runtime.</param>
    /// <returns>The formats, highest precision first.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="runtime"/> is null.</exception>
    public static IReadOnlyList<WeightFormat> LadderFormats(RuntimeProfile runtime)
    {
        ArgumentNullException.ThrowIfNull(runtime);
        var formats = runtime.Formats.ToList();
        int start = runtime.FindFormat(runtime.LadderStart) is { } f ? formats.IndexOf(f) : 0;
        return formats.Skip(Math.Max(0, start)).ToArray();
    }

    /// <summary>Builds the plan for a model as read, with the fit pipeline's defaults (<see cref="FitPipeline.Resolve"/>:
    /// a WebLLM id picks WebLLM and its context; an adapter or undisclosed model is refused the same way).</summary>
    /// <param name="model">The model.</param>
    /// <param name="device">Device.</param>
    /// <param name="runtime">Runtime; null = the one the model's files or id name, else llama.cpp.</param>
    /// <param name="contextTokens">Context length; null = the id's or the estimator's default.</param>
    /// <param name="longestContext">Also find each option's longest context that fits (<see cref="ShrinkOption.LongestContext"/>).</param>
    /// <returns>The ranked plan.</returns>
    /// <exception cref="InputException">The model is not a whole disclosed model, or has no architecture.</exception>
    public static ShrinkPlan Plan(ModelInventory model, DeviceProfile device, RuntimeProfile? runtime = null, long? contextTokens = null,
        bool longestContext = false)
    {
        ArgumentNullException.ThrowIfNull(model);
        var architecture = FitPipeline.RequireArchitecture(model);
        var resolved = FitPipeline.Resolve(model, runtime, null, contextTokens);
        return Plan(architecture, model.ModelName ?? model.Source, device, resolved.Runtime, resolved.ContextTokens, longestContext: longestContext);
    }

    /// <summary>Builds the plan.</summary>
    /// <param name="architecture">The model.</param>
    /// <param name="modelName">Display name (also used to find its catalog entry and family).</param>
    /// <param name="device">Device.</param>
    /// <param name="runtime">Runtime.</param>
    /// <param name="contextTokens">Context length; null = the estimator's default.</param>
    /// <param name="catalog">Catalog for siblings; null = default.</param>
    /// <param name="quality">Quality table; null = embedded.</param>
    /// <param name="longestContext">Also find each option's longest context that fits (<see cref="ShrinkOption.LongestContext"/>).</param>
    /// <returns>The ranked plan.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    public static ShrinkPlan Plan(ModelArchitecture architecture, string modelName, DeviceProfile device, RuntimeProfile runtime,
        long? contextTokens = null, ModelCatalog? catalog = null, QuantizationQuality? quality = null, bool longestContext = false)
    {
        ArgumentNullException.ThrowIfNull(architecture);
        ArgumentNullException.ThrowIfNull(device);
        ArgumentNullException.ThrowIfNull(runtime);
        catalog ??= ModelCatalog.Default;
        quality ??= QuantizationQuality.Default;
        long parameters = ParameterCalculator.Count(architecture).Total;
        var options = new List<ShrinkOption>();

        var analyzer = new FitAnalyzer(architecture, modelName);
        foreach (var format in LadderFormats(runtime))
        {
            var r = analyzer.Analyze(device, runtime, format, contextTokens);
            var v = r.Requested;
            var q = quality.Find(runtime.Id, format.Name);
            string note = q is not null ? $"{q.PerplexityDelta:+0.0000;-0.0000} perplexity on {q.MeasuredOn} ({q.Source})" : "no published quality figure for this format";
            options.Add(new ShrinkOption(ShrinkTechnique.Quantization, format.Name, parameters, format, v.ContextTokens, v.Memory.Weights.TotalBytes,
                v.Memory.TotalBytes, v.Fits, v.Fits ? FitConstraint.None : v.Binding.Constraint, v.Fits ? r.Speed.DecodeTokensPerSecond : null, q, note, false)
            {
                LayerCount = architecture.LayerCount,
                GpuLayers = v.IsSplit ? v.GpuLayers : null,
                HeadroomFraction = v.Headroom,
                LongestContext = longestContext ? analyzer.LongestContext(device, runtime, v) : null,
            });
        }

        const string PruningNote = "structured pruning removes capacity; quality depends on recovery training (distillation), no published figure embedded";
        foreach (var (fraction, depth) in DistinctDepthPrunings(architecture))
        {
            options.Add(Evaluate(ShrinkTechnique.DepthPruning, $"drop {Units.Percent(fraction)} of layers ({depth.LayerCount} of {architecture.LayerCount} kept)", depth, modelName,
                device, runtime, contextTokens, PruningNote, true, longestContext));
        }

        foreach (var (fraction, width) in DistinctWidthPrunings(architecture))
        {
            options.Add(Evaluate(ShrinkTechnique.WidthPruning, $"remove {Units.Percent(fraction)} of MLP channels", width, modelName, device, runtime,
                contextTokens, PruningNote, true, longestContext));
        }

        foreach (var (entry, arch) in Siblings(architecture, modelName, catalog, parameters))
        {
            // A sibling shares the architecture (model_type) or the catalog family; it is another model, not this one shrunk.
            string kin = string.Equals(arch.Family, architecture.Family, StringComparison.OrdinalIgnoreCase)
                ? $"a smaller model with the same architecture ({arch.Family})"
                : $"a smaller model of the same family ({entry.Family})";
            options.Add(Evaluate(ShrinkTechnique.SmallerSibling, entry.Id, arch, entry.DisplayName, device, runtime, contextTokens,
                $"{kin}, trained separately ({entry.Source}); compare its published benchmarks", false, longestContext));
        }

        var ranked = options
            .OrderBy(o => FitVariant.Preference(o.Fits, o.IsTight, o.IsSplit))
            .ThenBy(o => o.Fits ? TechniqueOrder(o.Technique) : 0)
            .ThenBy(o => o.Fits ? RankWithin(o, runtime) : o.MemoryBytes)
            .ToImmutableArray();
        ImmutableArray<string> notes =
        [
            "Unstructured sparsity (zeroing the smallest weights) does not shrink a dense file or its memory: only sparse formats or kernels turn zeros into savings (llmsize prune reports what they would weigh).",
            "Quality deltas are those published for the model named; they indicate the order of magnitude, not this model's exact loss.",
            "Pruned and distilled variants are what-ifs: parameters are exact for the changed architecture, but the weights have to be produced (training not done here).",
        ];
        return new ShrinkPlan(modelName, device, runtime, parameters, ranked, notes);
    }

    /// <summary>The architecture with round(s × L) blocks removed (at least one kept); null when no block would go.</summary>
    /// <param name="a">Architecture.</param>
    /// <param name="fraction">Fraction of layers to drop, in (0, 1).</param>
    /// <returns>The pruned architecture.</returns>
    public static ModelArchitecture? DepthPruned(ModelArchitecture a, double fraction)
    {
        ArgumentNullException.ThrowIfNull(a);
        int drop = (int)Math.Round(a.LayerCount * fraction, MidpointRounding.AwayFromZero);
        int keep = Math.Max(1, a.LayerCount - drop);
        if (keep == a.LayerCount) return null;
        return a with
        {
            LayerCount = keep,
            KeyValueHeadCountPerLayer = a.KeyValueHeadCountPerLayer?.Take(keep).ToArray(),
            IntermediateSizePerLayer = a.IntermediateSizePerLayer?.Take(keep).ToArray(),
            SlidingWindowLayers = a.SlidingWindowLayers?.Take(keep).ToArray(),
            MoeLayers = a.MoeLayers?.Take(keep).ToArray(),
        };
    }

    /// <summary>
    /// The depth-pruning what-ifs of <see cref="PruningFractions"/>, one per distinct number of layers kept (on a 2-layer
    /// model 25% and 50% both keep 1). When fractions coincide, the label's fraction is the one nearest to the layers
    /// actually dropped (1 of 2 dropped → 50%).
    /// </summary>
    /// <param name="a">Architecture.</param>
    /// <returns>(nominal fraction, pruned architecture) pairs, mildest first.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="a"/> is null.</exception>
    public static IReadOnlyList<(double Fraction, ModelArchitecture Architecture)> DistinctDepthPrunings(ModelArchitecture a)
    {
        ArgumentNullException.ThrowIfNull(a);
        return PruningFractions
            .Select(s => (Fraction: s, Architecture: DepthPruned(a, s)))
            .Where(x => x.Architecture is not null)
            .GroupBy(x => x.Architecture!.LayerCount)
            .Select(g =>
            {
                double actual = (double)(a.LayerCount - g.Key) / a.LayerCount;
                var pick = g.OrderBy(x => Math.Abs(x.Fraction - actual)).First();
                return (pick.Fraction, pick.Architecture!);
            })
            .OrderBy(x => x.Fraction)
            .ToArray();
    }

    /// <summary>
    /// The width-pruning what-ifs of <see cref="PruningFractions"/>, one per distinct resulting MLP shape (inner width,
    /// per-layer widths and expert width): on an MLP 2 channels wide, removing 25% (⌊1.5⌋ = 1) and 50% (1) give the same
    /// model. The first (mildest) fraction labels it.
    /// </summary>
    /// <param name="a">Architecture.</param>
    /// <returns>(fraction, pruned architecture) pairs, mildest first; an option that changes nothing is left out.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="a"/> is null.</exception>
    public static IReadOnlyList<(double Fraction, ModelArchitecture Architecture)> DistinctWidthPrunings(ModelArchitecture a)
    {
        ArgumentNullException.ThrowIfNull(a);
        static string Shape(ModelArchitecture m) =>
            $"{m.IntermediateSize}|{(m.IntermediateSizePerLayer is { } p ? string.Join(',', p) : "-")}|{m.ExpertIntermediateSize?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "-"}";
        var seen = new HashSet<string> { Shape(a) };
        var list = new List<(double, ModelArchitecture)>();
        foreach (double s in PruningFractions.Order())
        {
            var w = WidthPruned(a, s);
            if (seen.Add(Shape(w))) list.Add((s, w));
        }

        return list;
    }

    /// <summary>The architecture with MLP inner width (and expert width) × (1 − s), floored, at least 1.</summary>
    /// <param name="a">Architecture.</param>
    /// <param name="fraction">Fraction of channels to remove, in (0, 1).</param>
    /// <returns>The pruned architecture.</returns>
    public static ModelArchitecture WidthPruned(ModelArchitecture a, double fraction)
    {
        ArgumentNullException.ThrowIfNull(a);
        long Scale(long w) => Math.Max(1, (long)Math.Floor(w * (1 - fraction)));
        return a with
        {
            IntermediateSize = Scale(a.IntermediateSize),
            IntermediateSizePerLayer = a.IntermediateSizePerLayer?.Select(w => w == 0 ? 0 : Scale(w)).ToArray(),
            ExpertIntermediateSize = a.ExpertIntermediateSize is { } e ? Scale(e) : null,
        };
    }

    /// <summary>Catalog models of the same family (HF model_type or catalog family) with fewer parameters, largest first.</summary>
    /// <param name="architecture">The model.</param>
    /// <param name="modelName">Its name (to find its catalog family).</param>
    /// <param name="catalog">Catalog.</param>
    /// <param name="parameters">Its parameter count.</param>
    /// <returns>Entries with their architectures.</returns>
    public static IReadOnlyList<(CatalogEntry Entry, ModelArchitecture Architecture)> Siblings(ModelArchitecture architecture, string modelName,
        ModelCatalog catalog, long parameters)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        string? family = catalog.TryFind(modelName, out var self) ? self.Family : null;
        var list = new List<(CatalogEntry, ModelArchitecture, long)>();
        foreach (var e in catalog.Entries)
        {
            if (e.Config is null || (self is not null && e.Id == self.Id)) continue;
            ModelArchitecture? arch;
            try
            {
                arch = ModelLoader.FromCatalog(e).Architecture;
            }
            catch (ModelFormatException)
            {
                continue;
            }

            if (arch is null) continue;
            bool same = string.Equals(arch.Family, architecture.Family, StringComparison.OrdinalIgnoreCase)
                || (family is not null && string.Equals(e.Family, family, StringComparison.OrdinalIgnoreCase));
            if (!same) continue;
            long p;
            try
            {
                p = ParameterCalculator.Count(arch).Total;
            }
            catch (Exception ex) when (ex is ArgumentException or NotSupportedException)
            {
                continue;
            }

            if (p < parameters) list.Add((e, arch, p));
        }

        return list.OrderByDescending(x => x.Item3).Select(x => (x.Item1, x.Item2)).ToArray();
    }

    private static ShrinkOption Evaluate(ShrinkTechnique technique, string label, ModelArchitecture arch, string name, DeviceProfile device,
        RuntimeProfile runtime, long? context, string qualityNote, bool needsTraining, bool longestContext)
    {
        var analyzer = new FitAnalyzer(arch, name);
        var r = analyzer.Analyze(device, runtime, null, context);
        // The best variant at the requested context when one fits; otherwise the lowest precision at that context.
        var v = r.Best is { } b && b.ContextTokens == r.Requested.ContextTokens ? b : LowestVariant(arch, name, device, runtime, context);
        bool fits = v.Fits;
        return new ShrinkOption(technique, label, ParameterCalculator.Count(arch).Total, v.Format, v.ContextTokens, v.Memory.Weights.TotalBytes,
            v.Memory.TotalBytes, fits, fits ? FitConstraint.None : v.Binding.Constraint, fits ? r.Speed.DecodeTokensPerSecond : null, null, qualityNote, needsTraining)
        {
            LayerCount = arch.LayerCount,
            GpuLayers = v.IsSplit ? v.GpuLayers : null,
            HeadroomFraction = v.Headroom,
            LongestContext = longestContext ? analyzer.LongestContext(device, runtime, v) : null,
        };
    }

    private static FitVariant LowestVariant(ModelArchitecture arch, string name, DeviceProfile device, RuntimeProfile runtime, long? context) =>
        new FitAnalyzer(arch, name).Analyze(device, runtime, runtime.Formats[^1], context).Requested;

    private static int TechniqueOrder(ShrinkTechnique t) => t switch
    {
        ShrinkTechnique.Quantization => 0,
        ShrinkTechnique.SmallerSibling => 1,
        ShrinkTechnique.WidthPruning => 2,
        _ => 3,
    };

    private static long RankWithin(ShrinkOption o, RuntimeProfile runtime) => o.Technique switch
    {
        ShrinkTechnique.Quantization => runtime.Formats.ToList().IndexOf(o.Format),
        _ => -o.Parameters,
    };
}
