using System.Collections.Immutable;
using LlmSize.Core.Devices;
using LlmSize.Core.Estimation;
using LlmSize.Core.Estimation.Fit;
using LlmSize.Core.Models.Architectures;
using LlmSize.Core.Models.Catalog;

namespace LlmSize.Core.Compression.Distillation;

/// <summary>A published family member used as a scaling reference.</summary>
/// <param name="Name">Model name.</param>
/// <param name="Architecture">Its configuration.</param>
/// <param name="Parameters">Exact parameter count (<see cref="ParameterCalculator"/>).</param>
/// <param name="Source">Where the configuration comes from.</param>
public sealed record DistillationReference(string Name, ModelArchitecture Architecture, long Parameters, string Source);

/// <summary>One proposed student.</summary>
/// <param name="Strategy">"family ratios", "keep width, fewer layers" or "keep depth, narrower".</param>
/// <param name="Architecture">The student's configuration (teacher's vocabulary, head_dim and family kept).</param>
/// <param name="Parameters">Exact parameters.</param>
/// <param name="Rationale">How it was derived.</param>
public sealed record DistillationProposal(string Strategy, ModelArchitecture Architecture, long Parameters, string Rationale)
{
    /// <summary>Student layers.</summary>
    public int Layers => Architecture.LayerCount;

    /// <summary>Student width.</summary>
    public long Hidden => Architecture.HiddenSize;
}

/// <summary>The plan: proposals at a parameter budget.</summary>
/// <param name="TeacherName">Teacher.</param>
/// <param name="TeacherParameters">Teacher parameters.</param>
/// <param name="TargetParameters">Budget.</param>
/// <param name="Proposals">Students, in strategy order.</param>
/// <param name="References">The family members whose shapes guided the scaling.</param>
/// <param name="BudgetReason">How the budget was chosen (given, or the largest that fits a device).</param>
public sealed record DistillationPlan(string TeacherName, long TeacherParameters, long TargetParameters, ImmutableArray<DistillationProposal> Proposals,
    ImmutableArray<DistillationReference> References, string BudgetReason)
{
    /// <summary>Always said: this is a plan of shapes; no training is done.</summary>
    public const string Disclaimer = "Planning only: no training or distillation is done. Each student is an untrained configuration; its quality depends on the distillation run (data, tokens, teacher logits).";
}

/// <summary>
/// Proposes student configurations for knowledge distillation (Hinton et al. 2015) from a teacher: keeps the
/// tokenizer (vocabulary, needed to match teacher logits), head_dim, attention/MLP kind and the GQA ratio, and scales
/// depth and width the way published families do. The family's members (catalog entries of the same model_type, each
/// config verified against its published parameter count) give the slopes of log(layers) and log(hidden) against
/// log(parameters); the FFN/hidden ratio is the teacher's. Every proposal is counted exactly.
/// </summary>
public static class DistillationPlanner
{

    /// <summary>Plans students at a parameter budget.</summary>
    /// <param name="teacher">Teacher architecture.</param>
    /// <param name="teacherName">Teacher name.</param>
    /// <param name="targetParameters">Budget in parameters (&gt; 0, below the teacher's).</param>
    /// <param name="catalog">Catalog; null = default.</param>
    /// <returns>The plan.</returns>
    /// <exception cref="ArgumentOutOfRangeException">Budget ≤ 0 or not below the teacher's size.</exception>
    public static DistillationPlan Plan(ModelArchitecture teacher, string teacherName, long targetParameters, ModelCatalog? catalog = null) =>
        PlanCore(teacher, teacherName, targetParameters, catalog ?? ModelCatalog.Default, $"target of {Units.FormatParameters(targetParameters)} parameters given");

