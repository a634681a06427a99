using LlmSize.Core;
using LlmSize.Core.Compression.Lora;
using LlmSize.Core.Formats.Peft;
using LlmSize.Core.Formats.Safetensors;
using LlmSize.Core.Models.Catalog;
using LlmSize.Core.Precision;
using LlmSize.Core.Tests.Infrastructure;

namespace LlmSize.Core.Tests.Compression.Lora;

public class LoraPlannerTests
{
    private static LlmSize.Core.Models.Architectures.ModelArchitecture Catalog(string id) =>
        ModelLoader.FromCatalog(ModelCatalog.Default.Entries.Single(e => e.Id == id)).Architecture!;

    [Fact]
    public void Llama3_8B_QandV_Rank16()
    {
        // Llama-3-8B config: hidden 4096, 32 layers, 8 KV heads × 128 → k/v width 1024.
        // q_proj: 32 × 16 × (4096 + 4096) = 4,194,304; v_proj: 32 × 16 × (4096 + 1024) = 2,621,440; total 6,815,744.
        var plan = LoraPlanner.Plan(Catalog("llama-3-8b"), ["q_proj", "v_proj"], 16);
        Assert.Equal(64, plan.Estimate.Modules.Length);
        Assert.Equal(6_815_744, plan.Estimate.Parameters);
        Assert.Equal(6_815_744 * 4, plan.Estimate.Bytes); // F32, PEFT's default
        var ten = plan.Storage.Single(s => s.AdapterCount == 10);
        Assert.Equal(plan.BaseBytes + 10 * plan.Estimate.Bytes, ten.BasePlusAdaptersBytes);
        Assert.Equal(10 * plan.BaseBytes, ten.FullCopiesBytes);
        Assert.Equal(plan.BaseParameters * 2, plan.BaseBytes); // no files: parameters × 2 bytes (BF16)
    }

    [Fact]
    public void Gpt2_FusedCAttn_MatchesTheRealAdapterFile()
    {
        // GPT-2 c_attn: in 768, out 3 × 768 = 2304; r = 8: 12 × 8 × (768 + 2304) = 294,912 —
        // exactly the lora_A/lora_B elements of the shared PEFT adapter trained on GPT-2.
        var plan = LoraPlanner.Plan(Catalog("gpt2"), ["c_attn"], 8);
        Assert.Equal(294_912, plan.Estimate.Parameters);
        var adapter = PeftAdapterReader.Read(TestPaths.Fixture("peft", "gpt2-lora-seqcls"), p => SafetensorsReader.Read(p).Tensors);
        Assert.Equal(adapter.LoraParameters, plan.Estimate.Parameters);
        Assert.All(plan.Estimate.Modules, m => Assert.Equal((768L, 2304L), (m.InFeatures, m.OutFeatures)));
    }

    [Fact]
    public void AllLinear_CoversAttentionAndGatedMlp()
    {
        // Llama-3.2-1B: hidden 2048, KV 512, FFN 8192, 16 layers, r = 1:
        // per layer q (2048+2048) + k (2048+512) + v (2048+512) + o (2048+2048) + gate/up (2048+8192) × 2 + down (8192+2048)
        // = 4096 + 2560 + 2560 + 4096 + 30720 = 44,032; × 16 = 704,512.
        var plan = LoraPlanner.Plan(Catalog("llama-3.2-1b"), ["all-linear"], 1, TensorDataType.BF16);
        Assert.Equal(704_512, plan.Estimate.Parameters);
        Assert.Equal(704_512 * 2, plan.Estimate.Bytes);
    }

