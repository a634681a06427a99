using LlmSize.Core.Devices;
using LlmSize.Core.Estimation;
using LlmSize.Core.Estimation.Fit;
using LlmSize.Core.Formats.HfConfig;
using LlmSize.Core.Models.Architectures;
using LlmSize.Core.Precision;
using LlmSize.Core.Tests.Infrastructure;

namespace LlmSize.Core.Tests.Estimation.RuntimeTypes;

/// <summary>llama.cpp's start-up knobs (<see cref="RuntimeSettings"/>) against published llama.cpp logs and against
/// llama.cpp's own rules (src/llama-context.cpp), the arithmetic beside each value.</summary>
public sealed class LlamaCppSettingsTests
{
    private const long MiB = 1L << 20;

    private static ModelArchitecture Config(string name) => HfConfigReader.Read(TestPaths.Fixture("configs", name, "config.json"));

    private static DeviceProfile Device(string id) => DeviceCatalog.Default.Find(id);

    private static MemoryEstimate Memory(string model, long context, RuntimeSettings settings, string format = "Q4_K_M") =>
        MemoryEstimator.Estimate(Config(model), Runtimes.LlamaCpp, Runtimes.LlamaCpp.FindFormat(format), context, settings: settings);

    private static readonly RuntimeSettings FlashOff = new() { FlashAttention = FlashAttentionMode.Off };

    [Theory]
    // Published log, fedora-copr/logdetective PR 106 (https://github.com/fedora-copr/logdetective/pull/106): a Mistral 7B
    // (32 layers, 32 heads, 8 KV heads × 128, hidden 4096; freq_base 1e6 = v0.2/v0.3, same shapes as v0.1) with
    // flash_attn = 0, n_ubatch 512, all layers on CUDA0:
    //   n_ctx 2048:  "KV self size = 256.00 MiB",  "CUDA0 compute buffer size = 164.00 MiB"
    //   n_ctx 32768: "KV self size = 4096.00 MiB", "CUDA0 compute buffer size = 2144.00 MiB"
    // KV: 32 layers × 2 × n_ctx × 8 × 128 × 2 B = n_ctx × 128 KiB → 256 MiB / 4096 MiB.
    // Compute (attention stage): 512 × (n_ctx × (32 heads + 1 mask) + 4 × 4096) × 4 B
    //   = 512 × (67,584 + 16,384) × 4 = 164 MiB; 512 × (1,081,344 + 16,384) × 4 = 2144 MiB.
    [InlineData(2048, 256, 164)]
    [InlineData(32768, 4096, 2144)]
    public void Flash_attention_off_matches_the_published_mistral_log_exactly(long context, long kvMiB, long computeMiB)
    {
        var m = Memory("mistral-7b-v0.1", context, FlashOff);
        Assert.Equal(kvMiB * MiB, m.KvCache.Bytes);
        Assert.Equal(computeMiB * MiB, m.ComputeBufferBytes);
        Assert.Contains("flash attention off", m.Terms.Single(t => t.Name == "compute buffers").How, StringComparison.Ordinal);
    }

    [Fact]
    public void Flash_attention_off_at_131072_tokens_is_within_5_percent_of_the_published_llama_3_2_1b_log()
    {
        // ggml-org/llama.cpp issue 10052 (https://github.com/ggml-org/llama.cpp/issues/10052), build 3972: Llama-3.2-1B at
        // its default n_ctx 131072 without -fa fails "allocating 8849.72 MiB on device 0" for the compute buffer.
        // Attention stage: 512 × (131,072 × (32 + 1) + 4 × 2048) × 4 B = 8,875,147,264 B = 8464 MiB (−4.4%).
        var m = Memory("llama-3.2-1b", 131072, FlashOff);
        Assert.Equal(512L * ((131072L * 33) + (4 * 2048)) * 4, m.ComputeBufferBytes);
        double logged = 8849.72 * MiB;
        Assert.InRange(m.ComputeBufferBytes / logged, 0.95, 1.05);
    }

