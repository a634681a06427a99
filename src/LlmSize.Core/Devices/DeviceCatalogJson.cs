using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace LlmSize.Core.Devices;

/// <summary>JSON shape of one profile in <c>devices.json</c> or a user's file (see the folder README for the schema).
/// Sizes are JSON numbers (bytes) or strings with a unit ("8 GiB"), parsed by <see cref="DeviceSpecParser"/>.</summary>
internal sealed class DeviceJson
{
    public string? Id { get; set; }
    public string? DisplayName { get; set; }
    public List<string>? Aliases { get; set; }
    public DeviceCategory? Category { get; set; }
    public string? Platform { get; set; }
    public JsonElement? Ram { get; set; }
    public JsonElement? GpuMemory { get; set; }
    public bool? UnifiedMemory { get; set; }
    public double? MemoryBandwidthGBps { get; set; }
    public double? GpuFp16Tflops { get; set; }
    public double? GpuFp32Tflops { get; set; }
    public int? CpuCores { get; set; }
    public int? CpuBigCores { get; set; }
    public WebGpuJson? WebGpu { get; set; }
    public JsonElement? FreeStorage { get; set; }
    public JsonElement? AppMemoryLimit { get; set; }
    public string? Network { get; set; }
    public string? Notes { get; set; }
    public List<SourceJson>? Sources { get; set; }
}

/// <summary>JSON shape of <see cref="WebGpuLimits"/>.</summary>
internal sealed class WebGpuJson
{
    public string? Browser { get; set; }
    public JsonElement? MaxBufferSize { get; set; }
    public JsonElement? MaxStorageBufferBindingSize { get; set; }
    public bool? ShaderF16 { get; set; }
    public WebGpuLimitsBasis? Basis { get; set; }
}

/// <summary>JSON shape of <see cref="DeviceSource"/>.</summary>
internal sealed class SourceJson
{
    public string? Url { get; set; }
    public string? Supports { get; set; }
}

/// <summary>JSON shape of a catalog file: <c>{"schemaVersion": 1, "devices": [ … ]}</c>.</summary>
internal sealed class DeviceFileJson
{
    public int? SchemaVersion { get; set; }
    public string? Notes { get; set; }
    public List<DeviceJson>? Devices { get; set; }
}

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    UseStringEnumConverter = true,
    UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    ReadCommentHandling = JsonCommentHandling.Skip,
    AllowTrailingCommas = true,
    MaxDepth = 16)]
[JsonSerializable(typeof(DeviceJson))]
[JsonSerializable(typeof(DeviceFileJson))]
internal sealed partial class DeviceJsonContext : JsonSerializerContext;

/// <summary>Turns JSON bytes into validated <see cref="DeviceProfile"/>s, throwing <see cref="ModelFormatException"/>
/// that names the file and the field (<c>devices[3] 'pixel-8': memoryBandwidthGBps</c>).</summary>
internal static class DeviceCatalogJsonReader
{
    /// <summary>Current schema version of <c>devices.json</c>.</summary>
    public const int SchemaVersion = 1;

    public static List<DeviceProfile> Read(ReadOnlyMemory<byte> utf8, string? file, DeviceCatalogOptions options)
    {
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(utf8, new JsonDocumentOptions
            {
                AllowTrailingCommas = true,
                CommentHandling = JsonCommentHandling.Skip,
                MaxDepth = Math.Clamp(options.MaxDepth, 1, 64),
            });
        }
        catch (JsonException e)
        {
            throw new ModelFormatException(ModelFormatError.InvalidJson,
                JsonSyntaxError.Describe(e, utf8.Span), file, JsonSyntaxError.Offset(e, utf8.Span), null, e);
        }

