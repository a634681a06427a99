using System.Globalization;
using LlmSize.Cli.Infrastructure;
using LlmSize.Core;
using LlmSize.Core.Models;
using LlmSize.Core.Models.Catalog;
using Spectre.Console;
using Spectre.Console.Cli;

namespace LlmSize.Cli.Commands.Models;

/// <summary><c>llmsize models</c>: the built-in model catalog with exact counts and size classes.</summary>
public sealed class ModelsCommand(IAnsiConsole console) : Command<ModelsSettings>
{
    /// <inheritdoc />
    public override int Execute(CommandContext context, ModelsSettings settings, CancellationToken cancellationToken)
    {
        var rows = ModelCatalog.Default.Entries.Select(e =>
        {
            var report = ModelSizeReport.Create(ModelLoader.FromCatalog(e));
            return (Entry: e, Report: report);
        }).ToList();
        if (settings.Json)
        {
            JsonOutput.Write(console, rows.Select(r => ModelJson.From(r.Entry, r.Report)).ToList());
            return ExitCodes.Success;
        }

        // At narrow widths the aliases, then the display names are left out (the id is what commands take).
        var table = new FittedTable(() => new Table().Border(TableBorder.Rounded).Title($"{rows.Count} built-in models"))
            .Column("id").Column("name", drop: 1, wrap: true, wrapMin: 12).Column("parameters", right: true).Column("size class", shortHeader: "class")
            .Column("aliases", drop: 2, wrap: true);
        foreach (var (e, r) in rows.OrderBy(r => r.Report.Parameters ?? long.MaxValue))
        {
            table.Row(Markup.Escape(e.Id), Markup.Escape(e.DisplayName),
                r.Parameters is { } p ? p.ToString("N0", CultureInfo.InvariantCulture) : "[yellow]not disclosed[/]",
                r.SizeClass?.Label ?? "–", Markup.Escape(string.Join(", ", e.Aliases.Take(3))));
        }

        table.Write(console, settings.Wide);
        console.MarkupLine("[grey]Counts are analytic from each model's config and equal the published figures; sources: llmsize inspect <id>.[/]");
        return ExitCodes.Success;
    }
}