    /// <summary>Plans students for a device: the budget is the largest family-ratio student whose runtime's default format fits the device.</summary>
    /// <param name="teacher">Teacher.</param>
    /// <param name="teacherName">Teacher name.</param>
    /// <param name="device">Device.</param>
    /// <param name="runtime">Runtime (its default format is assumed, or its f32-activation sibling on a browser without shader-f16:
    /// <see cref="FitAnalyzer.DefaultFormatFor"/>).</param>
    /// <param name="contextTokens">Context; null = default.</param>
    /// <param name="catalog">Catalog; null = default.</param>
    /// <returns>The plan.</returns>
    /// <exception cref="ArgumentException">Even a one-layer student does not fit.</exception>
    public static DistillationPlan PlanForDevice(ModelArchitecture teacher, string teacherName, DeviceProfile device, RuntimeProfile runtime,
        long? contextTokens = null, ModelCatalog? catalog = null)
    {
        ArgumentNullException.ThrowIfNull(teacher);
        ArgumentNullException.ThrowIfNull(device);
        ArgumentNullException.ThrowIfNull(runtime);
        catalog ??= ModelCatalog.Default;
        var format = FitAnalyzer.DefaultFormatFor(device, runtime);
        long teacherParams = ParameterCalculator.Count(teacher).Total;
        var references = References(teacher, catalog);
        // Walk budgets down by 10% until the family-ratio student fits.
        for (double p = teacherParams * 0.9; p > 1e6; p *= 0.9)
        {
            var student = FamilyRatio(teacher, (long)p, references);
            if (student is null) continue;
            var fit = new FitAnalyzer(student.Architecture, "student").Analyze(device, runtime, format, contextTokens);
            if (fit.Requested.Fits)
            {
                return PlanCore(teacher, teacherName, student.Parameters, catalog,
                    $"largest family-ratio student whose {format.Name} weights, KV cache and buffers ({Units.FormatBinary(fit.Requested.Memory.TotalBytes)} in all) fit {device.DisplayName} with {runtime.DisplayName}");
            }
        }

        throw new ArgumentException($"No student of {teacherName} at any budget fits {device.DisplayName} with {runtime.DisplayName} {format.Name}.", nameof(device));
    }

    private static DistillationPlan PlanCore(ModelArchitecture teacher, string teacherName, long target, ModelCatalog catalog, string reason)
    {
        ArgumentNullException.ThrowIfNull(teacher);
        long teacherParams = ParameterCalculator.Count(teacher).Total;
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(target);
        if (target >= teacherParams)
            throw new ArgumentOutOfRangeException(nameof(target), target, $"The target must be below the teacher's {teacherParams.ToString("N0", System.Globalization.CultureInfo.InvariantCulture)} parameters.");
        var references = References(teacher, catalog);
        var proposals = new List<DistillationProposal>();
        if (FamilyRatio(teacher, target, references) is { } f) proposals.Add(f);
        if (KeepWidth(teacher, target) is { } d) proposals.Add(d);
        if (KeepDepth(teacher, target) is { } w) proposals.Add(w);
        return new DistillationPlan(teacherName, teacherParams, target, [.. proposals], [.. references], reason);
    }

    /// <summary>Family members of the teacher's model_type from the built-in catalog (each config verified against its published count), smallest first.</summary>
    /// <param name="teacher">Teacher.</param>
    /// <param name="catalog">Catalog.</param>
    /// <returns>References.</returns>
    public static IReadOnlyList<DistillationReference> References(ModelArchitecture teacher, ModelCatalog catalog)
    {
        ArgumentNullException.ThrowIfNull(teacher);
        ArgumentNullException.ThrowIfNull(catalog);
        var list = new List<DistillationReference>();
        foreach (var e in catalog.Entries.Where(e => e.Config is not null))
        {
            ModelArchitecture? a;
            try
            {
                a = ModelLoader.FromCatalog(e).Architecture;
            }
            catch (ModelFormatException)
            {
                continue;
            }

            if (a is null || !string.Equals(a.Family, teacher.Family, StringComparison.OrdinalIgnoreCase) || a.IsMixtureOfExperts) continue;
            list.Add(new DistillationReference(e.Id, a, ParameterCalculator.Count(a).Total, e.Source));
        }

        return list.OrderBy(r => r.Parameters).ToList();
    }

