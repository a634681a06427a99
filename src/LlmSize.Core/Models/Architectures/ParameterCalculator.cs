namespace LlmSize.Core.Models.Architectures;

/// <summary>
/// Counts the parameters of a <see cref="ModelArchitecture"/> exactly, from its hyper-parameters alone, by listing
/// every weight the family's reference implementation creates and multiplying out the shapes.
/// </summary>
/// <remarks>
/// Weights follow the <c>__init__</c> methods of the Hugging Face transformers <c>modeling_*.py</c> file of each family
/// (see <see cref="ModelFamilies"/>): decoder blocks hold q/k/v/o projections (with biases where the family has them),
/// optional per-head q/k norms, a gated or plain MLP or MoE experts plus router, and <see cref="ModelArchitecture.NormsPerLayer"/>
/// norms. Buffers that are not parameters (rotary <c>inv_freq</c>, GPT-2's causal <c>attn.bias</c> mask, BERT's
/// <c>position_ids</c>) are not counted. Fused projections (Phi-3 <c>qkv_proj</c>, Falcon <c>query_key_value</c>,
/// GPT-2 <c>c_attn</c>) hold the same elements as separate q, k and v and are listed separately.
/// Multi-head latent attention (<see cref="ModelArchitecture.KvLoraRank"/>, DeepSeek-V2/V3) lists q_a / q_b (or q),
/// kv_a_proj_with_mqa, kv_b and o with their latent norms. Vision / audio towers and projectors of multimodal
/// checkpoints (<see cref="ModelArchitecture.Parts"/>) and multi-token-prediction modules are counted by
/// <see cref="Count"/> in their own components; <see cref="EnumerateWeights"/> lists the language model only.
/// </remarks>
public static class ParameterCalculator
{
    /// <summary>Counts the parameters of <paramref name="architecture"/> by component.</summary>
    /// <param name="architecture">The architecture; unset structural fields take the family defaults of <see cref="ModelFamilies.ApplyDefaults"/>.</param>
    /// <returns>Exact counts per component, total and active per token.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="architecture"/> is null.</exception>
    /// <exception cref="ArgumentException">A size is zero or negative, the per-layer KV list has the wrong length, or a count overflows 64 bits.</exception>
    /// <exception cref="NotSupportedException">The family is unknown and a structural field is unset.</exception>
    public static ParameterBreakdown Count(ModelArchitecture architecture)
    {
        long emb = 0, att = 0, mlp = 0, exp = 0, norms = 0, head = 0, other = 0, active = 0;
        try
        {
            foreach (ArchitectureWeight w in EnumerateWeights(architecture))
            {
                long n = w.Elements;
                active = checked(active + w.ActiveElements);
                switch (w.Component)
                {
                    case ModelComponent.Embedding: emb = checked(emb + n); break;
                    case ModelComponent.Attention: att = checked(att + n); break;
                    case ModelComponent.Mlp: mlp = checked(mlp + n); break;
                    case ModelComponent.Experts: exp = checked(exp + n); break;
                    case ModelComponent.Norms: norms = checked(norms + n); break;
                    case ModelComponent.OutputHead: head = checked(head + n); break;
                    default: other = checked(other + n); break;
                }
            }

            long vision = 0, audio = 0, projector = 0;
            foreach (ArchitecturePart part in architecture.Parts)
            {
                long n = part.Parameters;
                switch (part.Kind)
                {
                    case ArchitecturePartKind.VisionTower: vision = checked(vision + n); break;
                    case ArchitecturePartKind.AudioTower: audio = checked(audio + n); break;
                    default: projector = checked(projector + n); break;
                }
            }

            long mtp = 0;
            foreach (ArchitectureWeight w in EnumerateMultiTokenPredictionWeights(architecture))
            {
                mtp = checked(mtp + w.Elements);
            }

            var result = new ParameterBreakdown
            {
                Embedding = emb, Attention = att, Mlp = mlp, Experts = exp, Norms = norms, OutputHead = head,
                Other = other, VisionTower = vision, AudioTower = audio, Projector = projector,
                MultiTokenPrediction = mtp, TextActivePerToken = active,
                ActivePerToken = checked(active + vision + audio + projector),
            };
            _ = result.Total; // checked: throws on overflow here rather than in a caller's property access
            return result;
        }
        catch (OverflowException e)
        {
            throw new ArgumentException($"Parameter count of '{architecture.Family}' overflows 64 bits.", nameof(architecture), e);
        }
    }

