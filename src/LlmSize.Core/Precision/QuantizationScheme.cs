using System.Collections.Frozen;

namespace LlmSize.Core.Precision;

/// <summary>Which ecosystem a <see cref="QuantizationScheme"/> name belongs to.</summary>
public enum QuantizationSchemeFamily
{
    /// <summary>Plain storage with no per-group scales: fp32, fp16, bf16, int8, int4 (the "no overhead" baselines).</summary>
    Plain,
    /// <summary>Integer weights in groups sharing an fp16 scale (and optionally a zero point): GPTQ / AWQ-style int4.</summary>
    GroupInteger,
    /// <summary>A single GGUF / ggml tensor type applied to every weight (<see cref="TensorDataType"/>).</summary>
    Gguf,
    /// <summary>MLC-LLM / WebLLM quantization codes (q4f16_1 …).</summary>
    Mlc,
    /// <summary>Transformers.js ONNX dtypes (fp32, fp16, q8, int8, uint8, q4, q4f16, bnb4).</summary>
    TransformersJs,
}

/// <summary>
/// A weight storage scheme described by its block layout: <see cref="BlockSize"/> weights take
/// <see cref="BlockBytes"/> bytes, scales included. Bits per weight follow from the layout
/// (<c>BlockBytes × 8 / BlockSize</c>): q4f16_1 stores 32 int4 weights (16 bytes) plus one fp16 scale (2 bytes) =
/// 18 bytes per 32 weights = 4.5 bits.
/// </summary>
/// <remarks>
/// Sources per scheme are in <see cref="Source"/>. Tensors a scheme leaves unquantized (norm weights, biases, and for
/// some schemes the token embedding) are stored at <see cref="UnquantizedBytesPerParameter"/>.
/// Instances are interned: compare with <c>==</c>.
/// </remarks>
public sealed class QuantizationScheme
{
    private QuantizationScheme(string name, QuantizationSchemeFamily family, int blockSize, int blockBytes,
        int unquantizedBytes, bool quantizesEmbeddings, string description, string source, TensorDataType? ggufType = null)
    {
        Name = name;
        Family = family;
        BlockSize = blockSize;
        BlockBytes = blockBytes;
        UnquantizedBytesPerParameter = unquantizedBytes;
        QuantizesEmbeddings = quantizesEmbeddings;
        Description = description;
        Source = source;
        GgufType = ggufType;
    }

    /// <summary>The scheme's name as its ecosystem writes it ("Q4_K", "q4f16_1", "int4-g128-f16", "bnb4").</summary>
    public string Name { get; }

    /// <summary>The ecosystem.</summary>
    public QuantizationSchemeFamily Family { get; }

    /// <summary>Weights per storage block (1 for plain types, 32 for q4f16_1, 256 for Q4_K).</summary>
    public int BlockSize { get; }

    /// <summary>Bytes per storage block, scales / zero points included.</summary>
    public int BlockBytes { get; }

    /// <summary>Storage bits per weight from the block layout: <c>BlockBytes × 8 / BlockSize</c>.</summary>
    public double BitsPerWeight => BlockBytes * 8.0 / BlockSize;

    /// <summary>
    /// Bytes per parameter of the tensors the scheme leaves unquantized: 1-D norm weights and biases (GGUF keeps them
    /// F32: 4; MLC keeps them in the model dtype: 2 for f16, 4 for f32; Transformers.js in the graph's float type).
    /// </summary>
    public int UnquantizedBytesPerParameter { get; }

    /// <summary>Whether the token-embedding matrix is quantized too (GGUF and MLC: yes; Transformers.js 4-bit: no).</summary>
    public bool QuantizesEmbeddings { get; }

    /// <summary>One line on the layout ("32 × int4 + fp16 scale per group").</summary>
    public string Description { get; }

    /// <summary>Where the layout comes from (document, source file).</summary>
    public string Source { get; }

    /// <summary>The GGUF tensor type for <see cref="QuantizationSchemeFamily.Gguf"/> schemes, else null.</summary>
    public TensorDataType? GgufType { get; }

    /// <inheritdoc />
    public override string ToString() => Name;

