using System.Text.Json;
using System.Text.Json.Nodes;
using LlmSize.Core.Models;
using LlmSize.Core.Models.Architectures;

namespace LlmSize.Core.Formats.HfConfig;

/// <summary>
/// Whole multimodal checkpoints: the language model of <c>text_config</c> (or the top level) plus the vision tower of
/// <c>vision_config</c> and the projector, each a <see cref="ArchitecturePart"/>. Keys a real config leaves out take
/// the defaults of their transformers config class, and <see cref="ModelArchitecture.DefaultsUsed"/> lists them.
/// </summary>
internal static partial class HfConfigParser
{
    /// <summary>Core-size defaults of the text config classes wrappers rely on (configuration_*.py).</summary>
    private static readonly Dictionary<string, (string Class, (string Key, long Value)[] Keys)> TextDefaults = new(StringComparer.Ordinal)
    {
        ["llama"] = ("LlamaConfig", [("vocab_size", 32000), ("hidden_size", 4096), ("intermediate_size", 11008),
            ("num_hidden_layers", 32), ("num_attention_heads", 32), ("max_position_embeddings", 2048)]),
        ["mistral"] = ("MistralConfig", [("vocab_size", 32000), ("hidden_size", 4096), ("intermediate_size", 14336),
            ("num_hidden_layers", 32), ("num_attention_heads", 32), ("num_key_value_heads", 8),
            ("max_position_embeddings", 131072)]),
        ["qwen2"] = ("Qwen2Config", [("vocab_size", 151936), ("hidden_size", 4096), ("intermediate_size", 22016),
            ("num_hidden_layers", 32), ("num_attention_heads", 32), ("num_key_value_heads", 32)]),
        ["gemma3_text"] = ("Gemma3TextConfig", [("vocab_size", HfConfigConstants.Gemma3DefaultVocabSize),
            ("hidden_size", 2304), ("intermediate_size", 9216), ("num_hidden_layers", 26),
            ("num_attention_heads", HfConfigConstants.Gemma3DefaultHeads),
            ("num_key_value_heads", HfConfigConstants.Gemma3DefaultKeyValueHeads),
            ("head_dim", HfConfigConstants.GemmaDefaultHeadDim)]),
    };

    /// <summary>
    /// <paramref name="text"/> with the absent core keys of <paramref name="modelType"/>'s config class filled in
    /// (recorded in <paramref name="defaults"/>); unchanged for classes without a table.
    /// </summary>
    private static HfConfigObject WithTextDefaults(HfConfigObject text, string modelType, List<string> defaults)
    {
        if (!TextDefaults.TryGetValue(modelType, out var table))
        {
            return text;
        }

        var node = JsonNode.Parse(text.Element.GetRawText())!.AsObject();
        bool changed = false;
        foreach ((string key, long value) in table.Keys)
        {
            if (!text.Has(key))
            {
                node[key] = value;
                defaults.Add($"{text.PathOf(key)} = {value} ({table.Class} default)");
                changed = true;
            }
        }

        if (!changed)
        {
            return text;
        }

        using JsonDocument doc = JsonDocument.Parse(node.ToJsonString());
        return new HfConfigObject(doc.RootElement.Clone(), text.File, text.PathOf(string.Empty), text.Options);
    }

    /// <summary>An integer of a nested config, or its class default (recorded).</summary>
    private static long VisionKey(HfConfigObject v, string key, long fallback, string configClass, List<string> defaults, params string[] aliases)
    {
        if (v.FirstDimension([key, .. aliases]) is { } value)
        {
            return value;
        }

        defaults.Add($"{v.PathOf(key)} = {fallback} ({configClass} default)");
        return fallback;
    }

