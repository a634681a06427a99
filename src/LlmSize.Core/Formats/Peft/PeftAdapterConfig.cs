using System.Collections.Immutable;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace LlmSize.Core.Formats.Peft;

/// <summary>
/// The fields of a PEFT LoRA <c>adapter_config.json</c> that decide sizes and merging. Field names and defaults
/// follow peft/tuners/lora/config.py (<c>LoraConfig</c>); unknown fields are ignored, as PEFT ignores them.
/// </summary>
public sealed record PeftAdapterConfig
{
    /// <summary><c>peft_type</c>, e.g. "LORA".</summary>
    public required string PeftType { get; init; }

    /// <summary><c>base_model_name_or_path</c>: the model this adapter must be applied to (hub id or path), or null.</summary>
    public string? BaseModelNameOrPath { get; init; }

    /// <summary><c>revision</c> of the base model, or null.</summary>
    public string? Revision { get; init; }

    /// <summary><c>task_type</c> ("CAUSAL_LM", "SEQ_CLS" …), or null.</summary>
    public string? TaskType { get; init; }

    /// <summary><c>r</c>: default LoRA rank, &gt; 0 (default 8).</summary>
    public int Rank { get; init; } = PeftConstants.DefaultRank;

    /// <summary><c>lora_alpha</c> (default 8).</summary>
    public double LoraAlpha { get; init; } = PeftConstants.DefaultAlpha;

    /// <summary><c>target_modules</c> given as a list of module-name suffixes (empty when given as a regex or absent).</summary>
    public ImmutableArray<string> TargetModules { get; init; } = [];

    /// <summary><c>target_modules</c> given as one string: a regex PEFT full-matches against module paths, or the
    /// special value "all-linear". Null when given as a list.</summary>
    public string? TargetModulesPattern { get; init; }

    /// <summary><c>modules_to_save</c>: modules stored as full trainable copies (classifier heads …).</summary>
    public ImmutableArray<string> ModulesToSave { get; init; } = [];

    /// <summary><c>fan_in_fan_out</c>: the base layer stores its weight as (in, out), e.g. GPT-2's Conv1D; merging
    /// transposes B·A.</summary>
    public bool FanInFanOut { get; init; }

    /// <summary><c>use_dora</c>: DoRA adds a magnitude vector of out_features per adapted layer.</summary>
    public bool UseDora { get; init; }

    /// <summary><c>use_rslora</c>: scaling is alpha/√r instead of alpha/r.</summary>
    public bool UseRsLora { get; init; }

    /// <summary><c>rank_pattern</c>: module-name pattern → rank overriding <see cref="Rank"/>, in file order.</summary>
    public ImmutableArray<KeyValuePair<string, int>> RankPattern { get; init; } = [];

    /// <summary><c>alpha_pattern</c>: module-name pattern → alpha overriding <see cref="LoraAlpha"/>, in file order.</summary>
    public ImmutableArray<KeyValuePair<string, double>> AlphaPattern { get; init; } = [];

    /// <summary><c>bias</c>: "none", "all" or "lora_only".</summary>
    public string Bias { get; init; } = "none";

    /// <summary>
    /// The rank PEFT uses for the module at <paramref name="modulePath"/>: the first <see cref="RankPattern"/> key
    /// <c>p</c> for which <c>(.*\.)?(p)$</c> matches the path (peft/utils/other.py <c>get_pattern_key</c>), else
    /// <see cref="Rank"/>.
    /// </summary>
    /// <param name="modulePath">Module path without the <c>base_model.model.</c> prefix.</param>
    /// <returns>The rank.</returns>
    public int GetRank(string modulePath) => PeftPatternSet.For(this).TryRank(modulePath, out int r) ? r : Rank;

    /// <summary>The alpha PEFT uses for the module (same matching as <see cref="GetRank"/> over <see cref="AlphaPattern"/>).</summary>
    /// <param name="modulePath">Module path without the <c>base_model.model.</c> prefix.</param>
    /// <returns>The alpha.</returns>
    public double GetAlpha(string modulePath) => PeftPatternSet.For(this).TryAlpha(modulePath, out double a) ? a : LoraAlpha;

