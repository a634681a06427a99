using System.Collections.Immutable;
using LlmSize.Core.Precision;

namespace LlmSize.Core.Formats.Peft;

/// <summary>A linear (or embedding) module LoRA could adapt.</summary>
/// <param name="ModulePath">Module path, e.g. <c>model.layers.0.self_attn.q_proj</c>.</param>
/// <param name="InFeatures">Input features (for an embedding: vocabulary size).</param>
/// <param name="OutFeatures">Output features (for an embedding: embedding dimension).</param>
public readonly record struct LoraTargetShape(string ModulePath, long InFeatures, long OutFeatures);

/// <summary>Adapter size for one module.</summary>
/// <param name="ModulePath">Module path.</param>
/// <param name="Rank">Rank used (r, or the rank_pattern override).</param>
/// <param name="InFeatures">Input features.</param>
/// <param name="OutFeatures">Output features.</param>
/// <param name="Parameters">r × (in + out), plus out with DoRA.</param>
/// <param name="Bytes">Bytes of those parameters in the estimate's dtype.</param>
public sealed record LoraModuleEstimate(string ModulePath, int Rank, long InFeatures, long OutFeatures, long Parameters, long Bytes);

/// <summary>Adapter size for a set of modules.</summary>
/// <param name="Modules">Per-module sizes, in input order.</param>
/// <param name="DataType">dtype the adapter is stored in.</param>
public sealed record LoraSizeEstimate(ImmutableArray<LoraModuleEstimate> Modules, TensorDataType DataType)
{
    /// <summary>Total adapter parameters.</summary>
    public long Parameters => Modules.Sum(m => m.Parameters);

    /// <summary>Total adapter bytes (tensor data only; a safetensors header adds a few KB).</summary>
    public long Bytes => Modules.Sum(m => m.Bytes);
}

/// <summary>
/// LoRA adapter size from rank and module shapes, before any adapter exists: each adapted linear W (out × in) gains
/// A (r × in) and B (out × r), i.e. r × (in + out) parameters (Hu et al. 2021, "LoRA", §4: ΔW = BA with
/// B ∈ ℝ^{d×r}, A ∈ ℝ^{r×k}); DoRA adds one magnitude value per output feature (Liu et al. 2024, "DoRA";
/// peft/tuners/lora/dora.py). Used by <c>llmsize lora size</c>.
/// </summary>
public static class LoraSizeCalculator
{
    /// <summary>Adapter size for the given modules, all adapted.</summary>
    /// <param name="modules">Modules to adapt.</param>
    /// <param name="rank">r (&gt; 0).</param>
    /// <param name="dataType">Storage dtype; null for F32 (PEFT trains and saves adapters in fp32 by default).</param>
    /// <param name="useDora">Add DoRA magnitude vectors.</param>
    /// <param name="rankPattern">Per-module rank overrides, PEFT <c>rank_pattern</c> semantics (first match wins).</param>
    /// <returns>The estimate.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="modules"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">rank ≤ 0, a pattern rank ≤ 0, or a module with in/out ≤ 0.</exception>
    /// <exception cref="OverflowException">The counts overflow 64 bits.</exception>
    public static LoraSizeEstimate Calculate(IEnumerable<LoraTargetShape> modules, int rank, TensorDataType? dataType = null,
        bool useDora = false, IReadOnlyList<KeyValuePair<string, int>>? rankPattern = null)
    {
        ArgumentNullException.ThrowIfNull(modules);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(rank);
        var dt = dataType ?? TensorDataType.F32;
        var b = ImmutableArray.CreateBuilder<LoraModuleEstimate>();
        // Each pattern compiled once; one budget over all pattern × module attempts (issue 13, class 3).
        var budget = new PeftMatchBudget(PeftReaderOptions.Default, null);
        var compiled = (rankPattern ?? []).Select(kv => (Regex: budget.Compile(PeftPatternSet.PatternKey(kv.Key), "rank_pattern", kv.Key), kv.Value)).ToList();
        foreach (var m in modules)
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(m.InFeatures, nameof(modules));
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(m.OutFeatures, nameof(modules));
            int r = rank;
            foreach (var (regex, pr) in compiled)
            {
                if (!budget.IsMatch(regex, m.ModulePath, "rank_pattern")) continue;
                ArgumentOutOfRangeException.ThrowIfNegativeOrZero(pr, nameof(rankPattern));
                r = pr;
                break;
            }

            long p = checked(r * (m.InFeatures + m.OutFeatures) + (useDora ? m.OutFeatures : 0));
            b.Add(new LoraModuleEstimate(m.ModulePath, r, m.InFeatures, m.OutFeatures, p, dt.GetByteCount(p)));
        }

        return new LoraSizeEstimate(b.ToImmutable(), dt);
    }

    /// <summary>
    /// Adapter size for the modules PEFT would select from <paramref name="candidates"/> with
    /// <c>target_modules = <paramref name="targets"/></c> (names such as <c>q_proj</c>, matched as PEFT does: equal to
    /// the path or to its last dotted parts).
    /// </summary>
    /// <param name="candidates">Every adaptable module of the model.</param>
    /// <param name="targets">target_modules names.</param>
    /// <param name="rank">r (&gt; 0).</param>
    /// <param name="dataType">Storage dtype; null for F32.</param>
    /// <param name="useDora">Add DoRA magnitude vectors.</param>
    /// <returns>The estimate over the selected modules.</returns>
    /// <exception cref="ArgumentException">No candidate matches any target.</exception>
    /// <exception cref="ArgumentOutOfRangeException">rank ≤ 0.</exception>
    public static LoraSizeEstimate Calculate(IEnumerable<LoraTargetShape> candidates, IReadOnlyList<string> targets, int rank,
        TensorDataType? dataType = null, bool useDora = false)
    {
        ArgumentNullException.ThrowIfNull(candidates);
        ArgumentNullException.ThrowIfNull(targets);
        var selected = candidates.Where(c => PeftModuleMatcher.Matches(c.ModulePath, targets, null)).ToList();
        if (selected.Count == 0)
            throw new ArgumentException($"No module matches target_modules [{string.Join(", ", targets)}].", nameof(targets));
        return Calculate(selected, rank, dataType, useDora);
    }
}