    /// <summary>
    /// Lists every distinct weight of the language model of <paramref name="architecture"/> with its shape and how many
    /// copies the model holds; useful for quantisation (per-tensor bits) and LoRA sizing (per-projection in/out widths).
    /// Towers and projectors of multimodal checkpoints are in <see cref="ModelArchitecture.Parts"/>; multi-token
    /// prediction modules in <see cref="EnumerateMultiTokenPredictionWeights"/>.
    /// </summary>
    /// <param name="architecture">The architecture; unset structural fields take the family defaults.</param>
    /// <returns>The weights, embeddings first, then blocks, then final norm and heads.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="architecture"/> is null.</exception>
    /// <exception cref="ArgumentException">A size is zero or negative or the per-layer KV list has the wrong length.</exception>
    /// <exception cref="NotSupportedException">The family is unknown and a structural field is unset.</exception>
    public static IReadOnlyList<ArchitectureWeight> EnumerateWeights(ModelArchitecture architecture)
    {
        ArgumentNullException.ThrowIfNull(architecture);
        Validate(architecture);
        ModelArchitecture a = ModelFamilies.ApplyDefaults(architecture);
        var list = new List<ArchitectureWeight>();
        long d = a.HiddenSize;
        bool layerNorm = a.Normalization == NormalizationKind.LayerNorm;

        // Embeddings (OPT-350m: a narrower token embedding with project_in / project_out).
        long e = a.EmbeddingProjectionSize ?? d;
        Add(list, ModelComponent.Embedding, "token_embd.weight", 1, a.VocabSize, e);
        if (e != d)
        {
            Add(list, ModelComponent.Embedding, "token_embd_proj_in.weight", 1, d, e);
            Add(list, ModelComponent.Embedding, "token_embd_proj_out.weight", 1, e, d);
        }

        if (a.LearnedPositionCount > 0)
        {
            Add(list, ModelComponent.Embedding, "position_embd.weight", 1, a.LearnedPositionCount.Value, d);
        }

        if (a.TokenTypeCount > 0)
        {
            Add(list, ModelComponent.Embedding, "token_types.weight", 1, a.TokenTypeCount.Value, d);
        }

        if (a.EmbeddingNorm == true)
        {
            AddNorm(list, "token_embd_norm", 1, d, layerNorm);
        }

        if (a.Kind == TransformerKind.EncoderDecoder)
        {
            AddEncoderDecoderBlocks(list, a, layerNorm);
        }
        else
        {
            AddDecoderBlocks(list, a, layerNorm);
            if (a.FinalNorm == true)
            {
                AddNorm(list, "output_norm", 1, d, layerNorm);
            }
        }

        // Output head. Encoder-only models (BERT, bge, nomic-bert) are embedding models: BertModel has no vocabulary
        // projection of its own, and llama.cpp's converter drops the masked-LM head, so only a declared MaskedLmHead
        // adds one (below).
        if (!a.TieWordEmbeddings && a.MaskedLmHead != true && a.Kind != TransformerKind.EncoderOnly)
        {
            Add(list, ModelComponent.OutputHead, "output.weight", 1, a.VocabSize, e);
        }

        if (a.OutputHeadBias == true)
        {
            Add(list, ModelComponent.OutputHead, "output.bias", 1, a.VocabSize);
        }

        if (a.MaskedLmHead == true)
        {
            // BertLMPredictionHead / DistilBERT vocab_transform + vocab_layer_norm; the projection is tied to the
            // token embedding and only its bias is a parameter of its own.
            Add(list, ModelComponent.OutputHead, "mlm_transform.weight", 1, d, d);
            Add(list, ModelComponent.OutputHead, "mlm_transform.bias", 1, d);
            Add(list, ModelComponent.OutputHead, "mlm_norm.weight", 1, d);
            Add(list, ModelComponent.OutputHead, "mlm_norm.bias", 1, d);
            Add(list, ModelComponent.OutputHead, "mlm_output.bias", 1, a.VocabSize);
        }

        list.AddRange(a.AdditionalWeights);
        if (a.Pooler == true)
        {
            Add(list, ModelComponent.Other, "pooler.weight", 1, d, d);
            Add(list, ModelComponent.Other, "pooler.bias", 1, d);
        }

        if (a.ClassifierOutputCount > 0)
        {
            Add(list, ModelComponent.Other, "cls.output.weight", 1, a.ClassifierOutputCount.Value, d);
            Add(list, ModelComponent.Other, "cls.output.bias", 1, a.ClassifierOutputCount.Value);
        }

        return list;
    }

