using System.Reflection;
using System.Text.Json;

namespace LlmSize.Core.Compression.Planning;

/// <summary>A published quality cost of one quantization type, quoted from its source.</summary>
/// <param name="Type">Format name as the runtime spells it ("Q4_K_M").</param>
/// <param name="Runtime">Runtime id ("llama.cpp").</param>
/// <param name="PerplexityDelta">Perplexity increase over the unquantized model (negative = lower), as published.</param>
/// <param name="MeasuredOn">The model it was measured on ("Llama-3-8B").</param>
/// <param name="FileSize">The file size the source lists for that model ("4.58G").</param>
/// <param name="Quoted">The source's text verbatim.</param>
/// <param name="Source">Where it comes from (repository, file, table).</param>
public sealed record QuantizationQualityEntry(string Type, string Runtime, double PerplexityDelta, string MeasuredOn, string FileSize, string Quoted, string Source);

/// <summary>
/// The embedded table <c>Data/quant-quality.json</c>: perplexity deltas per llama.cpp quantization type from
/// llama.cpp's <c>tools/quantize/quantize.cpp</c> (QUANT_OPTIONS, e.g. "Q4_K_M : 4.58G, +0.1754 ppl @ Llama-3-8B").
/// </summary>
public sealed class QuantizationQuality
{
    /// <summary>Manifest name of the embedded table.</summary>
    public const string ResourceName = "LlmSize.Core.Data.quant-quality.json";

    private static readonly Lazy<QuantizationQuality> DefaultTable = new(() =>
    {
        using var s = Assembly.GetExecutingAssembly().GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"Embedded resource {ResourceName} is missing.");
        using var ms = new MemoryStream();
        s.CopyTo(ms);
        return Load(ms.ToArray(), ResourceName);
    });

    private QuantizationQuality(IReadOnlyList<QuantizationQualityEntry> entries) => Entries = entries;

    /// <summary>The embedded table.</summary>
    public static QuantizationQuality Default => DefaultTable.Value;

    /// <summary>All entries.</summary>
    public IReadOnlyList<QuantizationQualityEntry> Entries { get; }

    /// <summary>Parses a table (<c>{"entries": [{type, runtime, perplexityDelta, measuredOn, fileSize, quoted, source}]}</c>).</summary>
    /// <param name="utf8Json">The JSON.</param>
    /// <param name="sourceName">Name for errors.</param>
    /// <returns>The table.</returns>
    /// <exception cref="ModelFormatException">Not JSON, or an entry without a field or source (<see cref="ModelFormatError.InvalidJson"/> / <see cref="ModelFormatError.MissingField"/>).</exception>
    public static QuantizationQuality Load(ReadOnlySpan<byte> utf8Json, string? sourceName = null)
    {
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(utf8Json.ToArray(), new JsonDocumentOptions { MaxDepth = 8 });
        }
        catch (JsonException e)
        {
            throw new ModelFormatException(ModelFormatError.InvalidJson, "quality table is not valid JSON: " + e.Message, sourceName, inner: e);
        }

        using (doc)
        {
            if (!doc.RootElement.TryGetProperty("entries", out var arr) || arr.ValueKind != JsonValueKind.Array)
                throw new ModelFormatException(ModelFormatError.MissingField, "quality table has no 'entries' array.", sourceName, field: "entries");
            var list = new List<QuantizationQualityEntry>();
            int i = 0;
            foreach (var e in arr.EnumerateArray())
            {
                string at = $"entries[{i++}]";
                string Str(string name) => e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String && !string.IsNullOrWhiteSpace(v.GetString())
                    ? v.GetString()!
                    : throw new ModelFormatException(ModelFormatError.MissingField, $"{at}.{name} is missing or blank.", sourceName, field: $"{at}.{name}");
                double delta = e.TryGetProperty("perplexityDelta", out var d) && d.ValueKind == JsonValueKind.Number
                    ? d.GetDouble()
                    : throw new ModelFormatException(ModelFormatError.MissingField, $"{at}.perplexityDelta is missing.", sourceName, field: $"{at}.perplexityDelta");
                list.Add(new QuantizationQualityEntry(Str("type"), Str("runtime"), delta, Str("measuredOn"), Str("fileSize"), Str("quoted"), Str("source")));
            }

            return new QuantizationQuality(list);
        }
    }

    /// <summary>Finds the published cost of a format of a runtime (names compared case-insensitively).</summary>
    /// <param name="runtimeId">Runtime id.</param>
    /// <param name="formatName">Format name.</param>
    /// <returns>The entry, or null when no source gives one.</returns>
    public QuantizationQualityEntry? Find(string runtimeId, string formatName) =>
        Entries.FirstOrDefault(e => string.Equals(e.Runtime, runtimeId, StringComparison.OrdinalIgnoreCase)
            && string.Equals(e.Type, formatName, StringComparison.OrdinalIgnoreCase));
}