    /// <summary>
    /// The factor merging multiplies B·A by: alpha/r, or alpha/√r with <see cref="UseRsLora"/>
    /// (peft/tuners/lora/layer.py <c>update_layer</c>).
    /// </summary>
    /// <param name="modulePath">Module path without the <c>base_model.model.</c> prefix.</param>
    /// <returns>The scaling factor.</returns>
    public double GetScaling(string modulePath)
    {
        int r = GetRank(modulePath);
        double alpha = GetAlpha(modulePath);
        return UseRsLora ? alpha / Math.Sqrt(r) : alpha / r;
    }

    /// <summary>
    /// Whether PEFT would adapt the module at <paramref name="modulePath"/>: a list entry equal to the path or to its
    /// trailing dotted part (<c>key == t or key.endswith("." + t)</c>), or a string pattern full-matching the path
    /// (peft/tuners/tuners_utils.py <c>check_target_module_exists</c>). "all-linear" matches every path (the caller
    /// knows which modules are linear).
    /// </summary>
    /// <param name="modulePath">Module path without the <c>base_model.model.</c> prefix.</param>
    /// <returns>True when targeted.</returns>
    public bool IsTargeted(string modulePath) => PeftPatternSet.For(this).IsTargeted(this, modulePath);

    /// <summary>
    /// <see cref="ModulesToSave"/> plus the heads PEFT adds by itself for the task: <c>["classifier", "score"]</c>
    /// for SEQ_CLS and TOKEN_CLS, <c>["qa_outputs"]</c> for QUESTION_ANS (peft/peft_model.py,
    /// <c>PeftModelForSequenceClassification.__init__</c> and siblings). This is why the GPT-2 SEQ_CLS adapter
    /// with <c>modules_to_save: null</c> still stores <c>score.weight</c>.
    /// </summary>
    public ImmutableArray<string> EffectiveModulesToSave => TaskType switch
    {
        "SEQ_CLS" or "TOKEN_CLS" => [.. ModulesToSave.Union(["classifier", "score"])],
        "QUESTION_ANS" => [.. ModulesToSave.Union(["qa_outputs"])],
        _ => ModulesToSave,
    };

    /// <summary>
    /// Whether PEFT saves the module as a full copy: its path ends with an entry of <see cref="EffectiveModulesToSave"/>
    /// as a plain string suffix (<c>any(key.endswith(target_key) …)</c> in peft/utils/other.py <c>_set_trainable</c>;
    /// no dot is required, so "classifier" also selects DistilBERT's <c>pre_classifier</c>).
    /// </summary>
    /// <param name="modulePath">Module path without the <c>base_model.model.</c> prefix.</param>
    /// <returns>True when saved as a full copy.</returns>
    public bool IsModuleToSave(string modulePath) =>
        EffectiveModulesToSave.Any(t => modulePath.EndsWith(t, StringComparison.Ordinal));

