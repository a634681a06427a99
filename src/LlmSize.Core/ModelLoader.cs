using LlmSize.Core.Sources;
using System.Text.Json;
using LlmSize.Core.Formats.Gguf;
using LlmSize.Core.Formats.HfConfig;
using LlmSize.Core.Formats.MediaPipe;
using LlmSize.Core.Formats.Onnx;
using LlmSize.Core.Formats.Peft;
using LlmSize.Core.Formats.PyTorch;
using LlmSize.Core.Formats.Safetensors;
using LlmSize.Core.Formats.Tflite;
using LlmSize.Core.Models;
using LlmSize.Core.Models.Architectures;
using LlmSize.Core.Models.Catalog;

namespace LlmSize.Core;

/// <summary>The model named by the user was not found as a file, a folder or a catalog entry.</summary>
/// <param name="message">What was looked for and the nearest catalog names.</param>
public sealed class ModelNotFoundException(string message) : ArgumentException(message);

/// <summary>
/// Turns what a user names — a model file, a model folder, or a built-in catalog name — into a
/// <see cref="ModelInventory"/>, choosing the reader by file name and magic bytes. Reads headers only.
/// </summary>
/// <remarks>
/// Files: <c>*.safetensors</c>, <c>model.safetensors.index.json</c>, <c>*.gguf</c> (split parts too),
/// <c>config.json</c>, <c>*.onnx</c>, <c>*.tflite</c> and MediaPipe <c>.bin</c>, <c>*.task</c>, PyTorch
/// <c>pytorch_model.bin</c> / <c>*.pt</c> / <c>*.pth</c> and <c>pytorch_model.bin.index.json</c>. Folders: a PEFT
/// adapter (<c>adapter_config.json</c>), a sharded safetensors or PyTorch index, single weight files, GGUF files, a
/// Transformers.js layout (<c>onnx/</c>), or a bare <c>config.json</c>; a <c>config.json</c> beside weights supplies
/// the architecture.
/// </remarks>
public static class ModelLoader
{
    /// <summary>Loads a file, folder or catalog model.</summary>
    /// <param name="pathOrName">A path, or a catalog id / alias ("gemma-2b", "google/gemma-2b-it") or a WebLLM model id
    /// ("Llama-3.2-1B-Instruct-q4f16_1-MLC": the catalog entry of its base model, with the WebLLM id and
    /// quantization in <see cref="ModelInventory.Metadata"/> under <see cref="WebLlmModelIdKey"/> and
    /// <see cref="WebLlmQuantizationKey"/>).</param>
    /// <param name="catalog">Catalog to search; null = <see cref="ModelCatalog.Default"/>.</param>
    /// <returns>The inventory.</returns>
    /// <exception cref="ModelNotFoundException">Neither a path nor a catalog name.</exception>
    /// <exception cref="ModelFormatException">A file is malformed (names the file and offset/field).</exception>
    /// <exception cref="NotSupportedException">A valid file of a kind LlmSize does not read yet.</exception>
    public static ModelInventory Load(string pathOrName, ModelCatalog? catalog = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(pathOrName);
        if (File.Exists(pathOrName)) return LoadFile(Path.GetFullPath(pathOrName));
        if (Directory.Exists(pathOrName)) return LoadFolder(Path.GetFullPath(pathOrName));
        catalog ??= ModelCatalog.Default;
        if (catalog.TryFind(pathOrName, out var entry, out string? webLlmQuantization))
        {
            return webLlmQuantization is null ? FromCatalog(entry) : FromCatalog(entry, pathOrName.Trim(), webLlmQuantization);
        }

        if (LooksLikePath(pathOrName))
        {
            throw new ModelNotFoundException($"{pathOrName}: no such file or folder");
        }

        var near = catalog.SuggestNearest(pathOrName, 3);
        throw new ModelNotFoundException(
            $"'{pathOrName}' is not a file, a folder or a model of the built-in catalog"
            + (near.Count > 0 ? $"; did you mean {string.Join(", ", near.Select(e => e.Id))}?" : "; see the catalog with 'llmsize models'"));
    }

    /// <summary><see cref="ModelInventory.Metadata"/> key of the WebLLM model id a catalog model was named by.</summary>
    public const string WebLlmModelIdKey = "webllm.model_id";

