using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using LlmSize.Core;
using LlmSize.Core.Devices;
using LlmSize.Core.Estimation;
using LlmSize.Core.Estimation.Fit;
using LlmSize.Core.Models.Architectures;
using LlmSize.Core.Models.Catalog;

namespace LlmSize.Measurement;

/// <summary>What a llama-bench test measures.</summary>
public enum LlamaBenchTestKind
{
    /// <summary><c>ppN</c>: N prompt tokens in one batch (prefill), tokens/s.</summary>
    Prompt,

    /// <summary><c>tgN</c>: N tokens generated one at a time from an empty context (decode), tokens/s.</summary>
    Generation,
}

/// <summary>One published llama-bench result (a row of <c>Data/published-llama-bench.json</c>).</summary>
/// <param name="Device">Device id of the built-in device catalog.</param>
/// <param name="Model">Model id of the built-in model catalog.</param>
/// <param name="Type">llama.cpp file type (GGUF type name, e.g. Q4_0, Q4_K_M, F16).</param>
/// <param name="Test">llama-bench test name: <c>ppN</c> or <c>tgN</c>.</param>
/// <param name="TokensPerSecond">The published figure, tokens/s.</param>
/// <param name="Backend">ggml backend (Metal, CUDA, ROCm …).</param>
/// <param name="Build">llama.cpp build, as stated by the source.</param>
/// <param name="Url">Where the figure was published.</param>
/// <param name="ReadVia">How it was read when not on <paramref name="Url"/> itself (a quotation); null when read there.</param>
/// <param name="Note">What the source says about the run.</param>
public sealed record PublishedBenchRow(string Device, string Model, string Type, string Test, double TokensPerSecond, string Backend,
    string Build, string Url, string? ReadVia, string? Note)
{
    /// <summary>Prompt or generation, from <see cref="Test"/>.</summary>
    public LlamaBenchTestKind Kind => Test.StartsWith("pp", StringComparison.Ordinal) ? LlamaBenchTestKind.Prompt : LlamaBenchTestKind.Generation;

    /// <summary>Tokens of the test (the N of ppN / tgN).</summary>
    public int Tokens => int.Parse(Test.AsSpan(2), NumberStyles.None, CultureInfo.InvariantCulture);
}

/// <summary>Fit's speed for a published row beside the published figure.</summary>
/// <param name="Row">The row.</param>
/// <param name="PredictedTokensPerSecond">Fit's prefill (ppN) or decode (tgN) speed for the row's device, model and type,
/// tokens/s: an estimate from the efficiency factors of the assumptions used.</param>
/// <param name="FitsAsRequested">Whether fit says the requested type fits the device at the test's context (the speed is
/// that of the requested type either way).</param>
/// <param name="Formula">Fit's formula for the figure.</param>
public sealed record PublishedSpeedComparison(PublishedBenchRow Row, double PredictedTokensPerSecond, bool FitsAsRequested, string Formula)
{
    /// <summary>(predicted − published) ÷ published.</summary>
    public double RelativeError => (PredictedTokensPerSecond - Row.TokensPerSecond) / Row.TokensPerSecond;
}

/// <summary>
/// Published llama-bench results (Apple Silicon from llama.cpp discussion #4167, CUDA and ROCm from llama.cpp pull
/// requests, a community result) as ground truth for fit's speed model, embedded as <c>Data/published-llama-bench.json</c>
/// with a source per row, and the comparison of each with what <see cref="FitPipeline"/> predicts for llama.cpp.
/// </summary>
public static partial class PublishedLlamaBench
{
    private const string ResourceName = "LlmSize.Measurement.Data.published-llama-bench.json";

