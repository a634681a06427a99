using LlmSize.Core.Devices;
using LlmSize.Core.Estimation;
using LlmSize.Core.Estimation.Fit;
using LlmSize.Core.Tests.Infrastructure;

namespace LlmSize.Core.Tests.Estimation.Fit;

/// <summary>The one pipeline's decisions (formerly made in the CLI): runtime, first format, context, download bytes,
/// request warnings, refusals.</summary>
public sealed class FitPipelineTests
{
    private static DeviceProfile Device(string id) => DeviceCatalog.Default.Find(id);

    private static FitResult Run(string model, string device, RuntimeProfile? runtime = null, string? format = null, long? context = null) =>
        FitPipeline.Run(new FitRequest { Model = ModelLoader.Load(model), Devices = [Device(device)], Runtime = runtime, Format = format, ContextTokens = context });

    [Fact]
    public void A_webllm_id_picks_webllm_its_format_and_its_context()
    {
        var r = Run("Qwen2.5-0.5B-Instruct-q4f16_1-MLC-1k", "pixel-8");
        Assert.Same(Runtimes.WebLlm, r.Request.Runtime);
        Assert.Equal("q4f16_1", r.Reports[0].Requested.Format.Name);
        Assert.Equal(1024, r.Reports[0].Requested.ContextTokens);
        Assert.Empty(r.Request.Notes);
    }

    [Fact]
    public void A_webllm_id_checked_with_another_runtime_says_so()
    {
        var r = Run("Qwen2.5-0.5B-Instruct-q4f16_1-MLC", "pixel-8", Runtimes.LlamaCpp);
        Assert.Contains(r.Reports[0].Warnings, w => w.Contains("names a WebLLM build", StringComparison.Ordinal));
    }

    [Fact]
    public void Options_that_override_the_id_are_named()
    {
        var r = Run("Qwen2.5-0.5B-Instruct-q4f16_1-MLC-1k", "pixel-8", format: "q4f32_1", context: 2048);
        string note = Assert.Single(r.Request.Notes);
        Assert.Contains("--quant q4f32_1 instead of the id's q4f16_1", note, StringComparison.Ordinal);
        Assert.Contains("--context 2048 instead of the id's 1024", note, StringComparison.Ordinal);
    }

    [Fact]
    public void A_quantized_gguf_is_checked_as_stored_and_its_file_is_the_download()
    {
        // llama-2-tiny-random.gguf: general.file_type 1 (MOSTLY_F16) in its header (../shared/README.md: F16 matrices).
        string path = TestPaths.Fixture("gguf", "llama-2-tiny-random.gguf");
        var model = ModelLoader.Load(path);
        Assert.Equal(Core.Precision.LlamaFileType.F16, model.GgufFileType);
        var r = FitPipeline.Run(new FitRequest { Model = model, Devices = [Device("pixel-8")] });
        Assert.Equal("F16", r.Reports[0].Requested.Format.Name);
        Assert.Equal(new FileInfo(path).Length, r.Reports[0].DownloadBytes);
        // Another format is computed from the architecture, not the file's bytes.
        var q8 = FitPipeline.Run(new FitRequest { Model = model, Devices = [Device("pixel-8")], Format = "Q8_0" });
        Assert.NotEqual(new FileInfo(path).Length, q8.Reports[0].DownloadBytes);
    }

