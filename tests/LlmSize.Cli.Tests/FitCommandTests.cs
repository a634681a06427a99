using System.Text.Json;

namespace LlmSize.Cli.Tests;

public class FitCommandTests
{
    [Fact]
    public void Gemma_2b_on_a_low_end_phone_needs_quantization()
    {
        var (code, output) = CliRunner.Run("fit", "gemma-2b", "--device", "galaxy-a15");
        Assert.Equal(0, code);
        Assert.Contains("fits with changes", output);
        Assert.Contains("F16 does not fit", output);
        Assert.Contains("use Q", output);
    }

    [Fact]
    public void All_devices_gives_one_row_per_device()
    {
        var (code, output) = CliRunner.Run("fit", "mistral-7b-v0.1", "--all-devices", "--runtime", "llama.cpp", "--quant", "Q4_K_M");
        Assert.Equal(0, code);
        foreach (string id in new[] { "galaxy-a15", "pixel-8", "macbook-air-m2-16gb", "rtx-4090", "h200" }) Assert.Contains(id, output);
        Assert.Contains("does not fit", output);
        Assert.Contains("fits", output);
    }

    [Fact]
    public void Chart_draws_every_device_against_its_budget_as_svg()
    {
        string path = Path.Combine(Path.GetTempPath(), $"llmsize-chart-{Guid.NewGuid():N}.svg");
        try
        {
            var (code, _) = CliRunner.Run("fit", "mistral-7b-v0.1", "--all-devices", "--runtime", "llama.cpp", "--quant", "Q4_K_M", "--chart", path);
            Assert.Equal(0, code);
            var svg = System.Xml.Linq.XDocument.Load(path); // well-formed XML
            Assert.Equal("svg", svg.Root!.Name.LocalName);
            var texts = svg.Descendants().Where(e => e.Name.LocalName == "text").Select(e => e.Value).ToList();
            int devices = LlmSize.Core.Devices.DeviceCatalog.Default.Profiles.Count;
            Assert.Equal(devices, texts.Count(t => t.Contains(" — ", StringComparison.Ordinal))); // one label per device
            Assert.Contains(texts, t => t.StartsWith("galaxy-a15 — does not fit", StringComparison.Ordinal)); // 4 GiB phone, 2 GiB for apps
            Assert.Contains(texts, t => t.StartsWith("rtx-4090 — fits", StringComparison.Ordinal));
            Assert.Contains(texts, t => t == "KV cache"); // legend names the memory terms
            Assert.False(File.Exists(path + ".tmp"));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Theory]
    // ../shared/reference/webllm-vram.csv: Qwen2.5-0.5B-Instruct-q4f16_1-MLC 944.62 MiB at 4096 tokens;
    // gemma-2-2b-it-q4f16_1-MLC-1k 1583.3 MiB at 1024 tokens.
    [InlineData("Qwen2.5-0.5B-Instruct-q4f16_1-MLC", "q4f16_1", 4096, 944.62)]
    [InlineData("gemma-2-2b-it-q4f16_1-MLC-1k", "q4f16_1", 1024, 1583.3)]
    public void A_webllm_model_id_sets_runtime_format_and_context(string id, string format, long context, double publishedMiB)
    {
        var (code, output) = CliRunner.Run("fit", id, "--device", "macbook-air-m2-16gb", "--json");
        Assert.Equal(0, code);
        using var doc = JsonDocument.Parse(output);
        var r = doc.RootElement[0];
        Assert.Equal("webllm", r.GetProperty("runtime").GetString());
        var requested = r.GetProperty("requested");
        Assert.Equal(format, requested.GetProperty("format").GetString());
        Assert.Equal(context, requested.GetProperty("contextTokens").GetInt64());
        double mib = requested.GetProperty("totalBytes").GetInt64() / 1048576.0;
        Assert.InRange((mib - publishedMiB) / publishedMiB, -0.15, 0.15);
    }

    [Fact]
    public void A_requested_split_is_described_as_a_split_not_a_failure()
    {
        // llama-3.1-8b F16 (16 GB) on an 8 GiB RTX 4060 laptop fits only with layers in system RAM; Q6_K fits in VRAM.
        var (code, output) = CliRunner.Run("fit", "llama-3.1-8b", "--device", "rtx-4060-laptop");
        Assert.Equal(0, code);
        Assert.Contains("fits only as a CPU/GPU split (-ngl", output, StringComparison.Ordinal);
        Assert.DoesNotContain("and fails: \n", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Encoder_models_get_no_generation_speed_in_json()
    {
        var (code, output) = CliRunner.Run("fit", "distilbert-base-uncased", "--device", "pixel-8", "--runtime", "onnxruntime", "--json");
        Assert.Equal(0, code);
        using var doc = JsonDocument.Parse(output);
        Assert.Equal(JsonValueKind.Null, doc.RootElement[0].GetProperty("decodeTokensPerSecond").ValueKind);
    }

    [Fact]
    public void Options_that_override_a_webllm_id_are_named()
    {
        var (code, output) = CliRunner.Run("fit", "gemma-2-2b-it-q4f16_1-MLC-1k", "--device", "rtx-4090", "--context", "4096", "--json");
        Assert.Equal(0, code);
        using var doc = JsonDocument.Parse(output);
        var warnings = doc.RootElement[0].GetProperty("warnings").EnumerateArray().Select(w => w.GetString()).ToList();
        Assert.Contains(warnings, w => w!.Contains("--context 4096 instead of the id's 1024", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("lora", "size")]
    [InlineData("shrink")]
    public void Adapter_folders_name_their_base_model(params string[] command)
    {
        string[] args = command[0] == "shrink"
            ? ["shrink", CliRunner.Shared("fixtures", "peft", "gpt2-lora-seqcls"), "--device", "pixel-8"]
            : ["lora", "size", CliRunner.Shared("fixtures", "peft", "gpt2-lora-seqcls")];
        var (code, output) = CliRunner.Run(args);
        Assert.Equal(1, code);
        Assert.Contains("LoRA adapter for gpt2", output, StringComparison.Ordinal); // adapter_config.json base_model_name_or_path
    }

    [Fact]
    public void All_devices_table_marks_wasm_and_tight_rows()
    {
        // Transformers.js on pixel-7a leaves WebGPU (128 MiB binding) for wasm; gemma-2b F16 on pixel-7a leaves 5%.
        var (code, tjs) = CliRunner.Run("fit", "qwen2-0.5b", "--all-devices", "--runtime", "transformers.js");
        Assert.Equal(0, code);
        Assert.Contains("(wasm)", tjs, StringComparison.Ordinal);
        var (code2, llama) = CliRunner.Run("fit", "gemma-2b", "--all-devices");
        Assert.Equal(0, code2);
        Assert.Contains("(tight)", llama, StringComparison.Ordinal);
    }

    [Fact]
    public void A_chosen_network_is_labelled_as_chosen_and_the_download_names_its_format()
    {
        var (code, output) = CliRunner.Run("fit", "gemma-2b", "--device", "galaxy-a15", "--network", "10Mbps");
        Assert.Equal(0, code);
        Assert.Contains("(--network)", output, StringComparison.Ordinal);
        Assert.DoesNotContain("(device's network)", output, StringComparison.Ordinal);
        Assert.Contains("download of Q", output, StringComparison.Ordinal); // F16 does not fit a 4 GB phone: a Q… format is shown
    }

    [Fact]
    public void Device_file_alone_says_how_to_pick_from_it()
    {
        var (code, output) = CliRunner.Run("fit", "gemma-2b", "--device-file", "my.json");
        Assert.Equal(2, code);
        Assert.Contains("--device ID", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Chart_must_be_svg()
    {
        var (code, output) = CliRunner.Run("fit", "gemma-2b", "--device", "pixel-8", "--chart", "out.png");
        Assert.Equal(2, code);
        Assert.Contains("*.svg", output);
    }

    [Fact]
    public void Json_has_no_nan_and_the_schema()
    {
        var (code, output) = CliRunner.Run("fit", "llama-3.2-1b", "--all-devices", "--runtime", "webllm", "--json");
        Assert.Equal(0, code);
        Assert.DoesNotContain("NaN", output);
        Assert.DoesNotContain("Infinity", output);
        using var doc = JsonDocument.Parse(output);
        Assert.True(doc.RootElement.GetArrayLength() >= 40);
        Assert.All(doc.RootElement.EnumerateArray(), r => Assert.Equal("llmsize.fit/v1", r.GetProperty("schema").GetString()));
    }

    [Fact]
    public void Inline_device_and_context_are_used()
    {
        var (code, output) = CliRunner.Run("fit", "tinyllama-1.1b-chat-v1.0", "--ram", "8GiB", "--bandwidth", "50GB/s", "--context", "2048", "--json");
        Assert.Equal(0, code);
        using var doc = JsonDocument.Parse(output);
        Assert.Equal(2048, doc.RootElement[0].GetProperty("requested").GetProperty("contextTokens").GetInt64());
    }

    [Theory]
    [InlineData(new[] { "fit", "gemma-2b" }, 2)] // no device
    [InlineData(new[] { "fit", "gemma-2b", "--device", "pixel-8", "--all-devices" }, 2)] // two device sources
    [InlineData(new[] { "fit", "gemma-2b", "--device", "pixel8x" }, 1)] // unknown device
    [InlineData(new[] { "fit", "gemma-2b", "--device", "pixel-8", "--runtime", "vllm" }, 1)] // unknown runtime
    [InlineData(new[] { "fit", "gemma-2b", "--device", "pixel-8", "--quant", "Q9_K" }, 1)] // unknown format
    [InlineData(new[] { "fit", "gpt-4", "--device", "pixel-8" }, 1)] // undisclosed size
    [InlineData(new[] { "fit", "gemma-2b", "--ram", "-8GiB", "--bandwidth", "0GB/s" }, 1)] // impossible specs
    public void Bad_input_gets_a_clear_error(string[] args, int expected)
    {
        var (code, output) = CliRunner.Run(args);
        Assert.Equal(expected, code);
        Assert.Contains("error", output);
        Assert.DoesNotContain("   at ", output);
    }

    [Theory]
    [InlineData(new[] { "fit", "gemma-2b", "--device", "pixel-8", "--runtime", "webllmm" }, "did you mean webllm")]
    [InlineData(new[] { "fit", "gemma-2b", "--device", "pixel-8", "--runtime", "webllm", "--quant", "q4f16" }, "did you mean q4f16_1")]
    public void Unknown_runtime_or_format_suggests_the_nearest(string[] args, string expected)
    {
        var (code, output) = CliRunner.Run(args);
        Assert.Equal(1, code);
        Assert.Contains(expected, output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("lora", "size", "gpt2", "--dtype", "f8")]
    [InlineData("distill", "gemma-2b", "--target-params", "abc")]
    [InlineData("distill", "gemma-2b", "--target-params", "10")] // below 10K: a typo, not a student
    [InlineData("distill", "gemma-2b", "--target-params", "20B")] // not below the teacher (2.51B)
    [InlineData("share", "no-such.safetensors", "--share-every", "0")]
    [InlineData("fit", "gemma-2b", "--device", "pixel-8", "--context", "0")]
    public void Invalid_option_values_are_usage_errors(params string[] args)
    {
        var (code, output) = CliRunner.Run(args);
        Assert.Equal(2, code);
        Assert.DoesNotContain("   at ", output);
    }

    [Fact]
    public void Unknown_device_suggests_the_nearest()
    {
        var (_, output) = CliRunner.Run("fit", "gemma-2b", "--device", "pixel8");
        Assert.Contains("pixel-8", output);
    }

    [Fact]
    public void Devices_list_and_show()
    {
        var (code, output) = CliRunner.Run("devices", "list", "--json");
        Assert.Equal(0, code);
        using var doc = JsonDocument.Parse(output);
        Assert.True(doc.RootElement.GetArrayLength() >= 40);
        var (code2, show) = CliRunner.Run("devices", "show", "rtx-4090");
        Assert.Equal(0, code2);
        Assert.Contains("1008", show); // NVIDIA spec: 1,008 GB/s (devices.json source)
    }
}

public class FitOnFilesTests
{
    [Theory]
    [InlineData("tflite", "person_detect.tflite")]
    [InlineData("onnx", "light_bvlc_alexnet.onnx")]
    [InlineData("gguf", "llama-2-tiny-random.gguf")]
    public void Fit_works_on_files_of_each_format(string folder, string file)
    {
        var (code, output) = CliRunner.Run("fit", CliRunner.Shared("fixtures", folder, file), "--device", "pixel-8", "--json");
        Assert.Equal(0, code);
        using var doc = System.Text.Json.JsonDocument.Parse(output);
        Assert.Equal("Fits", doc.RootElement[0].GetProperty("outcome").GetString());
    }

    [Fact]
    public void Fit_on_a_peft_adapter_folder_says_to_fit_the_base_model()
    {
        var (code, output) = CliRunner.Run("fit", CliRunner.Shared("fixtures", "peft", "distilbert-lora-imdb"), "--device", "pixel-8", "--json");
        Assert.Equal(1, code); // an adapter runs only on its base: bad input for fit, not a fit of its stored weights
        // shared/README.md: base distilbert-base-uncased, 739,586 F32 parameters.
        Assert.Contains("is a LoRA adapter (739,586 parameters", output, StringComparison.Ordinal);
        Assert.Contains("for distilbert-base-uncased", output, StringComparison.Ordinal);
    }
}
