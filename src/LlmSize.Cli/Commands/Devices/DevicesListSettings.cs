using System.ComponentModel;
using LlmSize.Core.Devices;
using Spectre.Console.Cli;

namespace LlmSize.Cli.Commands.Devices;

/// <summary>Options of <c>llmsize devices list</c>.</summary>
public sealed class DevicesListSettings : CommandSettings
{
    /// <summary>Only devices of this category (LowEndPhone, AppleSilicon, DesktopGpu …).</summary>
    [CommandOption("--category <CATEGORY>")]
    [Description("Only devices of this category (LowEndPhone, MidRangePhone, FlagshipPhone, Tablet, Chromebook, IntegratedGpuLaptop, AppleSilicon, RtxLaptop, DesktopGpu, DataCenterGpu).")]
    public DeviceCategory? Category { get; init; }

    /// <summary>Adds a user profile file (same schema as the built-in catalog).</summary>
    [CommandOption("--device-file <PATH>")]
    [Description("JSON file with your own device profiles (same schema as the built-in catalog).")]
    public string? DeviceFile { get; init; }

    /// <summary>Write JSON instead of a table.</summary>
    [CommandOption("--json")]
    [Description("Write JSON instead of a table.")]
    public bool Json { get; init; }

    /// <summary>Show every table column even when the terminal is too narrow for them.</summary>
    [CommandOption("--wide")]
    [Description("Show every table column even if the terminal is too narrow (columns are otherwise chosen by width; --json has every value).")]
    public bool Wide { get; init; }
}
