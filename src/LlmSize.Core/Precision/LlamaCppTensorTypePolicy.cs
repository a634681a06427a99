namespace LlmSize.Core.Precision;

/// <summary>
/// Chooses the ggml type of each tensor for a llama.cpp file type the way <c>llama-quantize</c> does: which tensors
/// are quantized at all, the per-tensor mixture rules of the _M/_S/_L file types (more bits for <c>attn_v</c> and
/// <c>ffn_down</c> in the first, last and every third layer, Q6_K output head …), and the fallback when a row length
/// is not a multiple of the block size. Stateful: feed tensors in file order, as llama.cpp walks them.
/// </summary>
/// <remarks>
/// Follows ggml-org/llama.cpp <c>src/llama-quant.cpp</c>: <c>tensor_allows_quantization</c>,
/// <c>llama_tensor_get_type_impl</c>, <c>tensor_type_fallback</c> (read, re-implemented; no imatrix, no user overrides).
/// </remarks>
public sealed class LlamaCppTensorTypePolicy
{
    private enum Category { TokenEmbd, AttnQ, AttnV, AttnK, AttnQkv, AttnKvB, AttnOutput, FfnUp, FfnGate, FfnDown, Output, Other }

    private readonly string _arch;
    private readonly LlamaFileType _ftype;
    private readonly TensorDataType _default;
    private readonly int _nGqa;
    private readonly int _nExpert;
    private readonly bool _is70B;
    private readonly bool _hasImatrix;
    private readonly bool _quantizeOutput;
    private readonly bool _tiedEmbeddings;
    private readonly int _nAttentionWv, _nFfnDown, _nFfnGate, _nFfnUp;
    private int _iAttentionWv, _iFfnDown, _iFfnGate, _iFfnUp;

    /// <summary>Creates the policy for one model.</summary>
    /// <param name="architecture">GGUF <c>general.architecture</c> ("llama", "falcon" …).</param>
    /// <param name="fileType">Target file type.</param>
    /// <param name="allTensorNames">Every tensor name of the model (the preliminary pass counts attn_v / ffn_* tensors
    /// and sees whether <c>output.weight</c> exists).</param>
    /// <param name="headCount">Query heads (n_head).</param>
    /// <param name="kvHeadCount">Key/value heads (n_head_kv); n_gqa = n_head / n_head_kv.</param>
    /// <param name="expertCount">MoE experts (0 or 1 for dense).</param>
    /// <param name="is70B">llama.cpp's LLM_TYPE_70B (80-layer LLaMA-2/3 70B): attn_v gets Q5_K instead of Q3_K/Q4_K.</param>
    /// <param name="hasImatrix">Whether an importance matrix is supplied (changes a few choices).</param>
    /// <param name="quantizeOutput">Whether <c>output.weight</c> may be quantized (<c>--leave-output-tensor</c> = false).</param>
    public LlamaCppTensorTypePolicy(string architecture, LlamaFileType fileType, IEnumerable<string> allTensorNames,
        int headCount, int kvHeadCount, int expertCount = 0, bool is70B = false, bool hasImatrix = false, bool quantizeOutput = true)
    {
        ArgumentNullException.ThrowIfNull(allTensorNames);
        _arch = architecture;
        _ftype = fileType;
        _default = LlamaFileTypes.DefaultType(fileType);
        _nGqa = kvHeadCount > 0 ? headCount / kvHeadCount : 1;
        _nExpert = Math.Max(1, expertCount);
        _is70B = is70B;
        _hasImatrix = hasImatrix;
        _quantizeOutput = quantizeOutput;
        _tiedEmbeddings = true;
        foreach (string name in allTensorNames)
        {
            var c = Categorize(name);
            if (c == Category.Output) _tiedEmbeddings = false;
            if (c is Category.AttnV or Category.AttnQkv or Category.AttnKvB) _nAttentionWv++;
            else if (c == Category.FfnDown) _nFfnDown++;
            else if (c == Category.FfnGate) _nFfnGate++;
            else if (c == Category.FfnUp) _nFfnUp++;
        }
    }

