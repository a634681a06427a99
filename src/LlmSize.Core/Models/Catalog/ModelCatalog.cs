using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace LlmSize.Core.Models.Catalog;

/// <summary>
/// The built-in catalog of well-known models: their verbatim Hugging Face <c>config.json</c> and published parameter
/// count with sources, or, for models whose vendor has not disclosed a size, a note saying so. Lets the CLI answer
/// "how big is gemma-2b?" without a download, and "how big is GPT-4?" honestly.
/// </summary>
/// <remarks>
/// The catalog is the embedded resource <c>LlmSize.Core.Data.catalog.json</c> (source: <c>src/LlmSize.Core/Data/catalog.json</c>).
/// Look-ups are case-insensitive, ignore an <c>org/</c> prefix, treat spaces and underscores as '-', and accept a
/// trailing instruction-tuning suffix (<c>-it</c>, <c>-instruct</c>, <c>-chat</c>, <c>-chat-hf</c>) when exactly one
/// entry matches the name without it (the tuned model has the base model's shapes). WebLLM model ids
/// (<c>&lt;base&gt;-&lt;quantization&gt;-MLC</c>, optionally <c>-1k</c>, e.g. <c>Llama-3.2-1B-Instruct-q4f16_1-MLC</c>;
/// mlc-ai/web-llm <c>src/config.ts</c> <c>prebuiltAppConfig</c>) resolve through their base name; see
/// <see cref="TryParseWebLlmId"/>.
/// </remarks>
public sealed partial class ModelCatalog
{
    /// <summary>Name of the embedded catalog resource.</summary>
    public const string ResourceName = "LlmSize.Core.Data.catalog.json";

    /// <summary>Longest name accepted by <see cref="SuggestNearest"/>, in characters (bounds the edit-distance work).</summary>
    public const int MaxQueryLength = 256;

    /// <summary>Largest catalog document accepted by <see cref="Load"/>, in bytes (16 MiB).</summary>
    public const int MaxDocumentBytes = 16 << 20;

    private static readonly Lazy<ModelCatalog> DefaultCatalog = new(LoadEmbedded);

    private readonly Dictionary<string, CatalogEntry> _byKey;

    private ModelCatalog(IReadOnlyList<CatalogEntry> entries, Dictionary<string, CatalogEntry> byKey)
    {
        Entries = entries;
        _byKey = byKey;
    }

    /// <summary>The built-in catalog, loaded once from the embedded resource.</summary>
    public static ModelCatalog Default => DefaultCatalog.Value;

    /// <summary>Every entry, in catalog order.</summary>
    public IReadOnlyList<CatalogEntry> Entries { get; }

