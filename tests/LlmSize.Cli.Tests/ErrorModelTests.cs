using LlmSize.Cli.Infrastructure;
using LlmSize.Core;
using Spectre.Console.Testing;

namespace LlmSize.Cli.Tests;

/// <summary>The boundary error model: error kinds map to exit codes; a bug is reported as a bug, not as bad input.</summary>
public sealed class ErrorModelTests
{
    private static (int Code, string Text) Handle(Exception e)
    {
        var console = new TestConsole().Width(400);
        int code = LlmSizeApp.HandleError(e, console);
        return (code, console.Output);
    }

    [Fact]
    public void A_programming_error_is_exit_70_and_asks_for_a_report()
    {
        var (code, text) = Handle(new ArgumentException("HeadDim must be positive"));
        Assert.Equal(ExitCodes.InternalError, code);
        Assert.Contains("a bug in llmsize", text, StringComparison.Ordinal);
        Assert.Contains("ArgumentException", text, StringComparison.Ordinal);
        Assert.Equal(70, Handle(new KeyNotFoundException("x")).Code);
        Assert.Equal(70, Handle(new NullReferenceException()).Code);
    }

    [Fact]
    public void Input_errors_are_exit_1()
    {
        Assert.Equal(ExitCodes.BadInput, Handle(new InputException(InputErrorKind.NotDisclosed, "gpt-4: not disclosed")).Code);
        Assert.Equal(ExitCodes.BadInput, Handle(UnknownNameException.For(NameKind.Runtime, "x", ["webllm"])).Code);
        Assert.Equal(ExitCodes.BadInput, Handle(new ModelFormatException(ModelFormatError.Truncated, "short", "m.gguf", 8)).Code);
        Assert.Equal(ExitCodes.BadInput, Handle(new FileNotFoundException("nope")).Code);
    }

    [Fact]
    public void Usage_errors_are_exit_2_and_cancellation_130()
    {
        Assert.Equal(ExitCodes.Usage, Handle(new UsageException("--json twice")).Code);
        Assert.Equal(ExitCodes.Cancelled, Handle(new OperationCanceledException()).Code);
    }

    [Fact]
    public void Unknown_devices_suggest_from_the_one_helper()
    {
        var (code, output, error) = CliRunner.RunSplit("fit", "gemma-2b", "--device", "pixel8");
        Assert.Equal(1, code);
        Assert.Empty(output);
        Assert.Contains("did you mean pixel-8", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Shrink_and_distill_take_the_same_device_options_as_fit()
    {
        // Inline devices through the shared DeviceSelectionSettings: 8 GiB RAM at 100 GB/s.
        var (code, output, _) = CliRunner.RunSplit("shrink", "gemma-2b", "--ram", "8GiB", "--bandwidth", "100GB/s", "--json");
        Assert.Equal(0, code);
        Assert.Contains("\"device\": \"custom\"", output.Replace("custom-device", "custom", StringComparison.Ordinal), StringComparison.Ordinal);
        var (dcode, doutput, _) = CliRunner.RunSplit("distill", "llama-3.1-8b", "--ram", "4GiB", "--bandwidth", "50GB/s", "--json");
        Assert.Equal(0, dcode);
        Assert.Contains("llmsize.distill/v1", doutput, StringComparison.Ordinal);
    }
}
