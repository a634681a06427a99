namespace LlmSize.Core.Precision;

/// <summary>
/// llama.cpp file types (<c>enum llama_ftype</c> in llama.h): the mixture names users pass to <c>llama-quantize</c>
/// ("Q4_K_M") with their numeric ids as stored in GGUF <c>general.file_type</c>.
/// </summary>
/// <remarks>Source: llama.h (ggml-org/llama.cpp), tabulated in <c>shared/reference/llama-ftypes.csv</c>.</remarks>
public enum LlamaFileType
{
#pragma warning disable CS1591 // the llama.h names are the documentation
    ALL_F32 = 0,
    MOSTLY_F16 = 1,
    MOSTLY_Q4_0 = 2,
    MOSTLY_Q4_1 = 3,
    MOSTLY_Q8_0 = 7,
    MOSTLY_Q5_0 = 8,
    MOSTLY_Q5_1 = 9,
    MOSTLY_Q2_K = 10,
    MOSTLY_Q3_K_S = 11,
    MOSTLY_Q3_K_M = 12,
    MOSTLY_Q3_K_L = 13,
    MOSTLY_Q4_K_S = 14,
    MOSTLY_Q4_K_M = 15,
    MOSTLY_Q5_K_S = 16,
    MOSTLY_Q5_K_M = 17,
    MOSTLY_Q6_K = 18,
    MOSTLY_IQ2_XXS = 19,
    MOSTLY_IQ2_XS = 20,
    MOSTLY_Q2_K_S = 21,
    MOSTLY_IQ3_XS = 22,
    MOSTLY_IQ3_XXS = 23,
    MOSTLY_IQ1_S = 24,
    MOSTLY_IQ4_NL = 25,
    MOSTLY_IQ3_S = 26,
    MOSTLY_IQ3_M = 27,
    MOSTLY_IQ2_S = 28,
    MOSTLY_IQ2_M = 29,
    MOSTLY_IQ4_XS = 30,
    MOSTLY_IQ1_M = 31,
    MOSTLY_BF16 = 32,
    MOSTLY_TQ1_0 = 36,
    MOSTLY_TQ2_0 = 37,
#pragma warning restore CS1591
}

/// <summary>Names, default tensor types and parsing of <see cref="LlamaFileType"/>.</summary>
public static class LlamaFileTypes
{
    private static readonly Dictionary<string, LlamaFileType> ByName = BuildNames();

    /// <summary>Every file type with its user-facing name ("Q4_K_M", "F16", "Q8_0").</summary>
    public static IReadOnlyList<(string Name, LlamaFileType Type)> All { get; } =
        ByName.Select(kv => (kv.Key, kv.Value)).OrderBy(p => (int)p.Value).ToArray();

    /// <summary>The user-facing name of a file type ("Q4_K_M").</summary>
    /// <param name="type">File type.</param>
    /// <returns>The name <c>llama-quantize</c> accepts.</returns>
    public static string Name(LlamaFileType type) => type switch
    {
        LlamaFileType.ALL_F32 => "F32",
        _ => type.ToString()["MOSTLY_".Length..],
    };

    /// <summary>Parses "Q4_K_M", "q4_k_m", "MOSTLY_Q4_K_M", "LLAMA_FTYPE_MOSTLY_Q4_K_M" or the numeric id.</summary>
    /// <param name="text">Text to parse.</param>
    /// <param name="type">The file type when recognised.</param>
    /// <returns>False when unknown.</returns>
    public static bool TryParse(string text, out LlamaFileType type)
    {
        type = default;
        if (string.IsNullOrWhiteSpace(text)) return false;
        string t = text.Trim().ToUpperInvariant();
        if (t.StartsWith("LLAMA_FTYPE_", StringComparison.Ordinal)) t = t["LLAMA_FTYPE_".Length..];
        if (t.StartsWith("MOSTLY_", StringComparison.Ordinal)) t = t["MOSTLY_".Length..];
        if (t.StartsWith("ALL_", StringComparison.Ordinal)) t = t["ALL_".Length..];
        if (int.TryParse(t, out int id) && Enum.IsDefined(typeof(LlamaFileType), id))
        {
            type = (LlamaFileType)id;
            return true;
        }

        return ByName.TryGetValue(t, out type);
    }