    /// <summary>The nested object <paramref name="key"/>, or an empty one (all class defaults) when absent.</summary>
    private static HfConfigObject NestedOrEmpty(HfConfigObject c, string key, List<string> defaults, string configClass)
    {
        if (c.GetObject(key) is { } nested)
        {
            return nested;
        }

        defaults.Add($"{c.PathOf(key)} absent: {configClass} defaults");
        using JsonDocument doc = JsonDocument.Parse("{}");
        return new HfConfigObject(doc.RootElement.Clone(), c.File, c.PathOf(key) + ".", c.Options);
    }

    /// <summary>A SigLIP or CLIP vision tower from a vision_config (SiglipVisionConfig / CLIPVisionConfig defaults).</summary>
    private static ArchitecturePart ViTTower(HfConfigObject v, string defaultType, List<string> defaults)
    {
        string type = v.GetString("model_type") ?? defaultType;
        bool siglip = type switch
        {
            "siglip_vision_model" or "siglip" => true,
            "clip_vision_model" or "clip" => false,
            _ => throw new NotSupportedException(
                $"{(v.File is null ? string.Empty : v.File + ": ")}vision tower '{v.PathOf("model_type")}' = '{type}' is not supported; supported: siglip_vision_model, clip_vision_model."),
        };
        string cls = siglip ? "SiglipVisionConfig" : "CLIPVisionConfig";
        long width = VisionKey(v, "hidden_size", 768, cls, defaults);
        long inner = VisionKey(v, "intermediate_size", 3072, cls, defaults);
        long layers = VisionKey(v, "num_hidden_layers", 12, cls, defaults);
        long channels = VisionKey(v, "num_channels", 3, cls, defaults);
        long image = VisionKey(v, "image_size", 224, cls, defaults);
        long patch = VisionKey(v, "patch_size", siglip ? 16 : 32, cls, defaults);
        if (image % patch != 0)
        {
            HfConfigThrowHelper.InvalidValue(v.PathOf("patch_size"), $"({patch}) does not divide image_size ({image})", v.File);
        }

        if (!siglip)
        {
            return VisionTowers.Clip(width, inner, layers, channels, image, patch);
        }

        // SiglipVisionTransformer: use_head = True unless the config carries vision_use_head.
        bool? useHead = v.GetBool("vision_use_head");
        if (useHead is null)
        {
            defaults.Add($"{v.PathOf("vision_use_head")} = true (SiglipVisionTransformer: no key, attention-pooling head built)");
        }

        return VisionTowers.Siglip(width, inner, layers, channels, image, patch, useHead ?? true);
    }

    /// <summary>
    /// Gemma 3 (Gemma3ForConditionalGeneration): the Gemma3TextConfig language model of <c>text_config</c>, the SigLIP
    /// vision tower of <c>vision_config</c> (Gemma3Config: SiglipVisionConfig defaults when absent) and
    /// Gemma3MultiModalProjector.
    /// </summary>
    private static ModelArchitecture ParseGemma3(HfConfigObject c)
    {
        var defaults = new List<string>();
        HfConfigObject text = c.GetObject("text_config") ?? Missing<HfConfigObject>(c, "text_config");
        text = WithTextDefaults(text, "gemma3_text", defaults);
        ModelArchitecture lm = ParseLlamaLike(text, "gemma3_text", c.GetArchitectureName(), null, defaults);
        HfConfigObject vision = NestedOrEmpty(c, "vision_config", defaults, "SiglipVisionConfig");
        ArchitecturePart tower = ViTTower(vision, "siglip_vision_model", defaults);
        long visionWidth = VisionKey(vision, "hidden_size", 768, "SiglipVisionConfig", []);
        return lm with
        {
            Family = "gemma3",
            Parts = [tower, VisionTowers.Gemma3Projector(visionWidth, lm.HiddenSize)],
            DefaultsUsed = defaults.Distinct().ToList(),
        };
    }

