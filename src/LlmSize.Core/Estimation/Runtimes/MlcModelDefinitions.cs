using LlmSize.Core.Models.Architectures;

namespace LlmSize.Core.Estimation;

/// <summary>
/// What MLC LLM's own model definitions (the code WebLLM's model libraries are compiled from) do differently from the
/// Hugging Face reference in ways that change memory: whether the output head has a compile-time vocabulary size, and
/// which sliding windows the KV cache honours.
/// </summary>
/// <remarks>
/// Source: mlc-ai/mlc-llm <c>python/mlc_llm/model/*/*_model.py</c> (read at commit 79d603f0, 2026) and the WebLLM
/// prebuilt records in mlc-ai/web-llm <c>src/config.ts</c>. Families are HF <c>model_type</c> values and their GGUF
/// <c>general.architecture</c> spellings.
/// </remarks>
public static class MlcModelDefinitions
{
    /// <summary>
    /// Families whose MLC model declares the output head (or the tied embedding) with the vocabulary size as a
    /// constant, e.g. <c>nn.Linear(config.hidden_size, config.vocab_size)</c> in <c>qwen2_model.py</c>. MLC's memory
    /// planner can then bound the f32 logits that <c>batch_verify</c> returns for every position of a prefill chunk
    /// (<c>relax.memory_plan_dynamic_func_output</c>, seq_len ≤ prefill_chunk_size), so the model library's temporary
    /// buffer includes prefill_chunk_size × vocab × 4 bytes. Families not listed here (llama, mistral, gemma*, phi,
    /// phi3, gpt2, gpt_neox …) declare the head with the symbolic <c>"vocab_size"</c>, which the planner cannot bound.
    /// </summary>
    public static IReadOnlySet<string> StaticVocabularyHeadFamilies { get; } = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
    {
        // HF model_type                          // GGUF general.architecture
        "qwen", "qwen2", "qwen2_moe", "qwen3", "qwen3_moe", "qwen3_5", "qwen3_5_text", "qwen2moe", "qwen3moe",
        "stablelm", "olmo", "olmo2", "starcoder2", "internlm", "internlm2", "baichuan", "chatglm", "minicpm",
        "deepseek", "deepseek_v2", "deepseek_v3", "deepseek2", "gptj", "rwkv5", "rwkv6", "ministral3",
    };

    /// <summary>
    /// Model types MLC LLM can compile, so WebLLM can run (the keys of <c>MODELS</c> in mlc-llm
    /// <c>python/mlc_llm/model/model.py</c>), plus the GGUF <c>general.architecture</c> spellings of the same families.
    /// T5, DistilBERT and Falcon, for example, are not among them.
    /// </summary>
    public static IReadOnlySet<string> SupportedFamilies { get; } = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
    {
        "llama", "llama4", "mistral", "ministral3", "gemma", "gemma2", "gemma3", "gemma3_text", "gpt2", "mixtral", "gpt_neox",
        "gpt_bigcode", "phi-msft", "phi", "phi3", "phi3_v", "qwen", "qwen2", "qwen2_moe", "qwen3", "qwen3_5", "qwen3_5_text",
        "qwen3_moe", "deepseek_v2", "deepseek_v3", "stablelm", "baichuan", "internlm", "internlm2", "rwkv5", "orion", "llava",
        "rwkv6", "chatglm", "eagle", "bert", "medusa", "starcoder2", "cohere", "minicpm", "deepseek", "gptj", "olmo", "olmo2",
        "nemotron",
        // GGUF spellings
        "phi2", "gptneox", "starcoder", "qwen2moe", "qwen3moe", "deepseek2", "command-r",
    };

    /// <summary>True when MLC LLM has a model definition for <paramref name="architecture"/>'s family
    /// (<see cref="SupportedFamilies"/>).</summary>
    /// <param name="architecture">The model.</param>
    /// <returns>Whether a WebLLM model library can be compiled for it.</returns>
    public static bool Supports(ModelArchitecture architecture)
    {
        ArgumentNullException.ThrowIfNull(architecture);
        return SupportedFamilies.Contains(architecture.Family);
    }

    /// <summary>True when <paramref name="architecture"/>'s MLC model has a constant-vocabulary head (see
    /// <see cref="StaticVocabularyHeadFamilies"/>).</summary>
    /// <param name="architecture">The model.</param>
    /// <returns>Whether chunk-wide f32 logits are part of the MLC static memory plan.</returns>
    public static bool HasStaticVocabularyHead(ModelArchitecture architecture)
    {
        ArgumentNullException.ThrowIfNull(architecture);
        return StaticVocabularyHeadFamilies.Contains(architecture.Family);
    }

    /// <summary>
    /// The architecture as MLC's KV cache sees it. MLC's <c>phi3</c> model has no sliding window (every layer caches
    /// the whole context); MLC's <c>gemma2</c> attends fully on every layer and sets the context window to the
    /// sliding window (4096), so every layer caches min(context, 4096) tokens; WebLLM's prebuilt Mistral records
    /// override <c>sliding_window_size</c> to −1 (full cache). Gemma 3's per-layer windows (<c>mha_sliding</c>) are
    /// kept.
    /// </summary>
    /// <param name="architecture">The model as its config describes it.</param>
    /// <returns>The same model with MLC's window rules applied, and a note when they changed anything (else null).</returns>
    public static (ModelArchitecture Architecture, string? Note) ApplyKvCacheRules(ModelArchitecture architecture)
    {
        ArgumentNullException.ThrowIfNull(architecture);
        if (architecture.SlidingWindow is not > 0) return (architecture, null);
        switch (architecture.Family.ToLowerInvariant())
        {
            case "phi3":
            case "phi3_v":
                return (architecture with { SlidingWindow = null, SlidingWindowLayers = null },
                    "MLC's phi3 model has no sliding window: every layer caches the whole context");
            case "gemma2":
                return (architecture with { SlidingWindowLayers = null },
                    $"MLC's gemma2 model attends fully on every layer with the context window set to the sliding window ({architecture.SlidingWindow} tokens)");
            case "mistral":
            case "mixtral":
                return (architecture with { SlidingWindow = null, SlidingWindowLayers = null },
                    "WebLLM's Mistral records override sliding_window_size to -1: full cache");
            default:
                return (architecture, null);
        }
    }
}
