using System.Collections.Immutable;
using LlmSize.Core.Formats.Peft;
using LlmSize.Core.Models.Architectures;
using LlmSize.Core.Precision;

namespace LlmSize.Core.Compression.Lora;

/// <summary>LoRA adapter size for a model's architecture, with the storage argument for several adapter counts.</summary>
/// <param name="Targets">target_modules as given.</param>
/// <param name="Rank">r.</param>
/// <param name="Estimate">Per-module sizes (one per adapted module instance, e.g. <c>layers.3.q_proj</c>).</param>
/// <param name="BaseParameters">Parameters of the base model.</param>
/// <param name="BaseBytes">Bytes of the base model as distributed (its files, or parameters × base dtype).</param>
/// <param name="Storage">One base + N adapters vs N fine-tuned copies, for each N asked.</param>
public sealed record LoraArchitecturePlan(ImmutableArray<string> Targets, int Rank, LoraSizeEstimate Estimate, long BaseParameters, long BaseBytes,
    ImmutableArray<LoraStorageComparison> Storage)
{
    /// <summary>Adapter parameters / base parameters.</summary>
    public double ParameterFraction => (double)Estimate.Parameters / BaseParameters;
}

/// <summary>
/// Sizes a LoRA adapter from an architecture alone: maps Hugging Face module names (q_proj, c_attn, qkv_proj …) to the
/// weights <see cref="ParameterCalculator.EnumerateWeights"/> lists (GGUF-like names, shapes [out, in]) and applies
/// r × (in + out) per adapted module (Hu et al. 2021, "LoRA"). Fused projections (GPT-2 <c>c_attn</c>, Phi-3
/// <c>qkv_proj</c>, Falcon <c>query_key_value</c>, Phi-3 <c>gate_up_proj</c>) are one module whose output is the
/// sum of the parts, as in the checkpoint.
/// </summary>
public static class LoraPlanner
{
    /// <summary>HF module name → the generic weight kinds it covers (fused modules list several).</summary>
    private static readonly Dictionary<string, string[]> Map = new(StringComparer.Ordinal)
    {
        ["q_proj"] = ["attn_q"], ["k_proj"] = ["attn_k"], ["v_proj"] = ["attn_v"], ["o_proj"] = ["attn_output"],
        ["query"] = ["attn_q"], ["key"] = ["attn_k"], ["value"] = ["attn_v"],
        ["wq"] = ["attn_q"], ["wk"] = ["attn_k"], ["wv"] = ["attn_v"], ["wo"] = ["attn_output"],
        ["dense"] = ["attn_output"], ["out_proj"] = ["attn_output"],
        ["c_attn"] = ["attn_q+attn_k+attn_v"], ["qkv_proj"] = ["attn_q+attn_k+attn_v"], ["query_key_value"] = ["attn_q+attn_k+attn_v"],
        ["Wqkv"] = ["attn_q+attn_k+attn_v"],
        ["c_proj"] = ["attn_output", "ffn_down"], ["c_fc"] = ["ffn_up"],
        ["gate_proj"] = ["ffn_gate"], ["up_proj"] = ["ffn_up"], ["down_proj"] = ["ffn_down"], ["gate_up_proj"] = ["ffn_gate+ffn_up"],
        ["w1"] = ["ffn_gate"], ["w3"] = ["ffn_up"], ["w2"] = ["ffn_down"],
        ["fc1"] = ["ffn_up"], ["fc2"] = ["ffn_down"], ["dense_h_to_4h"] = ["ffn_up"], ["dense_4h_to_h"] = ["ffn_down"],
    };

    private static readonly string[] LlamaStyle = ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"];

    /// <summary>
    /// The linear module names each family's Hugging Face modeling file uses, with their meaning where it differs from
    /// <see cref="Map"/> (T5's <c>wo</c> is the FFN output, BERT's <c>dense</c> is three layers, StarCoder2's
    /// <c>c_proj</c> only the MLP's). PEFT matches target_modules by these suffixes; a name the family lacks matches
    /// nothing there (PEFT raises "Target modules … not found in the base model"). GGUF architecture names included.
    /// </summary>
    private static readonly Dictionary<string, Dictionary<string, string[]>> FamilyModules = BuildFamilyModules();

