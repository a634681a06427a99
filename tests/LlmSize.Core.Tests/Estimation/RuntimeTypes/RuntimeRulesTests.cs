using LlmSize.Core.Devices;
using LlmSize.Core.Estimation;
using LlmSize.Core.Formats.HfConfig;
using LlmSize.Core.Models;
using LlmSize.Core.Models.Architectures;
using LlmSize.Core.Tests.Infrastructure;

namespace LlmSize.Core.Tests.Estimation.RuntimeTypes;

/// <summary>Each runtime type's own rules: KV-cache windows, execution targets, supported architectures, native files.</summary>
public sealed class RuntimeRulesTests
{
    private static ModelArchitecture Config(string name) => HfConfigReader.Read(TestPaths.Fixture("configs", name, "config.json"));

    private static DeviceProfile Device(string id) => DeviceCatalog.Default.Find(id);

    [Fact]
    public void Llama_cpp_honours_gemma2_windows_but_not_mistral_v0_1()
    {
        // llama.cpp gives Gemma 2 the interleaved SWA cache (llama_kv_cache_iswa); Mistral v0.1 converts to the
        // `llama` architecture, which has no SWA (README "KV cache").
        var gemma2 = Config("gemma-2-2b");
        var (asSeen, note) = Runtimes.LlamaCpp.KvCacheView(gemma2);
        Assert.Equal(gemma2.SlidingWindow, asSeen.SlidingWindow);
        Assert.Null(note);

        var mistral = Config("mistral-7b-v0.1"); // sliding_window 4096 in its config.json
        Assert.Equal(4096, mistral.SlidingWindow);
        var (m, mNote) = Runtimes.LlamaCpp.KvCacheView(mistral);
        Assert.Null(m.SlidingWindow);
        Assert.Contains("no sliding-window cache", mNote, StringComparison.Ordinal);
    }

    [Fact]
    public void Exported_decoders_keep_every_past_token()
    {
        var mistral = Config("mistral-7b-v0.1");
        foreach (var runtime in new[] { Runtimes.TransformersJs, Runtimes.OnnxRuntime, Runtimes.MediaPipe })
        {
            var (a, note) = runtime.KvCacheView(mistral);
            Assert.Null(a.SlidingWindow);
            Assert.Contains("keeps past keys/values", note, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Models_without_a_window_are_unchanged_everywhere()
    {
        var llama = Config("llama-3.2-1b");
        foreach (var runtime in Runtimes.All)
        {
            var (a, note) = runtime.KvCacheView(llama);
            Assert.Same(llama, a);
            Assert.Null(note);
        }
    }

    [Fact]
    public void MediaPipe_runs_natively_on_phones_and_in_the_browser_elsewhere()
    {
        // MediaPipe LLM Inference ships native APIs for Android and iOS only (ai.google.dev/edge/mediapipe/solutions/genai/llm_inference).
        var phone = Runtimes.MediaPipe.ExecutionTargets(Device("pixel-8"));
        Assert.Equal(ExecutionTarget.NativeGpu, phone[0]);
        var mac = Runtimes.MediaPipe.ExecutionTargets(Device("macbook-air-m2-16gb"));
        Assert.Equal([ExecutionTarget.BrowserWebGpu], mac);
    }

    [Fact]
    public void Browser_runtimes_on_a_device_without_a_browser_keep_one_target_whose_checks_say_why()
    {
        // Data-centre GPUs have no browser (no WebGPU limits in devices.json).
        var t4 = Device("t4");
        Assert.Null(t4.WebGpu);
        Assert.Equal([ExecutionTarget.BrowserWebGpu], Runtimes.WebLlm.ExecutionTargets(t4));
        Assert.Equal([ExecutionTarget.NativeGpu, ExecutionTarget.NativeCpu], Runtimes.LlamaCpp.ExecutionTargets(t4));
    }

    [Fact]
    public void Llama_cpp_runs_on_the_cpu_of_android_phones()
    {
        Assert.Equal([ExecutionTarget.NativeCpu], Runtimes.LlamaCpp.ExecutionTargets(Device("galaxy-a15")));
    }

    [Fact]
    public void WebLlm_refuses_what_mlc_cannot_compile()
    {
        // mlc-llm python/mlc_llm/model/model.py MODELS has no t5 or distilbert.
        Assert.NotNull(Runtimes.WebLlm.UnsupportedReason(Config("distilbert-base-uncased")));
        Assert.Null(Runtimes.WebLlm.UnsupportedReason(Config("gemma-2b")));
        Assert.Null(Runtimes.LlamaCpp.UnsupportedReason(Config("distilbert-base-uncased")));
    }

    [Theory]
    [InlineData(ModelFileFormat.Gguf, "llama.cpp")]
    [InlineData(ModelFileFormat.Onnx, "transformers.js")]
    [InlineData(ModelFileFormat.Tflite, "mediapipe")]
    [InlineData(ModelFileFormat.MediaPipeTask, "mediapipe")]
    [InlineData(ModelFileFormat.Safetensors, "llama.cpp")]
    [InlineData(ModelFileFormat.Catalog, "llama.cpp")]
    public void A_file_is_checked_with_the_runtime_that_loads_it(ModelFileFormat format, string runtime)
    {
        Assert.Equal(runtime, Runtimes.ForFileFormat(format).Id);
    }

    [Fact]
    public void A_webllm_id_names_a_webllm_build_only()
    {
        var model = ModelLoader.Load("Qwen2.5-0.5B-Instruct-q4f16_1-MLC-1k");
        var build = Runtimes.WebLlm.BuildNamedBy(model.Reference);
        Assert.NotNull(build);
        Assert.Equal("q4f16_1", build.Format.Name);
        Assert.Equal(1024, build.ContextTokens); // -1k: WebLLM's context_window_size 1024 records
        Assert.All(Runtimes.All.Where(r => r != Runtimes.WebLlm), r => Assert.Null(r.BuildNamedBy(model.Reference)));
    }

    [Fact]
    public void Unknown_runtime_names_carry_suggestions()
    {
        var e = Assert.Throws<UnknownNameException>(() => Runtimes.Find("webbllm"));
        Assert.Equal(NameKind.Runtime, e.NameKind);
        Assert.Contains("webllm", e.Suggestions);
        Assert.Contains("did you mean webllm", e.Message, StringComparison.Ordinal);
    }
}
