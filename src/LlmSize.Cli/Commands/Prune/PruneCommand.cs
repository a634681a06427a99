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

        // At narrow widths the notes go compact, then CSR, bitmask, shape and the notes are left out (totals below).
        var table = new FittedTable().Column("tensor").Column("shape", drop: 2).Column("dtype").Column("sparsity", shortHeader: "sparse", right: true)
            .Column("dense", right: true).Column("bitmask", drop: 3, right: true).Column("CSR", drop: 4, right: true).Column("note", drop: 1, wrap: true);
        foreach (var t in r.Tensors)
        {
            string note = t.SkipReason ?? (t.InfiniteValues > 0 ? $"{t.InfiniteValues} infinite values kept" : string.Empty);
            string noteShort = t.SkipReason is not null ? "kept dense" : t.InfiniteValues > 0 ? $"{t.InfiniteValues} inf kept" : string.Empty;
            table.Row(Markup.Escape(t.Name), Markup.Escape("[" + string.Join(", ", t.Shape) + "]"), t.DataType.Name, Units.Percent(t.Sparsity),
                Units.FormatBinary(t.Storage.DenseBytes), t.Pruned ? Units.FormatBinary(t.Storage.BitmaskBytes) : "-", t.Pruned ? Units.FormatBinary(t.Storage.CsrBytes) : "-",
                new FittedCell(Markup.Escape(note), Markup.Escape(noteShort)));
        }

        var dropped = table.Write(console, settings.Wide);
        if (table.Compact && !dropped.Contains("note")) console.MarkupLine("[grey]kept dense: not pruned (embeddings, output head, norms and biases; --wide or --json say why).[/]");
        console.MarkupLine($"achieved sparsity: {Units.Percent(r.PrunedTensorSparsity)} of pruned matrices, {Units.Percent(r.OverallSparsity)} of all {r.TotalElements.ToString("N0", CultureInfo.InvariantCulture)} parameters");
        console.MarkupLine($"written: {Markup.Escape(r.Output ?? string.Empty)} ({Units.FormatBoth(r.OutputBytes)}) — [yellow]dense storage does not shrink: zeros weigh as much as any weight[/]");
        console.MarkupLine($"sparse storage would weigh: bitmask {Units.FormatBinary(r.BitmaskBytes)}, CSR {Units.FormatBinary(r.CsrBytes)}"
            + (r.SemiStructuredBytes is { } semi ? $", {r.Options.KeepPerGroup}:{r.Options.GroupSize} compressed {Units.FormatBinary(semi)}" : string.Empty)
            + $" (dense {Units.FormatBinary(r.DenseBytes)})");
        return ExitCodes.Success;
    }
}
