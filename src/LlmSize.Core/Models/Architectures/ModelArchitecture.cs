namespace LlmSize.Core.Models.Architectures;

/// <summary>Overall layout of a transformer.</summary>
public enum TransformerKind
{
    /// <summary>Decoder-only causal LM (GPT, LLaMA, Gemma, Mistral, Qwen, Phi, Falcon …).</summary>
    DecoderOnly,
    /// <summary>Encoder-only (BERT, DistilBERT): no KV cache across generated tokens.</summary>
    EncoderOnly,
    /// <summary>Encoder-decoder (T5): the decoder caches self-attention and cross-attention K/V.</summary>
    EncoderDecoder,
}

/// <summary>
/// The hyper-parameters of a transformer, whatever file they came from: a Hugging Face <c>config.json</c>, GGUF
/// metadata (<c>{arch}.block_count</c> …) or the built-in catalog. The analytic parameter count and the runtime memory
/// estimate (KV cache) are both computed from this one description, so a GGUF file with no tensors and the
/// <c>config.json</c> of the same model give the same count.
/// </summary>
/// <remarks>
/// Sizes are in elements (not bytes). Counts are per model unless the name says "per layer".
/// </remarks>
public sealed record ModelArchitecture
{
    /// <summary>Family key: HF <c>model_type</c> ("llama", "gemma2", "gpt2", "phi-msft" …) or GGUF <c>general.architecture</c>.</summary>
    public required string Family { get; init; }

    /// <summary>Class name of the head the checkpoint was saved with (HF <c>architectures[0]</c>), when known.</summary>
    public string? ArchitectureName { get; init; }

    /// <summary>Layout (decoder-only, encoder-only, encoder-decoder).</summary>
    public TransformerKind Kind { get; init; } = TransformerKind.DecoderOnly;

    /// <summary>Vocabulary size (rows of the token embedding).</summary>
    public required long VocabSize { get; init; }

    /// <summary>Model width <c>d_model</c> (hidden_size / n_embd / dim).</summary>
    public required long HiddenSize { get; init; }

    /// <summary>Number of decoder blocks (for encoder-only models: encoder blocks).</summary>
    public required int LayerCount { get; init; }

    /// <summary>Number of encoder blocks of an encoder-decoder model (0 otherwise).</summary>
    public int EncoderLayerCount { get; init; }

    /// <summary>Query heads per attention layer.</summary>
    public required int AttentionHeadCount { get; init; }

    /// <summary>Key/value heads per attention layer (GQA: fewer than query heads; MQA: 1).</summary>
    public required int KeyValueHeadCount { get; init; }

    /// <summary>
    /// Per-layer key/value head counts when layers differ (GGUF arrays); 0 marks a layer without attention
    /// (recurrent / SSM layers of hybrid models). Null when every layer has <see cref="KeyValueHeadCount"/>.
    /// </summary>
    public IReadOnlyList<int>? KeyValueHeadCountPerLayer { get; init; }

    /// <summary>Dimension of one query/key head (may differ from hidden / heads, as in Gemma).</summary>
    public required int HeadDim { get; init; }

    /// <summary>Dimension of one value head when it differs from <see cref="HeadDim"/>; null = same.</summary>
    public int? ValueHeadDim { get; init; }

    /// <summary>Inner width of the dense MLP (intermediate_size / n_inner / d_ff).</summary>
    public required long IntermediateSize { get; init; }

    /// <summary>
    /// Per-layer MLP widths when layers differ (GGUF <c>{arch}.feed_forward_length</c> stored as an array, e.g.
    /// OpenELM); 0 marks a layer without a dense MLP. Null when every layer has <see cref="IntermediateSize"/>.
    /// </summary>
    public IReadOnlyList<long>? IntermediateSizePerLayer { get; init; }

    /// <summary>Maximum context length the model was trained for (max_position_embeddings), in tokens.</summary>
    public long ContextLength { get; init; }

