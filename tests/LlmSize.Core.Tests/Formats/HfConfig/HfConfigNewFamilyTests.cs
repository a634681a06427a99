using LlmSize.Core.Formats.HfConfig;
using LlmSize.Core.Models.Architectures;
using LlmSize.Core.Tests.Infrastructure;

namespace LlmSize.Core.Tests.Formats.HfConfig;

/// <summary>
/// Issue 12, build item 1: families beyond the LLaMA block, counted from config alone against published totals.
/// Each config holds the published file's values for the keys the count reads (plus <c>model_type</c>); each expected
/// value names where it is published and is re-derived by hand in the comment beside it.
/// </summary>
public sealed class HfConfigNewFamilyTests
{
    /// <summary>A config written in code, its published total and (MoE) parameters active per token.</summary>
    /// <param name="Name">Model name.</param>
    /// <param name="Json">config.json text (subset of the published file).</param>
    /// <param name="Parameters">Published total.</param>
    /// <param name="Active">Active per token (null = dense: equal to the total).</param>
    public sealed record Case(string Name, string Json, long Parameters, long? Active = null)
    {
        /// <inheritdoc />
        public override string ToString() => Name;
    }

    public static TheoryData<Case> Cases() => new()
    {
        // Qwen/Qwen1.5-MoE-A2.7B: keras-hub preset qwen1.5_moe_2.7b_en params 14,315,784,192. By hand: embed + lm_head
        // 2 x 151936 x 2048 = 622,329,856; per layer attention 4 x 2048^2 + q/k/v biases 6,144, router 60 x 2048,
        // 60 experts x 3 x 2048 x 1408 = 519,045,120, shared expert 3 x 2048 x 5632 = 34,603,008, shared gate 2,048,
        // norms 4,096 = 570,560,512, x 24; final 2,048. Active: 4 of 60 experts -> 2,689,173,504 (card: "A2.7B").
        new Case("Qwen1.5-MoE-A2.7B", """
            {"model_type":"qwen2_moe","vocab_size":151936,"hidden_size":2048,"intermediate_size":5632,
             "num_hidden_layers":24,"num_attention_heads":16,"num_key_value_heads":16,"moe_intermediate_size":1408,
             "shared_expert_intermediate_size":5632,"num_experts":60,"num_experts_per_tok":4,"decoder_sparse_step":1,
             "mlp_only_layers":[],"max_position_embeddings":8192,"tie_word_embeddings":false}
            """, 14_315_784_192, 2_689_173_504),
        // Qwen/Qwen3-30B-A3B: llama.cpp n_params (llama-bench model_n_params / GGUF general.parameter_count of the
        // qwen3moe 30B.A3B builds) 30,532,122,624. By hand: 2 x 151936 x 2048 = 622,329,856; per layer q/o 2 x 4096 x
        // 2048 + k/v 2 x 512 x 2048 + q/k norms 256 + router 128 x 2048 + 128 x 3 x 2048 x 768 + norms 4,096 =
        // 623,120,640, x 48; final 2,048. Active: 8 of 128 experts -> 3,353,032,704 (card: "3.3B activated").
        new Case("Qwen3-30B-A3B", """
            {"model_type":"qwen3_moe","vocab_size":151936,"hidden_size":2048,"intermediate_size":6144,
             "num_hidden_layers":48,"num_attention_heads":32,"num_key_value_heads":4,"head_dim":128,
             "moe_intermediate_size":768,"num_experts":128,"num_experts_per_tok":8,"decoder_sparse_step":1,
             "mlp_only_layers":[],"max_position_embeddings":40960,"tie_word_embeddings":false}
            """, 30_532_122_624, 3_353_032_704),
        // deepseek-ai/DeepSeek-V2-Lite: HF safetensors total 15,706,484,224. By hand: 2 x 102400 x 2048 = 419,430,400;
        // per layer MLA q_proj 16 x 192 x 2048 + kv_a 576 x 2048 + kv_a norm 512 + kv_b 16 x 256 x 512 + o 2048^2 =
        // 13,763,072 + norms 4,096, x 27; layer 0 dense 3 x 2048 x 10944 = 67,239,936; 26 MoE layers of router
        // 64 x 2048 + 64 x 3 x 2048 x 1408 + shared 3 x 2048 x 2816 = 571,080,704; final 2,048. Active: 6 of 64 ->
        // 2,661,150,208 (card: "2.4B activated", without the 210M input embedding).
        new Case("DeepSeek-V2-Lite", """
            {"model_type":"deepseek_v2","vocab_size":102400,"hidden_size":2048,"intermediate_size":10944,
             "moe_intermediate_size":1408,"num_hidden_layers":27,"num_attention_heads":16,"num_key_value_heads":16,
             "n_shared_experts":2,"n_routed_experts":64,"num_experts_per_tok":6,"first_k_dense_replace":1,
             "moe_layer_freq":1,"q_lora_rank":null,"kv_lora_rank":512,"qk_rope_head_dim":64,"qk_nope_head_dim":128,
             "v_head_dim":128,"topk_method":"greedy","max_position_embeddings":163840,"tie_word_embeddings":false}
            """, 15_706_484_224, 2_661_150_208),
        // allenai/OLMo-2-1124-7B: HF safetensors total 7,298,617,344. By hand: 2 x 100352 x 4096 = 822,083,584; per
        // layer 4 x 4096^2 + q_norm/k_norm 2 x 4096 + 3 x 4096 x 11008 + 2 norms 8,192 = 202,391,552, x 32; final 4,096.
        new Case("OLMo-2-1124-7B", """
            {"model_type":"olmo2","vocab_size":100352,"hidden_size":4096,"intermediate_size":11008,
             "num_hidden_layers":32,"num_attention_heads":32,"num_key_value_heads":32,"max_position_embeddings":4096,
             "attention_bias":false,"tie_word_embeddings":false}
            """, 7_298_617_344),
        // EleutherAI/gpt-j-6b: GPTJForCausalLM sum of numel 6,050,882,784 (printed by a public LoRA repository's
        // test). The model card's 6,053,381,344 is mesh-transformer-jax's count of its own checkpoint. By hand:
        // 50400 x 4096 = 206,438,400; per layer 4 x 4096^2 + fc_in/fc_out 2 x 4096 x 16384 + biases 20,480 + ln_1
        // 8,192 = 201,355,264, x 28; ln_f 8,192; lm_head 206,438,400 + bias 50,400.
        new Case("GPT-J-6B", """
            {"model_type":"gptj","vocab_size":50400,"n_embd":4096,"n_layer":28,"n_head":16,"n_inner":null,
             "n_positions":2048,"rotary_dim":64,"tie_word_embeddings":false}
            """, 6_050_882_784),
        // EleutherAI/pythia-70m: GPTNeoXForCausalLM numel 70,426,624 (Pythia README table; public
        // "with_embed_size_to_params" list). By hand: 2 x 50304 x 512; per layer qkv 3 x 512^2 + 1,536, dense
        // 512^2 + 512, MLP 2 x 512 x 2048 + 2,560, 2 LayerNorms 2,048 = 3,152,384, x 6; final LayerNorm 1,024.
        new Case("pythia-70m", """
            {"model_type":"gpt_neox","vocab_size":50304,"hidden_size":512,"intermediate_size":2048,
             "num_hidden_layers":6,"num_attention_heads":8,"max_position_embeddings":2048,"use_parallel_residual":true,
             "tie_word_embeddings":false}
            """, 70_426_624),
        // EleutherAI/pythia-1.4b: 1,414,647,808 (same list).
        new Case("pythia-1.4b", """
            {"model_type":"gpt_neox","vocab_size":50304,"hidden_size":2048,"intermediate_size":8192,
             "num_hidden_layers":24,"num_attention_heads":16,"max_position_embeddings":2048,"tie_word_embeddings":false}
            """, 1_414_647_808),
        // EleutherAI/pythia-12b: 11,846,072,320 (same list).
        new Case("pythia-12b", """
            {"model_type":"gpt_neox","vocab_size":50688,"hidden_size":5120,"intermediate_size":20480,
             "num_hidden_layers":36,"num_attention_heads":40,"max_position_embeddings":2048,"tie_word_embeddings":false}
            """, 11_846_072_320),
        // stabilityai/stablelm-2-1_6b: model card table "Parameters 1644515328". By hand: 2 x 100352 x 2048 =
        // 411,041,792; per layer 4 x 2048^2 + q/k/v biases 6,144 + 3 x 2048 x 5632 + 2 LayerNorms 8,192 =
        // 51,394,560, x 24; final LayerNorm 4,096.
        new Case("stablelm-2-1_6b", """
            {"model_type":"stablelm","vocab_size":100352,"hidden_size":2048,"intermediate_size":5632,
             "num_hidden_layers":24,"num_attention_heads":32,"num_key_value_heads":32,"use_qkv_bias":true,
             "qk_layernorm":false,"use_parallel_residual":false,"max_position_embeddings":4096,
             "tie_word_embeddings":false}
            """, 1_644_515_328),
        // ibm-granite/granite-3.1-2b-instruct (granite-3.0-2b has the same shapes): HF safetensors total
        // 2,533,531,648. By hand: 49155 x 2048 = 100,669,440 (tied); per layer q/o 2 x 2048^2 + k/v 2 x 512 x 2048 +
        // 3 x 2048 x 8192 + 4,096 = 60,821,504, x 40; final 2,048.
        new Case("granite-3.1-2b", """
            {"model_type":"granite","vocab_size":49155,"hidden_size":2048,"intermediate_size":8192,
             "num_hidden_layers":40,"num_attention_heads":32,"num_key_value_heads":8,"attention_bias":false,
             "mlp_bias":false,"max_position_embeddings":131072,"tie_word_embeddings":true}
            """, 2_533_531_648),
        // ibm-granite/granite-3.0-1b-a400m-base: sum(p.numel()) 1,334,628,352 (asserted in a public test). By hand:
        // 49155 x 1024 = 50,334,720 (tied); per layer q/o 2 x 1024^2 + k/v 2 x 512 x 1024 + router 32 x 1024 +
        // 32 experts x 3 x 1024 x 512 + 2,048 = 53,512,192, x 24; final 1,024. Active: 8 of 32 experts.
        new Case("granite-3.0-1b-a400m", """
            {"model_type":"granitemoe","vocab_size":49155,"hidden_size":1024,"intermediate_size":512,
             "num_hidden_layers":24,"num_attention_heads":16,"num_key_value_heads":8,"num_local_experts":32,
             "num_experts_per_tok":8,"max_position_embeddings":4096,"tie_word_embeddings":true}
            """, 1_334_628_352, 1_334_628_352 - 24L * 24 * 3 * 1024 * 512),
        // CohereForAI/aya-expanse-8b (model_type cohere): HF safetensors BF16 count 8,028,033,024. By hand:
        // 256000 x 4096 = 1,048,576,000 (tied); per layer q/o 2 x 4096^2 + k/v 2 x 1024 x 4096 + 3 x 4096 x 14336 +
        // one weight-only LayerNorm 4,096 = 218,107,904, x 32; final 4,096.
        new Case("aya-expanse-8b", """
            {"model_type":"cohere","vocab_size":256000,"hidden_size":4096,"intermediate_size":14336,
             "num_hidden_layers":32,"num_attention_heads":32,"num_key_value_heads":8,"use_qk_norm":false,
             "max_position_embeddings":8192}
            """, 8_028_033_024),
        // internlm/internlm2_5-7b-chat: HF safetensors BF16 count 7,737,708,544. By hand: 2 x 92544 x 4096 =
        // 758,120,448; per layer wqkv (4096 + 2 x 1024) x 4096 + wo 4096^2 + 3 x 4096 x 14336 + 8,192 = 218,112,000,
        // x 32; final 4,096.
        new Case("internlm2_5-7b", """
            {"model_type":"internlm2","vocab_size":92544,"hidden_size":4096,"intermediate_size":14336,
             "num_hidden_layers":32,"num_attention_heads":32,"num_key_value_heads":8,"bias":false,
             "max_position_embeddings":32768,"tie_word_embeddings":false}
            """, 7_737_708_544),
        // internlm/internlm2_5-1_8b-chat: HF safetensors BF16 count 1,889,110,016 (same list).
        new Case("internlm2_5-1_8b", """
            {"model_type":"internlm2","vocab_size":92544,"hidden_size":2048,"intermediate_size":8192,
             "num_hidden_layers":24,"num_attention_heads":16,"num_key_value_heads":8,"bias":false,
             "tie_word_embeddings":false}
            """, 1_889_110_016),
        // facebook/opt-125m: 125,239,296 (OPTForCausalLM numel). By hand: 50272 x 768 (tied) + positions (2048 + 2) x
        // 768; per layer 4 x (768^2 + 768) + fc1/fc2 2 x 768 x 3072 + 3,840 + 2 LayerNorms 3,072 = 7,087,872, x 12;
        // final LayerNorm 1,536.
        new Case("opt-125m", """
            {"model_type":"opt","vocab_size":50272,"hidden_size":768,"ffn_dim":3072,"num_hidden_layers":12,
             "num_attention_heads":12,"max_position_embeddings":2048,"word_embed_proj_dim":768,
             "do_layer_norm_before":true,"enable_bias":true}
            """, 125_239_296),
        // facebook/opt-350m: 331,196,416 (n_elements of OPT-350M in a public benchmark script). By hand: 50272 x 512
        // (tied) + project_in/out 2 x 1024 x 512 + positions 2050 x 1024; per layer 12,596,224, x 24; no final
        // LayerNorm (do_layer_norm_before false).
        new Case("opt-350m", """
            {"model_type":"opt","vocab_size":50272,"hidden_size":1024,"ffn_dim":4096,"num_hidden_layers":24,
             "num_attention_heads":16,"max_position_embeddings":2048,"word_embed_proj_dim":512,
             "do_layer_norm_before":false}
            """, 331_196_416),
        // bigscience/bloom-560m: keras-hub preset bloom_560m_multi params 559,214,592 (HF safetensors F16 count, same).
        // By hand: 250880 x 1024 + embedding LayerNorm 2,048; per layer qkv 3 x 1024^2 + 3,072, dense 1024^2 + 1,024,
        // MLP 2 x 4 x 1024^2 + 5,120, 2 LayerNorms 4,096 = 12,596,224, x 24; ln_f 2,048.
        new Case("bloom-560m", """
            {"model_type":"bloom","vocab_size":250880,"hidden_size":1024,"n_layer":24,"n_head":16}
            """, 559_214_592),
        // bigscience/bloom-1b1 and bloom-7b1: 1,065,314,304 and 7,069,016,064 (public list of BLOOM sizes beside
        // 559,214,592 and 176,247,271,424, the model cards' counts).
        new Case("bloom-1b1", """
            {"model_type":"bloom","vocab_size":250880,"n_embed":1536,"n_layer":24,"n_head":16}
            """, 1_065_314_304),
        new Case("bloom-7b1", """
            {"model_type":"bloom","vocab_size":250880,"hidden_size":4096,"n_layer":30,"n_head":32}
            """, 7_069_016_064),
        new Case("bloom (176B)", """
            {"model_type":"bloom","vocab_size":250880,"hidden_size":14336,"n_layer":70,"n_head":112}
            """, 176_247_271_424),
        // deepseek-ai/deepseek-moe-16b-base (model_type deepseek, multi-head attention): HF safetensors total
        // 16,375,728,128 and num_params_active 2,828,650,496 (public benchmark bundles citing the repository). By hand:
        // 2 x 102400 x 2048; per layer 4 x 2048^2 + norms; layer 0 dense 3 x 2048 x 10944; 27 MoE layers of router,
        // 64 experts x 3 x 2048 x 1408 and 2 shared experts; active keeps 6 routed experts.
        new Case("deepseek-moe-16b", """
            {"model_type":"deepseek","vocab_size":102400,"hidden_size":2048,"intermediate_size":10944,
             "moe_intermediate_size":1408,"num_hidden_layers":28,"num_attention_heads":16,"num_key_value_heads":16,
             "n_shared_experts":2,"n_routed_experts":64,"num_experts_per_tok":6,"first_k_dense_replace":1,
             "moe_layer_freq":1,"max_position_embeddings":4096,"tie_word_embeddings":false}
            """, 16_375_728_128, 2_828_650_496),
        // deepseek-ai/DeepSeek-V2 (236B): HF safetensors total 235,741,434,880 (public listing of Hub totals). MLA with
        // q_lora_rank 1536; 160 routed experts (top-6) + 2 shared; layer 0 dense. Active 21,375,800,320 (paper: "21B
        // activated").
        new Case("DeepSeek-V2", """
            {"model_type":"deepseek_v2","vocab_size":102400,"hidden_size":5120,"intermediate_size":12288,
             "moe_intermediate_size":1536,"num_hidden_layers":60,"num_attention_heads":128,"num_key_value_heads":128,
             "n_shared_experts":2,"n_routed_experts":160,"num_experts_per_tok":6,"first_k_dense_replace":1,
             "moe_layer_freq":1,"q_lora_rank":1536,"kv_lora_rank":512,"qk_rope_head_dim":64,"qk_nope_head_dim":128,
             "v_head_dim":128,"topk_method":"group_limited_greedy","tie_word_embeddings":false}
            """, 235_741_434_880, 21_375_800_320),
        // bigcode/starcoderbase-1b and bigcode/starcoder (gpt_bigcode, multi-query): HF totals 1,137,207,296 and
        // 15,517,456,384 (public table of model sizes). By hand (1B): wte 49152 x 2048 + wpe 8192 x 2048; per layer
        // c_attn (2048 + 2 x 128) x 2048 + 2,304, c_proj 2048^2 + 2,048, MLP 2 x 2048 x 8192 + 10,240, LayerNorms
        // 8,192 = 42,490,112, x 24; ln_f 4,096 (lm_head tied).
        new Case("starcoderbase-1b", """
            {"model_type":"gpt_bigcode","vocab_size":49152,"n_embd":2048,"n_layer":24,"n_head":16,"n_inner":8192,
             "n_positions":8192,"multi_query":true}
            """, 1_137_207_296),
        new Case("starcoder (15.5B)", """
            {"model_type":"gpt_bigcode","vocab_size":49152,"n_embd":6144,"n_layer":40,"n_head":48,"n_inner":24576,
             "n_positions":8192,"multi_query":true}
            """, 15_517_456_384),
        // stabilityai/stablelm-3b-4e1t: model card table "Parameters 2,795,443,200". By hand: 2 x 50304 x 2560; per
        // layer 4 x 2560^2 + 3 x 2560 x 6912 + 2 LayerNorms 10,240 = 79,308,800, x 32; final LayerNorm 5,120.
        new Case("stablelm-3b-4e1t", """
            {"model_type":"stablelm","vocab_size":50304,"hidden_size":2560,"intermediate_size":6912,
             "num_hidden_layers":32,"num_attention_heads":32,"num_key_value_heads":32,"use_qkv_bias":false,
             "tie_word_embeddings":false}
            """, 2_795_443_200),
        // mosaicml/mpt-7b: model card "6.7B" (n_parameters); by hand 6,649,286,656: 50432 x 4096 (tied); per layer
        // Wqkv 3 x 4096^2 + out_proj 4096^2 + up/down 2 x 4096 x 16384 + 2 weight-only LayerNorms 8,192 =
        // 201,334,784, x 32; norm_f 4,096.
        new Case("mpt-7b", """
            {"model_type":"mpt","vocab_size":50432,"d_model":4096,"n_layers":32,"n_heads":32,"expansion_ratio":4,
             "max_seq_len":2048,"no_bias":true}
            """, 6_649_286_656),
        // openai/gpt-oss-20b: GGUF general.parameter_count 20,914,757,184 (Ollama / ggml-org builds; HF total the same).
        // By hand: 2 x 201088 x 2880; per layer q 4096 x 2880 + k/v 2 x 512 x 2880 + o 2880 x 4096 + biases 8,000 +
        // sinks 64 = 26,550,144, router 32 x 2880 + 32, 32 experts x (3 x 2880^2 + 3 x 2880) = 796,538,880, norms
        // 5,760, x 24; final 2,880. Active: 4 of 32 experts -> 4,187,440,704 (model card: 3.61B active, which leaves
        // out the 579,133,440 input embedding).
        new Case("gpt-oss-20b", """
            {"model_type":"gpt_oss","vocab_size":201088,"hidden_size":2880,"intermediate_size":2880,
             "num_hidden_layers":24,"num_attention_heads":64,"num_key_value_heads":8,"head_dim":64,
             "num_local_experts":32,"num_experts_per_tok":4,"experts_per_token":4,"sliding_window":128,
             "attention_bias":true,"max_position_embeddings":131072,"tie_word_embeddings":false}
            """, 20_914_757_184, 4_187_440_704),
        // openai/gpt-oss-120b: GGUF general.parameter_count / llama.cpp n-params 116,829,156,672; 128 experts, 36
        // layers. Active 5,711,982,912 (card: 5.13B without the input embedding).
        new Case("gpt-oss-120b", """
            {"model_type":"gpt_oss","vocab_size":201088,"hidden_size":2880,"intermediate_size":2880,
             "num_hidden_layers":36,"num_attention_heads":64,"num_key_value_heads":8,"head_dim":64,
             "num_local_experts":128,"num_experts_per_tok":4,"sliding_window":128,"tie_word_embeddings":false}
            """, 116_829_156_672, 5_711_982_912),
        // answerdotai/ModernBERT-base as its config names it (ModernBertForMaskedLM): checkpoint 149,655,232 (public
        // model tables citing the repository). ModernBertModel alone 149,014,272 (keras-hub modern_bert_base_en
        // params). By hand: 50368 x 768 + embedding norm 768; 22 x (Wqkv 2304 x 768 + Wo 768^2 + Wi 2304 x 768 + Wo
        // 768 x 1152) + 21 attn_norms + 22 mlp_norms (weight only) + final norm; head dense 768^2 (no bias) + norm 768
        // + decoder bias 50,368.
        new Case("ModernBERT-base (ForMaskedLM)", """
            {"architectures":["ModernBertForMaskedLM"],"model_type":"modernbert","vocab_size":50368,"hidden_size":768,
             "intermediate_size":1152,"num_hidden_layers":22,"num_attention_heads":12,"norm_bias":false,
             "attention_bias":false,"mlp_bias":false,"classifier_bias":false,"decoder_bias":true,
             "max_position_embeddings":8192,"global_attn_every_n_layers":3,"local_attention":128}
            """, 149_655_232),
        new Case("ModernBERT-base (ModernBertModel)", """
            {"architectures":["ModernBertModel"],"model_type":"modernbert","vocab_size":50368,"hidden_size":768,
             "intermediate_size":1152,"num_hidden_layers":22,"num_attention_heads":12}
            """, 149_014_272),
    };