    /// <summary>
    /// PEFT's default target_modules per model_type (peft/utils/constants.py
    /// TRANSFORMERS_MODELS_TO_LORA_TARGET_MODULES_MAPPING), for the families LlmSize reads; other families need explicit targets.
    /// </summary>
    private static readonly Dictionary<string, string[]> PeftDefaults = new(StringComparer.OrdinalIgnoreCase)
    {
        ["t5"] = ["q", "v"], ["gpt2"] = ["c_attn"], ["bert"] = ["query", "value"], ["llama"] = ["q_proj", "v_proj"],
        ["falcon"] = ["query_key_value"], ["mistral"] = ["q_proj", "v_proj"], ["mixtral"] = ["q_proj", "v_proj"],
        ["stablelm"] = ["q_proj", "v_proj"], ["phi"] = ["q_proj", "v_proj", "fc1", "fc2"], ["phi2"] = ["q_proj", "v_proj", "fc1", "fc2"],
        ["gemma"] = ["q_proj", "v_proj"], ["gemma2"] = ["q_proj", "v_proj"], ["gemma3"] = ["q_proj", "v_proj"], ["gemma3_text"] = ["q_proj", "v_proj"],
        ["qwen2"] = ["q_proj", "v_proj"], ["qwen3"] = ["q_proj", "v_proj"], ["gpt_bigcode"] = ["c_attn"], ["gpt_neox"] = ["query_key_value"],
    };

    private static Dictionary<string, Dictionary<string, string[]>> BuildFamilyModules()
    {
        Dictionary<string, string[]> Of(params (string Name, string[] Kinds)[] names) =>
            names.ToDictionary(n => n.Name, n => n.Kinds, StringComparer.Ordinal);
        Dictionary<string, string[]> Generic(IEnumerable<string> names) => names.ToDictionary(n => n, n => Map[n], StringComparer.Ordinal);
        var llama = Generic(LlamaStyle);
        var d = new Dictionary<string, Dictionary<string, string[]>>(StringComparer.OrdinalIgnoreCase);
        foreach (string f in new[] { "llama", "mistral", "qwen2", "qwen3", "gemma", "gemma2", "gemma3", "gemma3_text", "stablelm", "olmo", "olmo2", "internlm2" })
        {
            d[f] = llama;
        }

        d["mixtral"] = Generic(["q_proj", "k_proj", "v_proj", "o_proj", "w1", "w2", "w3"]);
        d["phi"] = d["phi2"] = Generic(["q_proj", "k_proj", "v_proj", "dense", "fc1", "fc2"]);
        d["phi-msft"] = Generic(["Wqkv", "out_proj", "fc1", "fc2"]);
        d["phi3"] = Generic(["qkv_proj", "o_proj", "gate_up_proj", "down_proj"]);
        d["gpt2"] = Generic(["c_attn", "c_proj", "c_fc"]);
        d["falcon"] = Of(("query_key_value", Map["query_key_value"]), ("dense", ["attn_output"]), ("dense_h_to_4h", ["ffn_up"]), ("dense_4h_to_h", ["ffn_down"]));
        d["starcoder2"] = Of(("q_proj", ["attn_q"]), ("k_proj", ["attn_k"]), ("v_proj", ["attn_v"]), ("o_proj", ["attn_output"]), ("c_fc", ["ffn_up"]), ("c_proj", ["ffn_down"]));
        // BERT: attention.output.dense, intermediate.dense and output.dense all end in "dense".
        d["bert"] = Of(("query", ["attn_q"]), ("key", ["attn_k"]), ("value", ["attn_v"]), ("dense", ["attn_output", "ffn_up", "ffn_down"]));
        d["distilbert"] = Of(("q_lin", ["attn_q"]), ("k_lin", ["attn_k"]), ("v_lin", ["attn_v"]), ("out_lin", ["attn_output"]), ("lin1", ["ffn_up"]), ("lin2", ["ffn_down"]));
        // T5: SelfAttention and EncDecAttention q/k/v/o; DenseReluDense wi (or wi_0 gate, wi_1 up in gated variants) and wo.
        d["t5"] = Of(("q", ["attn_q"]), ("k", ["attn_k"]), ("v", ["attn_v"]), ("o", ["attn_output"]), ("wi", ["ffn_up"]), ("wi_0", ["ffn_gate"]), ("wi_1", ["ffn_up"]), ("wo", ["ffn_down"]));
        return d;
    }

    /// <summary>Target names <see cref="Plan"/> understands for some family (plus "all-linear").</summary>
    public static IReadOnlyCollection<string> KnownTargets => Map.Keys.Concat(FamilyModules.Values.SelectMany(m => m.Keys)).Distinct(StringComparer.Ordinal).ToList();

    /// <summary>PEFT's default target_modules for <paramref name="architecture"/>'s family, or null when PEFT has none
    /// (then target_modules must be given).</summary>
    /// <param name="architecture">The base model.</param>
    /// <returns>Module names, or null.</returns>
    public static IReadOnlyList<string>? DefaultTargets(ModelArchitecture architecture)
    {
        ArgumentNullException.ThrowIfNull(architecture);
        return PeftDefaults.TryGetValue(architecture.Family, out var t) ? t : null;
    }