    /// <summary><see cref="ModelInventory.Metadata"/> key of the WebLLM quantization (e.g. "q4f16_1") of the WebLLM
    /// model id a catalog model was named by; a format name of the WebLLM runtime.</summary>
    public const string WebLlmQuantizationKey = "webllm.quantization";

    /// <summary>Builds the inventory of a catalog entry: its architecture from the stored config, no files.</summary>
    /// <param name="entry">Catalog entry.</param>
    /// <returns>The inventory (no tensors; <see cref="ModelInventory.SizeDisclosed"/> false for undisclosed models).</returns>
    public static ModelInventory FromCatalog(CatalogEntry entry) => FromCatalog(entry, null, null);

    /// <summary>The inventory of a catalog entry, named by a WebLLM model id when <paramref name="webLlmModelId"/> is
    /// given (its id and quantization go to the metadata).</summary>
    private static ModelInventory FromCatalog(CatalogEntry entry, string? webLlmModelId, string? webLlmQuantization)
    {
        ArgumentNullException.ThrowIfNull(entry);
        ModelArchitecture? arch = entry.Config is { } config ? HfConfigReader.Parse(config, $"catalog:{entry.Id}") : null;
        string note = entry.Note ?? $"built-in catalog entry; config from {entry.Source}";
        var metadata = new Dictionary<string, string> { ["publisher"] = entry.Publisher, ["source"] = entry.Source };
        if (webLlmModelId is not null && webLlmQuantization is not null)
        {
            metadata[WebLlmModelIdKey] = webLlmModelId;
            metadata[WebLlmQuantizationKey] = webLlmQuantization;
            note = $"WebLLM model {webLlmModelId} ({webLlmQuantization}) has the shapes of {entry.Id}; {note}";
        }

        return new ModelInventory(entry.Id, ModelFileFormat.Catalog, [], [])
        {
            Architecture = arch,
            ModelName = entry.DisplayName,
            SizeDisclosed = entry.Disclosed,
            PublishedParameters = entry.PublishedParameters,
            PublishedParametersSource = entry.ParameterSource,
            Note = note,
            Metadata = metadata,
        };
    }

    private static ModelInventory LoadFile(string path)
    {
        string name = Path.GetFileName(path);
        string lower = name.ToLowerInvariant();
        string? folder = Path.GetDirectoryName(path);
        if (lower.EndsWith(".safetensors.index.json", StringComparison.Ordinal)) return FromSafetensorsIndex(path);
        if (lower.EndsWith(".bin.index.json", StringComparison.Ordinal)) return FromPyTorch(PyTorchCheckpointReader.ReadIndexed(path), path);
        if (lower == "adapter_config.json") return FromPeft(folder!);
        if (lower.EndsWith(".json", StringComparison.Ordinal))
        {
            var arch = HfConfigReader.Read(path);
            return new ModelInventory(path, ModelFileFormat.HfConfig, [], [])
            {
                Architecture = arch,
                ModelName = NameFromFolder(folder) ?? name,
                Note = "config.json only: hyper-parameters, no weights; the count is analytic",
            };
        }

        Span<byte> head = stackalloc byte[16];
        int n;
        using (var fs = LocalFileGuard.OpenRead(path)) n = fs.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        head = head[..n];
        if (lower.EndsWith(".gguf", StringComparison.Ordinal) || GgufFormatDetector.IsGguf(head)) return FromGguf(path);
        if (lower.EndsWith(".safetensors", StringComparison.Ordinal) || SafetensorsFormatDetector.IsSafetensors(head))
        {
            return FromSafetensors(path, ConfigBeside(folder));
        }

        if (lower.EndsWith(".onnx", StringComparison.Ordinal)) return FromOnnx(path);
        if (lower.EndsWith(".tflite", StringComparison.Ordinal) || TfliteFormatDetector.IsTflite(head)) return FromTflite(path);
        if (lower.EndsWith(".task", StringComparison.Ordinal)) return FromMediaPipeTask(path);
        if (PyTorchCheckpointReader.IsZipCheckpointCandidate(head) || PyTorchCheckpointReader.IsLegacyCheckpoint(head)
            || lower.EndsWith(".bin", StringComparison.Ordinal) || lower.EndsWith(".pt", StringComparison.Ordinal)
            || lower.EndsWith(".pth", StringComparison.Ordinal))
        {
            return FromPyTorch(PyTorchCheckpointReader.Read(path), path);
        }

        throw new NotSupportedException($"{path}: not a format LlmSize reads (safetensors, GGUF, ONNX, TFLite/MediaPipe, PyTorch, config.json)");
    }