    /// <summary>
    /// When true, a tensor whose rows fit neither the chosen type nor any fallback (Q4_0/Q4_1/Q5_0/Q5_1/Q8_0 and other
    /// types without a fallback, e.g. 8-wide rows for Q4_0) throws <see cref="NotSupportedException"/>, as
    /// llama-quantize does ("no tensor type fallback is defined for type q8_0"). When false (default, for size estimates), such a
    /// tensor is assumed to stay F16.
    /// </summary>
    public bool ThrowWhenNoFallback { get; init; }

    /// <summary>The type llama-quantize gives this tensor.</summary>
    /// <param name="name">Tensor name (GGUF naming: <c>blk.3.attn_v.weight</c>).</param>
    /// <param name="ne">Dimensions in ggml order (ne[0] = row length = input features).</param>
    /// <param name="currentType">The tensor's type in the input; kept when the tensor is not quantized.</param>
    /// <returns>The output type.</returns>
    public TensorDataType Choose(string name, ReadOnlySpan<long> ne, TensorDataType currentType)
    {
        if (!AllowsQuantization(name, ne)) return currentType;
        if (_default.Kind != DataTypeKind.BlockQuantized) return _default;
        var category = Categorize(name);
        var type = ChooseImpl(name, ne, category);
        return Fallback(name, ne[0], type);
    }

    private bool AllowsQuantization(string name, ReadOnlySpan<long> ne)
    {
        int nDims = ne.Length;
        while (nDims > 1 && ne[nDims - 1] == 1) nDims--;
        if (nDims < 2) return false;
        if (!name.EndsWith("weight", StringComparison.Ordinal)) return false;
        if (name.Contains("_norm.weight", StringComparison.Ordinal)) return false;
        if (!_quantizeOutput && name == "output.weight") return false;
        string[] never =
        [
            "ffn_gate_inp.weight", "ffn_gate_tid2eid.weight", "altup", "laurel", "per_layer_model_proj", "ssm_conv1d",
            "shortconv.conv.weight", "indexer.k_proj.weight", "indexer.q_proj.weight", "time_mix_", "attn_rel_b.weight",
            ".position_embd", ".rel_pos", ".patch_embd", ".patch_merger",
        ];
        foreach (string n in never)
        {
            if (name.Contains(n, StringComparison.Ordinal)) return false;
        }

        return name != "position_embd.weight" && name != "token_types.weight";
    }

    private static Category Categorize(string name)
    {
        if (name == "output.weight") return Category.Output;
        if (name is "token_embd.weight" or "per_layer_token_embd.weight") return Category.TokenEmbd;
        if (name.Contains("attn_qkv.weight", StringComparison.Ordinal)) return Category.AttnQkv;
        if (name.Contains("attn_kv_b.weight", StringComparison.Ordinal)) return Category.AttnKvB;
        if (name.Contains("attn_v.weight", StringComparison.Ordinal)) return Category.AttnV;
        if (name.Contains("attn_k.weight", StringComparison.Ordinal)) return Category.AttnK;
        if (name.Contains("attn_q.weight", StringComparison.Ordinal)) return Category.AttnQ;
        if (name.Contains("attn_output.weight", StringComparison.Ordinal)) return Category.AttnOutput;
        if (name.Contains("ffn_up", StringComparison.Ordinal)) return Category.FfnUp;
        if (name.Contains("ffn_gate", StringComparison.Ordinal)) return Category.FfnGate;
        if (name.Contains("ffn_down", StringComparison.Ordinal)) return Category.FfnDown;
        return Category.Other;
    }

    private static bool UseMoreBits(int i, int n) => i < n / 8 || i >= 7 * n / 8 || (i - n / 8) % 3 == 2;

