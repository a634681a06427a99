using System.Text.Json;
using LlmSize.Core.Models;
using LlmSize.Core.Models.Architectures;

namespace LlmSize.Core.Formats.HfConfig;

/// <summary>
/// Families beyond the LLaMA block: MoE decoders with shared experts and sparse-layer schedules (Qwen-MoE, DeepSeek),
/// multi-head latent attention (DeepSeek-V2/V3), and the older GPT-style layouts (GPT-J, GPT-NeoX, GPT-BigCode, OPT,
/// BLOOM, MPT), plus OLMo 2, StableLM and Cohere. Each follows the weights its transformers <c>modeling_*.py</c>
/// creates and the defaults of its <c>configuration_*.py</c>.
/// </summary>
internal static partial class HfConfigParser
{
    /// <summary>Reads an array of non-negative layer indices (<c>mlp_only_layers</c>); null when absent.</summary>
    private static int[]? LayerIndices(HfConfigObject c, string key, int layers)
    {
        if (c.GetArray(key) is not { } items)
        {
            return null;
        }

        var result = new int[items.Length];
        for (int i = 0; i < items.Length; i++)
        {
            if (items[i].ValueKind != JsonValueKind.Number || !items[i].TryGetInt32(out int v))
            {
                HfConfigThrowHelper.WrongType(c.PathOf($"{key}[{i}]"), "an integer", items[i].ValueKind, c.File);
                return null;
            }

            if (v < 0 || v >= layers)
            {
                HfConfigThrowHelper.InvalidValue(c.PathOf($"{key}[{i}]"), $"is {v}, not a layer index below {layers}", c.File);
            }

            result[i] = v;
        }

        return result;
    }

    /// <summary>A count that may be 0 (first_k_dense_replace, num_nextn_predict_layers); <paramref name="fallback"/> when absent.</summary>
    private static int NonNegativeCount(HfConfigObject c, string key, int fallback)
    {
        if (c.Get(key) is not { } v)
        {
            return fallback;
        }

        if (v.ValueKind != JsonValueKind.Number || !v.TryGetInt32(out int n))
        {
            HfConfigThrowHelper.WrongType(c.PathOf(key), "an integer", v.ValueKind, c.File);
            return 0;
        }

        if (n < 0 || n > c.Options.MaxCount)
        {
            HfConfigThrowHelper.InvalidValue(c.PathOf(key), $"is {n}, outside 0..{c.Options.MaxCount}", c.File);
        }

        return n;
    }

    private static void CheckTopK(HfConfigObject c, string topKey, int topK, string expertsKey, int experts)
    {
        if (topK > experts)
        {
            HfConfigThrowHelper.InvalidValue(c.PathOf(topKey), $"({topK}) exceeds {expertsKey} ({experts})", c.File);
        }
    }

