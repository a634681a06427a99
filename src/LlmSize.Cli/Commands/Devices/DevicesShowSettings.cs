using System.ComponentModel;
using Spectre.Console.Cli;

namespace LlmSize.Cli.Commands.Devices;

/// <summary>Options of <c>llmsize devices show NAME</c>.</summary>
public sealed class DevicesShowSettings : CommandSettings
{
    /// <summary>Device id or alias.</summary>
    [CommandArgument(0, "<DEVICE>")]
    [Description("Device id or alias, e.g. pixel-8.")]
    public string Device { get; init; } = string.Empty;

    /// <summary>Adds a user profile file.</summary>
    [CommandOption("--device-file <PATH>")]
    [Description("JSON file with your own device profiles.")]
    public string? DeviceFile { get; init; }

    /// <summary>Write JSON instead of a table.</summary>
    [CommandOption("--json")]
    [Description("Write JSON instead of a table.")]
    public bool Json { get; init; }
}
