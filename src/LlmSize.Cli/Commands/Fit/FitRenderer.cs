using System.Globalization;
using LlmSize.Cli.Infrastructure;
using LlmSize.Core;
using LlmSize.Core.Estimation;
using LlmSize.Core.Estimation.Fit;
using Spectre.Console;

namespace LlmSize.Cli.Commands.Fit;

/// <summary>Renders fit reports as terminal tables and bar charts.</summary>
internal static class FitRenderer
{
    public static string Verdict(FitOutcome o) => o switch
    {
        FitOutcome.Fits => "[green]fits[/]",
        FitOutcome.FitsWithChanges => "[yellow]fits with changes[/]",
        _ => "[red]does not fit[/]",
    };

    /// <summary>The line said instead of tokens/s when the file has no architecture (weights as stored only).</summary>
    public const string NoArchitectureSpeedNote = "speed in tokens/s needs a language-model architecture (config.json)";

    /// <summary>True when a tokens/s figure means something: a variant fits, and the model is a language model whose
    /// architecture is known (not just the weights as a TFLite/ONNX graph stores them).</summary>
    public static bool HasTokenSpeed(FitReport r) => r.HasTokenSpeed;

    /// <summary>True when no architecture is known and only the stored weights were checked.</summary>
    public static bool IsStoredWeightsOnly(FitReport r) => !r.HasArchitecture;

    /// <summary>A constraint in words for the text output (JSON keeps the enum names).</summary>
    public static string ConstraintName(FitConstraint c) => c.Describe();

    public static void RenderOne(IAnsiConsole console, FitReport r, string networkLabel = "device's network")
    {
        var best = r.Best ?? r.Requested;
        console.Write(new Rule($"[bold]{Markup.Escape(r.ModelName)}[/] on [bold]{Markup.Escape(r.Device.DisplayName)}[/] with {Markup.Escape(r.Runtime.DisplayName)}").LeftJustified());
        console.MarkupLine($"verdict: {Verdict(r.Outcome)} — {Markup.Escape(r.Reason)}");
        foreach (string w in r.Warnings) console.MarkupLine("[yellow]warning:[/] " + Markup.Escape(w));
        if (r.LongestContext is { } longest) console.MarkupLine("longest context: [bold]" + Markup.Escape(LongestContextText(longest)) + "[/]");
        if (r.Requested.Memory.Settings.ToFlags() is { Length: > 0 } flags) console.MarkupLine($"[grey]llama.cpp settings: {Markup.Escape(flags)}[/]");
        if (r.Requested.Memory.ContextDefaulted && r.Requested.ContextTokens > 0 && r.LongestContext is null)
        {
            string plan = best.ContextTokens > 0 && best.ContextTokens != r.Requested.ContextTokens ? $"; the answer uses {best.ContextTokens}" : string.Empty;
            console.MarkupLine($"[grey]context: {r.Requested.ContextTokens} tokens (default; set --context to change){plan}[/]");
        }

        // Values never wrap; the "how" and "what" prose wraps between words (FittedTable).
        var terms = new FittedTable(() => new Table().Border(TableBorder.Rounded).Title("memory (" + Markup.Escape(best.Format.Name) + (best.ContextTokens > 0 ? $", {best.ContextTokens} tokens)" : ")")))
            .Column("term").Column("bytes", right: true).Column("how", wrap: true);
        foreach (var t in best.Memory.Terms)
        {
            terms.Row(Markup.Escape(t.Name), Units.FormatBoth(t.Bytes), "[grey]" + Markup.Escape(t.How) + "[/]");
        }

        terms.Row("[bold]total[/]", "[bold]" + Units.FormatBoth(best.Memory.TotalBytes) + "[/]", string.Empty);
        terms.Write(console, wide: false);

        var checks = new FittedTable(() => new Table().Border(TableBorder.Rounded).Title("constraints"))
            .Column("constraint").Column("needed", right: true).Column("available", shortHeader: "has", right: true).Column(string.Empty).Column("what", wrap: true);
        foreach (var c in best.Checks)
        {
            bool flag = c.Constraint is FitConstraint.ShaderF16Missing or FitConstraint.NoWebGpu;
            checks.Row(ConstraintName(c.Constraint), flag ? "feature" : Units.FormatBinary(c.RequiredBytes), flag ? (c.Passes ? "yes" : "no") : Units.FormatBinary(c.AvailableBytes),
                c.Passes ? "[green]ok[/]" : "[red]no[/]", "[grey]" + Markup.Escape(c.Detail) + "[/]");
        }

        checks.Write(console, wide: false);
        if (r.Best is not null && r.Best != r.Requested)
        {
            var failed = r.Requested.Checks.Where(c => !c.Passes).Select(c => ConstraintName(c.Constraint)).ToList();
            string what = failed.Count > 0
                ? "fails: " + string.Join(", ", failed)
                : r.Requested.GpuLayers is { } n ? $"fits only as a CPU/GPU split (-ngl {n})" : "fits, but a better variant exists";
            console.MarkupLine($"requested {Markup.Escape(r.Requested.Format.Name)} at {r.Requested.ContextTokens} tokens needs {Units.FormatBinary(r.Requested.Memory.TotalBytes)} and {Markup.Escape(what)}");
        }

        if (IsStoredWeightsOnly(r))
        {
            console.MarkupLine($"[grey]{Markup.Escape(NoArchitectureSpeedNote)}[/]");
        }
        else if (r.Outcome != FitOutcome.DoesNotFit)
        {
            console.MarkupLine($"speed ({best.Target}): [bold]{r.Speed.DecodeTokensPerSecond:0.#} tokens/s[/] generation, {r.Speed.PrefillTokensPerSecond:0} tokens/s prompt, load {r.Speed.LoadSeconds:0.#} s");
            console.MarkupLine("[grey]  " + Markup.Escape(r.Speed.DecodeFormula) + "[/]");
        }

        var shown = r.Best ?? r.LastTried;
        var dl = new FittedTable(() => new Table().Border(TableBorder.Simple).Title($"download of {Markup.Escape(shown.Format.Name)}: {Units.FormatBoth(r.DownloadBytes)}"))
            .Column("network", wrap: true).Column("Mbit/s", right: true).Column("time", right: true);
        // Slowest network first; the device's own network (the first entry of the report) is marked, not moved to the top.
        foreach (var d in r.Download.Select((d, i) => (d, own: i == 0)).OrderBy(x => x.d.Network.DownloadMbps).ThenBy(x => x.own ? 0 : 1))
        {
            string name = Markup.Escape(d.d.Network.DisplayName) + (d.own ? $" [bold]({Markup.Escape(networkLabel)})[/]" : string.Empty);
            dl.Row(name, d.d.Network.DownloadMbps.ToString("0.#", CultureInfo.InvariantCulture), Duration(d.d.Seconds));
        }

        dl.Write(console, wide: false);
        console.MarkupLine("[grey]Estimates: see README \"How estimates are made\". GiB = 2^30 bytes, GB = 10^9 bytes.[/]");
    }

