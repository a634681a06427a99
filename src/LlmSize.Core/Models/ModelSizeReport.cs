using LlmSize.Core.Models.Architectures;
using LlmSize.Core.Precision;

namespace LlmSize.Core.Models;

/// <summary>Where a report's parameter count comes from.</summary>
public enum ParameterCountSource
{
    /// <summary>The tensors stored in the files (exact).</summary>
    Tensors,
    /// <summary>The analytic count from hyper-parameters (config.json, GGUF metadata, catalog config): exact for the
    /// layout the family defines.</summary>
    Architecture,
    /// <summary>A figure published by the model's authors (catalog entries without a config).</summary>
    Published,
    /// <summary>No count: the size is not disclosed.</summary>
    Undisclosed,
}

/// <summary>
/// How big a model really is: the exact parameter count (from tensors, or analytically from hyper-parameters), its
/// breakdown, size class, what the name claims and whether the count agrees, where it sits on the "is it an LLM?"
/// scale, the exact download size of the files, and what the weights would weigh at each precision.
/// </summary>
public sealed class ModelSizeReport
{
    private ModelSizeReport(ModelInventory inventory) => Inventory = inventory;

    /// <summary>The inventory the report describes.</summary>
    public ModelInventory Inventory { get; }

    /// <summary>What is printed instead of the LLM scale for a model that is not a language model.</summary>
    public const string NotALanguageModel =
        "not a language model (no vocabulary and no token embedding in the file); size classes and the LLM scale describe language models only";

    /// <summary>Tensor-name fragments of token-embedding tables in the layouts the readers know: Hugging Face
    /// (<c>embed_tokens</c>, <c>word_embeddings</c>, <c>wte</c>, <c>embed_in</c>, T5 <c>shared</c>), GGUF
    /// (<c>token_embd</c>), Meta checkpoints (<c>tok_embeddings</c>).</summary>
    private static readonly string[] TokenEmbeddingNames =
        ["embed_tokens", "word_embeddings", "wte.", "embed_in.", "token_embd", "tok_embeddings", "shared.weight"];

    /// <summary>What is printed instead of the LLM scale for an adapter (a PEFT LoRA folder, its bare
    /// <c>adapter_model.safetensors</c>, or a llama.cpp LoRA GGUF): the same answer whichever of them is given.</summary>
    public const string AnAdapter =
        "no, an adapter (LoRA low-rank weights applied to a base model), not a model on its own; size classes and the LLM scale describe its base model";

    /// <summary>Tensor-name fragments of LoRA factors: PEFT (<c>….lora_A.weight</c>, <c>….lora_B.weight</c>,
    /// <c>lora_embedding_A</c> / <c>_B</c>, PEFT <c>tuners/lora/layer.py</c>) and llama.cpp LoRA GGUF
    /// (<c>….lora_a</c>, <c>….lora_b</c>, <c>convert_lora_to_gguf.py</c>).</summary>
    private static readonly string[] LoraFactorNames =
        [".lora_A.", ".lora_B.", "lora_embedding_A", "lora_embedding_B", ".lora_a", ".lora_b"];

    /// <summary>True when the inventory is an adapter rather than a model: a PEFT adapter folder, a weights file whose
    /// tensors include LoRA factors (so the bare <c>adapter_model.safetensors</c> gets the same answer as its folder), or a
    /// GGUF with <c>general.type</c> = <c>adapter</c>. An adapter has no size class of its own.</summary>
    public bool IsAdapter { get; private init; }

    private static bool IsAdapterInventory(ModelInventory inventory)
    {
        if (inventory.Format == ModelFileFormat.PeftAdapter || inventory.Adapter is not null) return true;
        if (inventory.Metadata.TryGetValue("general.type", out string? type) && type == "adapter") return true;
        return inventory.Tensors.Any(t => LoraFactorNames.Any(n => t.Name.Contains(n, StringComparison.Ordinal)));
    }

    /// <summary>The one answer to "is it an LLM?" every front end prints: <see cref="AnAdapter"/> for an adapter, "no, " +
    /// <see cref="NotALanguageModel"/> for a model without a vocabulary, the LLM scale's text otherwise (null when the size
    /// is undisclosed).</summary>
    public string? ScaleText => IsAdapter ? AnAdapter : !IsLanguageModel ? "no, " + NotALanguageModel : Scale?.Text;

