using LlmSize.Core.Models;

namespace LlmSize.Cli.Rendering;

/// <summary>Whether an inspected model is a language model at all, so that size classes ("7B class") and the LLM scale
/// ("small language model" … "frontier scale") are only printed for models they describe. A vision graph such as
/// AlexNet or a TFLite person detector has parameters but no vocabulary: calling it a "small language model" is wrong.</summary>
internal static class LanguageModelCheck
{
    /// <summary>What <c>inspect</c> prints instead of the LLM scale for a model that is not a language model.</summary>
    public const string NotALanguageModel =
        "not a language model (no vocabulary and no token embedding in the file); size classes and the LLM scale describe language models only";

    /// <summary>Tensor-name fragments of token-embedding tables in the layouts the readers know: Hugging Face
    /// (<c>embed_tokens</c>, <c>word_embeddings</c>, <c>wte</c>, <c>embed_in</c>, T5 <c>shared</c>), GGUF
    /// (<c>token_embd</c>), Meta checkpoints (<c>tok_embeddings</c>).</summary>
    private static readonly string[] TokenEmbeddingNames =
        ["embed_tokens", "word_embeddings", "wte.", "embed_in.", "token_embd", "tok_embeddings", "shared.weight"];

    /// <summary>True when the inventory shows a language model: a catalog entry or adapter (both describe language
    /// models), an architecture with a vocabulary, a GGUF tokenizer vocabulary, or a token-embedding tensor.</summary>
    /// <param name="inventory">The loaded model.</param>
    /// <returns>Whether size classes and the LLM scale apply.</returns>
    public static bool IsLanguageModel(ModelInventory inventory)
    {
        if (inventory.Format is ModelFileFormat.Catalog or ModelFileFormat.PeftAdapter) return true;
        if (inventory.Architecture is { VocabSize: > 0 }) return true;
        if (inventory.Metadata.Keys.Any(k => k.StartsWith("tokenizer.", StringComparison.Ordinal))) return true;
        return inventory.Tensors.Any(t => TokenEmbeddingNames.Any(n => t.Name.Contains(n, StringComparison.Ordinal)));
    }
}
