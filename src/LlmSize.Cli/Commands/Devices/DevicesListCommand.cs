using LlmSize.Cli.Infrastructure;
using LlmSize.Core;
using Spectre.Console;
using Spectre.Console.Cli;

namespace LlmSize.Cli.Commands.Devices;

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
