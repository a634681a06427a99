using LlmSize.Core.Devices;
using LlmSize.Core.Estimation.Fit;
using LlmSize.Core.Estimation;
using LlmSize.Core.Formats.HfConfig;
using LlmSize.Core.Models.Architectures;
using LlmSize.Core.Models.Catalog;
using LlmSize.Core.Tests.Infrastructure;

namespace LlmSize.Core.Tests.Estimation.Fit;

public class FitAnalyzerTests
{
    private static ModelArchitecture Config(string name) => HfConfigReader.Read(TestPaths.Fixture("configs", name, "config.json"));

    private static DeviceProfile Device(string id) => DeviceCatalog.Default.TryFind(id, out var d) ? d : throw new InvalidOperationException(id);

    [Fact]
    public void Gemma_2b_does_not_fit_a_low_end_phone_in_f16_but_a_4_bit_quantization_does()
    {
        // galaxy-a15: 4 GiB RAM, 2.0 GiB usable by one app (devices.json). gemma-2b has 2,506,172,416 parameters
        // (published-parameter-counts.csv): F16 weights alone are 2 B × 2.51e9 = 5.01 GB (4.67 GiB) > 2.0 GiB.
        var report = new FitAnalyzer(Config("gemma-2b"), "gemma-2b").Analyze(Device("galaxy-a15"), Runtimes.LlamaCpp);
        Assert.Equal(FitOutcome.FitsWithChanges, report.Outcome);
        Assert.Equal("F16", report.Requested.Format.Name);
        Assert.Equal(FitConstraint.AppMemory, report.BindingConstraint);
        Assert.NotNull(report.Best);
        Assert.True(report.Best!.Memory.TotalBytes <= Device("galaxy-a15").AppMemoryLimitBytes);
        // The first fitting rung is a ≤ 5-bit format: 8-bit Q8_0 alone is 2.51e9 × 8.5 / 8 = 2.66 GB (2.48 GiB) > 2 GiB.
        Assert.True(report.Best.Memory.Weights.BitsPerWeight < 6, report.Reason);
        Assert.Contains("does not fit", report.Reason);
        Assert.All(report.Download, d => Assert.True(double.IsFinite(d.Seconds) && d.Seconds > 0));
        Assert.True(double.IsFinite(report.Speed.DecodeTokensPerSecond) && report.Speed.DecodeTokensPerSecond > 0);
    }

    [Fact]
    public void Discrete_gpu_too_small_gets_partial_offload_with_llama_cpp()
    {
        // mixtral-8x7b (46.7B parameters) at Q4_K_M is ~26 GB: more than an RTX 4090's 24 GiB, less than VRAM + RAM.
        var report = new FitAnalyzer(Config("mixtral-8x7b-v0.1"), "mixtral").Analyze(Device("rtx-4090"), Runtimes.LlamaCpp,
            Runtimes.LlamaCpp.FindFormat("Q4_K_M"));
        Assert.NotNull(report.Best);
        Assert.NotNull(report.Best!.GpuLayers);
        Assert.InRange(report.Best.GpuLayers!.Value, 1, 31);
        Assert.Contains(report.Best.Checks, c => c.Constraint == FitConstraint.HostRam && c.Passes);
    }

    [Fact]
    public void Webgpu_limits_and_shader_f16_are_hard_constraints()
    {
        // galaxy-a15's Chrome: maxStorageBufferBindingSize 128 MiB, no shader-f16 (devices.json). gemma-2b's embedding
        // is 256000 × 2048 = 524,288,000 weights: at q4f32_1 (5 bits) 327,680,000 B > 128 MiB.
        var report = new FitAnalyzer(Config("gemma-2b"), "gemma-2b").Analyze(Device("galaxy-a15"), Runtimes.WebLlm,
            Runtimes.WebLlm.FindFormat("q4f16_1"));
        Assert.Equal(FitOutcome.DoesNotFit, report.Outcome);
        Assert.Contains(report.Requested.Checks, c => c.Constraint == FitConstraint.ShaderF16Missing && !c.Passes);
        Assert.Contains(report.Requested.Checks, c => c.Constraint == FitConstraint.WebGpuBufferLimit && !c.Passes);
    }