    private const string GgmlSource = "ggml type_traits (github.com/ggml-org/llama.cpp: ggml/src/ggml.c, ggml/src/ggml-common.h)";
    private const string MlcSource =
        "MLC-LLM python/mlc_llm/quantization/quantization.py QUANTIZATION registry (GroupQuantize: group_size, "
        + "quantize_dtype, storage_dtype uint32, model_dtype); docs https://llm.mlc.ai/docs/compilation/configure_quantization.html";
    private const string TjsSource =
        "Transformers.js docs https://huggingface.co/docs/transformers.js/guides/dtypes and scripts/quantize.py "
        + "(q4/q4f16: MatMul4BitsQuantizer block_size 32, symmetric; bnb4: MatMulBnb4Quantizer block_size 64, NF4; "
        + "q8/int8/uint8: ONNX Runtime dynamic quantization)";

#pragma warning disable CS1591 // each field's Description and Source document it
    // ---- plain baselines ----
    public static readonly QuantizationScheme Fp32 = new("fp32", QuantizationSchemeFamily.Plain, 1, 4, 4, true,
        "IEEE float32, 4 bytes per weight", "IEEE 754");
    public static readonly QuantizationScheme Fp16 = new("fp16", QuantizationSchemeFamily.Plain, 1, 2, 2, true,
        "IEEE float16, 2 bytes per weight", "IEEE 754");
    public static readonly QuantizationScheme Bf16 = new("bf16", QuantizationSchemeFamily.Plain, 1, 2, 2, true,
        "bfloat16, 2 bytes per weight", "bfloat16 (upper half of float32)");
    public static readonly QuantizationScheme Int8 = new("int8", QuantizationSchemeFamily.Plain, 1, 1, 2, true,
        "8-bit integers, no scale overhead counted (per-tensor/per-channel scales are negligible)", "arithmetic: 8 bits");
    public static readonly QuantizationScheme Int4 = new("int4", QuantizationSchemeFamily.Plain, 2, 1, 2, true,
        "4-bit integers packed two per byte, no scale overhead counted", "arithmetic: 4 bits");

    // ---- group-wise int4 with fp16 scales ----
    public static readonly QuantizationScheme Int4G32F16 = new("int4-g32-f16", QuantizationSchemeFamily.GroupInteger, 32, 18, 2, true,
        "groups of 32 int4 (16 bytes) + one fp16 scale (2 bytes): 4.5 bits", "arithmetic: (32 × 4 + 16) / 32 bits");
    public static readonly QuantizationScheme Int4G128F16 = new("int4-g128-f16", QuantizationSchemeFamily.GroupInteger, 128, 66, 2, true,
        "groups of 128 int4 (64 bytes) + one fp16 scale (2 bytes): 4.125 bits", "arithmetic: (128 × 4 + 16) / 128 bits");
    public static readonly QuantizationScheme Int4G128F16Zero = new("int4-g128-f16-zp4", QuantizationSchemeFamily.GroupInteger, 256, 133, 2, true,
        "GPTQ/AWQ-style: groups of 128 int4 + fp16 scale + packed 4-bit zero point (two groups: 128 + 4 + 1 bytes): 4.15625 bits",
        "GPTQ / AWQ checkpoint layout (qweight int32-packed int4, qzeros int32-packed int4 per group, scales fp16 per group)");

    // ---- MLC-LLM / WebLLM ----
    public static readonly QuantizationScheme Q0F16 = new("q0f16", QuantizationSchemeFamily.Mlc, 1, 2, 2, true,
        "no quantization, float16 weights", MlcSource);
    public static readonly QuantizationScheme Q0F32 = new("q0f32", QuantizationSchemeFamily.Mlc, 1, 4, 4, true,
        "no quantization, float32 weights", MlcSource);
    public static readonly QuantizationScheme Q4F16_1 = new("q4f16_1", QuantizationSchemeFamily.Mlc, 32, 18, 2, true,
        "group 32, int4 packed 8 per uint32 (16 bytes) + one float16 scale (2 bytes): 4.5 bits", MlcSource);
    public static readonly QuantizationScheme Q4F32_1 = new("q4f32_1", QuantizationSchemeFamily.Mlc, 32, 20, 4, true,
        "group 32, int4 packed 8 per uint32 (16 bytes) + one float32 scale (4 bytes): 5 bits", MlcSource);
    public static readonly QuantizationScheme Q3F16_1 = new("q3f16_1", QuantizationSchemeFamily.Mlc, 40, 18, 2, true,
        "group 40, int3 packed 10 per uint32 (4 words, 16 bytes) + one float16 scale (2 bytes): 3.6 bits", MlcSource);

