using System.Globalization;
using LlmSize.Cli.Infrastructure;
using LlmSize.Core;
using LlmSize.Core.Compression.Lora;
using Spectre.Console;
using Spectre.Console.Cli;

namespace LlmSize.Cli.Commands.Lora;

/// <summary><c>llmsize lora size</c>: adapter size from the architecture and the storage argument.</summary>
public sealed class LoraSizeCommand(IAnsiConsole console, LlmSize.Core.Sources.RemoteSourceOptions remote) : AsyncCommand<LoraSizeSettings>
{
    /// <inheritdoc />
    public override async Task<int> ExecuteAsync(CommandContext context, LoraSizeSettings settings, CancellationToken cancellationToken)
    {
        var inventory = await ModelOrigin.LoadAsync(settings.Model, settings, remote, cancellationToken);
        var (architecture, name) = await CompressionCli.LoadArchitectureAsync(settings.Model, cancellationToken);
        var dtype = LoraSizeSettings.ParseDataType(settings.DataType)!;
        string[] targets = settings.Targets is { } given
            ? given.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            : LoraPlanner.DefaultTargets(architecture)?.ToArray()
              ?? throw new InputException(InputErrorKind.InvalidRequest, $"{name}: PEFT has no default target_modules for '{architecture.Family}'; pass --targets "
                  + $"({string.Join(", ", LoraPlanner.ModuleNames(architecture) ?? LoraPlanner.KnownTargets)}, or all-linear)");
        long? baseBytes = inventory.Files.Count > 0 ? inventory.DownloadBytes : null;
        var plan = LoraPlanner.Plan(architecture, targets, settings.Rank, dtype, baseBytes);
        if (settings.Json)
        {
            JsonOutput.Write(console, LoraSizeJson.From(name, plan, dtype.Name));
            return ExitCodes.Success;
        }

        var perKind = plan.Estimate.Modules.GroupBy(m => m.ModulePath[(m.ModulePath.LastIndexOf('.') + 1)..]);
        var table = new Table().AddColumns("target", "modules", "in", "out", "parameters", "bytes");
        foreach (var g in perKind)
        {
            table.AddRow(Markup.Escape(g.Key), g.Count().ToString(CultureInfo.InvariantCulture), g.First().InFeatures.ToString(CultureInfo.InvariantCulture),
                g.First().OutFeatures.ToString(CultureInfo.InvariantCulture), g.Sum(m => m.Parameters).ToString("N0", CultureInfo.InvariantCulture), Units.FormatBinary(g.Sum(m => m.Bytes)));
        }

        console.MarkupLine($"[bold]{Markup.Escape(name)}[/]: LoRA r={plan.Rank} on {Markup.Escape(string.Join(", ", plan.Targets))} ({dtype.Name})");
        console.Write(table);
        console.MarkupLine($"adapter: {plan.Estimate.Parameters.ToString("N0", CultureInfo.InvariantCulture)} parameters ({Units.Percent(plan.ParameterFraction)} of the base's {Units.FormatParameters(plan.BaseParameters)}), {Units.FormatBoth(plan.Estimate.Bytes)}");
        var storage = new Table().AddColumns("tasks N", "1 base + N adapters", "N fine-tuned copies", "saved");
        foreach (var s in plan.Storage)
        {
            storage.AddRow(s.AdapterCount.ToString(CultureInfo.InvariantCulture), Units.FormatBinary(s.BasePlusAdaptersBytes), Units.FormatBinary(s.FullCopiesBytes), Units.FormatBinary(s.SavedBytes));
        }

        console.Write(storage);
        return ExitCodes.Success;
    }
}
