using System.Collections.Frozen;

namespace LlmSize.Core.Models.Architectures;

/// <summary>
/// Structural defaults of each supported model family, keyed by Hugging Face <c>model_type</c> or GGUF
/// <c>general.architecture</c>. An architecture that carries only the core sizes (vocabulary, hidden, layers, heads,
/// head_dim, intermediate) and a family name gets the norm kind, biases, MLP layout, position / token-type embeddings
/// and heads of that family from here, so GGUF metadata and <c>config.json</c> of one model count the same.
/// </summary>
/// <remarks>
/// Defaults follow the Hugging Face transformers <c>configuration_*.py</c> / <c>modeling_*.py</c> files of each family
/// (norm classes, <c>bias=</c> arguments of each <c>nn.Linear</c>, embeddings created in <c>__init__</c>) and, for
/// the GGUF-only names, llama.cpp's converter (<c>convert_hf_to_gguf.py</c>): it drops BERT's pooler and masked-LM
/// head ("we are only using BERT for embeddings"), so the GGUF <c>bert</c> default has neither.
/// <see cref="ModelArchitecture.TieWordEmbeddings"/> is not nullable and is never filled in here; readers set it
/// (GGUF: true when the file has no <c>output.weight</c>); <see cref="DefaultTieWordEmbeddings"/> gives each family's
/// config default.
/// </remarks>
public static class ModelFamilies
{
    private sealed record Traits(
        NormalizationKind Normalization,
        int NormsPerLayer,
        bool FinalNorm,
        bool EmbeddingNorm,
        bool QueryKeyNorm,
        bool QkvBias,
        bool OutputBias,
        MlpKind Mlp,
        bool MlpBias,
        bool HeadBias,
        bool LearnedPositions,
        int TokenTypes,
        int RelativeBuckets,
        bool Tie);

    // Pre-norm decoder with RMSNorm, gated MLP, no biases, untied head (LlamaConfig tie_word_embeddings=False).
    private static readonly Traits Llama = new(NormalizationKind.RmsNorm, 2, true, false, false, false, false,
        MlpKind.Gated, false, false, false, 0, 0, false);

    // Phi (PhiDecoderLayer): one LayerNorm feeding parallel attention and MLP, every Linear with bias, lm_head with bias.
    private static readonly Traits Phi = new(NormalizationKind.LayerNorm, 1, true, false, false, true, true,
        MlpKind.Plain, true, true, false, 0, 0, false);

    // GPT-2: ln_1/ln_2 LayerNorms, Conv1D c_attn/c_proj/c_fc with biases, learned wpe, ln_f, tied lm_head.
    private static readonly Traits Gpt2 = new(NormalizationKind.LayerNorm, 2, true, false, false, true, true,
        MlpKind.Plain, true, false, true, 0, 0, true);

    // BERT: post-norm encoder (attention.output.LayerNorm, output.LayerNorm), embeddings LayerNorm, no final norm,
    // learned positions, 2 token types (BertConfig type_vocab_size=2).
    private static readonly Traits Bert = new(NormalizationKind.LayerNorm, 2, false, true, false, true, true,
        MlpKind.Plain, true, false, true, 2, 0, true);