    private static void AddDecoderBlocks(List<ArchitectureWeight> list, ModelArchitecture a, bool layerNorm)
    {
        long layers = a.LayerCount;

        // Attention: layers grouped by their KV head count (0 = a layer without attention).
        if (a.KeyValueHeadCountPerLayer is { } perLayer)
        {
            foreach (IGrouping<int, int> g in perLayer.GroupBy(k => k).OrderBy(g => g.Key))
            {
                if (g.Key > 0)
                {
                    AddAttention(list, a, string.Empty, "attn", g.Key, g.Count(), layerNorm);
                }
            }
        }
        else if (a.KvLoraRank is not null)
        {
            AddLatentAttention(list, a, layers, layerNorm);
        }
        else
        {
            AddAttention(list, a, string.Empty, "attn", a.KeyValueHeadCount, layers, layerNorm);
        }

        AddNormRepeated(list, a, layers, a.NormsPerLayer!.Value, layerNorm);
        if (a.IsMixtureOfExperts && a.MoeLayers is { } moe)
        {
            long sparse = moe.Count(m => m);
            if (layers - sparse > 0)
            {
                AddMlp(list, a, ModelComponent.Mlp, "blk.{layer}.ffn", a.IntermediateSize, layers - sparse, layers - sparse);
            }

            if (sparse > 0)
            {
                AddFeedForward(list, a, sparse);
            }
        }
        else
        {
            AddFeedForward(list, a, layers);
        }
    }

    /// <summary>
    /// Multi-head latent attention (DeepseekV2Attention / DeepseekV3Attention): q directly (q_proj) or through the
    /// rank-<c>q_lora_rank</c> bottleneck (q_a_proj, q_a_layernorm, q_b_proj), kv_a_proj_with_mqa to kv_lora_rank +
    /// qk_rope_head_dim, kv_a_layernorm, kv_b_proj to heads × (qk_nope_head_dim + v_head_dim), o_proj from heads ×
    /// v_head_dim. <see cref="ModelArchitecture.HeadDim"/> is qk_nope + qk_rope; biases follow attention_bias.
    /// </summary>
    private static void AddLatentAttention(List<ArchitectureWeight> list, ModelArchitecture a, long layers, bool layerNorm)
    {
        long d = a.HiddenSize;
        long heads = a.AttentionHeadCount;
        long qkHead = a.HeadDim;
        long rope = a.QkRopeHeadDim ?? 0;
        long nope = qkHead - rope;
        long vHead = a.ValueHeadDim ?? a.HeadDim;
        long kvRank = a.KvLoraRank!.Value;
        bool bias = a.AttentionQkvBias == true;
        const string blk = "blk.{layer}.";
        if (a.QueryLoraRank is { } qRank)
        {
            Add(list, ModelComponent.Attention, blk + "attn_q_a.weight", layers, qRank, d);
            if (bias)
            {
                Add(list, ModelComponent.Attention, blk + "attn_q_a.bias", layers, qRank);
            }

            AddNormAs(list, ModelComponent.Attention, blk + "attn_q_a_norm", layers, qRank, layerNorm);
            Add(list, ModelComponent.Attention, blk + "attn_q_b.weight", layers, checked(heads * qkHead), qRank);
        }
        else
        {
            Add(list, ModelComponent.Attention, blk + "attn_q.weight", layers, checked(heads * qkHead), d);
        }

        Add(list, ModelComponent.Attention, blk + "attn_kv_a_mqa.weight", layers, checked(kvRank + rope), d);
        if (bias)
        {
            Add(list, ModelComponent.Attention, blk + "attn_kv_a_mqa.bias", layers, checked(kvRank + rope));
        }

        AddNormAs(list, ModelComponent.Attention, blk + "attn_kv_a_norm", layers, kvRank, layerNorm);
        Add(list, ModelComponent.Attention, blk + "attn_kv_b.weight", layers, checked(heads * (nope + vHead)), kvRank);
        Add(list, ModelComponent.Attention, blk + "attn_output.weight", layers, d, checked(heads * vHead));
        if (a.AttentionOutputBias == true)
        {
            Add(list, ModelComponent.Attention, blk + "attn_output.bias", layers, d);
        }
    }