    /// <summary>Sliding-window attention width in tokens, when some layers use it; null when none do.</summary>
    public int? SlidingWindow { get; init; }

    /// <summary>
    /// Which layers use sliding-window attention (true = windowed). Null with a non-null <see cref="SlidingWindow"/>
    /// means every layer is windowed (Mistral v0.1).
    /// </summary>
    public IReadOnlyList<bool>? SlidingWindowLayers { get; init; }

    /// <summary>Routed experts per MoE layer (0 for dense models).</summary>
    public int ExpertCount { get; init; }

    /// <summary>Routed experts used per token (top-k).</summary>
    public int ActiveExpertCount { get; init; }

    /// <summary>Always-on shared experts per MoE layer (DeepSeek / Qwen-MoE style); 0 if none.</summary>
    public int SharedExpertCount { get; init; }

    /// <summary>Inner width of one expert's MLP; null = <see cref="IntermediateSize"/>.</summary>
    public long? ExpertIntermediateSize { get; init; }

    /// <summary>Whether the output head shares the token-embedding matrix (counted once).</summary>
    public bool TieWordEmbeddings { get; init; }

    /// <summary>MLA (multi-head latent attention) compressed KV rank; null when the model has no MLA.</summary>
    public int? KvLoraRank { get; init; }

    /// <summary>MLA decoupled rotary key dimension; null when the model has no MLA.</summary>
    public int? QkRopeHeadDim { get; init; }

    /// <summary>MLA compressed query rank (q_a_proj → q_a_layernorm → q_b_proj); null = a direct q projection (DeepSeek-V2-Lite) or no MLA.</summary>
    public int? QueryLoraRank { get; init; }

    /// <summary>
    /// Which decoder layers hold the MoE block (true) rather than the dense MLP of <see cref="IntermediateSize"/>
    /// (DeepSeek <c>first_k_dense_replace</c> / <c>moe_layer_freq</c>, Qwen-MoE <c>decoder_sparse_step</c> /
    /// <c>mlp_only_layers</c>). Null = every layer is MoE when <see cref="ExpertCount"/> &gt; 0.
    /// </summary>
    public IReadOnlyList<bool>? MoeLayers { get; init; }

    /// <summary>
    /// Inner width of the always-on shared-expert MLP, all shared experts together (Qwen2-MoE
    /// <c>shared_expert_intermediate_size</c>; DeepSeek <c>n_shared_experts × moe_intermediate_size</c>). Null =
    /// <see cref="SharedExpertCount"/> × the expert width.
    /// </summary>
    public long? SharedExpertIntermediateSize { get; init; }

    /// <summary>Whether the shared expert's output is scaled by a learned sigmoid gate (Qwen2-MoE <c>shared_expert_gate</c>: hidden → 1, no bias).</summary>
    public bool SharedExpertGate { get; init; }

    /// <summary>Whether each attention layer holds a learned sink logit per query head (GPT-OSS <c>self_attn.sinks</c>).</summary>
    public bool AttentionSinks { get; init; }

    /// <summary>Whether each router carries a per-expert bias vector (DeepSeek-V3 <c>e_score_correction_bias</c>; GPT-OSS router bias).</summary>
    public bool RouterBias { get; init; }

    /// <summary>
    /// Multi-token-prediction modules stored beside the model (DeepSeek-V3 <c>num_nextn_predict_layers</c>): each holds
    /// its own embedding, two norms, an eh_proj (2·hidden → hidden), one decoder layer, a norm and an output head. They
    /// are reported apart (<see cref="ParameterBreakdown.MultiTokenPrediction"/>), not in the model total.
    /// </summary>
    public int MultiTokenPredictionLayers { get; init; }

    /// <summary>
    /// Width of the token embedding when it differs from <see cref="HiddenSize"/> (OPT-350m <c>word_embed_proj_dim</c>):
    /// the embedding and tied head are vocab × this width, with project_in (this → hidden) and project_out
    /// (hidden → this) projections, no bias. Null = hidden size.
    /// </summary>
    public long? EmbeddingProjectionSize { get; init; }

