using System.ComponentModel;
using Spectre.Console.Cli;

namespace LlmSize.Cli.Commands.Models;

/// <summary>Options of <c>llmsize models</c>.</summary>
public sealed class ModelsSettings : CommandSettings
{
    /// <summary>Write JSON instead of a table.</summary>
    [CommandOption("--json")]
    [Description("Write JSON instead of a table.")]
    public bool Json { get; init; }

    /// <summary>Show every table column even when the terminal is too narrow for them.</summary>
    [CommandOption("--wide")]
    [Description("Show every table column even if the terminal is too narrow (columns are otherwise chosen by width; --json has every value).")]
    public bool Wide { get; init; }
}
