using LlmSize.Cli.Infrastructure;
using LlmSize.Web;
using Microsoft.Extensions.Hosting;
using Spectre.Console;
using Spectre.Console.Cli;

namespace LlmSize.Cli.Commands.Serve;

/// <summary><c>llmsize serve</c>: the web page and JSON API (<see cref="LlmSizeWebApp"/>) on loopback until Ctrl+C.</summary>
public sealed class ServeCommand(IAnsiConsole console) : AsyncCommand<ServeSettings>
{
    /// <inheritdoc />
    public override async Task<int> ExecuteAsync(CommandContext context, ServeSettings settings, CancellationToken cancellationToken)
    {
        var app = LlmSizeWebApp.Build(new WebOptions { Urls = settings.Urls, RateLimitPermits = settings.RateLimit });
        await app.StartAsync(cancellationToken);
        foreach (string url in app.Urls)
        {
            console.MarkupLine($"LlmSize page at [link]{Markup.Escape(url)}/[/] (API: {Markup.Escape(url)}/openapi/v1.json); Ctrl+C stops");
        }

        await app.WaitForShutdownAsync(cancellationToken);
        return ExitCodes.Success;
    }
}
