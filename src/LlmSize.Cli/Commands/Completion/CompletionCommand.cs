using Spectre.Console;
using Spectre.Console.Cli;

namespace LlmSize.Cli.Commands.Completion;

/// <summary><c>llmsize completion bash|zsh|pwsh</c>: prints a completion script for the shell.</summary>
/// <param name="console">Output console (the script is written to its writer as is, never wrapped).</param>
public sealed class CompletionCommand(IAnsiConsole console) : Command<CompletionSettings>
{
    /// <inheritdoc />
    public override int Execute(CommandContext context, CompletionSettings settings, CancellationToken cancellationToken)
    {
        var words = CompletionWords.Create();
        string script = settings.Shell.ToLowerInvariant() switch
        {
            "bash" => CompletionScripts.Bash(words),
            "zsh" => CompletionScripts.Zsh(words),
            _ => CompletionScripts.PowerShell(words),
        };

        // Straight to the writer: Spectre would wrap long lines at the console width and break the script.
        TextWriter writer = console.Profile.Out.Writer;
        writer.Write(script);
        writer.Flush();
        return 0;
    }
}
