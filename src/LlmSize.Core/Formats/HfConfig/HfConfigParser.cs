using System.Text.Json;
using LlmSize.Core.Models.Architectures;

namespace LlmSize.Core.Formats.HfConfig;

/// <summary>
/// Maps one family's <c>config.json</c> keys to a <see cref="ModelArchitecture"/>, applying the defaults and quirks of
/// that family's transformers configuration class (<c>configuration_*.py</c>) and the weights its modeling file creates.
/// </summary>
internal static partial class HfConfigParser
{
    public static ModelArchitecture Parse(JsonElement root, string? file, HfConfigReaderOptions options)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw new ModelFormatException(ModelFormatError.InvalidJson,
                $"config.json must be a JSON object, but is a JSON {root.ValueKind.ToString().ToLowerInvariant()}", file);
        }

        var c = new HfConfigObject(root, file, string.Empty, options);
        string modelType = c.GetString("model_type") ?? Missing<string>(c, "model_type");
        try
        {
            return ParseFamily(c, modelType, file);
        }
        catch (OverflowException e)
        {
            // Products of in-range sizes (tiles x patches x width, merged widths) that leave 64 bits.
            throw new ModelFormatException(ModelFormatError.InvalidValue,
                $"config.json sizes of model_type '{modelType}' multiply beyond 64 bits", file, inner: e);
        }
    }

    private static ModelArchitecture ParseFamily(HfConfigObject c, string modelType, string? file)
    {
        ModelArchitecture a = modelType switch
        {
            "llama" or "mistral" or "mixtral" or "qwen2" or "qwen3" or "gemma" or "gemma2" or "gemma3_text" or "phi3"
                or "starcoder2" or "granite" or "granitemoe" or "internlm2" => ParseLlamaLike(c, modelType),
            "gemma3" => ParseGemma3(c),
            "qwen2_moe" or "qwen3_moe" => ParseQwenMoe(c, modelType),
            "deepseek" or "deepseek_v2" or "deepseek_v3" => ParseDeepSeek(c, modelType),
            "olmo2" => ParseOlmo2(c),
            "gptj" => ParseGptJ(c),
            "gpt_neox" => ParseGptNeoX(c),
            "stablelm" => ParseStableLm(c),
            "cohere" => ParseCohere(c),
            "gpt_bigcode" => ParseGptBigCode(c),
            "opt" => ParseOpt(c),
            "bloom" => ParseBloom(c),
            "mpt" => ParseMpt(c),
            "llava" or "llava_next" => ParseLlava(c, modelType),
            "qwen2_vl" or "qwen2_5_vl" => ParseQwen2Vl(c, modelType),
            "gpt_oss" => ParseGptOss(c),
            "paligemma" => ParsePaliGemma(c),
            "idefics3" or "smolvlm" => ParseIdefics3(c, modelType),
            "phi3_v" => ParsePhi3V(c),
            "mllama" => ParseMllama(c),
            "llama4" => ParseLlama4(c),
            "modernbert" => ParseModernBert(c),
            "llama4_text" => ParseLlama4Text(c, c.GetArchitectureName()),
            "phi" => ParsePhi(c),
            "phi-msft" => ParsePhiMsft(c),
            "gpt2" => ParseGpt2(c),
            "bert" => ParseBert(c),
            "distilbert" => ParseDistilBert(c),
            "t5" => ParseT5(c),
            "falcon" or "RefinedWeb" or "RefinedWebModel" => ParseFalcon(c, modelType),
            _ => throw new NotSupportedException(
                $"{(file is null ? string.Empty : file + ": ")}model_type '{modelType}' is not supported; supported: " +
                string.Join(", ", HfConfigConstants.SupportedModelTypes) + "."),
        };
        return a with { Source = file ?? "config.json" };
    }

    private static T Missing<T>(HfConfigObject c, string field)
    {
        HfConfigThrowHelper.MissingField(c.PathOf(field), c.File);
        return default!;
    }

    /// <summary>head_dim from the config, else the family default, else hidden / heads (which must divide).</summary>
    private static int HeadDim(HfConfigObject c, long hidden, int heads, int? familyDefault, string headsKey)
    {
        if (c.FirstIntDimension("head_dim") is { } hd)
        {
            return hd;
        }

        if (familyDefault is { } f)
        {
            return f;
        }

        if (hidden % heads != 0)
        {
            HfConfigThrowHelper.InvalidValue(c.PathOf(headsKey),
                $"({heads}) does not divide the hidden size {hidden}, and no head_dim is given", c.File);
        }

        long derived = hidden / heads;
        if (derived > int.MaxValue)
        {
            HfConfigThrowHelper.InvalidValue(c.PathOf(headsKey), $"gives a head size of {derived}, above {int.MaxValue}", c.File);
        }

        return (int)derived;
    }

    private static int KvHeads(HfConfigObject c, int heads, bool required, params string[] keys)
    {
        int? kv = c.FirstCount(keys);
        if (kv is null && required)
        {
            HfConfigThrowHelper.MissingField(c.PathOf(keys[0]), c.File,
                "(this family's config class default differs from num_attention_heads, so it is not guessed)");
        }

        int value = kv ?? heads;
        if (value > heads || heads % value != 0)
        {
            HfConfigThrowHelper.InvalidValue(c.PathOf(keys[0]),
                $"({value}) must divide num_attention_heads ({heads})", c.File);
        }

        return value;
    }

    private static int? SlidingWindow(HfConfigObject c) => c.GetIntPositions("sliding_window");

    /// <summary>Reads <c>layer_types</c> ("sliding_attention" / "full_attention") when present.</summary>
    private static bool[]? LayerTypes(HfConfigObject c, int layers)
    {
        if (c.GetArray("layer_types") is not { } items)
        {
            return null;
        }

        if (items.Length != layers)
        {
            HfConfigThrowHelper.InvalidValue(c.PathOf("layer_types"),
                $"has {items.Length} entries for {layers} layers", c.File);
        }

        var result = new bool[layers];
        for (int i = 0; i < layers; i++)
        {
            if (items[i].ValueKind != JsonValueKind.String)
            {
                HfConfigThrowHelper.WrongType(c.PathOf($"layer_types[{i}]"), "a string", items[i].ValueKind, c.File);
            }

            result[i] = items[i].GetString() switch
            {
                "sliding_attention" => true,
                "full_attention" => false,
                string other => Invalid(other),
                null => false,
            };

            bool Invalid(string s)
            {
                HfConfigThrowHelper.InvalidValue(c.PathOf($"layer_types[{i}]"),
                    $"is '{s}', expected 'sliding_attention' or 'full_attention'", c.File);
                return false;
            }
        }

        return result;
    }

    /// <summary>
    /// LLaMA and the families that share its block (pre-norm RMSNorm, q/k/v/o, gated MLP): llama, mistral, mixtral,
    /// qwen2, qwen3, gemma, gemma2, gemma3_text, phi3 (fused projections, same counts), starcoder2 (LayerNorm, biases,
    /// plain MLP).
    /// </summary>
    private static ModelArchitecture ParseLlamaLike(HfConfigObject c, string family, string? architectureName = null,
        IReadOnlyList<string>? notes = null, List<string>? defaults = null)
    {
        bool gemma3 = family == "gemma3_text";
        defaults ??= [];
        long vocab = gemma3
            ? c.GetVocab("vocab_size") ?? Defaulted(c, "vocab_size", HfConfigConstants.Gemma3DefaultVocabSize, "Gemma3TextConfig", defaults)
            : c.RequireVocab("vocab_size");
        long hidden = c.RequireDimension("hidden_size");
        int layers = c.RequireCount("num_hidden_layers");
        int heads = gemma3
            ? c.FirstCount("num_attention_heads") ?? (int)Defaulted(c, "num_attention_heads", HfConfigConstants.Gemma3DefaultHeads, "Gemma3TextConfig", defaults)
            : c.RequireCount("num_attention_heads");
        bool kvRequired = family is not ("llama" or "phi3" or "granite" or "granitemoe" or "internlm2" or "cohere");
        int kv = gemma3 && !c.Has("num_key_value_heads")
            ? (int)Defaulted(c, "num_key_value_heads", HfConfigConstants.Gemma3DefaultKeyValueHeads, "Gemma3TextConfig", defaults)
            : KvHeads(c, heads, kvRequired, "num_key_value_heads");
        if (gemma3 && !c.Has("head_dim"))
        {
            Defaulted(c, "head_dim", HfConfigConstants.GemmaDefaultHeadDim, "Gemma3TextConfig", defaults);
        }
        int? headDimDefault = family switch
        {
            "gemma" or "gemma2" or "gemma3_text" => HfConfigConstants.GemmaDefaultHeadDim,
            "qwen3" => HfConfigConstants.Qwen3DefaultHeadDim,
            _ => null,
        };
        int headDim = HeadDim(c, hidden, heads, headDimDefault, "num_attention_heads");
        long inner = c.RequireDimension("intermediate_size");
        bool tie = c.GetBool("tie_word_embeddings", ModelFamilies.DefaultTieWordEmbeddings(family));

        // attention_bias (llama, gemma*, qwen3) puts biases on q, k, v and o; Qwen2 always has q/k/v biases only;
        // StarCoder2's use_bias covers attention and MLP.
        // GptOssConfig: attention_bias defaults to true; its experts always carry biases.
        bool attentionBias = c.GetBool("attention_bias", family == "gpt_oss");
        bool qkvBias = family == "qwen2" || attentionBias;
        bool outBias = attentionBias;
        bool mlpBias = family == "gpt_oss" || c.GetBool("mlp_bias", false);
        if (family == "starcoder2")
        {
            bool useBias = c.GetBool("use_bias", true);
            qkvBias = outBias = mlpBias = useBias;
        }

        if (family == "internlm2")
        {
            // InternLM2Attention: wqkv and wo take bias=config.bias (InternLM2Config default True); the MLP has none.
            qkvBias = outBias = c.GetBool("bias", true);
            mlpBias = false;
        }

        int experts = 0, active = 0;
        if (family is "mixtral" or "granitemoe" or "gpt_oss")
        {
            experts = c.RequireCount("num_local_experts");
            active = c.RequireCount("num_experts_per_tok", "experts_per_token");
            if (active > experts)
            {
                HfConfigThrowHelper.InvalidValue(c.PathOf("num_experts_per_tok"),
                    $"({active}) exceeds num_local_experts ({experts})", c.File);
            }
        }

        // Sliding-window attention: which layers use it, per family.
        int? window = null;
        bool[]? windowed = LayerTypes(c, layers);
        switch (family)
        {
            case "mistral":
                // MistralConfig sliding_window=4096 when the key is absent; an explicit null (v0.2+) means none.
                window = c.HasKey("sliding_window") ? SlidingWindow(c) : 4096;
                break;
            case "mixtral" or "phi3" or "starcoder2" or "gpt_oss":
                window = SlidingWindow(c);
                break;
            case "qwen2" or "qwen3":
                if (c.GetBool("use_sliding_window", false))
                {
                    window = SlidingWindow(c);
                    if (windowed is null && c.FirstCount("max_window_layers") is { } full)
                    {
                        // Qwen2Attention: layers with index >= max_window_layers use the window.
                        windowed = [.. Enumerable.Range(0, layers).Select(i => i >= full)];
                    }
                }
                else
                {
                    windowed = null;
                }

                break;
            case "gemma2":
                window = SlidingWindow(c) ?? 4096;
                // Gemma2DecoderLayer: is_sliding = not bool(layer_idx % 2).
                windowed ??= [.. Enumerable.Range(0, layers).Select(i => i % 2 == 0)];
                break;
            case "gemma3_text":
                window = SlidingWindow(c) ?? 4096;
                int pattern = c.FirstCount("sliding_window_pattern") ?? HfConfigConstants.Gemma3DefaultSlidingWindowPattern;
                // Gemma3DecoderLayer: is_sliding = bool((layer_idx + 1) % sliding_window_pattern).
                windowed ??= [.. Enumerable.Range(0, layers).Select(i => (i + 1) % pattern != 0)];
                break;
        }

        if (window is null)
        {
            windowed = null;
        }

        var architecture = new ModelArchitecture
        {
            Family = family,
            ArchitectureName = architectureName ?? c.GetArchitectureName(),
            Kind = TransformerKind.DecoderOnly,
            VocabSize = vocab,
            HiddenSize = hidden,
            LayerCount = layers,
            AttentionHeadCount = heads,
            KeyValueHeadCount = kv,
            HeadDim = headDim,
            IntermediateSize = inner,
            ContextLength = c.GetPositions("max_position_embeddings") ?? 0,
            SlidingWindow = window,
            SlidingWindowLayers = windowed,
            ExpertCount = experts,
            ActiveExpertCount = active,
            ExpertIntermediateSize = experts > 0 ? inner : null,
            TieWordEmbeddings = tie,
            AttentionQkvBias = qkvBias,
            AttentionOutputBias = outBias,
            MlpBias = mlpBias,
            Notes = notes ?? [],
            DefaultsUsed = defaults,
        };
        return ModelFamilies.ApplyDefaults(architecture);
    }

    /// <summary>Records that <paramref name="key"/> was absent and took its config class default.</summary>
    private static long Defaulted(HfConfigObject c, string key, long value, string configClass, List<string> defaults)
    {
        defaults.Add($"{c.PathOf(key)} = {value} ({configClass} default)");
        return value;
    }

    /// <summary>Phi (transformers PhiConfig, model_type "phi"): parallel block, LayerNorm, biases everywhere, lm_head bias.</summary>
    private static ModelArchitecture ParsePhi(HfConfigObject c)
    {
        long hidden = c.RequireDimension("hidden_size");
        int heads = c.RequireCount("num_attention_heads");
        bool qkNorm = c.GetBool("qk_layernorm", false);
        return ModelFamilies.ApplyDefaults(new ModelArchitecture
        {
            Family = "phi",
            ArchitectureName = c.GetArchitectureName(),
            VocabSize = c.RequireVocab("vocab_size"),
            HiddenSize = hidden,
            LayerCount = c.RequireCount("num_hidden_layers"),
            AttentionHeadCount = heads,
            KeyValueHeadCount = KvHeads(c, heads, false, "num_key_value_heads"),
            HeadDim = HeadDim(c, hidden, heads, null, "num_attention_heads"),
            IntermediateSize = c.RequireDimension("intermediate_size"),
            ContextLength = c.GetPositions("max_position_embeddings") ?? 0,
            TieWordEmbeddings = c.GetBool("tie_word_embeddings", false),
            QueryKeyNorm = qkNorm,
        });
    }

    /// <summary>
    /// Phi in the original Microsoft remote-code format (model_type "phi-msft"): keys n_embd / n_layer / n_head /
    /// n_head_kv / n_inner / n_positions. Its modeling_phi.py holds the same weights as transformers' Phi under other
    /// names: layers.N.ln, mixer.Wqkv (fused, bias), mixer.out_proj, mlp.fc1/fc2, and a CausalLMHead of ln + linear (bias).
    /// </summary>
    private static ModelArchitecture ParsePhiMsft(HfConfigObject c)
    {
        long hidden = c.RequireDimension("n_embd");
        int heads = c.RequireCount("n_head");
        return ModelFamilies.ApplyDefaults(new ModelArchitecture
        {
            Family = "phi-msft",
            ArchitectureName = c.GetArchitectureName(),
            VocabSize = c.RequireVocab("vocab_size"),
            HiddenSize = hidden,
            LayerCount = c.RequireCount("n_layer"),
            AttentionHeadCount = heads,
            KeyValueHeadCount = KvHeads(c, heads, false, "n_head_kv"),
            HeadDim = c.FirstIntDimension("n_head_dim") ?? HeadDim(c, hidden, heads, null, "n_head"),
            // PhiConfig (phi-msft): n_inner None -> 4 * n_embd.
            IntermediateSize = c.FirstDimension("n_inner") ?? checked(4 * hidden),
            ContextLength = c.GetPositions("n_positions") ?? 0,
            TieWordEmbeddings = c.GetBool("tie_word_embeddings", false),
        });
    }

    /// <summary>GPT-2: n_embd / n_layer / n_head / n_inner / n_positions; learned positions; tied lm_head.</summary>
    private static ModelArchitecture ParseGpt2(HfConfigObject c)
    {
        long hidden = c.RequireDimension("n_embd");
        int heads = c.RequireCount("n_head");
        long positions = c.GetPositions("n_positions") ?? 1024; // GPT2Config n_positions=1024
        return ModelFamilies.ApplyDefaults(new ModelArchitecture
        {
            Family = "gpt2",
            ArchitectureName = c.GetArchitectureName(),
            VocabSize = c.RequireVocab("vocab_size"),
            HiddenSize = hidden,
            LayerCount = c.RequireCount("n_layer"),
            AttentionHeadCount = heads,
            KeyValueHeadCount = heads,
            HeadDim = HeadDim(c, hidden, heads, null, "n_head"),
            // GPT2MLP: inner_dim = n_inner if not None else 4 * hidden_size.
            IntermediateSize = c.FirstDimension("n_inner") ?? checked(4 * hidden),
            ContextLength = positions,
            LearnedPositionCount = positions,
            TieWordEmbeddings = c.GetBool("tie_word_embeddings", true),
        });
    }

    /// <summary>
    /// BERT. The head counted follows <c>architectures[0]</c>: BertModel = embeddings + encoder + pooler;
    /// BertForMaskedLM = no pooler (add_pooling_layer=False) + MLM head (transform, LayerNorm, decoder bias; decoder
    /// weight tied); BertForPreTraining = pooler + MLM head + next-sentence classifier (2); BertForNextSentencePrediction
    /// = pooler + classifier (2); BertForSequenceClassification = pooler + classifier (num_labels). Other heads: the
    /// BertModel count plus a note.
    /// </summary>
    private static ModelArchitecture ParseBert(HfConfigObject c)
    {
        long hidden = c.RequireDimension("hidden_size");
        int heads = c.RequireCount("num_attention_heads");
        string? arch = c.GetArchitectureName();
        int labels = c.FirstCount("num_labels") ?? (c.GetObject("id2label") is not null ? CountLabels(c) : 2);
        (bool pooler, bool mlm, int cls, string? note) = arch switch
        {
            null or "BertModel" => (true, false, 0, null),
            "BertForMaskedLM" => (false, true, 0, null),
            "BertForPreTraining" => (true, true, 2, null),
            "BertForNextSentencePrediction" => (true, false, 2, null),
            "BertForSequenceClassification" => (true, false, labels, null),
            _ => (true, false, 0, $"Counted as BertModel (with pooler); the task head of {arch} is not counted."),
        };
        return ModelFamilies.ApplyDefaults(new ModelArchitecture
        {
            Family = "bert",
            ArchitectureName = arch,
            Kind = TransformerKind.EncoderOnly,
            VocabSize = c.RequireVocab("vocab_size"),
            HiddenSize = hidden,
            LayerCount = c.RequireCount("num_hidden_layers"),
            AttentionHeadCount = heads,
            KeyValueHeadCount = heads,
            HeadDim = HeadDim(c, hidden, heads, null, "num_attention_heads"),
            IntermediateSize = c.RequireDimension("intermediate_size"),
            ContextLength = c.GetPositions("max_position_embeddings") ?? 512,
            LearnedPositionCount = c.GetPositions("max_position_embeddings") ?? 512,
            TokenTypeCount = c.FirstCount("type_vocab_size") ?? 2,
            TieWordEmbeddings = true,
            Pooler = pooler,
            MaskedLmHead = mlm,
            ClassifierOutputCount = cls,
            Notes = note is null ? [] : [note],
        });
    }

    private static int CountLabels(HfConfigObject c)
    {
        JsonElement map = c.Get("id2label")!.Value;
        int n = 0;
        foreach (JsonProperty unused in map.EnumerateObject())
        {
            if (++n > c.Options.MaxCount)
            {
                HfConfigThrowHelper.InvalidValue(c.PathOf("id2label"), $"has more than {c.Options.MaxCount} labels", c.File);
            }
        }

        return n == 0 ? 2 : n;
    }

    /// <summary>
    /// DistilBERT: dim / hidden_dim / n_layers / n_heads. DistilBertModel = embeddings (word, position, LayerNorm) +
    /// transformer; DistilBertForMaskedLM adds vocab_transform, vocab_layer_norm and the vocab_projector bias (its
    /// weight is tied); DistilBertForSequenceClassification adds pre_classifier (dim × dim + dim, counted as the pooler)
    /// and classifier (num_labels).
    /// </summary>
    private static ModelArchitecture ParseDistilBert(HfConfigObject c)
    {
        long hidden = c.RequireDimension("dim");
        int heads = c.RequireCount("n_heads");
        string? arch = c.GetArchitectureName();
        int labels = c.FirstCount("num_labels") ?? (c.GetObject("id2label") is not null ? CountLabels(c) : 2);
        (bool pooler, bool mlm, int cls, string? note) = arch switch
        {
            null or "DistilBertModel" => (false, false, 0, null),
            "DistilBertForMaskedLM" => (false, true, 0, null),
            "DistilBertForSequenceClassification" => (true, false, labels, null),
            _ => (false, false, 0, $"Counted as DistilBertModel; the task head of {arch} is not counted."),
        };
        long positions = c.GetPositions("max_position_embeddings") ?? 512;
        return ModelFamilies.ApplyDefaults(new ModelArchitecture
        {
            Family = "distilbert",
            ArchitectureName = arch,
            Kind = TransformerKind.EncoderOnly,
            VocabSize = c.RequireVocab("vocab_size"),
            HiddenSize = hidden,
            LayerCount = c.RequireCount("n_layers"),
            AttentionHeadCount = heads,
            KeyValueHeadCount = heads,
            HeadDim = HeadDim(c, hidden, heads, null, "n_heads"),
            IntermediateSize = c.RequireDimension("hidden_dim"),
            ContextLength = positions,
            // Sinusoidal position embeddings are still an nn.Embedding weight (frozen), so they are counted.
            LearnedPositionCount = positions,
            TieWordEmbeddings = true,
            Pooler = pooler,
            MaskedLmHead = mlm,
            ClassifierOutputCount = cls,
            Notes = note is null ? [] : [note],
        });
    }

    /// <summary>
    /// T5 (T5ForConditionalGeneration): shared embedding, encoder and decoder stacks of num_layers / num_decoder_layers
    /// blocks, inner attention width num_heads × d_kv, relative-position bias in the first block of each stack,
    /// feed_forward_proj "gated-*" = 3 matrices, tie_word_embeddings default true (T5 v1.0; v1.1 and FLAN set false).
    /// </summary>
    private static ModelArchitecture ParseT5(HfConfigObject c)
    {
        string proj = c.GetString("feed_forward_proj") ?? "relu";
        bool gated = proj.StartsWith("gated-", StringComparison.Ordinal);
        int heads = c.RequireCount("num_heads");
        int encoderLayers = c.RequireCount("num_layers");
        string? arch = c.GetArchitectureName();
        return ModelFamilies.ApplyDefaults(new ModelArchitecture
        {
            Family = "t5",
            ArchitectureName = arch,
            Kind = TransformerKind.EncoderDecoder,
            VocabSize = c.RequireVocab("vocab_size"),
            HiddenSize = c.RequireDimension("d_model"),
            EncoderLayerCount = encoderLayers,
            LayerCount = c.FirstCount("num_decoder_layers") ?? encoderLayers,
            AttentionHeadCount = heads,
            KeyValueHeadCount = heads,
            HeadDim = c.RequireIntDimension("d_kv"),
            IntermediateSize = c.RequireDimension("d_ff"),
            ContextLength = c.GetPositions("n_positions") ?? 512,
            RelativeAttentionBuckets = c.FirstCount("relative_attention_num_buckets") ?? 32,
            Mlp = gated ? MlpKind.Gated : MlpKind.Plain,
            TieWordEmbeddings = c.GetBool("tie_word_embeddings", true),
            Notes = arch is null or "T5ForConditionalGeneration" or "T5Model" ? [] :
                [$"Counted as T5ForConditionalGeneration (encoder and decoder); {arch} may hold fewer weights."],
        });
    }

    /// <summary>
    /// Falcon (and the older RefinedWeb / RefinedWebModel configs): keys n_head / n_layer / n_embed accepted; K/V heads
    /// from new_decoder_architecture (num_kv_heads), multi_query (1) or num_attention_heads; norms from parallel_attn
    /// and num_ln_in_parallel_attn (2 when new_decoder_architecture and unset); bias on every Linear.
    /// </summary>
    private static ModelArchitecture ParseFalcon(HfConfigObject c, string modelType)
    {
        long hidden = c.RequireDimension("hidden_size", "n_embed");
        int heads = c.RequireCount("num_attention_heads", "n_head");
        bool newArch = c.GetBool("new_decoder_architecture", modelType == "RefinedWeb");
        bool multiQuery = c.GetBool("multi_query", true);
        bool parallel = c.GetBool("parallel_attn", true);
        bool bias = c.GetBool("bias", false);
        int kv = newArch ? KvHeads(c, heads, false, "num_kv_heads", "n_head_kv") : multiQuery ? 1 : heads;
        int? lnParallel = c.FirstCount("num_ln_in_parallel_attn") ?? (newArch ? 2 : null);
        int norms = !parallel ? 2 : lnParallel == 2 ? 2 : 1;
        return ModelFamilies.ApplyDefaults(new ModelArchitecture
        {
            Family = "falcon",
            ArchitectureName = c.GetArchitectureName(),
            VocabSize = c.RequireVocab("vocab_size"),
            HiddenSize = hidden,
            LayerCount = c.RequireCount("num_hidden_layers", "n_layer"),
            AttentionHeadCount = heads,
            KeyValueHeadCount = kv,
            HeadDim = HeadDim(c, hidden, heads, null, "num_attention_heads"),
            // FalconMLP: ffn_hidden_size defaults to 4 * hidden_size.
            IntermediateSize = c.FirstDimension("ffn_hidden_size") ?? checked(4 * hidden),
            ContextLength = c.GetPositions("max_position_embeddings") ?? 2048,
            TieWordEmbeddings = c.GetBool("tie_word_embeddings", true),
            NormsPerLayer = norms,
            AttentionQkvBias = bias,
            AttentionOutputBias = bias,
            MlpBias = bias,
        });
    }
}
