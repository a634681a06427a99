using LlmSize.Core.Formats.HfConfig;
using LlmSize.Core.Models;
using LlmSize.Core.Models.Architectures;
using LlmSize.Core.Tests.Infrastructure;

namespace LlmSize.Core.Tests.Formats.HfConfig;

/// <summary>
/// Issue 12, build item 2: whole multimodal checkpoints — language model + vision tower + projector, each a component
/// of the breakdown, the text-only count beside the total, and the transformers defaults a real config relies on.
/// </summary>
public sealed class HfConfigMultimodalTests
{
    private static string DataFile(string name) =>
        Path.Combine(TestPaths.RepoRoot, "tests", "LlmSize.Core.Tests", "Formats", "HfConfig", "Data", name);

    [Fact]
    public void Gemma3_4b_RealConfig_CountsWholeModel_AndNamesDefaults()
    {
        // google/gemma-3-4b-it's own config.json (Data/). Published total 4,300,079,472: sum(p.numel()) of
        // Gemma3ForConditionalGeneration for google/gemma-3-4b-it (asserted in public code) and the keras-hub
        // medgemma_4b preset "params" (same architecture). By hand: text 262208 x 2560 (tied) + 34 x 94,382,592 +
        // 2,560 = 3,880,263,168; SigLIP patch 1152 x 3 x 14 x 14 + 1,152, positions 4096 x 1152, 27 x 15,239,504,
        // post LayerNorm 2,304 = 416,866,032 (no pooling head: vision_use_head false); projector 1152 x 2560 + 1,152.
        ModelArchitecture a = HfConfigReader.Read(DataFile("gemma-3-4b-it.config.json"));
        ParameterBreakdown b = ParameterCalculator.Count(a);

        Assert.Equal(4_300_079_472, b.Total);
        Assert.Equal(3_880_263_168, b.TextOnly);
        Assert.Equal(416_866_032, b.VisionTower);
        Assert.Equal(2_950_272, b.Projector);
        Assert.Equal(b.Total, b.ActivePerToken);
        Assert.Equal(8, a.AttentionHeadCount);
        Assert.Equal(4, a.KeyValueHeadCount);
        Assert.Equal(256, a.HeadDim);
        Assert.Equal(262_208, a.VocabSize);
        Assert.Contains("text_config.num_attention_heads = 8 (Gemma3TextConfig default)", a.DefaultsUsed);
        Assert.Contains("text_config.num_key_value_heads = 4 (Gemma3TextConfig default)", a.DefaultsUsed);
        Assert.Contains("text_config.head_dim = 256 (Gemma3TextConfig default)", a.DefaultsUsed);
        Assert.Contains("text_config.vocab_size = 262208 (Gemma3TextConfig default)", a.DefaultsUsed);
        // 1024-token window on 5 of every 6 layers.
        Assert.Equal(1024, a.SlidingWindow);
        Assert.Equal(29, a.SlidingWindowLayers!.Count(w => w));
    }

    [Fact]
    public void Gemma3_Report_StatesPartsAndDefaults()
    {
        var report = ModelSizeReport.Create(ModelLoader.Load(DataFile("gemma-3-4b-it.config.json")));

        Assert.Equal(4_300_079_472, report.Parameters);
        Assert.Contains(report.Notes, n => n.StartsWith("multimodal: language model 3,880,263,168", StringComparison.Ordinal));
        Assert.Contains(report.Notes, n => n.StartsWith("config defaults used:", StringComparison.Ordinal) && n.Contains("num_key_value_heads = 4", StringComparison.Ordinal));
    }

    /// <summary>A multimodal config written in code and its published totals.</summary>
    /// <param name="Name">Model name.</param>
    /// <param name="Json">config.json text.</param>
    /// <param name="Parameters">Published total.</param>
    /// <param name="TextOnly">Language-model parameters.</param>
    public sealed record Case(string Name, string Json, long Parameters, long TextOnly)
    {
        /// <inheritdoc />
        public override string ToString() => Name;
    }