    /// <summary>Renders one row per device (and context, for a sweep). At narrow widths the headers shorten and the
    /// verdict becomes one word, then the memory bar, the download, the budget, the binding constraint and tokens/s are
    /// left out in that order (see <see cref="FittedTable"/>); the longest context, when asked for, is kept;
    /// <paramref name="wide"/> keeps them all.</summary>
    public static void RenderMany(IAnsiConsole console, IReadOnlyList<FitReport> reports, string networkLabel = "device's network", bool wide = false)
    {
        var first = reports[0];
        var table = new FittedTable(() => new Table().Border(TableBorder.Rounded)
            .Title($"{Markup.Escape(first.ModelName)} with {Markup.Escape(first.Runtime.DisplayName)} on {Units.Plural(reports.Select(x => x.Device.Id).Distinct().Count(), "device")}"
                + (reports.Select(x => x.Requested.ContextTokens).Distinct().Count() is > 1 and var contextCount ? $" at {contextCount} contexts" : string.Empty)));
        table.Column("device");
        // A context sweep (--context 4k,32k,128k): one row per device and context, the context asked in its own column.
        bool sweep = reports.Select(x => x.Requested.ContextTokens).Distinct().Count() > 1;
        if (sweep) table.Column("context", shortHeader: "ctx", right: true);
        table.Column("verdict").Column("format").Column("limited by", drop: 4, shortHeader: "limit")
            .Column("needs", right: true).Column("budget", drop: 5).Column("memory use", drop: 7, shortHeader: "use")
            .Column("tokens/s", drop: 2, shortHeader: "tok/s", right: true)
            .Column($"download ({Markup.Escape(networkLabel)})", drop: 6, shortHeader: "download");
        bool longest = reports.Any(x => x.LongestContext is not null);
        if (longest) table.Column("longest context", shortHeader: "longest ctx", right: true); // asked for (--context max): kept

        foreach (var r in reports)
        {
            var v = r.Best ?? r.LastTried;
            string limitedBy = r.Outcome switch
            {
                FitOutcome.Fits => "–",
                FitOutcome.FitsWithChanges => ConstraintName(r.Requested.Binding.Constraint),
                _ => ConstraintName(r.LastTried.Binding.Constraint),
            };
            var budget = v.MemoryCheck;
            long budgetBytes = MemoryChart.Budget(v) ?? budget.AvailableBytes; // VRAM + host RAM for a partial offload
            double ratio = (double)v.Memory.TotalBytes / Math.Max(1, budgetBytes);
            string fmt = Markup.Escape(v.Format.Name) + (v.GpuLayers is { } n ? $" (-ngl {n})" : string.Empty) + (v.ContextTokens != r.Requested.ContextTokens ? $" @{v.ContextTokens}" : string.Empty)
                + (v.Target != r.Runtime.Targets[0] ? $" ({TargetShort(v.Target)})" : string.Empty);
            var cells = new List<FittedCell>
            {
                Markup.Escape(r.Device.Id),
                new(Verdict(r.Outcome) + (r.TightFit ? " [yellow](tight)[/]" : string.Empty), CompactVerdict(r)),
                r.Outcome == FitOutcome.DoesNotFit ? "–" : fmt,
                limitedBy,
                Units.FormatBinary(v.Memory.TotalBytes),
                v.GpuLayers is not null && budgetBytes != budget.AvailableBytes
                    ? $"{Units.FormatBinary(budget.AvailableBytes)} VRAM + {Units.FormatBinary(budgetBytes - budget.AvailableBytes)} RAM"
                    : Units.FormatBinary(budget.AvailableBytes) + (budget.Constraint == FitConstraint.Vram ? " VRAM" : string.Empty),
                Bar(ratio),
                HasTokenSpeed(r) ? r.Speed.DecodeTokensPerSecond.ToString("0.#", CultureInfo.InvariantCulture) : "–",
                Duration(r.Download[0].Seconds) + " " + Markup.Escape(r.Download[0].Network.Id),
            };
            if (longest) cells.Add(r.LongestContext is { } l ? Markup.Escape(LongestContextShort(l)) : "–");
            if (sweep) cells.Insert(1, r.Requested.ContextTokens.ToString("N0", CultureInfo.InvariantCulture));
            table.Row(cells.ToArray());
        }

        var dropped = table.Write(console, wide);
        if (reports.Any(IsStoredWeightsOnly)) console.MarkupLine($"[grey]tokens/s: {Markup.Escape(NoArchitectureSpeedNote)}[/]");
        if (longest) console.MarkupLine("[grey]longest context: the longest context at which the format shown fits, up to the model's trained maximum, in steps of 256 tokens ((all) = the whole trained context).[/]");
        // The legend names only the columns shown.
        string legend = (table.Compact ? "verdict: fits; tight = fits with under 10% of the budget left; changes = fits with the format shown, not the one asked; no = does not fit. " : string.Empty)
            + "needs: weights + KV cache + buffers of the best variant (when nothing fits: the smallest one tried)"
            + (dropped.Contains("memory use") ? "." : "; memory use: that against the device's budget (█ used, ░ free, red past 100%).")
            + (dropped.Contains("limited by") ? string.Empty : " limited by: what fails for the requested format, or for the smallest one when nothing fits.")
            + " (wasm), (native GPU): where the runtime runs on that device when not its first choice" + (table.Compact ? "." : "; (tight): under 10% of the budget left.");
        console.MarkupLine("[grey]" + Markup.Escape(legend) + "[/]");
    }

