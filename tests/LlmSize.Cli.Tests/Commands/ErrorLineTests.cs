using LlmSize.Cli;
using Spectre.Console.Testing;

namespace LlmSize.Cli.Tests.Commands;

/// <summary>Issue 13, class 6: an error is exactly one line on stderr, whatever the console width.</summary>
public sealed class ErrorLineTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "llmsize-errline-" + new string('x', 120) + Guid.NewGuid().ToString("N"));

    public ErrorLineTests() => Directory.CreateDirectory(_dir);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Issue13_long_error_stays_on_one_line_on_a_narrow_console()
    {
        string path = Path.Combine(_dir, "broken.gguf");
        File.WriteAllBytes(path, "GGUF\u0003\0\0\0"u8.ToArray()); // magic + version 3, then truncated
        var output = new TestConsole().Width(40);
        var error = new TestConsole().Width(40);
        error.Profile.Capabilities.Ansi = false;

        int code = LlmSizeApp.Create(output, error).Run(["inspect", path]);

        Assert.Equal(1, code);
        string[] lines = error.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Single(lines);
        Assert.StartsWith("error: ", lines[0], StringComparison.Ordinal);
        Assert.Contains(path, lines[0], StringComparison.Ordinal);
        Assert.EndsWith("]", lines[0].TrimEnd(), StringComparison.Ordinal); // "[ErrorCode]" on the same line
    }

    [Fact]
    public void Issue13_fifo_model_is_one_error_line_exit_1()
    {
        if (!OperatingSystem.IsLinux()) return;
        string fifo = Path.Combine(_dir, "model.gguf");
        using (var p = System.Diagnostics.Process.Start("mkfifo", [fifo])) p.WaitForExit();
        var (code, _, error) = CliRunner.RunSplit("inspect", fifo);

        Assert.Equal(1, code);
        Assert.Contains("FIFO", error, StringComparison.Ordinal);
        Assert.Contains("[NotARegularFile]", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Multi_line_message_becomes_one_line()
    {
        var error = new TestConsole().Width(20);
        error.Profile.Capabilities.Ansi = false;

        LlmSizeApp.WriteErrorLine(error, "first part\nsecond part\r\nthird");

        Assert.Equal("error: first part second part third\n", error.Output);
    }

    [Fact]
    public void Issue13_stale_temp_file_of_an_earlier_prune_is_named()
    {
        string input = Path.Combine(_dir, "in.safetensors");
        File.WriteAllBytes(input, [2, 0, 0, 0, 0, 0, 0, 0, (byte)'{', (byte)'}']); // empty safetensors
        string output = Path.Combine(_dir, "out.safetensors");
        string stale = LlmSize.Core.Sources.OutputFileGuard.TempPathFor(output);
        File.WriteAllBytes(stale, [1]);

        var (_, _, error) = CliRunner.RunSplit("prune", input, output, "--sparsity", "0.5");

        Assert.Contains("warning: 1 temporary file(s)", error, StringComparison.Ordinal);
        Assert.Contains(Path.GetFileName(stale), error, StringComparison.Ordinal);
    }
}
