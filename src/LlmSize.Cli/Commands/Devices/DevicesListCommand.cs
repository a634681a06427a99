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

        // At narrow widths the headers shorten, then the WebGPU limits, the category
        // and VRAM are left out in that order.
        var table = new FittedTable(() => new Table().Border(TableBorder.Rounded).Title($"{devices.Count} device profiles"))
            .Column("id").Column("category", drop: 2).Column("RAM", right: true).Column("usable by one app", shortHeader: "app limit", right: true)
            .Column("VRAM", drop: 1, right: true).Column("bandwidth", right: true).Column("WebGPU buffer / f16", drop: 3, shortHeader: "WebGPU");
        foreach (var d in devices)
        {
            table.Row(
                Markup.Escape(d.Id),
                d.Category.ToString(),
                Units.FormatBinary(d.RamBytes),
                Units.FormatBinary(d.AppMemoryLimitBytes),
                d.GpuMemoryBytes is { } v ? Units.FormatBinary(v) : d.UnifiedMemory ? "unified" : "–",
                $"{d.MemoryBandwidthGBps:0.#} GB/s",
                d.WebGpu is { } g ? $"{Units.FormatBinary(g.MaxStorageBufferBindingSizeBytes)} / {(g.ShaderF16 ? "yes" : "no")}" : "–");
        }

        table.Write(console, settings.Wide);
        console.MarkupLine("[grey]GiB = 2^30 bytes; bandwidth in GB/s = 10^9 bytes/s (peak). Sources: llmsize devices show <id>.[/]");
        return ExitCodes.Success;
    }
}