    /// <summary>
    /// LLaVA 1.5 / LLaVA-NeXT (LlavaForConditionalGeneration, LlavaNextForConditionalGeneration): the language model
    /// of <c>text_config</c> (LlavaConfig: llama when absent), the CLIP / SigLIP tower of <c>vision_config</c> (all
    /// layers are built, whatever vision_feature_layer selects), the two-layer projector and, for NeXT, image_newline.
    /// </summary>
    private static ModelArchitecture ParseLlava(HfConfigObject c, string family)
    {
        var defaults = new List<string>();
        HfConfigObject text = NestedOrEmpty(c, "text_config", defaults, "LlamaConfig");
        string textType = text.GetString("model_type") ?? "llama";
        if (textType is not ("llama" or "mistral" or "qwen2" or "gemma" or "gemma2"))
        {
            throw new NotSupportedException(
                $"{(c.File is null ? string.Empty : c.File + ": ")}{family} language model '{text.PathOf("model_type")}' = '{textType}' is not supported; supported: llama, mistral, qwen2, gemma, gemma2.");
        }

        text = WithTextDefaults(text, textType, defaults);
        ModelArchitecture lm = ParseLlamaLike(text, textType, c.GetArchitectureName(), null, defaults);
        HfConfigObject vision = NestedOrEmpty(c, "vision_config", defaults, "CLIPVisionConfig");
        ArchitecturePart tower = ViTTower(vision, "clip_vision_model", defaults);
        long visionWidth = VisionKey(vision, "hidden_size", 768, "CLIPVisionConfig", []);
        long featureLayers = c.Get("vision_feature_layer") is { ValueKind: JsonValueKind.Array } layersSelected
            ? Math.Max(1, layersSelected.GetArrayLength())
            : 1;
        var parts = new List<ArchitecturePart>
        {
            tower,
            VisionTowers.LlavaProjector(checked(visionWidth * featureLayers), lm.HiddenSize, c.GetBool("multimodal_projector_bias", true)),
        };
        if (family == "llava_next")
        {
            parts.Add(VisionTowers.LlavaNextNewline(lm.HiddenSize));
        }

        return lm with { Family = family, Parts = parts, DefaultsUsed = defaults.Distinct().ToList() };
    }

    /// <summary>
    /// Qwen2-VL / Qwen2.5-VL: the Qwen2 language model (keys at the top level, or in <c>text_config</c> in newer
    /// files) and the vision transformer with its patch merger from <c>vision_config</c>.
    /// </summary>
    private static ModelArchitecture ParseQwen2Vl(HfConfigObject c, string family)
    {
        bool qwen25 = family == "qwen2_5_vl";
        var defaults = new List<string>();
        HfConfigObject text = c.GetObject("text_config") is { } t && t.Has("hidden_size") ? t : c;
        ModelArchitecture lm = ParseLlamaLike(text, "qwen2", c.GetArchitectureName(), null, defaults);
        string cls = qwen25 ? "Qwen2_5_VLVisionConfig" : "Qwen2VLVisionConfig";
        HfConfigObject v = NestedOrEmpty(c, "vision_config", defaults, cls);
        long depth = VisionKey(v, "depth", 32, cls, defaults);
        long width = qwen25 ? VisionKey(v, "hidden_size", 1280, cls, defaults) : VisionKey(v, "embed_dim", 1280, cls, defaults);
        long inner = qwen25
            ? VisionKey(v, "intermediate_size", 3420, cls, defaults)
            : checked(width * VisionKey(v, "mlp_ratio", 4, cls, defaults));
        long outWidth = qwen25
            ? VisionKey(v, "out_hidden_size", lm.HiddenSize, cls, defaults)
            : VisionKey(v, "hidden_size", lm.HiddenSize, cls, defaults);
        long channels = VisionKey(v, "in_channels", 3, cls, defaults, "in_chans");
        long patch = VisionKey(v, "patch_size", 14, cls, defaults, "spatial_patch_size");
        long temporal = VisionKey(v, "temporal_patch_size", 2, cls, defaults);
        long merge = VisionKey(v, "spatial_merge_size", 2, cls, defaults);
        ArchitecturePart tower = VisionTowers.QwenVision(qwen25, width, inner, depth, channels, temporal, patch, merge, outWidth);
        return lm with { Family = family, Parts = [tower], DefaultsUsed = defaults.Distinct().ToList() };
    }

