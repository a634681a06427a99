using System.Globalization;
using LlmSize.Cli.Commands.Fit;
using LlmSize.Cli.Infrastructure;
using LlmSize.Core;
using LlmSize.Core.Compression.Planning;
using LlmSize.Core.Compression.Quantization;
using LlmSize.Core.Estimation;
using LlmSize.Core.Precision;
using LlmSize.Core.Sources;
using Spectre.Console;
using Spectre.Console.Cli;

namespace LlmSize.Cli.Commands.Shrink;

/// <summary><c>llmsize shrink</c>: the ways to make a model fit a device, ranked (<see cref="ShrinkPlanner"/>).</summary>
public sealed class ShrinkCommand(IAnsiConsole console, RemoteSourceOptions remote) : AsyncCommand<ShrinkSettings>
{
    /// <inheritdoc />
    public override async Task<int> ExecuteAsync(CommandContext context, ShrinkSettings settings, CancellationToken cancellationToken)
    {
        var model = await ModelOrigin.LoadAsync(settings.Model, settings, remote, cancellationToken);
        var device = settings.ResolveDevice(settings.Catalog());
        bool longest = settings.Context is { Max: true };
        var plan = ShrinkPlanner.Plan(model, device, settings.RuntimeName is { } r ? Runtimes.Find(r) : null,
            settings.Context is { Max: false, Tokens: [var tokens, ..] } ? tokens : null, longest);
        if (settings.Json)
        {
            JsonOutput.Write(console, ShrinkJson.From(plan, CanQuantize) with { Origin = ModelOrigin.Json(model.Reference) });
            return ExitCodes.Success;
        }

        var runtime = plan.Runtime;
        console.MarkupLine($"[bold]{Markup.Escape(plan.ModelName)}[/] ({Units.FormatParameters(plan.Parameters)} parameters) on [bold]{Markup.Escape(device.DisplayName)}[/] with {Markup.Escape(runtime.DisplayName)}");
        var table = new Table().AddColumns("#", "technique", "option", "params", "format", "download", "memory", "verdict", "tok/s", "quality cost");
        if (longest) table.AddColumn("longest context");
        int rank = 1;
        bool footnote = false;
        foreach (var o in plan.Options)
        {
            bool noKernel = o.Format is GgufWeightFormat g && !CanQuantize(g);
            footnote |= noKernel;
            var cells = new List<string>
            {
                (rank++).ToString(CultureInfo.InvariantCulture), o.Technique.ToString(), Markup.Escape(o.Label), Units.FormatParameters(o.Parameters),
                Markup.Escape(o.Format.Name) + (noKernel ? " ¹" : string.Empty),
                Units.FormatBinary(o.DownloadBytes), Units.FormatBinary(o.MemoryBytes),
                Verdict(o),
                o.DecodeTokensPerSecond is { } s ? s.ToString("0.#", CultureInfo.InvariantCulture) : "-",
                Markup.Escape(o.Quality is { } q ? $"{q.PerplexityDelta:+0.0000;-0.0000} ppl @ {q.MeasuredOn}" : o.NeedsTraining ? "needs recovery training" : o.QualityNote),
            };
            if (longest) cells.Add(o.LongestContext is { } l ? FitRenderer.LongestContextShort(l) : "-");
            table.AddRow(cells.ToArray());
        }

        console.Write(table);
        if (plan.Options.All(o => !o.Fits)) console.MarkupLine("[red]Nothing fits this device with this runtime.[/] 'llmsize fit' shows each constraint.");
        if (plan.Options.FirstOrDefault(o => o.IsSplit) is { } split)
        {
            console.MarkupLine($"[grey]Split rows fit only with some layers on the GPU (llama.cpp -ngl {split.GpuLayers}: {split.GpuLayers} of {split.LayerCount} layers for {Markup.Escape(split.Label)}); "
                + "the rest runs at system-RAM speed, so options that fit entirely in VRAM rank first.[/]");
        }

        if (plan.Options.Any(o => o.IsTight))
        {
            console.MarkupLine($"[grey]Tight rows leave under {ShrinkPlanner.TightHeadroomFraction:0%} of their memory budget (headroom rule): other apps, the OS or a longer conversation can push them out, so they rank after every comfortable fit.[/]");
        }

        if (longest) console.MarkupLine("[grey]longest context: the longest context at which the option's format fits, up to the model's trained maximum, in steps of 256 tokens ((all) = the whole trained context).[/]");
        if (footnote) console.MarkupLine("[grey]¹ llama-quantize produces this type; 'llmsize quantize' has no kernel for it yet.[/]");
        foreach (string n in plan.Notes) console.MarkupLine("[grey]• " + Markup.Escape(n) + "[/]");
        ModelOrigin.Render(console, model.Reference, settings.Verbose);
        if (plan.Options.FirstOrDefault(o => o.Quality is not null) is { Quality: { } src }) console.MarkupLine("[grey]• quality source: " + Markup.Escape(src.Source) + "[/]");
        return ExitCodes.Success;
    }

    /// <summary>The verdict cell: "fits", "fits as a split (-ngl 17 of 32)", "fits (tight: 1.4% left)", or "no (constraint)".</summary>
    private static string Verdict(ShrinkOption o)
    {
        if (!o.Fits) return $"[red]no[/] ({FitRenderer.ConstraintName(o.Binding)})";
        string tight = o.IsTight && o.HeadroomFraction is { } h ? $"tight: {Units.Percent(h)} left" : string.Empty;
        return o.IsSplit
            ? $"[yellow]fits as a split[/] (-ngl {o.GpuLayers} of {o.LayerCount}{(tight.Length > 0 ? "; " + tight : string.Empty)})"
            : tight.Length > 0 ? $"[yellow]fits[/] ({tight})" : "[green]fits[/]";
    }

    /// <summary>Whether <c>llmsize quantize</c> has a kernel for the file type's main tensor type.</summary>
    private static bool CanQuantize(GgufWeightFormat g)
    {
        var type = LlamaFileTypes.DefaultType(g.FileType);
        return type.Kind != DataTypeKind.BlockQuantized || RowQuantizers.TryGet(type, out _);
    }
}