    /// <summary>
    /// The weights of <paramref name="architecture"/>'s multi-token-prediction modules (DeepSeek-V3
    /// <c>model.layers.{num_hidden_layers + i}</c>): embed_tokens, enorm, hnorm, eh_proj, one decoder layer of the last
    /// layer's kind, shared_head.norm and shared_head.head. Empty when the model has none.
    /// </summary>
    /// <param name="architecture">The architecture; unset structural fields take the family defaults.</param>
    /// <returns>The weights, repeated once per module.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="architecture"/> is null.</exception>
    /// <exception cref="NotSupportedException">The family is unknown and a structural field is unset.</exception>
    public static IReadOnlyList<ArchitectureWeight> EnumerateMultiTokenPredictionWeights(ModelArchitecture architecture)
    {
        ArgumentNullException.ThrowIfNull(architecture);
        if (architecture.MultiTokenPredictionLayers <= 0)
        {
            return [];
        }

        ModelArchitecture a = ModelFamilies.ApplyDefaults(architecture);
        long n = a.MultiTokenPredictionLayers;
        long d = a.HiddenSize;
        bool layerNorm = a.Normalization == NormalizationKind.LayerNorm;
        bool lastIsMoe = a.IsMixtureOfExperts && (a.MoeLayers is null || a.MoeLayers[^1]);

        // One decoder layer of the last layer's layout, built as a one-layer model and repeated n times.
        ModelArchitecture one = a with
        {
            LayerCount = 1,
            KeyValueHeadCountPerLayer = null,
            MoeLayers = null,
            ExpertCount = lastIsMoe ? a.ExpertCount : 0,
            MultiTokenPredictionLayers = 0,
        };
        var layer = new List<ArchitectureWeight>();
        AddDecoderBlocks(layer, one, layerNorm);

        var list = new List<ArchitectureWeight>();
        Add(list, ModelComponent.Embedding, "mtp.{layer}.token_embd.weight", n, a.VocabSize, d);
        AddNormAs(list, ModelComponent.Norms, "mtp.{layer}.enorm", n, d, layerNorm);
        AddNormAs(list, ModelComponent.Norms, "mtp.{layer}.hnorm", n, d, layerNorm);
        Add(list, ModelComponent.Other, "mtp.{layer}.eh_proj.weight", n, d, checked(2 * d));
        foreach (ArchitectureWeight w in layer)
        {
            list.Add(w with
            {
                Name = "mtp." + w.Name,
                Repeat = checked(w.Repeat * n),
                ActiveRepeat = checked(w.ActiveRepeat * n),
            });
        }

        AddNormAs(list, ModelComponent.Norms, "mtp.{layer}.shared_head_norm", n, d, layerNorm);
        Add(list, ModelComponent.OutputHead, "mtp.{layer}.shared_head.weight", n, a.VocabSize, d);
        return list;
    }

