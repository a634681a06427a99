using LlmSize.Core.Sources;
using System.Collections.Immutable;
using LlmSize.Core.Formats.PyTorch;
using LlmSize.Core.Models;

namespace LlmSize.Core.Formats.Peft;

/// <summary>
/// Reads a PEFT LoRA adapter folder: <c>adapter_config.json</c> plus <c>adapter_model.safetensors</c> (or
/// <c>adapter_model.bin</c>), and works out adapter parameters per module, the rank of each module from its shapes
/// (checked against <c>r</c> / <c>rank_pattern</c>), DoRA magnitude vectors and fully saved modules.
/// </summary>
/// <remarks>
/// Tensor naming: PEFT's <c>get_peft_model_state_dict</c> (peft/utils/save_and_load.py) saves
/// <c>base_model.model.&lt;module&gt;.lora_A.weight</c> [r, in], <c>….lora_B.weight</c> [out, r],
/// <c>….lora_embedding_A</c> [r, vocab], <c>….lora_embedding_B</c> [dim, r], <c>….lora_magnitude_vector</c> [out]
/// (DoRA, peft/tuners/lora/dora.py), <c>….lora_B.bias</c> (lora_bias), and modules_to_save copies under the
/// module's own name (the <c>modules_to_save.default</c> part removed). The tensor reader is passed in so this class
/// does not depend on the safetensors reader; <see cref="ReadPyTorchTensors"/> serves <c>adapter_model.bin</c>.
/// </remarks>
public static class PeftAdapterReader
{
    /// <summary>
    /// Reads the adapter in <paramref name="folder"/>, taking tensor descriptions from <paramref name="readTensors"/>
    /// (called once with the full path of <c>adapter_model.safetensors</c>, or of <c>adapter_model.bin</c> when no
    /// safetensors file exists).
    /// </summary>
    /// <param name="folder">The adapter folder.</param>
    /// <param name="readTensors">Returns the tensors of a weights file (e.g. the safetensors header reader).</param>
    /// <param name="options">Limits; null for defaults.</param>
    /// <returns>The adapter.</returns>
    /// <exception cref="ArgumentException"><paramref name="folder"/> is empty.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="readTensors"/> is null.</exception>
    /// <exception cref="DirectoryNotFoundException">The folder does not exist.</exception>
    /// <exception cref="ModelFormatException"><c>adapter_config.json</c> or the weights file missing
    /// (<see cref="ModelFormatError.MissingFile"/>); config not JSON (<see cref="ModelFormatError.InvalidJson"/>);
    /// r ≤ 0 (<see cref="ModelFormatError.InvalidValue"/>); a LoRA shape inconsistent with its partner or with the
    /// configured rank (<see cref="ModelFormatError.ShapeSizeMismatch"/>); an A without B or B without A
    /// (<see cref="ModelFormatError.MissingField"/>); errors of the weights reader.</exception>
    /// <exception cref="NotSupportedException">A PEFT method other than LoRA.</exception>
    public static PeftAdapter Read(string folder, Func<string, IReadOnlyList<TensorInfo>> readTensors, PeftReaderOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(folder);
        ArgumentNullException.ThrowIfNull(readTensors);
        options ??= PeftReaderOptions.Default;
        if (!Directory.Exists(folder)) throw new DirectoryNotFoundException($"Adapter folder '{folder}' does not exist.");

        var (configPath, weightsPath) = Locate(folder);
        var config = ReadConfig(configPath, options);
        var tensors = readTensors(weightsPath) ?? throw new InvalidOperationException("readTensors returned null.");
        return Analyze(folder, weightsPath, LocalFileGuard.GetLength(weightsPath), config, tensors, options);
    }

    /// <summary>Asynchronous <see cref="Read"/>: the config is read asynchronously; <paramref name="readTensors"/> is awaited.</summary>
    /// <param name="folder">The adapter folder.</param>
    /// <param name="readTensors">Returns the tensors of a weights file.</param>
    /// <param name="options">Limits; null for defaults.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The adapter.</returns>
    /// <exception cref="ModelFormatException">See <see cref="Read"/>.</exception>
    /// <exception cref="NotSupportedException">A PEFT method other than LoRA.</exception>
    public static async Task<PeftAdapter> ReadAsync(string folder, Func<string, CancellationToken, Task<IReadOnlyList<TensorInfo>>> readTensors,
        PeftReaderOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(folder);
        ArgumentNullException.ThrowIfNull(readTensors);
        options ??= PeftReaderOptions.Default;
        if (!Directory.Exists(folder)) throw new DirectoryNotFoundException($"Adapter folder '{folder}' does not exist.");
        var (configPath, weightsPath) = Locate(folder);
        long size = LocalFileGuard.GetLength(configPath);
        if (size > options.MaxConfigBytes)
            PeftThrowHelper.Throw(ModelFormatError.HeaderTooLarge, $"adapter config of {size} bytes exceeds the cap of {options.MaxConfigBytes}", configPath);
        byte[] json = await LocalFileGuard.ReadAllBytesAsync(configPath, options.MaxConfigBytes, cancellationToken).ConfigureAwait(false);
        var config = PeftAdapterConfig.Parse(json, configPath, options);
        var tensors = await readTensors(weightsPath, cancellationToken).ConfigureAwait(false);
        return Analyze(folder, weightsPath, LocalFileGuard.GetLength(weightsPath), config, tensors, options);
    }