    /// <summary>
    /// Qwen1.5/Qwen2-MoE and Qwen3-MoE: layer i holds the sparse block when it is not in <c>mlp_only_layers</c> and
    /// (i + 1) % <c>decoder_sparse_step</c> == 0, else a dense MLP of <c>intermediate_size</c>; experts of
    /// <c>moe_intermediate_size</c>; Qwen2-MoE adds one shared expert of <c>shared_expert_intermediate_size</c> and its
    /// sigmoid gate (hidden → 1).
    /// </summary>
    private static ModelArchitecture ParseQwenMoe(HfConfigObject c, string family)
    {
        bool qwen3 = family == "qwen3_moe";
        var defaults = new List<string>();
        long hidden = c.RequireDimension("hidden_size");
        int layers = c.RequireCount("num_hidden_layers");
        int heads = c.RequireCount("num_attention_heads");
        int kv = KvHeads(c, heads, true, "num_key_value_heads");
        int headDim = qwen3 ? c.RequireIntDimension("head_dim") : HeadDim(c, hidden, heads, null, "num_attention_heads");
        int experts = c.RequireCount("num_experts");
        int topK = c.RequireCount("num_experts_per_tok");
        CheckTopK(c, "num_experts_per_tok", topK, "num_experts", experts);
        long expertInner = c.RequireDimension("moe_intermediate_size");
        int step = c.FirstCount("decoder_sparse_step") ?? (int)Defaulted(c, "decoder_sparse_step", 1, qwen3 ? "Qwen3MoeConfig" : "Qwen2MoeConfig", defaults);
        int[] mlpOnly = LayerIndices(c, "mlp_only_layers", layers) ?? [];
        bool[] moe = [.. Enumerable.Range(0, layers).Select(i => !mlpOnly.Contains(i) && (i + 1) % step == 0)];
        bool anyDense = moe.Any(m => !m);
        long dense = anyDense ? c.RequireDimension("intermediate_size") : c.FirstDimension("intermediate_size") ?? expertInner;
        long? sharedInner = qwen3 ? null : c.RequireDimension("shared_expert_intermediate_size");
        bool attentionBias = c.GetBool("attention_bias", false);
        int? window = c.GetBool("use_sliding_window", false) ? SlidingWindow(c) : null;
        return ModelFamilies.ApplyDefaults(new ModelArchitecture
        {
            Family = family,
            ArchitectureName = c.GetArchitectureName(),
            VocabSize = c.RequireVocab("vocab_size"),
            HiddenSize = hidden,
            LayerCount = layers,
            AttentionHeadCount = heads,
            KeyValueHeadCount = kv,
            HeadDim = headDim,
            IntermediateSize = dense,
            ContextLength = c.GetPositions("max_position_embeddings") ?? 0,
            SlidingWindow = window,
            SlidingWindowLayers = window is null || c.FirstCount("max_window_layers") is not { } full
                ? null
                : [.. Enumerable.Range(0, layers).Select(i => i >= full)],
            ExpertCount = experts,
            ActiveExpertCount = topK,
            ExpertIntermediateSize = expertInner,
            SharedExpertCount = qwen3 ? 0 : 1,
            SharedExpertIntermediateSize = sharedInner,
            SharedExpertGate = !qwen3,
            MoeLayers = moe,
            TieWordEmbeddings = c.GetBool("tie_word_embeddings", false),
            // Qwen2MoeAttention: q/k/v always carry a bias; Qwen3MoeAttention: attention_bias on q/k/v/o.
            AttentionQkvBias = !qwen3 || attentionBias,
            AttentionOutputBias = qwen3 && attentionBias,
            MlpBias = false,
            DefaultsUsed = defaults,
        });
    }