    private static ModelInventory LoadFolder(string folder)
    {
        if (File.Exists(Path.Combine(folder, "adapter_config.json"))) return FromPeft(folder);
        string index = Path.Combine(folder, "model.safetensors.index.json");
        if (File.Exists(index)) return FromSafetensorsIndex(index);
        string ptIndex = Path.Combine(folder, "pytorch_model.bin.index.json");
        if (File.Exists(ptIndex)) return FromPyTorch(PyTorchCheckpointReader.ReadIndexed(ptIndex), ptIndex);
        var safetensors = Directory.GetFiles(folder, "*.safetensors").OrderBy(p => p, StringComparer.Ordinal).ToArray();
        if (safetensors.Length == 1) return FromSafetensors(safetensors[0], ConfigBeside(folder));
        if (safetensors.Length > 1)
        {
            throw new NotSupportedException($"{folder}: {safetensors.Length} safetensors files but no model.safetensors.index.json; name one file");
        }

        var gguf = Directory.GetFiles(folder, "*.gguf").OrderBy(p => p, StringComparer.Ordinal).ToArray();
        if (gguf.Length >= 1)
        {
            var first = gguf.FirstOrDefault(p => p.Contains("-00001-of-", StringComparison.Ordinal)) ?? gguf[0];
            if (gguf.Length > 1 && !first.Contains("-00001-of-", StringComparison.Ordinal))
            {
                throw new NotSupportedException($"{folder}: {gguf.Length} GGUF files (several quantizations?); name one file");
            }

            return FromGguf(first);
        }

        if (Directory.Exists(Path.Combine(folder, "onnx")) || Directory.GetFiles(folder, "*.onnx").Length > 0) return FromTransformersJs(folder);
        string single = Path.Combine(folder, "pytorch_model.bin");
        if (File.Exists(single)) return LoadFile(single);
        string config = Path.Combine(folder, "config.json");
        if (File.Exists(config)) return LoadFile(config);
        throw new ModelNotFoundException($"{folder}: no model files found (safetensors, GGUF, config.json)");
    }

    private static ModelInventory FromSafetensors(string path, ModelArchitecture? arch)
    {
        var file = SafetensorsReader.Read(path);
        return new ModelInventory(path, ModelFileFormat.Safetensors, [new ModelFile(path, file.FileLength)], file.Tensors)
        {
            Metadata = file.Metadata,
            Architecture = arch,
            ModelName = NameOf(path),
        };
    }

    private static ModelInventory FromSafetensorsIndex(string indexPath)
    {
        var model = SafetensorsReader.ReadIndexedModel(indexPath);
        string? folder = Path.GetDirectoryName(indexPath);
        var files = new List<ModelFile> { new(indexPath, new FileInfo(indexPath).Length) };
        files.AddRange(model.Files.Select(f => new ModelFile(f.FilePath!, f.FileLength)));
        return new ModelInventory(indexPath, ModelFileFormat.Safetensors, files, model.Tensors)
        {
            Architecture = ConfigBeside(folder),
            ModelName = NameFromFolder(folder),
            Warnings = model.Warnings,
        };
    }

    private static ModelInventory FromGguf(string path)
    {
        var file = path.Contains("-of-", StringComparison.Ordinal) ? GgufReader.ReadSplit(path) : GgufReader.Read(path);
        var parts = file.Parts.Count > 0 ? file.Parts : [file];
        var files = parts.Select(p => new ModelFile(p.FilePath ?? path, p.FileLength ?? new FileInfo(p.FilePath ?? path).Length)).ToList();
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in file.Metadata)
        {
            if (key.StartsWith("tokenizer.", StringComparison.Ordinal) && key != "tokenizer.ggml.model") continue;
            metadata[key] = value.ToString() ?? string.Empty;
        }

        ModelArchitecture? arch = null;
        var warnings = new List<string>();
        try
        {
            var read = GgufArchitecture.ToModelArchitecture(file);
            GgufArchitecture.Check(file, read);
            arch = read;
        }
        catch (ModelFormatException ex) when (ex.Error == ModelFormatError.MissingField)
        {
            warnings.Add("no architecture hyper-parameters: " + ex.Detail);
        }

