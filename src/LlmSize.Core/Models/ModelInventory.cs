using LlmSize.Core.Models.Architectures;

namespace LlmSize.Core.Models;

/// <summary>The file format a <see cref="ModelInventory"/> was read from.</summary>
public enum ModelFileFormat
{
    /// <summary>safetensors (single file or sharded with <c>model.safetensors.index.json</c>).</summary>
    Safetensors,
    /// <summary>GGUF (llama.cpp), single or split.</summary>
    Gguf,
    /// <summary>A Hugging Face <c>config.json</c> alone: hyper-parameters, no tensors.</summary>
    HfConfig,
    /// <summary>ONNX ModelProto (Transformers.js, ONNX Runtime).</summary>
    Onnx,
    /// <summary>TFLite / LiteRT flatbuffer (also MediaPipe LLM <c>.bin</c>).</summary>
    Tflite,
    /// <summary>MediaPipe <c>.task</c> bundle (zip).</summary>
    MediaPipeTask,
    /// <summary>PyTorch checkpoint (<c>pytorch_model.bin</c>, <c>.pt</c>).</summary>
    PyTorch,
    /// <summary>PEFT adapter folder (LoRA).</summary>
    PeftAdapter,
    /// <summary>The built-in model catalog (no file).</summary>
    Catalog,
}

/// <summary>One file of a model download.</summary>
/// <param name="Path">Full path of the file.</param>
/// <param name="Length">Exact size in bytes.</param>
public sealed record ModelFile(string Path, long Length);

/// <summary>
/// Everything known about one model after reading its files (headers only) or its catalog entry: the files and their
/// exact sizes, the tensors they declare, the metadata, and the architecture when the source describes one. This is
/// the hub of the data flow: a file or id becomes a <see cref="ModelInventory"/>, which becomes a size report, which
/// meets a device profile in a fit verdict.
/// </summary>
public sealed class ModelInventory
{
    /// <summary>Creates an inventory.</summary>
    /// <param name="source">What the user named: a path or a catalog id.</param>
    /// <param name="format">The format read.</param>
    /// <param name="files">The files of the download with exact lengths (empty for a catalog entry).</param>
    /// <param name="tensors">Declared tensors (empty when the source has only hyper-parameters).</param>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    public ModelInventory(string source, ModelFileFormat format, IReadOnlyList<ModelFile> files, IReadOnlyList<TensorInfo> tensors)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(files);
        ArgumentNullException.ThrowIfNull(tensors);
        Source = source;
        Format = format;
        Files = files;
        Tensors = tensors;
    }

    /// <summary>What the user named: a file or folder path, or a catalog id.</summary>
    public string Source { get; }

    /// <summary>The format read.</summary>
    public ModelFileFormat Format { get; }

    /// <summary>The files of the download, each with its exact length in bytes.</summary>
    public IReadOnlyList<ModelFile> Files { get; }

    /// <summary>Tensors declared by the files (name, shape, dtype, bytes).</summary>
    public IReadOnlyList<TensorInfo> Tensors { get; }

    /// <summary>How the user named the model; by default a file, folder or catalog reference to <see cref="Source"/>.</summary>
    public ModelReference Reference
    {
        get => _reference ?? new ModelReference(Source, Format switch
        {
            ModelFileFormat.Catalog => ModelReferenceKind.Catalog,
            ModelFileFormat.PeftAdapter => ModelReferenceKind.Folder,
            _ => Directory.Exists(Source) ? ModelReferenceKind.Folder : ModelReferenceKind.File,
        });
        init => _reference = value;
    }

    private readonly ModelReference? _reference;

    /// <summary>A GGUF's <c>general.file_type</c> (llama.cpp's <c>llama_ftype</c>, e.g. 15 = Q4_K_M) when the file
    /// declares a known one; null for other formats.</summary>
    public Precision.LlamaFileType? GgufFileType { get; init; }

    /// <summary>Format-level metadata worth showing (GGUF <c>general.*</c> keys, safetensors <c>__metadata__</c>, ONNX producer …).</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; init; } = new Dictionary<string, string>();

    /// <summary>The model's hyper-parameters, when the source carries them (config.json, GGUF metadata, catalog).</summary>
    public ModelArchitecture? Architecture { get; init; }

    /// <summary>The model's name as the source gives it (GGUF <c>general.name</c>, folder or catalog name), if any.</summary>
    public string? ModelName { get; init; }

    /// <summary>False for models whose vendor has not disclosed the parameter count (GPT-4, Gemini 1.5 Pro): such an
    /// inventory has no architecture and no tensors, and says so instead of guessing.</summary>
    public bool SizeDisclosed { get; init; } = true;

    /// <summary>A parameter count published by the model's authors, when the source carries one (catalog entries).</summary>
    public long? PublishedParameters { get; init; }

    /// <summary>Where <see cref="PublishedParameters"/> comes from (model card, paper, URL).</summary>
    public string? PublishedParametersSource { get; init; }

    /// <summary>A note to show with the model (what is publicly known of an undisclosed model, the catalog source …).</summary>
    public string? Note { get; init; }

    /// <summary>For a LoRA adapter: what it adapts and the base it needs (null for full models).</summary>
    public LoraAdapterSummary? Adapter { get; init; }

    /// <summary>Other downloadable variants of the same model in the folder (Transformers.js dtypes: fp32, fp16, q8,
    /// q4f16 …), each with its exact download size; empty when there is only one.</summary>
    public IReadOnlyList<ModelVariant> Variants { get; init; } = [];

    /// <summary>Warnings found while reading that did not stop it (index total_size disagreeing, unknown keys …).</summary>
    public IReadOnlyList<string> Warnings { get; init; } = [];

    /// <summary>A copy with another reference, note and warnings (the loader records where a remote answer came from).</summary>
    /// <param name="reference">The reference.</param>
    /// <param name="note">The note, or null to keep this one's.</param>
    /// <param name="extraWarnings">Warnings to append.</param>
    /// <returns>The copy.</returns>
    internal ModelInventory With(ModelReference reference, string? note = null, IReadOnlyList<string>? extraWarnings = null) =>
        new(Source, Format, Files, Tensors)
        {
            Reference = reference,
            GgufFileType = GgufFileType,
            Metadata = Metadata,
            Architecture = Architecture,
            ModelName = ModelName,
            SizeDisclosed = SizeDisclosed,
            PublishedParameters = PublishedParameters,
            PublishedParametersSource = PublishedParametersSource,
            Note = note ?? Note,
            Adapter = Adapter,
            Variants = Variants,
            Warnings = extraWarnings is { Count: > 0 } ? [.. Warnings, .. extraWarnings] : Warnings,
        };

    /// <summary>Exact download size: the sum of <see cref="Files"/>' lengths, in bytes.</summary>
    public long DownloadBytes
    {
        get
        {
            long sum = 0;
            foreach (var f in Files) sum = checked(sum + f.Length);
            return sum;
        }
    }

    /// <summary>Counts this inventory's tensors (see <see cref="TensorCounter"/>).</summary>
    /// <returns>Parameters, buffers, per-dtype and per-component totals.</returns>
    public TensorCount CountTensors() => TensorCounter.Count(Tensors);
}

