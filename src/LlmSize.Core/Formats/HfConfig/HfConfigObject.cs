using System.Text.Json;

namespace LlmSize.Core.Formats.HfConfig;

/// <summary>Typed, validating access to the fields of one config JSON object (top level or <c>text_config</c>).</summary>
internal readonly struct HfConfigObject
{
    private readonly JsonElement _element;
    private readonly string? _file;
    private readonly string _prefix;
    private readonly HfConfigReaderOptions _options;

    public HfConfigObject(JsonElement element, string? file, string prefix, HfConfigReaderOptions options)
    {
        _element = element;
        _file = file;
        _prefix = prefix;
        _options = options;
    }

    public HfConfigReaderOptions Options => _options;

    /// <summary>The JSON object itself.</summary>
    public JsonElement Element => _element;

    public string? File => _file;

    /// <summary>Full field path for messages ("text_config.hidden_size").</summary>
    public string PathOf(string name) => _prefix + name;

    /// <summary>The value of <paramref name="name"/>, or null when absent or JSON null (transformers treats both as "use the default").</summary>
    public JsonElement? Get(string name) =>
        _element.TryGetProperty(name, out JsonElement v) && v.ValueKind != JsonValueKind.Null ? v : null;

    /// <summary>True when the key is in the object at all (even with a JSON null value).</summary>
    public bool HasKey(string name) => _element.TryGetProperty(name, out _);

    /// <summary>True when the field is present and not null.</summary>
    public bool Has(string name) => Get(name).HasValue;

    public string? GetString(string name)
    {
        if (Get(name) is not { } v)
        {
            return null;
        }

        if (v.ValueKind != JsonValueKind.String)
        {
            HfConfigThrowHelper.WrongType(PathOf(name), "a string", v.ValueKind, _file);
        }

        return v.GetString();
    }

    public bool? GetBool(string name)
    {
        if (Get(name) is not { } v)
        {
            return null;
        }

        if (v.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
        {
            HfConfigThrowHelper.WrongType(PathOf(name), "true or false", v.ValueKind, _file);
        }

        return v.ValueKind == JsonValueKind.True;
    }

    public bool GetBool(string name, bool fallback) => GetBool(name) ?? fallback;

    /// <summary>An integer field in 1..<paramref name="max"/>, or null when absent.</summary>
    public long? GetPositive(string name, long max)
    {
        if (Get(name) is not { } v)
        {
            return null;
        }

        if (v.ValueKind != JsonValueKind.Number)
        {
            HfConfigThrowHelper.WrongType(PathOf(name), "an integer", v.ValueKind, _file);
        }

        if (!v.TryGetInt64(out long value))
        {
            HfConfigThrowHelper.InvalidValue(PathOf(name), $"must be an integer; got {v.GetRawText()}", _file);
        }

        if (value <= 0)
        {
            HfConfigThrowHelper.InvalidValue(PathOf(name), $"must be positive; got {value}", _file);
        }

        if (value > max)
        {
            HfConfigThrowHelper.InvalidValue(PathOf(name), $"is {value}, above the limit {max}", _file);
        }

        return value;
    }

    /// <summary>The first present field of <paramref name="names"/> as an integer in 1..<paramref name="max"/>; throws MissingField naming the first when none is present.</summary>
    public long RequirePositive(long max, params string[] names)
    {
        foreach (string n in names)
        {
            if (GetPositive(n, max) is { } v)
            {
                return v;
            }
        }

        HfConfigThrowHelper.MissingField(PathOf(names[0]), _file,
            names.Length > 1 ? $"(nor {string.Join(", ", names[1..].Select(PathOf))})" : null);
        return 0;
    }

    /// <summary>The first present field of <paramref name="names"/> as an integer in 1..<paramref name="max"/>, or null.</summary>
    public long? FirstPositive(long max, params string[] names)
    {
        foreach (string n in names)
        {
            if (GetPositive(n, max) is { } v)
            {
                return v;
            }
        }

        return null;
    }

    public int RequireCount(params string[] names) => (int)RequirePositive(_options.MaxCount, names);

    public int? FirstCount(params string[] names) => (int?)FirstPositive(_options.MaxCount, names);

    public long RequireDimension(params string[] names) => RequirePositive(_options.MaxDimension, names);

    public long? FirstDimension(params string[] names) => FirstPositive(_options.MaxDimension, names);

    /// <summary>A width that must also fit an <see cref="int"/> (head_dim, d_kv).</summary>
    public int RequireIntDimension(string name) => (int)RequirePositive(Math.Min(_options.MaxDimension, int.MaxValue), name);

    /// <summary>A width that must also fit an <see cref="int"/>, or null when absent.</summary>
    public int? FirstIntDimension(string name) => (int?)FirstPositive(Math.Min(_options.MaxDimension, int.MaxValue), name);

    /// <summary>A token window that must also fit an <see cref="int"/> (sliding_window), or null when absent.</summary>
    public int? GetIntPositions(string name) => (int?)FirstPositive(Math.Min(_options.MaxPositions, int.MaxValue), name);

    public long RequireVocab(string name) => RequirePositive(_options.MaxVocabSize, name);

    public long? GetVocab(string name) => GetPositive(name, _options.MaxVocabSize);

    public long? GetPositions(params string[] names) => FirstPositive(_options.MaxPositions, names);

    /// <summary>The nested object <paramref name="name"/>, or null when absent.</summary>
    public HfConfigObject? GetObject(string name)
    {
        if (Get(name) is not { } v)
        {
            return null;
        }

        if (v.ValueKind != JsonValueKind.Object)
        {
            HfConfigThrowHelper.WrongType(PathOf(name), "an object", v.ValueKind, _file);
        }

        return new HfConfigObject(v, _file, PathOf(name) + ".", _options);
    }

    /// <summary>Elements of the array field <paramref name="name"/>, or null when absent.</summary>
    public JsonElement[]? GetArray(string name)
    {
        if (Get(name) is not { } v)
        {
            return null;
        }

        if (v.ValueKind != JsonValueKind.Array)
        {
            HfConfigThrowHelper.WrongType(PathOf(name), "an array", v.ValueKind, _file);
        }

        int n = v.GetArrayLength();
        if (n > _options.MaxCount)
        {
            HfConfigThrowHelper.InvalidValue(PathOf(name), $"has {n} elements, above the limit {_options.MaxCount}", _file);
        }

        return [.. v.EnumerateArray()];
    }

    /// <summary>The first element of the string array <c>architectures</c>, or null.</summary>
    public string? GetArchitectureName()
    {
        if (GetArray("architectures") is not { Length: > 0 } items)
        {
            return null;
        }

        if (items[0].ValueKind != JsonValueKind.String)
        {
            HfConfigThrowHelper.WrongType(PathOf("architectures") + "[0]", "a string", items[0].ValueKind, _file);
        }

        return items[0].GetString();
    }
}