    /// <summary>
    /// The default ggml type of a file type: what most 2-D weights get before the per-tensor rules of
    /// <see cref="LlamaCppTensorTypePolicy"/> (llama-quant.cpp <c>llama_model_quantize_impl</c> switch on ftype).
    /// </summary>
    /// <param name="type">File type.</param>
    /// <returns>The default tensor type.</returns>
    public static TensorDataType DefaultType(LlamaFileType type) => type switch
    {
        LlamaFileType.ALL_F32 => TensorDataType.F32,
        LlamaFileType.MOSTLY_F16 => TensorDataType.F16,
        LlamaFileType.MOSTLY_BF16 => TensorDataType.BF16,
        LlamaFileType.MOSTLY_Q4_0 => TensorDataType.Q4_0,
        LlamaFileType.MOSTLY_Q4_1 => TensorDataType.Q4_1,
        LlamaFileType.MOSTLY_Q5_0 => TensorDataType.Q5_0,
        LlamaFileType.MOSTLY_Q5_1 => TensorDataType.Q5_1,
        LlamaFileType.MOSTLY_Q8_0 => TensorDataType.Q8_0,
        LlamaFileType.MOSTLY_Q2_K or LlamaFileType.MOSTLY_Q2_K_S => TensorDataType.Q2_K,
        LlamaFileType.MOSTLY_Q3_K_S or LlamaFileType.MOSTLY_Q3_K_M or LlamaFileType.MOSTLY_Q3_K_L => TensorDataType.Q3_K,
        LlamaFileType.MOSTLY_Q4_K_S or LlamaFileType.MOSTLY_Q4_K_M => TensorDataType.Q4_K,
        LlamaFileType.MOSTLY_Q5_K_S or LlamaFileType.MOSTLY_Q5_K_M => TensorDataType.Q5_K,
        LlamaFileType.MOSTLY_Q6_K => TensorDataType.Q6_K,
        LlamaFileType.MOSTLY_IQ2_XXS => TensorDataType.IQ2_XXS,
        LlamaFileType.MOSTLY_IQ2_XS => TensorDataType.IQ2_XS,
        LlamaFileType.MOSTLY_IQ2_S or LlamaFileType.MOSTLY_IQ2_M => TensorDataType.IQ2_S,
        LlamaFileType.MOSTLY_IQ3_XS or LlamaFileType.MOSTLY_IQ3_S or LlamaFileType.MOSTLY_IQ3_M => TensorDataType.IQ3_S,
        LlamaFileType.MOSTLY_IQ3_XXS => TensorDataType.IQ3_XXS,
        LlamaFileType.MOSTLY_IQ1_S => TensorDataType.IQ1_S,
        LlamaFileType.MOSTLY_IQ1_M => TensorDataType.IQ1_M,
        LlamaFileType.MOSTLY_IQ4_NL => TensorDataType.IQ4_NL,
        LlamaFileType.MOSTLY_IQ4_XS => TensorDataType.IQ4_XS,
        LlamaFileType.MOSTLY_TQ1_0 => TensorDataType.TQ1_0,
        LlamaFileType.MOSTLY_TQ2_0 => TensorDataType.TQ2_0,
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "not a llama.cpp file type"),
    };

    private static Dictionary<string, LlamaFileType> BuildNames()
    {
        var d = new Dictionary<string, LlamaFileType>(StringComparer.OrdinalIgnoreCase);
        foreach (LlamaFileType t in Enum.GetValues<LlamaFileType>()) d[Name(t)] = t;
        // Aliases llama-quantize accepts: "Q4_K" = Q4_K_M, "Q5_K" = Q5_K_M, "Q3_K" = Q3_K_M.
        d["Q4_K"] = LlamaFileType.MOSTLY_Q4_K_M;
        d["Q5_K"] = LlamaFileType.MOSTLY_Q5_K_M;
        d["Q3_K"] = LlamaFileType.MOSTLY_Q3_K_M;
        return d;
    }
}
