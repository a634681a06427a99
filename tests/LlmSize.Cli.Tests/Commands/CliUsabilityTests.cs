using System.Diagnostics;
using System.Text.Json;
using LlmSize.Cli.Commands.Fit;
using LlmSize.Cli.Commands.Inspect;
using LlmSize.Cli.Commands.Shrink;
using LlmSize.Cli.Commands.Distill;
using LlmSize.Cli.Commands.Prune;
using LlmSize.Cli.Infrastructure;
using LlmSize.Core.Formats.Gguf;
using LlmSize.Core.Precision;

namespace LlmSize.Cli.Tests.Commands;

/// <summary>User-reported CLI problems: where errors go, exit codes, and readable messages.</summary>
public sealed class CliUsabilityTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("llmsize-cli-u-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    // ---- 1. errors go to standard error ----

    [Fact]
    public void Error_GoesToTheErrorConsole_NotToTheOutput()
    {
        var (code, output, error) = CliRunner.RunSplit("fit", "gemma-2b", "--device", "nope", "--json");
        Assert.Equal(1, code);
        Assert.Equal(string.Empty, output);
        Assert.StartsWith("error: unknown device 'nope'", error.Trim());
    }

    [Fact]
    public void UsageError_GoesToTheErrorConsole_NotToTheOutput()
    {
        var (code, output, error) = CliRunner.RunSplit("fit", "gemma-2b", "--device", "pixel-8", "--context", "abc", "--json");
        Assert.Equal(2, code);
        Assert.Equal(string.Empty, output);
        Assert.Contains("--context 'abc'", error);
    }

    [Fact]
    public void RealProcess_WritesErrorsToStandardError_AndJsonOnlyToStandardOutput()
    {
        // The shipped entry point (Program.cs) with redirected streams, as in "llmsize fit … --json | jq".
        string dll = Path.Combine(AppContext.BaseDirectory, "llmsize.dll");
        var (code, stdout, stderr) = Exec(dll, "fit", "gemma-2b", "--device", "nope", "--json");
        Assert.Equal(1, code);
        Assert.Equal(string.Empty, stdout);
        Assert.Contains("unknown device 'nope'", stderr);

        (code, stdout, stderr) = Exec(dll, "fit", "gemma-2b", "--device", "pixel-8", "--json");
        Assert.Equal(0, code);
        Assert.Equal(string.Empty, stderr);
        using var doc = JsonDocument.Parse(stdout); // nothing but JSON on standard output
        Assert.Equal("llmsize.fit/v1", doc.RootElement[0].GetProperty("schema").GetString());
    }

    private static (int Code, string Stdout, string Stderr) Exec(string dll, params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(dll);
        foreach (string a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var stderrTask = p.StandardError.ReadToEndAsync();
        string stdout = p.StandardOutput.ReadToEnd();
        string stderr = stderrTask.GetAwaiter().GetResult();
        Assert.True(p.WaitForExit(120_000), "llmsize did not exit within 2 minutes");
        return (p.ExitCode, stdout, stderr);
    }

    // ---- 2. a folder where a file is needed ----

    [Theory]
    [InlineData("quantize")]
    [InlineData("share")]
    [InlineData("prune")]
    public void Folder_IsNamedAsAFolder_WithTheFileInside(string command)
    {
        string folder = Path.Combine(_dir, "tiny");
        Directory.CreateDirectory(folder);
        File.Copy(CliRunner.Shared("fixtures", "gguf", "llama-2-tiny-random.gguf"), Path.Combine(folder, "llama-2-tiny-random.gguf"));
        string[] args = command switch
        {
            "quantize" => ["quantize", folder, Path.Combine(_dir, "out.gguf"), "--type", "Q8_0"],
            "prune" => ["prune", folder, Path.Combine(_dir, "out.safetensors"), "--sparsity", "0.5"],
            _ => ["share", folder],
        };
        var (code, output) = CliRunner.Run(args);
        Assert.Equal(1, code);
        Assert.Contains($"'{folder}' is a folder; give the", output);
        Assert.Contains("llama-2-tiny-random.gguf", output);
        Assert.DoesNotContain("not found", output);
        Assert.DoesNotContain("does not exist", output);
    }

    // ---- 3. --context ----

    [Theory]
    [InlineData("fit", "abc")]
    [InlineData("fit", "4096.5")]
    [InlineData("fit", "99999999999999999999")]
    [InlineData("fit", "0")]
    [InlineData("shrink", "abc")]
    public void Context_NotATokenCount_IsAUsageErrorInPlainWords(string command, string value)
    {
        var (code, output) = CliRunner.Run(command, "gemma-2b", "--device", "pixel-8", "--context", value);
        Assert.Equal(2, code);
        Assert.Contains($"--context '{value}' is not a token count", output);
        Assert.DoesNotContain("Nullable", output);
    }

    [Theory]
    [InlineData("4096", 4096L)]
    [InlineData("4k", 4096L)] // 4 × 1024
    [InlineData("32K", 32768L)] // 32 × 1024
    [InlineData("128k", 131072L)] // 128 × 1024
    [InlineData("1m", 1048576L)] // 1024²
    public void Context_KSuffix_IsTimes1024(string text, long tokens) => Assert.Equal(tokens, TokenCountConverter.Parse(text));

    [Fact]
    public void Context_32K_ReachesTheReport()
    {
        var (code, output) = CliRunner.Run("fit", "gemma-2b", "--device", "pixel-8", "--context", "32K", "--json");
        Assert.Equal(0, code);
        using var doc = JsonDocument.Parse(output);
        Assert.Equal(32768, doc.RootElement[0].GetProperty("requested").GetProperty("contextTokens").GetInt64()); // 32 × 1024
    }

    // ---- 4. --network ----

    [Fact]
    public void Network_Unknown_ListsTheClassesAndASpeed()
    {
        var (code, output) = CliRunner.Run("fit", "gemma-2b", "--device", "pixel-8", "--network", "carrier-pigeon");
        Assert.Equal(2, code);
        Assert.Contains("--network 'carrier-pigeon' is not a network", output);
        Assert.Contains("3g, 4g", output);
        Assert.Contains("50Mbps", output);
        Assert.DoesNotContain("TFLOPS", output);
    }

    // ---- 5. exit codes ----

    [Theory]
    [InlineData("devices", "list, show")]
    [InlineData("lora", "size, merge")]
    public void Branch_WithoutSubcommand_IsAUsageError(string branch, string subcommands)
    {
        var (code, output) = CliRunner.Run(branch);
        Assert.Equal(2, code);
        Assert.Contains($"'llmsize {branch}' needs a subcommand: {subcommands}", output);
    }

    [Theory]
    [InlineData("4:2")]
    [InlineData("0:4")]
    [InlineData("a:b")]
    public void Prune_InvalidPattern_IsAUsageError(string pattern)
    {
        var (code, output) = CliRunner.Run("prune", "in.safetensors", Path.Combine(_dir, "out.safetensors"), "--pattern", pattern);
        Assert.Equal(2, code);
        Assert.Contains($"--pattern '{pattern}'", output);
    }

    [Theory]
    [InlineData("--ram", "abc")]
    [InlineData("--usable-ram", "lots")]
    [InlineData("--bandwidth", "50")]
    [InlineData("--fp16", "3x")]
    public void Fit_MalformedInlineSpec_IsAUsageError(string option, string value)
    {
        List<string> args = ["fit", "gemma-2b", "--ram", "8GiB", "--bandwidth", "50GB/s"];
        int i = args.IndexOf(option);
        if (i >= 0) args[i + 1] = value;
        else args.AddRange([option, value]);
        var (code, output) = CliRunner.Run([.. args]);
        Assert.Equal(2, code);
        Assert.Contains($"{option} '{value}' is not", output);
    }

    [Fact]
    public void Fit_ImpossibleInlineSpec_IsBadInput_InReadableUnits()
    {
        var (code, output) = CliRunner.Run("fit", "gemma-2b", "--ram", "8GiB", "--usable-ram", "16GiB", "--bandwidth", "50GB/s");
        Assert.Equal(1, code);
        Assert.Contains("app memory limit 16.00 GiB exceeds RAM 8.00 GiB", output); // 17,179,869,184 B = 16 × 2^30
        Assert.DoesNotContain("17179869184", output);
    }

    [Fact]
    public void Enum_InvalidValue_ListsTheValuesInPlainWords()
    {
        var (code, output) = CliRunner.Run("devices", "list", "--category", "Bogus");
        Assert.Equal(2, code);
        Assert.Contains("'Bogus' is not a valid value for this option; valid values are 'LowEndPhone'", output);
        Assert.DoesNotContain("Nullable", output);
    }

    // ---- 6. a format of another runtime ----

    [Fact]
    public void Quant_OfAnotherRuntime_NamesThatRuntime()
    {
        var (code, output) = CliRunner.Run("fit", "llama-3.2-1b", "--device", "iphone-15", "--quant", "q4f16_1");
        Assert.Equal(1, code);
        Assert.Contains("has no format 'q4f16_1'", output);
        Assert.Contains("q4f16_1 is a webllm format: add --runtime webllm", output);
    }

    // ---- 7. wording ----

    [Fact]
    public void Quantize_TypeWithoutKernel_SaysWhichKernelInPlainWords()
    {
        // IQ3_M (default type IQ3_S) has no kernel in this build: refused before anything is read or written.
        string input = Path.Combine(_dir, "in.gguf");
        var tensors = new GgufTensorDescriptor[] { new("blk.0.ffn_up.weight", [256, 256], TensorDataType.F32) };
        using (var w = GgufWriter.Create(input, [new("general.architecture", GgufValue.FromString("llama"))], tensors))
        {
            w.WriteTensorData(new byte[tensors[0].ByteLength]);
            w.Commit();
        }

        var (code, output) = CliRunner.Run("quantize", input, Path.Combine(_dir, "out.gguf"), "--type", "IQ3_M");
        Assert.Equal(2, code);
        Assert.Contains("--type IQ3_M: this build has no IQ3_S kernel, so it cannot write IQ3_M yet.", output);
    }

    [Fact]
    public void Distill_OneLayerTeacher_SaysLayerAndHeadInTheSingular()
    {
        // llama-2-tiny-random.gguf: 1 layer, hidden 8, 2 heads of head_dim 4 (its GGUF metadata, see inspect).
        var (code, output) = CliRunner.Run("distill", CliRunner.Shared("fixtures", "gguf", "llama-2-tiny-random.gguf"), "--target-params", "100K");
        Assert.Equal(0, code);
        Assert.Contains("the single layer kept", output);
        Assert.Contains("1 head of 4", output);
        Assert.DoesNotContain("1 layers", output);
        Assert.DoesNotContain("1 heads", output);
    }

    // ---- 8. download table order ----

    [Fact]
    public void DownloadTable_IsSortedSlowestFirst_WithTheDevicesNetworkMarked()
    {
        var (code, output) = CliRunner.Run("fit", "gemma-2b", "--device", "pixel-8"); // Pixel 8's own network: 5G
        Assert.Equal(0, code);
        // NetworkClass speeds: 3G 2, 4G 17.4, Wi-Fi 5 81.91, broadband 83.95, 5G 203.04 Mbit/s.
        int g3 = output.IndexOf("3G mobile", StringComparison.Ordinal);
        int g4 = output.IndexOf("4G LTE mobile", StringComparison.Ordinal);
        int wifi5 = output.IndexOf("Wi-Fi 5", StringComparison.Ordinal);
        int g5 = output.IndexOf("5G mobile (device's network)", StringComparison.Ordinal);
        Assert.True(g3 >= 0 && g3 < g4 && g4 < wifi5 && wifi5 < g5, output);
    }

    // ---- 9. not a language model ----

    [Theory]
    [InlineData("tflite", "person_detect.tflite")]
    [InlineData("onnx", "light_bvlc_alexnet.onnx")]
    public void Inspect_VisionModel_IsNotCalledALanguageModel(string folder, string file)
    {
        var (code, output) = CliRunner.Run("inspect", CliRunner.Shared("fixtures", folder, file));
        Assert.Equal(0, code);
        Assert.Contains("not a language model (no vocabulary and no token embedding in the file)", output);
        Assert.DoesNotContain("small language model", output);
        Assert.DoesNotMatch(@"\d[KMBT]? class\b", output); // no "211K class" / "61M class"
    }

    [Fact]
    public void Inspect_VisionModel_Json_HasNoSizeClassAndSaysNotALanguageModel()
    {
        var (code, output) = CliRunner.Run("inspect", CliRunner.Shared("fixtures", "onnx", "light_bvlc_alexnet.onnx"), "--json");
        Assert.Equal(0, code);
        using var doc = JsonDocument.Parse(output);
        var p = doc.RootElement.GetProperty("parameters");
        Assert.Equal(JsonValueKind.Null, p.GetProperty("sizeClass").ValueKind);
        Assert.Equal("NotALanguageModel", p.GetProperty("llmScale").GetString());
    }

    [Fact]
    public void Inspect_TinyLanguageModel_KeepsItsSizeClass()
    {
        var (code, output) = CliRunner.Run("inspect", CliRunner.Shared("fixtures", "gguf", "llama-2-tiny-random.gguf"));
        Assert.Equal(0, code);
        Assert.Contains("513K class", output); // 513,048 parameters (SizeClass: 1K–1M in K steps)
        Assert.Contains("small language model", output);
    }

    // ---- 10. small percentages ----

    [Fact]
    public void LoraSize_TinyFraction_HasTwoSignificantDigits()
    {
        var (code, output) = CliRunner.Run("lora", "size", "llama-3-8b", "--rank", "8");
        Assert.Equal(0, code);
        // q_proj + v_proj, r = 8: 32 layers × (8 × (4096 + 4096) + 8 × (4096 + 1024)) = 3,407,872 parameters;
        // 3,407,872 / 8,030,261,248 (Llama 3 8B) = 0.04244% → "0.042%".
        Assert.Contains("3,407,872 parameters (0.042% of the base's", output);
    }

    [Theory]
    [InlineData(0.5, "50.0%")]
    [InlineData(0.0, "0.0%")]
    [InlineData(0.01, "1.0%")]
    [InlineData(0.004244, "0.42%")] // 0.4244% → 2 significant digits
    [InlineData(0.0004244, "0.042%")]
    [InlineData(0.00999, "1.0%")] // 0.999% rounds to 1.0
    public void Percent_TwoSignificantDigitsBelowOnePercent(double fraction, string expected) =>
        Assert.Equal(expected, LlmSize.Core.Units.Percent(fraction));
}
