using System.Text.Json;
using LlmSize.Core.Precision;
using LlmSize.Measurement;
using Spectre.Console.Testing;

namespace LlmSize.Cli.Tests.Commands;

/// <summary>Issue 17 item 5: <c>quantize</c> prints a summary by default (totals per type and the tensors with the
/// lowest SNR), every tensor with <c>--tensors</c>, and <c>--json</c> keeps the full per-tensor data.</summary>
public sealed class QuantizeSummaryTests : IDisposable
{
    /// <summary>Blocks of the generated model.</summary>
    private const int Layers = 8;

    /// <summary>llama.cpp's LLaMA layout: 9 tensors per block (attn_norm, attn_q, attn_k, attn_v, attn_output, ffn_norm,
    /// ffn_gate, ffn_up, ffn_down) plus token_embd, output_norm and output: 8 × 9 + 3 = 75, the 75 rows of issue 17.</summary>
    private const int TensorCount = Layers * 9 + 3;

    private readonly string _dir = Directory.CreateTempSubdirectory("llmsize-cli-qsum-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    internal static (int ExitCode, string Output) Run(int width, params string[] args)
    {
        var console = new TestConsole().Width(width);
        console.Profile.Capabilities.Ansi = false;
        int code = LlmSizeApp.Create(console).Run(args);
        return (code, console.Output);
    }

    /// <summary>An 8-block LLaMA GGUF in llama.cpp tensor names (the generator <c>measure</c>'s tests use): hidden 256,
    /// FFN 256, 4 heads / 2 KV heads (head dim 64), vocabulary 512; matrices F16 from a fixed-seed RNG, norms F32.
    /// Every row is a multiple of 256 elements, so Q4_K_M applies its own types (no fallbacks).</summary>
    internal static string EightLayerModel(string dir)
    {
        string path = Path.Combine(dir, "llama-8x256-f16.gguf");
        SyntheticLlamaGguf.Write(path, new SyntheticLlamaSpec(Hidden: 256, Layers: Layers, Ffn: 256, Heads: 4, KvHeads: 2, Vocab: 512, ContextLength: 256),
            TensorDataType.F16, seed: 17);
        return path;
    }

    [Fact]
    public void Default_is_a_summary_with_the_lowest_snr_tensors_and_tensors_lists_all()
    {
        string model = EightLayerModel(_dir);
        var (jsonCode, json) = Run(250, "quantize", model, Path.Combine(_dir, "j.gguf"), "--type", "Q4_K_M", "--json");
        Assert.True(jsonCode == 0, json);
        using var doc = JsonDocument.Parse(json);
        var tensors = doc.RootElement.GetProperty("tensors").EnumerateArray().ToList();
        Assert.Equal(TensorCount, tensors.Count); // --json keeps every tensor
        Assert.All(tensors, t => Assert.True(t.TryGetProperty("rmse", out _) && t.TryGetProperty("maxAbsError", out _)));
        var names = tensors.Select(t => t.GetProperty("name").GetString()!).ToList();
        // The expected worst five by the stated measure, taken from the JSON of the same run: lowest snrDb first.
        var worst = tensors.Where(t => t.TryGetProperty("snrDb", out var s) && s.ValueKind == JsonValueKind.Number)
            .OrderBy(t => t.GetProperty("snrDb").GetDouble()).ThenBy(t => t.GetProperty("name").GetString(), StringComparer.Ordinal)
            .Take(5).Select(t => t.GetProperty("name").GetString()!).ToList();
        Assert.Equal(5, worst.Count);

        var (code, summary) = Run(250, "quantize", model, Path.Combine(_dir, "s.gguf"), "--type", "Q4_K_M");
        Assert.True(code == 0, summary);
        var shown = names.Where(n => summary.Contains(" " + n + " ", StringComparison.Ordinal)).ToList();
        Assert.Equal(worst.Order(StringComparer.Ordinal), shown.Order(StringComparer.Ordinal)); // only the 5 lowest-SNR tensors
        Assert.Contains("5 tensors with the lowest SNR", summary, StringComparison.Ordinal);
        Assert.Contains("75 tensors; shown: the 5 with the lowest SNR", summary, StringComparison.Ordinal);
        Assert.Contains("--tensors lists every tensor", summary, StringComparison.Ordinal);
        // Totals per type: Q4_K_M's mix puts 2-D tensors in several K types; the tensor counts per row add up to 75.
        var typeRows = summary.Split('\n').Where(l => l.StartsWith("│ F", StringComparison.Ordinal)).ToList();
        int counted = typeRows.Sum(l => int.Parse(l.Split('│', StringSplitOptions.TrimEntries)[2], System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(TensorCount, counted);

        var (allCode, all) = Run(250, "quantize", model, Path.Combine(_dir, "t.gguf"), "--type", "Q4_K_M", "--tensors");
        Assert.True(allCode == 0, all);
        Assert.All(names, n => Assert.Contains(" " + n + " ", all, StringComparison.Ordinal));
        Assert.DoesNotContain("with the lowest SNR", all, StringComparison.Ordinal);
    }
}