    [Fact]
    public void UnknownOrAbsentTargets_AreArgumentErrors()
    {
        Assert.Throws<InputException>(() => LoraPlanner.Plan(Catalog("gpt2"), ["foo_proj"], 8));
        Assert.Throws<InputException>(() => LoraPlanner.Plan(Catalog("gpt2"), ["gate_proj"], 8)); // GPT-2 has a plain MLP
        Assert.Throws<ArgumentOutOfRangeException>(() => LoraPlanner.Plan(Catalog("gpt2"), ["c_attn"], 0));
    }
    [Fact]
    public void Targets_follow_each_familys_module_names()
    {
        // GPT-2 has no q_proj (its attention is the fused Conv1D c_attn); PEFT would find no target module.
        var ex = Assert.Throws<InputException>(() => LoraPlanner.Plan(Catalog("gpt2"), ["q_proj", "v_proj"], 8));
        Assert.Contains("c_attn", ex.Message, StringComparison.Ordinal);

        // DistilBERT's q_lin/v_lin: 6 layers × 2 × 8 × (768 + 768) = 147,456 — the LoRA part of the shared
        // distilbert-lora-imdb adapter (739,586 = 147,456 + pre_classifier 768 × 768 + 768 + classifier 768 × 2 + 2).
        Assert.Equal(147_456, LoraPlanner.Plan(Catalog("distilbert-base-uncased"), ["q_lin", "v_lin"], 8).Estimate.Parameters);

        // T5's "wo" is the FFN output (DenseReluDense.wo [d_model 512, d_ff 2048]), not an attention output:
        // t5-small has 6 encoder + 6 decoder blocks: 12 × 8 × (2048 + 512) = 245,760.
        Assert.Equal(245_760, LoraPlanner.Plan(Catalog("t5-small"), ["wo"], 8).Estimate.Parameters);
    }

    [Fact]
    public void All_linear_names_modules_as_peft_does()
    {
        // Issue 17 item 6: all-linear listed llama.cpp names (attn_q) where --targets takes PEFT names (q_proj).
        var llama = LoraPlanner.Plan(Catalog("llama-3.2-1b"), ["all-linear"], 1);
        Assert.Equal(["down_proj", "gate_proj", "k_proj", "o_proj", "q_proj", "up_proj", "v_proj"],
            llama.Estimate.Modules.Select(m => m.ModulePath[(m.ModulePath.LastIndexOf('.') + 1)..]).Distinct().Order(StringComparer.Ordinal));

        // GPT-2's all-linear is its Conv1D modules as PEFT adapts them: attn.c_attn [768 -> 2304], attn.c_proj and
        // mlp.c_proj, mlp.c_fc [768 -> 3072]; at r = 8 per layer 8 x ((768+2304) + (768+768) + (3072+768) + (768+3072))
        // = 8 x 12,288 = 98,304; x 12 layers = 1,179,648 (the fused c_attn, not three separate q/k/v matrices).
        var gpt2 = LoraPlanner.Plan(Catalog("gpt2"), ["all-linear"], 8);
        Assert.Equal(1_179_648, gpt2.Estimate.Parameters);
        Assert.Equal(["c_attn", "c_fc", "c_proj"],
            gpt2.Estimate.Modules.Select(m => m.ModulePath[(m.ModulePath.LastIndexOf('.') + 1)..]).Distinct().Order(StringComparer.Ordinal));
    }

    [Fact]
    public void All_linear_includes_the_moe_router()
    {
        // mixtral-8x7b: 32 layers, router gate [8 experts, 4096 hidden] per layer; PEFT's all-linear adapts it too:
        // 32 × r × (4096 + 8) at r = 16 = 2,101,248 parameters on top of the attention and expert matrices.
        var arch = Catalog("mixtral-8x7b-v0.1");
        long withRouter = LoraPlanner.Plan(arch, ["all-linear"], 16).Estimate.Parameters;
        long attention = LoraPlanner.Plan(arch, ["q_proj", "k_proj", "v_proj", "o_proj", "w1", "w2", "w3"], 16).Estimate.Parameters;
        Assert.Equal(32L * 16 * (4096 + 8), withRouter - attention);
    }

    [Fact]
    public void Default_targets_are_peft_defaults()
    {
        // peft/utils/constants.py TRANSFORMERS_MODELS_TO_LORA_TARGET_MODULES_MAPPING.
        Assert.Equal(["c_attn"], LoraPlanner.DefaultTargets(Catalog("gpt2")));
        Assert.Equal(["q_proj", "v_proj"], LoraPlanner.DefaultTargets(Catalog("llama-3.2-1b")));
        Assert.Equal(["q", "v"], LoraPlanner.DefaultTargets(Catalog("t5-small")));
        Assert.Null(LoraPlanner.DefaultTargets(Catalog("distilbert-base-uncased"))); // PEFT has none: targets required
    }
}
