using System.Globalization;
using LlmSize.Core.Models.Architectures;

namespace LlmSize.Core.Precision;

/// <summary>
/// llama.cpp file types (<c>enum llama_ftype</c>): the mixes <c>llama-quantize</c> produces. Values are the ftype ids
/// (shared/reference/llama-ftypes.csv).
/// </summary>
public enum LlamaFileType
{
    /// <summary>LLAMA_FTYPE_MOSTLY_Q4_0.</summary>
    Q4_0 = 2,
    /// <summary>LLAMA_FTYPE_MOSTLY_Q4_1.</summary>
    Q4_1 = 3,
    /// <summary>LLAMA_FTYPE_MOSTLY_Q8_0.</summary>
    Q8_0 = 7,
    /// <summary>LLAMA_FTYPE_MOSTLY_Q5_0.</summary>
    Q5_0 = 8,
    /// <summary>LLAMA_FTYPE_MOSTLY_Q5_1.</summary>
    Q5_1 = 9,
    /// <summary>LLAMA_FTYPE_MOSTLY_Q2_K ("Q2_K - Medium").</summary>
    Q2_K = 10,
    /// <summary>LLAMA_FTYPE_MOSTLY_Q3_K_S.</summary>
    Q3_K_S = 11,
    /// <summary>LLAMA_FTYPE_MOSTLY_Q3_K_M.</summary>
    Q3_K_M = 12,
    /// <summary>LLAMA_FTYPE_MOSTLY_Q3_K_L.</summary>
    Q3_K_L = 13,
    /// <summary>LLAMA_FTYPE_MOSTLY_Q4_K_S.</summary>
    Q4_K_S = 14,
    /// <summary>LLAMA_FTYPE_MOSTLY_Q4_K_M.</summary>
    Q4_K_M = 15,
    /// <summary>LLAMA_FTYPE_MOSTLY_Q5_K_S.</summary>
    Q5_K_S = 16,
    /// <summary>LLAMA_FTYPE_MOSTLY_Q5_K_M.</summary>
    Q5_K_M = 17,
    /// <summary>LLAMA_FTYPE_MOSTLY_Q6_K.</summary>
    Q6_K = 18,
}

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
    /// <returns>False for unknown names (including mixes this estimator does not model, such as IQ3_M).</returns>
    public static bool TryParseFileType(string? name, out LlamaFileType fileType)
    {
        fileType = default;
        if (string.IsNullOrWhiteSpace(name) || name.Trim().All(char.IsDigit)) return false;
        return Enum.TryParse(name.Trim(), ignoreCase: true, out fileType) && Enum.IsDefined(fileType);
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

        var ctx = new Context(a, fileType);
        var tensors = new List<LlamaTensorEstimate>();
        var notes = new List<string>();
        long h = a.HiddenSize;
        long qWidth = checked((long)a.AttentionHeadCount * a.HeadDim);
        long kWidth = checked((long)a.KeyValueHeadCount * a.HeadDim);
        long vWidth = checked((long)a.KeyValueHeadCount * (a.ValueHeadDim ?? a.HeadDim));
        int experts = a.ExpertCount;
        long expertWidth = a.ExpertIntermediateSize ?? a.IntermediateSize;

        void Add(string name, TensorDataType chosen, long rowLength, long rows)
        {
            var type = Fallback(chosen, rowLength, name, notes);
            long bytes = checked(rows * (rowLength / type.BlockSize) * type.BlockBytes);
            tensors.Add(new LlamaTensorEstimate(name, type, rowLength, rows, bytes));
        }

        if (a.TieWordEmbeddings)
        {
            Add("token_embd.weight", ctx.OutputType(h), h, a.VocabSize);
        }
        else
        {
            Add("token_embd.weight", ctx.Default, h, a.VocabSize);
        }

        for (int i = 0; i < a.LayerCount; i++)
        {
            string p = $"blk.{i}.";
            Add(p + "attn_norm.weight", TensorDataType.F32, h, 1);
            Add(p + "attn_q.weight", ctx.Default, h, qWidth);
            Add(p + "attn_k.weight", ctx.AttnK(), h, kWidth);
            Add(p + "attn_v.weight", ctx.AttnV(i), h, vWidth);
            Add(p + "attn_output.weight", ctx.AttnOutput(), qWidth, h);
            Add(p + "ffn_norm.weight", TensorDataType.F32, h, 1);
            if (experts > 0)
            {
                Add(p + "ffn_gate_inp.weight", TensorDataType.F32, h, experts);
                Add(p + "ffn_gate_exps.weight", ctx.Default, h, checked(expertWidth * experts));
                Add(p + "ffn_down_exps.weight", ctx.FfnDown(i), expertWidth, checked(h * experts));
                Add(p + "ffn_up_exps.weight", ctx.Default, h, checked(expertWidth * experts));
            }
            else
            {
                Add(p + "ffn_gate.weight", ctx.Default, h, a.IntermediateSize);
                Add(p + "ffn_down.weight", ctx.FfnDown(i), a.IntermediateSize, h);
                Add(p + "ffn_up.weight", ctx.Default, h, a.IntermediateSize);
            }
        }

        Add("output_norm.weight", TensorDataType.F32, h, 1);
        if (!a.TieWordEmbeddings) Add("output.weight", ctx.OutputType(h), h, a.VocabSize);

        notes.Add("LLaMA-style tensor layout assumed (separate q/k/v, gated MLP, two norms per block, no biases); "
            + "fused QKV, biases and Falcon-specific rules are not modelled.");
        if (a.SharedExpertCount > 0) notes.Add("shared experts are not modelled.");
        if (a.KeyValueHeadCountPerLayer is not null) notes.Add("per-layer KV head counts are not modelled; every layer uses the model-wide count.");
        return new LlamaFileTypeEstimate(fileType, tensors, notes);
    }

    private static TensorDataType Fallback(TensorDataType type, long rowLength, string name, List<string> notes)
    {
        if (rowLength % type.BlockSize == 0) return type;
        TensorDataType? next =
            type == TensorDataType.Q2_K || type == TensorDataType.Q3_K ? TensorDataType.Q4_0
            : type == TensorDataType.Q4_K ? TensorDataType.Q5_0
            : type == TensorDataType.Q5_K ? TensorDataType.Q5_1
            : type == TensorDataType.Q6_K ? TensorDataType.Q8_0
            : null;
        var result = next is not null && rowLength % next.BlockSize == 0 ? next : TensorDataType.F16;
        notes.Add(string.Create(CultureInfo.InvariantCulture,
            $"{name}: row length {rowLength} is not a multiple of the {type.Name} block ({type.BlockSize}); falls back to {result.Name}."));
        return result;
    }

    /// <summary>The per-tensor rules of llama-quant.cpp for one file type.</summary>
    private sealed class Context
    {
        private readonly ModelArchitecture _a;
        private readonly LlamaFileType _f;
        private readonly int _gqa;
        private readonly bool _is70B;

        public Context(ModelArchitecture a, LlamaFileType f)
        {
            _a = a;
            _f = f;
            _gqa = a.AttentionHeadCount / a.KeyValueHeadCount; // llama_hparams::n_gqa(): integer n_head / n_head_kv
            // llama-model.cpp: a llama model of 80 layers is LLM_TYPE_70B when it uses GQA (65B otherwise).
            _is70B = string.Equals(a.Family, "llama", StringComparison.OrdinalIgnoreCase) && a.LayerCount == 80
                && a.AttentionHeadCount != a.KeyValueHeadCount;
            Default = f switch
            {
                LlamaFileType.Q4_0 => TensorDataType.Q4_0,
                LlamaFileType.Q4_1 => TensorDataType.Q4_1,
                LlamaFileType.Q5_0 => TensorDataType.Q5_0,
                LlamaFileType.Q5_1 => TensorDataType.Q5_1,
                LlamaFileType.Q8_0 => TensorDataType.Q8_0,
                LlamaFileType.Q2_K => TensorDataType.Q2_K,
                LlamaFileType.Q3_K_S or LlamaFileType.Q3_K_M or LlamaFileType.Q3_K_L => TensorDataType.Q3_K,
                LlamaFileType.Q4_K_S or LlamaFileType.Q4_K_M => TensorDataType.Q4_K,
                LlamaFileType.Q5_K_S or LlamaFileType.Q5_K_M => TensorDataType.Q5_K,
                _ => TensorDataType.Q6_K,
            };
        }

        public TensorDataType Default { get; }

        private int Layers => _a.LayerCount;

        private bool EightExperts => _a.ExpertCount == 8;

        // use_more_bits: first and last eighth of the layers, and every third layer in between.
        private static bool UseMoreBits(int i, int n) => i < n / 8 || i >= 7 * n / 8 || (i - n / 8) % 3 == 2;

        public TensorDataType OutputType(long rowLength)
        {
            if (string.Equals(_a.Family, "falcon", StringComparison.OrdinalIgnoreCase) || rowLength % Default.BlockSize != 0)
            {
                return TensorDataType.Q8_0;
            }

            return Default == TensorDataType.Q8_0 ? TensorDataType.Q8_0 : TensorDataType.Q6_K;
        }

        public TensorDataType AttnK() => EightExperts ? TensorDataType.Q8_0 : Default;

        public TensorDataType AttnV(int i)
        {
            var t = Default;
            switch (_f)
            {
                case LlamaFileType.Q2_K: t = _gqa >= 4 ? TensorDataType.Q4_K : TensorDataType.Q3_K; break;
                case LlamaFileType.Q3_K_M: t = i < 2 ? TensorDataType.Q5_K : TensorDataType.Q4_K; break;
                case LlamaFileType.Q3_K_L: t = TensorDataType.Q5_K; break;
                case LlamaFileType.Q4_K_M or LlamaFileType.Q5_K_M when UseMoreBits(i, Layers): t = TensorDataType.Q6_K; break;
                case LlamaFileType.Q4_K_S when i < 4: t = TensorDataType.Q5_K; break;
            }

            if (_is70B && (t == TensorDataType.Q3_K || t == TensorDataType.Q4_K)) t = TensorDataType.Q5_K;
            if (EightExperts) t = TensorDataType.Q8_0;
            return t;
        }

        public TensorDataType AttnOutput()
        {
            if (EightExperts)
            {
                return _f is LlamaFileType.Q2_K or LlamaFileType.Q3_K_S or LlamaFileType.Q3_K_M or LlamaFileType.Q4_K_S
                    or LlamaFileType.Q4_K_M ? TensorDataType.Q5_K : Default;
            }

            return _f switch
            {
                LlamaFileType.Q2_K => TensorDataType.Q3_K,
                LlamaFileType.Q3_K_M => TensorDataType.Q4_K,
                LlamaFileType.Q3_K_L => TensorDataType.Q5_K,
                _ => Default,
            };
        }

        public TensorDataType FfnDown(int i)
        {
            int n = Layers;
            return _f switch
            {
                LlamaFileType.Q2_K => TensorDataType.Q3_K,
                LlamaFileType.Q3_K_M => i < n / 16 ? TensorDataType.Q5_K : TensorDataType.Q4_K,
                LlamaFileType.Q3_K_L => TensorDataType.Q5_K,
                LlamaFileType.Q4_K_M or LlamaFileType.Q5_K_M when UseMoreBits(i, n) => TensorDataType.Q6_K,
                LlamaFileType.Q4_K_S when i < n / 8 => TensorDataType.Q5_K,
                _ => Default,
            };
        }
    }
}
