using System.Text.Json;
using System.Xml.Linq;
using LlmSize.Cli.Commands.Fit;
using LlmSize.Cli.Commands.Inspect;
using LlmSize.Cli.Commands.Shrink;
using LlmSize.Cli.Commands.Distill;
using LlmSize.Cli.Commands.Prune;
using LlmSize.Core;
using LlmSize.Core.Devices;
using LlmSize.Core.Estimation.Fit;
using LlmSize.Core.Estimation;

namespace LlmSize.Cli.Tests.Commands;

/// <summary>User-reported fit problems: chart bars that did not match their labels, speeds shown where there is no
/// speed, adapters fitted as if they were models, exit codes of browser options, constraint names, and wording.</summary>
public class FitUserReportsTests
{
    private static List<string> SvgTexts(string path) =>
        XDocument.Load(path).Descendants().Where(e => e.Name.LocalName == "text").Select(e => e.Value).ToList();

    private static string TempSvg() => Path.Combine(Path.GetTempPath(), $"llmsize-chart-{Guid.NewGuid():N}.svg");

    /// <summary>Reports of Llama 3.1 8B at F16 with llama.cpp on every catalog device: phones that fit nothing, phones
    /// that need a lower precision, discrete GPUs that fit only with partial offload, and GPUs that fit as asked.</summary>
    private static List<FitReport> Llama8bF16Reports()
    {
        var inventory = ModelLoader.Load("llama-3.1-8b");
        var analyzer = new FitAnalyzer(inventory.Architecture!, inventory.ModelName ?? "llama-3.1-8b");
        var f16 = Runtimes.LlamaCpp.FindFormat("F16");
        return DeviceCatalog.Default.Profiles.Select(d => analyzer.Analyze(d, Runtimes.LlamaCpp, f16)).ToList();
    }

    [Fact]
    public void Chart_rows_draw_the_variant_their_label_names()
    {
        var reports = Llama8bF16Reports();
        var rows = MemoryChart.Rows(reports);
        Assert.Equal(reports.Count, rows.Count);
        for (int i = 0; i < reports.Count; i++)
        {
            var r = reports[i];
            var expected = r.Best ?? r.LastTried; // the variant that fits, else what finally blocks
            Assert.Same(expected, rows[i].Variant);
            Assert.Contains(expected.Format.Name, rows[i].Label, StringComparison.Ordinal);
            Assert.StartsWith(r.Device.Id + " — ", rows[i].Label, StringComparison.Ordinal);
        }

        // Every outcome is represented, so each label form is checked.
        Assert.Contains(reports, r => r.Outcome == FitOutcome.DoesNotFit);
        Assert.Contains(reports, r => r.Outcome == FitOutcome.FitsWithChanges && r.Best != r.Requested);
        foreach (var (r, row) in reports.Zip(rows))
        {
            switch (r.Outcome)
            {
                case FitOutcome.Fits:
                    Assert.StartsWith($"{r.Device.Id} — fits, {r.Best!.Format.Name}", row.Label, StringComparison.Ordinal);
                    break;
                case FitOutcome.FitsWithChanges:
                    Assert.StartsWith($"{r.Device.Id} — use {r.Best!.Format.Name}", row.Label, StringComparison.Ordinal);
                    break;
                default:
                    Assert.Equal($"{r.Device.Id} — does not fit ({r.LastTried.Format.Name} @ {r.LastTried.ContextTokens})", row.Label);
                    break;
            }
        }
    }