    private static ModelCatalog LoadEmbedded()
    {
        using Stream stream = typeof(ModelCatalog).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"Embedded resource {ResourceName} is missing from LlmSize.Core.");
        using var buffer = new MemoryStream();
        stream.CopyTo(buffer);
        return Load(buffer.ToArray(), ResourceName);
    }

    /// <summary>Loads a catalog document (the format of <c>Data/catalog.json</c>).</summary>
    /// <param name="utf8Json">The UTF-8 JSON document.</param>
    /// <param name="sourceName">Name used in error messages (file or resource name).</param>
    /// <returns>The catalog.</returns>
    /// <exception cref="ModelFormatException">The document is larger than <see cref="MaxDocumentBytes"/>
    /// (<see cref="ModelFormatError.HeaderTooLarge"/>), not JSON or of the wrong shape (<see cref="ModelFormatError.InvalidJson"/>),
    /// lacks a required field, or has a non-verbatim config without a note (<see cref="ModelFormatError.MissingField"/>), repeats an id or alias
    /// (<see cref="ModelFormatError.DuplicateKey"/>), or has an entry that is neither disclosed with a config nor
    /// marked undisclosed, or a negative count (<see cref="ModelFormatError.InvalidValue"/>).</exception>
    public static ModelCatalog Load(ReadOnlySpan<byte> utf8Json, string? sourceName = null)
    {
        if (utf8Json.Length > MaxDocumentBytes)
        {
            throw new ModelFormatException(ModelFormatError.HeaderTooLarge,
                $"Catalog document of {utf8Json.Length:N0} bytes exceeds the {MaxDocumentBytes:N0}-byte limit.", sourceName);
        }

        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(utf8Json.ToArray(), new JsonDocumentOptions { MaxDepth = 64 });
        }
        catch (JsonException ex)
        {
            throw new ModelFormatException(ModelFormatError.InvalidJson, "Catalog is not valid JSON: " + ex.Message,
                sourceName, inner: ex);
        }

        using (doc)
        {
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("entries", out var list))
            {
                throw new ModelFormatException(ModelFormatError.MissingField, "Catalog has no \"entries\" array.", sourceName, field: "entries");
            }

            if (list.ValueKind != JsonValueKind.Array)
            {
                throw new ModelFormatException(ModelFormatError.InvalidJson, "\"entries\" is not an array.", sourceName, field: "entries");
            }

            var entries = new List<CatalogEntry>();
            var byKey = new Dictionary<string, CatalogEntry>(StringComparer.Ordinal);
            int index = 0;
            foreach (var item in list.EnumerateArray())
            {
                var entry = ReadEntry(item, index, sourceName);
                foreach (string key in new[] { entry.Id }.Concat(entry.Aliases))
                {
                    string k = Normalize(key);
                    if (byKey.TryGetValue(k, out var other) && !ReferenceEquals(other, entry))
                    {
                        throw new ModelFormatException(ModelFormatError.DuplicateKey,
                            $"Name '{key}' of entry '{entry.Id}' is already used by entry '{other.Id}'.", sourceName, field: $"entries[{index}]");
                    }

                    byKey[k] = entry;
                }

                entries.Add(entry);
                index++;
            }

            return new ModelCatalog(entries, byKey);
        }
    }

    private static CatalogEntry ReadEntry(JsonElement e, int index, string? sourceName)
    {
        string path = $"entries[{index}]";
        if (e.ValueKind != JsonValueKind.Object)
        {
            throw new ModelFormatException(ModelFormatError.InvalidJson, $"{path} is not an object.", sourceName, field: path);
        }

        string id = RequiredString(e, "id", path, sourceName);
        string at = $"{path} ('{id}')";
        bool disclosed = true;
        if (e.TryGetProperty("disclosed", out var d))
        {
            disclosed = d.ValueKind switch
            {
                JsonValueKind.True => true,
                JsonValueKind.False => false,
                _ => throw new ModelFormatException(ModelFormatError.InvalidJson, $"{at}.disclosed is not a boolean.", sourceName, field: path + ".disclosed"),
            };
        }

        JsonElement? config = null;
        if (e.TryGetProperty("config", out var c))
        {
            if (c.ValueKind != JsonValueKind.Object)
            {
                throw new ModelFormatException(ModelFormatError.InvalidJson, $"{at}.config is not an object.", sourceName, field: path + ".config");
            }

            config = c.Clone();
        }

        if (disclosed && config is null)
        {
            throw new ModelFormatException(ModelFormatError.InvalidValue,
                $"{at} has no config and is not marked \"disclosed\": false.", sourceName, field: path + ".config");
        }

        if (!disclosed && config is not null)
        {
            throw new ModelFormatException(ModelFormatError.InvalidValue,
                $"{at} is marked undisclosed but carries a config.", sourceName, field: path + ".config");
        }

        bool verbatim = true;
        if (e.TryGetProperty("configVerbatim", out var cv))
        {
            verbatim = cv.ValueKind switch
            {
                JsonValueKind.True => true,
                JsonValueKind.False => false,
                _ => throw new ModelFormatException(ModelFormatError.InvalidJson, $"{at}.configVerbatim is not a boolean.", sourceName, field: path + ".configVerbatim"),
            };
        }

        string? configNote = OptionalString(e, "configNote", at, sourceName);
        if (config is not null && !verbatim && string.IsNullOrWhiteSpace(configNote))
        {
            throw new ModelFormatException(ModelFormatError.MissingField,
                $"{at} has a non-verbatim config without a \"configNote\" saying how it was verified.", sourceName, field: path + ".configNote");
        }

        long? published = null;
        if (e.TryGetProperty("publishedParameters", out var p) && p.ValueKind != JsonValueKind.Null)
        {
            if (p.ValueKind != JsonValueKind.Number || !p.TryGetInt64(out long v))
            {
                throw new ModelFormatException(ModelFormatError.InvalidJson, $"{at}.publishedParameters is not a 64-bit integer.", sourceName, field: path + ".publishedParameters");
            }

            if (v <= 0)
            {
                throw new ModelFormatException(ModelFormatError.InvalidValue, $"{at}.publishedParameters is {v}; it must be positive.", sourceName, field: path + ".publishedParameters");
            }

            published = v;
        }

        var aliases = new List<string>();
        if (e.TryGetProperty("aliases", out var a))
        {
            if (a.ValueKind != JsonValueKind.Array)
            {
                throw new ModelFormatException(ModelFormatError.InvalidJson, $"{at}.aliases is not an array.", sourceName, field: path + ".aliases");
            }

            foreach (var s in a.EnumerateArray())
            {
                if (s.ValueKind != JsonValueKind.String || string.IsNullOrWhiteSpace(s.GetString()))
                {
                    throw new ModelFormatException(ModelFormatError.InvalidJson, $"{at}.aliases holds a non-string or blank value.", sourceName, field: path + ".aliases");
                }

                aliases.Add(s.GetString()!);
            }
        }

        return new CatalogEntry
        {
            Id = id,
            Aliases = aliases,
            DisplayName = RequiredString(e, "displayName", at, sourceName),
            Family = RequiredString(e, "family", at, sourceName),
            Publisher = RequiredString(e, "publisher", at, sourceName),
            Source = RequiredString(e, "source", at, sourceName),
            Disclosed = disclosed,
            Note = OptionalString(e, "note", at, sourceName),
            PublishedParameters = published,
            ParameterSource = OptionalString(e, "parameterSource", at, sourceName),
            Config = config,
            ConfigIsVerbatim = config is not null && verbatim,
            ConfigNote = configNote,
        };
    }

    private static string RequiredString(JsonElement e, string name, string at, string? sourceName)
    {
        if (!e.TryGetProperty(name, out var v))
        {
            throw new ModelFormatException(ModelFormatError.MissingField, $"{at} has no \"{name}\".", sourceName, field: $"{at}.{name}");
        }

        if (v.ValueKind != JsonValueKind.String || string.IsNullOrWhiteSpace(v.GetString()))
        {
            throw new ModelFormatException(ModelFormatError.InvalidJson, $"{at}.{name} is not a non-blank string.", sourceName, field: $"{at}.{name}");
        }

        return v.GetString()!;
    }

    private static string? OptionalString(JsonElement e, string name, string at, string? sourceName)
    {
        if (!e.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null) return null;
        if (v.ValueKind != JsonValueKind.String)
        {
            throw new ModelFormatException(ModelFormatError.InvalidJson, $"{at}.{name} is not a string.", sourceName, field: $"{at}.{name}");
        }

        return v.GetString();
    }

    /// <summary>
    /// Normalises a name for look-up: trimmed, lower case, any <c>org/</c> prefix removed, spaces and underscores as '-'.
    /// </summary>
    /// <param name="name">A model name.</param>
    /// <returns>The look-up key.</returns>
    internal static string Normalize(string name)
    {
        string s = name.Trim();
        int slash = s.LastIndexOf('/');
        if (slash >= 0) s = s[(slash + 1)..];
        return s.ToLowerInvariant().Replace(' ', '-').Replace('_', '-');
    }

    /// <summary>Finds an entry by id or alias (rules in the type's remarks).</summary>
    /// <param name="nameOrAlias">"gemma-2b", "google/gemma-2b", "Gemma-2B-it", "Gemini 1.5 Pro",
    /// "Llama-3.2-1B-Instruct-q4f16_1-MLC".</param>
    /// <param name="entry">The entry when found.</param>
    /// <returns>False when no entry matches, or when a stripped -it / -instruct / -chat suffix leaves a name several
    /// entries start with.</returns>
    public bool TryFind(string? nameOrAlias, [NotNullWhen(true)] out CatalogEntry? entry) => TryFind(nameOrAlias, out entry, out _);

    /// <summary>Finds an entry by id, alias or WebLLM model id (rules in the type's remarks), and says which WebLLM
    /// quantization the name carried.</summary>
    /// <param name="nameOrAlias">A name, as for <see cref="TryFind(string?, out CatalogEntry?)"/>.</param>
    /// <param name="entry">The entry when found.</param>
    /// <param name="webLlmQuantization">When the entry was found through a WebLLM model id: its quantization
    /// (<c>q4f16_1</c>, <c>q4f32_1</c>, <c>q0f16</c>, <c>q0f32</c>, <c>q3f16_1</c> …, a WebLLM / MLC weight format
    /// name); else null.</param>
    /// <returns>False when no entry matches or the match is ambiguous.</returns>
    public bool TryFind(string? nameOrAlias, [NotNullWhen(true)] out CatalogEntry? entry, out string? webLlmQuantization)
    {
        entry = null;
        webLlmQuantization = null;
        if (string.IsNullOrWhiteSpace(nameOrAlias) || nameOrAlias.Length > MaxQueryLength) return false;
        if (TryFindKey(Normalize(nameOrAlias), out entry)) return true;
        if (TryParseWebLlmId(nameOrAlias, out string? baseName, out string? quantization)
            && TryFindKey(Normalize(baseName), out entry))
        {
            webLlmQuantization = quantization;
            return true;
        }

        return false;
    }

    /// <summary>
    /// Splits a WebLLM / MLC model id into its base model name and quantization: <c>&lt;base&gt;-&lt;quant&gt;-MLC</c>
    /// with an optional <c>-1k</c> (WebLLM's 1,024-token context-window build, same weights) and an optional
    /// <c>org/</c> prefix (<c>mlc-ai/…</c> on Hugging Face). The quantization is <c>q&lt;weight bits&gt;f&lt;float
    /// bits&gt;</c> with an optional <c>_&lt;variant&gt;</c> (mlc-llm quantization names: <c>q4f16_1</c>,
    /// <c>q4f32_1</c>, <c>q3f16_1</c>, <c>q0f16</c>, <c>q0f32</c>). Matching is case-insensitive.
    /// </summary>
    /// <param name="modelId">"Llama-3.2-1B-Instruct-q4f16_1-MLC", "gemma-2-2b-it-q4f32_1-MLC-1k".</param>
    /// <param name="baseName">The name before the quantization ("Llama-3.2-1B-Instruct").</param>
    /// <param name="quantization">The quantization, lower case with '_' ("q4f16_1").</param>
    /// <returns>False when the text is not of that form (or longer than <see cref="MaxQueryLength"/>).</returns>
    public static bool TryParseWebLlmId(string? modelId, [NotNullWhen(true)] out string? baseName, [NotNullWhen(true)] out string? quantization)
    {
        baseName = null;
        quantization = null;
        if (string.IsNullOrWhiteSpace(modelId) || modelId.Length > MaxQueryLength) return false;
        string s = modelId.Trim();
        int slash = s.LastIndexOf('/');
        if (slash >= 0) s = s[(slash + 1)..];
        Match m = WebLlmId().Match(s);
        if (!m.Success) return false;
        baseName = m.Groups["base"].Value;
        quantization = m.Groups["quant"].Value.ToLowerInvariant().Replace('-', '_');
        return true;
    }

    [GeneratedRegex(@"^(?<base>.+?)[-_](?<quant>q\d{1,2}f\d{1,2}(?:[_-]\d{1,2})?)-mlc(?:-1k)?$",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 1000)]
    private static partial Regex WebLlmId();

    /// <summary>Instruction-tuning suffixes accepted after a base model's name (same shapes as the base model).</summary>
    private static readonly string[] TunedSuffixes = ["-it", "-instruct", "-chat", "-chat-hf"];

    private bool TryFindKey(string key, [NotNullWhen(true)] out CatalogEntry? entry)
    {
        if (_byKey.TryGetValue(key, out entry)) return true;

        foreach (string suffix in TunedSuffixes)
        {
            if (!key.EndsWith(suffix, StringComparison.Ordinal) || key.Length == suffix.Length) continue;
            string stem = key[..^suffix.Length];
            var matches = _byKey
                .Where(kv => kv.Key == stem || kv.Key.StartsWith(stem + "-", StringComparison.Ordinal))
                .Select(kv => kv.Value)
                .Distinct()
                .Take(2)
                .ToList();
            if (matches.Count == 1)
            {
                entry = matches[0];
                return true;
            }
        }

        entry = null;
        return false;
    }

    /// <summary>
    /// The entries whose id or an alias is nearest to <paramref name="name"/> by edit distance (Levenshtein, on
    /// normalised names), for "did you mean …?". Entries entirely unlike the name (distance ≥ the longer length) are
    /// left out.
    /// </summary>
    /// <param name="name">The name that was not found.</param>
    /// <param name="max">Most entries to return, ≥ 1.</param>
    /// <returns>Up to <paramref name="max"/> entries, nearest first (ties by id).</returns>
    /// <exception cref="ArgumentException"><paramref name="name"/> is null, blank or longer than <see cref="MaxQueryLength"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="max"/> is less than 1.</exception>
    public IReadOnlyList<CatalogEntry> SuggestNearest(string name, int max)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        if (name.Length > MaxQueryLength)
        {
            throw new ArgumentException($"Name is longer than {MaxQueryLength} characters.", nameof(name));
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(max, 1);
        string key = Normalize(name);
        return _byKey
            .Select(kv => (kv.Value, Distance: EditDistance(key, kv.Key), Longer: Math.Max(key.Length, kv.Key.Length)))
            .Where(x => x.Distance < x.Longer)
            .GroupBy(x => x.Value)
            .Select(g => (Entry: g.Key, Distance: g.Min(x => x.Distance)))
            .OrderBy(x => x.Distance)
            .ThenBy(x => x.Entry.Id, StringComparer.Ordinal)
            .Take(max)
            .Select(x => x.Entry)
            .ToArray();
    }

    /// <summary>Levenshtein distance (see <see cref="LlmSize.Core.EditDistance"/>).</summary>
    /// <param name="a">First string.</param>
    /// <param name="b">Second string.</param>
    /// <returns>The distance.</returns>
    internal static int EditDistance(string a, string b) => Core.EditDistance.Levenshtein(a, b);
}
