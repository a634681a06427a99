using LlmSize.Cli.Commands;
using LlmSize.Core;
using LlmSize.Core.Models;
using LlmSize.Core.Sources;
using Spectre.Console;

namespace LlmSize.Cli.Infrastructure;

/// <summary>Loading a model named on the command line with the run's remote options, and saying where the answer came
/// from ("from the Hub at commit 1a2b3c… (2 requests, 131.1 kB)", "from the cache …", "built-in catalog; nothing
/// fetched").</summary>
internal static class ModelOrigin
{
    /// <summary>Loads <paramref name="model"/> (path, catalog name, or remote name) with the flags of <paramref name="settings"/>.</summary>
    public static Task<ModelInventory> LoadAsync(string model, ModelSourceSettings settings, RemoteSourceOptions defaults, CancellationToken cancellationToken) =>
        ModelLoader.LoadAsync(model, null, settings.RemoteOptions(defaults), cancellationToken);

    /// <summary>One grey line naming the origin when the model was named remotely (nothing for local files and plain
    /// catalog names), and with <c>--verbose</c> a table of requests and bytes per remote file.</summary>
    public static void Render(IAnsiConsole console, ModelReference reference, bool verbose)
    {
        if (reference.Origin is not { } origin) return;
        console.MarkupLine($"[grey]source: {Markup.Escape(origin)}[/]");
        if (!verbose || reference.Traffic.Count == 0) return;
        var table = new Table().AddColumns("file", "requests", "bytes read", "header cache");
        table.Columns[1].RightAligned();
        table.Columns[2].RightAligned();
        foreach (var f in reference.Traffic)
        {
            table.AddRow(Markup.Escape(f.Path), f.Requests.ToString("N0", System.Globalization.CultureInfo.InvariantCulture),
                Units.FormatDecimal(f.Bytes), f.FromCache ? "hit" : "-");
        }

        table.AddRow("[bold]total[/]", reference.Requests.ToString("N0", System.Globalization.CultureInfo.InvariantCulture),
            Units.FormatDecimal(reference.BytesFetched), "");
        console.Write(table);
        console.MarkupLine("[grey]requests include redirect hops (the Hub answers a file read with a redirect to its storage host); bytes are response bodies.[/]");
    }

    /// <summary>The JSON of the origin, or null for local files and plain catalog names.</summary>
    public static OriginJson? Json(ModelReference reference) =>
        reference.Origin is null
            ? null
            : new OriginJson(reference.Kind.ToString(), reference.Text, reference.Origin, reference.Commit, reference.Requests, reference.BytesFetched,
                reference.Traffic.Select(f => new FileTrafficJson(f.Path, f.Requests, f.Bytes, f.FromCache)).ToList());
}

/// <summary>Where a model's answer came from (JSON field <c>origin</c> of inspect, fit and shrink).</summary>
/// <param name="Kind">Hub, Ollama, Url, Catalog.</param>
/// <param name="Reference">The name as given.</param>
/// <param name="Text">The origin sentence.</param>
/// <param name="Commit">The Hub commit, Ollama manifest digest or URL ETag; null for catalog answers.</param>
/// <param name="Requests">HTTP requests made (redirect hops included).</param>
/// <param name="BytesFetched">Bytes received (bodies).</param>
/// <param name="Files">Requests and bytes per file.</param>
internal sealed record OriginJson(string Kind, string Reference, string Text, string? Commit, long Requests, long BytesFetched,
    IReadOnlyList<FileTrafficJson> Files);

/// <summary>One remote file's traffic.</summary>
internal sealed record FileTrafficJson(string Path, long Requests, long Bytes, bool FromCache);