    private static void AddEncoderDecoderBlocks(List<ArchitectureWeight> list, ModelArchitecture a, bool layerNorm)
    {
        long d = a.HiddenSize;
        long enc = a.EncoderLayerCount;
        long dec = a.LayerCount;
        int norms = a.NormsPerLayer!.Value;

        // Encoder stack: self-attention, norms, MLP; relative-position bias in its first layer; final norm.
        AddAttention(list, a, "enc.", "attn", a.KeyValueHeadCount, enc, layerNorm);
        if (a.RelativeAttentionBuckets > 0)
        {
            Add(list, ModelComponent.Attention, "enc.blk.0.attn_rel_b.weight", 1, a.RelativeAttentionBuckets.Value, a.AttentionHeadCount);
        }

        Add(list, ModelComponent.Norms, "enc.blk.{layer}.norm.weight", checked(enc * norms), d);
        if (layerNorm)
        {
            Add(list, ModelComponent.Norms, "enc.blk.{layer}.norm.bias", checked(enc * norms), d);
        }

        AddFeedForward(list, a, enc, "enc.");
        if (a.FinalNorm == true)
        {
            AddNorm(list, "enc.output_norm", 1, d, layerNorm);
        }

        // Decoder stack: self-attention, cross-attention, one norm more per block, MLP, final norm.
        AddAttention(list, a, "dec.", "attn", a.KeyValueHeadCount, dec, layerNorm);
        if (a.RelativeAttentionBuckets > 0)
        {
            Add(list, ModelComponent.Attention, "dec.blk.0.attn_rel_b.weight", 1, a.RelativeAttentionBuckets.Value, a.AttentionHeadCount);
        }

        AddAttention(list, a, "dec.", "cross_attn", a.KeyValueHeadCount, dec, layerNorm);
        Add(list, ModelComponent.Norms, "dec.blk.{layer}.norm.weight", checked(dec * (norms + 1)), d);
        if (layerNorm)
        {
            Add(list, ModelComponent.Norms, "dec.blk.{layer}.norm.bias", checked(dec * (norms + 1)), d);
        }

        AddFeedForward(list, a, dec, "dec.");
        if (a.FinalNorm == true)
        {
            AddNorm(list, "dec.output_norm", 1, d, layerNorm);
        }
    }

    /// <summary>q, k, v, o (and biases, q/k norms) of one attention kind, <paramref name="layers"/> copies.</summary>
    /// <param name="list">Target.</param>
    /// <param name="a">Architecture with defaults applied.</param>
    /// <param name="stack">Name prefix of the stack: "" (decoder-only / encoder-only), "enc." or "dec.".</param>
    /// <param name="name">"attn" for self-attention, "cross_attn" for encoder-decoder attention (no q/k norms).</param>
    /// <param name="kvHeads">Key/value heads of these layers.</param>
    /// <param name="layers">Number of layers with this attention.</param>
    /// <param name="layerNorm">Whether norms carry a bias.</param>
    private static void AddAttention(List<ArchitectureWeight> list, ModelArchitecture a, string stack, string name,
        int kvHeads, long layers, bool layerNorm)
    {
        long d = a.HiddenSize;
        long q = a.QueryWidth;
        long k = checked((long)kvHeads * a.HeadDim);
        long v = checked((long)kvHeads * (a.ValueHeadDim ?? a.HeadDim));
        string blk = stack + "blk.{layer}.";
        Add(list, ModelComponent.Attention, $"{blk}{name}_q.weight", layers, q, d);
        Add(list, ModelComponent.Attention, $"{blk}{name}_k.weight", layers, k, d);
        Add(list, ModelComponent.Attention, $"{blk}{name}_v.weight", layers, v, d);
        Add(list, ModelComponent.Attention, $"{blk}{name}_output.weight", layers, d, q);
        if (a.AttentionQkvBias == true)
        {
            Add(list, ModelComponent.Attention, $"{blk}{name}_q.bias", layers, q);
            Add(list, ModelComponent.Attention, $"{blk}{name}_k.bias", layers, k);
            Add(list, ModelComponent.Attention, $"{blk}{name}_v.bias", layers, v);
        }

        if (a.AttentionOutputBias == true)
        {
            Add(list, ModelComponent.Attention, $"{blk}{name}_output.bias", layers, d);
        }

        if (a.AttentionSinks && name == "attn")
        {
            Add(list, ModelComponent.Attention, $"{blk}{name}_sinks", layers, a.AttentionHeadCount);
        }

        if (a.QueryKeyNorm == true && name == "attn")
        {
            long qn = a.QueryKeyNormFullWidth ? q : a.HeadDim;
            long kn = a.QueryKeyNormFullWidth ? k : a.HeadDim;
            Add(list, ModelComponent.Attention, $"{blk}{name}_q_norm.weight", layers, qn);
            Add(list, ModelComponent.Attention, $"{blk}{name}_k_norm.weight", layers, kn);
            if (a.QueryKeyNormBias ?? layerNorm)
            {
                Add(list, ModelComponent.Attention, $"{blk}{name}_q_norm.bias", layers, qn);
                Add(list, ModelComponent.Attention, $"{blk}{name}_k_norm.bias", layers, kn);
            }
        }
    }

