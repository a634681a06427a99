using System.ComponentModel;
using Spectre.Console;
using Spectre.Console.Cli;

namespace LlmSize.Cli.Commands.Completion;

/// <summary>Options of <c>llmsize completion</c>.</summary>
public sealed class CompletionSettings : CommandSettings
{
    /// <summary>The shells a script can be written for.</summary>
    public static readonly string[] Shells = ["bash", "zsh", "pwsh"];

    /// <summary>The shell: bash, zsh or pwsh.</summary>
    [CommandArgument(0, "<SHELL>")]
    [Description("bash, zsh or pwsh. Install: bash: eval \"$(llmsize completion bash)\" in ~/.bashrc; zsh: eval \"$(llmsize completion zsh)\" in ~/.zshrc; pwsh: llmsize completion pwsh | Out-String | Invoke-Expression in $PROFILE.")]
    public string Shell { get; init; } = string.Empty;

    /// <inheritdoc />
    public override ValidationResult Validate() =>
        Shells.Contains(Shell.ToLowerInvariant())
            ? ValidationResult.Success()
            : ValidationResult.Error($"unknown shell '{Shell}'{LlmSize.Core.UnknownNameException.DidYouMean(Shell.ToLowerInvariant(), Shells)}; use one of: {string.Join(", ", Shells)}.");
}
