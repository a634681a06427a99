using LlmSize.Core.Sources;
using System.Collections.Immutable;
using LlmSize.Core.Formats.Peft;
using LlmSize.Core.Formats.Safetensors;
using LlmSize.Core.Models;
using LlmSize.Core.Precision;

namespace LlmSize.Core.Compression.Lora;

/// <summary>One merged module.</summary>
/// <param name="ModulePath">Adapter module path (without <c>base_model.model.</c>).</param>
/// <param name="BaseTensor">Base tensor updated.</param>
/// <param name="Rank">r of this module (from the shapes; the config's r / rank_pattern agrees, the reader checks).</param>
/// <param name="Scaling">alpha/r, or alpha/√r with rsLoRA, with alpha_pattern / rank_pattern applied.</param>
/// <param name="Transposed">True when fan_in_fan_out: the base stores [in, out] and (B·A)ᵀ was added.</param>
public sealed record LoraMergedModule(string ModulePath, string BaseTensor, int Rank, double Scaling, bool Transposed);

/// <summary>The outcome of a merge.</summary>
/// <param name="Output">Output path.</param>
/// <param name="Modules">Merged modules.</param>
/// <param name="ReplacedTensors">Base tensors replaced by the adapter's full copies (modules_to_save).</param>
/// <param name="AddedTensors">Tensors the base lacked and the adapter supplied (e.g. a classification head).</param>
/// <param name="TensorCount">Tensors written.</param>
/// <param name="OutputBytes">Bytes written.</param>
public sealed record LoraMergeReport(string Output, ImmutableArray<LoraMergedModule> Modules, ImmutableArray<string> ReplacedTensors,
    ImmutableArray<string> AddedTensors, int TensorCount, long OutputBytes);

/// <summary>
/// Merges a PEFT LoRA adapter into its base model: W' = W + scaling · B·A for every adapted linear module
/// (peft/tuners/lora/layer.py <c>Linear.merge</c> / <c>get_delta_weight</c>), with <c>fan_in_fan_out</c> (GPT-2
/// Conv1D stores W as [in, out], so (B·A)ᵀ is added), rsLoRA (alpha/√r) and rank_pattern / alpha_pattern honoured;
/// modules_to_save copies replace the base tensor (or are added when the base lacks it). Written as safetensors
/// tensor by tensor (memory: one tensor at a time), atomically; the inputs are never overwritten.
/// </summary>
public static class LoraMerger
{
    /// <summary>Merges.</summary>
    /// <param name="basePath">Base model: one safetensors (or F32/F16/BF16 GGUF) file.</param>
    /// <param name="adapterFolder">PEFT adapter folder (adapter_config.json + adapter_model.safetensors).</param>
    /// <param name="outputPath">Output safetensors path.</param>
    /// <param name="overwrite">Replace an existing output.</param>
    /// <param name="cancellationToken">Cancels between tensors (no partial output remains).</param>
    /// <returns>The report.</returns>
    /// <exception cref="ModelFormatException">The adapter does not match the base (<see cref="ModelFormatError.ShapeSizeMismatch"/>: shapes;
    /// <see cref="ModelFormatError.MissingField"/>: no base tensor for a module), a NaN/Inf in A or B (<see cref="ModelFormatError.InvalidValue"/>), or malformed files.</exception>
    /// <exception cref="NotSupportedException">DoRA, LoRA on embeddings or convolutions, lora_bias, a PyTorch .bin adapter, or a dtype other than F32/F16/BF16.</exception>
    /// <exception cref="ArgumentException">The output is one of the inputs.</exception>
    /// <exception cref="IOException">Writing failed (disk full); nothing is left behind.</exception>
    public static LoraMergeReport Merge(string basePath, string adapterFolder, string outputPath, bool overwrite = false,
        CancellationToken cancellationToken = default) =>
        MergeCore(basePath, adapterFolder, outputPath, overwrite, null, cancellationToken);