    [Fact]
    public void DeepSeekV3_MainModelAndMtpApart()
    {
        // deepseek-ai/DeepSeek-V3 config.json values. Main model 671,026,419,200: llama.cpp "model params = 671.03 B"
        // and a public checkpoint-header audit ("exact main-model parameter count" 671026419200, which keeps the 58
        // routers' e_score_correction_bias). The checkpoint with the MTP layer (model.layers.61): 684,489,845,504 = the
        // HF Hub total of deepseek-ai/DeepSeek-R1, the same architecture ("685B = 671B + 14B MTP", V3 README).
        const string json = """
            {"model_type":"deepseek_v3","vocab_size":129280,"hidden_size":7168,"intermediate_size":18432,
             "moe_intermediate_size":2048,"num_hidden_layers":61,"num_nextn_predict_layers":1,
             "num_attention_heads":128,"num_key_value_heads":128,"n_shared_experts":1,"n_routed_experts":256,
             "num_experts_per_tok":8,"first_k_dense_replace":3,"moe_layer_freq":1,"q_lora_rank":1536,
             "kv_lora_rank":512,"qk_rope_head_dim":64,"qk_nope_head_dim":128,"v_head_dim":128,
             "topk_method":"noaux_tc","max_position_embeddings":163840,"tie_word_embeddings":false}
            """;
        ModelArchitecture a = HfConfigReader.Parse(json, "DeepSeek-V3/config.json");
        ParameterBreakdown b = ParameterCalculator.Count(a);

        Assert.Equal(671_026_419_200, b.Total);
        Assert.Equal(684_489_845_504, b.WithMultiTokenPrediction);
        Assert.Equal(13_463_426_304, b.MultiTokenPrediction); // "14B MTP"
        // Paper: "37B activated for each token"; 8 of 256 routed experts + shared expert + all dense weights (the
        // routers' bias vectors counted as used).
        Assert.Equal(37_552_297_472, b.ActivePerToken);
        Assert.Equal(3, a.MoeLayers!.Count(m => !m));
        Assert.True(a.RouterBias);
    }

