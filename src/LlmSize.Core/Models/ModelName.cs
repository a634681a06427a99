using System.Text.RegularExpressions;

namespace LlmSize.Core.Models;

/// <summary>
/// A model name taken apart: family, version, tier, size tag, variant, quantization tags and what is left.
/// "Meta-Llama-3-8B-Instruct" → publisher Meta, family Llama, version 3, size 8B, variant instruct;
/// "mistral-7b-v0.1.Q4_K_M.gguf" → family mistral, size 7B, revision 0.1, quantization Q4_K_M and GGUF;
/// "Gemini 1.5 Pro" → family Gemini, version 1.5, tier Pro, no size tag (the size is not in the name).
/// </summary>
/// <remarks>
/// Names follow habits, not a grammar; the parser knows the habits of Hugging Face repository names, GGUF file names
/// (<c>name.Q4_K_M.gguf</c>), MLC / WebLLM model ids (<c>…-q4f16_1-MLC</c>) and vendor product names. Anything it does
/// not recognise is kept, in order, in <see cref="Remainder"/>. Parsing never throws for a non-blank string.
/// </remarks>
public sealed partial record ModelName
{
    /// <summary>The text parsed, as given.</summary>
    public required string Original { get; init; }

    /// <summary>The organisation / user prefix of a repository id ("meta-llama" in "meta-llama/Llama-3.2-1B"), else null.</summary>
    public string? Organization { get; init; }

    /// <summary>A publisher word leading the name itself ("Meta" in "Meta-Llama-3-8B"), else null.</summary>
    public string? Publisher { get; init; }

    /// <summary>The family as written ("Llama", "gemma", "Qwen", "SmolLM", "TinyLlama", "Gemini"); empty if none found.</summary>
    public required string Family { get; init; }

    /// <summary>The family generation ("3.2" in Llama-3.2, "2.5" in Qwen2.5, "3n" in gemma-3n, "4o" in GPT-4o), else null.</summary>
    public string? Version { get; init; }

    /// <summary>The release revision written "vX.Y" ("0.1" in Mistral-7B-v0.1, "1.0" in TinyLlama-…-v1.0), without the v; else null.</summary>
    public string? Revision { get; init; }

    /// <summary>The product tier ("Pro", "Ultra", "Flash", "mini", "Opus" …) as written, else null.</summary>
    public string? Tier { get; init; }

    /// <summary>The size written in the name, or null when the name does not carry one ("phi-2", "GPT-4").</summary>
    public ModelSizeTag? SizeTag { get; init; }

    /// <summary>A context-length tag ("4k" in Phi-3-mini-4k-instruct), else null.</summary>
    public string? ContextTag { get; init; }

    /// <summary>Every variant word found, normalised to "it", "instruct", "chat", "base" or "code", in order.</summary>
    public IReadOnlyList<string> Variants { get; init; } = [];

    /// <summary>
    /// The main variant: the first instruction-tuning variant ("it", "instruct", "chat") when present, else the first
    /// variant ("base", "code"), else null.
    /// </summary>
    public string? Variant =>
        Variants.FirstOrDefault(v => v is "it" or "instruct" or "chat") ?? Variants.FirstOrDefault();

    /// <summary>
    /// Quantization / packaging tags in order of appearance: GGUF types and llama.cpp file types upper case ("Q4_K_M",
    /// "IQ2_XXS", "Q8_0"), MLC codes lower case ("q4f16_1", "q0f16"), words lower case ("int4", "fp16", "bf16", "awq",
    /// "gptq"), and the formats "GGUF", "MLC", "ONNX" (also implied by a .gguf / .onnx file extension).
    /// </summary>
    public IReadOnlyList<string> QuantizationTags { get; init; } = [];

    /// <summary>The file extension stripped from the name (".gguf"), else null.</summary>
    public string? FileExtension { get; init; }

    /// <summary>Words not recognised, joined with '-' in order ("uncased", "hf"); empty when none.</summary>
    public string Remainder { get; init; } = "";

    private static readonly string[] FileExtensions =
        [".gguf", ".safetensors", ".onnx", ".bin", ".tflite", ".litertlm", ".task", ".pth", ".pt", ".ggml"];

    private static readonly HashSet<string> Publishers = new(StringComparer.OrdinalIgnoreCase) { "Meta", "Microsoft", "Google" };

    private static readonly Dictionary<string, string> VariantWords = new(StringComparer.OrdinalIgnoreCase)
    {
        ["it"] = "it", ["instruct"] = "instruct", ["instruction"] = "instruct", ["chat"] = "chat",
        ["base"] = "base", ["code"] = "code", ["coder"] = "code",
    };

    private static readonly HashSet<string> TierWords = new(StringComparer.OrdinalIgnoreCase)
    {
        "pro", "ultra", "flash", "nano", "mini", "micro", "small", "medium", "large", "xl", "opus", "sonnet", "haiku",
        "turbo", "lite",
    };

    /// <summary>Family names that end in a digit which is part of the name, not a version (T5 is not "T version 5").</summary>
    private static readonly HashSet<string> DigitFamilies = new(StringComparer.OrdinalIgnoreCase) { "t5", "mt5", "byt5", "e5", "bge-m3" };

    private static readonly HashSet<string> FormatWords = new(StringComparer.OrdinalIgnoreCase) { "gguf", "mlc", "onnx" };

