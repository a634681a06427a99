using System.Collections.Immutable;
using LlmSize.Core.Models;
using LlmSize.Core.Precision;

namespace LlmSize.Core.Tests.Models;

public class TensorCounterTests
{
    private static TensorInfo T(string name, TensorDataType type, params long[] shape)
    {
        long n = 1;
        foreach (long d in shape) n *= d;
        return new TensorInfo(name, [.. shape], type, type.GetByteCount(n));
    }

    /// <summary>
    /// The tensor list of the HF GPT-2 checkpoint (openai-community/gpt2 model.safetensors: wte [50257,768], wpe
    /// [1024,768], per block ln_1, attn.bias [1,1,1024,1024] mask, attn.c_attn [768,2304], attn.c_proj [768,768], ln_2,
    /// mlp.c_fc [768,3072], mlp.c_proj [3072,768], then ln_f).
    /// </summary>
    private static List<TensorInfo> Gpt2Checkpoint()
    {
        var list = new List<TensorInfo> { T("wte.weight", TensorDataType.F32, 50257, 768), T("wpe.weight", TensorDataType.F32, 1024, 768) };
        for (int i = 0; i < 12; i++)
        {
            string p = $"h.{i}.";
            list.Add(T(p + "ln_1.weight", TensorDataType.F32, 768));
            list.Add(T(p + "ln_1.bias", TensorDataType.F32, 768));
            list.Add(T(p + "attn.bias", TensorDataType.F32, 1, 1, 1024, 1024));
            list.Add(T(p + "attn.c_attn.weight", TensorDataType.F32, 768, 2304));
            list.Add(T(p + "attn.c_attn.bias", TensorDataType.F32, 2304));
            list.Add(T(p + "attn.c_proj.weight", TensorDataType.F32, 768, 768));
            list.Add(T(p + "attn.c_proj.bias", TensorDataType.F32, 768));
            list.Add(T(p + "ln_2.weight", TensorDataType.F32, 768));
            list.Add(T(p + "ln_2.bias", TensorDataType.F32, 768));
            list.Add(T(p + "mlp.c_fc.weight", TensorDataType.F32, 768, 3072));
            list.Add(T(p + "mlp.c_fc.bias", TensorDataType.F32, 3072));
            list.Add(T(p + "mlp.c_proj.weight", TensorDataType.F32, 3072, 768));
            list.Add(T(p + "mlp.c_proj.bias", TensorDataType.F32, 768));
        }

        list.Add(T("ln_f.weight", TensorDataType.F32, 768));
        list.Add(T("ln_f.bias", TensorDataType.F32, 768));
        return list;
    }

    [Fact]
    public void Gpt2_causal_mask_buffers_are_not_parameters()
    {
        var count = TensorCounter.Count(Gpt2Checkpoint());

        // shared/reference/published-parameter-counts.csv, row gpt2: parameters 124439808,
        // checkpoint_tensor_elements 137022720 (the file also stores 12 × 1024 × 1024 attn.bias masks).
        Assert.Equal(124_439_808, count.Parameters);
        Assert.Equal(137_022_720 - 124_439_808, count.BufferElements);
        Assert.Equal(12 * 1024 * 1024 * 4L, count.BufferBytes);
        Assert.Equal(124_439_808 * 4L, count.ParameterBytes);
        Assert.Equal(32.0, count.BitsPerParameter);
        // wte 50257×768 + wpe 1024×768 = 39,383,808 embedding parameters.
        Assert.Equal(50257L * 768 + 1024 * 768, count.ByComponent[ModelComponent.Embedding]);
        // per block: ln_1, ln_2 (2 × 2 × 768) ; 12 blocks + ln_f (2 × 768).
        Assert.Equal(12 * 4 * 768 + 2 * 768, count.ByComponent[ModelComponent.Norms]);
        // per block: c_attn 768×2304+2304, c_proj 768×768+768.
        Assert.Equal(12L * (768 * 2304 + 2304 + 768 * 768 + 768), count.ByComponent[ModelComponent.Attention]);
        Assert.Equal(12L * (768 * 3072 + 3072 + 3072 * 768 + 768), count.ByComponent[ModelComponent.Mlp]);
        Assert.Equal(0, count.ByComponent[ModelComponent.Other]);
    }

    [Fact]
    public void Rotary_inv_freq_buffers_are_not_parameters()
    {
        // published-parameter-counts.csv, llama-2-7b: the file stores 32 × 64 rotary inv_freq buffers beyond
        // 6,738,415,616 parameters (checkpoint_tensor_elements 6,738,417,664).
        var tensors = Enumerable.Range(0, 32)
            .Select(i => T($"model.layers.{i}.self_attn.rotary_emb.inv_freq", TensorDataType.F32, 64))
            .Append(T("model.embed_tokens.weight", TensorDataType.F16, 32000, 4096))
            .ToList();
        var count = TensorCounter.Count(tensors);
        Assert.Equal(6_738_417_664 - 6_738_415_616, count.BufferElements);
        Assert.Equal(32000L * 4096, count.Parameters);
        Assert.Equal([TensorDataType.F16], count.ByDataType.Select(d => d.DataType));
    }