    /// <summary>Tensor source for <c>adapter_model.bin</c>: the restricted PyTorch checkpoint reader (no pickle runs).</summary>
    /// <param name="path">Path of the .bin file.</param>
    /// <returns>Its tensors.</returns>
    /// <exception cref="ModelFormatException">See <see cref="PyTorchCheckpointReader.Read(string, PyTorchReaderOptions?)"/>.</exception>
    public static IReadOnlyList<TensorInfo> ReadPyTorchTensors(string path) => PyTorchCheckpointReader.Read(path).Tensors;

    /// <summary>Reads and parses <c>adapter_config.json</c>.</summary>
    /// <param name="configPath">Path of the config file.</param>
    /// <param name="options">Limits; null for defaults.</param>
    /// <returns>The config.</returns>
    /// <exception cref="ModelFormatException">See <see cref="PeftAdapterConfig.Parse"/>; over the size cap
    /// (<see cref="ModelFormatError.HeaderTooLarge"/>).</exception>
    public static PeftAdapterConfig ReadConfig(string configPath, PeftReaderOptions? options = null)
    {
        options ??= PeftReaderOptions.Default;
        long size = LocalFileGuard.GetLength(configPath);
        if (size > options.MaxConfigBytes)
            PeftThrowHelper.Throw(ModelFormatError.HeaderTooLarge, $"adapter config of {size} bytes exceeds the cap of {options.MaxConfigBytes}", configPath);
        return PeftAdapterConfig.Parse(LocalFileGuard.ReadAllBytes(configPath, options.MaxConfigBytes), configPath, options);
    }

    private static (string Config, string Weights) Locate(string folder)
    {
        string config = Path.Combine(folder, PeftConstants.ConfigFileName);
        if (!File.Exists(config))
            PeftThrowHelper.Throw(ModelFormatError.MissingFile, $"no {PeftConstants.ConfigFileName} in the adapter folder", folder, PeftConstants.ConfigFileName);
        string st = Path.Combine(folder, PeftConstants.SafetensorsFileName);
        string bin = Path.Combine(folder, PeftConstants.BinFileName);
        string weights = File.Exists(st) ? st : File.Exists(bin) ? bin
            : PeftThrowHelper.Throw<string>(ModelFormatError.MissingFile,
                $"no {PeftConstants.SafetensorsFileName} or {PeftConstants.BinFileName} in the adapter folder", folder, PeftConstants.SafetensorsFileName);
        return (config, weights);
    }

    private enum Part { A, B, BBias, Magnitude }

    private sealed class ModuleParts
    {
        public TensorInfo? A, B, BBias, Magnitude;
        public bool Embedding;
    }