    internal static LoraMergeReport MergeCore(string basePath, string adapterFolder, string outputPath, bool overwrite,
        Func<Stream, Stream>? wrap, CancellationToken cancellationToken)
    {
        var baseFile = TensorFile.Open(basePath);
        var adapter = PeftAdapterReader.Read(adapterFolder, p =>
            p.EndsWith(".safetensors", StringComparison.OrdinalIgnoreCase)
                ? SafetensorsReader.Read(p).Tensors
                : throw new NotSupportedException($"Merging reads safetensors adapters only; '{p}' is a PyTorch file."));
        var cfg = adapter.Config;
        if (cfg.UseDora) throw new NotSupportedException("DoRA adapters (use_dora) are not merged: the magnitude re-normalisation is not implemented.");
        SafetensorsWriter.CheckOutputPath(outputPath, overwrite, [baseFile.FilePath, adapter.WeightsPath]);

        var baseByName = baseFile.Tensors.Select((t, i) => (t, i)).ToDictionary(x => x.t.Name, x => x.i, StringComparer.Ordinal);
        var adapterByName = adapter.Tensors.ToDictionary(t => Strip(t.Name), StringComparer.Ordinal);
        var plans = new Dictionary<int, (PeftLoraModule Module, TensorInfo A, TensorInfo B, double Scaling)>();
        var merged = new List<LoraMergedModule>();
        foreach (var m in adapter.LoraModules)
        {
            if (m.IsEmbedding) throw new NotSupportedException($"LoRA on the embedding '{m.ModulePath}' is not merged (only linear modules).");
            if (m.BiasParameters > 0) throw new NotSupportedException($"Module '{m.ModulePath}' has a lora_B bias (lora_bias); not merged.");
            var a = Find(adapterByName, m.ModulePath, "lora_A");
            var b = Find(adapterByName, m.ModulePath, "lora_B");
            if (a.Shape.Length != 2 || b.Shape.Length != 2)
                throw new NotSupportedException($"Module '{m.ModulePath}': lora_A {a.ShapeText} / lora_B {b.ShapeText} are not matrices (convolution LoRA is not merged).");
            int index = ResolveBase(baseByName, m.ModulePath + ".weight", baseFile.FilePath);
            var w = baseFile.Tensors[index];
            long inF = a.Shape[1], outF = b.Shape[0];
            long[] expected = cfg.FanInFanOut ? [inF, outF] : [outF, inF];
            if (w.Shape.Length != 2 || w.Shape[0] != expected[0] || w.Shape[1] != expected[1])
            {
                throw new ModelFormatException(ModelFormatError.ShapeSizeMismatch,
                    $"adapter module '{m.ModulePath}' (lora_A {a.ShapeText}, lora_B {b.ShapeText}, fan_in_fan_out {cfg.FanInFanOut.ToString().ToLowerInvariant()}) "
                    + $"needs base '{w.Name}' of [{expected[0]}, {expected[1]}] but it is {w.ShapeText}; is this the adapter's base model?",
                    baseFile.FilePath, w.DataOffset, w.Name);
            }

            foreach (var t in new[] { w, a, b })
            {
                if (!FloatTensorCodec.IsSupported(t.DataType)) throw new NotSupportedException($"Tensor '{t.Name}' is {t.DataType}; merging needs F32, F16 or BF16.");
            }

            double scaling = cfg.GetScaling(m.ModulePath);
            if (!plans.TryAdd(index, (m, a, b, scaling)))
                throw new ModelFormatException(ModelFormatError.DuplicateKey, $"two adapter modules map to base tensor '{w.Name}'.", adapter.WeightsPath, field: w.Name);
            merged.Add(new LoraMergedModule(m.ModulePath, w.Name, (int)a.Shape[0], scaling, cfg.FanInFanOut));
        }

        // modules_to_save (and trained biases) stored in full: replace the base tensor, or add it.
        var replace = new Dictionary<int, TensorInfo>();
        var added = new List<TensorInfo>();
        var addedNames = new List<string>();
        foreach (var saved in adapter.SavedModules)
        {
            foreach (string tn in saved.TensorNames)
            {
                var t = adapter.Tensors.First(x => x.Name == tn);
                string target = Strip(tn).Replace(".modules_to_save.default", string.Empty, StringComparison.Ordinal);
                int? i = TryResolveBase(baseByName, target);
                if (i is { } idx)
                {
                    var bt = baseFile.Tensors[idx];
                    if (!bt.Shape.SequenceEqual(t.Shape))
                        throw new ModelFormatException(ModelFormatError.ShapeSizeMismatch,
                            $"modules_to_save tensor '{tn}' is {t.ShapeText} but base '{bt.Name}' is {bt.ShapeText}.", adapter.WeightsPath, field: tn);
                    if (!FloatTensorCodec.IsSupported(t.DataType) || !FloatTensorCodec.IsSupported(bt.DataType))
                        throw new NotSupportedException($"Tensor '{tn}' is {t.DataType}; merging needs F32, F16 or BF16.");
                    replace[idx] = t;
                }
                else
                {
                    added.Add(t with { });
                    addedNames.Add(target);
                }
            }
        }

        var specs = baseFile.Tensors.Select(t => new SafetensorsTensorSpec(t.Name, t.DataType, t.Shape))
            .Concat(added.Select((t, k) => new SafetensorsTensorSpec(addedNames[k], t.DataType, t.Shape)))
            .ToList();
        var metadata = new Dictionary<string, string>(baseFile.Metadata)
        {
            ["llmsize.lora_merge"] = $"{Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(adapterFolder)))}: r={cfg.Rank}, alpha={cfg.LoraAlpha}, rslora={cfg.UseRsLora}, {merged.Count} modules",
        };
        if (!metadata.ContainsKey("format")) metadata["format"] = "pt";

        using var baseHandle = LocalFileGuard.OpenHandle(baseFile.FilePath);
        using var adapterHandle = LocalFileGuard.OpenHandle(adapter.WeightsPath);
        var adapterFile = new AdapterData(adapter.WeightsPath);
        int baseCount = baseFile.Tensors.Count;
        long written = SafetensorsWriter.WriteFileCore(outputPath, specs, (i, dest) =>
        {
            if (i >= baseCount)
            {
                var t = added[i - baseCount];
                byte[] copy = new byte[t.ByteLength];
                adapterFile.Read(adapterHandle, t, copy);
                dest.Write(copy);
                return;
            }

            var w = baseFile.Tensors[i];
            byte[] raw = new byte[w.ByteLength];
            if (replace.TryGetValue(i, out var src))
            {
                byte[] srcRaw = new byte[src.ByteLength];
                adapterFile.Read(adapterHandle, src, srcRaw);
                var values = new float[src.ElementCount];
                FloatTensorCodec.Decode(src.DataType, srcRaw, values);
                FloatTensorCodec.Encode(w.DataType, values, raw);
            }
            else
            {
                baseFile.ReadRaw(baseHandle, w, raw);
                if (plans.TryGetValue(i, out var plan))
                {
                    var values = new float[w.ElementCount];
                    FloatTensorCodec.Decode(w.DataType, raw, values);
                    float[] a = ReadFloats(adapterFile, adapterHandle, plan.A);
                    float[] b = ReadFloats(adapterFile, adapterHandle, plan.B);
                    AddDelta(values, a, b, (int)plan.A.Shape[0], (int)plan.A.Shape[1], (int)plan.B.Shape[0], plan.Scaling, cfg.FanInFanOut);
                    FloatTensorCodec.Encode(w.DataType, values, raw);
                }
            }

            dest.Write(raw);
        }, metadata, overwrite, [baseFile.FilePath, adapter.WeightsPath], wrap, cancellationToken);

        return new LoraMergeReport(Path.GetFullPath(outputPath), [.. merged], [.. replace.Values.Select(t => t.Name)], [.. addedNames], specs.Count, written);
    }

