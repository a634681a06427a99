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
}