    /// <summary>
    /// Language-model weights a family adds beyond the generic layout (Mllama: the 8 extra embedding rows of its image
    /// tokens, the q/k norms and tanh gates of its cross-attention layers). Counted in the language model.
    /// </summary>
    public IReadOnlyList<ArchitectureWeight> AdditionalWeights { get; init; } = [];

    /// <summary>
    /// Components of a multimodal checkpoint beyond the language model (vision / audio tower, projector), each with its
    /// own weights. They count in <see cref="ParameterBreakdown.Total"/>; <see cref="ParameterBreakdown.TextOnly"/>
    /// leaves them out. Empty for text-only models.
    /// </summary>
    public IReadOnlyList<ArchitecturePart> Parts { get; init; } = [];

    /// <summary>Config keys that were absent and took the default of their transformers config class, one "key = value (Class default)" each.</summary>
    public IReadOnlyList<string> DefaultsUsed { get; init; } = [];

    /// <summary>
    /// Kind of every normalisation layer (RMSNorm: one weight vector; LayerNorm: weight and bias). Null = the family
    /// default of <see cref="ModelFamilies"/>.
    /// </summary>
    public NormalizationKind? Normalization { get; init; }

    /// <summary>
    /// Hidden-size norms inside one block (LLaMA 2: input and post-attention; Gemma 2/3: 4; Phi/Falcon-7B parallel
    /// blocks: 1). For encoder-decoder models: per encoder block; a decoder block has one more (cross-attention).
    /// Null = family default.
    /// </summary>
    public int? NormsPerLayer { get; init; }

    /// <summary>Whether a norm follows the last block (ln_f / model.norm; BERT's post-norm encoder has none). Null = family default.</summary>
    public bool? FinalNorm { get; init; }

    /// <summary>Whether a LayerNorm follows the embeddings (BERT, DistilBERT). Null = family default.</summary>
    public bool? EmbeddingNorm { get; init; }

    /// <summary>
    /// Whether the q/k norms span the whole projection (heads × head_dim for q, kv_heads × head_dim for k: OLMo 2,
    /// Cohere, StableLM's per-head LayerNorms) rather than one head_dim vector shared by all heads (Qwen3, Gemma 3).
    /// </summary>
    public bool QueryKeyNormFullWidth { get; init; }

    /// <summary>Whether the q/k norms carry a bias; null = as <see cref="Normalization"/> (LayerNorm: yes).</summary>
    public bool? QueryKeyNormBias { get; init; }

    /// <summary>Whether each layer normalises queries and keys per head (q_norm/k_norm of head_dim; Qwen3, Gemma 3). Null = family default.</summary>
    public bool? QueryKeyNorm { get; init; }

    /// <summary>Whether the q, k and v projections carry biases (Qwen2, GPT-2, BERT, Phi). Null = family default.</summary>
    public bool? AttentionQkvBias { get; init; }

    /// <summary>Whether the attention output projection carries a bias (GPT-2, BERT, Phi; not Qwen2). Null = family default.</summary>
    public bool? AttentionOutputBias { get; init; }

    /// <summary>Whether the dense MLP is gated (gate, up, down: 3 matrices) or plain (up, down: 2 matrices). Null = family default.</summary>
    public MlpKind? Mlp { get; init; }

    /// <summary>Whether the MLP (and expert) projections carry biases. Null = family default.</summary>
    public bool? MlpBias { get; init; }

    /// <summary>Whether the output head (lm_head) carries a bias of vocabulary size (Phi). Null = family default.</summary>
    public bool? OutputHeadBias { get; init; }

    /// <summary>Rows of the learned absolute position embedding (GPT-2 n_positions, BERT max_position_embeddings); 0 for rotary / relative positions. Null = family default.</summary>
    public long? LearnedPositionCount { get; init; }

