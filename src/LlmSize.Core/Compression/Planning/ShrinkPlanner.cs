using System.Collections.Immutable;
using LlmSize.Core.Devices;
using LlmSize.Core.Estimation;
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
    long MemoryBytes, bool Fits, FitConstraint Binding, double? DecodeTokensPerSecond, QuantizationQualityEntry? Quality, string QualityNote, bool NeedsTraining);

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
/// Ranking: options that fit first; among them quantization formats from the highest precision down (no training,
/// smallest published quality loss first), then smaller siblings (largest first), then pruning (mildest first). Options
/// that do not fit follow, smallest memory first. Unstructured sparsity is not an option: zeros in a dense file
/// weigh as much as any weight (see <see cref="Pruning.MagnitudePruner"/>).
/// </remarks>
public static class ShrinkPlanner
{
    /// <summary>Pruning fractions evaluated.</summary>
    public static readonly ImmutableArray<double> PruningFractions = [0.25, 0.5];

    /// <summary>Builds the plan.</summary>
    /// <param name="architecture">The model.</param>
    /// <param name="modelName">Display name (also used to find its catalog entry and family).</param>
    /// <param name="device">Device.</param>
    /// <param name="runtime">Runtime.</param>
    /// <param name="contextTokens">Context length; null = the estimator's default.</param>
    /// <param name="catalog">Catalog for siblings; null = default.</param>
    /// <param name="quality">Quality table; null = embedded.</param>
    /// <returns>The ranked plan.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    public static ShrinkPlan Plan(ModelArchitecture architecture, string modelName, DeviceProfile device, RuntimeProfile runtime,
        long? contextTokens = null, ModelCatalog? catalog = null, QuantizationQuality? quality = null)
    {
        ArgumentNullException.ThrowIfNull(architecture);
        ArgumentNullException.ThrowIfNull(device);
        ArgumentNullException.ThrowIfNull(runtime);
        catalog ??= ModelCatalog.Default;
        quality ??= QuantizationQuality.Default;
        long parameters = ParameterCalculator.Count(architecture).Total;
        var options = new List<ShrinkOption>();

        var analyzer = new FitAnalyzer(architecture, modelName);
        foreach (var format in runtime.Formats)
        {
            var r = analyzer.Analyze(device, runtime, format, contextTokens);
            var v = r.Requested;
            var q = quality.Find(runtime.Id, format.Name);
            string note = q is not null ? $"{q.PerplexityDelta:+0.0000;-0.0000} perplexity on {q.MeasuredOn} ({q.Source})" : "no published quality figure for this format";
            options.Add(new ShrinkOption(ShrinkTechnique.Quantization, format.Name, parameters, format, v.ContextTokens, v.Memory.Weights.TotalBytes,
                v.Memory.TotalBytes, v.Fits, v.Fits ? FitConstraint.None : v.Binding.Constraint, v.Fits ? r.Speed.DecodeTokensPerSecond : null, q, note, false));
        }

        foreach (double s in PruningFractions)
        {
            if (DepthPruned(architecture, s) is { } depth)
            {
                options.Add(Evaluate(ShrinkTechnique.DepthPruning, $"drop {s:P0} of layers ({depth.LayerCount} of {architecture.LayerCount} kept)", depth, modelName,
                    device, runtime, contextTokens, "structured pruning removes capacity; quality depends on recovery training (distillation), no published figure embedded", true));
            }

            options.Add(Evaluate(ShrinkTechnique.WidthPruning, $"remove {s:P0} of MLP channels", WidthPruned(architecture, s), modelName, device, runtime,
                contextTokens, "structured pruning removes capacity; quality depends on recovery training (distillation), no published figure embedded", true));
        }

        foreach (var (entry, arch) in Siblings(architecture, modelName, catalog, parameters))
        {
            // A sibling shares the architecture (model_type) or the catalog family; it is another model, not this one shrunk.
            string kin = string.Equals(arch.Family, architecture.Family, StringComparison.OrdinalIgnoreCase)
                ? $"a smaller model with the same architecture ({arch.Family})"
                : $"a smaller model of the same family ({entry.Family})";
            options.Add(Evaluate(ShrinkTechnique.SmallerSibling, entry.Id, arch, entry.DisplayName, device, runtime, contextTokens,
                $"{kin}, trained separately ({entry.Source}); compare its published benchmarks", false));
        }

        var ranked = options
            .OrderByDescending(o => o.Fits)
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
        };
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
        RuntimeProfile runtime, long? context, string qualityNote, bool needsTraining)
    {
        var r = new FitAnalyzer(arch, name).Analyze(device, runtime, null, context);
        // The best variant at the requested context when one fits; otherwise the lowest precision at that context.
        var v = r.Best is { } b && b.ContextTokens == r.Requested.ContextTokens ? b : LowestVariant(arch, name, device, runtime, context);
        bool fits = v.Fits;
        return new ShrinkOption(technique, label, ParameterCalculator.Count(arch).Total, v.Format, v.ContextTokens, v.Memory.Weights.TotalBytes,
            v.Memory.TotalBytes, fits, fits ? FitConstraint.None : v.Binding.Constraint, fits ? r.Speed.DecodeTokensPerSecond : null, null, qualityNote, needsTraining);
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