    /// <summary>
    /// DeepSeek-MoE (model_type "deepseek", multi-head attention) and DeepSeek-V2/V3 (multi-head latent attention):
    /// layer i holds the MoE block when i ≥ <c>first_k_dense_replace</c> and i % <c>moe_layer_freq</c> == 0, else a
    /// dense MLP of <c>intermediate_size</c>; <c>n_routed_experts</c> experts of <c>moe_intermediate_size</c> plus
    /// <c>n_shared_experts</c> fused into one MLP; V3's router carries <c>e_score_correction_bias</c>
    /// (<c>topk_method</c> "noaux_tc"); V3's <c>num_nextn_predict_layers</c> MTP modules are reported apart.
    /// </summary>
    private static ModelArchitecture ParseDeepSeek(HfConfigObject c, string family)
    {
        bool mla = family != "deepseek";
        string cls = family switch { "deepseek_v2" => "DeepseekV2Config", "deepseek_v3" => "DeepseekV3Config", _ => "DeepseekConfig" };
        var defaults = new List<string>();
        long hidden = c.RequireDimension("hidden_size");
        int layers = c.RequireCount("num_hidden_layers");
        int heads = c.RequireCount("num_attention_heads");
        int experts = c.RequireCount("n_routed_experts");
        int topK = c.RequireCount("num_experts_per_tok");
        CheckTopK(c, "num_experts_per_tok", topK, "n_routed_experts", experts);
        long expertInner = c.RequireDimension("moe_intermediate_size");
        int shared = NonNegativeCount(c, "n_shared_experts", 0);
        int firstDense = NonNegativeCount(c, "first_k_dense_replace", 0);
        int freq = c.FirstCount("moe_layer_freq") ?? (int)Defaulted(c, "moe_layer_freq", 1, cls, defaults);
        bool[] moe = [.. Enumerable.Range(0, layers).Select(i => i >= firstDense && i % freq == 0)];
        long dense = c.RequireDimension("intermediate_size");
        bool attentionBias = c.GetBool("attention_bias", false);

        int kv = heads, headDim;
        int? valueHeadDim = null, kvRank = null, rope = null, qRank = null;
        if (mla)
        {
            kvRank = c.RequireCount("kv_lora_rank");
            rope = c.RequireIntDimension("qk_rope_head_dim");
            int nope = c.RequireIntDimension("qk_nope_head_dim");
            headDim = checked(nope + rope.Value);
            valueHeadDim = c.RequireIntDimension("v_head_dim");
            // q_lora_rank: an explicit null (DeepSeek-V2-Lite) means a direct q_proj; an absent key takes the class
            // default 1536.
            qRank = c.HasKey("q_lora_rank")
                ? c.FirstCount("q_lora_rank")
                : (int)Defaulted(c, "q_lora_rank", 1536, cls, defaults);
        }
        else
        {
            kv = KvHeads(c, heads, false, "num_key_value_heads");
            headDim = HeadDim(c, hidden, heads, null, "num_attention_heads");
        }

        string topkMethod = c.GetString("topk_method") ?? (family == "deepseek_v3" ? "noaux_tc" : "greedy");
        return ModelFamilies.ApplyDefaults(new ModelArchitecture
        {
            Family = family,
            ArchitectureName = c.GetArchitectureName(),
            VocabSize = c.RequireVocab("vocab_size"),
            HiddenSize = hidden,
            LayerCount = layers,
            AttentionHeadCount = heads,
            KeyValueHeadCount = kv,
            HeadDim = headDim,
            ValueHeadDim = valueHeadDim,
            KvLoraRank = kvRank,
            QkRopeHeadDim = rope,
            QueryLoraRank = qRank,
            IntermediateSize = dense,
            ContextLength = c.GetPositions("max_position_embeddings") ?? 0,
            ExpertCount = experts,
            ActiveExpertCount = topK,
            ExpertIntermediateSize = expertInner,
            SharedExpertCount = shared,
            MoeLayers = moe,
            RouterBias = topkMethod == "noaux_tc",
            MultiTokenPredictionLayers = family == "deepseek_v3" ? NonNegativeCount(c, "num_nextn_predict_layers", 0) : 0,
            TieWordEmbeddings = c.GetBool("tie_word_embeddings", false),
            AttentionQkvBias = attentionBias,
            AttentionOutputBias = attentionBias,
            MlpBias = false,
            DefaultsUsed = defaults,
        });
    }

    /// <summary>OLMo 2: LLaMA's projections, q_norm / k_norm over the whole q and k projections, post-attention and post-feed-forward norms only.</summary>
    private static ModelArchitecture ParseOlmo2(HfConfigObject c)
    {
        ModelArchitecture a = ParseLlamaLike(c, "llama");
        return a with
        {
            Family = "olmo2",
            NormsPerLayer = 2,
            QueryKeyNorm = true,
            QueryKeyNormFullWidth = true,
            QueryKeyNormBias = false,
            TieWordEmbeddings = c.GetBool("tie_word_embeddings", false),
        };
    }

    /// <summary>GPT-J: n_embd / n_layer / n_head / n_inner (null = 4 × n_embd) / n_positions; parallel block with one ln_1; lm_head with bias.</summary>
    private static ModelArchitecture ParseGptJ(HfConfigObject c)
    {
        long hidden = c.RequireDimension("n_embd");
        int heads = c.RequireCount("n_head");
        return ModelFamilies.ApplyDefaults(new ModelArchitecture
        {
            Family = "gptj",
            ArchitectureName = c.GetArchitectureName(),
            VocabSize = c.RequireVocab("vocab_size"),
            HiddenSize = hidden,
            LayerCount = c.RequireCount("n_layer"),
            AttentionHeadCount = heads,
            KeyValueHeadCount = heads,
            HeadDim = HeadDim(c, hidden, heads, null, "n_head"),
            IntermediateSize = c.FirstDimension("n_inner") ?? checked(4 * hidden),
            ContextLength = c.GetPositions("n_positions") ?? 2048,
            TieWordEmbeddings = c.GetBool("tie_word_embeddings", false),
        });
    }