    /// <summary>Rows of the token-type (segment) embedding (BERT type_vocab_size); 0 if none. Null = family default.</summary>
    public int? TokenTypeCount { get; init; }

    /// <summary>T5 relative-attention buckets: a buckets × heads bias table in the first self-attention layer of each stack; 0 if none. Null = family default.</summary>
    public int? RelativeAttentionBuckets { get; init; }

    /// <summary>Whether a pooler (dense hidden × hidden with bias over the first token) follows the encoder (BertModel). Null = family default.</summary>
    public bool? Pooler { get; init; }

    /// <summary>
    /// Whether a masked-LM head follows the encoder: transform dense (hidden × hidden + bias), LayerNorm, and an output
    /// bias of vocabulary size; the projection itself is tied to the token embedding (BertForMaskedLM,
    /// DistilBertForMaskedLM). Null = family default.
    /// </summary>
    public bool? MaskedLmHead { get; init; }

    /// <summary>Outputs of a linear classifier (hidden × n + n) on the pooled output (BertForPreTraining next-sentence head: 2); 0 if none. Null = family default.</summary>
    public int? ClassifierOutputCount { get; init; }

    /// <summary>Parts of the checkpoint the description does not count (e.g. a vision tower), one sentence each.</summary>
    public IReadOnlyList<string> Notes { get; init; } = [];

    /// <summary>Source of these numbers ("config.json", "GGUF metadata", a catalog citation).</summary>
    public string? Source { get; init; }

    /// <summary>Query width: heads × head_dim.</summary>
    public long QueryWidth => (long)AttentionHeadCount * HeadDim;

    /// <summary>Key/value width per layer: kv_heads × head_dim.</summary>
    public long KeyValueWidth => (long)KeyValueHeadCount * HeadDim;

    /// <summary>True when the model routes tokens to experts.</summary>
    public bool IsMixtureOfExperts => ExpertCount > 0;
}

/// <summary>Kind of normalisation layer.</summary>
public enum NormalizationKind
{
    /// <summary>RMSNorm: one weight vector (LLaMA, Gemma, Qwen, T5's weight-only LayerNorm).</summary>
    RmsNorm,
    /// <summary>LayerNorm with weight and bias (GPT-2, BERT, Phi, Falcon, StarCoder2).</summary>
    LayerNorm,
}

/// <summary>Layout of the feed-forward block.</summary>
public enum MlpKind
{
    /// <summary>Gated (SwiGLU / GeGLU): gate and up hidden → inner, down inner → hidden; 3 matrices.</summary>
    Gated,
    /// <summary>Plain: up hidden → inner, down inner → hidden; 2 matrices (GPT-2, BERT, Phi, Falcon, T5 v1.0).</summary>
    Plain,
}

/// <summary>What a non-language-model component of a checkpoint is.</summary>
public enum ArchitecturePartKind
{
    /// <summary>Image encoder (SigLIP, CLIP, Qwen2-VL ViT …).</summary>
    VisionTower,
    /// <summary>Audio encoder.</summary>
    AudioTower,
    /// <summary>Projector from an encoder's width into the language model's embedding space.</summary>
    Projector,
}

/// <summary>One component of a multimodal checkpoint beyond the language model, with the weights its transformers module creates.</summary>
/// <param name="Kind">Vision tower, audio tower or projector.</param>
/// <param name="Name">Display name ("SigLIP vision tower (27 layers, 1152 wide)").</param>
/// <param name="Weights">Every weight of the component, shapes [out, in], names in GGUF-like spelling.</param>
public sealed record ArchitecturePart(ArchitecturePartKind Kind, string Name, IReadOnlyList<ArchitectureWeight> Weights)
{
    /// <summary>Parameters of the component: the sum of its weights' elements.</summary>
    public long Parameters
    {
        get
        {
            long n = 0;
            foreach (ArchitectureWeight w in Weights)
            {
                n = checked(n + w.Elements);
            }

            return n;
        }
    }
}
