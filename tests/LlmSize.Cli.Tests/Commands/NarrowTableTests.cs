using System.Text.RegularExpressions;
using Spectre.Console.Testing;

namespace LlmSize.Cli.Tests.Commands;

/// <summary>Issue 17 item 1: every table the CLI prints reads at 80 and 120 columns — no line wider than the console,
/// no number or GGUF type name split across lines, and a pointer to --wide / --json when columns are left out.</summary>
public sealed partial class NarrowTableTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("llmsize-cli-narrow-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>Runs the command at <paramref name="width"/> columns and returns the transcript (exit 0 asserted).</summary>
    private static string RunAt(int width, params string[] args)
    {
        var console = new TestConsole().Width(width);
        console.Profile.Capabilities.Ansi = false;
        int code = LlmSizeApp.Create(console).Run(args);
        Assert.True(code == 0, $"exit {code}: {console.Output}");
        return console.Output;
    }

    /// <summary>The transcript with every run of white space as one space (prose wraps at any width).</summary>
    private static string Prose(string output) => Regex.Replace(output, @"\s+", " ");

    /// <summary>Tokens that hold a digit (counts, sizes, speeds, type names such as Q4_K_M) once the table borders
    /// are removed: a value split across lines leaves fragments ("8,388,6" and "08", "Q5_K_" and "M").</summary>
    private static HashSet<string> ValueTokens(string output) =>
        Token().Matches(Border().Replace(output, " ")).Select(m => m.Value).Where(t => t.Any(char.IsAsciiDigit)).ToHashSet(StringComparer.Ordinal);

    /// <summary>Asserts that <paramref name="output"/> (printed at <paramref name="width"/> columns) has no line wider than
    /// the console, shows each of <paramref name="expected"/> intact on one line, and holds no value token that the
    /// same command printed with every column at 250 columns (<paramref name="reference"/>) does not hold.</summary>
    private static void AssertReadable(string output, int width, string reference, params string[] expected)
    {
        string[] lines = output.Split('\n').Select(l => l.TrimEnd('\r')).ToArray();
        foreach (string line in lines) Assert.True(line.Length <= width, $"{line.Length} > {width} columns: '{line}'");
        foreach (string token in expected) Assert.True(lines.Any(l => l.Contains(token, StringComparison.Ordinal)), $"'{token}' is not intact on one line at {width} columns:\n{output}");
        var known = ValueTokens(reference);
        // The line naming the columns left out ("not shown at 80 columns: WebGPU buffer / f16, …") is prose, not values.
        foreach (string token in ValueTokens(LeftOut().Replace(output, " "))) Assert.True(known.Contains(token), $"'{token}' at {width} columns is a fragment (not a value of the full table):\n{output}");
    }

    /// <summary>Runs at 80 and 120 columns and at 250 with --wide (the reference), asserting readability at both widths;
    /// "{dir}" in an argument is this test's temporary folder.</summary>
    private (string At80, string At120) AssertAtBothWidths(string[] args, string[] expected, bool hasWide = true)
    {
        args = args.Select(a => a.Replace("{dir}", _dir, StringComparison.Ordinal)).ToArray();
        string reference = Normalize(RunAt(250, hasWide ? [.. args, "--wide"] : args));
        string at80 = Normalize(RunAt(80, args));
        string at120 = Normalize(RunAt(120, args));
        AssertReadable(at80, 80, reference, expected);
        AssertReadable(at120, 120, reference, expected);
        return (at80, at120);
    }

    [Fact]
    public void Fit_all_devices_reads_at_80_and_120_columns()
    {
        // The command of issue 17's report; Q4_K_M is the requested llama.cpp type, mac-studio-m2-ultra-192gb the
        // longest device id of the built-in catalog (src/LlmSize.Core/Devices/devices.json).
        var (at80, at120) = AssertAtBothWidths(["fit", "mistral-7b-v0.1", "--all-devices", "--runtime", "llama.cpp", "--quant", "Q4_K_M"],
            ["Q4_K_M", "mac-studio-m2-ultra-192gb", "rtx-4090"]);
        Assert.Contains("--wide shows every column", Prose(at80), StringComparison.Ordinal);
        Assert.Contains("tok/s", at80, StringComparison.Ordinal); // speed is kept at 80 columns; the memory bar goes first
        Assert.DoesNotContain("memory use │", at80, StringComparison.Ordinal);

        // --wide keeps every column (Spectre wraps them if it must) and says nothing is left out.
        string wide = RunAt(250, "fit", "mistral-7b-v0.1", "--all-devices", "--runtime", "llama.cpp", "--quant", "Q4_K_M", "--wide");
        Assert.Contains("memory use", wide, StringComparison.Ordinal);
        Assert.DoesNotContain("not shown at", wide, StringComparison.Ordinal);
        _ = at120;
    }

    [Fact]
    public void Fit_all_devices_keeps_the_longest_context_when_asked()
    {
        // 131,072 = max_position_embeddings of ../shared/fixtures/configs/llama-3.2-1b/config.json: on the larger
        // devices the whole trained context fits, shown as "131,072 (all)".
        var (at80, _) = AssertAtBothWidths(["fit", "llama-3.2-1b", "--all-devices", "--context", "max"], ["131,072 (all)", "mac-studio-m2-ultra-192gb"]);
        Assert.Contains("longest ctx", at80, StringComparison.Ordinal);
    }

    [Fact]
    public void Fit_context_sweep_reads_at_80_and_120_columns()
    {
        AssertAtBothWidths(["fit", "llama-3.2-1b", "--device", "pixel-8", "--context", "4k,32k,128k"], ["pixel-8", "4,096", "32,768", "131,072"]);
    }

    [Fact]
    public void Shrink_reads_at_80_and_120_columns()
    {
        // The llama.cpp types of the ladder (llama-quantize's QUANT_OPTIONS) and gemma-3-1b, the smaller Gemma of the
        // catalog, must each stay whole; at 80 columns some columns are left out and the line says so.
        var (at80, _) = AssertAtBothWidths(["shrink", "gemma-2b", "--device", "pixel-8"], ["Q5_K_M", "Q4_K_M", "IQ2_XXS", "Q3_K_S", "gemma-3-1b"]);
        Assert.Contains("--wide shows every column", Prose(at80), StringComparison.Ordinal);
    }

    [Fact]
    public void Shrink_with_longest_context_reads_at_80_and_120_columns()
    {
        // 32,768 = max_position_embeddings of ../shared/fixtures/configs/mistral-7b-v0.1/config.json (the whole trained context).
        AssertAtBothWidths(["shrink", "mistral-7b-v0.1", "--device", "rtx-4060-laptop", "--context", "max"], ["Q6_K", "Q4_K_M", "32,768"]);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Quantize_report_reads_at_80_and_120_columns(bool allTensors)
    {
        // Q4_K_M of the 8-block model (75 tensors): its mix writes Q4_K and Q6_K (llama.cpp src/llama-quant.cpp
        // llama_tensor_get_type); names such as blk.7.ffn_down.weight and the types must stay whole.
        string model = QuantizeSummaryTests.EightLayerModel(_dir);
        string[] Args(string output, params string[] more) => ["quantize", model, Path.Combine(_dir, output), "--type", "Q4_K_M", .. more, .. allTensors ? new[] { "--tensors" } : []];
        string reference = Normalize(RunAt(250, Args("ref.gguf", "--wide")));
        string at80 = Normalize(RunAt(80, Args("narrow.gguf")));
        string at120 = Normalize(RunAt(120, Args("medium.gguf")));
        string[] expected = allTensors ? ["F16 → Q4_K", "F16 → Q6_K", "blk.7.ffn_down.weight", "token_embd.weight"] : ["F16 → Q4_K", "F16 → Q6_K", "75 tensors"];
        AssertReadable(at80, 80, reference, expected);
        AssertReadable(at120, 120, reference, expected);
    }

    /// <summary>The quantize report's run time ("in 0.4 s.") differs from run to run; blanked before comparing.</summary>
    /// <remarks>
    /// The output path holds the temporary folder's random name: blanked with as many characters (line widths unchanged).</remarks>
    private string Normalize(string output) =>
        Regex.Replace(output.Replace(_dir, new string('x', _dir.Length), StringComparison.Ordinal), @"(in\s+)\d+(?:\.\d+)?(\s+s\.)", "$1_$2");

    [Fact]
    public void Fit_one_device_reads_at_80_and_120_columns()
    {
        // Gemma 2B does not fit the Pixel 8 at F16 and fits at Q8_0 (ShrinkCommandTests); the memory terms and the
        // constraint prose wrap between words, values never.
        AssertAtBothWidths(["fit", "gemma-2b", "--device", "pixel-8"], ["Q8_0", "app memory"], hasWide: false);
    }

    public static TheoryData<string[], string[], bool> OtherTables => new()
    {
        // 513,048 parameters and the tensor names: ../shared/README.md (llama-2-tiny-random.gguf).
        { ["inspect", Fixture("gguf", "llama-2-tiny-random.gguf"), "--tensors", "--metadata"], ["513,048", "blk.0.attn_output.weight", "[32000, 8]", "token_embd.weight"], true },
        { ["prune", Fixture("gguf", "llama-2-tiny-random.gguf"), "{dir}/p.safetensors", "--sparsity", "0.5", "--overwrite"], ["513,048", "blk.0.attn_output.weight", "token_embd.weight"], true },
        { ["share", Fixture("gguf", "llama-2-tiny-random.gguf")], ["513,048", "blk.0.attn_norm.weight"], false },
        // 134,515,008 = smollm2-135m in ../shared/reference/published-parameter-counts.csv (HF Hub safetensors total).
        { ["models"], ["134,515,008", "smollm2-135m", "mistral-7b-v0.1"], true },
        // Device ids of src/LlmSize.Core/Devices/devices.json; mac-studio-m2-ultra-192gb is the longest.
        { ["devices", "list"], ["mac-studio-m2-ultra-192gb", "galaxy-a15", "rtx-4090"], true },
        { ["devices", "show", "pixel-8"], ["pixel-8", "Google Pixel 8"], false },
        // LoRA r=16 on Llama 3 8B (32 layers, hidden 4096, 8 KV heads × 128 = 1024; Meta's config.json): q_proj
        // 32 × 16 × (4096 + 4096) = 4,194,304; v_proj 32 × 16 × (4096 + 1024) = 2,621,440.
        { ["lora", "size", "llama-3-8b", "--rank", "16", "--targets", "q_proj,v_proj"], ["q_proj", "v_proj", "4,194,304", "2,621,440"], false },
        // Llama 3 8B has 8.03B parameters (Meta's model card: 8B; HF Hub safetensors total 8,030,261,248).
        { ["distill", "llama-3-8b", "--target-params", "1B"], ["8.03B", "14336"], false },
    };

    [Theory]
    [MemberData(nameof(OtherTables))]
    public void Every_other_table_reads_at_80_and_120_columns(string[] args, string[] expected, bool hasWide)
    {
        AssertAtBothWidths(args, expected, hasWide);
    }

    [Theory]
    [InlineData("80", 80)]
    [InlineData("120", 120)]
    [InlineData(null, LlmSizeApp.DefaultPipedWidth)]
    [InlineData("", LlmSizeApp.DefaultPipedWidth)]
    [InlineData("abc", LlmSizeApp.DefaultPipedWidth)]
    [InlineData("-80", LlmSizeApp.DefaultPipedWidth)]
    [InlineData("5", LlmSizeApp.DefaultPipedWidth)] // too narrow for any table: ignored
    [InlineData("99999999999", LlmSizeApp.DefaultPipedWidth)]
    public void Piped_width_is_COLUMNS_when_valid(string? columns, int expected) => Assert.Equal(expected, LlmSizeApp.PipedWidth(columns));

    [Fact]
    public void Piped_output_honours_COLUMNS_in_the_real_process()
    {
        // The shipped entry point with standard output redirected, as in "COLUMNS=80 llmsize shrink … | less".
        string dll = Path.Combine(AppContext.BaseDirectory, "llmsize.dll");
        string[] args = ["shrink", "gemma-2b", "--device", "pixel-8"];
        string at80 = Exec(dll, "80", args);
        Assert.All(at80.Split('\n'), l => Assert.True(l.TrimEnd('\r').Length <= 80, l));
        Assert.Contains("not shown at 80 columns", Prose(at80), StringComparison.Ordinal);

        // Without COLUMNS a pipe gets the wide default: every column, one row per line.
        string unset = Exec(dll, null, args);
        Assert.DoesNotContain("not shown at", unset, StringComparison.Ordinal);
        Assert.Contains(unset.Split('\n'), l => l.Length > 80 && l.Length <= LlmSizeApp.DefaultPipedWidth && l.Contains("Q5_K_M", StringComparison.Ordinal));
    }

    private static string Exec(string dll, string? columns, string[] args)
    {
        var psi = new System.Diagnostics.ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(dll);
        foreach (string a in args) psi.ArgumentList.Add(a);
        psi.Environment.Remove("COLUMNS");
        if (columns is not null) psi.Environment["COLUMNS"] = columns;
        using var p = System.Diagnostics.Process.Start(psi)!;
        var stderr = p.StandardError.ReadToEndAsync();
        string stdout = p.StandardOutput.ReadToEnd();
        Assert.True(p.WaitForExit(120_000), "llmsize did not exit within 2 minutes");
        Assert.True(p.ExitCode == 0, stderr.GetAwaiter().GetResult());
        return stdout;
    }

    private static string Fixture(params string[] parts) => CliRunner.Shared(["fixtures", .. parts]);

    [GeneratedRegex(@"[│─╭╮╰╯├┤┬┴┼█░]")]
    private static partial Regex Border();

    [GeneratedRegex(@"not\s+shown\s+at\s+\d+\s+columns:[\s\S]*?--json\s+every\s+value\.")]
    private static partial Regex LeftOut();

    [GeneratedRegex(@"\S+")]
    private static partial Regex Token();
}