    /// <summary>
    /// PaliGemma / PaliGemma 2 (PaliGemmaForConditionalGeneration): the Gemma / Gemma 2 language model of
    /// <c>text_config</c>, the SigLIP tower of <c>vision_config</c> and a single linear projector with bias
    /// (vision width → <c>projection_dim</c>).
    /// </summary>
    private static ModelArchitecture ParsePaliGemma(HfConfigObject c)
    {
        var defaults = new List<string>();
        HfConfigObject text = c.GetObject("text_config") ?? Missing<HfConfigObject>(c, "text_config");
        string textType = text.GetString("model_type") ?? "gemma";
        if (textType is not ("gemma" or "gemma2"))
        {
            throw new NotSupportedException(
                $"{(c.File is null ? string.Empty : c.File + ": ")}paligemma language model '{text.PathOf("model_type")}' = '{textType}' is not supported; supported: gemma, gemma2.");
        }

        ModelArchitecture lm = ParseLlamaLike(text, textType, c.GetArchitectureName(), null, defaults);
        HfConfigObject vision = NestedOrEmpty(c, "vision_config", defaults, "SiglipVisionConfig");
        ArchitecturePart tower = ViTTower(vision, "siglip_vision_model", defaults);
        long visionWidth = VisionKey(vision, "hidden_size", 768, "SiglipVisionConfig", []);
        long projection = c.FirstDimension("projection_dim") ?? vision.FirstDimension("projection_dim") ??
            VisionKey(c, "projection_dim", 2048, "PaliGemmaConfig", defaults);
        var projector = new ArchitecturePart(ArchitecturePartKind.Projector, "PaliGemma multi-modal projector (linear)",
        [
            new ArchitectureWeight(ModelComponent.Other, "mm.linear.weight", [projection, visionWidth], 1, 1),
            new ArchitectureWeight(ModelComponent.Other, "mm.linear.bias", [projection], 1, 1),
        ]);
        return lm with { Family = "paligemma", Parts = [tower, projector], DefaultsUsed = defaults.Distinct().ToList() };
    }

    /// <summary>
    /// Idefics3 / SmolVLM: the language model of <c>text_config</c> (llama), the SigLIP-style vision transformer of
    /// <c>vision_config</c> (no pooling head; Idefics3VisionConfig defaults) and the connector's pixel-shuffle
    /// projection, Linear(vision width × scale_factor², text width) without bias.
    /// </summary>
    private static ModelArchitecture ParseIdefics3(HfConfigObject c, string family)
    {
        var defaults = new List<string>();
        HfConfigObject text = NestedOrEmpty(c, "text_config", defaults, "LlamaConfig");
        string textType = text.GetString("model_type") ?? "llama";
        if (textType is not ("llama" or "mistral" or "qwen2"))
        {
            throw new NotSupportedException(
                $"{(c.File is null ? string.Empty : c.File + ": ")}{family} language model '{text.PathOf("model_type")}' = '{textType}' is not supported; supported: llama, mistral, qwen2.");
        }

        text = WithTextDefaults(text, textType, defaults);
        ModelArchitecture lm = ParseLlamaLike(text, textType, c.GetArchitectureName(), null, defaults);
        string cls = family == "smolvlm" ? "SmolVLMVisionConfig" : "Idefics3VisionConfig";
        HfConfigObject v = NestedOrEmpty(c, "vision_config", defaults, cls);
        long width = VisionKey(v, "hidden_size", 1152, cls, defaults);
        long inner = VisionKey(v, "intermediate_size", 3072, cls, defaults);
        long layers = VisionKey(v, "num_hidden_layers", 12, cls, defaults);
        long channels = VisionKey(v, "num_channels", 3, cls, defaults);
        long image = VisionKey(v, "image_size", 224, cls, defaults);
        long patch = VisionKey(v, "patch_size", 32, cls, defaults);
        long scale = VisionKey(c, "scale_factor", 2, family == "smolvlm" ? "SmolVLMConfig" : "Idefics3Config", defaults);
        ArchitecturePart tower = VisionTowers.Siglip(width, inner, layers, channels, image, patch, head: false);
        var projector = new ArchitecturePart(ArchitecturePartKind.Projector,
            $"{(family == "smolvlm" ? "SmolVLM" : "Idefics3")} connector (pixel shuffle {scale}x{scale} + linear)",
            [new ArchitectureWeight(ModelComponent.Other, "mm.proj.weight", [lm.HiddenSize, checked(width * scale * scale)], 1, 1)]);
        return lm with { Family = family, Parts = [tower, projector], DefaultsUsed = defaults.Distinct().ToList() };
    }