    /// <summary>The verdict in one word for narrow tables: "fits", "tight", "changes" (fits with changes) or "no".</summary>
    private static string CompactVerdict(FitReport r) => r.Outcome switch
    {
        FitOutcome.DoesNotFit => "[red]no[/]",
        _ when r.TightFit => "[yellow]tight[/]",
        FitOutcome.Fits => "[green]fits[/]",
        _ => "[yellow]changes[/]",
    };

    /// <summary>"Q4_K_M: fits up to 23,552 tokens (trained maximum 32,768)".</summary>
    public static string LongestContextText(LongestContext l) => l.Tokens == 0
        ? $"{l.Format}: does not fit even at {l.Step} tokens"
        : $"{l.Format}: fits up to {l.Tokens.ToString("N0", CultureInfo.InvariantCulture)} tokens"
          + (l.FitsTrainedMaximum ? " (the whole trained context)" : $" (trained maximum {l.Limit.ToString("N0", CultureInfo.InvariantCulture)}; searched in steps of {l.Step})");

    /// <summary>"23,552 tokens", "32,768 (all)" or "none" for a table cell.</summary>
    public static string LongestContextShort(LongestContext l) => l.Tokens == 0 ? "none"
        : l.Tokens.ToString("N0", CultureInfo.InvariantCulture) + (l.FitsTrainedMaximum ? " (all)" : " tokens");

    /// <summary>Where a variant runs, when it is not the runtime's first target: "wasm", "native app", "CPU", "GPU".</summary>
    public static string TargetShort(ExecutionTarget t) => t switch
    {
        ExecutionTarget.BrowserWasm => "wasm",
        ExecutionTarget.BrowserWebGpu => "WebGPU",
        ExecutionTarget.NativeGpu => "native GPU",
        _ => "CPU",
    };

    /// <summary>A 20-cell bar of <paramref name="ratio"/> (used ÷ budget), red when over.</summary>
    public static string Bar(double ratio)
    {
        if (!double.IsFinite(ratio) || ratio < 0) ratio = 0;
        int cells = 20;
        int used = (int)Math.Round(Math.Min(ratio, 1) * cells);
        string color = ratio > 1 ? "red" : ratio > 0.85 ? "yellow" : "green";
        return $"[{color}]{new string('█', used)}[/][grey]{new string('░', cells - used)}[/] {ratio * 100:0}%";
    }

    public static string Duration(double seconds)
    {
        if (!double.IsFinite(seconds)) return "–";
        var t = TimeSpan.FromSeconds(seconds);
        return t.TotalHours >= 1 ? $"{(int)t.TotalHours} h {t.Minutes} min" : t.TotalMinutes >= 1 ? $"{(int)t.TotalMinutes} min {t.Seconds} s" : $"{seconds:0.#} s";
    }
}