/// <summary>What a LoRA adapter holds and needs.</summary>
/// <param name="BaseModel">The base model it was trained on (<c>base_model_name_or_path</c>).</param>
/// <param name="Rank">LoRA rank r.</param>
/// <param name="Alpha">lora_alpha.</param>
/// <param name="TargetModules">Adapted module names (q_proj, c_attn …).</param>
/// <param name="LoraParameters">Parameters of the low-rank A and B matrices (and DoRA magnitudes).</param>
/// <param name="SavedModuleParameters">Parameters of full copies saved beside (modules_to_save, classifier heads).</param>
public sealed record LoraAdapterSummary(string? BaseModel, int Rank, double Alpha, IReadOnlyList<string> TargetModules,
    long LoraParameters, long SavedModuleParameters)
{
    /// <summary>The base model as its catalog id when the catalog knows it ("openai-community/gpt2" → "gpt2"), else as
    /// written; null when the adapter names none.</summary>
    /// <param name="catalog">Catalog; null = <see cref="Catalog.ModelCatalog.Default"/>.</param>
    /// <returns>A name to fit or load, or null.</returns>
    public string? BaseModelId(Catalog.ModelCatalog? catalog = null) =>
        BaseModel is { } b && (catalog ?? Catalog.ModelCatalog.Default).TryFind(b, out var entry) ? entry.Id : BaseModel;
}

/// <summary>One downloadable variant of a model (a Transformers.js dtype).</summary>
/// <param name="Name">Variant name as the runtime asks for it ("q4f16").</param>
/// <param name="DownloadBytes">Exact bytes of its files.</param>
/// <param name="Parameters">Logical parameters it holds.</param>
/// <param name="Complete">False when some session (e.g. the encoder) has no file of this variant.</param>
/// <param name="Files">Its files, relative to the model folder.</param>
public sealed record ModelVariant(string Name, long DownloadBytes, long Parameters, bool Complete, IReadOnlyList<string> Files);
