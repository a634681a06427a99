using System.Globalization;
using LlmSize.Core.Models.Architectures;

namespace LlmSize.Core.Precision;

/// <summary>One tensor of a <see cref="LlamaFileTypeEstimate"/>: GGUF name, chosen type, size.</summary>
/// <param name="Name">GGUF tensor name ("blk.0.attn_v.weight").</param>
/// <param name="Type">The type llama.cpp would choose.</param>
/// <param name="RowLength">Elements per row (ggml ne[0]).</param>
/// <param name="Rows">Number of rows (product of the other dimensions).</param>
/// <param name="Bytes">Bytes: rows × (row length / block size) × block bytes.</param>
public sealed record LlamaTensorEstimate(string Name, TensorDataType Type, long RowLength, long Rows, long Bytes)
{
    /// <summary>Elements (parameters) of the tensor.</summary>
    public long Elements => RowLength * Rows;
}

/// <summary>The result of <see cref="LlamaCppFileTypeEstimator.Estimate"/>.</summary>
/// <param name="FileType">The file type estimated.</param>
/// <param name="Tensors">Every tensor with its type and bytes, in GGUF order.</param>
/// <param name="Notes">What was assumed or not modelled.</param>
public sealed record LlamaFileTypeEstimate(LlamaFileType FileType, IReadOnlyList<LlamaTensorEstimate> Tensors, IReadOnlyList<string> Notes)
{
    /// <summary>Parameters in all tensors.</summary>
    public long Parameters => Tensors.Sum(t => t.Elements);

    /// <summary>Tensor data bytes (the file adds its header and tokenizer metadata: about 1 MB).</summary>
    public long Bytes => Tensors.Sum(t => t.Bytes);

    /// <summary>Bytes in GB (10^9 bytes).</summary>
    public double Gigabytes => Bytes / 1e9;

    /// <summary>Bytes in GiB (2^30 bytes).</summary>
    public double Gibibytes => Bytes / (double)(1L << 30);

    /// <summary>Bits per parameter over the whole model.</summary>
    public double BitsPerWeight => Parameters == 0 ? 0 : Bytes * 8.0 / Parameters;

    /// <summary>Parameters stored in each type ("Q4_K" → 5.9e9, "Q6_K" → …).</summary>
    public IReadOnlyDictionary<TensorDataType, long> ParametersByType =>
        Tensors.GroupBy(t => t.Type).ToDictionary(g => g.Key, g => g.Sum(t => t.Elements));
}

/// <summary>
/// Estimates the size of a llama.cpp mixed file type (Q4_K_M, Q5_K_M, Q3_K_M …) by choosing each tensor's type the way
/// <c>llama-quantize</c> does, from the architecture alone.
/// </summary>
/// <remarks>
/// <para>Follows <c>llama_tensor_get_type_impl</c> and <c>tensor_type_fallback</c> in llama.cpp
/// <c>src/llama-quant.cpp</c> (no importance matrix, no manual overrides, not "pure"): 1-D tensors and the MoE router
/// stay F32; the output matrix (or the token embedding when tied) becomes Q6_K (Q8_0 when its rows are not a multiple
/// of the block, or for Q8_0); attn_v and ffn_down get more bits on some layers (<c>use_more_bits</c>: the first and
/// last eighth of the layers and every third layer between); 8-expert MoE models keep attn_k / attn_v at Q8_0; a
/// tensor whose row is not a multiple of its type's block falls back (Q4_K → Q5_0, Q5_K → Q5_1, Q6_K → Q8_0,
/// Q2_K / Q3_K → Q4_0, else F16).</para>
/// <para>Layout assumed: LLaMA-style decoder (separate attn_q / attn_k / attn_v / attn_output, gated MLP ffn_gate /
/// ffn_up / ffn_down or their <c>_exps</c> MoE forms, two norms per block, no biases). Checked against
/// TheBloke/Llama-2-7B-GGUF file sizes (llama.cpp bd33e5a): Q3_K_S … Q8_0 agree to the 0.01 GB the Hub shows.
/// Rules for Q2_K and for K-mixes of MoE models changed since early files, which are smaller than estimated here.</para>
/// </remarks>
public static class LlamaCppFileTypeEstimator
{
    /// <summary>Every supported file type, in id order.</summary>
    public static IReadOnlyList<LlamaFileType> FileTypes { get; } = Enum.GetValues<LlamaFileType>();

    /// <summary>Parses a file type name ("Q4_K_M", "q5_k_s"), case-insensitively.</summary>
    /// <param name="name">The name.</param>
    /// <param name="fileType">The file type when known.</param>
    /// <returns>False for unknown names .</returns>
    public static bool TryParseFileType(string? name, out LlamaFileType fileType)
    {
        fileType = default;
        if (string.IsNullOrWhiteSpace(name) || name.Trim().All(char.IsDigit)) return false;
        return LlamaFileTypes.TryParse(name, out fileType);
    }

