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

    /// <summary>The repository root (holds LlmSize.slnx); the shared data folder is beside it.</summary>
    public static string Shared(params string[] parts)
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "LlmSize.slnx"))) dir = dir.Parent;
        return Path.Combine([dir!.FullName, "..", "shared", .. parts]);
    }
}
