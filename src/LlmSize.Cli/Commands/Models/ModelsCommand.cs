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

        var table = new Table().Border(TableBorder.Rounded).Title($"{rows.Count} built-in models").AddColumns("id", "name", "parameters", "size class", "aliases");
        foreach (var (e, r) in rows.OrderBy(r => r.Report.Parameters ?? long.MaxValue))
        {
            table.AddRow(Markup.Escape(e.Id), Markup.Escape(e.DisplayName),
                r.Parameters is { } p ? p.ToString("N0", CultureInfo.InvariantCulture) : "[yellow]not disclosed[/]",
                r.SizeClass?.Label ?? "–", Markup.Escape(string.Join(", ", e.Aliases.Take(3))));
        }

        console.Write(table);
        console.MarkupLine("[grey]Counts are analytic from each model's config and equal the published figures; sources: llmsize inspect <id>.[/]");
        return ExitCodes.Success;
    }
}
