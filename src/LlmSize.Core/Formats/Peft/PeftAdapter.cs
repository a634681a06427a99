using System.Collections.Immutable;
using LlmSize.Core.Models;

namespace LlmSize.Core.Formats.Peft;

/// <summary>One base-model module adapted by LoRA: its A/B pair (and DoRA magnitude, LoRA bias when present).</summary>
/// <param name="ModulePath">Base-model module path, e.g. <c>transformer.h.0.attn.c_attn</c> (without <c>base_model.model.</c>).</param>
/// <param name="Rank">Rank from the shapes (rows of A = columns of B).</param>
/// <param name="InFeatures">Input features: elements of A / rank (for Conv: in × kernel; for Embedding: vocabulary).</param>
/// <param name="OutFeatures">Output features: rows of B.</param>
/// <param name="LoraParameters">Elements of A and B: rank × (in + out).</param>
/// <param name="MagnitudeParameters">DoRA magnitude-vector elements (out_features), 0 without DoRA.</param>
/// <param name="BiasParameters">LoRA-B bias elements (<c>lora_bias</c>), usually 0.</param>
/// <param name="Bytes">Bytes of all this module's adapter tensors.</param>
/// <param name="Scaling">Merge factor alpha/r (alpha/√r with rsLoRA) from the config for this module.</param>
/// <param name="IsEmbedding">True for <c>lora_embedding_A/B</c> (an adapted embedding).</param>
public sealed record PeftLoraModule(string ModulePath, int Rank, long InFeatures, long OutFeatures, long LoraParameters,
    long MagnitudeParameters, long BiasParameters, long Bytes, double Scaling, bool IsEmbedding)
{
    /// <summary>All parameters the adapter stores for this module.</summary>
    public long Parameters => LoraParameters + MagnitudeParameters + BiasParameters;

    /// <summary>The module's own name (last dotted part), e.g. <c>c_attn</c>.</summary>
    public string ModuleName => ModulePath[(ModulePath.LastIndexOf('.') + 1)..];
}

/// <summary>Non-LoRA tensors the adapter stores in full (modules_to_save copies such as a classifier head, or biases
/// when <c>bias</c> is "all"/"lora_only"), grouped by module.</summary>
/// <param name="ModulePath">Module path (without <c>base_model.model.</c>).</param>
/// <param name="Parameters">Elements of its tensors.</param>
/// <param name="Bytes">Bytes of its tensors.</param>
/// <param name="IsModuleToSave">True when the config's (effective) modules_to_save selects it.</param>
/// <param name="TensorNames">The stored tensor names.</param>
public sealed record PeftSavedModule(string ModulePath, long Parameters, long Bytes, bool IsModuleToSave, ImmutableArray<string> TensorNames);

/// <summary>A PEFT LoRA adapter: its config, tensors and what they add up to.</summary>
public sealed record PeftAdapter
{
    /// <summary>The adapter folder.</summary>
    public required string Folder { get; init; }

    /// <summary>The weights file read (<c>adapter_model.safetensors</c> or <c>adapter_model.bin</c>).</summary>
    public required string WeightsPath { get; init; }

    /// <summary>Size of <see cref="WeightsPath"/> on disk, in bytes (header included).</summary>
    public long WeightsFileBytes { get; init; }

    /// <summary>The parsed <c>adapter_config.json</c>.</summary>
    public required PeftAdapterConfig Config { get; init; }

    /// <summary>Every tensor of the weights file.</summary>
    public required ImmutableArray<TensorInfo> Tensors { get; init; }

    /// <summary>LoRA-adapted modules in first-seen tensor order.</summary>
    public required ImmutableArray<PeftLoraModule> LoraModules { get; init; }

    /// <summary>Fully stored modules (classifier heads …).</summary>
    public required ImmutableArray<PeftSavedModule> SavedModules { get; init; }

    /// <summary>Problems that do not stop sizing (a LoRA module the config's target_modules would not select).</summary>
    public ImmutableArray<string> Warnings { get; init; } = [];

    /// <summary>The base model the adapter must be loaded onto (<c>base_model_name_or_path</c>), or null.</summary>
    public string? BaseModel => Config.BaseModelNameOrPath;

    /// <summary>Distinct names of adapted base modules (<c>q_lin</c>, <c>v_lin</c>), sorted.</summary>
    public ImmutableArray<string> AdaptedModuleNames => [.. LoraModules.Select(m => m.ModuleName).Distinct().Order(StringComparer.Ordinal)];