    [Fact]
    public void Every_llama_ftype_is_a_llama_cpp_format_not_only_the_ladder()
    {
        // llama.h enum llama_ftype: LLAMA_FTYPE_MOSTLY_BF16 = 32 (../shared/reference/llama-ftypes.csv), a format llama.cpp
        // loads and llama-quantize writes; issue 12 found it refused as "not a llama.cpp format".
        var bf16 = Assert.IsType<GgufWeightFormat>(Runtimes.LlamaCpp.FindFormat("BF16"));
        Assert.Equal(Core.Precision.LlamaFileType.BF16, bf16.FileType);
        Assert.DoesNotContain(bf16, Runtimes.LlamaCpp.Formats); // checked when named, never walked by the ladder
        Assert.Same(bf16, Runtimes.LlamaCpp.FindFormat("32"));    // the id as llama-quantize accepts it

        // BF16 and F16 are both 2 bytes per matrix element and llama-quantize keeps 1-D tensors in F32 for both
        // (llama-quant.cpp), so the weights weigh exactly the same; the fit of a named off-ladder type runs end to end.
        var f16 = Run(TestPaths.Fixture("configs", "llama-3.2-1b", "config.json"), "rtx-4090-laptop", Runtimes.LlamaCpp, "F16");
        var b = Run(TestPaths.Fixture("configs", "llama-3.2-1b", "config.json"), "rtx-4090-laptop", Runtimes.LlamaCpp, "BF16");
        Assert.Equal("BF16", b.Reports[0].Requested.Format.Name);
        Assert.Equal(f16.Reports[0].Requested.Memory.Weights.TotalBytes, b.Reports[0].Requested.Memory.Weights.TotalBytes);

        // Q4_1 (ftype 3, off the ladder): 32 weights in 20 bytes (f16 scale + f16 min + 16 bytes, ggml type_traits), so it
        // weighs more than Q4_0 (18 bytes per 32) for the same model.
        var q41 = Run(TestPaths.Fixture("configs", "llama-3.2-1b", "config.json"), "rtx-4090-laptop", Runtimes.LlamaCpp, "Q4_1");
        var q40 = Run(TestPaths.Fixture("configs", "llama-3.2-1b", "config.json"), "rtx-4090-laptop", Runtimes.LlamaCpp, "Q4_0");
        Assert.True(q41.Reports[0].Requested.Memory.Weights.TotalBytes > q40.Reports[0].Requested.Memory.Weights.TotalBytes);
    }

    [Fact]
    public void An_unknown_format_names_the_runtime_that_has_it()
    {
        var e = Assert.Throws<UnknownNameException>(() => Run("gemma-2b", "pixel-8", format: "q4f16_1"));
        Assert.Equal(NameKind.Format, e.NameKind);
        Assert.Contains("add --runtime webllm", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Undisclosed_models_and_adapters_are_refused_by_kind()
    {
        var undisclosed = Assert.Throws<InputException>(() => Run("gpt-4", "pixel-8"));
        Assert.Equal(InputErrorKind.NotDisclosed, undisclosed.Kind);
        var adapter = Assert.Throws<InputException>(() => Run(TestPaths.Fixture("peft", "gpt2-lora-seqcls"), "pixel-8"));
        Assert.Equal(InputErrorKind.AdapterNotModel, adapter.Kind);
        Assert.Contains("llmsize fit gpt2", adapter.Message, StringComparison.Ordinal); // adapter_config.json base: gpt2
    }

    [Fact]
    public void Every_device_gets_a_report_in_order_and_the_network_applies_to_all()
    {
        var devices = new[] { Device("pixel-8"), Device("rtx-4090") };
        var r = FitPipeline.Run(new FitRequest { Model = ModelLoader.Load("gemma-2b"), Devices = devices, Network = NetworkClass.ThreeG });
        Assert.Equal(["pixel-8", "rtx-4090"], r.Reports.Select(x => x.Device.Id));
        Assert.All(r.Reports, x => Assert.Equal("3g", x.Download[0].Network.Id));
    }
}

/// <summary>Tokens/s of a multimodal model follow its language model.</summary>
public sealed class MultimodalSpeedTests
{
    [Fact]
    public void A_vision_tower_does_not_slow_token_generation()
    {
        // google/gemma-3-4b-it's real config.json (tests/…/HfConfig/Data): text model + SigLIP tower + projector.
        var full = Core.Formats.HfConfig.HfConfigReader.Read(Path.Combine(TestPaths.RepoRoot, "tests", "LlmSize.Core.Tests", "Formats", "HfConfig", "Data", "gemma-3-4b-it.config.json"));
        Assert.NotEmpty(full.Parts);
        var textOnly = full with { Parts = [] };
        var device = DeviceCatalog.Default.Find("rtx-4090");
        var withTower = new FitAnalyzer(full, "gemma-3-4b-it").Analyze(device, Runtimes.LlamaCpp, Runtimes.LlamaCpp.FindFormat("Q4_K_M"));
        var without = new FitAnalyzer(textOnly, "gemma-3-4b-it text").Analyze(device, Runtimes.LlamaCpp, Runtimes.LlamaCpp.FindFormat("Q4_K_M"));
        Assert.Equal(without.Speed.PrefillTokensPerSecond, withTower.Speed.PrefillTokensPerSecond, 6);
        Assert.Equal(without.Speed.DecodeTokensPerSecond, withTower.Speed.DecodeTokensPerSecond, 6);
    }
}