    [Fact]
    public void Flash_attention_on_reserves_the_logits_of_the_whole_ubatch()
    {
        // sched_reserve reserves the pp graph for n_tokens = min(n_ctx, n_ubatch) with n_outputs = n_tokens
        // (src/llama-context.cpp): Llama 3.2 1B output stage 512 × (128,256 logits + 2048) × 4 B = 254.5 MiB; the
        // flash-attention stage 512 × 4 × 2048 × 4 B + f16 mask 131,072 × 512 × 2 B = 16 + 128 = 144 MiB is smaller.
        var auto = Memory("llama-3.2-1b", 131072, RuntimeSettings.Default);
        Assert.Equal(512L * (128256 + 2048) * 4, auto.ComputeBufferBytes);
        Assert.Equal(auto.ComputeBufferBytes, Memory("llama-3.2-1b", 131072, new RuntimeSettings { FlashAttention = FlashAttentionMode.On }).ComputeBufferBytes);
        Assert.Contains("largest stage (output)", auto.Terms.Single(t => t.Name == "compute buffers").How, StringComparison.Ordinal);
        // Off is 8464 MiB at this context: flash attention saves 8464 − 254.5 = 8209.5 MiB.
        Assert.Equal((8464 * MiB) - auto.ComputeBufferBytes, Memory("llama-3.2-1b", 131072, FlashOff).ComputeBufferBytes - auto.ComputeBufferBytes);
    }

    [Theory]
    // Mistral 7B at 32768 tokens: f16 K and V are 2048 MiB each (32 × 32768 × 1024 elements × 2 B).
    // q8_0 = 34 B per 32 elements (1.0625 B): 2048 × 1.0625 / 2 = 1088 MiB each → 2176 MiB.
    // q4_0 = 18 B per 32 elements (0.5625 B): 2048 × 0.5625 / 2 = 576 MiB each → 1152 MiB.
    // -ctk q8_0 -ctv f16: 1088 + 2048 = 3136 MiB.
    [InlineData("q8_0", "q8_0", 2176)]
    [InlineData("q4_0", "q4_0", 1152)]
    [InlineData("q8_0", "f16", 3136)]
    [InlineData("f32", "f32", 8192)]
    public void Cache_types_size_k_and_v_separately(string k, string v, long kvMiB)
    {
        Assert.True(RuntimeSettings.TryParseCacheType(k, out var kt));
        Assert.True(RuntimeSettings.TryParseCacheType(v, out var vt));
        var m = Memory("mistral-7b-v0.1", 32768, new RuntimeSettings { KvTypeK = kt, KvTypeV = vt });
        Assert.Equal(kvMiB * MiB, m.KvCache.Bytes);
        Assert.Equal(kt, m.KvCache.CacheType);
    }

    [Theory]
    // src/llama-context.cpp: n_ctx = GGML_PAD(n_ctx, 256); without --kv-unified, n_ctx_seq = GGML_PAD(n_ctx / n_seq, 256)
    // and n_ctx = n_ctx_seq × n_seq. Mistral 7B f16 KV = 128 KiB per cell.
    //   -c 8192 -np 1: 8192 cells → 1024 MiB.
    //   -c 8192 -np 4: 2048 per sequence × 4 = 8192 cells → 1024 MiB (the context is shared, not multiplied).
    //   -c 8192 -np 3: 8192 / 3 = 2730 → padded 2816 × 3 = 8448 cells → 1056 MiB.
    //   -c 8192 -np 3 --kv-unified: 8192 cells → 1024 MiB.
    //   -c 1000: padded to 1024 cells → 128 MiB.
    [InlineData(8192, 1, false, 8192, 8192)]
    [InlineData(8192, 4, false, 8192, 2048)]
    [InlineData(8192, 3, false, 8448, 2816)]
    [InlineData(8192, 3, true, 8192, 8192)]
    [InlineData(1000, 1, false, 1024, 1024)]
    public void Parallel_sequences_share_the_context_as_llama_cpp_splits_it(long context, int parallel, bool unified, long cells, long perSequence)
    {
        var settings = new RuntimeSettings { Parallel = parallel, KvUnified = unified };
        var (c, per, _) = Runtimes.LlamaCpp.KvCacheCells(context, settings);
        Assert.Equal(cells, c);
        Assert.Equal(perSequence, per);
        Assert.Equal(cells * 128 * 1024, Memory("mistral-7b-v0.1", context, settings).KvCache.Bytes);
    }