    /// <summary>
    /// Phi-3 / Phi-3.5 Vision (remote code Phi3VForCausalLM): the Phi-3 language model (top-level keys), a CLIP
    /// ViT-L/14-336 (<c>img_processor.model_name</c>), the HD-transform separators glb_GN / sub_GN and the image
    /// projection (mlp: Linear(4·image_dim_out, hidden), GELU, Linear(hidden, hidden); linear: one Linear).
    /// </summary>
    private static ModelArchitecture ParsePhi3V(HfConfigObject c)
    {
        var defaults = new List<string>();
        ModelArchitecture lm = ParseLlamaLike(c, "phi3", c.GetArchitectureName(), null, defaults);
        HfConfigObject img = c.GetObject("img_processor") ?? Missing<HfConfigObject>(c, "img_processor");
        string model = img.GetString("model_name") ?? "openai/clip-vit-large-patch14-336";
        if (model != "openai/clip-vit-large-patch14-336")
        {
            throw new NotSupportedException(
                $"{(c.File is null ? string.Empty : c.File + ": ")}phi3_v image encoder '{img.PathOf("model_name")}' = '{model}' is not supported; supported: openai/clip-vit-large-patch14-336.");
        }

        // The CLIP ViT-L/14-336 configuration Phi3V's image_embedding_phi3_v.py builds its CLIPVisionModel from.
        ArchitecturePart tower = VisionTowers.Clip(1024, 4096, 24, 3, 336, 14);
        long dimOut = img.FirstDimension("image_dim_out") ?? 1024;
        HfConfigObject embd = NestedOrEmpty(c, "embd_layer", defaults, "Phi3VConfig");
        bool hd = embd.GetBool("use_hd_transform", false);
        bool separators = embd.GetBool("with_learnable_separator", false);
        string projectionKind = embd.GetString("projection_cls") ?? "linear";
        long input = hd ? checked(dimOut * 4) : dimOut;
        long d = lm.HiddenSize;
        var w = new List<ArchitectureWeight>();
        if (hd && separators)
        {
            w.Add(new ArchitectureWeight(ModelComponent.Other, "mm.glb_GN", [1, 1, input], 1, 1));
            w.Add(new ArchitectureWeight(ModelComponent.Other, "mm.sub_GN", [1, 1, 1, input], 1, 1));
        }

        w.Add(new ArchitectureWeight(ModelComponent.Other, "mm.proj0.weight", [d, input], 1, 1));
        w.Add(new ArchitectureWeight(ModelComponent.Other, "mm.proj0.bias", [d], 1, 1));
        if (projectionKind == "mlp")
        {
            w.Add(new ArchitectureWeight(ModelComponent.Other, "mm.proj2.weight", [d, d], 1, 1));
            w.Add(new ArchitectureWeight(ModelComponent.Other, "mm.proj2.bias", [d], 1, 1));
        }
        else if (projectionKind != "linear")
        {
            HfConfigThrowHelper.InvalidValue(embd.PathOf("projection_cls"), $"is '{projectionKind}', expected 'linear' or 'mlp'", c.File);
        }

        var projector = new ArchitecturePart(ArchitecturePartKind.Projector, $"Phi-3 Vision image projection ({projectionKind})", w);
        return lm with { Family = "phi3_v", Parts = [tower, projector], DefaultsUsed = defaults.Distinct().ToList() };
    }