    private (int Layer, int Count) LayerInfo(int counter, int count, string name)
    {
        if (_nExpert <= 1) return (counter, count);
        // MoE: expert tensors are not in layer order; llama.cpp parses "blk.N." from the name.
        int layer = -1;
        if (name.StartsWith("blk.", StringComparison.Ordinal))
        {
            int dot = name.IndexOf('.', 4);
            if (dot > 4) int.TryParse(name.AsSpan(4, dot - 4), out layer);
        }

        return (layer < 0 ? counter : layer, count);
    }

    private bool Is(params ReadOnlySpan<LlamaFileType> types)
    {
        foreach (var t in types)
        {
            if (_ftype == t) return true;
        }

        return false;
    }

    private TensorDataType ChooseImpl(string name, ReadOnlySpan<long> ne, Category category)
    {
        var t = _default;
        bool falcon = _arch == "falcon";
        bool attnV = category is Category.AttnV or Category.AttnQkv or Category.AttnKvB;
        if (category == Category.Output || (_tiedEmbeddings && category == Category.TokenEmbd))
        {
            long nx = ne[0];
            if (falcon || nx % t.BlockSize != 0) return TensorDataType.Q8_0;
            if (Is(LlamaFileType.IQ2_XXS, LlamaFileType.IQ2_XS, LlamaFileType.IQ3_XXS, LlamaFileType.IQ1_S,
                    LlamaFileType.IQ2_S, LlamaFileType.IQ2_M, LlamaFileType.IQ1_M))
                return TensorDataType.Q5_K;
            return t == TensorDataType.Q8_0 ? t : TensorDataType.Q6_K;
        }

        if (category == Category.TokenEmbd)
        {
            if (Is(LlamaFileType.IQ2_XXS, LlamaFileType.IQ2_XS, LlamaFileType.IQ1_S, LlamaFileType.IQ1_M)) return TensorDataType.Q2_K;
            if (Is(LlamaFileType.IQ2_S, LlamaFileType.IQ2_M, LlamaFileType.IQ3_XXS)) return TensorDataType.IQ3_S;
            if (Is(LlamaFileType.TQ1_0, LlamaFileType.TQ2_0)) return TensorDataType.Q4_K;
            return t;
        }

        if (Is(LlamaFileType.IQ2_XXS, LlamaFileType.IQ2_XS, LlamaFileType.IQ1_S, LlamaFileType.IQ2_S,
                LlamaFileType.IQ2_M, LlamaFileType.IQ1_M))
        {
            bool s2 = Is(LlamaFileType.IQ2_S, LlamaFileType.IQ2_M);
            if (attnV)
            {
                t = _nGqa >= 4 || _nExpert >= 4 ? TensorDataType.Q4_K : s2 ? TensorDataType.IQ3_S : TensorDataType.Q2_K;
                _iAttentionWv++;
            }
            else if (_nExpert == 8 && category == Category.AttnK) t = TensorDataType.Q4_K;
            else if (category == Category.FfnDown)
            {
                if (_iFfnDown < _nFfnDown / 8) t = s2 ? TensorDataType.IQ3_S : TensorDataType.Q2_K;
                _iFfnDown++;
            }
            else if (category == Category.AttnOutput)
            {
                if (_nExpert == 8) t = TensorDataType.Q5_K;
                else if (Is(LlamaFileType.IQ1_S, LlamaFileType.IQ1_M)) t = TensorDataType.IQ2_XXS;
                else if (s2) t = TensorDataType.IQ3_S;
            }

            return t;
        }

        switch (category)
        {
            case Category.AttnV or Category.AttnQkv or Category.AttnKvB:
                if (_ftype == LlamaFileType.Q2_K) t = _nGqa >= 4 ? TensorDataType.Q4_K : TensorDataType.Q3_K;
                else if (_ftype == LlamaFileType.Q2_K_S && _nGqa >= 4) t = TensorDataType.Q4_K;
                else if (_ftype == LlamaFileType.IQ3_XXS) t = _nGqa >= 4 ? TensorDataType.Q4_K : !_hasImatrix ? TensorDataType.IQ3_S : TensorDataType.IQ3_XXS;
                else if (Is(LlamaFileType.IQ3_XS, LlamaFileType.IQ3_S) && _nGqa >= 4) t = TensorDataType.Q4_K;
                else if (_ftype == LlamaFileType.IQ3_M) t = TensorDataType.Q4_K;
                else if (_ftype == LlamaFileType.Q3_K_M) t = _iAttentionWv < 2 ? TensorDataType.Q5_K : TensorDataType.Q4_K;
                else if (_ftype == LlamaFileType.Q3_K_L) t = TensorDataType.Q5_K;
                else if (Is(LlamaFileType.IQ4_NL, LlamaFileType.IQ4_XS) && _nGqa >= 4) t = TensorDataType.Q5_K;
                else if (Is(LlamaFileType.Q4_K_M, LlamaFileType.Q5_K_M) && UseMoreBits(_iAttentionWv, _nAttentionWv)) t = TensorDataType.Q6_K;
                else if (_ftype == LlamaFileType.Q4_K_S && _iAttentionWv < 4) t = TensorDataType.Q5_K;
                if (_is70B && (t == TensorDataType.Q3_K || t == TensorDataType.Q4_K)) t = TensorDataType.Q5_K;
                if (_nExpert == 8) t = TensorDataType.Q8_0;
                _iAttentionWv++;
                break;
            case Category.AttnK:
                if (_nExpert == 8) t = TensorDataType.Q8_0;
                else if (_ftype == LlamaFileType.IQ3_XS) t = TensorDataType.IQ3_XXS;
                else if (_ftype == LlamaFileType.IQ3_XXS) t = TensorDataType.IQ2_S;
                break;
            case Category.AttnQ:
                if (_ftype == LlamaFileType.IQ3_XS) t = TensorDataType.IQ3_XXS;
                else if (_ftype == LlamaFileType.IQ3_XXS) t = TensorDataType.IQ2_S;
                break;
            case Category.FfnDown:
            {
                var (i, n) = LayerInfo(_iFfnDown, _nFfnDown, name);
                if (_ftype == LlamaFileType.Q2_K) t = TensorDataType.Q3_K;
                else if (_ftype == LlamaFileType.Q2_K_S) { if (i < n / 8) t = TensorDataType.Q4_K; }
                else if (_ftype == LlamaFileType.IQ3_XXS && !_hasImatrix) t = i < n / 8 ? TensorDataType.Q4_K : TensorDataType.Q3_K;
                else if (_ftype == LlamaFileType.Q3_K_M)
                    t = i < n / 16 ? TensorDataType.Q5_K : !falcon || UseMoreBits(i, n) ? TensorDataType.Q4_K : TensorDataType.Q3_K;
                else if (_ftype == LlamaFileType.IQ3_M && (i < n / 8 || (_nExpert == 8 && UseMoreBits(i, n)))) t = TensorDataType.Q4_K;
                else if (_ftype == LlamaFileType.Q3_K_L) t = falcon ? TensorDataType.Q4_K : TensorDataType.Q5_K;
                else if (_ftype == LlamaFileType.Q4_K_M)
                {
                    if (falcon) t = i < n / 16 ? TensorDataType.Q6_K : UseMoreBits(i, n) ? TensorDataType.Q5_K : TensorDataType.Q4_K;
                    else if (UseMoreBits(i, n)) t = TensorDataType.Q6_K;
                }
                else if (i < n / 8 && Is(LlamaFileType.IQ4_NL, LlamaFileType.IQ4_XS) && !_hasImatrix) t = TensorDataType.Q5_K;
                else if (_ftype == LlamaFileType.Q5_K_M && UseMoreBits(i, n)) t = TensorDataType.Q6_K;
                else if (_ftype == LlamaFileType.Q4_K_S && !falcon && i < n / 8) t = TensorDataType.Q5_K;
                else if (Is(LlamaFileType.Q4_0, LlamaFileType.Q5_0) && _hasImatrix && i < n / 8)
                    t = _ftype == LlamaFileType.Q4_0 ? TensorDataType.Q4_1 : TensorDataType.Q5_1;
                _iFfnDown++;
                break;
            }

            case Category.AttnOutput:
                if (!falcon)
                {
                    if (_nExpert == 8)
                    {
                        if (Is(LlamaFileType.Q2_K, LlamaFileType.IQ3_XS, LlamaFileType.IQ3_XXS, LlamaFileType.Q3_K_S,
                                LlamaFileType.Q3_K_M, LlamaFileType.IQ4_NL, LlamaFileType.Q4_K_S, LlamaFileType.Q4_K_M,
                                LlamaFileType.IQ3_S, LlamaFileType.IQ3_M, LlamaFileType.IQ4_XS))
                            t = TensorDataType.Q5_K;
                    }
                    else if (_ftype == LlamaFileType.Q2_K) t = TensorDataType.Q3_K;
                    else if (_ftype == LlamaFileType.IQ3_XXS) t = TensorDataType.IQ3_S;
                    else if (_ftype == LlamaFileType.Q3_K_M) t = TensorDataType.Q4_K;
                    else if (_ftype == LlamaFileType.Q3_K_L) t = TensorDataType.Q5_K;
                    else if (_ftype == LlamaFileType.IQ3_M) t = TensorDataType.Q4_K;
                }
                else if (_ftype == LlamaFileType.Q3_K_L) t = TensorDataType.Q4_K;

                break;
            case Category.FfnGate:
            {
                var (i, n) = LayerInfo(_iFfnGate, _nFfnGate, name);
                if (_ftype == LlamaFileType.IQ3_XS && i >= n / 8 && i < 7 * n / 8) t = TensorDataType.IQ3_XXS;
                _iFfnGate++;
                break;
            }

            case Category.FfnUp:
            {
                var (i, n) = LayerInfo(_iFfnUp, _nFfnUp, name);
                if (_ftype == LlamaFileType.IQ3_XS && i >= n / 8 && i < 7 * n / 8) t = TensorDataType.IQ3_XXS;
                _iFfnUp++;
                break;
            }
        }

        return t;
    }