    /// <summary>Machine-readable kind of <see cref="ScaleText"/>: <c>Adapter</c>, <c>NotALanguageModel</c>, or the
    /// <see cref="LlmScaleCategory"/> name (null when the size is undisclosed).</summary>
    public string? ScaleCategory => IsAdapter ? "Adapter" : !IsLanguageModel ? "NotALanguageModel" : Scale?.Category.ToString();

    /// <summary>True when the model is a language model, so size classes ("7B class") and the LLM scale describe it: a
    /// catalog entry, an architecture with a vocabulary, a GGUF tokenizer vocabulary, or a token-embedding tensor — and
    /// not an adapter (<see cref="IsAdapter"/>). A vision graph such as AlexNet or a TFLite person detector has
    /// parameters but no vocabulary: calling it a "small language model" would be wrong.</summary>
    public bool IsLanguageModel
    {
        get
        {
            var inventory = Inventory;
            if (IsAdapter) return false;
            if (inventory.Format is ModelFileFormat.Catalog) return true;
            if (inventory.Architecture is { VocabSize: > 0 }) return true;
            if (inventory.Metadata.Keys.Any(k => k.StartsWith("tokenizer.", StringComparison.Ordinal))) return true;
            return inventory.Tensors.Any(t => TokenEmbeddingNames.Any(n => t.Name.Contains(n, StringComparison.Ordinal)));
        }
    }

    /// <summary>Tensor-level count (null when the source has no tensors).</summary>
    public TensorCount? TensorCount { get; private init; }

    /// <summary>Analytic count from the architecture (null when there is none).</summary>
    public ParameterBreakdown? Analytic { get; private init; }

    /// <summary>The parameter count the report stands by (null when undisclosed).</summary>
    public long? Parameters { get; private init; }

    /// <summary>Where <see cref="Parameters"/> comes from.</summary>
    public ParameterCountSource Source { get; private init; }

    /// <summary>Parameters used per token (MoE: top-k experts); equals <see cref="Parameters"/> for dense models.</summary>
    public long? ActiveParameters { get; private init; }

    /// <summary>Size class of <see cref="Parameters"/>.</summary>
    public SizeClass? SizeClass { get; private init; }

    /// <summary>The parsed model name.</summary>
    public ModelName? Name { get; private init; }

    /// <summary>Whether the name's size tag agrees with the count (null when the name has no size tag).</summary>
    public SizeComparison? NameAgreement { get; private init; }

    /// <summary>Where the count sits on the LLM scale.</summary>
    public LlmScaleResult? Scale { get; private init; }

    /// <summary>What the weights would weigh at each precision, from the parameter count alone.</summary>
    public IReadOnlyList<DownloadSizeEstimate> DownloadByPrecision { get; private init; } = [];

    /// <summary>Observations: disagreements between tensor and analytic counts, undisclosed sizes, reader warnings.</summary>
    public IReadOnlyList<string> Notes { get; private init; } = [];

    /// <summary>The download table; a parameter count whose bytes overflow 64 bits at some precision (hostile shapes)
    /// is a format error of the model naming its largest tensor, not an unexpected OverflowException.</summary>
    private static IReadOnlyList<DownloadSizeEstimate> DownloadAtEachPrecision(ModelInventory inventory, long parameters)
    {
        try
        {
            try
            {
                return DownloadSizeEstimator.EstimateAll(parameters, inventory.Architecture);
            }
            catch (ArgumentOutOfRangeException) when (inventory.Architecture is not null)
            {
                // The architecture's embeddings and norms exceed the tensors actually counted (metadata that does not
                // describe the tensors, e.g. a GGUF with one tensor): size the tensors without the architecture split.
                return DownloadSizeEstimator.EstimateAll(parameters, null);
            }
        }
        catch (OverflowException e)
        {
            string? largest = inventory.Tensors.Count == 0 ? null : inventory.Tensors.MaxBy(t => t.ElementCount)?.Name;
            throw new ModelFormatException(ModelFormatError.ArithmeticOverflow,
                $"{parameters:N0} parameters are too many to size: their bytes at some precision overflow 64 bits"
                + (largest is null ? string.Empty : $" (largest tensor '{largest}')"),
                inventory.Files.Count > 0 ? inventory.Files[0].Path : inventory.Source, null, largest, e);
        }
    }