    [Fact]
    public void DeepSeekV2Lite_KvCacheIsTheLatent()
    {
        // MLA caches kv_lora_rank 512 + qk_rope_head_dim 64 = 576 elements per token per layer (DeepSeek-V2 §2.1.2),
        // not 2 x 16 heads x 192: 27 layers x 576 x 2 bytes (F16) per token.
        const string json = """
            {"model_type":"deepseek_v2","vocab_size":102400,"hidden_size":2048,"intermediate_size":10944,
             "moe_intermediate_size":1408,"num_hidden_layers":27,"num_attention_heads":16,"num_key_value_heads":16,
             "n_shared_experts":2,"n_routed_experts":64,"num_experts_per_tok":6,"first_k_dense_replace":1,
             "q_lora_rank":null,"kv_lora_rank":512,"qk_rope_head_dim":64,"qk_nope_head_dim":128,"v_head_dim":128}
            """;
        ModelArchitecture a = HfConfigReader.Parse(json, null);
        var kv = LlmSize.Core.Estimation.KvCacheEstimator.Estimate(a, 4096);

        Assert.Equal(27L * 576 * 2 * 4096, kv.Bytes);
        Assert.Equal(192, a.HeadDim);
        Assert.Equal(128, a.ValueHeadDim);
        Assert.Null(a.QueryLoraRank);
    }

