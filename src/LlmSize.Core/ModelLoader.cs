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
    /// <param name="remote">How remote names (<c>hf:org/name</c>, Hub URLs, <c>ollama:name:tag</c>, <c>https://</c>
    /// file URLs, plain <c>org/name</c> and <c>name:tag</c> not known locally or to the catalog) are read; null =
    /// <see cref="RemoteSourceOptions.FromEnvironment"/>.</param>
    /// <returns>The inventory; <see cref="ModelInventory.Reference"/> says where the answer came from.</returns>
    /// <exception cref="ModelNotFoundException">Neither a path nor a catalog name.</exception>
    /// <exception cref="ModelFormatException">A file is malformed (names the file and offset/field).</exception>
    /// <exception cref="NotSupportedException">A valid file of a kind LlmSize does not read yet.</exception>
    /// <exception cref="RemoteSourceException">A remote repository, revision or file does not exist, refuses access,
    /// or cannot be reached with no cached or catalog answer to stand in.</exception>
    public static ModelInventory Load(string pathOrName, ModelCatalog? catalog = null, RemoteSourceOptions? remote = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(pathOrName);
        if (File.Exists(pathOrName)) return LoadFile(Path.GetFullPath(pathOrName));
        if (Directory.Exists(pathOrName)) return LoadFolder(Path.GetFullPath(pathOrName));
        catalog ??= ModelCatalog.Default;
        remote ??= RemoteSourceOptions.FromEnvironment();
        var location = ModelLocation.Parse(pathOrName, remote.HubEndpoint);
        if (location.Explicit) return LoadRemote(location, catalog, remote);
        if (location.Kind == ModelLocationKind.Hub && CatalogByHubId(catalog, location.Repository!) is { } known)
        {
            // A plain org/name the catalog lists answers from the catalog (no network), and says how to read the Hub.
            var inventory = FromCatalog(known);
            return inventory.With(inventory.Reference with { Origin = $"built-in catalog; nothing fetched (hf:{location.Repository} reads the Hub)" });
        }

        if (location.Kind != ModelLocationKind.Hub && catalog.TryFind(pathOrName, out var entry, out string? webLlmQuantization))
        {
            return webLlmQuantization is null ? FromCatalog(entry) : FromCatalog(entry, pathOrName.Trim(), webLlmQuantization);
        }

        if (location.Kind is ModelLocationKind.Hub or ModelLocationKind.Ollama) return LoadRemote(location, catalog, remote);

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

    /// <summary>Loads a catalog name or a Hub repository id only — never a local path, a direct URL or an Ollama name:
    /// the entry point for front ends that take names from untrusted users (the web API), where reading the server's
    /// files or fetching arbitrary URLs must not happen. Hub ids (<c>org/name</c>, <c>hf:org/name</c>, a URL on the
    /// configured Hub endpoint) are read from <paramref name="remote"/>'s <see cref="RemoteSourceOptions.HubEndpoint"/>.</summary>
    /// <param name="name">A catalog id / alias / WebLLM id, or a Hub repository id.</param>
    /// <param name="catalog">Catalog to search; null = <see cref="ModelCatalog.Default"/>.</param>
    /// <param name="remote">Remote options (the Hub endpoint); null = <see cref="RemoteSourceOptions.FromEnvironment"/>.</param>
    /// <returns>The inventory.</returns>
    /// <exception cref="InputException">The name is a path, a URL off the Hub endpoint or an Ollama name
    /// (<see cref="InputErrorKind.InvalidRequest"/>).</exception>
    /// <exception cref="ModelNotFoundException">Not a catalog name.</exception>
    /// <exception cref="RemoteSourceException">As <see cref="Load"/>.</exception>
    /// <exception cref="ModelFormatException">As <see cref="Load"/>.</exception>
    public static ModelInventory LoadCatalogOrHub(string name, ModelCatalog? catalog = null, RemoteSourceOptions? remote = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        catalog ??= ModelCatalog.Default;
        remote ??= RemoteSourceOptions.FromEnvironment();
        var location = ModelLocation.Parse(name, remote.HubEndpoint);
        switch (location.Kind)
        {
            case ModelLocationKind.Hub:
                if (location.Url is { } url && !string.Equals(url.Host, new Uri(remote.HubEndpoint).Host, StringComparison.OrdinalIgnoreCase))
                {
                    throw new InputException(InputErrorKind.InvalidRequest, $"{name}: only Hub ids on the configured Hub ({remote.HubEndpoint}) are read here");
                }

                if (!location.Explicit && CatalogByHubId(catalog, location.Repository!) is { } known)
                {
                    var inventory = FromCatalog(known);
                    return inventory.With(inventory.Reference with { Origin = $"built-in catalog; nothing fetched (hf:{location.Repository} reads the Hub)" });
                }

                return LoadRemote(location with { Explicit = true }, catalog, remote);
            case ModelLocationKind.LocalOrCatalog when !LooksLikePath(name) || catalog.TryFind(name, out _, out _):
                if (catalog.TryFind(name, out var entry, out string? webLlmQuantization))
                {
                    return webLlmQuantization is null ? FromCatalog(entry) : FromCatalog(entry, name.Trim(), webLlmQuantization);
                }

                var near = catalog.SuggestNearest(name, 3);
                throw new ModelNotFoundException(
                    InputException.Format(SR.NotFileFolderOrCatalogModel, name,
                        near.Count > 0 ? $"; did you mean {string.Join(", ", near.Select(e => e.Id))}?" : "; see the catalog with 'llmsize models'"),
                    name, near.Select(e => e.Id).ToList());
            default:
                throw new InputException(InputErrorKind.InvalidRequest, $"{name}: give a catalog name or a Hub id (org/name); paths, URLs and Ollama names are not read here");
        }
    }

    /// <summary>Loads a model from any source with the folder rules of <see cref="Load"/> (a PEFT adapter, an index,
    /// one safetensors file, GGUF files, a bare config.json …); a source holding one file is that file.</summary>
    /// <param name="source">The source (e.g. an <see cref="UploadedSliceSource"/>).</param>
    /// <returns>The inventory.</returns>
    /// <exception cref="ModelFormatException">A file is malformed.</exception>
    /// <exception cref="NotSupportedException">Files of a kind LlmSize does not read yet, or several models.</exception>
    /// <exception cref="ModelNotFoundException">No model files.</exception>
    public static ModelInventory LoadSource(IModelSource source)
    {
        ArgumentNullException.ThrowIfNull(source);
        var files = source.ListFiles();
        return files.Count == 1 ? ModelFormatRegistry.Identify(source, files[0].Path) : LoadFolder(source, source.DisplayName);
    }

    /// <summary>Reads a remote model header-only and records where the answer came from. When the remote cannot be
    /// reached (or offline) and the cache has no copy, a model the catalog knows answers from the catalog and says so.</summary>
    private static ModelInventory LoadRemote(ModelLocation location, ModelCatalog catalog, RemoteSourceOptions remote)
    {
        RemoteModelSource source;
        try
        {
            source = location.Kind switch
            {
                ModelLocationKind.Hub => HubModelSource.OpenAsync(location.Repository!, location.Revision, remote).GetAwaiter().GetResult(),
                ModelLocationKind.Ollama => OllamaModelSource.OpenAsync(location.Namespace!, location.Model!, location.Revision, remote).GetAwaiter().GetResult(),
                _ => UrlModelSource.OpenAsync(location.Url!, remote).GetAwaiter().GetResult(),
            };
        }
        catch (RemoteSourceException e) when (e.IsTransient && CatalogStandIn(location, catalog) is { } entry)
        {
            var inventory = FromCatalog(entry);
            string why = remote.Offline ? "offline with no cached copy" : "the remote could not be reached: " + e.Message;
            return inventory.With(inventory.Reference with { Origin = $"built-in catalog; nothing fetched ({why})" });
        }

        using (source)
        {
            ModelInventory read;
            if (source is UrlModelSource url)
            {
                read = ModelFormatRegistry.Identify(source, url.FileName);
            }
            else if (location.PathInRepository is { } path && source.Exists(path))
            {
                read = ModelFormatRegistry.Identify(source, path);
            }
            else if (location.PathInRepository is { } folder)
            {
                var sub = new SubfolderSource(source, folder);
                if (sub.ListFiles().Count == 0)
                {
                    throw new RemoteSourceException(InputErrorKind.NotFound, $"{source.DisplayName}: no file or folder '{folder}' at {source.Commit}", source.DisplayName);
                }

                read = LoadFolder(sub, source.DisplayName + "/" + folder);
            }
            else
            {
                read = LoadFolder(source, source.DisplayName);
            }

            var kind = location.Kind switch
            {
                ModelLocationKind.Hub => ModelReferenceKind.Hub,
                ModelLocationKind.Ollama => ModelReferenceKind.Ollama,
                _ => ModelReferenceKind.Url,
            };
            return read.With(new ModelReference(location.Text.Trim(), kind)
            {
                Origin = source.Origin,
                Commit = source.Commit,
                Requests = source.Statistics.Requests,
                BytesFetched = source.Statistics.BytesRead,
                Traffic = source.Statistics.Files,
            });
        }
    }

    /// <summary>The catalog entry that may answer for a remote name when the network cannot: a Hub id the catalog
    /// lists as an id or alias.</summary>
    private static CatalogEntry? CatalogStandIn(ModelLocation location, ModelCatalog catalog) =>
        location.Kind == ModelLocationKind.Hub && location.PathInRepository is null && location.Repository is { } repo
            ? CatalogByHubId(catalog, repo)
            : null;

    /// <summary>The catalog entry of a Hub repository id: the catalog's match (the name without its org, -it /
    /// -instruct suffixes) only when the org is the entry's own — an alias under that org, or its source in the org's
    /// repositories ("google/gemma-2b-it" is Gemma 2B's; "test/tinyllama" is not TinyLlama's repository).</summary>
    private static CatalogEntry? CatalogByHubId(ModelCatalog catalog, string repo)
    {
        int slash = repo.IndexOf('/');
        if (slash <= 0 || !catalog.TryFind(repo, out var entry, out string? webLlm) || webLlm is not null) return null;
        string org = repo[..(slash + 1)];
        bool sameOrg = entry.Aliases.Any(a => a.StartsWith(org, StringComparison.OrdinalIgnoreCase))
            || entry.Source.Contains("huggingface.co/" + org, StringComparison.OrdinalIgnoreCase);
        return sameOrg ? entry : null;
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
    public static Task<ModelInventory> LoadAsync(string pathOrName, ModelCatalog? catalog = null, CancellationToken cancellationToken = default) =>
        LoadAsync(pathOrName, catalog, null, cancellationToken);

    /// <summary>Loads a file, folder, catalog or remote model off the calling thread.</summary>
    /// <param name="pathOrName">As for <see cref="Load"/>.</param>
    /// <param name="catalog">Catalog to search; null = <see cref="ModelCatalog.Default"/>.</param>
    /// <param name="remote">Remote options; null = <see cref="RemoteSourceOptions.FromEnvironment"/>.</param>
    /// <param name="cancellationToken">Observed before reading starts.</param>
    /// <returns>The inventory.</returns>
    /// <exception cref="OperationCanceledException">Cancelled before reading started.</exception>
    /// <exception cref="ModelNotFoundException">As <see cref="Load"/>.</exception>
    /// <exception cref="ModelFormatException">As <see cref="Load"/>.</exception>
    /// <exception cref="RemoteSourceException">As <see cref="Load"/>.</exception>
    public static Task<ModelInventory> LoadAsync(string pathOrName, ModelCatalog? catalog, RemoteSourceOptions? remote,
        CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return Task.Run(() => Load(pathOrName, catalog, remote), cancellationToken);
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

    /// <summary>A local folder: the folder rules over a <see cref="LocalModelSource"/>.</summary>
    private static ModelInventory LoadFolder(string folder) => LoadFolder(new LocalModelSource(folder), folder);

    /// <summary>A folder or repository, as people lay out models — the same rules for a local folder, a Hub repository
    /// and a subfolder of either: a PEFT adapter, a sharded safetensors or PyTorch index, one safetensors file, GGUF
    /// files (one quantization or the first split part), a Transformers.js layout, a single pytorch_model.bin, or a
    /// bare config.json.</summary>
    private static ModelInventory LoadFolder(IModelSource source, string name)
    {
        foreach (string named in new[] { "adapter_config.json", "model.safetensors.index.json", "pytorch_model.bin.index.json" })
        {
            if (source.Exists(named)) return ModelFormatRegistry.Identify(source, named);
        }

        var all = source.LocalPath("") is { } local
            ? Directory.GetFiles(local).Select(f => new ModelSourceFile(Path.GetFileName(f), 0)).ToList()
            : source.ListFiles().ToList();
        var top = all.Where(f => !f.Path.Contains('/')).Select(f => f.Path).Order(StringComparer.Ordinal).ToArray();
        var safetensors = top.Where(f => f.EndsWith(".safetensors", StringComparison.OrdinalIgnoreCase)).ToArray();
        if (safetensors.Length == 1) return ModelFormatRegistry.Identify(source, safetensors[0]);
        if (safetensors.Length > 1)
        {
            throw new NotSupportedException($"{name}: {safetensors.Length} safetensors files but no model.safetensors.index.json; name one file");
        }

        var gguf = top.Where(f => f.EndsWith(".gguf", StringComparison.OrdinalIgnoreCase)).ToArray();
        if (gguf.Length >= 1)
        {
            var firstParts = gguf.Where(p => p.Contains("-00001-of-", StringComparison.Ordinal)).ToArray();
            var models = gguf.Where(p => !p.Contains("-of-", StringComparison.Ordinal) || firstParts.Contains(p)).ToArray();
            if (models.Length == 1) return ModelFormatRegistry.Identify(source, models[0]);
            throw new NotSupportedException($"{name}: {gguf.Length} GGUF files (several quantizations?); name one file: " + DescribeGguf(source, models));
        }

        if (source.LocalPath("") is { } folder
            && (Directory.Exists(Path.Combine(folder, "onnx")) || top.Any(f => f.EndsWith(".onnx", StringComparison.OrdinalIgnoreCase))))
        {
            return OnnxModelFormat.IdentifyTransformersJs(folder);
        }

        if (all.Any(f => f.Path.StartsWith("onnx/", StringComparison.Ordinal)) || top.Any(f => f.EndsWith(".onnx", StringComparison.OrdinalIgnoreCase)))
        {
            throw new NotSupportedException($"{name}: reading an ONNX / Transformers.js repository remotely is not supported yet; download it and name the folder");
        }

        foreach (string named in new[] { "pytorch_model.bin", "config.json" })
        {
            if (source.Exists(named)) return ModelFormatRegistry.Identify(source, named);
        }

        throw new ModelNotFoundException($"{name}: no model files found (safetensors, GGUF, config.json)", name);
    }

    /// <summary>The GGUF files of a folder with their sizes, smallest first, for the "name one file" message.</summary>
    private static string DescribeGguf(IModelSource source, string[] files)
    {
        var described = files.Select(f => (File: f, Bytes: SafeLength(source, f))).OrderBy(f => f.Bytes).ToList();
        string list = string.Join(", ", described.Take(12).Select(f => f.Bytes > 0 ? $"{f.File} ({Units.FormatDecimal(f.Bytes)})" : f.File));
        return described.Count > 12 ? list + $", … ({described.Count} in all)" : list;
    }

    private static long SafeLength(IModelSource source, string path)
    {
        try
        {
            return source.GetLength(path);
        }
        catch (Exception e) when (e is IOException or InputException)
        {
            return 0;
        }
    }

    private static bool LooksLikePath(string text) =>
        text.Contains(Path.DirectorySeparatorChar) || text.Contains('/') || text.StartsWith('.')
        || Path.GetExtension(text) is ".gguf" or ".safetensors" or ".onnx" or ".tflite" or ".task" or ".bin" or ".pt" or ".pth" or ".json";
}
