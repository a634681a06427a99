namespace LlmSize.Cli.Tests.Commands;

/// <summary>Issue 17, item 3: every user error is one line on standard error, names the file/field or the word typed,
/// suggests the nearest names, and exits 2 (usage) or 1 (bad input), as README's exit-code table says.</summary>
public sealed class OneLineErrorTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("llmsize-oneline-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>Texts of .NET's own exceptions that must never reach a user.</summary>
    private static readonly string[] DotNetText =
    [
        "LineNumber:", "BytePositionInLine", "could not be mapped", ".NET member", "End of Central Directory",
        "Nullable`1", "(Parameter '", "__default_command", "look like not", "   at ",
    ];

    private static string OneLine(int expectedCode, params string[] args)
    {
        var (code, output, error) = CliRunner.RunSplit(args);
        Assert.True(expectedCode == code, $"exit {code}, expected {expectedCode}: {error}");
        Assert.Equal(string.Empty, output);
        string[] lines = error.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(lines.Length == 1, "more than one line: " + error);
        Assert.StartsWith("error: ", lines[0], StringComparison.Ordinal);
        foreach (string leak in DotNetText) Assert.DoesNotContain(leak, lines[0], StringComparison.Ordinal);
        return lines[0];
    }

    private string Write(string name, string text)
    {
        string path = Path.Combine(_dir, name);
        File.WriteAllText(path, text);
        return path;
    }

    [Fact]
    public void Device_file_that_is_not_json_names_the_file_line_and_byte()
    {
        // "{" alone: System.Text.Json stops at LineNumber 0, BytePositionInLine 1 (both zero-based, its docs) = line 1, byte 2.
        string path = Write("devices.json", "{");
        string line = OneLine(1, "fit", "gemma-2b", "--device", "pixel-8", "--device-file", path);
        Assert.Contains(path, line, StringComparison.Ordinal);
        Assert.Contains("not valid JSON", line, StringComparison.Ordinal);
        Assert.Contains("ends before the JSON is complete", line, StringComparison.Ordinal);
        Assert.Contains("line 1, byte 2", line, StringComparison.Ordinal);

        // Line 3 is `    {"id": "x",, }`: the second comma is its 16th byte; offset = 2 + 15 (lines 1 and 2 with their \n) + 15 = 32.
        path = Write("devices2.json", "{\n  \"devices\": [\n    {\"id\": \"x\",, }\n  ]\n}");
        line = OneLine(1, "fit", "gemma-2b", "--device", "pixel-8", "--device-file", path);
        Assert.Contains("unexpected ',' at line 3, byte 16", line, StringComparison.Ordinal);
        Assert.Contains("byte offset 32", line, StringComparison.Ordinal);
    }

    [Fact]
    public void Device_file_with_an_unknown_or_mistyped_property_names_the_field_in_our_words()
    {
        string path = Write("unknown.json", """{"devices":[{"id":"x","ramBytes":"8GiB"}]}""");
        string line = OneLine(1, "shrink", "gemma-2b", "--device", "pixel-8", "--device-file", path);
        Assert.Contains(path, line, StringComparison.Ordinal);
        Assert.Contains("unknown property 'ramBytes'", line, StringComparison.Ordinal);
        Assert.Contains("devices[0].ramBytes", line, StringComparison.Ordinal);

        path = Write("typed.json", """{"devices":[{"id":"x","cpuCores":"eight"}]}""");
        line = OneLine(1, "fit", "gemma-2b", "--device", "x", "--device-file", path);
        Assert.Contains("'cpuCores' must be a whole number", line, StringComparison.Ordinal);
        Assert.Contains("devices[0].cpuCores", line, StringComparison.Ordinal);
    }

    [Fact]
    public void Config_json_syntax_error_names_line_and_byte()
    {
        string folder = Path.Combine(_dir, "m");
        Directory.CreateDirectory(folder);
        string path = Path.Combine(folder, "config.json");
        File.WriteAllText(path, "{\"model_type\": \"llama\",\n \"x\": }");
        string line = OneLine(1, "inspect", path);
        // Line 2 is ` "x": }`: the '}' is its 7th byte; line 1 with its \n is 24 bytes, so offset 24 + 6 = 30.
        Assert.Contains("config.json is not valid JSON: unexpected '}' at line 2, byte 7", line, StringComparison.Ordinal);
        Assert.Contains("byte offset 30", line, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("junk.bin")]
    [InlineData("junk.pt")]
    [InlineData("junk.pth")]
    [InlineData("junk.gguf")]
    [InlineData("junk.safetensors")]
    [InlineData("junk.onnx")]
    [InlineData("junk.tflite")]
    [InlineData("junk.task")]
    [InlineData("junk.zip")]
    public void Junk_files_of_every_format_are_refused_in_one_readable_line(string name)
    {
        foreach (byte[] bytes in new[]
        {
            "hello world, this is not a model"u8.ToArray(),
            "PK\u0003\u0004 truncated zip header"u8.ToArray(),
            new byte[] { 0x1f, 0x8b, 8, 0, 0, 0, 0, 0 }, // gzip
            new byte[] { 0x80, 0x02, (byte)'}', (byte)'q' }, // bare pickle
            "<html><body>login</body></html>"u8.ToArray(),
        })
        {
            string path = Path.Combine(_dir, name);
            File.WriteAllBytes(path, bytes);
            string line = OneLine(1, "inspect", path);
            Assert.Contains(path, line, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void A_bin_that_is_not_a_zip_says_what_a_torch_checkpoint_is()
    {
        string path = Write("pytorch_model.bin", "hello world, this is not a model");
        string line = OneLine(1, "inspect", path);
        Assert.Contains("not a PyTorch checkpoint: torch.save writes a zip archive", line, StringComparison.Ordinal);
        Assert.Contains("byte offset 0", line, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("inspect", "inspct")]
    [InlineData("fit", "fti")]
    [InlineData("quantize", "quantise")]
    public void Unknown_command_suggests_the_nearest(string expected, string typed)
    {
        string line = OneLine(2, typed, "gemma-2b");
        Assert.Contains($"unknown command '{typed}' (did you mean {expected}?)", line, StringComparison.Ordinal);
        Assert.Contains("llmsize takes: inspect, fit,", line, StringComparison.Ordinal);
    }

    [Fact]
    public void Unknown_subcommand_suggests_within_its_branch()
    {
        Assert.Contains("'lst' (did you mean list?); llmsize devices takes: list, show", OneLine(2, "devices", "lst"), StringComparison.Ordinal);
        Assert.Contains("'siz' (did you mean size?); llmsize lora takes: size, merge", OneLine(2, "lora", "siz", "gemma-2b"), StringComparison.Ordinal);
    }

    [Fact]
    public void Unknown_option_suggests_the_nearest_option_of_that_command()
    {
        Assert.Contains("unknown option '--devic' for 'llmsize fit' (did you mean --device", OneLine(2, "fit", "gemma-2b", "--devic", "pixel-8"), StringComparison.Ordinal);
        Assert.Contains("unknown option '--jsn' for 'llmsize devices show' (did you mean --json?)", OneLine(2, "devices", "show", "pixel-8", "--jsn"), StringComparison.Ordinal);
        Assert.Contains("unknown option '--versio' (did you mean --version?)", OneLine(2, "--versio"), StringComparison.Ordinal);
    }

    [Fact]
    public void Malformed_option_values_name_the_option()
    {
        Assert.Contains("--cores 'abc' is not a whole number", OneLine(2, "fit", "gemma-2b", "--ram", "8GiB", "--bandwidth", "100GB/s", "--cores", "abc"), StringComparison.Ordinal);
        Assert.Contains("--rank 'x' is not a whole number", OneLine(2, "lora", "size", "llama-3-8b", "--rank", "x"), StringComparison.Ordinal);
        Assert.Contains("--sparsity '0,5' is not a number", OneLine(2, "prune", "a.safetensors", "b.safetensors", "--sparsity", "0,5"), StringComparison.Ordinal);
        Assert.Contains("--network 'carrier-pigeon'", OneLine(2, "fit", "gemma-2b", "--device", "pixel-8", "--network", "carrier-pigeon"), StringComparison.Ordinal);
        Assert.Contains("--context 'abc'", OneLine(2, "fit", "gemma-2b", "--device", "pixel-8", "--context", "abc"), StringComparison.Ordinal);
    }

    [Fact]
    public void A_value_missing_at_the_end_names_the_option()
    {
        Assert.Contains("--device needs a value", OneLine(2, "fit", "gemma-2b", "--device"), StringComparison.Ordinal);
        Assert.Contains("--ram needs a value", OneLine(2, "shrink", "gemma-2b", "--ram"), StringComparison.Ordinal);
        Assert.Contains("--context needs a value", OneLine(2, "fit", "gemma-2b", "--device", "pixel-8", "--context"), StringComparison.Ordinal);
    }

    [Fact]
    public void Unknown_names_get_the_nearest_known_ones_everywhere()
    {
        Assert.Contains("did you mean pixel-8", OneLine(1, "devices", "show", "pixl-8"), StringComparison.Ordinal);
        Assert.Contains("did you mean pixel-8", OneLine(1, "shrink", "gemma-2b", "--device", "pixl-8"), StringComparison.Ordinal);
        Assert.Contains("did you mean pixel-8", OneLine(1, "distill", "llama-3.1-8b", "--device", "pixl-8"), StringComparison.Ordinal);
        Assert.Contains("did you mean gemma-2b", OneLine(1, "inspect", "gemm-2b"), StringComparison.Ordinal);
        Assert.Contains("did you mean webllm", OneLine(1, "fit", "gemma-2b", "--device", "pixel-8", "--runtime", "webgpu"), StringComparison.Ordinal);
        Assert.Contains("did you mean Q4_K_M", OneLine(1, "fit", "gemma-2b", "--device", "pixel-8", "--quant", "Q4_K_X"), StringComparison.Ordinal);
    }
}