    private TensorDataType Fallback(string name, long ncols, TensorDataType target)
    {
        if (ncols % target.BlockSize == 0) return target;
        TensorDataType fallback;
        if (target == TensorDataType.IQ1_S || target == TensorDataType.IQ1_M || target == TensorDataType.IQ2_XXS || target == TensorDataType.IQ2_XS
            || target == TensorDataType.IQ2_S || target == TensorDataType.IQ3_XXS || target == TensorDataType.IQ3_S || target == TensorDataType.IQ4_XS)
            fallback = TensorDataType.IQ4_NL;
        else if (target == TensorDataType.Q2_K || target == TensorDataType.Q3_K || target == TensorDataType.TQ1_0 || target == TensorDataType.TQ2_0)
            fallback = TensorDataType.Q4_0;
        else if (target == TensorDataType.Q4_K) fallback = TensorDataType.Q5_0;
        else if (target == TensorDataType.Q5_K) fallback = TensorDataType.Q5_1;
        else if (target == TensorDataType.Q6_K) fallback = TensorDataType.Q8_0;
        else if (ThrowWhenNoFallback)
        {
            throw new NotSupportedException(
                $"Tensor '{name}': rows of {ncols} elements are not a whole number of {target.Name} blocks of {target.BlockSize}, and llama.cpp has no fallback type for {target.Name} (llama-quantize fails: \"no tensor type fallback is defined for type {target.Name.ToLowerInvariant()}\").");
        }
        else fallback = TensorDataType.F16; // llama.cpp throws "no tensor type fallback" here; for size estimates we assume F16
        return ncols % fallback.BlockSize == 0 ? fallback : TensorDataType.F16;
    }
}
