using System.Globalization;
using LlmSize.Cli.Infrastructure;
using LlmSize.Core;
using LlmSize.Core.Compression.Sharing;
using Spectre.Console;
using Spectre.Console.Cli;

namespace LlmSize.Cli.Commands.Share;

/// <summary><c>llmsize share</c>: tied and duplicated tensors, and the cross-layer sharing what-if.</summary>
public sealed class ShareCommand(IAnsiConsole console) : Command<ShareSettings>
{
    /// <inheritdoc />
    public override int Execute(CommandContext context, ShareSettings settings, CancellationToken cancellationToken)
    {
        CompressionCli.RequireFile(settings.File, ".gguf", ".safetensors");
        var report = ParameterSharingAnalyzer.Analyze(settings.File, cancellationToken);
        var architecture = TryArchitecture(settings.File);
        var whatIfs = new List<CrossLayerSharing>();
        if (architecture is not null)
        {
            foreach (string k in settings.ShareEvery.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                int groupSize = k == "all" ? architecture.LayerCount + architecture.EncoderLayerCount
                    : int.Parse(k, NumberStyles.None, CultureInfo.InvariantCulture);
                var w = ParameterSharingAnalyzer.CrossLayer(architecture, groupSize);
                if (!whatIfs.Any(x => x.GroupSize == w.GroupSize)) whatIfs.Add(w);
            }
        }

        if (settings.Json)
        {
            JsonOutput.Write(console, ShareJson.From(report, whatIfs));
            return ExitCodes.Success;
        }

        console.MarkupLine($"[bold]{Markup.Escape(Path.GetFileName(report.File))}[/]: {report.TensorCount} tensors, {report.StoredParameters.ToString("N0", CultureInfo.InvariantCulture)} stored parameters, {report.UniqueParameters.ToString("N0", CultureInfo.InvariantCulture)} unique");
        if (report.TensorCount == 0)
        {
            console.MarkupLine("the file holds no tensors (metadata only): nothing to deduplicate"
                + (whatIfs.Count > 0 ? "; the what-if below is computed from the architecture in its metadata" : string.Empty));
        }
        else if (report.Groups.Length == 0)
        {
            console.MarkupLine("no shared or identical tensors");
        }
        foreach (var g in report.Groups)
        {
            console.MarkupLine($"  {(g.Kind == SharingKind.SameStorage ? "same storage" : "identical bytes")}{(g.IsTiedEmbedding ? " [green](tied embeddings)[/]" : string.Empty)}: {Markup.Escape(string.Join(", ", g.Tensors))} ({Units.FormatBinary(g.BytesEach)} each)");
        }

        foreach (string n in report.Notes) console.MarkupLine("  [grey]" + Markup.Escape(n) + "[/]");
        if (report.TensorCount > 0)
        {
            console.MarkupLine($"a deduplicating format would save {Units.FormatBoth(report.SavableBytes)} of {Units.FormatBoth(report.StoredBytes)}");
        }
        if (whatIfs.Count > 0)
        {
            var t = new FittedTable().Column("share every k layers", shortHeader: "every k", right: true).Column("distinct layer sets", shortHeader: "distinct")
                .Column("parameters", right: true).Column("vs now");
            foreach (var w in whatIfs)
            {
                t.Row(w.GroupSize.ToString(CultureInfo.InvariantCulture), $"{w.DistinctLayers} of {w.Layers}", w.SharedParameters.ToString("N0", CultureInfo.InvariantCulture) + (w.Exact ? string.Empty : " (≈)"),
                    Units.Percent((double)w.SharedParameters / w.OriginalParameters) + $" of {w.OriginalParameters.ToString("N0", CultureInfo.InvariantCulture)}");
            }

            t.Write(console, wide: false); // four columns: headers shorten, nothing is left out
            console.MarkupLine("[grey]what-if only: shared layers must be trained that way (ALBERT); embeddings unchanged.[/]");
        }
        else
        {
            console.MarkupLine("[grey]no architecture found (GGUF metadata or config.json beside the file): cross-layer what-if skipped[/]");
        }

        return ExitCodes.Success;
    }

    private static Core.Models.Architectures.ModelArchitecture? TryArchitecture(string file)
    {
        try
        {
            return ModelLoader.Load(file).Architecture;
        }
        catch (Exception e) when (e is ModelFormatException or NotSupportedException or ArgumentException or IOException)
        {
            return null;
        }
    }
}