    /// <summary>Builds the report.</summary>
    /// <param name="inventory">The model's inventory.</param>
    /// <returns>The report.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="inventory"/> is null.</exception>
    public static ModelSizeReport Create(ModelInventory inventory)
    {
        ArgumentNullException.ThrowIfNull(inventory);
        var notes = new List<string>(inventory.Warnings);
        TensorCount? tensors = inventory.Tensors.Count > 0 ? inventory.CountTensors() : null;
        ParameterBreakdown? analytic = null;
        if (inventory.Architecture is { } arch)
        {
            try
            {
                analytic = ParameterCalculator.Count(arch);
            }
            catch (NotSupportedException ex)
            {
                notes.Add("no analytic count: " + ex.Message);
            }

            notes.AddRange(arch.Notes);
            if (arch.DefaultsUsed.Count > 0)
            {
                notes.Add("config defaults used: " + string.Join("; ", arch.DefaultsUsed));
            }

            if (analytic is { } parts && parts.TextOnly != parts.Total)
            {
                notes.Add($"multimodal: language model {parts.TextOnly:N0} + vision tower {parts.VisionTower:N0}" +
                    (parts.AudioTower > 0 ? $" + audio tower {parts.AudioTower:N0}" : string.Empty) +
                    $" + projector {parts.Projector:N0} = {parts.Total:N0} ({string.Join("; ", arch.Parts.Select(p => p.Name))})");
            }

            if (analytic is { MultiTokenPrediction: > 0 } mtp)
            {
                notes.Add($"multi-token-prediction modules: {mtp.MultiTokenPrediction:N0} parameters stored beside the model " +
                    $"(checkpoint {mtp.WithMultiTokenPrediction:N0}), not in the total");
            }
        }

        long? parameters;
        ParameterCountSource source;
        if (tensors is not null && tensors.Parameters > 0)
        {
            parameters = tensors.Parameters;
            source = ParameterCountSource.Tensors;
            if (analytic is not null && analytic.Total != tensors.Parameters && analytic.WithMultiTokenPrediction != tensors.Parameters)
            {
                long diff = tensors.Parameters - analytic.Total;
                notes.Add($"the files hold {tensors.Parameters:N0} parameters; the architecture implies {analytic.Total:N0} ({(diff > 0 ? "+" : string.Empty)}{diff:N0}): extra heads, adapters or a different layout");
            }
        }
        else if (analytic is not null)
        {
            parameters = analytic.Total;
            source = ParameterCountSource.Architecture;
        }
        else if (inventory.PublishedParameters is { } published)
        {
            parameters = published;
            source = ParameterCountSource.Published;
        }
        else
        {
            parameters = null;
            source = ParameterCountSource.Undisclosed;
            notes.Add(inventory.SizeDisclosed
                ? "no tensors and no architecture: nothing to count"
                : "the parameter count is not disclosed by the vendor; no size class or download size can be given. " + inventory.Note);
        }

        if (analytic is not null && inventory.PublishedParameters is { } pub && pub != analytic.Total)
        {
            notes.Add($"published count {pub:N0} ({inventory.PublishedParametersSource}) differs from the analytic count {analytic.Total:N0}");
        }

        string? nameText = inventory.ModelName ?? Path.GetFileName(inventory.Source);
        var name = string.IsNullOrWhiteSpace(nameText) ? null : ModelName.Parse(nameText);
        // An adapter's own count is not a model size: no size class, no LLM scale (ScaleText says what it is).
        bool adapter = IsAdapterInventory(inventory);
        var sizeClass = parameters is { } p && p > 0 && !adapter ? Models.SizeClass.FromParameterCount(p) : null;
        SizeComparison? agreement = sizeClass is not null && name?.SizeTag is { } tag ? sizeClass.Compare(tag) : null;
        if (name is not null && name.SizeTag is null && parameters is not null)
        {
            notes.Add("the name carries no size tag: the size is only known by counting");
        }

        return new ModelSizeReport(inventory)
        {
            IsAdapter = adapter,
            TensorCount = tensors,
            Analytic = analytic,
            Parameters = parameters,
            Source = source,
            ActiveParameters = analytic is { } an && an.ActivePerToken != an.Total ? an.ActivePerToken : parameters,
            SizeClass = sizeClass,
            Name = name,
            NameAgreement = agreement,
            Scale = parameters is { } q && q > 0 && !adapter ? LlmScale.Classify(q) : null,
            DownloadByPrecision = parameters is { } r && r > 0 ? DownloadAtEachPrecision(inventory, r) : [],
            Notes = notes,
        };
    }
}
