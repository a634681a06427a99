using LlmSize.Cli.Infrastructure;
using LlmSize.Core;
using LlmSize.Core.Devices;
using LlmSize.Core.Estimation;
using LlmSize.Core.Estimation.Fit;
using LlmSize.Core.Sources;
using Spectre.Console;
using Spectre.Console.Cli;

namespace LlmSize.Cli.Commands.Fit;

/// <summary><c>llmsize fit</c>: will this model run on that device, how fast, and how long is the download? Maps the
/// options to a <see cref="FitRequest"/>, runs the core's <see cref="FitPipeline"/> and renders its reports.</summary>
public sealed class FitCommand(IAnsiConsole console, RemoteSourceOptions remote) : AsyncCommand<FitSettings>
{
    /// <inheritdoc />
    public override async Task<int> ExecuteAsync(CommandContext context, FitSettings settings, CancellationToken cancellationToken)
    {
        var model = await ModelOrigin.LoadAsync(settings.Model, settings, remote, cancellationToken);
        var catalog = settings.Catalog();
        NetworkClass.TryParse(settings.Network, out var network); // validated in FitSettings
        var request = new FitRequest
        {
            Model = model,
            Devices = settings.AllDevices ? catalog.Profiles : [settings.ResolveDevice(catalog)],
            Runtime = settings.RuntimeName is { } r ? Runtimes.Find(r) : null,
            Format = settings.Quant,
            ContextTokens = settings.ContextTokens,
            Network = network,
            Settings = settings.RuntimeSettings(),
            LongestContext = settings.LongestContext,
        };
        var reports = settings.ContextSweep is { } sweep
            ? FitPipeline.Sweep(request, sweep).SelectMany(x => x.Reports).ToList()
            : FitPipeline.Run(request).Reports;

        if (settings.Chart is { } chart) MemoryChart.Write(chart, MemoryChart.ToSvg(reports));
        if (settings.Json)
        {
            var origin = ModelOrigin.Json(model.Reference);
            JsonOutput.Write(console, reports.Select(r => FitJson.From(r) with { Origin = origin }).ToList());
            return ExitCodes.Success;
        }

        string networkLabel = settings.Network is null ? "device's network" : "--network";
        if (reports.Count == 1) FitRenderer.RenderOne(console, reports[0], networkLabel);
        else FitRenderer.RenderMany(console, reports, networkLabel);
        ModelOrigin.Render(console, model.Reference, settings.Verbose);
        if (settings.Chart is { } written) console.MarkupLine($"[grey]chart written to {Markup.Escape(Path.GetFullPath(written))}[/]");
        return ExitCodes.Success;
    }
}
