using LlmSize.Core.Models.Architectures;

namespace LlmSize.Core.Estimation;

/// <summary>
/// Which sliding windows a runtime's KV cache actually honours. A config's <c>sliding_window</c> says how the model
/// attends; whether memory shrinks depends on the runtime's cache implementation.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item>llama.cpp: only architectures that set <c>swa_type</c> and get the interleaved SWA cache
/// (<c>llama_kv_cache_iswa</c>): Gemma 2, Gemma 3 / 3n, Cohere 2, GPT-OSS (128-token window on alternate layers). Mistral v0.1 is converted to the <c>llama</c>
/// architecture, which has no SWA; Phi-3's SWA is disabled ("Phi SWA is currently disabled", llama.cpp PR 13676).</item>
/// <item>WebLLM: MLC's own model definitions (<see cref="MlcModelDefinitions.ApplyKvCacheRules"/>).</item>
/// <item>Transformers.js / ONNX Runtime and MediaPipe: the exported decoder takes and returns past keys/values for
/// every past token (<c>past_key_values</c> inputs grow with the sequence), so no window shrinks the cache.</item>
/// </list>
/// </remarks>
public static class KvCacheRules
{
    /// <summary>Families (HF model_type and GGUF general.architecture) whose windows llama.cpp's SWA cache honours.</summary>
    public static IReadOnlySet<string> LlamaCppSlidingWindowFamilies { get; } = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
    {
        "gemma2", "gemma3", "gemma3_text", "gemma3n", "cohere2", "gpt_oss", "gpt-oss",
    };

    /// <summary>The architecture as <paramref name="runtime"/>'s KV cache sees it, and a note when that differs from the config.</summary>
    /// <param name="runtime">The runtime.</param>
    /// <param name="architecture">The model as its config describes it.</param>
    /// <returns>The architecture to size the KV cache with, and a note (null when nothing changed).</returns>
    public static (ModelArchitecture Architecture, string? Note) Apply(RuntimeProfile runtime, ModelArchitecture architecture)
    {
        ArgumentNullException.ThrowIfNull(runtime);
        ArgumentNullException.ThrowIfNull(architecture);
        if (architecture.SlidingWindow is not > 0) return (architecture, null);
        if (runtime.Id == Runtimes.WebLlm.Id) return MlcModelDefinitions.ApplyKvCacheRules(architecture);
        if (runtime.Id == Runtimes.LlamaCpp.Id && LlamaCppSlidingWindowFamilies.Contains(architecture.Family)) return (architecture, null);
        string why = runtime.Id == Runtimes.LlamaCpp.Id
            ? $"llama.cpp has no sliding-window cache for {architecture.Family}: every layer caches the whole context"
            : $"{runtime.DisplayName} keeps past keys/values for every token: the {architecture.SlidingWindow}-token window does not shrink the cache";
        return (architecture with { SlidingWindow = null, SlidingWindowLayers = null }, why);
    }
}