    /// <summary>GPT-NeoX (Pythia, RedPajama-INCITE): fused query_key_value and dense with attention_bias (default true), two LayerNorms per layer, untied embed_out.</summary>
    private static ModelArchitecture ParseGptNeoX(HfConfigObject c)
    {
        long hidden = c.RequireDimension("hidden_size");
        int heads = c.RequireCount("num_attention_heads");
        bool bias = c.GetBool("attention_bias", true);
        return ModelFamilies.ApplyDefaults(new ModelArchitecture
        {
            Family = "gpt_neox",
            ArchitectureName = c.GetArchitectureName(),
            VocabSize = c.RequireVocab("vocab_size"),
            HiddenSize = hidden,
            LayerCount = c.RequireCount("num_hidden_layers"),
            AttentionHeadCount = heads,
            KeyValueHeadCount = heads,
            HeadDim = HeadDim(c, hidden, heads, null, "num_attention_heads"),
            IntermediateSize = c.RequireDimension("intermediate_size"),
            ContextLength = c.GetPositions("max_position_embeddings") ?? 2048,
            TieWordEmbeddings = c.GetBool("tie_word_embeddings", false),
            AttentionQkvBias = bias,
            AttentionOutputBias = bias,
        });
    }

    /// <summary>
    /// StableLM (StableLM-2, StableLM-3B-4E1T): LayerNorm input and post-attention norms (one when
    /// use_parallel_residual), q/k/v bias from use_qkv_bias, per-head q/k LayerNorms without bias from qk_layernorm,
    /// gated MLP, untied head.
    /// </summary>
    private static ModelArchitecture ParseStableLm(HfConfigObject c)
    {
        long hidden = c.RequireDimension("hidden_size");
        int heads = c.RequireCount("num_attention_heads");
        bool qkNorm = c.GetBool("qk_layernorm", false);
        return ModelFamilies.ApplyDefaults(new ModelArchitecture
        {
            Family = "stablelm",
            ArchitectureName = c.GetArchitectureName(),
            VocabSize = c.RequireVocab("vocab_size"),
            HiddenSize = hidden,
            LayerCount = c.RequireCount("num_hidden_layers"),
            AttentionHeadCount = heads,
            KeyValueHeadCount = KvHeads(c, heads, true, "num_key_value_heads"),
            HeadDim = HeadDim(c, hidden, heads, null, "num_attention_heads"),
            IntermediateSize = c.RequireDimension("intermediate_size"),
            ContextLength = c.GetPositions("max_position_embeddings") ?? 0,
            TieWordEmbeddings = c.GetBool("tie_word_embeddings", false),
            NormsPerLayer = c.GetBool("use_parallel_residual", false) ? 1 : 2,
            AttentionQkvBias = c.GetBool("use_qkv_bias", false),
            AttentionOutputBias = false,
            MlpBias = false,
            QueryKeyNorm = qkNorm,
            QueryKeyNormFullWidth = true,
            QueryKeyNormBias = false,
        });
    }

    /// <summary>Cohere (Command R / R+): parallel block with one weight-only LayerNorm, q/k norms over whole heads when use_qk_norm, tied head.</summary>
    private static ModelArchitecture ParseCohere(HfConfigObject c)
    {
        ModelArchitecture a = ParseLlamaLike(c, "cohere");
        return a with
        {
            QueryKeyNorm = c.GetBool("use_qk_norm", false),
            QueryKeyNormFullWidth = true,
            QueryKeyNormBias = false,
        };
    }

    /// <summary>GPT-BigCode (SantaCoder, StarCoder 1): GPT-2's block; multi_query (default true) gives one K/V head.</summary>
    private static ModelArchitecture ParseGptBigCode(HfConfigObject c)
    {
        long hidden = c.RequireDimension("n_embd");
        int heads = c.RequireCount("n_head");
        long positions = c.GetPositions("n_positions") ?? 1024;
        return ModelFamilies.ApplyDefaults(new ModelArchitecture
        {
            Family = "gpt_bigcode",
            ArchitectureName = c.GetArchitectureName(),
            VocabSize = c.RequireVocab("vocab_size"),
            HiddenSize = hidden,
            LayerCount = c.RequireCount("n_layer"),
            AttentionHeadCount = heads,
            KeyValueHeadCount = c.GetBool("multi_query", true) ? 1 : heads,
            HeadDim = HeadDim(c, hidden, heads, null, "n_head"),
            IntermediateSize = c.FirstDimension("n_inner") ?? checked(4 * hidden),
            ContextLength = positions,
            LearnedPositionCount = positions,
            TieWordEmbeddings = c.GetBool("tie_word_embeddings", true),
        });
    }