    [Fact]
    public void Ubatch_sizes_the_compute_buffer_and_batch_caps_it()
    {
        // Mistral 7B, -fa off, -c 2048, -ub 256: 256 × (2048 × 33 + 16,384) × 4 B = 82 MiB (half of the 164 MiB at 512).
        Assert.Equal(82 * MiB, Memory("mistral-7b-v0.1", 2048, FlashOff with { UbatchTokens = 256 }).ComputeBufferBytes);
        // -b 256 -ub 512: llama.cpp uses n_ubatch = min(n_batch, n_ubatch) = 256 → the same 82 MiB.
        Assert.Equal(82 * MiB, Memory("mistral-7b-v0.1", 2048, FlashOff with { BatchTokens = 256 }).ComputeBufferBytes);
        // -ub 2048: 2048 × (2048 × 33 + 16,384) × 4 B = 656 MiB.
        Assert.Equal(656 * MiB, Memory("mistral-7b-v0.1", 2048, FlashOff with { UbatchTokens = 2048 }).ComputeBufferBytes);
    }

    [Fact]
    public void Gpu_layers_fix_the_split_on_a_discrete_gpu()
    {
        var arch = Config("mistral-7b-v0.1");
        var q4 = Runtimes.LlamaCpp.FindFormat("Q4_K_M");
        var device = Device("rtx-4090");
        var auto = new FitAnalyzer(arch, "mistral").Analyze(device, Runtimes.LlamaCpp, q4, 4096);
        Assert.Null(auto.Requested.GpuLayers); // fits whole: no split
        var twenty = new FitAnalyzer(arch, "mistral", settings: new RuntimeSettings { GpuLayers = 20 }).Analyze(device, Runtimes.LlamaCpp, q4, 4096);
        var v = twenty.Requested;
        Assert.Equal(20, v.GpuLayers);
        Assert.True(v.IsSplit);
        // On the GPU: compute buffers + overhead + 20 × (one layer's weights + its share of the KV cache).
        long perLayer = v.Memory.Weights.PerLayerBytes + (v.Memory.KvCache.Bytes / 32);
        var vram = v.Checks.Single(c => c.Constraint == FitConstraint.Vram);
        Assert.Equal(v.Memory.ComputeBufferBytes + v.Memory.OverheadBytes + (20 * perLayer), vram.RequiredBytes);
        Assert.Equal(v.Memory.TotalBytes - vram.RequiredBytes, v.Checks.Single(c => c.Constraint == FitConstraint.HostRam).RequiredBytes);
        Assert.Contains("as asked", vram.Detail, StringComparison.Ordinal);
        // -ngl 32 = every layer: one VRAM check with the whole total.
        var all = new FitAnalyzer(arch, "mistral", settings: new RuntimeSettings { GpuLayers = 32 }).Analyze(device, Runtimes.LlamaCpp, q4, 4096).Requested;
        Assert.Equal(all.Memory.TotalBytes, all.Checks.Single(c => c.Constraint == FitConstraint.Vram).RequiredBytes);
        Assert.False(all.IsSplit);
    }

