namespace LlmSize.Core.Sources;

/// <summary>
/// How remote sources are reached: endpoints, credentials, cache, limits and retries. <see cref="FromEnvironment"/>
/// follows the Hugging Face clients' conventions (<c>HF_ENDPOINT</c>, <c>HF_TOKEN</c>, the token file under
/// <c>HF_HOME</c>, <c>HF_HUB_OFFLINE</c>) and XDG for the cache folder.
/// </summary>
public sealed record RemoteSourceOptions
{
    /// <summary>The public Hub.</summary>
    public const string DefaultHubEndpoint = "https://huggingface.co";

    /// <summary>Ollama's public registry.</summary>
    public const string DefaultOllamaRegistry = "https://registry.ollama.ai";

    /// <summary>The Hub (or a mirror) base URL, no trailing slash.</summary>
    public string HubEndpoint { get; init; } = DefaultHubEndpoint;

    /// <summary>The Ollama registry base URL, no trailing slash.</summary>
    public string OllamaRegistry { get; init; } = DefaultOllamaRegistry;

    /// <summary>The Hub token (sent only to <see cref="HubEndpoint"/>'s host, never across a redirect to another host), or null.</summary>
    public string? HubToken { get; init; }

    /// <summary>Answer from the cache only; no request is made.</summary>
    public bool Offline { get; init; }

    /// <summary>When a server ignores <c>Range</c>, read the file from its start (only as far as the header needs)
    /// instead of failing. Off by default: such a server would send a whole weights file for every read.</summary>
    public bool AllowFullDownload { get; init; }

    /// <summary>Folder of the header cache, or null for no cache.</summary>
    public string? CacheFolder { get; init; }

    /// <summary>The most bytes any JSON answer (listing, manifest, config) may have: 32 MiB.</summary>
    public int MaxJsonBytes { get; init; } = 32 << 20;

    /// <summary>The most bytes one range request may ask for: 64 MiB (a header never needs more at once).</summary>
    public int MaxRangeBytes { get; init; } = 64 << 20;

    /// <summary>Timeout of one HTTP attempt.</summary>
    public TimeSpan AttemptTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Retries on 408, 429, 5xx and connection failures (with exponential backoff and jitter, honouring
    /// <c>Retry-After</c>).</summary>
    public int MaxRetries { get; init; } = 3;

    /// <summary>The first retry's base delay.</summary>
    public TimeSpan RetryBaseDelay { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Header reads of different files in flight at once (shards of one model): 32, so a 30-shard model's
    /// headers arrive in one round trip (plus the redirect) rather than in waves.</summary>
    public int MaxParallelFiles { get; init; } = 32;

    /// <summary>The handler requests go through (tests and benchmarks pass one that adds latency); null = a
    /// <see cref="SocketsHttpHandler"/>. The handler must not follow redirects: the sources follow them, so a token
    /// never reaches another host.</summary>
    public HttpMessageHandler? Handler { get; init; }

    /// <summary>Options from the environment: <c>HF_ENDPOINT</c>, <c>HF_TOKEN</c> (else <c>HF_TOKEN_PATH</c>, else
    /// <c>$HF_HOME/token</c>, else <c>~/.cache/huggingface/token</c>), <c>HF_HUB_OFFLINE=1</c>,
    /// <c>OLLAMA_REGISTRY</c>; the cache under <c>LLMSIZE_CACHE_DIR</c>, else <c>$XDG_CACHE_HOME/llmsize</c>, else
    /// <c>~/.cache/llmsize</c>.</summary>
    /// <param name="getVariable">Reads a variable (null = <see cref="Environment.GetEnvironmentVariable(string)"/>).</param>
    /// <returns>The options.</returns>
    public static RemoteSourceOptions FromEnvironment(Func<string, string?>? getVariable = null)
    {
        getVariable ??= Environment.GetEnvironmentVariable;
        string home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        string? Var(string name) => getVariable(name) is { Length: > 0 } v ? v : null;

        string? token = Var("HF_TOKEN")?.Trim();
        if (token is null)
        {
            string tokenFile = Var("HF_TOKEN_PATH")
                ?? Path.Combine(Var("HF_HOME") ?? Path.Combine(Var("XDG_CACHE_HOME") ?? Path.Combine(home, ".cache"), "huggingface"), "token");
            token = ReadTokenFile(tokenFile);
        }

        string cache = Var("LLMSIZE_CACHE_DIR") ?? Path.Combine(Var("XDG_CACHE_HOME") ?? Path.Combine(home, ".cache"), "llmsize");
        return new RemoteSourceOptions
        {
            HubEndpoint = (Var("HF_ENDPOINT") ?? DefaultHubEndpoint).TrimEnd('/'),
            OllamaRegistry = (Var("OLLAMA_REGISTRY") ?? DefaultOllamaRegistry).TrimEnd('/'),
            HubToken = token,
            Offline = Var("HF_HUB_OFFLINE") is "1" or "true" or "TRUE" or "yes",
            CacheFolder = cache,
        };
    }

    /// <summary>The token in a token file (first line, trimmed), or null when the file is absent, not regular or larger than 4 KiB.</summary>
    private static string? ReadTokenFile(string path)
    {
        try
        {
            if (!File.Exists(path)) return null;
            string text = System.Text.Encoding.UTF8.GetString(LocalFileGuard.ReadAllBytes(path, 4096)).Trim();
            int newline = text.IndexOfAny(['\r', '\n']);
            return (newline >= 0 ? text[..newline] : text) is { Length: > 0 } t ? t : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InputException)
        {
            return null;
        }
    }
}
