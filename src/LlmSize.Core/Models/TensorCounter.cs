using System.Collections.Frozen;
using LlmSize.Core.Precision;

namespace LlmSize.Core.Models;

/// <summary>The part of a transformer a weight belongs to.</summary>
public enum ModelComponent
{
    /// <summary>Token, position and token-type embeddings.</summary>
    Embedding,
    /// <summary>Attention projections (q, k, v, o), their biases, q/k norms, relative-position biases.</summary>
    Attention,
    /// <summary>Dense feed-forward (MLP) weights.</summary>
    Mlp,
    /// <summary>Mixture-of-experts weights: routed experts, shared experts and the router.</summary>
    Experts,
    /// <summary>Layer norms / RMS norms (per layer and final).</summary>
    Norms,
    /// <summary>Output head (LM head, classifier, pooler, masked-LM transform).</summary>
    OutputHead,
    /// <summary>Anything not recognised by name.</summary>
    Other,
}

/// <summary>Whether a stored tensor is a trainable parameter.</summary>
public enum TensorRole
{
    /// <summary>A model parameter (weight or bias): counted.</summary>
    Parameter,
    /// <summary>A non-parameter buffer the checkpoint carries (causal masks, rotary <c>inv_freq</c>, <c>position_ids</c>,
    /// BatchNorm running statistics): its bytes count toward the download, not toward parameters.</summary>
    Buffer,
    /// <summary>Quantization bookkeeping (GPTQ/AWQ <c>scales</c>, <c>qzeros</c>, <c>g_idx</c>; bitsandbytes <c>absmax</c>;
    /// FP8 <c>weight_scale</c>): bytes, not parameters.</summary>
    QuantizationAuxiliary,
}

/// <summary>Totals for one dtype.</summary>
/// <param name="DataType">Storage type.</param>
/// <param name="Tensors">Number of tensors of this type (parameters only).</param>
/// <param name="Parameters">Logical parameters stored in this type.</param>
/// <param name="Bytes">Bytes of those tensors.</param>
public sealed record DataTypeTotal(TensorDataType DataType, int Tensors, long Parameters, long Bytes);

/// <summary>How one tensor was counted.</summary>
/// <param name="Tensor">The tensor.</param>
/// <param name="Role">Parameter, buffer or quantization auxiliary.</param>
/// <param name="Component">Component by name.</param>
/// <param name="Parameters">Logical parameters it contributes (0 for buffers, auxiliaries and tied duplicates).</param>
/// <param name="IsTiedDuplicate">True when its storage is another tensor's (counted once).</param>
public sealed record CountedTensor(TensorInfo Tensor, TensorRole Role, ModelComponent Component, long Parameters, bool IsTiedDuplicate);

/// <summary>The result of counting a list of tensors. Parameter counts are exact (elements), bytes exact.</summary>
public sealed class TensorCount
{
    internal TensorCount(IReadOnlyList<CountedTensor> tensors)
    {
        Tensors = tensors;
        var byComponent = new Dictionary<ModelComponent, long>();
        foreach (ModelComponent c in Enum.GetValues<ModelComponent>()) byComponent[c] = 0;
        var byType = new Dictionary<TensorDataType, (int n, long p, long b)>();
        foreach (var t in tensors)
        {
            switch (t.Role)
            {
                case TensorRole.Parameter when !t.IsTiedDuplicate:
                    Parameters = checked(Parameters + t.Parameters);
                    ParameterBytes = checked(ParameterBytes + t.Tensor.ByteLength);
                    byComponent[t.Component] = checked(byComponent[t.Component] + t.Parameters);
                    byType.TryGetValue(t.Tensor.DataType, out var acc);
                    byType[t.Tensor.DataType] = (acc.n + 1, checked(acc.p + t.Parameters), checked(acc.b + t.Tensor.ByteLength));
                    break;
                case TensorRole.Parameter:
                    TiedTensorCount++;
                    break;
                case TensorRole.Buffer:
                    BufferElements = checked(BufferElements + t.Tensor.ElementCount);
                    BufferBytes = checked(BufferBytes + t.Tensor.ByteLength);
                    break;
                case TensorRole.QuantizationAuxiliary:
                    AuxiliaryBytes = checked(AuxiliaryBytes + t.Tensor.ByteLength);
                    break;
            }
        }

        ByComponent = byComponent.ToFrozenDictionary();
        ByDataType = byType.OrderByDescending(kv => kv.Value.b)
            .Select(kv => new DataTypeTotal(kv.Key, kv.Value.n, kv.Value.p, kv.Value.b)).ToArray();
    }

    /// <summary>Every tensor with its role, component and contribution.</summary>
    public IReadOnlyList<CountedTensor> Tensors { get; }

    /// <summary>Total parameters (logical weights), tied/shared storage counted once.</summary>
    public long Parameters { get; }