    // ---- Transformers.js ----
    public static readonly QuantizationScheme TjsFp32 = new("tjs-fp32", QuantizationSchemeFamily.TransformersJs, 1, 4, 4, true,
        "Transformers.js dtype \"fp32\": float32 ONNX weights", TjsSource);
    public static readonly QuantizationScheme TjsFp16 = new("tjs-fp16", QuantizationSchemeFamily.TransformersJs, 1, 2, 2, true,
        "Transformers.js dtype \"fp16\": float16 ONNX weights", TjsSource);
    public static readonly QuantizationScheme TjsQ8 = new("tjs-q8", QuantizationSchemeFamily.TransformersJs, 1, 1, 4, true,
        "Transformers.js dtype \"q8\" (also \"int8\", \"uint8\"): 8-bit weights, one scale and zero point per tensor (negligible)", TjsSource);
    public static readonly QuantizationScheme TjsQ4 = new("tjs-q4", QuantizationSchemeFamily.TransformersJs, 32, 20, 4, false,
        "Transformers.js dtype \"q4\": MatMulNBits blocks of 32 int4 (16 bytes) + float32 scale (4 bytes), symmetric: 5 bits; "
        + "embeddings (Gather) stay float32", TjsSource);
    public static readonly QuantizationScheme TjsQ4F16 = new("tjs-q4f16", QuantizationSchemeFamily.TransformersJs, 32, 18, 2, false,
        "Transformers.js dtype \"q4f16\": as q4 with the graph then converted to float16 (scale 2 bytes): 4.5 bits; "
        + "embeddings stay float16", TjsSource);
    public static readonly QuantizationScheme TjsBnb4 = new("tjs-bnb4", QuantizationSchemeFamily.TransformersJs, 64, 36, 4, false,
        "Transformers.js dtype \"bnb4\": MatMulBnb4 NF4 blocks of 64 (32 bytes) + float32 absmax (4 bytes): 4.5 bits; "
        + "embeddings stay float32", TjsSource);
#pragma warning restore CS1591

    /// <summary>The GGUF scheme of every ggml type in <see cref="TensorDataType.All"/> that GGUF can store.</summary>
    public static IReadOnlyList<QuantizationScheme> GgufTypes { get; } =
        TensorDataType.All.Where(t => t.GgmlTypeId is not null)
            .Select(t => new QuantizationScheme(t.Name, QuantizationSchemeFamily.Gguf, t.BlockSize, t.BlockBytes, 4, true,
                $"GGUF {t.Name}: {t.BlockSize} weights in {t.BlockBytes} bytes ({t.BitsPerElement:0.####} bits per weight)",
                GgmlSource, t))
            .ToArray();

    /// <summary>Every scheme: plain, group int4, every GGUF type, MLC and Transformers.js.</summary>
    public static IReadOnlyList<QuantizationScheme> All { get; } =
    [
        Fp32, Fp16, Bf16, Int8, Int4, Int4G32F16, Int4G128F16, Int4G128F16Zero,
        .. GgufTypes,
        Q0F16, Q0F32, Q4F16_1, Q4F32_1, Q3F16_1,
        TjsFp32, TjsFp16, TjsQ8, TjsQ4, TjsQ4F16, TjsBnb4,
    ];

    private static readonly FrozenDictionary<string, QuantizationScheme> ByName = BuildNames();

    private static FrozenDictionary<string, QuantizationScheme> BuildNames()
    {
        // GGUF names win over the plain ones for "F16"/"BF16"/"F32" only by case-insensitive collision; keep the
        // plain schemes under their lower-case names and GGUF types under "gguf:NAME" as well as "NAME" when free.
        var d = new Dictionary<string, QuantizationScheme>(StringComparer.OrdinalIgnoreCase);
        foreach (var s in All.Where(s => s.Family != QuantizationSchemeFamily.Gguf)) d[s.Name] = s;
        foreach (var s in GgufTypes)
        {
            d["gguf:" + s.Name] = s;
            d.TryAdd(s.Name, s);
        }

        d["tjs-int8"] = TjsQ8;
        d["tjs-uint8"] = TjsQ8;
        return d.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase);
    }

    /// <summary>
    /// Looks a scheme up by name, case-insensitively: "fp16", "int4-g128-f16", "q4f16_1", "Q4_K" (or "gguf:Q4_K"),
    /// "tjs-q4f16", "tjs-int8".
    /// </summary>
    /// <param name="name">The scheme name.</param>
    /// <param name="scheme">The scheme when found.</param>
    /// <returns>False when unknown.</returns>
    public static bool TryFromName(string name, out QuantizationScheme scheme) => ByName.TryGetValue(name, out scheme!);
}