    [Fact]
    public void Gptq_qweight_counts_logical_weights_and_scales_are_auxiliary()
    {
        // AutoGPTQ layout for a 4096×4096 linear at 4 bits, group size 128:
        // qweight int32 [4096/8, 4096] (8 weights per 32-bit word), qzeros int32 [4096/128, 4096/8],
        // scales fp16 [4096/128, 4096], g_idx int32 [4096].
        var tensors = new[]
        {
            T("model.layers.0.self_attn.q_proj.qweight", TensorDataType.I32, 512, 4096),
            T("model.layers.0.self_attn.q_proj.qzeros", TensorDataType.I32, 32, 512),
            T("model.layers.0.self_attn.q_proj.scales", TensorDataType.F16, 32, 4096),
            T("model.layers.0.self_attn.q_proj.g_idx", TensorDataType.I32, 4096),
        };
        var count = TensorCounter.Count(tensors);
        Assert.Equal(4096L * 4096, count.Parameters);
        Assert.Equal(32 * 512 * 4 + 32 * 4096 * 2 + 4096 * 4, count.AuxiliaryBytes);
        Assert.Equal(512 * 4096 * 4, count.ParameterBytes);
        Assert.Equal(4.0, count.BitsPerParameter);

        var eightBit = TensorCounter.Count(tensors, new TensorCounterOptions { PackedWeightBits = 8 });
        Assert.Equal(512L * 4096 * 4, eightBit.Parameters);
        Assert.Throws<ArgumentException>(() => TensorCounter.Count(tensors, new TensorCounterOptions { PackedWeightBits = 5 }));
    }

    [Fact]
    public void Tensors_sharing_storage_are_counted_once()
    {
        var embed = T("model.embed_tokens.weight", TensorDataType.BF16, 1000, 64) with { FilePath = "/m/model.bin", DataOffset = 64 };
        var head = T("lm_head.weight", TensorDataType.BF16, 1000, 64) with { FilePath = "/m/model.bin", DataOffset = 64 };
        var count = TensorCounter.Count([embed, head]);
        Assert.Equal(64_000, count.Parameters);
        Assert.Equal(1, count.TiedTensorCount);
        Assert.Equal(128_000, count.ParameterBytes);
    }

    [Theory]
    [InlineData("model.layers.3.self_attn.q_proj.weight", ModelComponent.Attention)]
    [InlineData("model.layers.3.mlp.down_proj.weight", ModelComponent.Mlp)]
    [InlineData("model.layers.3.block_sparse_moe.experts.7.w2.weight", ModelComponent.Experts)]
    [InlineData("model.layers.3.block_sparse_moe.gate.weight", ModelComponent.Experts)]
    [InlineData("model.layers.3.input_layernorm.weight", ModelComponent.Norms)]
    [InlineData("model.layers.3.self_attn.q_norm.weight", ModelComponent.Attention)]
    [InlineData("model.norm.weight", ModelComponent.Norms)]
    [InlineData("lm_head.weight", ModelComponent.OutputHead)]
    [InlineData("blk.0.attn_q.weight", ModelComponent.Attention)]
    [InlineData("blk.0.ffn_down.weight", ModelComponent.Mlp)]
    [InlineData("blk.0.ffn_gate_exps.weight", ModelComponent.Experts)]
    [InlineData("blk.0.attn_norm.weight", ModelComponent.Norms)]
    [InlineData("token_embd.weight", ModelComponent.Embedding)]
    [InlineData("output.weight", ModelComponent.OutputHead)]
    [InlineData("output_norm.weight", ModelComponent.Norms)]
    [InlineData("bert.encoder.layer.0.attention.output.dense.weight", ModelComponent.Attention)]
    [InlineData("bert.encoder.layer.0.output.dense.weight", ModelComponent.Mlp)]
    [InlineData("bert.encoder.layer.0.intermediate.dense.weight", ModelComponent.Mlp)]
    [InlineData("distilbert.transformer.layer.0.attention.q_lin.weight", ModelComponent.Attention)]
    [InlineData("distilbert.transformer.layer.0.ffn.lin1.weight", ModelComponent.Mlp)]
    [InlineData("vocab_projector.bias", ModelComponent.OutputHead)]
    [InlineData("something.unknown", ModelComponent.Other)]
    public void Components_are_classified_by_name(string name, ModelComponent expected) =>
        Assert.Equal(expected, TensorCounter.ClassifyComponent(name));
}
