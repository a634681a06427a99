using LlmSize.Cli.Infrastructure;
using LlmSize.Core;
using LlmSize.Core.Models;
using LlmSize.Core.Sources;
using Spectre.Console;
using Spectre.Console.Cli;

namespace LlmSize.Cli.Commands.Inspect;

/// <summary><c>llmsize inspect</c>: exact parameter count, size class and download size.</summary>
public sealed class InspectCommand(IAnsiConsole console, RemoteSourceOptions remote) : AsyncCommand<InspectSettings>
{
    /// <inheritdoc />
    public override async Task<int> ExecuteAsync(CommandContext context, InspectSettings settings, CancellationToken cancellationToken)
    {
        var inventory = await ModelOrigin.LoadAsync(settings.Model, settings, remote, cancellationToken);
        var report = ModelSizeReport.Create(inventory);
        if (settings.Json)
        {
            JsonOutput.Write(console, InspectJson.From(report, settings.Tensors) with { Origin = ModelOrigin.Json(inventory.Reference) });
            return ExitCodes.Success;
        }

        InspectRenderer.Render(console, report, settings.Tensors, settings.Metadata);
        ModelOrigin.Render(console, inventory.Reference, settings.Verbose);
        return ExitCodes.Success;
    }
}
