namespace LlmSize.Core.Models.Architectures;

/// <summary>
/// Weights of the image encoders and projectors of multimodal checkpoints, as their transformers modules create
/// them (<c>modeling_siglip.py</c>, <c>modeling_clip.py</c>, <c>modeling_qwen2_vl.py</c>, <c>modeling_qwen2_5_vl.py</c>,
/// and each multimodal model's projector). Shapes are [out, in]; convolution kernels [out, in, …kernel].
/// </summary>
internal static class VisionTowers
{
    /// <summary>One ViT encoder layer: two LayerNorms, q/k/v/out with bias, fc1/fc2 with bias (SigLIP, CLIP).</summary>
    private static void AddVitLayers(List<ArchitectureWeight> list, string prefix, long width, long inner, long layers)
    {
        string blk = prefix + "blk.{layer}.";
        Add(list, ModelComponent.Norms, blk + "ln1.weight", layers, width);
        Add(list, ModelComponent.Norms, blk + "ln1.bias", layers, width);
        foreach (string p in (string[])["attn_q", "attn_k", "attn_v", "attn_out"])
        {
            Add(list, ModelComponent.Attention, blk + p + ".weight", layers, width, width);
            Add(list, ModelComponent.Attention, blk + p + ".bias", layers, width);
        }

        Add(list, ModelComponent.Norms, blk + "ln2.weight", layers, width);
        Add(list, ModelComponent.Norms, blk + "ln2.bias", layers, width);
        Add(list, ModelComponent.Mlp, blk + "ffn_up.weight", layers, inner, width);
        Add(list, ModelComponent.Mlp, blk + "ffn_up.bias", layers, inner);
        Add(list, ModelComponent.Mlp, blk + "ffn_down.weight", layers, width, inner);
        Add(list, ModelComponent.Mlp, blk + "ffn_down.bias", layers, width);
    }

    /// <summary>
    /// SigLIP vision transformer (SiglipVisionTransformer): patch_embedding Conv2d with bias, a position embedding of
    /// (image / patch)² rows, the encoder layers, post_layernorm, and — when <paramref name="head"/> — the
    /// attention-pooling head (probe, nn.MultiheadAttention in/out projections, LayerNorm, MLP).
    /// </summary>
    public static ArchitecturePart Siglip(long width, long inner, long layers, long channels, long imageSize, long patchSize, bool head)
    {
        var w = new List<ArchitectureWeight>();
        long patches = checked((imageSize / patchSize) * (imageSize / patchSize));
        Add(w, ModelComponent.Embedding, "v.patch_embd.weight", 1, width, channels, patchSize, patchSize);
        Add(w, ModelComponent.Embedding, "v.patch_embd.bias", 1, width);
        Add(w, ModelComponent.Embedding, "v.position_embd.weight", 1, patches, width);
        AddVitLayers(w, "v.", width, inner, layers);
        Add(w, ModelComponent.Norms, "v.post_ln.weight", 1, width);
        Add(w, ModelComponent.Norms, "v.post_ln.bias", 1, width);
        if (head)
        {
            Add(w, ModelComponent.Other, "v.head.probe", 1, 1, 1, width);
            Add(w, ModelComponent.Other, "v.head.attn_in.weight", 1, checked(3 * width), width);
            Add(w, ModelComponent.Other, "v.head.attn_in.bias", 1, checked(3 * width));
            Add(w, ModelComponent.Other, "v.head.attn_out.weight", 1, width, width);
            Add(w, ModelComponent.Other, "v.head.attn_out.bias", 1, width);
            Add(w, ModelComponent.Other, "v.head.ln.weight", 1, width);
            Add(w, ModelComponent.Other, "v.head.ln.bias", 1, width);
            Add(w, ModelComponent.Other, "v.head.ffn_up.weight", 1, inner, width);
            Add(w, ModelComponent.Other, "v.head.ffn_up.bias", 1, inner);
            Add(w, ModelComponent.Other, "v.head.ffn_down.weight", 1, width, inner);
            Add(w, ModelComponent.Other, "v.head.ffn_down.bias", 1, width);
        }

        return new ArchitecturePart(ArchitecturePartKind.VisionTower,
            $"SigLIP vision tower ({layers} layers, {width} wide, {imageSize}px / {patchSize}px patches)", w);
    }