    /// <summary>
    /// OPT: learned positions with OPTLearnedPositionalEmbedding's offset of 2 rows; word_embed_proj_dim below hidden
    /// adds project_in / project_out; no final_layer_norm when do_layer_norm_before is false (OPT-350m) or
    /// _remove_final_layer_norm; enable_bias on every Linear; tied head.
    /// </summary>
    private static ModelArchitecture ParseOpt(HfConfigObject c)
    {
        long hidden = c.RequireDimension("hidden_size");
        int heads = c.RequireCount("num_attention_heads");
        long positions = c.GetPositions("max_position_embeddings") ?? 2048;
        long proj = c.FirstDimension("word_embed_proj_dim") ?? hidden;
        bool bias = c.GetBool("enable_bias", true);
        bool finalNorm = c.GetBool("do_layer_norm_before", true) && !c.GetBool("_remove_final_layer_norm", false);
        return ModelFamilies.ApplyDefaults(new ModelArchitecture
        {
            Family = "opt",
            ArchitectureName = c.GetArchitectureName(),
            VocabSize = c.RequireVocab("vocab_size"),
            HiddenSize = hidden,
            LayerCount = c.RequireCount("num_hidden_layers"),
            AttentionHeadCount = heads,
            KeyValueHeadCount = heads,
            HeadDim = HeadDim(c, hidden, heads, null, "num_attention_heads"),
            IntermediateSize = c.RequireDimension("ffn_dim"),
            ContextLength = positions,
            LearnedPositionCount = checked(positions + 2),
            EmbeddingProjectionSize = proj == hidden ? null : proj,
            FinalNorm = finalNorm,
            TieWordEmbeddings = c.GetBool("tie_word_embeddings", true),
            AttentionQkvBias = bias,
            AttentionOutputBias = bias,
            MlpBias = bias,
        });
    }

    /// <summary>BLOOM: n_embed / hidden_size, n_layer, n_head; word_embeddings_layernorm; MLP of 4 × hidden; biases; tied.</summary>
    private static ModelArchitecture ParseBloom(HfConfigObject c)
    {
        long hidden = c.RequireDimension("hidden_size", "n_embed");
        int heads = c.RequireCount("n_head", "num_attention_heads");
        return ModelFamilies.ApplyDefaults(new ModelArchitecture
        {
            Family = "bloom",
            ArchitectureName = c.GetArchitectureName(),
            VocabSize = c.RequireVocab("vocab_size"),
            HiddenSize = hidden,
            LayerCount = c.RequireCount("n_layer", "num_hidden_layers"),
            AttentionHeadCount = heads,
            KeyValueHeadCount = heads,
            HeadDim = HeadDim(c, hidden, heads, null, "n_head"),
            // BloomMLP: dense_h_to_4h is hidden → 4 × hidden.
            IntermediateSize = checked(4 * hidden),
            ContextLength = c.GetPositions("seq_length") ?? 2048,
            TieWordEmbeddings = c.GetBool("tie_word_embeddings", true),
        });
    }

    /// <summary>MPT: d_model / n_heads / n_layers / expansion_ratio (default 4) / max_seq_len; no biases anywhere (transformers drops the norms' biases); tied.</summary>
    private static ModelArchitecture ParseMpt(HfConfigObject c)
    {
        long hidden = c.RequireDimension("d_model");
        int heads = c.RequireCount("n_heads");
        long ratio = c.FirstCount("expansion_ratio") ?? 4;
        return ModelFamilies.ApplyDefaults(new ModelArchitecture
        {
            Family = "mpt",
            ArchitectureName = c.GetArchitectureName(),
            VocabSize = c.RequireVocab("vocab_size"),
            HiddenSize = hidden,
            LayerCount = c.RequireCount("n_layers"),
            AttentionHeadCount = heads,
            KeyValueHeadCount = heads,
            HeadDim = HeadDim(c, hidden, heads, null, "n_heads"),
            IntermediateSize = checked(ratio * hidden),
            ContextLength = c.GetPositions("max_seq_len") ?? 2048,
            TieWordEmbeddings = c.GetBool("tie_word_embeddings", true),
        });
    }