    /// <summary>
    /// Family-ratio student: layers and width from log-log fits over the references (slopes b_L, b_d: layers ∝ P^b_L,
    /// hidden ∝ P^b_d, anchored at the teacher); with fewer than two distinct references, the budget is split evenly
    /// (b_L = b_d = 1/3, since P ∝ L·d²). Width is rounded to whole heads of the teacher's head_dim, then layers are
    /// chosen to land nearest the budget.
    /// </summary>
    internal static DistillationProposal? FamilyRatio(ModelArchitecture teacher, long target, IReadOnlyList<DistillationReference> references)
    {
        long tp = ParameterCalculator.Count(teacher).Total;
        var pts = references.Where(r => r.Parameters > 0).DistinctBy(r => (r.Architecture.HiddenSize, r.Architecture.LayerCount)).ToList();
        double bl = 1.0 / 3, bd = 1.0 / 3;
        string how = "no two family members to fit slopes: depth and width each scaled by (target/teacher)^(1/3)";
        if (pts.Count >= 2)
        {
            bl = Slope(pts.Select(p => (Math.Log(p.Parameters), Math.Log(p.Architecture.LayerCount))).ToList());
            bd = Slope(pts.Select(p => (Math.Log(p.Parameters), Math.Log(p.Architecture.HiddenSize))).ToList());
            how = $"slopes from {string.Join(", ", pts.Select(p => p.Name))}: layers ∝ P^{bl:0.00}, hidden ∝ P^{bd:0.00}";
        }

        double ratio = (double)target / tp;
        long hidden = RoundToHeads(teacher, teacher.HiddenSize * Math.Pow(ratio, bd));
        var shaped = Widen(teacher, hidden);
        int layers = (int)Math.Max(1, Math.Round(teacher.LayerCount * Math.Pow(ratio, bl)));
        // Never deeper than the teacher: a family whose small members are deep and narrow would otherwise propose it.
        var best = NearestLayers(shaped, target, Math.Max(1, Math.Min(layers, teacher.LayerCount) / 2), Math.Min(teacher.LayerCount, Math.Max(layers * 2, 2)));
        return best is null ? null : new DistillationProposal("family ratios", best, ParameterCalculator.Count(best).Total,
            $"{how}; FFN/hidden {(double)teacher.IntermediateSize / teacher.HiddenSize:0.00} and head_dim {teacher.HeadDim} kept from the teacher");
    }

    /// <summary>Keep the teacher's width, choose the layer count nearest the budget (depth pruning + distillation, as Minitron-depth).</summary>
    internal static DistillationProposal? KeepWidth(ModelArchitecture teacher, long target)
    {
        var best = NearestLayers(teacher, target, 1, teacher.LayerCount - 1);
        if (best is null) return null;
        var count = ParameterCalculator.Count(best);
        double embeddingShare = (double)(count.Embedding + count.OutputHead) / count.Total;
        return new DistillationProposal("keep width, fewer layers", best, count.Total,
            $"teacher's width {teacher.HiddenSize} kept; {best.LayerCount} of {Units.Plural(teacher.LayerCount, "layer")} (initialise from the teacher's layers, then distill)"
            + (embeddingShare >= 0.5 ? $"; embeddings and head take {Units.Percent(embeddingShare)} of it, so this budget is too small for the teacher's width" : string.Empty));
    }

    /// <summary>Keep the teacher's depth, shrink hidden (whole heads, strictly fewer than the teacher's) and FFN in
    /// proportion to land nearest the budget; null when the teacher has a single head group and cannot narrow.</summary>
    internal static DistillationProposal? KeepDepth(ModelArchitecture teacher, long target)
    {
        ModelArchitecture? best = null;
        long bestGap = long.MaxValue;
        int heads = teacher.AttentionHeadCount;
        for (int h = 1; h < heads; h++)
        {
            long hidden = RoundToHeads(teacher, (double)teacher.HiddenSize * h / heads);
            if (hidden >= teacher.HiddenSize) continue;
            var a = Widen(teacher, hidden);
            long gap = Math.Abs(ParameterCalculator.Count(a).Total - target);
            if (gap < bestGap)
            {
                best = a;
                bestGap = gap;
            }
        }

        return best is null ? null : new DistillationProposal("keep depth, narrower", best, ParameterCalculator.Count(best).Total,
            (teacher.LayerCount == 1 ? "the single layer kept" : $"all {teacher.LayerCount} layers kept") + $"; hidden {best.HiddenSize}, {Units.Plural(best.AttentionHeadCount, "head")} of {teacher.HeadDim}, FFN {best.IntermediateSize}");
    }

