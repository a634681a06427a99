namespace LlmSize.Core.Precision;

/// <summary>
/// llama.cpp file types (<c>enum llama_ftype</c> in llama.h): the mixture names users pass to <c>llama-quantize</c>
/// ("Q4_K_M") with their numeric ids as stored in GGUF <c>general.file_type</c>.
/// </summary>
/// <remarks>Source: <c>enum llama_ftype</c> in llama.h, https://github.com/ggml-org/llama.cpp/blob/master/include/llama.h.</remarks>
public enum LlamaFileType
{
#pragma warning disable CS1591 // the llama.h names are the documentation
    F32 = 0,
    F16 = 1,
    Q4_0 = 2,
    Q4_1 = 3,
    Q8_0 = 7,
    Q5_0 = 8,
    Q5_1 = 9,
    Q2_K = 10,
    Q3_K_S = 11,
    Q3_K_M = 12,
    Q3_K_L = 13,
    Q4_K_S = 14,
    Q4_K_M = 15,
    Q5_K_S = 16,
    Q5_K_M = 17,
    Q6_K = 18,
    IQ2_XXS = 19,
    IQ2_XS = 20,
    Q2_K_S = 21,
    IQ3_XS = 22,
    IQ3_XXS = 23,
    IQ1_S = 24,
    IQ4_NL = 25,
    IQ3_S = 26,
    IQ3_M = 27,
    IQ2_S = 28,
    IQ2_M = 29,
    IQ4_XS = 30,
    IQ1_M = 31,
    BF16 = 32,
    TQ1_0 = 36,
    TQ2_0 = 37,
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
    public static string Name(LlamaFileType type) => type.ToString();

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
        LlamaFileType.F32 => TensorDataType.F32,
        LlamaFileType.F16 => TensorDataType.F16,
        LlamaFileType.BF16 => TensorDataType.BF16,
        LlamaFileType.Q4_0 => TensorDataType.Q4_0,
        LlamaFileType.Q4_1 => TensorDataType.Q4_1,
        LlamaFileType.Q5_0 => TensorDataType.Q5_0,
        LlamaFileType.Q5_1 => TensorDataType.Q5_1,
        LlamaFileType.Q8_0 => TensorDataType.Q8_0,
        LlamaFileType.Q2_K or LlamaFileType.Q2_K_S => TensorDataType.Q2_K,
        LlamaFileType.Q3_K_S or LlamaFileType.Q3_K_M or LlamaFileType.Q3_K_L => TensorDataType.Q3_K,
        LlamaFileType.Q4_K_S or LlamaFileType.Q4_K_M => TensorDataType.Q4_K,
        LlamaFileType.Q5_K_S or LlamaFileType.Q5_K_M => TensorDataType.Q5_K,
        LlamaFileType.Q6_K => TensorDataType.Q6_K,
        LlamaFileType.IQ2_XXS => TensorDataType.IQ2_XXS,
        LlamaFileType.IQ2_XS => TensorDataType.IQ2_XS,
        LlamaFileType.IQ2_S or LlamaFileType.IQ2_M => TensorDataType.IQ2_S,
        LlamaFileType.IQ3_XS or LlamaFileType.IQ3_S or LlamaFileType.IQ3_M => TensorDataType.IQ3_S,
        LlamaFileType.IQ3_XXS => TensorDataType.IQ3_XXS,
        LlamaFileType.IQ1_S => TensorDataType.IQ1_S,
        LlamaFileType.IQ1_M => TensorDataType.IQ1_M,
        LlamaFileType.IQ4_NL => TensorDataType.IQ4_NL,
        LlamaFileType.IQ4_XS => TensorDataType.IQ4_XS,
        LlamaFileType.TQ1_0 => TensorDataType.TQ1_0,
        LlamaFileType.TQ2_0 => TensorDataType.TQ2_0,
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "not a llama.cpp file type"),
    };

    private static Dictionary<string, LlamaFileType> BuildNames()
    {
        var d = new Dictionary<string, LlamaFileType>(StringComparer.OrdinalIgnoreCase);
        foreach (LlamaFileType t in Enum.GetValues<LlamaFileType>()) d[Name(t)] = t;
        // Aliases llama-quantize accepts: "Q4_K" = Q4_K_M, "Q5_K" = Q5_K_M, "Q3_K" = Q3_K_M.
        d["Q4_K"] = LlamaFileType.Q4_K_M;
        d["Q5_K"] = LlamaFileType.Q5_K_M;
        d["Q3_K"] = LlamaFileType.Q3_K_M;
        return d;
    }
}