    /// <summary>Splits the tensors into LoRA modules and saved modules and checks every shape against the config.</summary>
    internal static PeftAdapter Analyze(string folder, string weightsPath, long fileBytes, PeftAdapterConfig config,
        IReadOnlyList<TensorInfo> tensors, PeftReaderOptions options)
    {
        if (tensors.Count > options.MaxTensorCount)
            PeftThrowHelper.Throw(ModelFormatError.CountTooLarge, $"{tensors.Count} adapter tensors (cap {options.MaxTensorCount})", weightsPath);

        var lora = new Dictionary<string, ModuleParts>(StringComparer.Ordinal);
        var loraOrder = new List<string>();
        var saved = new Dictionary<string, List<TensorInfo>>(StringComparer.Ordinal);
        var savedOrder = new List<string>();
        foreach (var t in tensors)
        {
            string name = t.Name.StartsWith(PeftConstants.BaseModelPrefix, StringComparison.Ordinal) ? t.Name[PeftConstants.BaseModelPrefix.Length..] : t.Name;
            if (Classify(name, out string module, out Part part, out bool embedding))
            {
                if (!lora.TryGetValue(module, out var parts))
                {
                    lora[module] = parts = new ModuleParts();
                    loraOrder.Add(module);
                }

                parts.Embedding |= embedding;
                TensorInfo? existing = part switch { Part.A => parts.A, Part.B => parts.B, Part.BBias => parts.BBias, _ => parts.Magnitude };
                if (existing is not null) PeftThrowHelper.Throw(ModelFormatError.DuplicateKey, $"two {part} tensors for module '{module}'", weightsPath, t.Name);
                switch (part)
                {
                    case Part.A: parts.A = t; break;
                    case Part.B: parts.B = t; break;
                    case Part.BBias: parts.BBias = t; break;
                    default: parts.Magnitude = t; break;
                }
            }
            else
            {
                int dot = name.LastIndexOf('.');
                string mod = dot > 0 ? name[..dot] : name;
                if (!saved.TryGetValue(mod, out var list))
                {
                    saved[mod] = list = [];
                    savedOrder.Add(mod);
                }

                list.Add(t);
            }
        }

        var warnings = ImmutableArray.CreateBuilder<string>();
        var modules = ImmutableArray.CreateBuilder<PeftLoraModule>(loraOrder.Count);
        foreach (string module in loraOrder)
        {
            var p = lora[module];
            if (p.A is null || p.B is null)
            {
                var present = (p.A ?? p.B ?? p.Magnitude ?? p.BBias)!;
                PeftThrowHelper.Throw(ModelFormatError.MissingField,
                    $"module '{module}' has {(p.A is null ? "no lora_A" : "no lora_B")} tensor", weightsPath, present.Name);
            }

            if (p.A.Shape.Length < 2 || p.B.Shape.Length < 2)
                PeftThrowHelper.Throw(ModelFormatError.ShapeSizeMismatch,
                    $"LoRA tensors of '{module}' must have ≥ 2 dimensions (A {p.A.ShapeText}, B {p.B.ShapeText})", weightsPath, p.A.Name);
            long rankA = p.A.Shape[0], rankB = p.B.Shape[1];
            int expected = config.GetRank(module);
            if (rankA != rankB)
                PeftThrowHelper.Throw(ModelFormatError.ShapeSizeMismatch,
                    $"lora_A {p.A.ShapeText} has rank {rankA} but lora_B {p.B.ShapeText} has rank {rankB}", weightsPath, p.B.Name);
            if (rankA != expected)
                PeftThrowHelper.Throw(ModelFormatError.ShapeSizeMismatch,
                    $"lora_A {p.A.ShapeText} has rank {rankA} but the config gives r = {expected} for '{module}' (r / rank_pattern)", weightsPath, p.A.Name);
            long inFeatures = p.A.ElementCount / rankA;
            long outFeatures = p.B.Shape[0];
            long loraParams = checked(p.A.ElementCount + p.B.ElementCount);
            long magnitude = p.Magnitude?.ElementCount ?? 0;
            if (p.Magnitude is not null && magnitude != outFeatures)
                PeftThrowHelper.Throw(ModelFormatError.ShapeSizeMismatch,
                    $"DoRA magnitude {p.Magnitude.ShapeText} does not have out_features = {outFeatures} elements", weightsPath, p.Magnitude.Name);
            long bias = p.BBias?.ElementCount ?? 0;
            if (p.BBias is not null && bias != outFeatures)
                PeftThrowHelper.Throw(ModelFormatError.ShapeSizeMismatch,
                    $"lora_B bias {p.BBias.ShapeText} does not have out_features = {outFeatures} elements", weightsPath, p.BBias.Name);
            if (config.UseDora && p.Magnitude is null && !p.Embedding)
                warnings.Add($"use_dora is set but module '{module}' has no lora_magnitude_vector");
            if (!config.IsTargeted(module))
                warnings.Add($"module '{module}' carries LoRA weights but target_modules does not select it");
            long bytes = p.A.ByteLength + p.B.ByteLength + (p.Magnitude?.ByteLength ?? 0) + (p.BBias?.ByteLength ?? 0);
            modules.Add(new PeftLoraModule(module, (int)rankA, inFeatures, outFeatures, loraParams, magnitude, bias, bytes,
                config.GetScaling(module), p.Embedding));
        }

        var savedModules = savedOrder.Select(m => new PeftSavedModule(m, saved[m].Sum(t => t.ElementCount), saved[m].Sum(t => t.ByteLength),
            config.IsModuleToSave(m), [.. saved[m].Select(t => t.Name)])).ToImmutableArray();

        return new PeftAdapter
        {
            Folder = folder,
            WeightsPath = weightsPath,
            WeightsFileBytes = fileBytes,
            Config = config,
            Tensors = [.. tensors],
            LoraModules = modules.ToImmutable(),
            SavedModules = savedModules,
            Warnings = warnings.ToImmutable(),
        };
    }

    private static bool Classify(string name, out string module, out Part part, out bool embedding)
    {
        ReadOnlySpan<(string Suffix, Part Part, bool Embedding)> rules =
        [
            (".lora_A.weight", Part.A, false),
            (".lora_B.weight", Part.B, false),
            (".lora_B.bias", Part.BBias, false),
            (".lora_embedding_A", Part.A, true),
            (".lora_embedding_B", Part.B, true),
            (".lora_magnitude_vector.weight", Part.Magnitude, false),
            (".lora_magnitude_vector", Part.Magnitude, false),
        ];
        foreach (var (suffix, p, e) in rules)
        {
            if (name.EndsWith(suffix, StringComparison.Ordinal) && name.Length > suffix.Length)
            {
                module = name[..^suffix.Length];
                part = p;
                embedding = e;
                return true;
            }
        }

        module = string.Empty;
        part = default;
        embedding = false;
        return false;
    }
}