    private static void AddNormRepeated(List<ArchitectureWeight> list, ModelArchitecture a, long layers, int perLayer,
        bool layerNorm)
    {
        if (perLayer == 0)
        {
            return;
        }

        long copies = checked(layers * perLayer);
        Add(list, ModelComponent.Norms, "blk.{layer}.norm.weight", copies, a.HiddenSize);
        if (layerNorm)
        {
            Add(list, ModelComponent.Norms, "blk.{layer}.norm.bias", copies, a.HiddenSize);
        }
    }

    private static void AddFeedForward(List<ArchitectureWeight> list, ModelArchitecture a, long layers, string stack = "")
    {
        long d = a.HiddenSize;
        string blk = stack + "blk.{layer}.";
        if (!a.IsMixtureOfExperts)
        {
            AddMlp(list, a, ModelComponent.Mlp, blk + "ffn", a.IntermediateSize, layers, layers);
            return;
        }

        // MoE layer: router (hidden → experts, no bias), routed experts (top-k active), shared experts (always on).
        long inner = a.ExpertIntermediateSize ?? a.IntermediateSize;
        Add(list, ModelComponent.Experts, blk + "ffn_gate_inp.weight", layers, a.ExpertCount, d);
        if (a.RouterBias)
        {
            Add(list, ModelComponent.Experts, blk + "ffn_gate_inp.bias", layers, a.ExpertCount);
        }

        AddMlp(list, a, ModelComponent.Experts, blk + "ffn_exps.{expert}", inner,
            checked(layers * a.ExpertCount), checked(layers * a.ActiveExpertCount));
        if (a.SharedExpertCount > 0 || a.SharedExpertIntermediateSize is > 0)
        {
            // All shared experts of a layer form one MLP of their summed width (DeepseekV2MoE.shared_experts,
            // Qwen2MoeSparseMoeBlock.shared_expert): the same parameters as separate experts.
            long sharedInner = a.SharedExpertIntermediateSize ?? checked(inner * a.SharedExpertCount);
            AddMlp(list, a, ModelComponent.Experts, blk + "ffn_shexp", sharedInner, layers, layers);
        }

        if (a.SharedExpertGate)
        {
            Add(list, ModelComponent.Experts, blk + "ffn_shexp_gate.weight", layers, 1, d);
        }
    }

    private static void AddMlp(List<ArchitectureWeight> list, ModelArchitecture a, ModelComponent component,
        string prefix, long inner, long copies, long activeCopies)
    {
        long d = a.HiddenSize;
        bool bias = a.MlpBias == true;
        if (a.Mlp == MlpKind.Gated)
        {
            list.Add(new(component, prefix + "_gate.weight", [inner, d], copies, activeCopies));
            if (bias)
            {
                list.Add(new(component, prefix + "_gate.bias", [inner], copies, activeCopies));
            }
        }

        list.Add(new(component, prefix + "_up.weight", [inner, d], copies, activeCopies));
        if (bias)
        {
            list.Add(new(component, prefix + "_up.bias", [inner], copies, activeCopies));
        }

        list.Add(new(component, prefix + "_down.weight", [d, inner], copies, activeCopies));
        if (bias)
        {
            list.Add(new(component, prefix + "_down.bias", [d], copies, activeCopies));
        }
    }

    private static void AddNorm(List<ArchitectureWeight> list, string name, long copies, long width, bool layerNorm)
    {
        Add(list, ModelComponent.Norms, name + ".weight", copies, width);
        if (layerNorm)
        {
            Add(list, ModelComponent.Norms, name + ".bias", copies, width);
        }
    }

    private static void AddNormAs(List<ArchitectureWeight> list, ModelComponent component, string name, long copies,
        long width, bool layerNorm)
    {
        Add(list, component, name + ".weight", copies, width);
        if (layerNorm)
        {
            Add(list, component, name + ".bias", copies, width);
        }
    }

    private static void Add(List<ArchitectureWeight> list, ModelComponent component, string name, long copies,
        params long[] shape) => list.Add(new(component, name, shape, copies, copies));

