namespace LlmSize.Core.Estimation.Fit;

/// <summary>One way to run a model on a device: a format, a context, where it runs, and what it would take. Derived
/// facts — is it a CPU/GPU split, which budget it lives in, how much of it is left, is it tight — are computed here
/// once and read everywhere.</summary>
/// <param name="Format">Weight format.</param>
/// <param name="ContextTokens">Context length, tokens.</param>
/// <param name="Target">Where it executes.</param>
/// <param name="GpuLayers">Layers on the GPU when partially offloaded (llama.cpp <c>-ngl</c>); null = all or none.</param>
/// <param name="Memory">The memory estimate.</param>
/// <param name="Checks">Every constraint checked.</param>
public sealed record FitVariant(WeightFormat Format, long ContextTokens, ExecutionTarget Target, int? GpuLayers, MemoryEstimate Memory,
    IReadOnlyList<FitCheck> Checks)
{
    /// <summary>Headroom below which a fit is tight: 10% of its <see cref="Budget"/> (other apps, the OS or a longer
    /// conversation can push it out).</summary>
    public const double TightHeadroomFraction = 0.10;

    /// <summary>Transformer blocks of the model (for splits by layer); 0 when unknown.</summary>
    public int LayerCount { get; init; }

    /// <summary>Weight bytes kept in system RAM on offloaded layers by llama.cpp <c>-ot PATTERN=CPU</c> (a MoE model's
    /// experts); 0 without overrides. Counted in the host-RAM check and read at host-RAM speed.</summary>
    public long HostPinnedBytes { get; init; }

    /// <summary>True when every check passes.</summary>
    public bool Fits => Checks.All(c => c.Passes);

    /// <summary>True when only some layers are on the GPU (llama.cpp <c>-ngl</c> below the layer count): the rest runs
    /// from system RAM, at its speed.</summary>
    public bool IsSplit => GpuLayers is { } n && LayerCount > 0 && n < LayerCount;

    /// <summary>The memory check of what one app/tab may use (<see cref="FitConstraint.AppMemory"/>) or usable VRAM
    /// (<see cref="FitConstraint.Vram"/>); every variant has one.</summary>
    public FitCheck MemoryCheck => Checks.First(c => c.Constraint is FitConstraint.AppMemory or FitConstraint.Vram);

    /// <summary>The memory budget the variant lives in: for a split, system RAM (the VRAM share is packed full by
    /// construction); else <see cref="MemoryCheck"/>.</summary>
    public FitCheck Budget => IsSplit ? Checks.FirstOrDefault(c => c.Constraint == FitConstraint.HostRam) ?? MemoryCheck : MemoryCheck;

    /// <summary>Free fraction of <see cref="Budget"/> (0.25 = a quarter left) when the variant fits; null when it does
    /// not or the budget is zero.</summary>
    public double? Headroom => Fits && Budget is { AvailableBytes: > 0 } b ? (double)b.HeadroomBytes / b.AvailableBytes : null;

    /// <summary>True when the variant fits with under <see cref="TightHeadroomFraction"/> of its budget left.</summary>
    public bool IsTight => Headroom is { } h && h < TightHeadroomFraction;

    /// <summary>
    /// How a variant that fits ranks against others, lower first: 0 = comfortable and whole (entirely in VRAM, or in
    /// unified / system memory), 1 = comfortable CPU/GPU split, 2 = tight and whole, 3 = tight split, 4 = does not fit.
    /// A fit the tool itself marks tight (<see cref="TightHeadroomFraction"/>) ranks after every comfortable one, in
    /// <c>fit</c>'s recommendation and <c>shrink</c>'s ranking alike.
    /// </summary>
    /// <param name="fits">Whether it fits.</param>
    /// <param name="tight">Whether it fits with under <see cref="TightHeadroomFraction"/> left.</param>
    /// <param name="split">Whether it runs as a CPU/GPU split.</param>
    /// <returns>0 to 4.</returns>
    public static int Preference(bool fits, bool tight, bool split) => !fits ? 4 : (tight ? 2 : 0) + (split ? 1 : 0);

    /// <summary><see cref="Preference(bool, bool, bool)"/> of <paramref name="v"/>.</summary>
    /// <param name="v">The variant.</param>
    /// <returns>0 to 4.</returns>
    public static int Preference(FitVariant v)
    {
        ArgumentNullException.ThrowIfNull(v);
        return Preference(v.Fits, v.IsTight, v.IsSplit);
    }

    /// <summary>True when no failing check is a feature the device lacks (shader-f16, a browser, runtime support):
    /// the device could run it if memory allowed.</summary>
    public bool IsRunnable => !Checks.Any(k => k.Constraint.IsFeature() && !k.Passes);

    /// <summary>The first failing check, or, when all pass, the byte check with the least relative headroom (a
    /// passing feature check such as shader-f16 has no headroom to speak of).</summary>
    public FitCheck Binding => Checks.Where(c => !c.Passes).OrderBy(c => c.Constraint.IsHopeless() ? 0 : 1).ThenBy(c => c.HeadroomBytes).FirstOrDefault()
        ?? Checks.Where(c => !c.Constraint.IsFeature()).OrderBy(c => (double)c.HeadroomBytes / Math.Max(1, c.AvailableBytes)).FirstOrDefault()
        ?? Checks[0];
}