    /// <summary>The linear module names of <paramref name="architecture"/>'s family, or null for a family LlmSize has
    /// no table for (any name of <see cref="KnownTargets"/> is then tried).</summary>
    /// <param name="architecture">The base model.</param>
    /// <returns>Names, or null.</returns>
    public static IReadOnlyCollection<string>? ModuleNames(ModelArchitecture architecture)
    {
        ArgumentNullException.ThrowIfNull(architecture);
        return FamilyModules.TryGetValue(architecture.Family, out var m) ? m.Keys : null;
    }

    /// <summary>The adaptable modules for <paramref name="targets"/>, one per layer (and expert), with in/out features.</summary>
    /// <param name="architecture">The model.</param>
    /// <param name="targets">HF target_modules names, or "all-linear" (every linear of the blocks, as PEFT: not the output head).</param>
    /// <returns>Modules, layer by layer.</returns>
    /// <exception cref="InputException">An unknown target name, or a target the architecture does not have.</exception>
    public static IReadOnlyList<LoraTargetShape> Modules(ModelArchitecture architecture, IReadOnlyList<string> targets)
    {
        ArgumentNullException.ThrowIfNull(architecture);
        ArgumentNullException.ThrowIfNull(targets);
        if (targets.Count == 0) throw new InputException(InputErrorKind.InvalidRequest, "No target modules given.");
        var weights = ParameterCalculator.EnumerateWeights(architecture)
            .Where(w => w.Shape.Count == 2 && w.Name.EndsWith(".weight", StringComparison.Ordinal) && w.Name.Contains("{layer}", StringComparison.Ordinal))
            .ToList();
        var kinds = new List<(string Target, string Kind)>();
        var optional = new HashSet<string>(StringComparer.Ordinal);
        bool hasFamily = FamilyModules.TryGetValue(architecture.Family, out var family);
        foreach (string t in targets.Select(t => t.Trim()).Where(t => t.Length > 0).Distinct())
        {
            if (t == "all-linear")
            {
                // PEFT's all-linear: every nn.Linear (and GPT-2 Conv1D) of the blocks, named as PEFT names them — the
                // family's module names (c_attn fused on GPT-2, q_lin on DistilBERT), LLaMA-style names for a family
                // without a table — plus an MoE router (Mixtral's block_sparse_moe.gate). A name whose weight the
                // architecture lacks (a gated MLP's gate_proj on a plain MLP) is skipped, as PEFT finds no module.
                IEnumerable<(string Name, string[] Kinds)> all = hasFamily
                    ? family!.Select(kv => (kv.Key, kv.Value))
                    : LlamaStyle.Select(n => (n, Map[n]));
                foreach (var (name, ks2) in all.Append(("gate", ["ffn_gate_inp"])))
                {
                    if (kinds.Any(k => k.Target == name)) continue;
                    optional.Add(name);
                    foreach (string k in ks2) kinds.Add((name, k));
                }

                continue;
            }

            string[]? ks;
            if (hasFamily)
            {
                if (!family!.TryGetValue(t, out ks))
                {
                    throw new InputException(InputErrorKind.InvalidRequest, $"A {architecture.Family} model has no module named '{t}' (PEFT would find no target); its linear modules are {string.Join(", ", family.Keys)}, or all-linear.");
                }
            }
            else if (!Map.TryGetValue(t, out ks))
            {
                throw new InputException(InputErrorKind.InvalidRequest, $"Unknown target module '{t}'; known: {string.Join(", ", Map.Keys.Order(StringComparer.Ordinal))}, all-linear.");
            }

            kinds.RemoveAll(k => k.Target == t);
            optional.Remove(t);
            foreach (string k in ks) kinds.Add((t, k));
        }

        var result = new List<LoraTargetShape>();
        foreach (var (target, kind) in kinds)
        {
            string[] parts = kind.Split('+');
            // Weights of each part, grouped by stack prefix and expert kind; a fused module adds the parts' outputs.
            var matches = parts.Select(p => weights.Where(w => Matches(w.Name, p)).ToList()).ToList();
            if (matches.Any(m => m.Count == 0))
            {
                if (optional.Contains(target)) continue; // all-linear: a plain MLP has no gate_proj, a dense model no router
                if (kinds.Count(k => k.Target == target) > 1 && matches.All(m => m.Count == 0)) continue; // c_proj on a model without one of its meanings
                throw new InputException(InputErrorKind.InvalidRequest, $"Target '{target}' ({kind}) does not exist in a {architecture.Family} architecture.");
            }

            for (int g = 0; g < matches[0].Count; g++)
            {
                var first = matches[0][g];
                long inFeatures = first.Shape[1];
                long outFeatures = 0;
                foreach (var m in matches)
                {
                    var w = m[Math.Min(g, m.Count - 1)];
                    if (w.Shape[1] != inFeatures) throw new InputException(InputErrorKind.InvalidRequest, $"Fused target '{target}' has parts with different input widths.");
                    outFeatures = checked(outFeatures + w.Shape[0]);
                }

                // Module paths like "blk.3.q_proj", "dec.blk.0.cross_attn.q_proj", "blk.17.experts.w1" (copy index across layers × experts).
                string generic = first.Name[..first.Name.LastIndexOf('.')];
                string prefix = generic[..generic.IndexOf(".{layer}", StringComparison.Ordinal)];
                string tag = generic.Contains("shexp", StringComparison.Ordinal) ? ".shared_experts"
                    : generic.Contains("{expert}", StringComparison.Ordinal) ? ".experts"
                    : generic.Contains("cross_attn", StringComparison.Ordinal) ? ".cross_attn" : string.Empty;
                for (long copy = 0; copy < first.Repeat; copy++)
                {
                    result.Add(new LoraTargetShape($"{prefix}.{copy}{tag}.{target}", inFeatures, outFeatures));
                }
            }
        }

        if (result.Count == 0) throw new InputException(InputErrorKind.InvalidRequest, $"No module of the architecture matches [{string.Join(", ", targets)}].");
        return result;
    }

