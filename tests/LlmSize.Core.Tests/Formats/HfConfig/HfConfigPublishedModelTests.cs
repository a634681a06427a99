using LlmSize.Core.Formats.HfConfig;
using LlmSize.Core.Models.Architectures;

namespace LlmSize.Core.Tests.Formats.HfConfig;

/// <summary>
/// Generalisation: configs of models this repository has no file for, written here with the values of each model's
/// published <c>config.json</c> (only the keys the count reads, plus <c>model_type</c>), against a published count.
/// Each expected value names where it is published and is re-derived by hand in the comment beside it.
/// </summary>
public sealed class HfConfigPublishedModelTests
{
    /// <summary>A config written in code and its published parameter count.</summary>
    /// <param name="Name">Model name.</param>
    /// <param name="Json">config.json text (subset of the published file).</param>
    /// <param name="Parameters">Published total.</param>
    public sealed record Case(string Name, string Json, long Parameters)
    {
        /// <inheritdoc />
        public override string ToString() => Name;
    }

    public static TheoryData<Case> Cases() => new()
    {
        // meta-llama/Meta-Llama-3-8B / Llama-3.1-8B: HF API safetensors total 8,030,261,248 (also GGUF
        // general.parameter_count of the Ollama llama3.1 8B build). By hand: embed + lm_head 2 x 128256 x 4096 =
        // 1,050,673,152; per layer q/o 2 x 4096^2 + k/v 2 x 1024 x 4096 = 41,943,040, MLP 3 x 4096 x 14336 =
        // 176,160,768, norms 8,192 -> x 32 = 6,979,584,000; final norm 4,096.
        new Case("Llama-3-8B", """
            {"model_type":"llama","vocab_size":128256,"hidden_size":4096,"intermediate_size":14336,
             "num_hidden_layers":32,"num_attention_heads":32,"num_key_value_heads":8,"max_position_embeddings":8192,
             "tie_word_embeddings":false}
            """, 8_030_261_248),
        // meta-llama/Llama-3.1-70B: HF API safetensors total 70,553,706,496. By hand: 2 x 128256 x 8192 =
        // 2,101,346,304; per layer 2 x 8192^2 + 2 x 1024 x 8192 + 3 x 8192 x 28672 + 2 x 8192 = 855,654,400, x 80 =
        // 68,452,352,000; final 8,192.
        new Case("Llama-3.1-70B", """
            {"model_type":"llama","vocab_size":128256,"hidden_size":8192,"intermediate_size":28672,
             "num_hidden_layers":80,"num_attention_heads":64,"num_key_value_heads":8,"max_position_embeddings":131072,
             "tie_word_embeddings":false}
            """, 70_553_706_496),
        // mistralai/Mistral-7B-v0.3: keras-hub preset mistral_0.3_7b_en params 7,248,023,552 (= HF safetensors total).
        // By hand: v0.1's 7,241,732,096 + 2 x 768 new vocabulary rows x 4096 = + 6,291,456.
        new Case("Mistral-7B-v0.3", """
            {"model_type":"mistral","vocab_size":32768,"hidden_size":4096,"intermediate_size":14336,
             "num_hidden_layers":32,"num_attention_heads":32,"num_key_value_heads":8,"head_dim":128,
             "max_position_embeddings":32768,"sliding_window":null,"tie_word_embeddings":false}
            """, 7_248_023_552),
        // Qwen/Qwen2.5-7B: HF safetensors total 7,615,616,512 (also GGUF general.parameter_count). By hand: embed +
        // lm_head 2 x 152064 x 3584 = 1,089,994,752; per layer q/o 2 x 3584^2 + k/v 2 x 512 x 3584 + q/k/v biases
        // 3584 + 512 + 512 + MLP 3 x 3584 x 18944 + norms 7,168 = 233,057,792, x 28 = 6,525,618,176; final 3,584.
        new Case("Qwen2.5-7B", """
            {"model_type":"qwen2","vocab_size":152064,"hidden_size":3584,"intermediate_size":18944,
             "num_hidden_layers":28,"num_attention_heads":28,"num_key_value_heads":4,"max_position_embeddings":131072,
             "sliding_window":131072,"use_sliding_window":false,"max_window_layers":28,"tie_word_embeddings":false}
            """, 7_615_616_512),
        // Qwen/Qwen2.5-1.5B: HF safetensors total 1,543,714,304 (tied). By hand: 151936 x 1536 = 233,373,696; per layer
        // 2 x 1536^2 + 2 x 256 x 1536 + biases 1536 + 512 + 3 x 1536 x 8960 + 3,072 = 46,797,824, x 28 =
        // 1,310,339,072; final 1,536.
        new Case("Qwen2.5-1.5B", """
            {"model_type":"qwen2","vocab_size":151936,"hidden_size":1536,"intermediate_size":8960,
             "num_hidden_layers":28,"num_attention_heads":12,"num_key_value_heads":2,"max_position_embeddings":131072,
             "tie_word_embeddings":true}
            """, 1_543_714_304),
        // Qwen/Qwen3-0.6B: sum(p.numel() for p in model.parameters()) = 596,049,920 (public snippet loading the Hub
        // checkpoint; also GGUF param_count). By hand: 151936 x 1024 = 155,582,464 (tied); per layer q/o 2 x 2048 x
        // 1024 + k/v 2 x 1024 x 1024 + q_norm/k_norm 2 x 128 + 3 x 1024 x 3072 + 2,048 = 15,730,944, x 28 =
        // 440,466,432; final 1,024. head_dim 128 != 1024 / 16.
        new Case("Qwen3-0.6B", """
            {"model_type":"qwen3","vocab_size":151936,"hidden_size":1024,"intermediate_size":3072,
             "num_hidden_layers":28,"num_attention_heads":16,"num_key_value_heads":8,"head_dim":128,
             "max_position_embeddings":40960,"attention_bias":false,"tie_word_embeddings":true}
            """, 596_049_920),
        // google/gemma-3-1b-it: HF safetensors total 999,885,952 (keras-hub gemma3_1b params, same). By hand: 262144 x
        // 1152 = 301,989,888 (tied); per layer q/o 2 x 1024 x 1152 + k/v 2 x 256 x 1152 + q/k norms 512 + 3 x 1152 x
        // 6912 + 4 norms 4,608 = 26,842,112, x 26 = 697,894,912; final 1,152.
        new Case("gemma-3-1b-it", """
            {"model_type":"gemma3_text","architectures":["Gemma3ForCausalLM"],"vocab_size":262144,"hidden_size":1152,
             "intermediate_size":6912,"num_hidden_layers":26,"num_attention_heads":4,"num_key_value_heads":1,
             "head_dim":256,"max_position_embeddings":32768,"sliding_window":512,"sliding_window_pattern":6}
            """, 999_885_952),
        // google/gemma-2-9b: HF safetensors total 9,241,705,984 (keras-hub gemma2_9b_en, same). By hand: 256000 x 3584
        // = 917,504,000 (tied); per layer q/o 2 x 4096 x 3584 + k/v 2 x 2048 x 3584 + 3 x 3584 x 14336 + 4 x 3584 =
        // 198,195,200, x 42 = 8,324,198,400; final 3,584.
        new Case("gemma-2-9b", """
            {"model_type":"gemma2","vocab_size":256000,"hidden_size":3584,"intermediate_size":14336,
             "num_hidden_layers":42,"num_attention_heads":16,"num_key_value_heads":8,"head_dim":256,
             "max_position_embeddings":8192,"sliding_window":4096}
            """, 9_241_705_984),
        // microsoft/Phi-3-mini-4k-instruct: HF safetensors total 3,821,079,552 (keras-hub phi3_mini_4k_instruct_en,
        // same). By hand: 2 x 32064 x 3072 = 197,001,216; per layer qkv_proj 9216 x 3072 + o 3072^2 + gate_up_proj
        // 16384 x 3072 + down 3072 x 8192 + 2 x 3072 = 113,252,352, x 32 = 3,624,075,264; final 3,072.
        new Case("Phi-3-mini-4k", """
            {"model_type":"phi3","vocab_size":32064,"hidden_size":3072,"intermediate_size":8192,
             "num_hidden_layers":32,"num_attention_heads":32,"num_key_value_heads":32,"max_position_embeddings":4096,
             "sliding_window":2047,"tie_word_embeddings":false}
            """, 3_821_079_552),
        // microsoft/phi-2 in the newer transformers format (model_type phi): same weights as the phi-msft fixture,
        // CSV published-parameter-counts.csv row phi-2 = 2,779,683,840.
        new Case("phi-2 (model_type phi)", """
            {"model_type":"phi","vocab_size":51200,"hidden_size":2560,"intermediate_size":10240,
             "num_hidden_layers":32,"num_attention_heads":32,"num_key_value_heads":32,"max_position_embeddings":2048,
             "partial_rotary_factor":0.4,"qk_layernorm":false,"tie_word_embeddings":false}
            """, 2_779_683_840),
        // bert-base-uncased as BertModel: 109,482,240 (BertModel.from_pretrained("bert-base-uncased") numel, quoted in
        // public code; Keras TFBertModel summary, same). By hand: embeddings 30522 x 768 + 512 x 768 + 2 x 768 + LN
        // 1,536 = 23,837,184; per layer 4 x (768^2 + 768) + 2 x 1,536 + 768 x 3072 + 3072 + 3072 x 768 + 768 =
        // 7,087,872, x 12 = 85,054,464; pooler 590,592.
        new Case("bert-base-uncased (BertModel)", """
            {"model_type":"bert","architectures":["BertModel"],"vocab_size":30522,"hidden_size":768,
             "num_hidden_layers":12,"num_attention_heads":12,"intermediate_size":3072,"max_position_embeddings":512,
             "type_vocab_size":2}
            """, 109_482_240),
        // bert-base-uncased as its config.json names it (BertForMaskedLM): AutoModelForMaskedLM.from_pretrained(
        // 'bert-base-uncased') trainable_params 109,514,298 (public snippet). By hand: BertModel 109,482,240 - pooler
        // 590,592 + transform 590,592 + LayerNorm 1,536 + decoder bias 30,522 (decoder weight tied).
        new Case("bert-base-uncased (BertForMaskedLM)", """
            {"model_type":"bert","architectures":["BertForMaskedLM"],"vocab_size":30522,"hidden_size":768,
             "num_hidden_layers":12,"num_attention_heads":12,"intermediate_size":3072,"max_position_embeddings":512,
             "type_vocab_size":2}
            """, 109_514_298),
        // t5-small: keras-hub preset t5_small_multi params 60,506,624 ("60 million parameters"). By hand: shared
        // 32128 x 512 = 16,449,536 (tied lm_head, T5 v1.0); encoder 6 x (4 x 512^2 + 2 x 512 x 2048 + 2 x 512) +
        // rel. bias 32 x 8 + final 512 = 18,881,280; decoder 6 x (8 x 512^2 + 2 x 512 x 2048 + 3 x 512) + 256 + 512 =
        // 25,175,808.
        new Case("t5-small", """
            {"model_type":"t5","architectures":["T5ForConditionalGeneration"],"vocab_size":32128,"d_model":512,
             "d_kv":64,"d_ff":2048,"num_layers":6,"num_heads":8,"relative_attention_num_buckets":32,
             "n_positions":512}
            """, 60_506_624),
        // google/flan-t5-base: 247,577,856 (print_trainable_parameters of the Hub checkpoint in public notebooks;
        // keras-hub t5_1.1_base, same shapes). By hand: shared 24,674,304 + untied lm_head 24,674,304; encoder 12 x
        // (4 x 768^2 + 3 x 768 x 2048 + 2 x 768) + 384 + 768 = 84,954,240; decoder 12 x (8 x 768^2 + 3 x 768 x 2048 +
        // 3 x 768) + 384 + 768 = 113,275,008.
        new Case("flan-t5-base", """
            {"model_type":"t5","architectures":["T5ForConditionalGeneration"],"vocab_size":32128,"d_model":768,
             "d_kv":64,"d_ff":2048,"num_layers":12,"num_decoder_layers":12,"num_heads":12,
             "relative_attention_num_buckets":32,"feed_forward_proj":"gated-gelu","tie_word_embeddings":false}
            """, 247_577_856),
        // gpt2-medium: keras-hub gpt2_medium_en params 354,823,168 (also HF num_parameters in public code). By hand:
        // 50257 x 1024 + 1024 x 1024 = 52,511,744; per layer 12 x 1024^2 + 13 x 1024 (biases 3072 + 1024 + 4096 + 1024,
        // 2 LayerNorms 4,096) = 12,596,224, x 24 = 302,309,376; ln_f 2,048.
        new Case("gpt2-medium", """
            {"model_type":"gpt2","architectures":["GPT2LMHeadModel"],"vocab_size":50257,"n_embd":1024,"n_layer":24,
             "n_head":16,"n_positions":1024,"n_ctx":1024,"n_inner":null}
            """, 354_823_168),
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Count_EqualsPublishedCount(Case c)
    {
        ModelArchitecture a = HfConfigReader.Parse(c.Json, c.Name + "/config.json");

        ParameterBreakdown count = ParameterCalculator.Count(a);

        Assert.Equal(c.Parameters, count.Total);
        Assert.Equal(count.Total, count.ActivePerToken);
    }

    [Fact]
    public void Falcon7b_MultiQueryParallelAttention()
    {
        // tiiuae/falcon-7b config: vocab 65024, hidden 4544, 71 heads, 32 layers, multi_query, parallel_attn, no bias.
        // No published total was found to cite, so the expected value is derived here from modeling_falcon.py shapes:
        // word_embeddings 65024 x 4544 = 295,469,056 (lm_head tied); per layer input_layernorm 2 x 4544 = 9,088,
        // query_key_value 4544 x (4544 + 2 x 64) = 21,229,568, dense 4544^2 = 20,647,936, dense_h_to_4h and
        // dense_4h_to_h 2 x 4544 x 18176 = 165,183,488 -> 207,070,080 x 32 = 6,626,242,560; ln_f 9,088.
        // Total 295,469,056 + 6,626,242,560 + 9,088 = 6,921,720,704.
        const string json = """
            {"model_type":"falcon","architectures":["FalconForCausalLM"],"vocab_size":65024,"hidden_size":4544,
             "num_hidden_layers":32,"num_attention_heads":71,"multi_query":true,"parallel_attn":true,"bias":false,
             "new_decoder_architecture":false,"alibi":false}
            """;
        ModelArchitecture a = HfConfigReader.Parse(json, "falcon-7b/config.json");

        ParameterBreakdown count = ParameterCalculator.Count(a);

        Assert.Equal(1, a.KeyValueHeadCount);
        Assert.Equal(1, a.NormsPerLayer);
        Assert.Equal(295_469_056 + 6_626_242_560 + 9_088, count.Total);
    }

    [Fact]
    public void Falcon_NewDecoderArchitecture_HasTwoNormsPerLayerAndGqa()
    {
        // FalconDecoderLayer: num_ln_in_parallel_attn None + new_decoder_architecture -> 2 (ln_attn, ln_mlp);
        // query_key_value out = (heads + 2 x num_kv_heads) x head_dim. Tiny config, arithmetic:
        // embed 100 x 64 = 6,400; per layer norms 2 x 2 x 64 = 256, qkv 64 x (8 + 2 x 2) x 8 = 6,144, dense 4,096,
        // MLP 2 x 64 x 256 = 32,768 -> 43,264 x 2 = 86,528; ln_f 128. Total 93,056.
        const string json = """
            {"model_type":"falcon","vocab_size":100,"hidden_size":64,"num_hidden_layers":2,"num_attention_heads":8,
             "num_kv_heads":2,"new_decoder_architecture":true,"parallel_attn":true,"bias":false}
            """;
        ModelArchitecture a = HfConfigReader.Parse(json, null);

        Assert.Equal(2, a.KeyValueHeadCount);
        Assert.Equal(2, a.NormsPerLayer);
        Assert.Equal(93_056, ParameterCalculator.Count(a).Total);
    }

    [Fact]
    public void Gemma3_Multimodal_CountsTextAndVision()
    {
        // google/gemma-3-4b-it: text_config (vocab_size absent -> Gemma3TextConfig default 262,208). Language model
        // by hand: 262208 x 2560 = 671,252,480 (tied); per layer q/o 2 x 2048 x 2560 + k/v 2 x 1024 x 2560 + q/k norms
        // 512 + 3 x 2560 x 10240 + 4 x 2560 = 94,382,592, x 34 = 3,209,008,128; final 2,560. = 3,880,263,168.
        // Issue 12: the SigLIP tower and projector are counted too (HfConfigMultimodalTests has the whole 4,300,079,472).
        const string json = """
            {"model_type":"gemma3","architectures":["Gemma3ForConditionalGeneration"],
             "text_config":{"model_type":"gemma3_text","hidden_size":2560,"intermediate_size":10240,
               "num_hidden_layers":34,"num_attention_heads":8,"num_key_value_heads":4,"sliding_window":1024},
             "vision_config":{"model_type":"siglip_vision_model","hidden_size":1152,"image_size":896,"intermediate_size":4304,
               "num_attention_heads":16,"num_hidden_layers":27,"patch_size":14,"vision_use_head":false}}
            """;
        ModelArchitecture a = HfConfigReader.Parse(json, "gemma-3-4b-it/config.json");
        ParameterBreakdown b = ParameterCalculator.Count(a);

        Assert.Equal("gemma3", a.Family);
        Assert.Equal(262_208, a.VocabSize);
        Assert.Equal(3_880_263_168, b.TextOnly);
        Assert.Equal(4_300_079_472, b.Total);
    }

    [Fact]
    public void Gemma3_SlidingLayers_FollowPattern()
    {
        // Gemma3DecoderLayer: is_sliding = (layer_idx + 1) % 6 != 0 -> layers 5, 11, ... are global.
        const string json = """
            {"model_type":"gemma3_text","vocab_size":10,"hidden_size":8,"intermediate_size":16,"num_hidden_layers":12,
             "num_attention_heads":2,"num_key_value_heads":1,"head_dim":4,"sliding_window":512}
            """;
        ModelArchitecture a = HfConfigReader.Parse(json, null);

        Assert.Equal(512, a.SlidingWindow);
        Assert.False(a.SlidingWindowLayers![5]);
        Assert.False(a.SlidingWindowLayers[11]);
        Assert.Equal(10, a.SlidingWindowLayers.Count(s => s));
    }
}