    [Fact]
    public void GptOss_AlternateSlidingLayers_KeptByLlamaCpp()
    {
        // GptOssConfig layer_types alternate sliding_attention (128 tokens) and full_attention; llama.cpp's gpt-oss
        // graph uses the interleaved SWA cache, so the window shrinks its cache.
        string types = string.Join(",", Enumerable.Range(0, 24).Select(i => i % 2 == 0 ? "\"sliding_attention\"" : "\"full_attention\""));
        string json = $$"""
            {"model_type":"gpt_oss","vocab_size":201088,"hidden_size":2880,"intermediate_size":2880,
             "num_hidden_layers":24,"num_attention_heads":64,"num_key_value_heads":8,"head_dim":64,
             "num_local_experts":32,"num_experts_per_tok":4,"sliding_window":128,"layer_types":[{{types}}]}
            """;
        ModelArchitecture a = HfConfigReader.Parse(json, null);
        (ModelArchitecture kv, string? note) = LlmSize.Core.Estimation.Runtimes.LlamaCpp.KvCacheView(a);
        var estimate = LlmSize.Core.Estimation.KvCacheEstimator.Estimate(kv, 4096);

        Assert.Null(note);
        Assert.Equal(12, estimate.SlidingWindowLayers);
        // 12 full layers x 4096 + 12 windowed x 128 tokens, x 2 (K,V) x 8 heads x 64 x 2 bytes.
        Assert.Equal((12L * 4096 + 12L * 128) * 2 * 8 * 64 * 2, estimate.Bytes);
    }

