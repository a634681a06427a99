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
/// <param name="KvCacheBytes">Sum of the "llama_kv_cache: size = X MiB (N cells, L layers, …)" lines (K and V of every
/// layer; one line per cache, two for a sliding-window model). Only when no such line is logged (older llama.cpp), the
/// sum of the "KV buffer size = X MiB" lines, which report the same bytes per backend buffer — never both, which would
/// count the cache twice. Null when neither is logged.</param>
/// <param name="KvCacheCells">KV cells (tokens the cache holds) from the size line (the sum over caches); null when
/// not logged.</param>
/// <param name="KvCacheLayers">Layers the cache holds K and V for, from the size line; null when not logged.</param>
/// <param name="KvKeyType">ggml type name of the cached keys ("f16", "q8_0", …) from the size line; null when not logged.</param>
/// <param name="KvValueType">ggml type name of the cached values; null when not logged.</param>
/// <param name="EmbdKGqa">llama.cpp's <c>n_embd_k_gqa</c> (key width per token and layer: KV heads × head dim) from
/// print_info; null when not logged or not one number (per-layer widths).</param>
/// <param name="EmbdVGqa">llama.cpp's <c>n_embd_v_gqa</c>; null when not logged or not one number.</param>
/// <param name="ComputeBufferBytes">Sum of the "… compute buffer size = X MiB" lines (the ggml scheduler's graph
/// buffers); null when not logged.</param>
/// <param name="OutputBufferBytes">Sum of the "… output buffer size = X MiB" lines (the logits / embeddings buffer as
/// reserved when the context is created — one output row, n_vocab × 4 bytes, in the captured 0.30.0 log — which llama.cpp
/// grows when a batch asks for more outputs); null when not logged.</param>
/// <param name="Lines">The lines each figure was read from.</param>
/// <remarks>llama.cpp prints the sizes with <c>%.2f MiB</c> (src/llama-model.cpp, llama-kv-cache.cpp, llama-context.cpp),
/// so each is exact to ±0.005 MiB (±<see cref="RoundingBytes"/> bytes); the bytes here are MiB × 2^20 rounded.
/// <see cref="KvCacheExactBytes"/> recomputes the KV cache to the byte from the integers llama.cpp logs.</remarks>
public sealed record LlamaCppBufferReport(long? ModelBufferBytes, long? KvCacheBytes, long? KvCacheCells, long? KvCacheLayers,
    string? KvKeyType, string? KvValueType, long? EmbdKGqa, long? EmbdVGqa, long? ComputeBufferBytes, long? OutputBufferBytes,
    IReadOnlyList<string> Lines)
{
    /// <summary>Half of the last printed digit of a "%.2f MiB" figure, in bytes: 0.005 × 2^20 = 5,242.88, rounded up.</summary>
    public const long RoundingBytes = 5243;

    /// <summary>The KV cache in bytes from llama.cpp's own integers: layers × cells × (n_embd_k_gqa × bytes(K type) +
    /// n_embd_v_gqa × bytes(V type)) — the allocation llama_kv_cache makes (one K and one V tensor of
    /// n_embd_{k,v}_gqa × cells per layer, src/llama-kv-cache.cpp). Null unless every integer was logged, there is one
    /// cache (a sliding-window model's two caches have different cells), and both types are f32, f16 or bf16 (block
    /// types would need their block sizes).</summary>
    public long? KvCacheExactBytes =>
        KvCacheLayers is { } l && KvCacheCells is { } c && EmbdKGqa is { } k && EmbdVGqa is { } v
        && ElementBytes(KvKeyType) is { } kb && ElementBytes(KvValueType) is { } vb && KvCacheLineCount == 1
            ? l * c * (k * kb + v * vb)
            : null;

    /// <summary>How many "llama_kv_cache: size = …" lines were read (one per cache).</summary>
    public int KvCacheLineCount { get; init; }

    private static long? ElementBytes(string? ggmlType) => ggmlType switch
    {
        "f32" => 4,
        "f16" or "bf16" => 2,
        _ => null,
    };
}

/// <summary>Reads <see cref="LlamaCppBufferReport"/> from llama.cpp's log lines.</summary>
public static partial class LlamaCppLogParser
{
    [GeneratedRegex(@"\b(?<buf>[A-Za-z0-9_]+) model buffer size\s*=\s*(?<mib>[0-9]+(?:\.[0-9]+)?) MiB")]
    private static partial Regex ModelBuffer();

    // llama-kv-cache.cpp: "%s: size = %7.2f MiB (%6u cells, %3d layers, %2u/%u seqs), K (%s): %7.2f MiB, V (%s): %7.2f MiB"
    [GeneratedRegex(@"^llama_kv_cache(?:_unified|_iswa)?:\s+size\s*=\s*(?<mib>[0-9]+(?:\.[0-9]+)?) MiB\s*\(\s*(?<cells>[0-9]+) cells,\s*(?<layers>[0-9]+) layers(?:.*?K \((?<kt>[a-z0-9_]+)\):.*?V \((?<vt>[a-z0-9_]+)\))?")]
    private static partial Regex KvCacheSize();

    // The per-backend allocation line, "llama_kv_cache: CPU KV buffer size = %8.2f MiB" (older: llama_kv_cache_init,
    // llama_kv_cache_unified).
    [GeneratedRegex(@"^llama_kv_cache(?:_unified|_init)?:.*\bKV buffer size\s*=\s*(?<mib>[0-9]+(?:\.[0-9]+)?) MiB")]
    private static partial Regex KvBuffer();

    [GeneratedRegex(@"^print_info: (?<key>n_embd_k_gqa|n_embd_v_gqa)\s*=\s*(?<value>[0-9]+)\s*$")]
    private static partial Regex EmbdGqa();

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
        double? model = null, kvSize = null, kvBuffers = null, compute = null, output = null;
        long? cells = null, layers = null, kGqa = null, vGqa = null;
        string? kType = null, vType = null;
        int kvLines = 0;
        var used = new List<string>();
        foreach (string raw in lines)
        {
            string line = raw.Trim();
            if (ModelBuffer().Match(line) is { Success: true } m)
            {
                model = (model ?? 0) + Mib(m);
                used.Add(line);
            }
            else if (KvCacheSize().Match(line) is { Success: true } k)
            {
                kvSize = (kvSize ?? 0) + Mib(k);
                cells = (cells ?? 0) + Long(k, "cells");
                layers = Math.Max(layers ?? 0, Long(k, "layers"));
                if (k.Groups["kt"].Success) kType = k.Groups["kt"].Value;
                if (k.Groups["vt"].Success) vType = k.Groups["vt"].Value;
                kvLines++;
                used.Add(line);
            }
            else if (KvBuffer().Match(line) is { Success: true } kb)
            {
                kvBuffers = (kvBuffers ?? 0) + Mib(kb);
                used.Add(line);
            }
            else if (EmbdGqa().Match(line) is { Success: true } e)
            {
                long value = Long(e, "value");
                if (e.Groups["key"].Value == "n_embd_k_gqa") kGqa = value;
                else vGqa = value;
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

        return new LlamaCppBufferReport(Bytes(model), Bytes(kvSize ?? kvBuffers), cells, layers, kType, vType, kGqa, vGqa,
            Bytes(compute), Bytes(output), used) { KvCacheLineCount = kvLines };
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

    private static long Long(Match m, string group) => long.Parse(m.Groups[group].Value, NumberStyles.None, CultureInfo.InvariantCulture);

    private static long? Bytes(double? mib) => mib is { } v ? (long)Math.Round(v * (1 << 20)) : null;
}