    /// <summary>Adapter size and storage argument.</summary>
    /// <param name="architecture">The base model.</param>
    /// <param name="targets">target_modules.</param>
    /// <param name="rank">r (&gt; 0).</param>
    /// <param name="adapterDataType">Adapter dtype; null = F32 (PEFT's default).</param>
    /// <param name="baseBytes">Bytes of the base as distributed; null = parameters × 2 (F16/BF16 checkpoint).</param>
    /// <param name="adapterCounts">N values for the storage argument; null = 1, 10, 100.</param>
    /// <returns>The plan.</returns>
    /// <exception cref="InputException">Unknown or absent targets.</exception>
    /// <exception cref="ArgumentOutOfRangeException">rank ≤ 0; a rank above min(in, out) of every targeted matrix (no
    /// module could use it; a module narrower than r, such as Mixtral's 8-way router under all-linear, is still
    /// adapted by PEFT with r × (in + out) parameters, so it alone does not refuse); N &lt; 1.</exception>
    public static LoraArchitecturePlan Plan(ModelArchitecture architecture, IReadOnlyList<string> targets, int rank, TensorDataType? adapterDataType = null,
        long? baseBytes = null, IReadOnlyList<int>? adapterCounts = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(rank);
        var modules = Modules(architecture, targets);
        long maxRank = modules.Count == 0 ? long.MaxValue : modules.Max(m => Math.Min(m.InFeatures, m.OutFeatures));
        if (rank > maxRank)
        {
            throw new ArgumentOutOfRangeException(nameof(rank), rank,
                $"rank {rank} exceeds min(in, out) = {maxRank} of every targeted matrix; a LoRA update cannot have a higher rank than the matrix it adapts");
        }

        var estimate = LoraSizeCalculator.Calculate(modules, rank, adapterDataType ?? TensorDataType.F32);
        long baseParameters = ParameterCalculator.Count(architecture).Total;
        long bytes = baseBytes ?? checked(baseParameters * 2);
        var storage = (adapterCounts ?? [1, 10, 100])
            .Select(n => LoraStorageComparison.Create(baseParameters, bytes, estimate.Parameters, estimate.Bytes, n))
            .ToImmutableArray();
        return new LoraArchitecturePlan([.. targets], rank, estimate, baseParameters, bytes, storage);
    }

    private static bool Matches(string name, string kind)
    {
        // "blk.{layer}.attn_q.weight", "dec.blk.{layer}.cross_attn_q.weight", "blk.{layer}.ffn_exps.{expert}_gate.weight".
        string stem = name[..^".weight".Length];
        int dot = stem.LastIndexOf('.');
        string last = stem[(dot + 1)..];
        if (last == kind || last.EndsWith("_" + kind, StringComparison.Ordinal) && last.StartsWith("cross_", StringComparison.Ordinal)) return true;
        // Expert tensors: "{expert}_gate" ↔ ffn_gate.
        return kind.StartsWith("ffn_", StringComparison.Ordinal) && last == "{expert}_" + kind["ffn_".Length..];
    }
}