    [Fact]
    public void QwenMoe_MlpOnlyLayersAndSparseStep_MakeDenseLayers()
    {
        // decoder_sparse_step 2: layers 1 and 3 are sparse; mlp_only_layers [3] makes 3 dense again -> 1 MoE layer.
        const string json = """
            {"model_type":"qwen3_moe","vocab_size":10,"hidden_size":8,"intermediate_size":16,"num_hidden_layers":4,
             "num_attention_heads":2,"num_key_value_heads":1,"head_dim":4,"moe_intermediate_size":4,"num_experts":4,
             "num_experts_per_tok":2,"decoder_sparse_step":2,"mlp_only_layers":[3]}
            """;
        ModelArchitecture a = HfConfigReader.Parse(json, null);
        ParameterBreakdown b = ParameterCalculator.Count(a);

        Assert.Equal([false, true, false, false], a.MoeLayers!);
        Assert.Equal(3L * 3 * 8 * 16, b.Mlp);
        Assert.Equal(4L * 8 + 4L * 3 * 8 * 4, b.Experts);
    }

    [Fact]
    public void QwenMoe_DefaultSparseStep_IsRecorded()
    {
        const string json = """
            {"model_type":"qwen2_moe","vocab_size":10,"hidden_size":8,"num_hidden_layers":2,"num_attention_heads":2,
             "num_key_value_heads":2,"moe_intermediate_size":4,"shared_expert_intermediate_size":8,"num_experts":4,
             "num_experts_per_tok":2}
            """;
        ModelArchitecture a = HfConfigReader.Parse(json, "q/config.json");

        Assert.Contains(a.DefaultsUsed, d => d.StartsWith("decoder_sparse_step = 1", StringComparison.Ordinal));
    }