    /// <summary>Estimates the tensors and bytes of <paramref name="architecture"/> quantized to <paramref name="fileType"/>.</summary>
    /// <param name="architecture">The model's hyper-parameters.</param>
    /// <param name="fileType">The llama.cpp file type.</param>
    /// <returns>Every tensor with its chosen type, and notes.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="architecture"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="fileType"/> is not a defined value, or a size in the
    /// architecture is not positive.</exception>
    /// <exception cref="NotSupportedException">The model is not a decoder-only transformer, or uses multi-head latent
    /// attention (the tensor layout differs).</exception>
    /// <exception cref="OverflowException">A size overflows 64 bits.</exception>
    public static LlamaFileTypeEstimate Estimate(ModelArchitecture architecture, LlamaFileType fileType)
    {
        ArgumentNullException.ThrowIfNull(architecture);
        if (!Enum.IsDefined(fileType)) throw new ArgumentOutOfRangeException(nameof(fileType), fileType, "Unknown llama.cpp file type.");
        if (architecture.Kind != TransformerKind.DecoderOnly)
        {
            throw new NotSupportedException($"llama.cpp file-type estimates cover decoder-only models; this one is {architecture.Kind}.");
        }

        if (architecture.KvLoraRank is not null)
        {
            throw new NotSupportedException("Models with multi-head latent attention (MLA) have a different tensor layout; not modelled.");
        }

        var a = architecture;
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(a.VocabSize, nameof(architecture));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(a.HiddenSize, nameof(architecture));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(a.LayerCount, nameof(architecture));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(a.AttentionHeadCount, nameof(architecture));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(a.KeyValueHeadCount, nameof(architecture));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(a.HeadDim, nameof(architecture));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(a.IntermediateSize, nameof(architecture));

        var layout = new List<(string Name, long RowLength, long Rows, bool Matrix)>();
        long h = a.HiddenSize;
        long qWidth = checked((long)a.AttentionHeadCount * a.HeadDim);
        long kWidth = checked((long)a.KeyValueHeadCount * a.HeadDim);
        long vWidth = checked((long)a.KeyValueHeadCount * (a.ValueHeadDim ?? a.HeadDim));
        int experts = a.ExpertCount;
        long expertWidth = a.ExpertIntermediateSize ?? a.IntermediateSize;

        // The tensors of a LLaMA-layout GGUF in llama.cpp's order (convert_hf_to_gguf): per block attn_norm, q, k, v,
        // output, ffn_norm, then gate/down/up (experts merged into one 3-D tensor per block, ne[2] = experts).
        layout.Add(("token_embd.weight", h, a.VocabSize, true));
        for (int i = 0; i < a.LayerCount; i++)
        {
            string p = $"blk.{i}.";
            layout.Add((p + "attn_norm.weight", h, 1, false));
            layout.Add((p + "attn_q.weight", h, qWidth, true));
            layout.Add((p + "attn_k.weight", h, kWidth, true));
            layout.Add((p + "attn_v.weight", h, vWidth, true));
            layout.Add((p + "attn_output.weight", qWidth, h, true));
            layout.Add((p + "ffn_norm.weight", h, 1, false));
            if (experts > 0)
            {
                layout.Add((p + "ffn_gate_inp.weight", h, experts, true));
                layout.Add((p + "ffn_gate_exps.weight", h, checked(expertWidth * experts), true));
                layout.Add((p + "ffn_down_exps.weight", expertWidth, checked(h * experts), true));
                layout.Add((p + "ffn_up_exps.weight", h, checked(expertWidth * experts), true));
            }
            else
            {
                layout.Add((p + "ffn_gate.weight", h, a.IntermediateSize, true));
                layout.Add((p + "ffn_down.weight", a.IntermediateSize, h, true));
                layout.Add((p + "ffn_up.weight", h, a.IntermediateSize, true));
            }
        }

        layout.Add(("output_norm.weight", h, 1, false));
        if (!a.TieWordEmbeddings) layout.Add(("output.weight", h, a.VocabSize, true));

        // llama-model.cpp: an 80-layer llama with GQA is LLM_TYPE_70B (65B without GQA).
        bool is70B = string.Equals(a.Family, "llama", StringComparison.OrdinalIgnoreCase) && a.LayerCount == 80
            && a.AttentionHeadCount != a.KeyValueHeadCount;
        var policy = new LlamaCppTensorTypePolicy(a.Family, fileType, layout.Select(t => t.Name), a.AttentionHeadCount,
            a.KeyValueHeadCount, experts, is70B);
        var tensors = new List<LlamaTensorEstimate>(layout.Count);
        var notes = new List<string>();
        foreach (var (name, rowLength, rows, matrix) in layout)
        {
            long[] ne = experts > 0 && name.Contains("_exps", StringComparison.Ordinal)
                ? [rowLength, rows / experts, experts]
                : matrix ? [rowLength, rows] : [rowLength];
            // convert_hf_to_gguf stores 1-D tensors and the MoE router (ffn_gate_inp) in F32; llama-quantize keeps them.
            bool keptF32 = !matrix || name.Contains("ffn_gate_inp", StringComparison.Ordinal);
            var type = policy.Choose(name, ne, keptF32 ? TensorDataType.F32 : TensorDataType.F16);
            var preferred = LlamaFileTypes.DefaultType(fileType);
            if (matrix && type.Kind == DataTypeKind.BlockQuantized && rowLength % preferred.BlockSize != 0)
            {
                notes.Add(string.Create(CultureInfo.InvariantCulture,
                    $"{name}: row length {rowLength} is not a multiple of the {preferred.Name} block ({preferred.BlockSize}); falls back to {type.Name}."));
            }

            long bytes = checked(rows * (rowLength / type.BlockSize) * type.BlockBytes);
            tensors.Add(new LlamaTensorEstimate(name, type, rowLength, rows, bytes));
        }

        notes.Add("LLaMA-style tensor layout assumed (separate q/k/v, gated MLP, two norms per block, no biases); "
            + "fused QKV, biases and Falcon-specific rules are not modelled.");
        if (a.SharedExpertCount > 0) notes.Add("shared experts are not modelled.");
        if (a.KeyValueHeadCountPerLayer is not null) notes.Add("per-layer KV head counts are not modelled; every layer uses the model-wide count.");
        return new LlamaFileTypeEstimate(fileType, tensors, notes);
    }
}