    public static TheoryData<Case> Cases() => new()
    {
        // llava-hf/llava-1.5-7b-hf, its config.json (text_config leaves hidden size, layers, heads to LlamaConfig):
        // sum(p.numel()) of LlavaForConditionalGeneration 7,063,427,072 (public snippets and an asserting test). By
        // hand: Llama-2-7B with 32064 rows 6,738,939,904; CLIP ViT-L/14-336 class 1,024 + patch 602,112 + positions
        // 577 x 1024 + pre/post LayerNorms 4,096 + 24 x 12,596,224 = 303,507,456; projector 1024 x 4096 + 4,096 +
        // 4096^2 + 4,096 = 20,979,712.
        new Case("llava-1.5-7b-hf", """
            {"architectures":["LlavaForConditionalGeneration"],"ignore_index":-100,"image_token_index":32000,
             "model_type":"llava","pad_token_id":32001,"projector_hidden_act":"gelu",
             "text_config":{"_name_or_path":"lmsys/vicuna-7b-v1.5","architectures":["LlamaForCausalLM"],
               "max_position_embeddings":4096,"model_type":"llama","rms_norm_eps":1e-05,"torch_dtype":"float16",
               "vocab_size":32064},
             "tie_word_embeddings":false,"torch_dtype":"float16","transformers_version":"4.36.0.dev0",
             "vision_config":{"hidden_size":1024,"image_size":336,"intermediate_size":4096,
               "model_type":"clip_vision_model","num_attention_heads":16,"num_hidden_layers":24,"patch_size":14,
               "projection_dim":768,"vocab_size":32000},
             "vision_feature_layer":-2,"vision_feature_select_strategy":"default","vocab_size":32064}
            """, 7_063_427_072, 6_738_939_904),
        // llava-hf/llava-v1.6-mistral-7b-hf: by hand 7,566,747,648 (HF page "7.57B"): Mistral-7B with 32064 rows
        // 7,242,256,384 + the same CLIP tower and projector + image_newline 4,096.
        new Case("llava-v1.6-mistral-7b-hf", """
            {"architectures":["LlavaNextForConditionalGeneration"],"model_type":"llava_next",
             "text_config":{"architectures":["MistralForCausalLM"],"intermediate_size":14336,
               "max_position_embeddings":32768,"model_type":"mistral","num_key_value_heads":8,"rms_norm_eps":1e-05,
               "rope_theta":1000000.0,"sliding_window":null,"vocab_size":32064},
             "vision_config":{"hidden_size":1024,"image_size":336,"intermediate_size":4096,
               "model_type":"clip_vision_model","num_attention_heads":16,"num_hidden_layers":24,"patch_size":14,
               "projection_dim":768,"vocab_size":32000},
             "vision_feature_layer":-2,"vocab_size":32064}
            """, 7_566_747_648, 7_242_256_384),
        // Qwen/Qwen2-VL-7B-Instruct: HF safetensors BF16 count 8,291,375,616 (public table of Hub counts). Text keys at
        // the top level = Qwen2.5-7B's 7,615,616,512; vision patch 1280 x 3 x 2 x 14 x 14 + 32 x 19,677,440 + merger
        // LayerNorm 2,560 + 5120^2 + 5,120 + 5120 x 3584 + 3,584 = 675,759,104.
        new Case("Qwen2-VL-7B-Instruct", """
            {"architectures":["Qwen2VLForConditionalGeneration"],"hidden_size":3584,"intermediate_size":18944,
             "max_position_embeddings":32768,"max_window_layers":28,"model_type":"qwen2_vl","num_attention_heads":28,
             "num_hidden_layers":28,"num_key_value_heads":4,"sliding_window":32768,"tie_word_embeddings":false,
             "use_sliding_window":false,
             "vision_config":{"depth":32,"embed_dim":1280,"mlp_ratio":4,"num_heads":16,"in_chans":3,"hidden_size":3584,
               "patch_size":14,"spatial_merge_size":2,"spatial_patch_size":14,"temporal_patch_size":2},
             "vocab_size":152064}
            """, 8_291_375_616, 7_615_616_512),
        // Qwen/Qwen2-VL-2B-Instruct: HF safetensors BF16 count 2,208,985,600 (same table); tied Qwen2-1.5B text
        // 1,543,714,304, merger to 1536.
        new Case("Qwen2-VL-2B-Instruct", """
            {"architectures":["Qwen2VLForConditionalGeneration"],"hidden_size":1536,"intermediate_size":8960,
             "max_position_embeddings":32768,"model_type":"qwen2_vl","num_attention_heads":12,"num_hidden_layers":28,
             "num_key_value_heads":2,"tie_word_embeddings":true,"use_sliding_window":false,
             "vision_config":{"depth":32,"embed_dim":1280,"mlp_ratio":4,"num_heads":16,"in_chans":3,"hidden_size":1536,
               "patch_size":14,"spatial_merge_size":2,"spatial_patch_size":14,"temporal_patch_size":2},
             "vocab_size":151936}
            """, 2_208_985_600, 1_543_714_304),
        // Qwen/Qwen2.5-VL-7B-Instruct: sum(p.numel()) 8,292,166,656 with visual 676,550,144 and language model
        // 7,615,616,512 (a public fine-tuning notebook's printout; Hub numParameters the same). Vision blocks use
        // RMSNorm and a gated MLP of 3420 with biases.
        new Case("Qwen2.5-VL-7B-Instruct", """
            {"architectures":["Qwen2_5_VLForConditionalGeneration"],"hidden_size":3584,"intermediate_size":18944,
             "max_position_embeddings":128000,"max_window_layers":28,"model_type":"qwen2_5_vl","num_attention_heads":28,
             "num_hidden_layers":28,"num_key_value_heads":4,"tie_word_embeddings":false,"use_sliding_window":false,
             "vision_config":{"depth":32,"hidden_act":"silu","hidden_size":1280,"intermediate_size":3420,"num_heads":16,
               "in_chans":3,"out_hidden_size":3584,"patch_size":14,"spatial_merge_size":2,"spatial_patch_size":14,
               "window_size":112,"fullatt_block_indexes":[7,15,23,31],"tokens_per_second":2,"temporal_patch_size":2},
             "vocab_size":152064}
            """, 8_292_166_656, 7_615_616_512),
        // google/paligemma-3b-pt-224: 2,923,466,480 (fp16 parameter count in a public VLM benchmark table). By hand:
        // Gemma-2B layers 1,981,884,416 + 257216 x 2048 (tied) = 2,508,662,784; SigLIP 224px / 14: patch 678,528 +
        // 256 x 1152 + 27 x 15,239,504 + 2,304 = 412,442,352 (no head); projector 1152 x 2048 + 2,048.
        new Case("paligemma-3b-pt-224", """
            {"architectures":["PaliGemmaForConditionalGeneration"],"model_type":"paligemma","projection_dim":2048,
             "text_config":{"hidden_size":2048,"intermediate_size":16384,"model_type":"gemma","num_attention_heads":8,
               "num_hidden_layers":18,"num_image_tokens":256,"num_key_value_heads":1,"torch_dtype":"float32",
               "vocab_size":257216},
             "vision_config":{"hidden_size":1152,"intermediate_size":4304,"model_type":"siglip_vision_model",
               "num_attention_heads":16,"num_hidden_layers":27,"num_image_tokens":256,"patch_size":14,
               "projection_dim":2048,"projector_hidden_act":"gelu_fast","vision_use_head":false}}
            """, 2_923_466_480, 2_508_662_784),
        // microsoft/Phi-3.5-vision-instruct: HF safetensors BF16 count 4,146,621,440 (public table of Hub counts). By
        // hand: Phi-3-mini 3,821,079,552; CLIP ViT-L/14-336 303,507,456; glb_GN + sub_GN 2 x 4,096; projection
        // 4096 x 3072 + 3,072 + 3072^2 + 3,072 = 22,026,240.
        new Case("Phi-3.5-vision-instruct", """
            {"architectures":["Phi3VForCausalLM"],"model_type":"phi3_v","vocab_size":32064,"hidden_size":3072,
             "intermediate_size":8192,"num_hidden_layers":32,"num_attention_heads":32,"num_key_value_heads":32,
             "max_position_embeddings":131072,"tie_word_embeddings":false,
             "embd_layer":{"embedding_cls":"image","hd_transform_order":"sub_glb","projection_cls":"mlp",
               "use_hd_transform":true,"with_learnable_separator":true},
             "img_processor":{"image_dim_out":1024,"model_name":"openai/clip-vit-large-patch14-336",
               "name":"clip_vision_model","num_img_tokens":144}}
            """, 4_146_621_440, 3_821_079_552),
        // HuggingFaceTB/SmolVLM-Instruct (idefics3): by hand 2,246,272,880 (Hub page "2.25B"): SmolLM2-1.7B-shaped
        // text with vocab 49155, untied, 1,812,051,968; SigLIP 384px / 14: 678,528 + 729 x 1152 + 27 x 15,239,504 +
        // 2,304 = 412,987,248; connector 1152 x 3^2 -> 2048 without bias 21,233,664.
        new Case("SmolVLM-Instruct", """
            {"architectures":["Idefics3ForConditionalGeneration"],"model_type":"idefics3","scale_factor":3,
             "text_config":{"model_type":"llama","vocab_size":49155,"hidden_size":2048,"intermediate_size":8192,
               "num_hidden_layers":24,"num_attention_heads":32,"num_key_value_heads":32,"tie_word_embeddings":false},
             "vision_config":{"model_type":"idefics3","hidden_size":1152,"intermediate_size":4304,
               "num_attention_heads":16,"num_hidden_layers":27,"image_size":384,"patch_size":14}}
            """, 2_246_272_880, 1_812_051_968),
        // meta-llama/Llama-3.2-11B-Vision-Instruct (mllama): HF safetensors BF16 count 10,670,220,835 (public table of
        // Hub counts; odd because of the 33 one-element gates). By hand: text 128264 x 4096 embedding + 40 LLaMA-3 8B
        // layers (8 of them cross-attention, + q/k norms 256 and 2 gates each) + norm + lm_head 128256 x 4096 =
        // 9,775,192,080; vision 863,567,379 (32 + 8 global layers, 4 tiles of 560px, 9 aspect-ratio rows); projector
        // 7680 x 4096 + 4,096.
        new Case("Llama-3.2-11B-Vision", """
            {"architectures":["MllamaForConditionalGeneration"],"model_type":"mllama",
             "text_config":{"model_type":"mllama_text_model","vocab_size":128256,"hidden_size":4096,
               "intermediate_size":14336,"num_hidden_layers":40,"num_attention_heads":32,"num_key_value_heads":8,
               "cross_attention_layers":[3,8,13,18,23,28,33,38],"max_position_embeddings":131072,
               "tie_word_embeddings":false},
             "vision_config":{"model_type":"mllama_vision_model","hidden_size":1280,"intermediate_size":5120,
               "num_hidden_layers":32,"num_global_layers":8,"attention_heads":16,"image_size":560,"patch_size":14,
               "max_num_tiles":4,"num_channels":3,"vision_output_dim":7680,
               "supported_aspect_ratios":[[1,1],[1,2],[1,3],[1,4],[2,1],[2,2],[3,1],[4,1]],
               "intermediate_layers_indices":[3,7,15,23,30]}}
            """, 10_670_220_835, 9_775_192_080),
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Count_EqualsPublishedTotal_WithTextOnlyBeside(Case c)
    {
        ModelArchitecture a = HfConfigReader.Parse(c.Json, c.Name + "/config.json");
        ParameterBreakdown b = ParameterCalculator.Count(a);

        Assert.Equal(c.Parameters, b.Total);
        Assert.Equal(c.TextOnly, b.TextOnly);
        Assert.Equal(b.Total - b.TextOnly, b.VisionTower + b.Projector);
        Assert.True(b.VisionTower > 0);
    }

    [Fact]
    public void Llama4Scout_TotalActiveAndParts()
    {
        // meta-llama/Llama-4-Scout-17B-16E-Instruct: HF Hub safetensors total 108,641,793,536 (public tables of Hub
        // counts; card "109B total, 17B active"). By hand: text 2 x 202048 x 5120 + 48 x (attention 62,914,560 + norms
        // 10,240 + router 16 x 5120 + 16 experts x 3 x 5120 x 8192 + shared expert 125,829,120) + 5,120 =
        // 107,769,861,120; vision 850,960,896 (unfold patch 588 x 1408, class, 577 positions, 34 layers, pixel-shuffle
        // adapter 5632 -> 4096 -> 4096); projector 4096 x 5120. Active: top-1 of 16 -> language model 17,172,894,720.
        const string json = """
            {"architectures":["Llama4ForConditionalGeneration"],"model_type":"llama4",
             "text_config":{"model_type":"llama4_text","vocab_size":202048,"hidden_size":5120,"intermediate_size":8192,
               "intermediate_size_mlp":16384,"num_hidden_layers":48,"num_attention_heads":40,"num_key_value_heads":8,
               "head_dim":128,"num_local_experts":16,"num_experts_per_tok":1,"interleave_moe_layer_step":1,
               "use_qk_norm":true,"attention_bias":false,"max_position_embeddings":10485760,"tie_word_embeddings":false},
             "vision_config":{"model_type":"llama4_vision_model","hidden_size":1408,"intermediate_size":5632,
               "num_hidden_layers":34,"num_attention_heads":16,"image_size":336,"patch_size":14,"num_channels":3,
               "pixel_shuffle_ratio":0.5,"projector_input_dim":4096,"projector_output_dim":4096,"vision_output_dim":4096}}
            """;
        ParameterBreakdown b = ParameterCalculator.Count(HfConfigReader.Parse(json, "scout/config.json"));

        Assert.Equal(108_641_793_536, b.Total);
        Assert.Equal(107_769_861_120, b.TextOnly);
        Assert.Equal(850_960_896, b.VisionTower);
        Assert.Equal(20_971_520, b.Projector);
        Assert.Equal(17_172_894_720, b.TextActivePerToken);
    }

    [Fact]
    public void Mllama_SizesMultiplyingPast64Bits_AreInvalidValue()
    {
        // Each value is within its own limit; tiles x patches x width is not.
        const string json = """
            {"model_type":"mllama","text_config":{"vocab_size":10,"hidden_size":8,"intermediate_size":16,
               "num_hidden_layers":2,"num_attention_heads":2},
             "vision_config":{"hidden_size":1048576,"image_size":1048576,"patch_size":1,"max_num_tiles":1048576}}
            """;
        var e = Assert.Throws<ModelFormatException>(() => HfConfigReader.Parse(json, "m/config.json"));

        Assert.Equal(ModelFormatError.InvalidValue, e.Error);
        Assert.Contains("m/config.json", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Llava_TextDefaults_AreListed()
    {
        // llava-1.5's text_config names only the vocabulary and context; LlamaConfig's defaults give the rest.
        const string json = """
            {"model_type":"llava","text_config":{"model_type":"llama","vocab_size":32064,"max_position_embeddings":4096},
             "vision_config":{"hidden_size":1024,"image_size":336,"intermediate_size":4096,"model_type":"clip_vision_model",
               "num_attention_heads":16,"num_hidden_layers":24,"patch_size":14}}
            """;
        ModelArchitecture a = HfConfigReader.Parse(json, "llava/config.json");

        Assert.Contains("text_config.hidden_size = 4096 (LlamaConfig default)", a.DefaultsUsed);
        Assert.Contains("text_config.num_hidden_layers = 32 (LlamaConfig default)", a.DefaultsUsed);
    }

    [Fact]
    public void UnknownVisionTower_IsNotSupported_NamingTheKey()
    {
        const string json = """
            {"model_type":"llava","text_config":{"model_type":"llama"},"vision_config":{"model_type":"pixtral"}}
            """;
        var e = Assert.Throws<NotSupportedException>(() => HfConfigReader.Parse(json, "l/config.json"));

        Assert.Contains("vision_config.model_type", e.Message, StringComparison.Ordinal);
        Assert.Contains("l/config.json", e.Message, StringComparison.Ordinal);
    }
}
