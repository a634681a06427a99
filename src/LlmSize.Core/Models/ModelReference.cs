namespace LlmSize.Core.Models;

/// <summary>How the user named a model.</summary>
public enum ModelReferenceKind
{
    /// <summary>A local model file.</summary>
    File,
    /// <summary>A local model folder.</summary>
    Folder,
    /// <summary>A built-in catalog id or alias ("gemma-2b", "google/gemma-2b-it").</summary>
    Catalog,
    /// <summary>A runtime's prebuilt model id that maps to a catalog model ("Llama-3.2-1B-Instruct-q4f16_1-MLC").</summary>
    PrebuiltId,
    /// <summary>A Hugging Face Hub repository or file ("hf:org/name", a Hub URL).</summary>
    Hub,
    /// <summary>An Ollama registry model ("ollama:llama3.2:3b").</summary>
    Ollama,
    /// <summary>A direct URL of one model file.</summary>
    Url,
}

/// <summary>A WebLLM prebuilt model id ("Qwen2.5-0.5B-Instruct-q4f16_1-MLC-1k"): the MLC build it names.</summary>
/// <param name="ModelId">The id as given.</param>
/// <param name="Quantization">The MLC quantization the id names ("q4f16_1"), a WebLLM format name.</param>
/// <param name="ContextTokens">The context window the id names (1024 for a <c>-1k</c> id), or null for the model's own.</param>
public sealed record WebLlmModelId(string ModelId, string Quantization, long? ContextTokens);

/// <summary>
/// What the user named and how it was resolved: a file, a folder, a catalog entry, or a runtime's prebuilt id. Typed
/// fields replace side channels in metadata: a fit request reads <see cref="WebLlm"/> to pick WebLLM, its format and
/// context, as the prebuilt record does.
/// </summary>
/// <param name="Text">The name as given (a path, an id).</param>
/// <param name="Kind">How it was resolved.</param>
public sealed record ModelReference(string Text, ModelReferenceKind Kind)
{
    /// <summary>The WebLLM build a <see cref="ModelReferenceKind.PrebuiltId"/> names, else null.</summary>
    public WebLlmModelId? WebLlm { get; init; }

    /// <summary>Where the answer came from, as output shows it: "from the Hub at commit 1a2b3c4d5e6f (3 requests,
    /// 120 kB)", "from the cache (…, fetched …); nothing fetched", "built-in catalog; nothing fetched"; null for local files.</summary>
    public string? Origin { get; init; }

    /// <summary>The exact remote version read (Hub commit, Ollama manifest digest, URL ETag), or null.</summary>
    public string? Commit { get; init; }

    /// <summary>HTTP requests made to answer (0 for local files and catalog entries).</summary>
    public long Requests { get; init; }

    /// <summary>Bytes received over the network to answer.</summary>
    public long BytesFetched { get; init; }

    /// <summary>Requests and bytes per remote file (the listing first), in the order they were read; empty for local
    /// files and catalog answers.</summary>
    public IReadOnlyList<Sources.FileTraffic> Traffic { get; init; } = [];
}
