using System.Globalization;
using LlmSize.Core;
using LlmSize.Measurement;
using Spectre.Console;

namespace LlmSize.Cli.Commands.Measure;

/// <summary>Renders a <see cref="MeasureReport"/>: the run, then one row per term with fit's prediction, the measured
/// figure and the relative error.</summary>
internal static class MeasureRenderer
{
    public static void Render(IAnsiConsole console, string path, MeasureReport r)
    {
        var m = r.Measurement;
        console.MarkupLine($"[bold]{Markup.Escape(Path.GetFileName(path))}[/] in llama.cpp (LLamaSharp 0.30.0 CPU backend): context {m.ContextTokens} tokens, {m.Threads} threads, prompt {m.PromptTokens} + {m.GenTokens} generated tokens");
        if (m.SystemInfo is { } info) console.MarkupLine($"[grey]{Markup.Escape(info)}[/]");
        var table = new Table().Border(TableBorder.Rounded).Title("predicted (fit) vs measured");
        table.AddColumn("term");
        table.AddColumn(new TableColumn("predicted").RightAligned());
        table.AddColumn(new TableColumn("measured").RightAligned());
        table.AddColumn(new TableColumn("error").RightAligned());
        table.AddColumn("measured from");
        foreach (var t in r.Terms)
        {
            string err = t.RelativeError is { } e ? (e >= 0 ? "+" : string.Empty) + Units.Percent(e) : "–";
            table.AddRow(Markup.Escape(t.Name), Value(t.Predicted, t.Unit), Value(t.Measured, t.Unit), err, "[grey]" + Markup.Escape(t.MeasuredHow) + "[/]");
        }

        console.Write(table);
        console.MarkupLine($"[grey]Prediction: fit for {Markup.Escape(r.Fit.Device.DisplayName)}, {Markup.Escape(r.Fit.Requested.Format.Name)}; speed figures are estimates (assumed efficiency). Error = (predicted − measured) ÷ measured. GiB = 2^30 bytes, GB = 10^9 bytes.[/]");
    }

    private static string Value(double? v, string unit) => v is not { } x ? "–" : unit switch
    {
        "bytes" => Units.FormatBoth(x),
        "s" => x.ToString("0.000", CultureInfo.InvariantCulture) + " s",
        _ => x.ToString("0.0", CultureInfo.InvariantCulture) + " " + unit,
    };
}
