using System.Globalization;
using LlmSize.Cli.Infrastructure;
using LlmSize.Core;
using LlmSize.Core.Compression.Pruning;
using Spectre.Console;
using Spectre.Console.Cli;

namespace LlmSize.Cli.Commands.Prune;

/// <summary><c>llmsize prune</c>: magnitude pruning, written as safetensors, with honest storage numbers.</summary>
public sealed class PruneCommand(IAnsiConsole console) : Command<PruneSettings>
{
    /// <inheritdoc />
    public override int Execute(CommandContext context, PruneSettings settings, CancellationToken cancellationToken)
    {
        CompressionCli.RequireFile(settings.Input, ".safetensors", ".gguf");
        var options = settings.Pattern is { } p
            ? PruningOptions.ForPattern(p) with { IncludeEmbeddings = settings.IncludeEmbeddings }
            : new PruningOptions { Sparsity = settings.Sparsity!.Value, IncludeEmbeddings = settings.IncludeEmbeddings };
        var r = MagnitudePruner.Prune(settings.Input, settings.Output, options, settings.Overwrite, cancellationToken);
        if (settings.Json)
        {
            JsonOutput.Write(console, PruneJson.From(r));
            return ExitCodes.Success;
        }

        var table = new Table().AddColumns("tensor", "shape", "dtype", "sparsity", "dense", "bitmask", "CSR", "note");
        foreach (var t in r.Tensors)
        {
            table.AddRow(Markup.Escape(t.Name), Markup.Escape("[" + string.Join(", ", t.Shape) + "]"), t.DataType.Name, Units.Percent(t.Sparsity),
                Units.FormatBinary(t.Storage.DenseBytes), t.Pruned ? Units.FormatBinary(t.Storage.BitmaskBytes) : "-", t.Pruned ? Units.FormatBinary(t.Storage.CsrBytes) : "-",
                Markup.Escape(t.SkipReason ?? (t.InfiniteValues > 0 ? $"{t.InfiniteValues} infinite values kept" : string.Empty)));
        }

        console.Write(table);
        console.MarkupLine($"achieved sparsity: {Units.Percent(r.PrunedTensorSparsity)} of pruned matrices, {Units.Percent(r.OverallSparsity)} of all {r.TotalElements.ToString("N0", CultureInfo.InvariantCulture)} parameters");
        console.MarkupLine($"written: {Markup.Escape(r.Output ?? string.Empty)} ({Units.FormatBoth(r.OutputBytes)}) — [yellow]dense storage does not shrink: zeros weigh as much as any weight[/]");
        console.MarkupLine($"sparse storage would weigh: bitmask {Units.FormatBinary(r.BitmaskBytes)}, CSR {Units.FormatBinary(r.CsrBytes)}"
            + (r.SemiStructuredBytes is { } semi ? $", {r.Options.KeepPerGroup}:{r.Options.GroupSize} compressed {Units.FormatBinary(semi)}" : string.Empty)
            + $" (dense {Units.FormatBinary(r.DenseBytes)})");
        return ExitCodes.Success;
    }
}