    [Fact]
    public void Missing_shader_f16_falls_back_to_the_f32_activation_format()
    {
        // pixel-7a's Chrome has no shader-f16 (devices.json). Asked for q4f16_1, WebLLM's answer is its q4f32_1 build:
        // qwen2-0.5b's largest tensor, the 151936 × 896 embedding at 5 bits, is 85,098,240 B < 128 MiB binding limit.
        var report = new FitAnalyzer(Config("qwen2-0.5b"), "qwen2-0.5b").Analyze(Device("pixel-7a"), Runtimes.WebLlm,
            Runtimes.WebLlm.FindFormat("q4f16_1"));
        Assert.Equal(FitOutcome.FitsWithChanges, report.Outcome);
        Assert.Equal("q4f32_1", report.Best!.Format.Name);
        Assert.Contains("q4f32_1", report.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Largest_webgpu_buffer_matches_webllms_published_buffer_size_required_bytes()
    {
        // ../shared/reference/webllm-vram.csv, gemma-2b-it-q4f16_1-MLC: buffer_size_required_bytes 262144000 (web-llm
        // src/config.ts). MLC keeps q_weight and q_scale in separate buffers; the embedding's q_weight is
        // 256000 × 2048 × 4 bits / 8 = 262,144,000 B.
        var report = new FitAnalyzer(Config("gemma-2b"), "gemma-2b").Analyze(Device("macbook-air-m2-16gb"), Runtimes.WebLlm,
            Runtimes.WebLlm.FindFormat("q4f16_1"));
        var buffer = report.Requested.Checks.Single(c => c.Constraint == FitConstraint.WebGpuBufferLimit);
        Assert.Equal(262_144_000, buffer.RequiredBytes);
    }

    [Fact]
    public void A_passing_feature_check_is_never_the_tightest_constraint()
    {
        // rtx-4090 (24 GiB, shader-f16): qwen2-0.5b at q4f16_1 fits; the binding constraint must be a byte budget.
        var report = new FitAnalyzer(Config("qwen2-0.5b"), "qwen2-0.5b").Analyze(Device("rtx-4090"), Runtimes.WebLlm,
            Runtimes.WebLlm.FindFormat("q4f16_1"));
        Assert.Equal(FitOutcome.Fits, report.Outcome);
        Assert.False(report.Requested.Binding.Constraint.IsFeature());
        Assert.DoesNotContain("shader-f16", report.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Too_long_a_context_falls_back_to_the_trained_maximum_first()
    {
        // llama-3.2-1b was trained for 131072 tokens (max_position_embeddings). At q4f16_1 its KV cache for 131072 tokens
        // is 16 layers × 2 × 131072 × 8 kv heads × 64 × 2 B = 4 GiB, which fits an RTX 4090's 24 GiB; a 1M request does not.
        var report = new FitAnalyzer(Config("llama-3.2-1b"), "llama-3.2-1b").Analyze(Device("rtx-4090"), Runtimes.WebLlm,
            Runtimes.WebLlm.FindFormat("q4f16_1"), 1_000_000);
        Assert.Equal(FitOutcome.FitsWithChanges, report.Outcome);
        Assert.Equal(131072, report.Best!.ContextTokens);
        Assert.Equal("q4f16_1", report.Best.Format.Name);
        Assert.Contains(report.Warnings, w => w.Contains("requested context", StringComparison.Ordinal));
    }

    [Fact]
    public void When_nothing_fits_the_reason_names_the_smallest_variant_tried()
    {
        // gemma-2b on galaxy-a15 with WebLLM: 128 MiB binding limit vs a 250 MiB embedding at every format. The "even …"
        // variant is the smallest the phone could run at all — no shader-f16 there, so q4f32_1, not q3f16_1 — at the
        // shortest context, never the larger q0f32.
        var report = new FitAnalyzer(Config("gemma-2b"), "gemma-2b").Analyze(Device("galaxy-a15"), Runtimes.WebLlm,
            Runtimes.WebLlm.FindFormat("q4f16_1"));
        Assert.Equal(FitOutcome.DoesNotFit, report.Outcome);
        Assert.Equal(512, report.LastTried.ContextTokens);
        Assert.Equal("q4f32_1", report.LastTried.Format.Name);
        Assert.DoesNotContain("q0f32", report.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Vram_row_names_the_models_own_layer_count()
    {
        var report = new FitAnalyzer(Config("llama-3.2-1b"), "llama-3.2-1b").Analyze(Device("rtx-4090"), Runtimes.LlamaCpp,
            Runtimes.LlamaCpp.FindFormat("Q4_K_M"));
        Assert.Contains(report.Requested.Checks, c => c.Constraint == FitConstraint.Vram && c.Detail.StartsWith("all 16 layers", StringComparison.Ordinal)); // num_hidden_layers 16
    }

    [Fact]
    public void Cpu_execution_on_a_discrete_gpu_machine_reads_system_ram_not_vram()
    {
        // onnxruntime runs on the CPU: an H200's 4,800 GB/s HBM3e is not what the CPU reads. Both H200 and RTX 4090
        // machines decode at the host-RAM assumption (EstimationAssumptions.HostRamBandwidthGBps, 60 GB/s), so the same.
        var analyzer = new FitAnalyzer(Config("llama-3.2-1b"), "llama-3.2-1b");
        var h200 = analyzer.Analyze(Device("h200"), Runtimes.OnnxRuntime);
        var rtx = analyzer.Analyze(Device("rtx-4090"), Runtimes.OnnxRuntime);
        Assert.Equal(ExecutionTarget.NativeCpu, h200.Requested.Target);
        Assert.Equal(rtx.Speed.DecodeTokensPerSecond, h200.Speed.DecodeTokensPerSecond, 6);
        Assert.Contains("60 GB/s", h200.Speed.DecodeFormula, StringComparison.Ordinal);
    }

    [Fact]
    public void Over_long_context_skips_straight_to_the_trained_maximum()
    {
        // phi-2 was trained for 2048 tokens (max_position_embeddings). Asked for 32768 on a Pixel 8, contexts between
        // 2048 and 32768 are no better than the request: the answer is the highest precision at 2048.
        var report = new FitAnalyzer(Config("phi-2"), "phi-2").Analyze(Device("pixel-8"), Runtimes.LlamaCpp, null, 32768);
        Assert.Equal(2048, report.Best!.ContextTokens);
        Assert.Equal("Q8_0", report.Best.Format.Name);
    }

    [Fact]
    public void Mediapipe_on_a_phone_is_a_native_gpu_app()
    {
        // MediaPipe LLM Inference's Android sample runs Gemma 2B int4 on the phone's GPU, outside any browser tab.
        var report = new FitAnalyzer(Config("gemma-2b"), "gemma-2b").Analyze(Device("pixel-8"), Runtimes.MediaPipe, Runtimes.MediaPipe.FindFormat("int4"));
        Assert.Equal(ExecutionTarget.NativeGpu, report.Requested.Target);
        Assert.Equal(FitOutcome.Fits, report.Outcome);
        Assert.DoesNotContain(report.Requested.Checks, c => c.Constraint == FitConstraint.WebGpuBufferLimit);
    }

    [Fact]
    public void Transformers_js_falls_back_to_wasm_when_webgpu_limits_block()
    {
        // pixel-8: 128 MiB binding limit; qwen2-0.5b's fp16 embedding (151936 × 896 × 2 B = 272 MB) does not fit one
        // binding, and even the q4f16 export keeps it fp16. Transformers.js's wasm backend has no such limit.
        var report = new FitAnalyzer(Config("qwen2-0.5b"), "qwen2-0.5b").Analyze(Device("pixel-8"), Runtimes.TransformersJs);
        Assert.Equal(ExecutionTarget.BrowserWasm, report.Requested.Target);
        Assert.NotEqual(FitOutcome.DoesNotFit, report.Outcome);
        Assert.Contains("WebGPU buffer", report.Reason, StringComparison.Ordinal); // says why WebGPU was left
    }

    [Fact]
    public void A_device_without_a_browser_gets_no_browser_runtime_and_no_ladder()
    {
        var report = new FitAnalyzer(Config("qwen2-0.5b"), "qwen2-0.5b").Analyze(Device("t4"), Runtimes.TransformersJs);
        Assert.Equal(FitOutcome.DoesNotFit, report.Outcome);
        Assert.Contains(report.Requested.Checks, c => c.Constraint == FitConstraint.NoWebGpu && !c.Passes);
        Assert.DoesNotContain("even", report.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Without_quant_a_full_vram_fit_beats_a_partial_offload()
    {
        // rtx-4060-laptop: 8 GiB VRAM. llama-3.1-8b at F16 (16 GB) fits only with layers in system RAM; Q6_K (6.6 GB)
        // fits entirely in VRAM, which is what a user without --quant should be told.
        var report = new FitAnalyzer(Config("llama-3.2-1b"), "llama-3.2-1b").Analyze(Device("rtx-4060-laptop"), Runtimes.LlamaCpp);
        Assert.Equal(FitOutcome.Fits, report.Outcome); // a 1B model fits F16 in VRAM: unchanged
        Assert.True(ModelCatalog.Default.TryFind("llama-3.1-8b", out var e));
        var big = HfConfigReader.Parse(e!.Config!.Value, e.Id);
        var r8 = new FitAnalyzer(big, "llama-3.1-8b").Analyze(Device("rtx-4060-laptop"), Runtimes.LlamaCpp);
        Assert.Equal(FitOutcome.FitsWithChanges, r8.Outcome);
        Assert.NotNull(r8.Requested.GpuLayers);
        Assert.Null(r8.Best!.GpuLayers);
        Assert.Contains("-ngl", r8.Reason, StringComparison.Ordinal);
        // Asked for F16 explicitly, the split is the answer.
        var asked = new FitAnalyzer(big, "llama-3.1-8b").Analyze(Device("rtx-4060-laptop"), Runtimes.LlamaCpp, Runtimes.LlamaCpp.FindFormat("F16"));
        Assert.Equal(FitOutcome.Fits, asked.Outcome);
    }

    [Fact]
    public void Nothing_fits_reason_lists_every_failing_check_of_the_smallest_variant()
    {
        // galaxy-a15 (2 GiB for a tab, 128 MiB binding): llama-3.1-8b at q4f32_1 and 512 tokens is ~4.9 GiB with a
        // 128256 × 4096 embedding (263 MB at 4 bits): both the memory and the buffer checks fail, and both are named.
        Assert.True(ModelCatalog.Default.TryFind("llama-3.1-8b", out var e));
        var report = new FitAnalyzer(HfConfigReader.Parse(e!.Config!.Value, e.Id), "llama-3.1-8b").Analyze(Device("galaxy-a15"), Runtimes.WebLlm);
        Assert.Equal(FitOutcome.DoesNotFit, report.Outcome);
        Assert.Contains("WebGPU buffer", report.Reason, StringComparison.Ordinal);
        Assert.Contains("app memory", report.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Smaller_formats_listed_before_the_request_are_still_rungs_below_it()
    {
        // WebLLM lists q4f32_1 last; asked for it on an 8 GB MacBook Air, llama-3.1-8b's q4f16_1 (4.5 vs 5 bits) is the
        // next rung down and fits at the full 4096 tokens — but tightly, so the comfortable q3f16_1 below it is
        // recommended and q4f16_1 is named as the tight alternative (FitVariant.Preference).
        Assert.True(ModelCatalog.Default.TryFind("llama-3.1-8b", out var e));
        var big = HfConfigReader.Parse(e!.Config!.Value, e.Id);
        var device = Device("macbook-air-m1-8gb");
        var analyzer = new FitAnalyzer(big, "llama-3.1-8b");
        var report = analyzer.Analyze(device, Runtimes.WebLlm, Runtimes.WebLlm.FindFormat("q4f32_1"));
        var q4f16 = analyzer.Analyze(device, Runtimes.WebLlm, Runtimes.WebLlm.FindFormat("q4f16_1")).Requested;
        Assert.True(q4f16.Fits && q4f16.IsTight);
        Assert.Equal("q3f16_1", report.Best!.Format.Name);
        Assert.False(report.Best.IsTight);
        Assert.Equal(4096, report.Best.ContextTokens);
        Assert.Contains(report.Warnings, w => w.StartsWith("q4f16_1 also fits", StringComparison.Ordinal));
    }

    [Fact]
    public void A_full_vram_fit_is_preferred_to_a_split_even_when_the_request_fails_outright()
    {
        // mixtral-8x7b (46.7B) on a 24 GiB RTX 4090: F16 fits nowhere; Q8_0 fits only split across VRAM and RAM, while a
        // 3-bit format fits entirely in VRAM — the answer a user wants (README "Fit").
        var report = new FitAnalyzer(Config("mixtral-8x7b-v0.1"), "mixtral").Analyze(Device("rtx-4090"), Runtimes.LlamaCpp);
        Assert.Equal(FitOutcome.FitsWithChanges, report.Outcome);
        Assert.Null(report.Best!.GpuLayers);
        Assert.True(report.Best.Memory.TotalBytes <= (long)(24L * 1024 * 1024 * 1024 * 0.95));
    }

    [Fact]
    public void Llama_cpp_uses_metal_on_iphones_as_on_ipads()
    {
        var report = new FitAnalyzer(Config("llama-3.2-1b"), "llama-3.2-1b").Analyze(Device("iphone-15"), Runtimes.LlamaCpp, Runtimes.LlamaCpp.FindFormat("Q4_K_M"));
        Assert.Equal(ExecutionTarget.NativeGpu, report.Requested.Target);
    }

    [Fact]
    public void Mediapipe_off_phones_is_the_web_api()
    {
        // MediaPipe LLM Inference has native Android/iOS APIs; on a Mac it runs in the browser, and a data-centre GPU
        // has neither.
        var analyzer = new FitAnalyzer(Config("gemma-2b"), "gemma-2b");
        Assert.Equal(ExecutionTarget.BrowserWebGpu, analyzer.Analyze(Device("macbook-air-m2-16gb"), Runtimes.MediaPipe).Requested.Target);
        var h100 = analyzer.Analyze(Device("h100-80gb"), Runtimes.MediaPipe);
        Assert.Equal(FitOutcome.DoesNotFit, h100.Outcome);
        Assert.Equal(FitConstraint.NoWebGpu, h100.BindingConstraint);
    }

    [Fact]
    public void No_browser_is_the_binding_constraint_before_any_byte_budget()
    {
        // t4: discrete 16 GiB, no browser. For WebLLM the VRAM check may fail too, but no smaller variant can help.
        Assert.True(ModelCatalog.Default.TryFind("llama-3.1-8b", out var e));
        var report = new FitAnalyzer(HfConfigReader.Parse(e!.Config!.Value, e.Id), "llama-3.1-8b").Analyze(Device("t4"), Runtimes.WebLlm);
        Assert.Equal(FitConstraint.NoWebGpu, report.BindingConstraint);
    }

    [Fact]
    public void A_tight_fit_is_warned_about()
    {
        // gemma-2b F16 on a Pixel 8 whose app limit is the F16 total + 5%: headroom 0.05 / 1.05 = 4.8% < 10%, so the
        // fit is tight and warned about (the stock Pixel 8's 5.20 GiB is below the 5.33 GiB F16 needs with llama.cpp's
        // 504 MiB compute buffer for 512 rows of Gemma's 256,000-token logits).
        // Asked for by name (--quant F16), the tight F16 is the answer, with the warning.
        var analyzer = new FitAnalyzer(Config("gemma-2b"), "gemma-2b");
        var f16Format = Runtimes.LlamaCpp.FindFormat("F16");
        long f16 = analyzer.Analyze(Device("pixel-8"), Runtimes.LlamaCpp).Requested.Memory.TotalBytes;
        var device = Device("pixel-8") with { AppMemoryLimitBytes = (long)(f16 * 1.05) };
        var report = analyzer.Analyze(device, Runtimes.LlamaCpp, f16Format);
        Assert.Equal(FitOutcome.Fits, report.Outcome);
        Assert.True(report.TightFit);
        Assert.Contains(report.Warnings, w => w.Contains("leaves only", StringComparison.Ordinal) && w.Contains("(4.8%)", StringComparison.Ordinal));

        // Without --quant the ladder walk ranks the tight F16 after every comfortable fit: Q8_0 (about half the weights)
        // leaves far more than 10%, and the warning names F16 as the tight alternative.
        var walked = analyzer.Analyze(device, Runtimes.LlamaCpp);
        Assert.Equal("Q8_0", walked.Best!.Format.Name);
        Assert.False(walked.TightFit);
        Assert.Contains(walked.Warnings, w => w.StartsWith("F16 also fits but leaves only", StringComparison.Ordinal) && w.Contains("Q8_0 is recommended", StringComparison.Ordinal));
    }

    [Fact]
    public void Encoders_do_not_generate_tokens()
    {
        var report = new FitAnalyzer(Config("distilbert-base-uncased"), "distilbert").Analyze(Device("pixel-8"), Runtimes.OnnxRuntime);
        Assert.False(report.GeneratesTokens);
        Assert.True(new FitAnalyzer(Config("gpt2"), "gpt2").Analyze(Device("pixel-8"), Runtimes.OnnxRuntime).GeneratesTokens);
    }

    [Fact]
    public void Little_cores_count_a_third_for_cpu_prompt_speed()
    {
        // galaxy-a05 (Helio G85): 8 cores of which 2 big (devices.json). Prompt processing is compute-bound:
        // (2 + 6 × 0.3) / 8 = 0.475 of what eight big cores would do.
        var d = Device("galaxy-a05");
        Assert.Equal(8, d.CpuCores);
        Assert.Equal(2, d.CpuBigCores);
        var analyzer = new FitAnalyzer(Config("qwen2-0.5b"), "qwen2-0.5b");
        var q4 = Runtimes.LlamaCpp.FindFormat("Q4_K_M");
        double weighted = analyzer.Analyze(d, Runtimes.LlamaCpp, q4).Speed.PrefillTokensPerSecond;
        double flat = analyzer.Analyze(d with { CpuBigCores = null }, Runtimes.LlamaCpp, q4).Speed.PrefillTokensPerSecond;
        Assert.Equal((2 + (6 * 0.3)) / 8, weighted / flat, 6);
    }

    [Fact]
    public void Webllm_refuses_architectures_mlc_cannot_compile()
    {
        // t5-small (model_type t5) has no model definition in mlc-llm's MODELS registry, so no WebLLM library exists.
        var report = new FitAnalyzer(Config("distilbert-base-uncased") with { Family = "t5" }, "t5").Analyze(Device("macbook-air-m2-16gb"), Runtimes.WebLlm);
        Assert.Equal(FitOutcome.DoesNotFit, report.Outcome);
        Assert.Equal(FitConstraint.UnsupportedArchitecture, report.BindingConstraint);
        Assert.True(new FitAnalyzer(Config("gemma-2b"), "gemma-2b").Analyze(Device("macbook-air-m2-16gb"), Runtimes.WebLlm).Outcome != FitOutcome.DoesNotFit);
    }

    [Fact]
    public void Every_catalog_device_gives_finite_numbers()
    {
        var analyzer = new FitAnalyzer(Config("llama-3.2-1b"), "llama-3.2-1b");
        foreach (var device in DeviceCatalog.Default.Profiles)
        {
            foreach (var runtime in Runtimes.All)
            {
                var r = analyzer.Analyze(device, runtime);
                Assert.True(double.IsFinite(r.Speed.DecodeTokensPerSecond), $"{device.Id}/{runtime.Id}");
                Assert.True(double.IsFinite(r.Speed.PrefillTokensPerSecond), $"{device.Id}/{runtime.Id}");
                Assert.True(double.IsFinite(r.Speed.LoadSeconds), $"{device.Id}/{runtime.Id}");
                Assert.False(string.IsNullOrWhiteSpace(r.Reason));
            }
        }
    }
}

public class BrowserLimitTests
{
    [Fact]
    public void Transformers_js_models_above_2_GB_need_external_data_but_still_fit()
    {
        // llama-3.2-1b: 1,235,814,400 parameters (published-parameter-counts.csv); fp16 = 2.47 GB, above protobuf's
        // 2^31 − 1 byte cap for one ONNX file, so it ships as model.onnx + model.onnx_data — a warning, not a failure.
        var arch = HfConfigReader.Read(TestPaths.Fixture("configs", "llama-3.2-1b", "config.json"));
        Assert.True(DeviceCatalog.Default.TryFind("macbook-air-m2-16gb", out var mac));
        var report = new FitAnalyzer(arch, "llama-3.2-1b").Analyze(mac!, Runtimes.TransformersJs, Runtimes.TransformersJs.FindFormat("fp16"));
        Assert.Equal(FitOutcome.Fits, report.Outcome);
        Assert.Contains(report.Warnings, w => w.Contains("external data", StringComparison.Ordinal));
    }

    [Fact]
    public void Browser_storage_uses_the_origin_quota()
    {
        var arch = HfConfigReader.Read(TestPaths.Fixture("configs", "smollm2-135m", "config.json"));
        Assert.True(DeviceCatalog.Default.TryFind("pixel-8", out var phone));
        var report = new FitAnalyzer(arch, "smollm2").Analyze(phone!, Runtimes.WebLlm);
        var storage = report.Requested.Checks.Single(c => c.Constraint == FitConstraint.Storage);
        // Chromium: an origin may use up to 60% of the disk (web.dev "Storage for the web").
        Assert.Equal((long)(phone!.FreeStorageBytes * 0.6), storage.AvailableBytes);
    }
}
