using LlmSize.Core.Formats;
using LlmSize.Core.Formats.HfConfig;
using LlmSize.Core.Formats.Onnx;
using LlmSize.Core.Models;
using LlmSize.Core.Models.Architectures;
using LlmSize.Core.Models.Catalog;
using LlmSize.Core.Sources;

namespace LlmSize.Core;

/// <summary>The model named by the user was not found as a file, a folder or a catalog entry.</summary>
/// <param name="message">What was looked for and the nearest catalog names.</param>
/// <param name="name">The name or path given.</param>
/// <param name="suggestions">The nearest catalog ids (may be empty).</param>
public sealed class ModelNotFoundException(string message, string name = "", IReadOnlyList<string>? suggestions = null)
    : UnknownNameException(NameKind.Model, name, suggestions ?? [], message);

/// <summary>
/// Turns what a user names — a model file, a model folder, or a built-in catalog name — into a
/// <see cref="ModelInventory"/>: a path becomes a <see cref="LocalModelSource"/>, whose files the
/// <see cref="ModelFormatRegistry"/> detects and identifies; a name is looked up in the catalog. Reads headers only.
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
    /// ("Llama-3.2-1B-Instruct-q4f16_1-MLC": the catalog entry of its base model, with the build it names in
    /// <see cref="ModelInventory.Reference"/>'s <see cref="ModelReference.WebLlm"/>).</param>
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
            throw new ModelNotFoundException(InputException.Format(SR.NoSuchFileOrFolder, pathOrName), pathOrName);
        }

        var near = catalog.SuggestNearest(pathOrName, 3);
        throw new ModelNotFoundException(
            InputException.Format(SR.NotFileFolderOrCatalogModel, pathOrName,
                near.Count > 0 ? $"; did you mean {string.Join(", ", near.Select(e => e.Id))}?" : "; see the catalog with 'llmsize models'"),
            pathOrName, near.Select(e => e.Id).ToList());
    }

    /// <summary>Loads a file, folder or catalog model off the calling thread (headers are small; the readers themselves
    /// are synchronous), for front ends that must stay responsive: a CLI command or a web request.</summary>
    /// <param name="pathOrName">As for <see cref="Load"/>.</param>
    /// <param name="catalog">Catalog to search; null = <see cref="ModelCatalog.Default"/>.</param>
    /// <param name="cancellationToken">Observed before reading starts.</param>
    /// <returns>The inventory.</returns>
    /// <exception cref="OperationCanceledException">Cancelled before reading started.</exception>
    /// <exception cref="ModelNotFoundException">As <see cref="Load"/>.</exception>
    /// <exception cref="ModelFormatException">As <see cref="Load"/>.</exception>
    public static Task<ModelInventory> LoadAsync(string pathOrName, ModelCatalog? catalog = null, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return Task.Run(() => Load(pathOrName, catalog), cancellationToken);
    }

    /// <summary>Builds the inventory of a catalog entry: its architecture from the stored config, no files.</summary>
    /// <param name="entry">Catalog entry.</param>
    /// <returns>The inventory (no tensors; <see cref="ModelInventory.SizeDisclosed"/> false for undisclosed models).</returns>
    public static ModelInventory FromCatalog(CatalogEntry entry) => FromCatalog(entry, null, null);

    /// <summary>The inventory of a catalog entry, named by a WebLLM model id when <paramref name="webLlmModelId"/> is
    /// given (the build it names goes to <see cref="ModelInventory.Reference"/>; a <c>-1k</c> id names a 1024-token
    /// context, as WebLLM's prebuilt record does).</summary>
    private static ModelInventory FromCatalog(CatalogEntry entry, string? webLlmModelId, string? webLlmQuantization)
    {
        ArgumentNullException.ThrowIfNull(entry);
        ModelArchitecture? arch = entry.Config is { } config ? HfConfigReader.Parse(config, $"catalog:{entry.Id}") : null;
        string note = entry.Note ?? $"built-in catalog entry; config from {entry.Source}";
        var metadata = new Dictionary<string, string> { ["publisher"] = entry.Publisher, ["source"] = entry.Source };
        var reference = new ModelReference(entry.Id, ModelReferenceKind.Catalog);
        if (webLlmModelId is not null && webLlmQuantization is not null)
        {
            bool oneK = webLlmModelId.EndsWith("-1k", StringComparison.OrdinalIgnoreCase);
            reference = new ModelReference(webLlmModelId, ModelReferenceKind.PrebuiltId)
            {
                WebLlm = new WebLlmModelId(webLlmModelId, webLlmQuantization, oneK ? 1024 : null),
            };
            note = $"WebLLM model {webLlmModelId} ({webLlmQuantization}) has the shapes of {entry.Id}; {note}";
        }

        return new ModelInventory(entry.Id, ModelFileFormat.Catalog, [], [])
        {
            Reference = reference,
            Architecture = arch,
            ModelName = entry.DisplayName,
            SizeDisclosed = entry.Disclosed,
            PublishedParameters = entry.PublishedParameters,
            PublishedParametersSource = entry.ParameterSource,
            Note = note,
            Metadata = metadata,
        };
    }

    /// <summary>One file: its format is detected by the registry (name, then magic bytes) and identified through a
    /// local source.</summary>
    private static ModelInventory LoadFile(string path)
    {
        var (source, name) = LocalModelSource.ForFile(path);
        return ModelFormatRegistry.Identify(source, name);
    }

    /// <summary>A folder, as people lay out model repositories: a PEFT adapter, a sharded safetensors or PyTorch index,
    /// one safetensors file, GGUF files (one quantization or the first split part), a Transformers.js layout, a single
    /// pytorch_model.bin, or a bare config.json.</summary>
    private static ModelInventory LoadFolder(string folder)
    {
        var source = new LocalModelSource(folder);
        foreach (string named in new[] { "adapter_config.json", "model.safetensors.index.json", "pytorch_model.bin.index.json" })
        {
            if (source.Exists(named)) return ModelFormatRegistry.Identify(source, named);
        }

        var top = Directory.GetFiles(folder).Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal).ToArray();
        var safetensors = top.Where(f => f.EndsWith(".safetensors", StringComparison.OrdinalIgnoreCase)).ToArray();
        if (safetensors.Length == 1) return ModelFormatRegistry.Identify(source, safetensors[0]);
        if (safetensors.Length > 1)
        {
            throw new NotSupportedException($"{folder}: {safetensors.Length} safetensors files but no model.safetensors.index.json; name one file");
        }

        var gguf = top.Where(f => f.EndsWith(".gguf", StringComparison.OrdinalIgnoreCase)).ToArray();
        if (gguf.Length >= 1)
        {
            var first = gguf.FirstOrDefault(p => p.Contains("-00001-of-", StringComparison.Ordinal)) ?? gguf[0];
            if (gguf.Length > 1 && !first.Contains("-00001-of-", StringComparison.Ordinal))
            {
                throw new NotSupportedException($"{folder}: {gguf.Length} GGUF files (several quantizations?); name one file");
            }

            return ModelFormatRegistry.Identify(source, first);
        }

        if (Directory.Exists(Path.Combine(folder, "onnx")) || top.Any(f => f.EndsWith(".onnx", StringComparison.OrdinalIgnoreCase)))
        {
            return OnnxModelFormat.IdentifyTransformersJs(folder);
        }

        foreach (string named in new[] { "pytorch_model.bin", "config.json" })
        {
            if (source.Exists(named)) return ModelFormatRegistry.Identify(source, named);
        }

        throw new ModelNotFoundException($"{folder}: no model files found (safetensors, GGUF, config.json)", folder);
    }

    private static bool LooksLikePath(string text) =>
        text.Contains(Path.DirectorySeparatorChar) || text.Contains('/') || text.StartsWith('.')
        || Path.GetExtension(text) is ".gguf" or ".safetensors" or ".onnx" or ".tflite" or ".task" or ".bin" or ".pt" or ".pth" or ".json";
}
