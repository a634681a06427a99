using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using LLama.Native;

namespace LlmSize.Measurement;

/// <summary>One line llama.cpp logged, with its level.</summary>
/// <param name="Level">ggml log level as LLamaSharp names it (Debug, Info, Warning, Error).</param>
/// <param name="Text">The line, without its line break.</param>
public sealed record LlamaCppLogLine(LLamaLogLevel Level, string Text);

/// <summary>
/// Collects llama.cpp's log (set with <c>llama_log_set</c>, which LLamaSharp exposes as
/// <see cref="NativeLogConfig.llama_log_set(NativeLogConfig.LLamaLogCallback)"/>) into whole lines. ggml sends a line in
/// pieces — the later pieces at level <c>GGML_LOG_LEVEL_CONT</c> (ggml.h), which LLamaSharp maps to the level of the
/// piece before — so pieces are joined until a line break.
/// </summary>
internal sealed class LlamaCppLogCollector
{
    private readonly object _gate = new();
    private readonly List<LlamaCppLogLine> _lines = [];
    private readonly StringBuilder _pending = new();
    private LLamaLogLevel _pendingLevel = LLamaLogLevel.Info;

    /// <summary>The callback to register.</summary>
    public void OnLog(LLamaLogLevel level, string message)
    {
        lock (_gate)
        {
            if (_pending.Length == 0) _pendingLevel = level;
            else if (level > _pendingLevel && level != LLamaLogLevel.Continue) _pendingLevel = level;
            foreach (char c in message)
            {
                if (c == '\n') Flush();
                else _pending.Append(c);
            }
        }
    }

    /// <summary>The lines so far (a pending partial line included).</summary>
    public IReadOnlyList<LlamaCppLogLine> Lines()
    {
        lock (_gate)
        {
            var all = new List<LlamaCppLogLine>(_lines);
            if (_pending.Length > 0) all.Add(new LlamaCppLogLine(_pendingLevel, _pending.ToString()));
            return all;
        }
    }

    private void Flush()
    {
        _lines.Add(new LlamaCppLogLine(_pendingLevel, _pending.ToString()));
        _pending.Clear();
    }
}

/// <summary>The buffer sizes llama.cpp itself reports when it loads a model and creates a context.</summary>
/// <param name="ModelBufferBytes">Sum of the "… model buffer size = X MiB" lines (weights; <c>CPU_Mapped</c> when the
/// file is memory-mapped, <c>CPU</c> otherwise); null when not logged.</param>
/// <param name="KvCacheBytes">Sum of the "llama_kv_cache: … size = X MiB" lines (K and V of every layer); null when
/// not logged.</param>
/// <param name="KvCacheCells">KV cells (tokens the cache holds) from that line; null when not logged.</param>
/// <param name="ComputeBufferBytes">Sum of the "… compute buffer size = X MiB" lines (the ggml scheduler's graph
/// buffers); null when not logged.</param>
/// <param name="OutputBufferBytes">Sum of the "… output buffer size = X MiB" lines (logits / embeddings); null when
/// not logged.</param>
/// <param name="Lines">The lines each figure was read from.</param>
/// <remarks>llama.cpp prints these with <c>%.2f MiB</c> (src/llama-model.cpp, llama-kv-cache.cpp, llama-context.cpp),
/// so each is exact to ±0.005 MiB (±5,243 bytes); the bytes here are MiB × 2^20 rounded.</remarks>
public sealed record LlamaCppBufferReport(long? ModelBufferBytes, long? KvCacheBytes, long? KvCacheCells, long? ComputeBufferBytes,
    long? OutputBufferBytes, IReadOnlyList<string> Lines)
{
    /// <summary>Half of the last printed digit of a "%.2f MiB" figure, in bytes: 0.005 × 2^20.</summary>
    public const long RoundingBytes = 5243;
}

/// <summary>Reads <see cref="LlamaCppBufferReport"/> from llama.cpp's log lines.</summary>
public static partial class LlamaCppLogParser
{
    [GeneratedRegex(@"\b(?<buf>[A-Za-z0-9_]+) model buffer size\s*=\s*(?<mib>[0-9]+(?:\.[0-9]+)?) MiB")]
    private static partial Regex ModelBuffer();

    [GeneratedRegex(@"^llama_kv_cache(?:_unified)?:.*?\bsize\s*=\s*(?<mib>[0-9]+(?:\.[0-9]+)?) MiB(?:\s*\((?<cells>[0-9]+) cells)?")]
    private static partial Regex KvCache();

    [GeneratedRegex(@"\b(?<buf>[A-Za-z0-9_]+) compute buffer size\s*=\s*(?<mib>[0-9]+(?:\.[0-9]+)?) MiB")]
    private static partial Regex ComputeBuffer();

    [GeneratedRegex(@"\b(?<buf>[A-Za-z0-9_]+) +output buffer size\s*=\s*(?<mib>[0-9]+(?:\.[0-9]+)?) MiB")]
    private static partial Regex OutputBuffer();

    /// <summary>Parses the buffer lines; a figure no line reports stays null.</summary>
    /// <param name="lines">llama.cpp's log lines, in order.</param>
    /// <returns>The report.</returns>
    public static LlamaCppBufferReport Parse(IEnumerable<string> lines)
    {
        ArgumentNullException.ThrowIfNull(lines);
        double? model = null, kv = null, compute = null, output = null;
        long? cells = null;
        var used = new List<string>();
        foreach (string raw in lines)
        {
            string line = raw.Trim();
            if (ModelBuffer().Match(line) is { Success: true } m)
            {
                model = (model ?? 0) + Mib(m);
                used.Add(line);
            }
            else if (KvCache().Match(line) is { Success: true } k)
            {
                kv = (kv ?? 0) + Mib(k);
                if (k.Groups["cells"].Success) cells = long.Parse(k.Groups["cells"].Value, CultureInfo.InvariantCulture);
                used.Add(line);
            }
            else if (ComputeBuffer().Match(line) is { Success: true } c)
            {
                compute = (compute ?? 0) + Mib(c);
                used.Add(line);
            }
            else if (OutputBuffer().Match(line) is { Success: true } o)
            {
                output = (output ?? 0) + Mib(o);
                used.Add(line);
            }
        }

        return new LlamaCppBufferReport(Bytes(model), Bytes(kv), cells, Bytes(compute), Bytes(output), used);
    }

    /// <summary>The last error-level lines (llama.cpp's reason for refusing a file), joined; null when none.</summary>
    /// <param name="lines">The log.</param>
    /// <returns>The reason.</returns>
    public static string? FailureReason(IReadOnlyList<LlamaCppLogLine> lines)
    {
        ArgumentNullException.ThrowIfNull(lines);
        var errors = lines.Where(l => l.Level == LLamaLogLevel.Error && !string.IsNullOrWhiteSpace(l.Text)).Select(l => l.Text.Trim()).ToList();
        return errors.Count == 0 ? null : string.Join("; ", errors.TakeLast(2));
    }

    private static double Mib(Match m) => double.Parse(m.Groups["mib"].Value, CultureInfo.InvariantCulture);

    private static long? Bytes(double? mib) => mib is { } v ? (long)Math.Round(v * (1 << 20)) : null;
}