    [Fact]
    public void Chart_marks_vram_plus_host_ram_for_partial_offload()
    {
        var reports = Llama8bF16Reports();
        var rows = MemoryChart.Rows(reports);
        // 8.03B parameters × 2 B (F16) ≈ 16 GB of weights: more than the 6 GB of an RTX 4050 Laptop, so llama.cpp
        // offloads some layers (-ngl) and keeps the rest in system RAM.
        var offloaded = reports.Zip(rows).Where(x => (x.First.Best ?? x.First.LastTried).GpuLayers is not null).ToList();
        Assert.NotEmpty(offloaded);
        foreach (var (r, row) in offloaded)
        {
            var v = r.Best ?? r.LastTried;
            long vram = v.Checks.Single(c => c.Constraint == FitConstraint.Vram).AvailableBytes;
            long host = v.Checks.Single(c => c.Constraint == FitConstraint.HostRam).AvailableBytes;
            Assert.Equal(vram + host, row.BudgetBytes);
            Assert.Contains($"-ngl {v.GpuLayers}", row.Label, StringComparison.Ordinal);
        }

        // Without offload the marker stays the app/tab limit or usable VRAM.
        foreach (var (r, row) in reports.Zip(rows).Where(x => (x.First.Best ?? x.First.LastTried).GpuLayers is null))
        {
            var v = r.Best ?? r.LastTried;
            Assert.Equal(v.Checks.First(c => c.Constraint is FitConstraint.AppMemory or FitConstraint.Vram).AvailableBytes, row.BudgetBytes);
        }
    }