    /// <summary>A and B elements of all modules.</summary>
    public long LoraParameters => LoraModules.Sum(m => m.LoraParameters);

    /// <summary>DoRA magnitude-vector elements.</summary>
    public long MagnitudeParameters => LoraModules.Sum(m => m.MagnitudeParameters);

    /// <summary>LoRA bias elements.</summary>
    public long LoraBiasParameters => LoraModules.Sum(m => m.BiasParameters);

    /// <summary>Elements of fully stored modules.</summary>
    public long SavedModuleParameters => SavedModules.Sum(m => m.Parameters);

    /// <summary>Every stored parameter: LoRA + DoRA + bias + saved modules (= Σ tensor elements).</summary>
    public long TotalParameters => Tensors.Sum(t => t.ElementCount);

    /// <summary>Bytes of all tensor data.</summary>
    public long TotalBytes => Tensors.Sum(t => t.ByteLength);

    /// <summary>
    /// The LoRA storage argument for this adapter against its base model (one base download plus N small adapters,
    /// versus N fully fine-tuned copies).
    /// </summary>
    /// <param name="baseParameters">Parameters of the base model (from its inventory).</param>
    /// <param name="baseBytes">Bytes of the base model's weights as distributed.</param>
    /// <param name="adapterCount">N, the number of tasks / adapters (≥ 1).</param>
    /// <returns>The comparison.</returns>
    /// <exception cref="ArgumentOutOfRangeException">A base size ≤ 0 or N &lt; 1.</exception>
    public LoraStorageComparison CompareWithBase(long baseParameters, long baseBytes, int adapterCount) =>
        LoraStorageComparison.Create(baseParameters, baseBytes, TotalParameters, TotalBytes, adapterCount);
}

/// <summary>
/// One base + N adapters versus N fully fine-tuned copies. A fully fine-tuned copy is as large as the base
/// (every weight changes), so N copies weigh N × base bytes; with LoRA the base is stored once and each task adds
/// only its adapter.
/// </summary>
/// <param name="BaseParameters">Base model parameters.</param>
/// <param name="BaseBytes">Base model bytes.</param>
/// <param name="AdapterParameters">Parameters of one adapter.</param>
/// <param name="AdapterBytes">Bytes of one adapter.</param>
/// <param name="AdapterCount">N.</param>
public sealed record LoraStorageComparison(long BaseParameters, long BaseBytes, long AdapterParameters, long AdapterBytes, int AdapterCount)
{
    /// <summary>Adapter parameters / base parameters.</summary>
    public double ParameterRatio => (double)AdapterParameters / BaseParameters;

    /// <summary>Adapter bytes / base bytes.</summary>
    public double ByteRatio => (double)AdapterBytes / BaseBytes;

    /// <summary>Bytes of one base plus N adapters: base + N × adapter.</summary>
    public long BasePlusAdaptersBytes => checked(BaseBytes + (long)AdapterCount * AdapterBytes);

    /// <summary>Bytes of N fully fine-tuned copies: N × base.</summary>
    public long FullCopiesBytes => checked((long)AdapterCount * BaseBytes);

    /// <summary>Bytes LoRA saves: full copies − (base + adapters).</summary>
    public long SavedBytes => FullCopiesBytes - BasePlusAdaptersBytes;

    /// <summary>Creates a comparison after validating its inputs.</summary>
    /// <param name="baseParameters">Base parameters (&gt; 0).</param>
    /// <param name="baseBytes">Base bytes (&gt; 0).</param>
    /// <param name="adapterParameters">Adapter parameters (≥ 0).</param>
    /// <param name="adapterBytes">Adapter bytes (≥ 0).</param>
    /// <param name="adapterCount">N (≥ 1).</param>
    /// <returns>The comparison.</returns>
    /// <exception cref="ArgumentOutOfRangeException">An argument is out of range.</exception>
    public static LoraStorageComparison Create(long baseParameters, long baseBytes, long adapterParameters, long adapterBytes, int adapterCount)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(baseParameters);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(baseBytes);
        ArgumentOutOfRangeException.ThrowIfNegative(adapterParameters);
        ArgumentOutOfRangeException.ThrowIfNegative(adapterBytes);
        ArgumentOutOfRangeException.ThrowIfLessThan(adapterCount, 1);
        return new LoraStorageComparison(baseParameters, baseBytes, adapterParameters, adapterBytes, adapterCount);
    }
}
