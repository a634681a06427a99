using System.ComponentModel;
using System.Globalization;
using LlmSize.Cli.Infrastructure;
using LlmSize.Core;
using LlmSize.Core.Models;
using LlmSize.Core.Models.Catalog;
using Spectre.Console;
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