    /// <summary>
    /// CLIP vision transformer (CLIPVisionTransformer): class_embedding, patch_embedding Conv2d without bias, a position
    /// embedding of (image / patch)² + 1 rows, pre_layrnorm, the encoder layers and post_layernorm.
    /// </summary>
    public static ArchitecturePart Clip(long width, long inner, long layers, long channels, long imageSize, long patchSize)
    {
        var w = new List<ArchitectureWeight>();
        long positions = checked((imageSize / patchSize) * (imageSize / patchSize) + 1);
        Add(w, ModelComponent.Embedding, "v.class_embd", 1, width);
        Add(w, ModelComponent.Embedding, "v.patch_embd.weight", 1, width, channels, patchSize, patchSize);
        Add(w, ModelComponent.Embedding, "v.position_embd.weight", 1, positions, width);
        Add(w, ModelComponent.Norms, "v.pre_ln.weight", 1, width);
        Add(w, ModelComponent.Norms, "v.pre_ln.bias", 1, width);
        AddVitLayers(w, "v.", width, inner, layers);
        Add(w, ModelComponent.Norms, "v.post_ln.weight", 1, width);
        Add(w, ModelComponent.Norms, "v.post_ln.bias", 1, width);
        return new ArchitecturePart(ArchitecturePartKind.VisionTower,
            $"CLIP vision tower ({layers} layers, {width} wide, {imageSize}px / {patchSize}px patches)", w);
    }

    /// <summary>
    /// Qwen2-VL / Qwen2.5-VL vision transformer: Conv3d patch embedding (channels × temporal × patch × patch, no bias);
    /// blocks of norm1 / norm2 (Qwen2-VL LayerNorm, Qwen2.5-VL RMSNorm), fused qkv and proj with bias, and an MLP
    /// (Qwen2-VL fc1/fc2 of mlp_ratio × width; Qwen2.5-VL gated gate/up/down of intermediate_size, all with bias); then
    /// the patch merger: ln_q over the width, Linear(width·m², width·m²) and Linear(width·m², out), both with bias.
    /// </summary>
    public static ArchitecturePart QwenVision(bool qwen25, long width, long inner, long layers, long channels,
        long temporalPatch, long patchSize, long mergeSize, long outWidth)
    {
        var w = new List<ArchitectureWeight>();
        Add(w, ModelComponent.Embedding, "v.patch_embd.weight", 1, width, channels, temporalPatch, patchSize, patchSize);
        const string blk = "v.blk.{layer}.";
        long layerNormCopies = checked(2 * layers);
        Add(w, ModelComponent.Norms, blk + "norm.weight", layerNormCopies, width);
        if (!qwen25)
        {
            Add(w, ModelComponent.Norms, blk + "norm.bias", layerNormCopies, width);
        }

        Add(w, ModelComponent.Attention, blk + "attn_qkv.weight", layers, checked(3 * width), width);
        Add(w, ModelComponent.Attention, blk + "attn_qkv.bias", layers, checked(3 * width));
        Add(w, ModelComponent.Attention, blk + "attn_out.weight", layers, width, width);
        Add(w, ModelComponent.Attention, blk + "attn_out.bias", layers, width);
        if (qwen25)
        {
            Add(w, ModelComponent.Mlp, blk + "ffn_gate.weight", layers, inner, width);
            Add(w, ModelComponent.Mlp, blk + "ffn_gate.bias", layers, inner);
        }

        Add(w, ModelComponent.Mlp, blk + "ffn_up.weight", layers, inner, width);
        Add(w, ModelComponent.Mlp, blk + "ffn_up.bias", layers, inner);
        Add(w, ModelComponent.Mlp, blk + "ffn_down.weight", layers, width, inner);
        Add(w, ModelComponent.Mlp, blk + "ffn_down.bias", layers, width);

        long merged = checked(width * mergeSize * mergeSize);
        Add(w, ModelComponent.Other, "v.merger.ln_q.weight", 1, width);
        if (!qwen25)
        {
            Add(w, ModelComponent.Other, "v.merger.ln_q.bias", 1, width);
        }

        Add(w, ModelComponent.Other, "v.merger.mlp0.weight", 1, merged, merged);
        Add(w, ModelComponent.Other, "v.merger.mlp0.bias", 1, merged);
        Add(w, ModelComponent.Other, "v.merger.mlp2.weight", 1, outWidth, merged);
        Add(w, ModelComponent.Other, "v.merger.mlp2.bias", 1, outWidth);
        return new ArchitecturePart(ArchitecturePartKind.VisionTower,
            $"{(qwen25 ? "Qwen2.5-VL" : "Qwen2-VL")} vision transformer ({layers} blocks, {width} wide) with patch merger", w);
    }