    /// <summary>Least-squares slope of y on x.</summary>
    internal static double Slope(IReadOnlyList<(double X, double Y)> points)
    {
        double mx = points.Average(p => p.X), my = points.Average(p => p.Y);
        double sxy = points.Sum(p => (p.X - mx) * (p.Y - my)), sxx = points.Sum(p => (p.X - mx) * (p.X - mx));
        return sxx == 0 ? 1.0 / 3 : Math.Clamp(sxy / sxx, 0.05, 0.95);
    }

    private static long RoundToHeads(ModelArchitecture teacher, double hidden)
    {
        // Hidden as a whole number of heads of head_dim, with heads a multiple of the teacher's GQA group (q heads per KV head).
        int group = Group(teacher);
        double perHead = (double)teacher.HiddenSize / teacher.AttentionHeadCount;
        long heads = Math.Max(group, (long)Math.Round(hidden / perHead / group) * group);
        return (long)Math.Round(heads * perHead);
    }

    /// <summary>Query heads per KV head a student keeps: the teacher's GQA group; 1 for MQA teachers (one KV head serves
    /// any number of query heads, as in Gemma 2B and Falcon-7B) and for MHA.</summary>
    private static int Group(ModelArchitecture t) =>
        t.KeyValueHeadCount <= 1 ? 1 : Math.Max(1, t.AttentionHeadCount / t.KeyValueHeadCount);

    /// <summary>The teacher with width <paramref name="hidden"/>: heads = hidden / (teacher hidden / heads), GQA ratio and FFN ratio kept.</summary>
    private static ModelArchitecture Widen(ModelArchitecture t, long hidden)
    {
        double perHead = (double)t.HiddenSize / t.AttentionHeadCount;
        int heads = Math.Max(1, (int)Math.Round(hidden / perHead));
        int kv = t.KeyValueHeadCount == 1 ? 1 : Math.Max(1, heads / Group(t));
        long ffn = Math.Max(1, (long)Math.Round((double)t.IntermediateSize * hidden / t.HiddenSize / 64) * 64);
        return t with
        {
            HiddenSize = hidden,
            AttentionHeadCount = heads,
            KeyValueHeadCount = kv,
            KeyValueHeadCountPerLayer = null,
            IntermediateSize = ffn,
            IntermediateSizePerLayer = null,
            Source = "student proposal (untrained)",
        };
    }

    private static ModelArchitecture? NearestLayers(ModelArchitecture shape, long target, int min, int max)
    {
        ModelArchitecture? best = null;
        long bestGap = long.MaxValue;
        for (int l = Math.Max(1, min); l <= Math.Max(min, max); l++)
        {
            var a = shape with
            {
                LayerCount = l,
                KeyValueHeadCountPerLayer = null,
                IntermediateSizePerLayer = null,
                SlidingWindowLayers = shape.SlidingWindowLayers is null ? null : Enumerable.Range(0, l).Select(i => shape.SlidingWindowLayers[i % shape.SlidingWindowLayers.Count]).ToArray(),
                MoeLayers = shape.MoeLayers is null ? null : Enumerable.Range(0, l).Select(i => shape.MoeLayers[i % shape.MoeLayers.Count]).ToArray(),
            };
            long gap = Math.Abs(ParameterCalculator.Count(a).Total - target);
            if (gap < bestGap)
            {
                best = a;
                bestGap = gap;
            }
        }

        return best;
    }
}