    /// <summary>Bytes of the parameter tensors (tied duplicates once).</summary>
    public long ParameterBytes { get; }

    /// <summary>Elements of non-parameter buffers (masks, <c>inv_freq</c>) — not parameters.</summary>
    public long BufferElements { get; }

    /// <summary>Bytes of non-parameter buffers.</summary>
    public long BufferBytes { get; }

    /// <summary>Bytes of quantization scales, zero points and indices.</summary>
    public long AuxiliaryBytes { get; }

    /// <summary>Number of tensors whose storage duplicates another's (tied weights), not counted again.</summary>
    public int TiedTensorCount { get; }

    /// <summary>Parameters per component (every component present, 0 when none).</summary>
    public IReadOnlyDictionary<ModelComponent, long> ByComponent { get; }

    /// <summary>Parameter totals per storage dtype, largest first.</summary>
    public IReadOnlyList<DataTypeTotal> ByDataType { get; }

    /// <summary>Average storage bits per parameter over the parameter tensors (0 when there are none).</summary>
    public double BitsPerParameter => Parameters == 0 ? 0 : ParameterBytes * 8.0 / Parameters;
}

/// <summary>Options for <see cref="TensorCounter"/>.</summary>
public sealed class TensorCounterOptions
{
    /// <summary>Bits per packed weight in GPTQ/AWQ <c>qweight</c> tensors (from <c>quantization_config.bits</c>); default 4.</summary>
    public int PackedWeightBits { get; init; } = 4;
}

/// <summary>
/// Counts parameters of a list of tensors: classifies each by name into a <see cref="ModelComponent"/>, separates
/// non-parameter buffers and quantization bookkeeping, counts packed quantized weights as the logical weights they
/// hold, and counts tensors that share storage once.
/// </summary>
/// <remarks>
/// Buffer names follow what transformers registers with <c>register_buffer</c> and saves: GPT-2
/// <c>h.N.attn.bias</c> / <c>attn.masked_bias</c> causal masks (rank 4), rotary <c>inv_freq</c>, BERT
/// <c>embeddings.position_ids</c>, BatchNorm <c>running_mean</c>/<c>running_var</c>/<c>num_batches_tracked</c>.
/// Packed weights: AutoGPTQ / AutoAWQ store <c>qweight</c> as int32 words each holding 32/bits weights.
/// </remarks>
public static class TensorCounter
{
    /// <summary>Counts <paramref name="tensors"/>.</summary>
    /// <param name="tensors">Tensors as declared by a file.</param>
    /// <param name="options">Packed-weight bits; defaults when null.</param>
    /// <returns>The totals.</returns>
    /// <exception cref="OverflowException">A total does not fit in 64 bits (impossible for real files; a hostile
    /// header is rejected by its reader before this).</exception>
    public static TensorCount Count(IEnumerable<TensorInfo> tensors, TensorCounterOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        options ??= new TensorCounterOptions();
        var list = tensors as IReadOnlyList<TensorInfo> ?? tensors.ToArray();
        var names = new HashSet<string>(list.Select(t => t.Name), StringComparer.Ordinal);
        var seenStorage = new HashSet<(string, long, long)>();
        var result = new List<CountedTensor>(list.Count);
        foreach (var t in list)
        {
            var role = t.RoleHint ?? ClassifyRole(t, names);
            var component = t.ComponentHint ?? ClassifyComponent(t.Name);
            long parameters = 0;
            bool tied = false;
            if (role == TensorRole.Parameter)
            {
                parameters = LogicalParameters(t, names, options);
                if (t.AliasOf is not null
                    || (t.FilePath is { } f && t.DataOffset is { } off && t.ByteLength > 0 && !seenStorage.Add((f, off, t.ByteLength))))
                {
                    tied = true;
                }
            }

            result.Add(new CountedTensor(t, role, component, tied ? 0 : parameters, tied));
        }

        return new TensorCount(result);
    }