    private static readonly FrozenDictionary<string, Traits> ByFamily = new Dictionary<string, Traits>(StringComparer.OrdinalIgnoreCase)
    {
        ["llama"] = Llama,
        ["mistral"] = Llama,
        ["mixtral"] = Llama,
        // Qwen2Attention: q_proj/k_proj/v_proj bias=True, o_proj bias=False.
        ["qwen2"] = Llama with { QkvBias = true },
        // Qwen3Attention: q_norm/k_norm RMSNorm(head_dim), attention_bias default False.
        ["qwen3"] = Llama with { QueryKeyNorm = true },
        // GemmaConfig tie_word_embeddings=True.
        ["gemma"] = Llama with { Tie = true },
        // Gemma2DecoderLayer: input, post_attention, pre_feedforward, post_feedforward RMSNorms.
        ["gemma2"] = Llama with { NormsPerLayer = 4, Tie = true },
        // Gemma3: Gemma2's four norms plus q_norm/k_norm.
        ["gemma3"] = Llama with { NormsPerLayer = 4, QueryKeyNorm = true, Tie = true },
        ["gemma3_text"] = Llama with { NormsPerLayer = 4, QueryKeyNorm = true, Tie = true },
        // Phi3: fused qkv_proj and gate_up_proj, no biases, RMSNorm: the same counts as LLaMA.
        ["phi3"] = Llama,
        ["phi"] = Phi,
        ["phi2"] = Phi,
        ["phi-msft"] = Phi,
        ["gpt2"] = Gpt2,
        ["bert"] = Bert,
        // DistilBERT: like BERT without token types.
        ["distilbert"] = Bert with { TokenTypes = 0 },
        // T5: weight-only T5LayerNorm, no biases, relative-position bias table with 32 buckets; T5Config defaults
        // feed_forward_proj="relu" (plain MLP) and tie_word_embeddings=True.
        ["t5"] = Llama with { Mlp = MlpKind.Plain, RelativeBuckets = 32, Tie = true },
        // Falcon-7B layout (FalconConfig defaults parallel_attn=True, bias=False): one input_layernorm, ln_f, tied.
        ["falcon"] = Phi with { QkvBias = false, OutputBias = false, MlpBias = false, HeadBias = false, Tie = true },
        // StarCoder2: LayerNorm with bias, use_bias=True on every Linear, plain c_fc/c_proj MLP, tied.
        ["starcoder2"] = Gpt2 with { LearnedPositions = false },
        // Qwen2MoeAttention: q/k/v bias like Qwen2; experts and shared expert gated, no bias.
        ["qwen2_moe"] = Llama with { QkvBias = true },
        // Qwen3MoeAttention: q_norm/k_norm of head_dim, no biases.
        ["qwen3_moe"] = Llama with { QueryKeyNorm = true },
        // DeepSeek (MoE, MHA) and DeepSeek-V2/V3 (MLA): RMSNorm pre-norm decoder, gated MLPs, no biases, untied.
        ["deepseek"] = Llama,
        ["deepseek_v2"] = Llama,
        ["deepseek_v3"] = Llama,
        // Olmo2DecoderLayer: post_attention_layernorm and post_feedforward_layernorm (no input norm), q_norm/k_norm
        // over the whole projection (set by the reader).
        ["olmo2"] = Llama with { QueryKeyNorm = true },
        // GPT-J: ln_1 feeding parallel attention and MLP; q/k/v/out_proj without bias; fc_in/fc_out with bias;
        // lm_head with bias, untied.
        ["gptj"] = Phi with { QkvBias = false, OutputBias = false },
        // GPT-NeoX (Pythia): input_layernorm and post_attention_layernorm (both kept with use_parallel_residual),
        // query_key_value and dense with bias, dense_h_to_4h / dense_4h_to_h with bias, embed_out without bias, untied.
        ["gpt_neox"] = Gpt2 with { LearnedPositions = false, Tie = false },
        // StableLM: LayerNorm (with bias) input and post-attention norms, gated MLP, o_proj without bias, untied.
        ["stablelm"] = Llama with { Normalization = NormalizationKind.LayerNorm },
        // Granite / GraniteMoE: LLaMA's layout (multipliers are scalars, not weights); experts fused but equal in size.
        ["granite"] = Llama,
        ["granitemoe"] = Llama,
        // Cohere (Command R): CohereLayerNorm holds a weight only (counted as RMSNorm), one input_layernorm per
        // parallel block, tied head (CohereConfig tie_word_embeddings=True).
        ["cohere"] = Llama with { NormsPerLayer = 1, Tie = true },
        // InternLM2: wqkv fused (GQA), attention_norm / ffn_norm RMSNorm, w1/w3/w2 gated MLP, untied output.
        ["internlm2"] = Llama,
        // GPT-BigCode (SantaCoder, StarCoder): GPT-2's block with multi-query c_attn.
        ["gpt_bigcode"] = Gpt2,
        // OPT: LayerNorm, biases on every Linear, plain fc1/fc2, learned positions (offset 2, set by the reader), tied.
        ["opt"] = Gpt2,
        // BLOOM: word_embeddings_layernorm after the embedding, ALiBi (no position embedding), biases, tied.
        ["bloom"] = Gpt2 with { LearnedPositions = false, EmbeddingNorm = true },
        // GPT-OSS: attention q/k/v/o with bias and per-head sinks, router and experts with biases, RMSNorm, untied.
        ["gpt_oss"] = Llama with { QkvBias = true, OutputBias = true, MlpBias = true },
        // ModernBERT: encoder with weight-only LayerNorms (norm_bias false), embedding norm, gated Wi, no biases, tied
        // decoder; the reader sets the first layer's missing attn_norm and the MLM head.
        ["modernbert"] = Llama with { NormsPerLayer = 1, EmbeddingNorm = true, Tie = true },
        // Multimodal wrappers: their language model's traits (the reader fills every field; these serve GGUF / catalog
        // architectures that name the wrapper).
        ["llava"] = Llama,
        ["llava_next"] = Llama,
        ["qwen2_vl"] = Llama with { QkvBias = true },
        ["qwen2_5_vl"] = Llama with { QkvBias = true },
        ["paligemma"] = Llama with { Tie = true },
        ["idefics3"] = Llama,
        ["smolvlm"] = Llama,
        ["phi3_v"] = Llama,
        ["mllama"] = Llama,
        // Llama 4: LLaMA's block; its q/k norm is an L2 norm without weights; MoE with a shared expert.
        ["llama4"] = Llama,
        ["llama4_text"] = Llama,
        // MPT: LayerNorms whose bias transformers removes (weight only: counted as RMSNorm), no biases, ALiBi, tied.
        ["mpt"] = Llama with { Mlp = MlpKind.Plain, Tie = true },
    }.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase);

    /// <summary>Every family name this class (and so <see cref="ParameterCalculator"/>) knows, sorted.</summary>
    public static IReadOnlyList<string> SupportedFamilies { get; } = [.. ByFamily.Keys.Order(StringComparer.Ordinal)];

    /// <summary>Whether <paramref name="family"/> (case-insensitive) has defaults here.</summary>
    /// <param name="family">HF <c>model_type</c> or GGUF <c>general.architecture</c>.</param>
    /// <returns>True when known.</returns>
    public static bool IsSupported(string? family) => family is not null && ByFamily.ContainsKey(family);

    /// <summary>The family's config default for tying the output head to the token embedding.</summary>
    /// <param name="family">HF <c>model_type</c> or GGUF <c>general.architecture</c>.</param>
    /// <returns>True when the family's config class defaults <c>tie_word_embeddings</c> to true.</returns>
    /// <exception cref="NotSupportedException">The family is unknown.</exception>
    public static bool DefaultTieWordEmbeddings(string family) => Get(family).Tie;

    /// <summary>
    /// Returns a copy of <paramref name="architecture"/> whose unset (null) structural fields hold the defaults of its
    /// <see cref="ModelArchitecture.Family"/>. Fields already set are kept.
    /// </summary>
    /// <param name="architecture">The architecture to complete.</param>
    /// <returns>An architecture with every structural field set. A <c>t5</c> architecture that is not marked
    /// encoder-decoder becomes one, with as many encoder as decoder blocks (T5Config num_decoder_layers default); a
    /// <c>bert</c> / <c>distilbert</c> one marked decoder-only becomes encoder-only.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="architecture"/> is null.</exception>
    /// <exception cref="NotSupportedException">A field is unset and the family is not one of <see cref="SupportedFamilies"/>.</exception>
    public static ModelArchitecture ApplyDefaults(ModelArchitecture architecture)
    {
        ArgumentNullException.ThrowIfNull(architecture);

        // GGUF "t5" metadata has one block_count; T5Config's num_decoder_layers defaults to num_layers.
        if (string.Equals(architecture.Family, "t5", StringComparison.OrdinalIgnoreCase) &&
            architecture.Kind != TransformerKind.EncoderDecoder)
        {
            architecture = architecture with
            {
                Kind = TransformerKind.EncoderDecoder,
                EncoderLayerCount = architecture.EncoderLayerCount > 0 ? architecture.EncoderLayerCount : architecture.LayerCount,
            };
        }

        // BERT-style encoders keep no KV cache; a GGUF reader leaves Kind at its DecoderOnly default.
        if ((string.Equals(architecture.Family, "bert", StringComparison.OrdinalIgnoreCase) ||
             string.Equals(architecture.Family, "distilbert", StringComparison.OrdinalIgnoreCase)) &&
            architecture.Kind == TransformerKind.DecoderOnly)
        {
            architecture = architecture with { Kind = TransformerKind.EncoderOnly };
        }

        if (IsComplete(architecture))
        {
            return architecture;
        }

        Traits t = Get(architecture.Family);
        return architecture with
        {
            Normalization = architecture.Normalization ?? t.Normalization,
            NormsPerLayer = architecture.NormsPerLayer ?? t.NormsPerLayer,
            FinalNorm = architecture.FinalNorm ?? t.FinalNorm,
            EmbeddingNorm = architecture.EmbeddingNorm ?? t.EmbeddingNorm,
            QueryKeyNorm = architecture.QueryKeyNorm ?? t.QueryKeyNorm,
            AttentionQkvBias = architecture.AttentionQkvBias ?? t.QkvBias,
            AttentionOutputBias = architecture.AttentionOutputBias ?? t.OutputBias,
            Mlp = architecture.Mlp ?? t.Mlp,
            MlpBias = architecture.MlpBias ?? t.MlpBias,
            OutputHeadBias = architecture.OutputHeadBias ?? t.HeadBias,
            LearnedPositionCount = architecture.LearnedPositionCount ?? (t.LearnedPositions ? architecture.ContextLength : 0),
            TokenTypeCount = architecture.TokenTypeCount ?? t.TokenTypes,
            RelativeAttentionBuckets = architecture.RelativeAttentionBuckets ?? t.RelativeBuckets,
            Pooler = architecture.Pooler ?? false,
            MaskedLmHead = architecture.MaskedLmHead ?? false,
            ClassifierOutputCount = architecture.ClassifierOutputCount ?? 0,
        };
    }

    private static bool IsComplete(ModelArchitecture a) =>
        a.Normalization.HasValue && a.NormsPerLayer.HasValue && a.FinalNorm.HasValue && a.EmbeddingNorm.HasValue &&
        a.QueryKeyNorm.HasValue && a.AttentionQkvBias.HasValue && a.AttentionOutputBias.HasValue && a.Mlp.HasValue &&
        a.MlpBias.HasValue && a.OutputHeadBias.HasValue && a.LearnedPositionCount.HasValue && a.TokenTypeCount.HasValue &&
        a.RelativeAttentionBuckets.HasValue && a.Pooler.HasValue && a.MaskedLmHead.HasValue &&
        a.ClassifierOutputCount.HasValue;

    private static Traits Get(string family)
    {
        if (family is not null && ByFamily.TryGetValue(family, out Traits? t))
        {
            return t;
        }

        throw new NotSupportedException(
            $"Model family '{family}' is not supported; supported families: {string.Join(", ", SupportedFamilies)}.");
    }
}