    /// <summary>
    /// Mllama (Llama 3.2 Vision, MllamaForConditionalGeneration): the text model of <c>text_config</c> — LLaMA layers,
    /// of which <c>cross_attention_layers</c> attend to the image with q/k norms and two tanh gates, and an embedding of
    /// vocab_size + 8 rows — the Mllama vision model of <c>vision_config</c> and the projector Linear(vision_output_dim,
    /// text hidden) with bias.
    /// </summary>
    private static ModelArchitecture ParseMllama(HfConfigObject c)
    {
        var defaults = new List<string>();
        HfConfigObject text = c.GetObject("text_config") ?? Missing<HfConfigObject>(c, "text_config");
        ModelArchitecture lm = ParseLlamaLike(text, "llama", c.GetArchitectureName(), null, defaults);
        int[] cross = LayerIndices(text, "cross_attention_layers", lm.LayerCount) ?? [];
        long crossLayers = cross.Length;
        var extra = new List<ArchitectureWeight>
        {
            // MllamaTextModel.embed_tokens: vocab_size + 8 rows (image and padding tokens); lm_head keeps vocab_size.
            new(ModelComponent.Embedding, "token_embd.extra_rows", [8, lm.HiddenSize], 1, 1),
        };
        if (crossLayers > 0)
        {
            extra.Add(new(ModelComponent.Attention, "blk.{layer}.cross_attn_q_norm.weight", [lm.HeadDim], crossLayers, crossLayers));
            extra.Add(new(ModelComponent.Attention, "blk.{layer}.cross_attn_k_norm.weight", [lm.HeadDim], crossLayers, crossLayers));
            extra.Add(new(ModelComponent.Other, "blk.{layer}.cross_attn_gates", [1], checked(2 * crossLayers), checked(2 * crossLayers)));
        }

        const string cls = "MllamaVisionConfig";
        HfConfigObject v = NestedOrEmpty(c, "vision_config", defaults, cls);
        long width = VisionKey(v, "hidden_size", 1280, cls, defaults);
        long inner = VisionKey(v, "intermediate_size", 5120, cls, defaults);
        long layers = VisionKey(v, "num_hidden_layers", 32, cls, defaults);
        long global = VisionKey(v, "num_global_layers", 8, cls, defaults);
        long channels = VisionKey(v, "num_channels", 3, cls, defaults);
        long image = VisionKey(v, "image_size", 448, cls, defaults);
        long patch = VisionKey(v, "patch_size", 14, cls, defaults);
        long tiles = VisionKey(v, "max_num_tiles", 4, cls, defaults);
        long output = VisionKey(v, "vision_output_dim", 7680, cls, defaults);
        long ratios = v.GetArray("supported_aspect_ratios") is { } list ? list.Length : 8;
        ArchitecturePart tower = VisionTowers.Mllama(width, inner, layers, global, channels, image, patch, tiles, ratios);
        var projector = new ArchitecturePart(ArchitecturePartKind.Projector, "Mllama multi-modal projector (linear)",
        [
            new ArchitectureWeight(ModelComponent.Other, "mm.linear.weight", [lm.HiddenSize, output], 1, 1),
            new ArchitectureWeight(ModelComponent.Other, "mm.linear.bias", [lm.HiddenSize], 1, 1),
        ]);
        return lm with
        {
            Family = "mllama",
            AdditionalWeights = extra,
            Parts = [tower, projector],
            DefaultsUsed = defaults.Distinct().ToList(),
        };
    }