    /// <summary>Classifies a tensor name into a component (case-insensitive name rules covering HF transformers,
    /// GGUF (llama.cpp <c>blk.N.attn_q</c>), GPT-2 and BERT naming).</summary>
    /// <param name="name">Tensor name.</param>
    /// <returns>The component; <see cref="ModelComponent.Other"/> when no rule matches.</returns>
    public static ModelComponent ClassifyComponent(string name)
    {
        string n = name.ToLowerInvariant();
        if (Has(n, ".experts.", "_exps", "block_sparse_moe.gate.", ".mlp.gate.weight", "ffn_gate_inp", "shared_expert", "_shexp", ".router."))
            return ModelComponent.Experts;
        if (Has(n, "q_norm", "k_norm", "q_layernorm", "k_layernorm", "relative_attention_bias"))
            return ModelComponent.Attention;
        if (Has(n, "norm", "ln_", ".ln1", ".ln2", "ln_f."))
            return ModelComponent.Norms;
        if (Has(n, "embed", "wte.", "wpe.", "token_embd", "position_embd", "token_types", "word_embeddings", "position_embeddings", "token_type_embeddings")
            || n == "shared.weight")
            return ModelComponent.Embedding;
        if (n.StartsWith("lm_head", StringComparison.Ordinal) || n.StartsWith("output.", StringComparison.Ordinal)
            || Has(n, "score.", "classifier", "qa_outputs", "cls.", "vocab_projector", "vocab_transform", "pooler", "embed_out"))
            return ModelComponent.OutputHead;
        if (Has(n, "attn", "attention", "q_proj", "k_proj", "v_proj", "o_proj", "qkv", "q_lin", "k_lin", "v_lin", "out_lin", ".wq.", ".wk.", ".wv.", ".wo."))
            return ModelComponent.Attention;
        if (Has(n, "mlp", "ffn", "feed_forward", "fc1", "fc2", "c_fc", "gate_proj", "up_proj", "down_proj", "intermediate", ".output.dense",
                "densereludense", ".w1.", ".w2.", ".w3.", "dense_h_to_4h", "dense_4h_to_h"))
            return ModelComponent.Mlp;
        return ModelComponent.Other;
    }

    private static TensorRole ClassifyRole(TensorInfo t, HashSet<string> names)
    {
        string n = t.Name;
        if (n.EndsWith("inv_freq", StringComparison.Ordinal) || n.EndsWith("position_ids", StringComparison.Ordinal)
            || n.EndsWith("running_mean", StringComparison.Ordinal) || n.EndsWith("running_var", StringComparison.Ordinal)
            || n.EndsWith("num_batches_tracked", StringComparison.Ordinal) || n.EndsWith("_float_tensor", StringComparison.Ordinal))
            return TensorRole.Buffer;
        // GPT-2 style causal mask buffers: attn.bias / attn.masked_bias of rank 4 ([1, 1, n_ctx, n_ctx]) or a scalar.
        if ((n.EndsWith("attn.bias", StringComparison.Ordinal) && t.Shape.Length == 4)
            || n.EndsWith("attn.masked_bias", StringComparison.Ordinal))
            return TensorRole.Buffer;
        if (n.EndsWith(".qzeros", StringComparison.Ordinal) || n.EndsWith(".g_idx", StringComparison.Ordinal)
            || n.EndsWith(".absmax", StringComparison.Ordinal) || n.EndsWith(".quant_map", StringComparison.Ordinal)
            || n.Contains(".quant_state", StringComparison.Ordinal) || n.EndsWith(".nested_absmax", StringComparison.Ordinal)
            || n.EndsWith(".nested_quant_map", StringComparison.Ordinal) || n.EndsWith(".SCB", StringComparison.Ordinal)
            || n.EndsWith(".weight_format", StringComparison.Ordinal) || n.EndsWith("weight_scale", StringComparison.Ordinal)
            || n.EndsWith("weight_scale_inv", StringComparison.Ordinal) || n.EndsWith("input_scale", StringComparison.Ordinal))
            return TensorRole.QuantizationAuxiliary;
        // GPTQ / AWQ: "<module>.scales" beside "<module>.qweight" is bookkeeping.
        if (n.EndsWith(".scales", StringComparison.Ordinal) && names.Contains(n[..^".scales".Length] + ".qweight"))
            return TensorRole.QuantizationAuxiliary;
        return TensorRole.Parameter;
    }

    private static long LogicalParameters(TensorInfo t, HashSet<string> names, TensorCounterOptions options)
    {
        if (t.LogicalElementCount is { } logical) return logical;
        if (t.Name.EndsWith(".qweight", StringComparison.Ordinal) && t.DataType.Kind is DataTypeKind.SignedInteger or DataTypeKind.UnsignedInteger)
        {
            int storageBits = t.DataType.BlockBytes * 8;
            if (options.PackedWeightBits <= 0 || storageBits % options.PackedWeightBits != 0)
            {
                throw new ArgumentException($"Packed weight bits {options.PackedWeightBits} do not divide the {storageBits}-bit storage of '{t.Name}'.");
            }

            return checked(t.ElementCount * (storageBits / options.PackedWeightBits));
        }

        // bitsandbytes 4-bit (Params4bit): uint8 storage packing two 4-bit weights, with an absmax beside it.
        if (t.DataType == TensorDataType.U8 && names.Contains(t.Name + ".absmax"))
        {
            return checked(t.ElementCount * 2);
        }

        return t.ElementCount;
    }

    private static bool Has(string n, params ReadOnlySpan<string> parts)
    {
        foreach (var p in parts)
        {
            if (n.Contains(p, StringComparison.Ordinal)) return true;
        }

        return false;
    }
}