    /// <summary>Parses <c>adapter_config.json</c> bytes.</summary>
    /// <param name="json">UTF-8 JSON.</param>
    /// <param name="filePath">Path for error messages.</param>
    /// <param name="options">Limits; null for defaults.</param>
    /// <returns>The config.</returns>
    /// <exception cref="ModelFormatException">Not JSON or wrong field types (<see cref="ModelFormatError.InvalidJson"/>),
    /// r ≤ 0 or a non-positive rank_pattern value (<see cref="ModelFormatError.InvalidValue"/>), a list over the cap
    /// (<see cref="ModelFormatError.CountTooLarge"/>).</exception>
    /// <exception cref="NotSupportedException">A PEFT method other than LoRA (peft_type not "LORA").</exception>
    public static PeftAdapterConfig Parse(ReadOnlySpan<byte> json, string? filePath = null, PeftReaderOptions? options = null)
    {
        options ??= PeftReaderOptions.Default;
        JsonUtf8.Ensure(json, filePath, "adapter config");
        JsonDocument doc;
        try
        {
            var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = 16 });
            doc = JsonDocument.ParseValue(ref reader);
        }
        catch (JsonException ex)
        {
            throw new ModelFormatException(ModelFormatError.InvalidJson, "adapter config is " + JsonSyntaxError.Describe(ex, json), filePath, JsonSyntaxError.Offset(ex, json), null, ex);
        }

        using (doc)
        {
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object) PeftThrowHelper.Throw(ModelFormatError.InvalidJson, "adapter config root is not a JSON object", filePath);

            string peftType = OptString(root, "peft_type", filePath)
                ?? PeftThrowHelper.Throw<string>(ModelFormatError.MissingField, "adapter config has no 'peft_type'", filePath, "peft_type");
            if (peftType != "LORA")
                throw new NotSupportedException($"{filePath}: PEFT method '{peftType}' is not supported; only LORA adapters are read.");

            int rank = PeftConstants.DefaultRank;
            if (root.TryGetProperty("r", out var r) && r.ValueKind != JsonValueKind.Null)
            {
                if (r.ValueKind != JsonValueKind.Number || !r.TryGetInt32(out rank))
                    PeftThrowHelper.Throw(ModelFormatError.InvalidJson, "'r' is not an integer", filePath, "r");
                if (rank <= 0) PeftThrowHelper.Throw(ModelFormatError.InvalidValue, $"'r' is {rank}; the LoRA rank must be > 0", filePath, "r");
            }

            double alpha = PeftConstants.DefaultAlpha;
            if (root.TryGetProperty("lora_alpha", out var a) && a.ValueKind != JsonValueKind.Null)
            {
                if (a.ValueKind != JsonValueKind.Number) PeftThrowHelper.Throw(ModelFormatError.InvalidJson, "'lora_alpha' is not a number", filePath, "lora_alpha");
                alpha = a.GetDouble();
            }

            ImmutableArray<string> targets = [];
            string? targetPattern = null;
            if (root.TryGetProperty("target_modules", out var tm))
            {
                if (tm.ValueKind == JsonValueKind.String) targetPattern = tm.GetString();
                else targets = StringList(tm, "target_modules", filePath, options);
            }

            ImmutableArray<string> toSave = root.TryGetProperty("modules_to_save", out var ms) ? StringList(ms, "modules_to_save", filePath, options) : [];

            var rankPattern = ImmutableArray.CreateBuilder<KeyValuePair<string, int>>();
            foreach (var (k, v) in NumberMap(root, "rank_pattern", filePath, options))
            {
                if (v != Math.Floor(v) || v <= 0 || v > int.MaxValue)
                    PeftThrowHelper.Throw(ModelFormatError.InvalidValue, $"rank_pattern['{k}'] = {v} is not a positive integer rank", filePath, "rank_pattern");
                rankPattern.Add(new(k, (int)v));
            }

            var alphaPattern = NumberMap(root, "alpha_pattern", filePath, options).ToImmutableArray();

            var config = new PeftAdapterConfig
            {
                PeftType = peftType,
                BaseModelNameOrPath = OptString(root, "base_model_name_or_path", filePath),
                Revision = OptString(root, "revision", filePath),
                TaskType = OptString(root, "task_type", filePath),
                Rank = rank,
                LoraAlpha = alpha,
                TargetModules = targets,
                TargetModulesPattern = targetPattern,
                ModulesToSave = toSave,
                FanInFanOut = OptBool(root, "fan_in_fan_out", filePath),
                UseDora = OptBool(root, "use_dora", filePath),
                UseRsLora = OptBool(root, "use_rslora", filePath),
                RankPattern = rankPattern.ToImmutable(),
                AlphaPattern = alphaPattern,
                Bias = OptString(root, "bias", filePath) ?? "none",
            };

            // Each pattern compiled once, with one budget for all matching against this config (issue 13, class 3).
            PeftPatternSet.Attach(config, options, filePath);
            return config;
        }
    }

    private static string? OptString(JsonElement root, string name, string? file)
    {
        if (!root.TryGetProperty(name, out var e) || e.ValueKind == JsonValueKind.Null) return null;
        return e.ValueKind == JsonValueKind.String ? e.GetString() : PeftThrowHelper.Throw<string>(ModelFormatError.InvalidJson, $"'{name}' is not a string", file, name);
    }

    private static bool OptBool(JsonElement root, string name, string? file)
    {
        if (!root.TryGetProperty(name, out var e) || e.ValueKind == JsonValueKind.Null) return false;
        return e.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => PeftThrowHelper.Throw<bool>(ModelFormatError.InvalidJson, $"'{name}' is not a boolean", file, name),
        };
    }

    private static ImmutableArray<string> StringList(JsonElement e, string name, string? file, PeftReaderOptions options)
    {
        if (e.ValueKind == JsonValueKind.Null) return [];
        if (e.ValueKind != JsonValueKind.Array) PeftThrowHelper.Throw(ModelFormatError.InvalidJson, $"'{name}' is not a list of strings", file, name);
        int n = e.GetArrayLength();
        if (n > options.MaxListEntries) PeftThrowHelper.Throw(ModelFormatError.CountTooLarge, $"'{name}' has {n} entries (cap {options.MaxListEntries})", file, name);
        var b = ImmutableArray.CreateBuilder<string>(n);
        foreach (var item in e.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.String) PeftThrowHelper.Throw(ModelFormatError.InvalidJson, $"'{name}' holds a non-string entry", file, name);
            b.Add(item.GetString()!);
        }

        return b.MoveToImmutable();
    }

    private static List<KeyValuePair<string, double>> NumberMap(JsonElement root, string name, string? file, PeftReaderOptions options)
    {
        var list = new List<KeyValuePair<string, double>>();
        if (!root.TryGetProperty(name, out var e) || e.ValueKind == JsonValueKind.Null) return list;
        if (e.ValueKind != JsonValueKind.Object) PeftThrowHelper.Throw(ModelFormatError.InvalidJson, $"'{name}' is not an object", file, name);
        foreach (var p in e.EnumerateObject())
        {
            if (list.Count >= options.MaxListEntries) PeftThrowHelper.Throw(ModelFormatError.CountTooLarge, $"'{name}' has more than {options.MaxListEntries} entries", file, name);
            if (p.Value.ValueKind != JsonValueKind.Number) PeftThrowHelper.Throw(ModelFormatError.InvalidJson, $"'{name}['{p.Name}']' is not a number", file, name);
            list.Add(new(p.Name, p.Value.GetDouble()));
        }

        return list;
    }
}