    /// <summary>
    /// Llama 4 text model (Llama4TextConfig): LLaMA attention (its qk_norm is a weightless L2 norm), layers of
    /// <c>moe_layers</c> (default every <c>interleave_moe_layer_step</c>-th) hold <c>num_local_experts</c> gated experts
    /// of <c>intermediate_size</c> behind a router without bias plus one shared expert of the same width; the other
    /// layers a dense MLP of <c>intermediate_size_mlp</c>.
    /// </summary>
    private static ModelArchitecture ParseLlama4Text(HfConfigObject t, string? architectureName)
    {
        ModelArchitecture lm = ParseLlamaLike(t, "llama", architectureName);
        int experts = t.RequireCount("num_local_experts");
        int topK = t.RequireCount("num_experts_per_tok");
        CheckTopK(t, "num_experts_per_tok", topK, "num_local_experts", experts);
        int step = t.FirstCount("interleave_moe_layer_step") ?? 1;
        int[] moeIndices = LayerIndices(t, "moe_layers", lm.LayerCount)
            ?? [.. Enumerable.Range(0, lm.LayerCount).Where(i => i % step == step - 1)];
        bool[] moe = [.. Enumerable.Range(0, lm.LayerCount).Select(moeIndices.Contains)];
        long dense = moe.All(m => m) ? t.FirstDimension("intermediate_size_mlp") ?? lm.IntermediateSize : t.RequireDimension("intermediate_size_mlp");
        return lm with
        {
            Family = "llama4_text",
            IntermediateSize = dense,
            ExpertCount = experts,
            ActiveExpertCount = topK,
            ExpertIntermediateSize = lm.IntermediateSize,
            SharedExpertCount = 1,
            MoeLayers = moe,
        };
    }

    /// <summary>
    /// Llama 4 (Llama4ForConditionalGeneration): the text model of <c>text_config</c>, Llama4VisionModel of
    /// <c>vision_config</c> and the projector Linear(vision_output_dim, text hidden) without bias.
    /// </summary>
    private static ModelArchitecture ParseLlama4(HfConfigObject c)
    {
        var defaults = new List<string>();
        HfConfigObject text = c.GetObject("text_config") ?? Missing<HfConfigObject>(c, "text_config");
        ModelArchitecture lm = ParseLlama4Text(text, c.GetArchitectureName());
        const string cls = "Llama4VisionConfig";
        HfConfigObject v = NestedOrEmpty(c, "vision_config", defaults, cls);
        long width = VisionKey(v, "hidden_size", 768, cls, defaults);
        long inner = VisionKey(v, "intermediate_size", 5632, cls, defaults);
        long layers = VisionKey(v, "num_hidden_layers", 34, cls, defaults);
        long channels = VisionKey(v, "num_channels", 3, cls, defaults);
        long image = VisionKey(v, "image_size", 448, cls, defaults);
        long patch = VisionKey(v, "patch_size", 14, cls, defaults);
        long projIn = VisionKey(v, "projector_input_dim", 4096, cls, defaults);
        long projOut = VisionKey(v, "projector_output_dim", 4096, cls, defaults);
        long output = VisionKey(v, "vision_output_dim", 7680, cls, defaults);
        ArchitecturePart tower = VisionTowers.Llama4(width, inner, layers, channels, image, patch, projIn, projOut);
        var projector = new ArchitecturePart(ArchitecturePartKind.Projector, "Llama 4 multi-modal projector (linear)",
            [new ArchitectureWeight(ModelComponent.Other, "mm.linear_1.weight", [lm.HiddenSize, output], 1, 1)]);
        return lm with { Family = "llama4", Parts = [tower, projector], DefaultsUsed = defaults.Distinct().ToList() };
    }
}