    [Fact]
    public void DeepSeekV2_WithoutKvLoraRank_NamesFileAndKey()
    {
        const string json = """
            {"model_type":"deepseek_v2","vocab_size":10,"hidden_size":8,"intermediate_size":16,"moe_intermediate_size":4,
             "num_hidden_layers":2,"num_attention_heads":2,"n_routed_experts":4,"num_experts_per_tok":2,
             "qk_rope_head_dim":2,"qk_nope_head_dim":2,"v_head_dim":2}
            """;
        var e = Assert.Throws<ModelFormatException>(() => HfConfigReader.Parse(json, "ds/config.json"));

        Assert.Equal(ModelFormatError.MissingField, e.Error);
        Assert.Contains("kv_lora_rank", e.Message, StringComparison.Ordinal);
        Assert.Contains("ds/config.json", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void QwenMoe_MlpOnlyLayerOutOfRange_IsInvalidValue()
    {
        const string json = """
            {"model_type":"qwen3_moe","vocab_size":10,"hidden_size":8,"intermediate_size":16,"num_hidden_layers":2,
             "num_attention_heads":2,"num_key_value_heads":1,"head_dim":4,"moe_intermediate_size":4,"num_experts":4,
             "num_experts_per_tok":2,"mlp_only_layers":[7]}
            """;
        var e = Assert.Throws<ModelFormatException>(() => HfConfigReader.Parse(json, "q/config.json"));

        Assert.Equal(ModelFormatError.InvalidValue, e.Error);
        Assert.Contains("mlp_only_layers[0]", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Count_EqualsPublishedTotal(Case c)
    {
        ModelArchitecture a = HfConfigReader.Parse(c.Json, c.Name + "/config.json");
        ParameterBreakdown b = ParameterCalculator.Count(a);

        Assert.Equal(c.Parameters, b.Total);
        Assert.Equal(c.Active ?? c.Parameters, b.ActivePerToken);
        Assert.Equal(b.Total, b.TextOnly);
    }
}