    // GGUF / ggml tensor types and llama.cpp file types (Q4_K_M, Q8_0, IQ2_XXS, IQ4_NL, TQ1_0, MXFP4); MLC codes
    // (q4f16_1, q0f16, q4f16_awq, q4bf16_1); plain words. Bounded by a non-alphanumeric character on both sides.
    [GeneratedRegex(
        @"(?<![A-Za-z0-9])(?:(?<gguf>I?Q[1-8]_(?:K(?:_(?:S|M|L|XL))?|[01]|XXS|XS|S|M|NL)|TQ[12]_0|MXFP4(?:_MOE)?)" +
        @"|(?<mlc>q\d{1,2}b?f(?:16|32)(?:_(?:\d|awq|ft))?)" +
        @"|(?<word>int4|int8|fp16|fp32|bf16|f16|f32|fp8|nf4|bnb4|awq|gptq|gguf|mlc|onnx|4bit|8bit))(?![A-Za-z0-9])",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex QuantPattern();

    [GeneratedRegex(@"[-_:\s]+|\.(?!\d)|(?<!\d)\.", RegexOptions.CultureInvariant)]
    private static partial Regex Separators();

    [GeneratedRegex(@"^\d+(?:\.\d+)*[a-z]?$", RegexOptions.CultureInvariant)]
    private static partial Regex VersionToken();

    [GeneratedRegex(@"^(?<f>[A-Za-z]+?)(?<v>\d+(?:\.\d+)*[a-z]?)$", RegexOptions.CultureInvariant)]
    private static partial Regex FamilyWithVersion();

    [GeneratedRegex(@"^[vV](?<r>\d+(?:\.\d+)*)$", RegexOptions.CultureInvariant)]
    private static partial Regex RevisionToken();

    [GeneratedRegex(@"^\d{1,4}[kK]$", RegexOptions.CultureInvariant)]
    private static partial Regex ContextToken();

    /// <summary>Takes a model name apart (see the type's summary for examples).</summary>
    /// <param name="name">A model name, repository id ("org/model") or file name.</param>
    /// <returns>The parts found; <see cref="SizeTag"/> is null when the name carries no size.</returns>
    /// <exception cref="ArgumentException"><paramref name="name"/> is null, empty or white space.</exception>
    public static ModelName Parse(string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        string rest = name.Trim();

        string? organization = null;
        int slash = rest.LastIndexOf('/');
        if (slash >= 0)
        {
            organization = slash > 0 ? rest[..slash] : null;
            rest = rest[(slash + 1)..];
        }

        string? extension = null;
        foreach (string ext in FileExtensions)
        {
            if (rest.Length > ext.Length && rest.EndsWith(ext, StringComparison.OrdinalIgnoreCase))
            {
                extension = ext;
                rest = rest[..^ext.Length];
                break;
            }
        }

        var quant = new List<string>();
        rest = QuantPattern().Replace(rest, m =>
        {
            quant.Add(NormaliseQuant(m));
            return "-";
        });
        if (extension is ".gguf" && !quant.Contains("GGUF")) quant.Add("GGUF");
        if (extension is ".onnx" && !quant.Contains("ONNX")) quant.Add("ONNX");

        var family = new List<string>();
        var variants = new List<string>();
        var remainder = new List<string>();
        string? publisher = null, version = null, revision = null, tier = null, context = null;
        ModelSizeTag? size = null;
        bool familyDone = false;

        string[] tokens = Separators().Split(rest).Where(t => t.Length > 0).ToArray();
        for (int i = 0; i < tokens.Length; i++)
        {
            string t = tokens[i];
            Match m;
            if (i == 0 && tokens.Length > 1 && Publishers.Contains(t))
            {
                publisher = t;
            }
            else if (ContextToken().IsMatch(t))
            {
                if (context is null) context = t; else remainder.Add(t);
                familyDone |= family.Count > 0;
            }
            else if (ModelSizeTag.TryParse(t, out var tag))
            {
                if (size is null) size = tag; else remainder.Add(t);
                familyDone |= family.Count > 0;
            }
            else if ((m = RevisionToken().Match(t)).Success)
            {
                if (revision is null) revision = m.Groups["r"].Value; else remainder.Add(t);
                familyDone |= family.Count > 0;
            }
            else if (VariantWords.TryGetValue(t, out string? variant))
            {
                variants.Add(variant);
                familyDone |= family.Count > 0;
            }
            else if (TierWords.Contains(t) && family.Count > 0)
            {
                if (tier is null) tier = t; else remainder.Add(t);
                familyDone = true;
            }
            else if (!familyDone && family.Count > 0 && version is null && VersionToken().IsMatch(t))
            {
                version = t;
                familyDone = true;
            }
            else if (!familyDone && family.Count == 0 && (m = FamilyWithVersion().Match(t)).Success
                     && !DigitFamilies.Contains(t))
            {
                family.Add(m.Groups["f"].Value);
                version = m.Groups["v"].Value;
                familyDone = true;
            }
            else if (!familyDone && !FormatWords.Contains(t))
            {
                family.Add(t);
            }
            else
            {
                remainder.Add(t);
            }
        }

        return new ModelName
        {
            Original = name,
            Organization = organization,
            Publisher = publisher,
            Family = string.Join('-', family),
            Version = version,
            Revision = revision,
            Tier = tier,
            SizeTag = size,
            ContextTag = context,
            Variants = variants,
            QuantizationTags = quant,
            FileExtension = extension,
            Remainder = string.Join('-', remainder),
        };
    }

    private static string NormaliseQuant(Match m)
    {
        string v = m.Value;
        if (m.Groups["gguf"].Success) return v.ToUpperInvariant();
        if (m.Groups["mlc"].Success) return v.ToLowerInvariant();
        return FormatWords.Contains(v) ? v.ToUpperInvariant() : v.ToLowerInvariant();
    }
}