/// <summary>PEFT's module-name matching rules (peft/tuners/tuners_utils.py, peft/utils/other.py).</summary>
public static class PeftModuleMatcher
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// True when <paramref name="modulePath"/> is selected by a target list (an entry equal to the path or to a
    /// trailing run of its dotted parts) or by a full-matching regex; "all-linear" selects everything.
    /// </summary>
    /// <param name="modulePath">Module path such as <c>transformer.h.0.attn.c_attn</c>.</param>
    /// <param name="names">List targets (may be empty).</param>
    /// <param name="pattern">Regex target or "all-linear" (may be null).</param>
    /// <returns>True when selected.</returns>
    public static bool Matches(string modulePath, IReadOnlyList<string> names, string? pattern)
    {
        ArgumentNullException.ThrowIfNull(modulePath);
        ArgumentNullException.ThrowIfNull(names);
        if (pattern is not null)
        {
            if (pattern == "all-linear") return true;
            try
            {
                return Regex.IsMatch(modulePath, "^(?:" + pattern + ")$", RegexOptions.CultureInvariant, Timeout);
            }
            catch (Exception ex) when (ex is RegexMatchTimeoutException or ArgumentException)
            {
                return false;
            }
        }

        foreach (string t in names)
        {
            if (modulePath == t || modulePath.EndsWith("." + t, StringComparison.Ordinal)) return true;
        }

        return false;
    }

    /// <summary>rank_pattern / alpha_pattern matching: <c>re.match(rf"(.*\.)?({key})$", path)</c>
    /// (peft/utils/other.py <c>get_pattern_key</c>).</summary>
    /// <param name="pattern">The pattern key.</param>
    /// <param name="modulePath">The module path.</param>
    /// <returns>True when the pattern selects the module.</returns>
    public static bool PatternMatches(string pattern, string modulePath)
    {
        try
        {
            return Regex.IsMatch(modulePath, @"^(?:.*\.)?(?:" + pattern + ")$", RegexOptions.CultureInvariant, Timeout);
        }
        catch (Exception ex) when (ex is RegexMatchTimeoutException or ArgumentException)
        {
            return false;
        }
    }
}