    private static void Validate(ModelArchitecture a)
    {
        static void Positive(long value, string name)
        {
            if (value <= 0)
            {
                throw new ArgumentException($"{name} must be positive; got {value}.", name);
            }
        }

        static void NonNegative(long? value, string name)
        {
            if (value < 0)
            {
                throw new ArgumentException($"{name} must not be negative; got {value}.", name);
            }
        }

        Positive(a.VocabSize, nameof(a.VocabSize));
        Positive(a.HiddenSize, nameof(a.HiddenSize));
        Positive(a.LayerCount, nameof(a.LayerCount));
        Positive(a.AttentionHeadCount, nameof(a.AttentionHeadCount));
        Positive(a.HeadDim, nameof(a.HeadDim));
        Positive(a.IntermediateSize, nameof(a.IntermediateSize));
        NonNegative(a.KeyValueHeadCount, nameof(a.KeyValueHeadCount));
        if (a.KeyValueHeadCountPerLayer is null)
        {
            Positive(a.KeyValueHeadCount, nameof(a.KeyValueHeadCount));
        }
        else
        {
            if (a.KeyValueHeadCountPerLayer.Count != a.LayerCount)
            {
                throw new ArgumentException(
                    $"KeyValueHeadCountPerLayer has {a.KeyValueHeadCountPerLayer.Count} entries for {a.LayerCount} layers.",
                    nameof(a.KeyValueHeadCountPerLayer));
            }

            foreach (int kv in a.KeyValueHeadCountPerLayer)
            {
                NonNegative(kv, nameof(a.KeyValueHeadCountPerLayer));
            }
        }

        if (a.ValueHeadDim is { } vhd)
        {
            Positive(vhd, nameof(a.ValueHeadDim));
        }

        NonNegative(a.EncoderLayerCount, nameof(a.EncoderLayerCount));
        if (a.Kind == TransformerKind.EncoderDecoder)
        {
            Positive(a.EncoderLayerCount, nameof(a.EncoderLayerCount));
        }

        NonNegative(a.ExpertCount, nameof(a.ExpertCount));
        NonNegative(a.SharedExpertCount, nameof(a.SharedExpertCount));
        NonNegative(a.ExpertIntermediateSize, nameof(a.ExpertIntermediateSize));
        if (a.ExpertCount > 0 && (a.ActiveExpertCount <= 0 || a.ActiveExpertCount > a.ExpertCount))
        {
            throw new ArgumentException(
                $"ActiveExpertCount must be in 1..{a.ExpertCount}; got {a.ActiveExpertCount}.", nameof(a.ActiveExpertCount));
        }

        NonNegative(a.NormsPerLayer, nameof(a.NormsPerLayer));
        NonNegative(a.LearnedPositionCount, nameof(a.LearnedPositionCount));
        NonNegative(a.TokenTypeCount, nameof(a.TokenTypeCount));
        NonNegative(a.RelativeAttentionBuckets, nameof(a.RelativeAttentionBuckets));
        NonNegative(a.ClassifierOutputCount, nameof(a.ClassifierOutputCount));
        if (a.KvLoraRank is { } kvRank)
        {
            Positive(kvRank, nameof(a.KvLoraRank));
            NonNegative(a.QkRopeHeadDim, nameof(a.QkRopeHeadDim));
            if (a.QueryLoraRank is { } qRank)
            {
                Positive(qRank, nameof(a.QueryLoraRank));
            }

            if ((a.QkRopeHeadDim ?? 0) >= a.HeadDim)
            {
                throw new ArgumentException(
                    $"QkRopeHeadDim ({a.QkRopeHeadDim}) must be below HeadDim ({a.HeadDim}), which holds the rope and nope parts.",
                    nameof(a.QkRopeHeadDim));
            }

            if (a.KeyValueHeadCountPerLayer is not null)
            {
                throw new ArgumentException("Per-layer KV head counts cannot be combined with MLA.", nameof(a.KeyValueHeadCountPerLayer));
            }
        }

        if (a.MoeLayers is { } moeLayers && moeLayers.Count != a.LayerCount)
        {
            throw new ArgumentException($"MoeLayers has {moeLayers.Count} entries for {a.LayerCount} layers.", nameof(a.MoeLayers));
        }

        NonNegative(a.SharedExpertIntermediateSize, nameof(a.SharedExpertIntermediateSize));
        NonNegative(a.MultiTokenPredictionLayers, nameof(a.MultiTokenPredictionLayers));
        if (a.EmbeddingProjectionSize is { } eps)
        {
            Positive(eps, nameof(a.EmbeddingProjectionSize));
        }
    }
}
