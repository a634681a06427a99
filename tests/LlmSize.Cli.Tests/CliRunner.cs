using Spectre.Console.Testing;

namespace LlmSize.Cli.Tests;

/// <summary>Runs <c>llmsize</c> in-process against a test console (Spectre's CommandAppTester habit).</summary>
internal static class CliRunner
{
    public static (int ExitCode, string Output) Run(params string[] args)
    {
        var console = new TestConsole().Width(250);
        console.Profile.Capabilities.Ansi = false;
        int code = LlmSizeApp.Create(console).Run(args);
        return (code, console.Output);
    }

    /// <summary>Runs with separate result and error consoles, as the real process has standard output and standard error.</summary>
    public static (int ExitCode, string Output, string Error) RunSplit(params string[] args)
    {
        var output = new TestConsole().Width(250);
        output.Profile.Capabilities.Ansi = false;
        var error = new TestConsole().Width(250);
        error.Profile.Capabilities.Ansi = false;
        int code = LlmSizeApp.Create(output, error).Run(args);
        return (code, output.Output, error.Output);
    }

    /// <summary>The repository root (holds LlmSize.slnx); the shared data folder is beside it.</summary>
    public static string Shared(params string[] parts) => LlmSize.Testing.RepoPaths.InShared(parts);
}
