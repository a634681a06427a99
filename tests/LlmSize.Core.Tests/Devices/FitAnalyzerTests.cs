using LlmSize.Core.Devices;
using LlmSize.Core.Estimation;
using LlmSize.Core.Formats.HfConfig;
using LlmSize.Core.Models.Architectures;
using LlmSize.Core.Tests.Infrastructure;

namespace LlmSize.Core.Tests.Devices;

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
        Assert.DoesNotContain("ShaderF16", report.Reason, StringComparison.Ordinal);
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
        // gemma-2b on galaxy-a15 with WebLLM: 128 MiB binding limit vs a 250 MiB embedding even at q3f16_1; the "even …"
        // variant must be the smallest format at the shortest context, never a larger f32 fallback.
        var report = new FitAnalyzer(Config("gemma-2b"), "gemma-2b").Analyze(Device("galaxy-a15"), Runtimes.WebLlm,
            Runtimes.WebLlm.FindFormat("q4f16_1"));
        Assert.Equal(FitOutcome.DoesNotFit, report.Outcome);
        Assert.Equal(512, report.LastTried.ContextTokens);
        var tried = Runtimes.WebLlm.Formats.Select(f => MemoryEstimator.Estimate(Config("gemma-2b"), Runtimes.WebLlm, f, 512).TotalBytes);
        Assert.Equal(tried.Min(), report.LastTried.Memory.TotalBytes);
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