    /// <summary>
    /// Adds scaling · B·A to <paramref name="w"/>: row-major W [out, in], or W [in, out] (transposed) with fan_in_fan_out.
    /// </summary>
    /// <param name="w">Base weights, modified.</param>
    /// <param name="a">A [rank, in], row-major.</param>
    /// <param name="b">B [out, rank], row-major.</param>
    /// <param name="rank">r.</param>
    /// <param name="inFeatures">in.</param>
    /// <param name="outFeatures">out.</param>
    /// <param name="scaling">Factor.</param>
    /// <param name="transposed">W is [in, out].</param>
    internal static void AddDelta(float[] w, float[] a, float[] b, int rank, int inFeatures, int outFeatures, double scaling, bool transposed)
    {
        var row = new double[inFeatures];
        for (int o = 0; o < outFeatures; o++)
        {
            Array.Clear(row);
            for (int k = 0; k < rank; k++)
            {
                double bk = b[o * rank + k];
                if (bk == 0) continue;
                int ak = k * inFeatures;
                for (int i = 0; i < inFeatures; i++) row[i] += bk * a[ak + i];
            }

            if (transposed)
            {
                for (int i = 0; i < inFeatures; i++) w[(long)i * outFeatures + o] = (float)(w[(long)i * outFeatures + o] + scaling * row[i]);
            }
            else
            {
                long at = (long)o * inFeatures;
                for (int i = 0; i < inFeatures; i++) w[at + i] = (float)(w[at + i] + scaling * row[i]);
            }
        }
    }