    [Fact]
    public void Settings_out_of_range_are_refused_with_the_valid_range()
    {
        Assert.Contains("1 or more", new RuntimeSettings { Parallel = 0 }.Problem(), StringComparison.Ordinal);
        Assert.Contains("needs flash attention", new RuntimeSettings { KvTypeV = TensorDataType.Q4_0, FlashAttention = FlashAttentionMode.Off }.Problem(), StringComparison.Ordinal);
        Assert.Null(new RuntimeSettings { KvTypeV = TensorDataType.Q4_0 }.Problem()); // auto resolves to on
        Assert.Contains("q8_0", new RuntimeSettings { KvTypeK = TensorDataType.Q4_K }.Problem(), StringComparison.Ordinal); // lists the valid types
        Assert.False(RuntimeSettings.TryParseCacheType("q4_k", out _));

        var model = ModelLoader.Load("mistral-7b-v0.1");
        var e = Assert.Throws<InputException>(() => FitPipeline.Run(new FitRequest
        {
            Model = model, Devices = [Device("rtx-4090")], Runtime = Runtimes.LlamaCpp, Settings = new RuntimeSettings { GpuLayers = 33 },
        }));
        Assert.Equal(InputErrorKind.InvalidSetting, e.Kind);
        Assert.Contains("give 0 to 32", e.Message, StringComparison.Ordinal);

        var other = Assert.Throws<InputException>(() => FitPipeline.Run(new FitRequest
        {
            Model = model, Devices = [Device("rtx-4090")], Runtime = Runtimes.WebLlm, Settings = new RuntimeSettings { KvTypeK = TensorDataType.Q8_0 },
        }));
        Assert.Equal(InputErrorKind.InvalidSetting, other.Kind);
        Assert.Contains("-ctk q8_0", other.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Settings_travel_in_the_request_to_every_report()
    {
        var settings = new RuntimeSettings { KvTypeK = TensorDataType.Q8_0, KvTypeV = TensorDataType.Q8_0, Parallel = 2 };
        var result = FitPipeline.Run(new FitRequest
        {
            Model = ModelLoader.Load("mistral-7b-v0.1"), Devices = [Device("rtx-4090"), Device("macbook-air-m2-16gb")],
            Runtime = Runtimes.LlamaCpp, Format = "Q4_K_M", ContextTokens = 32768, Settings = settings,
        });
        Assert.Equal(settings, result.Request.Settings);
        foreach (var r in result.Reports)
        {
            Assert.Equal(settings, r.Requested.Memory.Settings);
            Assert.Equal(2176 * MiB, r.Requested.Memory.KvCache.Bytes); // 2 × 16384 cells = 32768: the q8_0 figure above
        }

        Assert.Equal("-ctk q8_0 -ctv q8_0 -np 2", settings.ToFlags());
    }

    [Fact]
    public void Longest_context_is_the_boundary_of_what_fits()
    {
        // Llama 3.2 1B Q4_K_M on a 4 GB phone (2.00 GiB for one app): the KV cache grows 32 KiB per token
        // (16 layers × 2 × 8 × 64 × 2 B), so the answer lies well inside the 131,072 trained tokens.
        var arch = Config("llama-3.2-1b");
        var device = Device("galaxy-a15");
        var analyzer = new FitAnalyzer(arch, "llama-3.2-1b");
        var q4 = Runtimes.LlamaCpp.FindFormat("Q4_K_M");
        var report = analyzer.Analyze(device, Runtimes.LlamaCpp, q4, 4096);
        var longest = analyzer.LongestContext(device, Runtimes.LlamaCpp, report)!;
        Assert.Equal("Q4_K_M", longest.Format);
        Assert.Equal(131072, longest.Limit);
        Assert.True(longest.Tokens is > 4096 and < 131072);
        Assert.Equal(0, longest.Tokens % FitAnalyzer.LongestContextStep);
        Assert.True(new FitAnalyzer(arch, "x").Analyze(device, Runtimes.LlamaCpp, q4, longest.Tokens).Requested.Fits);
        Assert.False(new FitAnalyzer(arch, "x").Analyze(device, Runtimes.LlamaCpp, q4, longest.Tokens + FitAnalyzer.LongestContextStep).Requested.Fits);
        Assert.Equal(longest.Tokens, longest.Variant!.ContextTokens);

        // The whole trained context of Qwen2 0.5B (32,768 tokens) fits an H200.
        var qwen = new FitAnalyzer(Config("qwen2-0.5b"), "qwen2-0.5b");
        var h200 = Device("h200");
        var all = qwen.LongestContext(h200, Runtimes.LlamaCpp, qwen.Analyze(h200, Runtimes.LlamaCpp, q4))!;
        Assert.True(all.FitsTrainedMaximum);
        Assert.Equal(Config("qwen2-0.5b").ContextLength, all.Tokens);
    }

    [Fact]
    public void Context_max_through_the_pipeline_answers_every_device()
    {
        var result = FitPipeline.Run(new FitRequest
        {
            Model = ModelLoader.Load("llama-3.2-1b"), Devices = [Device("galaxy-a15"), Device("h200")], Runtime = Runtimes.LlamaCpp,
            Format = "Q4_K_M", LongestContext = true,
        });
        Assert.All(result.Reports, r => Assert.NotNull(r.LongestContext));
        Assert.True(result.Reports[0].LongestContext!.Tokens < result.Reports[1].LongestContext!.Tokens);
    }

    [Theory]
    // Gemma 2 2B (26 layers alternating 4096-token window / global, 4 KV heads × 256 → 4096 B per token-layer at f16).
    // src/llama-kv-cache-iswa.cpp: SWA cells per stream = GGML_PAD(min(stream cells, n_swa × (unified ? n_seq : 1) + n_ubatch), 256).
    //   -c 8192:                 13 × pad(min(8192, 4096 + 512)) = 13 × 4608;             global 13 × 8192.
    //   -c 8192 -ub 2048:        13 × pad(min(8192, 4096 + 2048)) = 13 × 6144;            global 13 × 8192.
    //   -c 32768 -np 4:          4 streams of 8192: 13 × 4 × pad(min(8192, 4096 + 512)) = 13 × 18432; global 13 × 32768.
    //   -c 32768 -np 4 unified:  13 × pad(min(32768, 4096 × 4 + 512)) = 13 × 16896;       global 13 × 32768.
    [InlineData(8192, 1, false, 512, 4608, 8192)]
    [InlineData(8192, 1, false, 2048, 6144, 8192)]
    [InlineData(32768, 4, false, 512, 18432, 32768)]
    [InlineData(32768, 4, true, 512, 16896, 32768)]
    public void Sliding_window_layers_keep_the_window_plus_one_ubatch(long context, int parallel, bool unified, int ubatch, long swaCells, long globalCells)
    {
        var settings = new RuntimeSettings { Parallel = parallel, KvUnified = unified, UbatchTokens = ubatch };
        var m = MemoryEstimator.Estimate(Config("gemma-2-2b"), Runtimes.LlamaCpp, Runtimes.LlamaCpp.FindFormat("Q4_K_M"), context, settings: settings);
        Assert.Equal((13 * swaCells * 4096) + (13 * globalCells * 4096), m.KvCache.Bytes);
    }

    [Fact]
    public void Override_tensor_keeps_the_experts_in_system_ram()
    {
        // Mixtral 8x7B at F16 with -ot exps=CPU: the merged expert tensors blk.N.ffn_{gate,up,down}_exps.weight are
        // 32 layers × 8 experts × 3 × 4096 × 14,336 × 2 B = 90,194,313,216 B; the router ffn_gate_inp does not match.
        const long experts = 32L * 8 * 3 * 4096 * 14336 * 2;
        var arch = Config("mixtral-8x7b-v0.1");
        var f16 = Runtimes.LlamaCpp.FindFormat("F16");
        var device = Device("h200");
        var plain = new FitAnalyzer(arch, "mixtral").Analyze(device, Runtimes.LlamaCpp, f16, 4096).Requested;
        var ot = new FitAnalyzer(arch, "mixtral", settings: new RuntimeSettings { OverrideTensor = "exps=CPU" }).Analyze(device, Runtimes.LlamaCpp, f16, 4096).Requested;
        Assert.Equal(plain.Memory.TotalBytes, ot.Memory.TotalBytes); // the same bytes, elsewhere
        Assert.Equal(experts, ot.HostPinnedBytes);
        Assert.Equal(plain.Memory.TotalBytes - experts, ot.Checks.Single(c => c.Constraint == FitConstraint.Vram).RequiredBytes);
        Assert.Equal(experts, ot.Checks.Single(c => c.Constraint == FitConstraint.HostRam).RequiredBytes);
        Assert.False(ot.IsSplit);
        // Reading most weights from system RAM is slower than from VRAM.
        var fast = new FitAnalyzer(arch, "mixtral").Analyze(device, Runtimes.LlamaCpp, f16, 4096).Speed.DecodeTokensPerSecond;
        var slow = new FitAnalyzer(arch, "mixtral", settings: new RuntimeSettings { OverrideTensor = "exps=CPU" }).Analyze(device, Runtimes.LlamaCpp, f16, 4096).Speed.DecodeTokensPerSecond;
        Assert.True(slow < fast / 2);
        // A pattern that matches nothing changes nothing.
        var none = new FitAnalyzer(arch, "mixtral", settings: new RuntimeSettings { OverrideTensor = "no_such_tensor=CPU" }).Analyze(device, Runtimes.LlamaCpp, f16, 4096).Requested;
        Assert.Equal(plain.Checks.Single(c => c.Constraint == FitConstraint.Vram).RequiredBytes, none.Checks.Single(c => c.Constraint == FitConstraint.Vram).RequiredBytes);
    }

    [Theory]
    [InlineData("exps=CUDA0", "only the CPU buffer type")]
    [InlineData("exps", "give PATTERN=CPU")]
    [InlineData("(exps=CPU", "is not a regular expression")]
    [InlineData("(?<=a)b=CPU", "is not a regular expression")] // look-behind: not linear-time
    public void Override_tensor_rules_are_checked(string rule, string message)
    {
        Assert.Contains(message, new RuntimeSettings { OverrideTensor = rule }.Problem(), StringComparison.Ordinal);
    }
}