        return new ModelInventory(path, ModelFileFormat.Gguf, files, file.Tensors)
        {
            Metadata = metadata,
            Architecture = arch,
            ModelName = file.TryGetString("general.name", out string n) ? n : Path.GetFileNameWithoutExtension(path),
            Warnings = warnings,
        };
    }

    private static ModelInventory FromOnnx(string path)
    {
        var model = OnnxReader.Read(path);
        string? folder = Path.GetDirectoryName(path);
        var files = new List<ModelFile> { new(path, model.FileLength) };
        files.AddRange(model.ExternalDataFiles.Select(f => new ModelFile(f, new FileInfo(f).Length)));
        return new ModelInventory(path, ModelFileFormat.Onnx, files, OnnxTensors(model))
        {
            Architecture = ConfigBeside(folder) ?? ConfigBeside(Path.GetDirectoryName(folder)),
            ModelName = Path.GetFileNameWithoutExtension(path),
            Metadata = OnnxMetadata(model),
        };
    }

    private static ModelInventory FromTransformersJs(string folder)
    {
        var repo = TransformersJsRepository.Read(folder);
        if (repo.Variants.Length == 0) throw new ModelNotFoundException($"{folder}: no ONNX files of a Transformers.js dtype found");
        var main = repo.Variants.FirstOrDefault(v => v.Dtype == "fp32" && v.IsComplete) ?? repo.Variants.First(v => v.IsComplete || v == repo.Variants[^1]);
        var files = main.Sessions.SelectMany(s => new[] { s.ModelFile }.Concat(s.DataFiles))
            .Select(f => new ModelFile(f, new FileInfo(f).Length)).ToList();
        var variants = repo.Variants.Select(v => new ModelVariant(v.Dtype, v.DownloadBytes, v.ParameterCount, v.IsComplete,
            v.Sessions.SelectMany(s => new[] { s.ModelFile }.Concat(s.DataFiles)).Select(f => Path.GetRelativePath(folder, f)).ToList())).ToList();
        return new ModelInventory(folder, ModelFileFormat.Onnx, files, main.Sessions.SelectMany(s => OnnxTensors(s.Model)).ToList())
        {
            Architecture = ConfigBeside(folder),
            ModelName = NameFromFolder(folder),
            Variants = variants,
            Metadata = OnnxMetadata(main.Sessions[0].Model),
            Note = $"Transformers.js repository: counted dtype '{main.Dtype}'; every dtype's exact download is listed under variants",
        };
    }

    private static List<TensorInfo> OnnxTensors(OnnxModelInfo model) => model.Tensors.Select(t => t.Info with
    {
        RoleHint = t.Role switch
        {
            OnnxTensorRole.Weight => TensorRole.Parameter,
            OnnxTensorRole.QuantizationScale or OnnxTensorRole.ZeroPoint => TensorRole.QuantizationAuxiliary,
            _ => TensorRole.Buffer,
        },
    }).ToList();

    private static Dictionary<string, string> OnnxMetadata(OnnxModelInfo m)
    {
        var d = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["ir_version"] = m.IrVersion.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["producer"] = $"{m.ProducerName} {m.ProducerVersion}".Trim(),
            ["graph"] = m.GraphName,
            ["opsets"] = string.Join(", ", m.OpsetImports.Select(o => o.ToString())),
            ["nodes"] = m.NodeCount.ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        foreach (var (k, v) in m.MetadataProps) d["meta." + k] = v;
        return d;
    }

    private static ModelInventory FromTflite(string path)
    {
        var model = TfliteReader.Read(path);
        return new ModelInventory(path, ModelFileFormat.Tflite, [new ModelFile(path, model.FileLength)], model.ToTensorInfos())
        {
            ModelName = Path.GetFileNameWithoutExtension(path),
            Metadata = new Dictionary<string, string>
            {
                ["schema version"] = model.SchemaVersion.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["description"] = model.Description ?? string.Empty,
                ["operators"] = string.Join(", ", model.OperatorCodes.Select(o => o.ToString()).Distinct().Take(12)),
            },
        };
    }

    private static ModelInventory FromMediaPipeTask(string path)
    {
        var task = MediaPipeTaskReader.Read(path);
        var tensors = task.Models.SelectMany(m => m.ToTensorInfos()).ToArray();
        var metadata = task.Entries.ToDictionary(e => "entry " + e.Name, e => $"{e.Kind}, {e.Length:N0} bytes", StringComparer.Ordinal);
        return new ModelInventory(path, ModelFileFormat.MediaPipeTask, [new ModelFile(path, task.DownloadBytes)], tensors)
        {
            ModelName = Path.GetFileNameWithoutExtension(path),
            Metadata = metadata,
        };
    }

    private static ModelInventory FromPyTorch(PyTorchCheckpoint checkpoint, string source)
    {
        string? folder = Path.GetDirectoryName(source);
        var files = checkpoint.Files.Select(f => new ModelFile(f, new FileInfo(f).Length)).ToList();
        if (checkpoint.IndexPath is { } idx) files.Insert(0, new ModelFile(idx, new FileInfo(idx).Length));
        return new ModelInventory(source, ModelFileFormat.PyTorch, files, checkpoint.Tensors)
        {
            Architecture = ConfigBeside(folder),
            ModelName = NameOf(source),
        };
    }

    private static ModelInventory FromPeft(string folder)
    {
        var adapter = PeftAdapterReader.Read(folder, file => file.EndsWith(".bin", StringComparison.OrdinalIgnoreCase)
            ? PeftAdapterReader.ReadPyTorchTensors(file)
            : SafetensorsReader.Read(file).Tensors);
        var files = new List<ModelFile>
        {
            new(Path.Combine(folder, "adapter_config.json"), new FileInfo(Path.Combine(folder, "adapter_config.json")).Length),
            new(adapter.WeightsPath, adapter.WeightsFileBytes > 0 ? adapter.WeightsFileBytes : new FileInfo(adapter.WeightsPath).Length),
        };
        var c = adapter.Config;
        return new ModelInventory(folder, ModelFileFormat.PeftAdapter, files, adapter.Tensors)
        {
            ModelName = NameFromFolder(folder),
            Warnings = adapter.Warnings,
            Adapter = new LoraAdapterSummary(adapter.BaseModel, c.Rank, c.LoraAlpha, adapter.AdaptedModuleNames,
                adapter.LoraParameters + adapter.MagnitudeParameters + adapter.LoraBiasParameters, adapter.SavedModuleParameters),
            Metadata = new Dictionary<string, string>
            {
                ["peft_type"] = c.PeftType,
                ["base model"] = adapter.BaseModel ?? "(not named)",
                ["r"] = c.Rank.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["lora_alpha"] = c.LoraAlpha.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["target modules"] = string.Join(", ", adapter.AdaptedModuleNames),
                ["task"] = c.TaskType ?? string.Empty,
            },
        };
    }

    private static bool LooksLikePath(string text) =>
        text.Contains(Path.DirectorySeparatorChar) || text.Contains('/') || text.StartsWith('.')
        || Path.GetExtension(text) is ".gguf" or ".safetensors" or ".onnx" or ".tflite" or ".task" or ".bin" or ".pt" or ".pth" or ".json";

    /// <summary>The architecture from a config.json beside the weights, or null. A config that is missing, broken or
    /// of an unsupported family does not stop reading the weights: the caller's question is about the weights file.</summary>
    private static ModelArchitecture? ConfigBeside(string? folder)
    {
        if (folder is null) return null;
        string config = Path.Combine(folder, "config.json");
        if (!File.Exists(config)) return null;
        try
        {
            return HfConfigReader.Read(config);
        }
        catch (Exception ex) when (ex is ModelFormatException or NotSupportedException)
        {
            return null;
        }
    }

    /// <summary>A file's model name: the folder's name for Hugging Face's generic file names (model.safetensors,
    /// pytorch_model.bin, model-00001-of-00002.safetensors), else the file name without extension.</summary>
    private static string NameOf(string path)
    {
        string file = Path.GetFileNameWithoutExtension(path);
        bool generic = file.StartsWith("model", StringComparison.OrdinalIgnoreCase) || file.StartsWith("pytorch_model", StringComparison.OrdinalIgnoreCase)
            || file.StartsWith("adapter_model", StringComparison.OrdinalIgnoreCase);
        return generic ? NameFromFolder(Path.GetDirectoryName(path)) ?? file : file;
    }

    private static string? NameFromFolder(string? folder) => folder is null ? null : Path.GetFileName(folder.TrimEnd(Path.DirectorySeparatorChar));
}
