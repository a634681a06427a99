using LlmSize.Cli.Infrastructure;
using LlmSize.Core;
using Spectre.Console;
using Spectre.Console.Cli;

namespace LlmSize.Cli.Commands.Devices;

/// <summary><c>llmsize devices show NAME</c>: one profile with every source.</summary>
public sealed class DevicesShowCommand(IAnsiConsole console) : Command<DevicesShowSettings>
{
    /// <inheritdoc />
    public override int Execute(CommandContext context, DevicesShowSettings settings, CancellationToken cancellationToken)
    {
        var device = DeviceOptions.Catalog(settings.DeviceFile).Find(settings.Device);
        if (settings.Json)
        {
            JsonOutput.Write(console, DeviceJson.From(device));
            return ExitCodes.Success;
        }

        var grid = new Grid().AddColumn(new GridColumn().NoWrap()).AddColumn(); // labels never wrap; values wrap between words
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