    /// <summary>
    /// GPT-OSS: LLaMA-style block with q/k/v/o biases and a learned sink per head; every layer an MoE of
    /// <c>num_local_experts</c> gated experts (gate_up_proj / down_proj with biases) behind a router with bias.
    /// </summary>
    private static ModelArchitecture ParseGptOss(HfConfigObject c)
    {
        ModelArchitecture a = ParseLlamaLike(c, "gpt_oss");
        return a with { AttentionSinks = true, RouterBias = true };
    }

    /// <summary>
    /// ModernBERT: tok_embeddings + LayerNorm; layers of attn_norm (an Identity in layer 0), fused Wqkv and Wo,
    /// mlp_norm, gated Wi (2 × intermediate) and Wo; final_norm. LayerNorms carry a bias only with norm_bias,
    /// projections only with attention_bias / mlp_bias. ModernBertForMaskedLM adds the head (dense with
    /// classifier_bias, LayerNorm) and the tied decoder's bias (decoder_bias, default true).
    /// </summary>
    private static ModelArchitecture ParseModernBert(HfConfigObject c)
    {
        var defaults = new List<string>();
        const string cls = "ModernBertConfig";
        long hidden = c.FirstDimension("hidden_size") ?? Defaulted(c, "hidden_size", 768, cls, defaults);
        int heads = c.FirstCount("num_attention_heads") ?? (int)Defaulted(c, "num_attention_heads", 12, cls, defaults);
        int layers = c.FirstCount("num_hidden_layers") ?? (int)Defaulted(c, "num_hidden_layers", 22, cls, defaults);
        long vocab = c.GetVocab("vocab_size") ?? Defaulted(c, "vocab_size", 50368, cls, defaults);
        long inner = c.FirstDimension("intermediate_size") ?? Defaulted(c, "intermediate_size", 1152, cls, defaults);
        bool normBias = c.GetBool("norm_bias", false);
        string? arch = c.GetArchitectureName();
        bool mlm = arch is "ModernBertForMaskedLM";
        var extra = new List<ArchitectureWeight>();
        if (layers > 1)
        {
            // attn_norm of layers 1..n-1 (layer 0 uses nn.Identity); mlp_norm is the one per-layer norm of the traits.
            extra.Add(new(ModelComponent.Norms, "blk.{layer}.attn_norm.weight", [hidden], layers - 1, layers - 1));
            if (normBias)
            {
                extra.Add(new(ModelComponent.Norms, "blk.{layer}.attn_norm.bias", [hidden], layers - 1, layers - 1));
            }
        }

        if (mlm)
        {
            extra.Add(new(ModelComponent.OutputHead, "mlm_transform.weight", [hidden, hidden], 1, 1));
            if (c.GetBool("classifier_bias", false))
            {
                extra.Add(new(ModelComponent.OutputHead, "mlm_transform.bias", [hidden], 1, 1));
            }

            extra.Add(new(ModelComponent.OutputHead, "mlm_norm.weight", [hidden], 1, 1));
            if (normBias)
            {
                extra.Add(new(ModelComponent.OutputHead, "mlm_norm.bias", [hidden], 1, 1));
            }

            if (c.GetBool("decoder_bias", true))
            {
                extra.Add(new(ModelComponent.OutputHead, "mlm_output.bias", [vocab], 1, 1));
            }
        }

        return ModelFamilies.ApplyDefaults(new ModelArchitecture
        {
            Family = "modernbert",
            ArchitectureName = arch,
            Kind = TransformerKind.EncoderOnly,
            VocabSize = vocab,
            HiddenSize = hidden,
            LayerCount = layers,
            AttentionHeadCount = heads,
            KeyValueHeadCount = heads,
            HeadDim = HeadDim(c, hidden, heads, null, "num_attention_heads"),
            IntermediateSize = inner,
            ContextLength = c.GetPositions("max_position_embeddings") ?? 8192,
            TieWordEmbeddings = true,
            Normalization = normBias ? NormalizationKind.LayerNorm : NormalizationKind.RmsNorm,
            AttentionQkvBias = c.GetBool("attention_bias", false),
            AttentionOutputBias = c.GetBool("attention_bias", false),
            MlpBias = c.GetBool("mlp_bias", false),
            LearnedPositionCount = 0,
            AdditionalWeights = extra,
            Notes = mlm || arch is null or "ModernBertModel" ? [] : [$"Counted as ModernBertModel; the task head of {arch} is not counted."],
            DefaultsUsed = defaults,
        });
    }
}