    /// <summary>
    /// Mllama vision model (MllamaVisionModel): patch_embedding Conv2d without bias, class_embedding, the gated
    /// positional embedding (position table of patches + 1 rows, a per-aspect-ratio tile table of tiles × (patches + 1)
    /// × width, a gate), gated pre- and post-tile embeddings (aspect ratios × tiles × width, a gate each),
    /// layernorm_pre / layernorm_post, the local encoder layers and the global layers with their attention and MLP
    /// gates (attention without bias, MLP with bias, two LayerNorms each).
    /// </summary>
    public static ArchitecturePart Mllama(long width, long inner, long layers, long globalLayers, long channels,
        long imageSize, long patchSize, long tiles, long aspectRatios)
    {
        var w = new List<ArchitectureWeight>();
        long positions = checked((imageSize / patchSize) * (imageSize / patchSize) + 1);
        Add(w, ModelComponent.Embedding, "v.patch_embd.weight", 1, width, channels, patchSize, patchSize);
        Add(w, ModelComponent.Embedding, "v.class_embd", 1, width);
        Add(w, ModelComponent.Embedding, "v.position_embd.weight", 1, positions, width);
        Add(w, ModelComponent.Embedding, "v.position_embd.gate", 1, 1);
        Add(w, ModelComponent.Embedding, "v.tile_position_embd.weight", 1, checked(aspectRatios + 1), checked(tiles * positions * width));
        Add(w, ModelComponent.Embedding, "v.pre_tile_position_embd.weight", 1, checked(aspectRatios + 1), checked(tiles * width));
        Add(w, ModelComponent.Embedding, "v.pre_tile_position_embd.gate", 1, 1);
        Add(w, ModelComponent.Embedding, "v.post_tile_position_embd.weight", 1, checked(aspectRatios + 1), checked(tiles * width));
        Add(w, ModelComponent.Embedding, "v.post_tile_position_embd.gate", 1, 1);
        foreach (string n in (string[])["v.pre_ln", "v.post_ln"])
        {
            Add(w, ModelComponent.Norms, n + ".weight", 1, width);
            Add(w, ModelComponent.Norms, n + ".bias", 1, width);
        }

        long all = checked(layers + globalLayers);
        const string blk = "v.blk.{layer}.";
        Add(w, ModelComponent.Norms, blk + "ln.weight", checked(2 * all), width);
        Add(w, ModelComponent.Norms, blk + "ln.bias", checked(2 * all), width);
        Add(w, ModelComponent.Attention, blk + "attn_qkvo.weight", checked(4 * all), width, width);
        Add(w, ModelComponent.Mlp, blk + "ffn_up.weight", all, inner, width);
        Add(w, ModelComponent.Mlp, blk + "ffn_up.bias", all, inner);
        Add(w, ModelComponent.Mlp, blk + "ffn_down.weight", all, width, inner);
        Add(w, ModelComponent.Mlp, blk + "ffn_down.bias", all, width);
        Add(w, ModelComponent.Other, "v.global.{layer}.gates", checked(2 * globalLayers), 1);
        return new ArchitecturePart(ArchitecturePartKind.VisionTower,
            $"Mllama vision model ({layers} + {globalLayers} global layers, {width} wide, {tiles} tiles of {imageSize}px)", w);
    }

