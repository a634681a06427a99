using System.ComponentModel;
using LlmSize.Cli.Infrastructure;
using LlmSize.Core;
using LlmSize.Core.Devices;
using Spectre.Console;
using Spectre.Console.Cli;

namespace LlmSize.Cli.Commands;

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
}

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

/// <summary><c>llmsize devices list</c>: the device catalog as a table.</summary>
public sealed class DevicesListCommand(IAnsiConsole console) : Command<DevicesListSettings>
{
    /// <inheritdoc />
    public override int Execute(CommandContext context, DevicesListSettings settings, CancellationToken cancellationToken)
    {
        var catalog = DeviceOptions.Catalog(settings.DeviceFile);
        var devices = catalog.Profiles.Where(d => settings.Category is null || d.Category == settings.Category).ToList();
        if (settings.Json)
        {
            JsonOutput.Write(console, devices.Select(DeviceJson.From));
            return ExitCodes.Success;
        }

        var table = new Table().Border(TableBorder.Rounded).Title($"{devices.Count} device profiles");
        table.AddColumns("id", "category", "RAM", "usable by one app", "VRAM", "bandwidth", "WebGPU buffer / f16");
        foreach (var d in devices)
        {
            table.AddRow(
                Markup.Escape(d.Id),
                d.Category.ToString(),
                Units.FormatBinary(d.RamBytes),
                Units.FormatBinary(d.AppMemoryLimitBytes),
                d.GpuMemoryBytes is { } v ? Units.FormatBinary(v) : d.UnifiedMemory ? "unified" : "–",
                $"{d.MemoryBandwidthGBps:0.#} GB/s",
                d.WebGpu is { } g ? $"{Units.FormatBinary(g.MaxStorageBufferBindingSizeBytes)} / {(g.ShaderF16 ? "yes" : "no")}" : "–");
        }

        console.Write(table);
        console.MarkupLine("[grey]GiB = 2^30 bytes; bandwidth in GB/s = 10^9 bytes/s (peak). Sources: llmsize devices show <id>.[/]");
        return ExitCodes.Success;
    }
}

/// <summary><c>llmsize devices show NAME</c>: one profile with every source.</summary>
public sealed class DevicesShowCommand(IAnsiConsole console) : Command<DevicesShowSettings>
{
    /// <inheritdoc />
    public override int Execute(CommandContext context, DevicesShowSettings settings, CancellationToken cancellationToken)
    {
        var device = DeviceOptions.Find(DeviceOptions.Catalog(settings.DeviceFile), settings.Device);
        if (settings.Json)
        {
            JsonOutput.Write(console, DeviceJson.From(device));
            return ExitCodes.Success;
        }

        var grid = new Grid().AddColumn().AddColumn();
        grid.AddRow("[bold]id[/]", Markup.Escape(device.Id));
        grid.AddRow("[bold]name[/]", Markup.Escape(device.DisplayName));
        grid.AddRow("[bold]category[/]", device.Category.ToString());
        grid.AddRow("[bold]platform[/]", Markup.Escape(device.Platform));
        grid.AddRow("[bold]RAM[/]", Units.FormatBinary(device.RamBytes) + (device.UnifiedMemory ? " (unified with the GPU)" : string.Empty));
        grid.AddRow("[bold]usable by one app/tab[/]", Units.FormatBinary(device.AppMemoryLimitBytes));
        if (device.GpuMemoryBytes is { } vram) grid.AddRow("[bold]VRAM[/]", Units.FormatBinary(vram));
        grid.AddRow("[bold]memory bandwidth[/]", $"{device.MemoryBandwidthGBps:0.##} GB/s (peak)");
        if (device.GpuFp16Tflops is { } f16) grid.AddRow("[bold]GPU FP16[/]", $"{f16:0.##} TFLOPS");
        grid.AddRow("[bold]CPU cores[/]", device.CpuCores.ToString(System.Globalization.CultureInfo.InvariantCulture));
        if (device.WebGpu is { } g)
        {
            // The basis (Reported / Typical / SpecMinimum) says how the buffer limits are known; the notes say how shader-f16 is.
            grid.AddRow("[bold]WebGPU[/]", Markup.Escape($"{g.Browser}: maxBufferSize {Units.FormatBinary(g.MaxBufferSizeBytes)}, maxStorageBufferBindingSize {Units.FormatBinary(g.MaxStorageBufferBindingSizeBytes)} (limits: {g.Basis}), shader-f16 {(g.ShaderF16 ? "yes" : "no")} (see notes)"));
        }

        grid.AddRow("[bold]free storage[/]", Units.FormatDecimal(device.FreeStorageBytes));
        grid.AddRow("[bold]network[/]", Markup.Escape($"{device.Network.DisplayName} ({device.Network.DownloadMbps:0.#} Mbit/s)"));
        console.Write(new Panel(grid).Header(Markup.Escape(device.DisplayName)));
        if (!string.IsNullOrEmpty(device.Notes)) console.MarkupLine("[grey]" + Markup.Escape(device.Notes) + "[/]");
        foreach (var s in device.Sources) console.MarkupLine($"  source: {Markup.Escape(s.Url)} [grey]— {Markup.Escape(s.Supports)}[/]");
        return ExitCodes.Success;
    }
}

/// <summary>Shared device-option handling.</summary>
internal static class DeviceOptions
{
    public static DeviceCatalog Catalog(string? deviceFile) =>
        deviceFile is null ? DeviceCatalog.Default : DeviceCatalog.Default.WithOverrides(DeviceCatalog.LoadFile(deviceFile));

    public static DeviceProfile Find(DeviceCatalog catalog, string name)
    {
        if (catalog.TryFind(name, out var d)) return d;
        var near = catalog.SuggestNearest(name, 3);
        throw new ArgumentException($"unknown device '{name}'" + (near.Count > 0 ? $"; did you mean {string.Join(", ", near)}?" : "; see 'llmsize devices list'"));
    }
}

/// <summary>JSON shape of a device profile (units in the names).</summary>
internal sealed record DeviceJson(string Id, string DisplayName, string Category, string Platform, long RamBytes, long AppMemoryLimitBytes,
    long? GpuMemoryBytes, bool UnifiedMemory, double MemoryBandwidthGBps, double? GpuFp16Tflops, double? GpuFp32Tflops, int CpuCores,
    long? WebGpuMaxStorageBufferBindingSizeBytes, long? WebGpuMaxBufferSizeBytes, bool? WebGpuShaderF16, long FreeStorageBytes,
    string Network, IReadOnlyList<string> Sources)
{
    public static DeviceJson From(DeviceProfile d) => new(d.Id, d.DisplayName, d.Category.ToString(), d.Platform, d.RamBytes, d.AppMemoryLimitBytes,
        d.GpuMemoryBytes, d.UnifiedMemory, d.MemoryBandwidthGBps, d.GpuFp16Tflops, d.GpuFp32Tflops, d.CpuCores,
        d.WebGpu?.MaxStorageBufferBindingSizeBytes, d.WebGpu?.MaxBufferSizeBytes, d.WebGpu?.ShaderF16, d.FreeStorageBytes,
        d.Network.Id, d.Sources.Select(s => s.Url).ToArray());
}