    [Fact]
    public void Chart_svg_says_variant_per_row_and_names_the_blocking_variant()
    {
        string path = TempSvg();
        try
        {
            var (code, _) = CliRunner.Run("fit", "llama-3.1-8b", "--all-devices", "--runtime", "llama.cpp", "--quant", "F16", "--chart", path);
            Assert.Equal(0, code);
            var texts = SvgTexts(path);
            Assert.Contains(texts, t => t.Contains("variant per row", StringComparison.Ordinal));
            // galaxy-a15: 2 GiB for apps (catalog) — nothing fits; the label names the smallest variant tried.
            Assert.Contains(texts, t => t.StartsWith("galaxy-a15 — does not fit (", StringComparison.Ordinal) && t.Contains(" @ ", StringComparison.Ordinal));
            Assert.Contains(texts, t => t.StartsWith("h200 — fits, F16", StringComparison.Ordinal)); // 141 GB HBM3e holds 16 GB of F16
            Assert.Contains(texts, t => t.Contains(" -ngl ", StringComparison.Ordinal));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void No_speed_is_printed_when_nothing_fits()
    {
        // Gemma 2B's 256,000 × 2048 embedding table is 1000 MiB in F16, above the Pixel 8's 128 MiB
        // maxStorageBufferBindingSize: no WebLLM format fits (the command's own verdict).
        var (code, output) = CliRunner.Run("fit", "gemma-2b", "--device", "pixel-8", "--runtime", "webllm");
        Assert.Equal(0, code);
        Assert.Contains("does not fit", output, StringComparison.Ordinal);
        Assert.DoesNotContain("tokens/s", output, StringComparison.Ordinal);
    }

    [Fact]
    public void All_devices_table_leaves_tokens_per_second_empty_where_nothing_fits()
    {
        var (code, output) = CliRunner.Run("fit", "gemma-2b", "--all-devices", "--runtime", "webllm");
        Assert.Equal(0, code);
        var rows = output.Split('\n').Where(l => l.Contains("does not fit", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(rows);
        foreach (string row in rows)
        {
            var cells = row.Split('│').Select(c => c.Trim()).ToList();
            Assert.Equal("–", cells[8]); // │ device │ verdict │ format │ limited by │ needs │ budget │ memory use │ tokens/s │
        }
    }

    [Fact]
    public void Stored_weights_without_architecture_have_no_tokens_per_second()
    {
        string file = CliRunner.Shared("fixtures", "tflite", "person_detect.tflite"); // MobileNet int8 vision graph
        var (code, output) = CliRunner.Run("fit", file, "--device", "pixel-8");
        Assert.Equal(0, code);
        Assert.DoesNotContain("tokens/s generation", output, StringComparison.Ordinal);
        Assert.Contains(FitRenderer.NoArchitectureSpeedNote, output, StringComparison.Ordinal);

        var (jsonCode, json) = CliRunner.Run("fit", file, "--device", "pixel-8", "--json");
        Assert.Equal(0, jsonCode);
        using var doc = JsonDocument.Parse(json);
        Assert.Equal(JsonValueKind.Null, doc.RootElement[0].GetProperty("decodeTokensPerSecond").ValueKind);
        Assert.Equal(JsonValueKind.Null, doc.RootElement[0].GetProperty("prefillTokensPerSecond").ValueKind);
    }

    [Fact]
    public void All_devices_table_has_no_tokens_per_second_for_stored_weights()
    {
        string file = CliRunner.Shared("fixtures", "tflite", "person_detect.tflite");
        var (code, output) = CliRunner.Run("fit", file, "--all-devices");
        Assert.Equal(0, code);
        var rows = output.Split('\n').Where(l => l.Contains("pixel-8 ", StringComparison.Ordinal) || l.Contains("h200", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(rows);
        foreach (string row in rows) Assert.Equal("–", row.Split('│').Select(c => c.Trim()).ToList()[8]);
        Assert.Single(output.Split('\n'), l => l.Contains(FitRenderer.NoArchitectureSpeedNote, StringComparison.Ordinal)); // said once
    }

    [Fact]
    public void A_lora_adapter_points_to_its_base_model()
    {
        string folder = CliRunner.Shared("fixtures", "peft", "gpt2-lora-seqcls");
        var (code, output, error) = CliRunner.RunSplit("fit", folder, "--device", "rtx-4090");
        Assert.Equal(1, code); // bad input: an adapter is not a model that runs alone
        Assert.Equal(string.Empty, output);
        // shared/README.md: base gpt2, 299,520 F32 parameters; 1,201,818 bytes in 2 files = 1.20 MB (inspect's download line).
        Assert.Contains("is a LoRA adapter (299,520 parameters, 1.20 MB) for gpt2", error, StringComparison.Ordinal);
        Assert.Contains("llmsize fit gpt2", error, StringComparison.Ordinal);
        Assert.DoesNotContain("tokens/s", error, StringComparison.Ordinal);
        Assert.Single(error.Trim().Split('\n')); // one line
    }

    [Theory]
    [InlineData("--shader-f16")]
    [InlineData("--max-buffer", "1GiB")]
    [InlineData("--max-binding", "512MiB")]
    public void Browser_features_without_browser_on_an_inline_device_are_usage_errors(params string[] extra)
    {
        var (code, output) = CliRunner.Run(["fit", "gemma-2b", "--ram", "8GiB", "--bandwidth", "100GB/s", .. extra]);
        Assert.Equal(2, code); // README: conflicting / incomplete options are usage errors
        Assert.Contains("--browser", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Unknown_browser_is_a_usage_error_listing_the_known_ones()
    {
        var (code, output) = CliRunner.Run("fit", "gemma-2b", "--ram", "8GiB", "--bandwidth", "100GB/s", "--browser", "netscape");
        Assert.Equal(2, code); // like --network carrier-pigeon: a value not valid for the option
        foreach (string name in CustomDeviceBuilder.BrowserNames) Assert.Contains(name, output, StringComparison.Ordinal);
    }

    [Fact]
    public void Browser_names_are_accepted_as_the_builder_spells_them()
    {
        var (code, _) = CliRunner.Run("fit", "gemma-2b", "--ram", "8GiB", "--bandwidth", "100GB/s", "--browser", "Chrome_Android", "--json");
        Assert.Equal(0, code);
    }

    [Fact]
    public void A_webllm_id_with_another_runtime_says_the_answer_is_for_that_runtime()
    {
        var (code, output) = CliRunner.Run("fit", "Qwen2.5-0.5B-Instruct-q4f16_1-MLC", "--device", "pixel-8", "--runtime", "llama.cpp");
        Assert.Equal(0, code);
        Assert.Contains("q4f16_1 is a WebLLM format", output, StringComparison.Ordinal);
        Assert.Contains("llama.cpp's own formats", output, StringComparison.Ordinal);

        var (jsonCode, json) = CliRunner.Run("fit", "Qwen2.5-0.5B-Instruct-q4f16_1-MLC", "--device", "pixel-8", "--runtime", "llama.cpp", "--json");
        Assert.Equal(0, jsonCode);
        using var doc = JsonDocument.Parse(json);
        Assert.Contains(doc.RootElement[0].GetProperty("warnings").EnumerateArray(), w => w.GetString()!.Contains("WebLLM format", StringComparison.Ordinal));
    }

    [Fact]
    public void A_webllm_id_with_its_own_runtime_has_no_such_note()
    {
        var (code, output) = CliRunner.Run("fit", "Qwen2.5-0.5B-Instruct-q4f16_1-MLC", "--device", "pixel-8");
        Assert.Equal(0, code);
        Assert.DoesNotContain("is a WebLLM format", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Constraint_names_are_words_in_text_and_enum_names_in_json()
    {
        // Inline desktop Chrome with shader-f16: the feature check passes and is listed.
        string[] args = ["fit", "phi-2", "--ram", "8GiB", "--bandwidth", "100GB/s", "--unified", "--runtime", "webllm", "--browser", "chrome", "--shader-f16"];
        var (code, output) = CliRunner.Run(args);
        Assert.Equal(0, code);
        Assert.DoesNotContain("ShaderF16Missing", output, StringComparison.Ordinal);
        Assert.DoesNotContain("WebGpuBufferLimit", output.Split("constraints")[1], StringComparison.Ordinal);
        Assert.Contains(output.Split('\n'), l => l.TrimStart('│', ' ').StartsWith("shader-f16 ", StringComparison.Ordinal));
        Assert.Contains(output.Split('\n'), l => l.TrimStart('│', ' ').StartsWith("app memory ", StringComparison.Ordinal));

        var (jsonCode, json) = CliRunner.Run([.. args, "--json"]);
        Assert.Equal(0, jsonCode);
        Assert.Contains("\"ShaderF16Missing\"", json, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(FitConstraint.ShaderF16Missing, "shader-f16")]
    [InlineData(FitConstraint.NoWebGpu, "browser with WebGPU")]
    [InlineData(FitConstraint.AppMemory, "app memory")]
    [InlineData(FitConstraint.Vram, "VRAM")]
    [InlineData(FitConstraint.HostRam, "host RAM")]
    [InlineData(FitConstraint.WebGpuBufferLimit, "WebGPU buffer")]
    [InlineData(FitConstraint.Wasm4GiB, "wasm32 4 GiB")]
    [InlineData(FitConstraint.Storage, "storage")]
    public void Every_constraint_has_a_name_in_words(FitConstraint constraint, string words) =>
        Assert.Equal(words, FitRenderer.ConstraintName(constraint));

    [Fact]
    public void Inspect_says_the_name_agrees_with_the_size_class_and_how_far_the_count_is()
    {
        var (code, output) = CliRunner.Run("inspect", CliRunner.Shared("fixtures", "configs", "gemma-2b", "config.json"));
        Assert.Equal(0, code);
        // Gemma 2B: 2,506,172,416 parameters (../shared/reference/published-parameter-counts.csv); 2,506,172,416 / 2e9 − 1 = 25.3% above "2b".
        Assert.Contains("name agrees with the size class (2b)", output, StringComparison.Ordinal);
        Assert.Contains("25% above the tag", output, StringComparison.Ordinal);
        Assert.DoesNotContain("from the name", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Shrink_table_names_constraints_in_words()
    {
        var (code, output) = CliRunner.Run("shrink", "llama-3.1-8b", "--device", "pixel-8", "--runtime", "mediapipe");
        Assert.Equal(0, code);
        Assert.Contains("no (", output, StringComparison.Ordinal); // some options do not fit
        foreach (var c in Enum.GetValues<FitConstraint>().Where(c => c != FitConstraint.None))
        {
            Assert.DoesNotContain($"no ({c})", output, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Shrink_calls_a_sibling_a_smaller_model_with_the_same_architecture()
    {
        var (code, output) = CliRunner.Run("shrink", "llama-3.1-8b", "--device", "pixel-8", "--runtime", "mediapipe", "--json");
        Assert.Equal(0, code);
        Assert.DoesNotContain("a different model of the family", output, StringComparison.Ordinal);
        // SmolLM2-135M's config.json has model_type "llama" (shared/fixtures/configs/smollm2-135m).
        using var doc = JsonDocument.Parse(output);
        var text = doc.RootElement.ToString();
        Assert.Contains("a smaller model with the same architecture (llama)", text, StringComparison.Ordinal);
    }
}