    /// <summary>
    /// Llama 4 vision model (Llama4VisionModel): unfold patch embedding Linear(channels × patch², width) without bias,
    /// class_embedding, positional_embedding_vlm of (image / patch)² + 1 rows, layernorm_pre / layernorm_post, encoder
    /// layers (q/k/v/o and fc1/fc2 with bias, two LayerNorms), and the pixel-shuffle adapter MLP (fc1
    /// intermediate_size → projector_input_dim, fc2 projector_output_dim², both without bias).
    /// </summary>
    public static ArchitecturePart Llama4(long width, long inner, long layers, long channels, long imageSize, long patchSize,
        long projectorInput, long projectorOutput)
    {
        var w = new List<ArchitectureWeight>();
        long positions = checked((imageSize / patchSize) * (imageSize / patchSize) + 1);
        Add(w, ModelComponent.Embedding, "v.patch_embd.weight", 1, width, checked(channels * patchSize * patchSize));
        Add(w, ModelComponent.Embedding, "v.class_embd", 1, width);
        Add(w, ModelComponent.Embedding, "v.position_embd.weight", 1, positions, width);
        foreach (string n in (string[])["v.pre_ln", "v.post_ln"])
        {
            Add(w, ModelComponent.Norms, n + ".weight", 1, width);
            Add(w, ModelComponent.Norms, n + ".bias", 1, width);
        }

        AddVitLayers(w, "v.", width, inner, layers);
        Add(w, ModelComponent.Other, "v.adapter.fc1.weight", 1, projectorInput, inner);
        Add(w, ModelComponent.Other, "v.adapter.fc2.weight", 1, projectorOutput, projectorOutput);
        return new ArchitecturePart(ArchitecturePartKind.VisionTower,
            $"Llama 4 vision model ({layers} layers, {width} wide, {imageSize}px / {patchSize}px patches) with pixel-shuffle adapter", w);
    }

    /// <summary>Gemma 3 projector (Gemma3MultiModalProjector): mm_soft_emb_norm RMSNorm(vision width) and mm_input_projection_weight [vision, text].</summary>
    public static ArchitecturePart Gemma3Projector(long visionWidth, long textWidth)
    {
        var w = new List<ArchitectureWeight>();
        Add(w, ModelComponent.Norms, "mm.soft_emb_norm.weight", 1, visionWidth);
        Add(w, ModelComponent.Other, "mm.input_projection.weight", 1, visionWidth, textWidth);
        return new ArchitecturePart(ArchitecturePartKind.Projector, "Gemma 3 multi-modal projector (RMSNorm + linear)", w);
    }

    /// <summary>LLaVA projector (LlavaMultiModalProjector): linear_1 (vision × feature layers → text), GELU, linear_2 (text → text), biases per multimodal_projector_bias.</summary>
    public static ArchitecturePart LlavaProjector(long visionInput, long textWidth, bool bias)
    {
        var w = new List<ArchitectureWeight>();
        Add(w, ModelComponent.Other, "mm.linear_1.weight", 1, textWidth, visionInput);
        if (bias)
        {
            Add(w, ModelComponent.Other, "mm.linear_1.bias", 1, textWidth);
        }

        Add(w, ModelComponent.Other, "mm.linear_2.weight", 1, textWidth, textWidth);
        if (bias)
        {
            Add(w, ModelComponent.Other, "mm.linear_2.bias", 1, textWidth);
        }

        return new ArchitecturePart(ArchitecturePartKind.Projector, "LLaVA multi-modal projector (2-layer MLP)", w);
    }

    /// <summary>LLaVA-NeXT image_newline: one learned vector of the text width appended after each image row.</summary>
    public static ArchitecturePart LlavaNextNewline(long textWidth) =>
        new(ArchitecturePartKind.Projector, "LLaVA-NeXT image_newline",
            [new ArchitectureWeight(ModelComponent.Other, "mm.image_newline", [textWidth], 1, 1)]);

    private static void Add(List<ArchitectureWeight> list, ModelComponent component, string name, long copies,
        params long[] shape) => list.Add(new(component, name, shape, copies, copies));
}