        using (doc)
        {
            JsonElement root = doc.RootElement;
            List<(JsonElement Element, string Where)> items = [];
            switch (root.ValueKind)
            {
                case JsonValueKind.Array:
                    AddItems(root, "", items, file, options);
                    break;
                case JsonValueKind.Object when root.TryGetProperty("devices", out _):
                    DeviceFileJson header = ReadHeader(root, file);
                    if (header.SchemaVersion is { } v && v != SchemaVersion)
                    {
                        throw new ModelFormatException(ModelFormatError.UnsupportedVersion,
                            Inv($"schemaVersion {v} is not supported (this build reads {SchemaVersion})."), file, null, "schemaVersion");
                    }

                    JsonElement devices = root.GetProperty("devices");
                    if (devices.ValueKind != JsonValueKind.Array)
                    {
                        throw new ModelFormatException(ModelFormatError.InvalidJson, "'devices' must be an array of profiles.",
                            file, null, "devices");
                    }

                    AddItems(devices, "devices", items, file, options);
                    break;
                case JsonValueKind.Object:
                    items.Add((root, "(profile)"));
                    break;
                default:
                    throw new ModelFormatException(ModelFormatError.InvalidJson,
                        $"expected a profile object, an array of profiles or {{\"devices\": [...]}}, found {root.ValueKind}.", file);
            }

            var profiles = new List<DeviceProfile>(items.Count);
            var ids = new HashSet<string>(StringComparer.Ordinal);
            foreach ((JsonElement element, string where) in items)
            {
                DeviceJson dto = Deserialize(element, file, where);
                DeviceProfile profile = ToProfile(dto, file, where, options);
                if (!ids.Add(profile.Id))
                {
                    throw new ModelFormatException(ModelFormatError.DuplicateKey,
                        $"device id '{profile.Id}' appears more than once.", file, null, $"{where}.id");
                }

                profiles.Add(profile);
            }

            return profiles;
        }
    }

    private static void AddItems(JsonElement array, string prefix, List<(JsonElement, string)> items, string? file,
        DeviceCatalogOptions options)
    {
        int count = array.GetArrayLength();
        if (count > options.MaxProfiles)
        {
            throw new ModelFormatException(ModelFormatError.CountTooLarge,
                Inv($"{count} profiles exceed the limit of {options.MaxProfiles}."), file, null, prefix.Length == 0 ? null : prefix);
        }

        int i = 0;
        foreach (JsonElement e in array.EnumerateArray())
        {
            string where = Inv($"{prefix}[{i}]");
            if (e.ValueKind != JsonValueKind.Object)
            {
                throw new ModelFormatException(ModelFormatError.InvalidJson, $"each profile must be a JSON object, found {e.ValueKind}.",
                    file, null, where);
            }

            items.Add((e, where));
            i++;
        }
    }

    /// <summary>Reads the header fields of <c>{"schemaVersion", "notes", "devices"}</c>; the devices array is walked
    /// element by element by the caller so that errors can name the index.</summary>
    private static DeviceFileJson ReadHeader(JsonElement element, string? file)
    {
        var header = new DeviceFileJson();
        foreach (JsonProperty p in element.EnumerateObject())
        {
            switch (p.Name)
            {
                case "schemaVersion":
                    header.SchemaVersion = p.Value.ValueKind == JsonValueKind.Number && p.Value.TryGetInt32(out int v)
                        ? v
                        : throw new ModelFormatException(ModelFormatError.InvalidJson, "schemaVersion must be an integer.",
                            file, null, "schemaVersion");
                    break;
                case "devices" or "notes" or "$schema" or "$comment":
                    break;
                default:
                    throw new ModelFormatException(ModelFormatError.InvalidJson,
                        $"unknown top-level property '{p.Name}' (expected schemaVersion, notes, devices).", file, null, p.Name);
            }
        }

        return header;
    }

    private static DeviceJson Deserialize(JsonElement element, string? file, string where)
    {
        try
        {
            return element.Deserialize(DeviceJsonContext.Default.DeviceJson)
                ?? throw new ModelFormatException(ModelFormatError.InvalidJson, "profile is null.", file, null, where);
        }
        catch (JsonException e)
        {
            string path = string.IsNullOrEmpty(e.Path) || e.Path == "$" ? where : where + e.Path.TrimStart('$');
            throw new ModelFormatException(ModelFormatError.InvalidJson, DescribeShapeError(e.Path), file, null, path, e);
        }
    }

    /// <summary>Says which property a deserialization failure is about, in our words: an unknown property (with the
    /// nearest known names) or a known one of the wrong JSON type (with the type it takes).</summary>
    /// <param name="jsonPath">System.Text.Json's path of the failure, e.g. <c>$.webGpu.maxBufferSize</c>.</param>
    private static string DescribeShapeError(string? jsonPath)
    {
        Type owner = typeof(DeviceJson);
        string[] parts = (jsonPath ?? "$").TrimStart('$').Split('.', StringSplitOptions.RemoveEmptyEntries);
        string name = parts.Length > 0 ? parts[^1] : "(profile)";
        int bracket = name.IndexOf('[', StringComparison.Ordinal);
        if (bracket >= 0) name = name[..bracket];
        for (int i = 0; i < parts.Length - 1; i++)
        {
            string segment = parts[i].Split('[')[0];
            owner = segment switch
            {
                "webGpu" => typeof(WebGpuJson),
                "sources" => typeof(SourceJson),
                _ => owner,
            };
        }

        var info = DeviceJsonContext.Default.GetTypeInfo(owner)!;
        var property = info.Properties.FirstOrDefault(p => string.Equals(p.Name, name, StringComparison.Ordinal));
        if (property is null)
        {
            var known = info.Properties.Select(p => p.Name).ToArray();
            return string.Format(CultureInfo.InvariantCulture, SR.JsonUnknownProperty, name, UnknownNameException.DidYouMean(name, known), string.Join(", ", known));
        }

        Type t = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
        string expected = t == typeof(int) || t == typeof(long) ? "a whole number"
            : t == typeof(double) ? "a number"
            : t == typeof(string) ? "a string"
            : t == typeof(bool) ? "true or false"
            : t.IsEnum ? "one of " + string.Join(", ", Enum.GetNames(t))
            : t.IsGenericType ? "an array"
            : "an object";
        return string.Format(CultureInfo.InvariantCulture, SR.JsonWrongType, name, expected);
    }

    private static DeviceProfile ToProfile(DeviceJson d, string? file, string where, DeviceCatalogOptions options)
    {
        string label = d.Id is null ? where : $"{where} '{d.Id}'";
        string Id() => Required(d.Id, "id");

        string Required(string? value, string field) =>
            string.IsNullOrWhiteSpace(value)
                ? throw Missing(field)
                : value;

        ModelFormatException Missing(string field) =>
            new(ModelFormatError.MissingField, $"required field '{field}' is missing or empty.", file, null, $"{label}.{field}");

        long? Size(JsonElement? element, string field, bool required)
        {
            if (element is not { } e || e.ValueKind == JsonValueKind.Null)
            {
                return required ? throw Missing(field) : null;
            }

            if (e.ValueKind == JsonValueKind.Number)
            {
                return e.TryGetInt64(out long n)
                    ? n
                    : throw new ModelFormatException(ModelFormatError.InvalidValue,
                        $"{field} must be a whole number of bytes or a string with a unit such as \"8 GiB\".", file, null, $"{label}.{field}");
            }

            if (e.ValueKind == JsonValueKind.String)
            {
                try
                {
                    return DeviceSpecParser.ParseBytes(e.GetString()!);
                }
                catch (FormatException ex)
                {
                    throw new ModelFormatException(ModelFormatError.InvalidValue, ex.Message, file, null, $"{label}.{field}", ex);
                }
            }

            throw new ModelFormatException(ModelFormatError.InvalidJson,
                $"{field} must be a number of bytes or a string such as \"8 GiB\", found {e.ValueKind}.", file, null, $"{label}.{field}");
        }

        string id = Id();
        DeviceCategory category = d.Category ?? throw Missing("category");
        if (!Enum.IsDefined(category))
        {
            throw new ModelFormatException(ModelFormatError.InvalidValue, Inv($"category {(int)category} is not a known category."),
                file, null, $"{label}.category");
        }

        string networkName = Required(d.Network, "network");
        if (!NetworkClass.TryFind(networkName, out NetworkClass? network))
        {
            throw new ModelFormatException(ModelFormatError.InvalidValue,
                $"network '{networkName}' is not one of {string.Join(", ", NetworkClass.All.Select(n => n.Id))}.",
                file, null, $"{label}.network");
        }

        WebGpuLimits? web = null;
        if (d.WebGpu is { } w)
        {
            web = new WebGpuLimits
            {
                Browser = w.Browser ?? throw Missing("webGpu.browser"),
                MaxBufferSizeBytes = Size(w.MaxBufferSize, "webGpu.maxBufferSize", true)!.Value,
                MaxStorageBufferBindingSizeBytes = Size(w.MaxStorageBufferBindingSize, "webGpu.maxStorageBufferBindingSize", true)!.Value,
                ShaderF16 = w.ShaderF16 ?? throw Missing("webGpu.shaderF16"),
                Basis = w.Basis is { } b && Enum.IsDefined(b) ? b : throw Missing("webGpu.basis"),
            };
        }

        var sources = new List<DeviceSource>();
        foreach (SourceJson s in d.Sources ?? [])
        {
            sources.Add(new DeviceSource(s.Url ?? throw Missing("sources[].url"), s.Supports ?? throw Missing("sources[].supports")));
        }

        var profile = new DeviceProfile
        {
            Id = id,
            DisplayName = Required(d.DisplayName, "displayName"),
            Aliases = d.Aliases?.ToArray() ?? [],
            Category = category,
            Platform = Required(d.Platform, "platform"),
            RamBytes = Size(d.Ram, "ram", true)!.Value,
            GpuMemoryBytes = Size(d.GpuMemory, "gpuMemory", false),
            UnifiedMemory = d.UnifiedMemory ?? false,
            MemoryBandwidthGBps = d.MemoryBandwidthGBps ?? throw Missing("memoryBandwidthGBps"),
            GpuFp16Tflops = d.GpuFp16Tflops,
            GpuFp32Tflops = d.GpuFp32Tflops,
            CpuCores = d.CpuCores ?? throw Missing("cpuCores"),
            CpuBigCores = d.CpuBigCores,
            WebGpu = web,
            FreeStorageBytes = Size(d.FreeStorage, "freeStorage", true)!.Value,
            AppMemoryLimitBytes = Size(d.AppMemoryLimit, "appMemoryLimit", true)!.Value,
            Network = network,
            Notes = d.Notes,
            Sources = sources,
        };

        string? problem = DeviceProfileValidator.Validate(profile, options.RequireSources, out string? badField);
        if (problem is not null)
        {
            throw new ModelFormatException(ModelFormatError.InvalidValue, problem, file, null, $"{label}.{badField}");
        }

        return profile;
    }

    private static string Inv(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