    private static float[] ReadFloats(AdapterData file, Microsoft.Win32.SafeHandles.SafeFileHandle handle, TensorInfo t)
    {
        byte[] raw = new byte[t.ByteLength];
        file.Read(handle, t, raw);
        var v = new float[t.ElementCount];
        FloatTensorCodec.Decode(t.DataType, raw, v);
        for (int i = 0; i < v.Length; i++)
        {
            if (!float.IsFinite(v[i]))
                throw new ModelFormatException(ModelFormatError.InvalidValue, $"adapter tensor '{t.Name}' holds {v[i]} at element {i}; refusing to merge it.", file.Path, field: t.Name);
        }

        return v;
    }

    private static string Strip(string name) => name.StartsWith("base_model.model.", StringComparison.Ordinal) ? name["base_model.model.".Length..] : name;

    private static TensorInfo Find(Dictionary<string, TensorInfo> byName, string module, string part) =>
        byName.TryGetValue($"{module}.{part}.weight", out var t) || byName.TryGetValue($"{module}.{part}.default.weight", out t)
            ? t
            : throw new ModelFormatException(ModelFormatError.MissingField, $"adapter module '{module}' has no {part} tensor.", field: module);

    /// <summary>Base tensor for a module's weight: the name as is, without its first component ("transformer.", "model."), or with "model." added.</summary>
    private static int? TryResolveBase(Dictionary<string, int> baseByName, string name)
    {
        if (baseByName.TryGetValue(name, out int i)) return i;
        int dot = name.IndexOf('.');
        if (dot > 0 && baseByName.TryGetValue(name[(dot + 1)..], out i)) return i;
        if (baseByName.TryGetValue("model." + name, out i)) return i;
        if (baseByName.TryGetValue("transformer." + name, out i)) return i;
        return null;
    }

    private static int ResolveBase(Dictionary<string, int> baseByName, string name, string file) =>
        TryResolveBase(baseByName, name) ?? throw new ModelFormatException(ModelFormatError.MissingField,
            $"the base has no tensor for adapter weight '{name}' (also tried without its first component and with model./transformer. prefixes); is this the adapter's base model?",
            file, field: name);

    /// <summary>Reads adapter tensor bytes at their offsets.</summary>
    private sealed class AdapterData(string path)
    {
        public string Path { get; } = path;

        public void Read(Microsoft.Win32.SafeHandles.SafeFileHandle handle, TensorInfo t, Span<byte> buffer)
        {
            long offset = t.DataOffset ?? throw new ModelFormatException(ModelFormatError.MissingField, $"Tensor '{t.Name}' has no data offset.", Path, field: t.Name);
            int done = 0;
            while (done < t.ByteLength)
            {
                int n = RandomAccess.Read(handle, buffer[done..(int)t.ByteLength], offset + done);
                if (n == 0) throw new ModelFormatException(ModelFormatError.OffsetOutOfRange, $"File ends inside tensor '{t.Name}'.", Path, offset + done, t.Name);
                done += n;
            }
        }
    }
}
