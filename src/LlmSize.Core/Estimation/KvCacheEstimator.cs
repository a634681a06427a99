using LlmSize.Core.Models.Architectures;
using LlmSize.Core.Precision;

namespace LlmSize.Core.Estimation;

/// <summary>The size of a model's KV cache for a given context, and how it was computed.</summary>
/// <param name="Bytes">Total KV-cache bytes for all sequences.</param>
/// <param name="ContextTokens">Context length (tokens per sequence) the cache is sized for.</param>
/// <param name="Sequences">Parallel sequences (batch) sharing the model.</param>
/// <param name="CacheType">Element type of cached K and V.</param>
/// <param name="LayersWithCache">Layers that hold K/V (recurrent layers of hybrid models hold none).</param>
/// <param name="SlidingWindowLayers">Layers whose cache is capped by a sliding window.</param>
/// <param name="BytesPerTokenFullLayers">Bytes one more token adds across all layers without a window cap.</param>
/// <param name="Formula">The arithmetic, for display.</param>
public sealed record KvCacheEstimate(
    long Bytes,
    long ContextTokens,
    int Sequences,
    TensorDataType CacheType,
    int LayersWithCache,
    int SlidingWindowLayers,
    long BytesPerTokenFullLayers,
    string Formula)
{
    /// <summary>Element type of cached V when it differs from K (llama.cpp <c>-ctk q8_0 -ctv f16</c>); null = <see cref="CacheType"/>.</summary>
    public TensorDataType? ValueCacheType { get; init; }
}

/// <summary>
/// KV-cache size: Σ over layers of 2 (K and V) × cached tokens × kv_heads × head_dim × bytes per element × sequences.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item>GQA / MQA: uses the key/value head count, not the query head count (Ainslie et al. 2023, GQA).</item>
/// <item>Per-layer kv-head counts (GGUF arrays): a 0 marks a layer without attention (hybrid recurrent models).</item>
/// <item>Sliding-window layers cache min(context, window) tokens (Mistral v0.1: every layer 4096; Gemma 2: alternate
/// layers 4096; Gemma 3: 5 of 6 layers 512/1024), as llama.cpp's SWA cache and transformers' HybridCache do.</item>
/// <item>MLA (DeepSeek-V2/V3): caches one compressed latent of kv_lora_rank plus the decoupled rotary key of
/// qk_rope_head_dim per token per layer (DeepSeek-V2 paper §2.1.2), not per-head K and V.</item>
/// <item>Quantized cache types (llama.cpp <c>--cache-type-k/v q8_0 | q4_0</c>) use the block layout's bytes per
/// element (Q8_0: 34 bytes / 32 elements).</item>
/// <item>Encoder-decoder models: decoder self-attention cache; the cross-attention cache (encoder length × decoder
/// layers) is added with the encoder length taken equal to the context.</item>
/// </list>
/// </remarks>
public static class KvCacheEstimator
{
    /// <summary>Computes the KV cache for <paramref name="architecture"/>.</summary>
    /// <param name="architecture">Hyper-parameters.</param>
    /// <param name="contextTokens">Tokens per sequence to size the cache for (≥ 1).</param>
    /// <param name="cacheType">Element type (F16 default in llama.cpp, ONNX Runtime GenAI and WebLLM q*f16).</param>
    /// <param name="sequences">Parallel sequences (≥ 1).</param>
    /// <param name="valueCacheType">Element type of V when it differs from K (llama.cpp <c>--cache-type-v</c>); null =
    /// <paramref name="cacheType"/>. MLA caches one latent, sized with <paramref name="cacheType"/>.</param>
    /// <returns>The estimate; exact for the stated layout.</returns>
    /// <exception cref="ArgumentOutOfRangeException">Context or sequences below 1.</exception>
    public static KvCacheEstimate Estimate(ModelArchitecture architecture, long contextTokens, TensorDataType? cacheType = null, int sequences = 1,
        TensorDataType? valueCacheType = null)
    {
        ArgumentNullException.ThrowIfNull(architecture);
        ArgumentOutOfRangeException.ThrowIfLessThan(contextTokens, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(sequences, 1);
        var type = cacheType ?? TensorDataType.F16;
        double bytesPerElement = (double)type.BlockBytes / type.BlockSize;
        var vType = valueCacheType ?? type;
        double valueBytesPerElement = (double)vType.BlockBytes / vType.BlockSize;
        bool mixed = !vType.Equals(type);

        if (architecture.Kind == TransformerKind.EncoderOnly)
        {
            return new KvCacheEstimate(0, contextTokens, sequences, type, 0, 0, 0,
                "encoder-only model: no KV cache is kept between tokens");
        }

        double total = 0;
        double perTokenFull = 0;
        int layersWithCache = 0, windowed = 0;
        long valueHeadDim = architecture.ValueHeadDim ?? architecture.HeadDim;
        bool mla = architecture.KvLoraRank is > 0;
        for (int layer = 0; layer < architecture.LayerCount; layer++)
        {
            int kvHeads = architecture.KeyValueHeadCountPerLayer is { } per && layer < per.Count ? per[layer] : architecture.KeyValueHeadCount;
            if (kvHeads <= 0 && !mla) continue;
            layersWithCache++;
            long tokens = contextTokens;
            bool isWindowed = architecture.SlidingWindow is { } w && w > 0
                && (architecture.SlidingWindowLayers is null || (layer < architecture.SlidingWindowLayers.Count && architecture.SlidingWindowLayers[layer]));
            if (isWindowed)
            {
                windowed++;
                tokens = Math.Min(contextTokens, architecture.SlidingWindow!.Value);
            }

            // Bytes per token of this layer: K at the K type, V at the V type (MLA: one latent at the K type).
            double bytesPerToken = mla
                ? (architecture.KvLoraRank!.Value + (architecture.QkRopeHeadDim ?? 0)) * bytesPerElement
                : (double)kvHeads * (architecture.HeadDim * bytesPerElement + valueHeadDim * valueBytesPerElement);
            total += bytesPerToken * tokens;
            if (!isWindowed) perTokenFull += bytesPerToken;
        }

        if (architecture.Kind == TransformerKind.EncoderDecoder)
        {
            // Cross-attention: every decoder layer caches K and V of the encoder output once.
            total *= 2;
            perTokenFull *= 2;
        }

        total *= sequences;
        string formula = mla
            ? $"{Units.Plural(layersWithCache, "layer")} × {contextTokens} tokens × (kv_lora_rank {architecture.KvLoraRank} + rope {architecture.QkRopeHeadDim}) × {bytesPerElement:0.###} B × {sequences} seq"
            : $"{Units.Plural(layersWithCache, "layer")} × 2 (K,V) × {contextTokens} tokens × {architecture.KeyValueHeadCount} kv heads × {architecture.HeadDim} head_dim × {(mixed ? $"(K {bytesPerElement:0.###} B {type.Name} + V {valueBytesPerElement:0.###} B {vType.Name}) / 2" : $"{bytesPerElement:0.###} B ({type.Name})")} × {sequences} seq"
              + (windowed > 0 ? $"; {windowed} sliding-window layers capped at {architecture.SlidingWindow} tokens" : string.Empty)
              + (architecture.Kind == TransformerKind.EncoderDecoder ? "; ×2 for cross-attention" : string.Empty);
        return new KvCacheEstimate((long)Math.Round(total), contextTokens, sequences, type, layersWithCache, windowed,
            (long)Math.Round(perTokenFull), formula) { ValueCacheType = mixed ? vType : null };
    }
}