    private static readonly Lazy<IReadOnlyList<PublishedBenchRow>> DefaultRows = new(() =>
    {
        using var stream = typeof(PublishedLlamaBench).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"Embedded resource {ResourceName} is missing from the build.");
        return Load(stream, "published-llama-bench.json");
    });

    /// <summary>The embedded rows, in file order.</summary>
    public static IReadOnlyList<PublishedBenchRow> Rows => DefaultRows.Value;

    /// <summary>Reads and validates rows.</summary>
    /// <param name="utf8Json">The JSON (an object with a <c>rows</c> array).</param>
    /// <param name="sourceName">Name for messages.</param>
    /// <returns>The rows.</returns>
    /// <exception cref="ModelFormatException">Not valid JSON, or a row misses a field, names no ppN/tgN test, or has a
    /// figure that is not a positive finite number; the message names the row and field.</exception>
    public static IReadOnlyList<PublishedBenchRow> Load(Stream utf8Json, string sourceName)
    {
        ArgumentNullException.ThrowIfNull(utf8Json);
        PublishedFile? file;
        try
        {
            file = JsonSerializer.Deserialize(utf8Json, PublishedJsonContext.Default.PublishedFile);
        }
        catch (JsonException e)
        {
            throw new ModelFormatException(ModelFormatError.InvalidJson, $"not valid JSON at line {e.LineNumber + 1}: {e.Message}", sourceName, inner: e);
        }

        var rows = file?.Rows ?? throw new ModelFormatException(ModelFormatError.InvalidJson, "no \"rows\" array", sourceName, field: "rows");
        for (int i = 0; i < rows.Count; i++)
        {
            var r = rows[i];
            string at = $"rows[{i}]";
            if (r is null) throw Bad(sourceName, at, "null");
            foreach (var (name, value) in new[] { ("device", r.Device), ("model", r.Model), ("type", r.Type), ("test", r.Test), ("backend", r.Backend), ("build", r.Build), ("url", r.Url) })
            {
                if (string.IsNullOrWhiteSpace(value)) throw Bad(sourceName, $"{at}.{name}", "missing");
            }

            if (!TestName().IsMatch(r.Test)) throw Bad(sourceName, $"{at}.test", $"'{r.Test}' is not a llama-bench test (ppN or tgN)");
            if (!(r.TokensPerSecond > 0) || double.IsInfinity(r.TokensPerSecond)) throw Bad(sourceName, $"{at}.tokensPerSecond", $"{r.TokensPerSecond} is not a positive number");
            if (!r.Url.StartsWith("https://", StringComparison.Ordinal)) throw Bad(sourceName, $"{at}.url", $"'{r.Url}' is not an https link");
        }

        return rows.AsReadOnly();
    }

    /// <summary>Fit's speed for one row: <see cref="FitPipeline"/> for llama.cpp on the catalog device with the row's
    /// type at the test's context (ppN: N tokens; tgN: N tokens, whose mid-context KV read is that of llama-bench's
    /// tgN from an empty cache), then <see cref="SpeedEstimator.ForVariant"/> of the requested variant.</summary>
    /// <param name="row">The row.</param>
    /// <param name="assumptions">Efficiency factors; null = <see cref="EstimationAssumptions.Default"/>.</param>
    /// <param name="devices">Device catalog; null = the built-in one.</param>
    /// <param name="models">Model catalog; null = the built-in one.</param>
    /// <returns>The comparison.</returns>
    /// <exception cref="UnknownNameException">The device or model is not in the catalog.</exception>
    public static PublishedSpeedComparison Compare(PublishedBenchRow row, EstimationAssumptions? assumptions = null, DeviceCatalog? devices = null, ModelCatalog? models = null)
    {
        ArgumentNullException.ThrowIfNull(row);
        var device = (devices ?? DeviceCatalog.Default).Find(row.Device);
        var model = ModelLoader.LoadCatalogOrHub(row.Model, models);
        var a = assumptions ?? EstimationAssumptions.Default;
        var report = FitPipeline.Run(new FitRequest
        {
            Model = model,
            Devices = [device],
            Runtime = Runtimes.LlamaCpp,
            Format = row.Type,
            ContextTokens = row.Tokens,
            Assumptions = a,
        }).Reports[0];
        var counted = ParameterCalculator.Count(model.Architecture!);
        long active = counted.TextActivePerToken > 0 ? counted.TextActivePerToken : counted.ActivePerToken;
        var speed = SpeedEstimator.ForVariant(device, report.Requested, active, a);
        return row.Kind == LlamaBenchTestKind.Prompt
            ? new PublishedSpeedComparison(row, speed.PrefillTokensPerSecond, report.Requested.Fits, speed.PrefillFormula)
            : new PublishedSpeedComparison(row, speed.DecodeTokensPerSecond, report.Requested.Fits, speed.DecodeFormula);
    }

    /// <summary>Every embedded row compared.</summary>
    /// <param name="assumptions">Efficiency factors; null = the defaults.</param>
    /// <returns>The comparisons, in file order.</returns>
    public static IReadOnlyList<PublishedSpeedComparison> CompareAll(EstimationAssumptions? assumptions = null) =>
        Rows.Select(r => Compare(r, assumptions)).ToList();

    /// <summary>Median of |relative error| over the comparisons of one kind; NaN when there are none.</summary>
    /// <param name="comparisons">Comparisons.</param>
    /// <param name="kind">Prompt or generation rows.</param>
    /// <returns>The median absolute relative error.</returns>
    public static double MedianAbsoluteError(IEnumerable<PublishedSpeedComparison> comparisons, LlamaBenchTestKind kind)
    {
        ArgumentNullException.ThrowIfNull(comparisons);
        var errors = comparisons.Where(c => c.Row.Kind == kind).Select(c => Math.Abs(c.RelativeError)).Order().ToArray();
        if (errors.Length == 0) return double.NaN;
        return errors.Length % 2 == 1 ? errors[errors.Length / 2] : (errors[(errors.Length / 2) - 1] + errors[errors.Length / 2]) / 2;
    }

    /// <summary>The comparison as a Markdown table (device, model, type, test, published, fit, error, source).</summary>
    /// <param name="comparisons">Comparisons.</param>
    /// <returns>The table, one line per row after the header.</returns>
    public static string MarkdownTable(IEnumerable<PublishedSpeedComparison> comparisons)
    {
        ArgumentNullException.ThrowIfNull(comparisons);
        var sb = new System.Text.StringBuilder();
        sb.AppendLine("| device | model | type | test | published t/s | fit t/s | error | source |");
        sb.AppendLine("| --- | --- | --- | --- | ---: | ---: | ---: | --- |");
        foreach (var c in comparisons)
        {
            string fits = c.FitsAsRequested ? string.Empty : " (does not fit)";
            sb.AppendLine(CultureInfo.InvariantCulture, $"| {c.Row.Device} | {c.Row.Model} | {c.Row.Type}{fits} | {c.Row.Test} | {c.Row.TokensPerSecond:0.##} | {c.PredictedTokensPerSecond:0.##} | {c.RelativeError * 100:+0.0;-0.0}% | [{Short(c.Row.Url)}]({c.Row.Url}) |");
        }

        return sb.ToString();
    }

    private static ModelFormatException Bad(string sourceName, string field, string detail) =>
        new(ModelFormatError.InvalidJson, $"{field}: {detail}", sourceName, field: field);

    private static string Short(string url)
    {
        var u = new Uri(url);
        string[] parts = u.AbsolutePath.Trim('/').Split('/');
        return parts.Length >= 4 ? $"{parts[1]} {(parts[2] == "pull" ? "PR" : parts[2] == "issues" ? "issue" : "discussion")} #{parts[3]}" : u.Host;
    }

    [System.Text.RegularExpressions.GeneratedRegex("^(pp|tg)[1-9][0-9]{0,5}$")]
    private static partial System.Text.RegularExpressions.Regex TestName();
}

internal sealed record PublishedFile(List<PublishedBenchRow>? Rows);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, ReadCommentHandling = JsonCommentHandling.Skip)]
[JsonSerializable(typeof(PublishedFile))]
internal sealed partial class PublishedJsonContext : JsonSerializerContext;
