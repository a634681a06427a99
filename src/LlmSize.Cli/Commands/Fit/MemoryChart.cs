using System.Globalization;
using LlmSize.Core.Estimation.Fit;
using OxyPlot;
using OxyPlot.Axes;
using OxyPlot.Legends;
using OxyPlot.Series;

namespace LlmSize.Cli.Commands.Fit;

/// <summary>
/// <c>fit --chart FILE.svg</c>: one horizontal bar per device, stacked from the memory terms of the variant its label
/// names (the best that fits, else the smallest tried, which is what finally blocks; weights, KV cache, compute
/// buffers, runtime overhead, in GiB), with a marker at the memory the device allows that variant (the app/tab limit,
/// usable VRAM on a discrete GPU, or VRAM + host RAM for a partial offload). Rendered to SVG by OxyPlot in managed code.
/// </summary>
internal static class MemoryChart
{
    private const double GiB = 1024.0 * 1024 * 1024;

    /// <summary>One row of the chart: its label, the variant drawn and the budget marked.</summary>
    /// <param name="Label">"pixel-7a — use q4f32_1 @ 2048".</param>
    /// <param name="Variant">The variant the label names: the best that fits, else the smallest tried.</param>
    /// <param name="BudgetBytes">Memory the device allows that variant, bytes; null when no memory check applies.</param>
    internal sealed record Row(string Label, FitVariant Variant, long? BudgetBytes);

    /// <summary>The rows of the chart, one per report, in the reports' order.</summary>
    /// <param name="reports">One report per device.</param>
    /// <returns>Label, variant and budget of each row.</returns>
    internal static IReadOnlyList<Row> Rows(IReadOnlyList<FitReport> reports) =>
        reports.Select(r => new Row($"{r.Device.Id} — {Verdict(r)}", Drawn(r), Budget(Drawn(r)))).ToList();

    /// <summary>The variant a row draws: <see cref="FitReport.Best"/>, else <see cref="FitReport.LastTried"/> (what finally blocks).</summary>
    /// <param name="r">The report.</param>
    /// <returns>The variant.</returns>
    internal static FitVariant Drawn(FitReport r) => r.Best ?? r.LastTried;

    /// <summary>Memory the device allows <paramref name="v"/>: for a partial offload (<c>-ngl</c>) VRAM + host RAM (the
    /// sum of the Vram and HostRam checks' available bytes), else the app/tab limit or usable VRAM.</summary>
    /// <param name="v">The variant.</param>
    /// <returns>Bytes, or null when the variant has no memory check.</returns>
    internal static long? Budget(FitVariant v)
    {
        if (v.GpuLayers is not null)
        {
            var parts = v.Checks.Where(c => c.Constraint is FitConstraint.Vram or FitConstraint.HostRam).ToList();
            if (parts.Count > 0) return parts.Sum(c => c.AvailableBytes);
        }

        return v.MemoryCheck.AvailableBytes;
    }

    /// <summary>Builds the SVG document.</summary>
    /// <param name="reports">One report per device, same model and runtime; each row draws its own variant.</param>
    /// <returns>An SVG 1.1 document.</returns>
    public static string ToSvg(IReadOnlyList<FitReport> reports)
    {
        ArgumentOutOfRangeException.ThrowIfZero(reports.Count);
        var first = reports[0];
        var rows = Rows(reports);
        var plot = new PlotModel
        {
            Title = $"{first.ModelName} with {first.Runtime.DisplayName}: variant per row (requested {first.Requested.Format.Name}, {first.Requested.ContextTokens} tokens)",
            Subtitle = "bars: memory of the variant each row names (best that fits, else smallest tried); ◆: memory allowed "
                + "(app / tab limit, usable VRAM, or VRAM + host RAM with -ngl); GiB = 2^30 bytes",
            Background = OxyColors.White,
            DefaultFont = "DejaVu Sans, Arial, Helvetica, sans-serif",
        };
        plot.Legends.Add(new Legend
        {
            LegendPosition = LegendPosition.TopCenter, LegendPlacement = LegendPlacement.Outside, LegendOrientation = LegendOrientation.Horizontal,
        });

        // The scale follows what the model needs (3 × the largest need): a 144 GiB budget would squash every bar to a
        // sliver, so budgets beyond the scale sit at its edge with their value written beside them.
        double maxNeed = rows.Max(r => r.Variant.Memory.TotalBytes) / GiB;
        double axisMax = Math.Max(0.5, maxNeed * 3);

        // Top-to-bottom in catalog order: category 0 is drawn at the top when the axis is reversed.
        var labels = rows.Select(r => r.Label).ToList();
        plot.Axes.Add(new CategoryAxis { Position = AxisPosition.Left, Key = "devices", ItemsSource = labels, IsZoomEnabled = false, StartPosition = 1, EndPosition = 0 });
        plot.Axes.Add(new LinearAxis
        {
            Position = AxisPosition.Bottom, Key = "gib", Title = "GiB", Minimum = 0, Maximum = axisMax * 1.08, MajorGridlineStyle = LineStyle.Dot,
            StringFormat = "0.#",
        });

        string[] terms = ["weights", "KV cache", "compute buffers", "runtime overhead"];
        OxyColor[] colors = [OxyColor.FromRgb(0x3b, 0x6e, 0xa8), OxyColor.FromRgb(0xe0, 0x8a, 0x2e), OxyColor.FromRgb(0x7a, 0xa6, 0x4b), OxyColor.FromRgb(0x99, 0x99, 0x99)];
        for (int t = 0; t < terms.Length; t++)
        {
            var series = new BarSeries { Title = terms[t], IsStacked = true, FillColor = colors[t], StrokeThickness = 0, XAxisKey = "gib", YAxisKey = "devices" };
            foreach (var r in rows)
            {
                long bytes = r.Variant.Memory.Terms.FirstOrDefault(x => x.Name == terms[t])?.Bytes ?? 0;
                series.Items.Add(new BarItem(bytes / GiB));
            }

            plot.Series.Add(series);
        }

        var budget = new ScatterSeries
        {
            Title = "allowed", MarkerType = MarkerType.Diamond, MarkerSize = 5, MarkerFill = OxyColors.Black, XAxisKey = "gib", YAxisKey = "devices",
        };
        for (int i = 0; i < rows.Count; i++)
        {
            if (rows[i].BudgetBytes is not { } b) continue;
            double g = b / GiB;
            budget.Points.Add(new ScatterPoint(Math.Min(g, axisMax), i));
            if (g > axisMax)
            {
                plot.Annotations.Add(new OxyPlot.Annotations.TextAnnotation
                {
                    Text = $"▶ {g.ToString("0", CultureInfo.InvariantCulture)} GiB", TextPosition = new DataPoint(axisMax, i),
                    TextHorizontalAlignment = HorizontalAlignment.Left, TextVerticalAlignment = VerticalAlignment.Middle,
                    Offset = new ScreenVector(8, 0), StrokeThickness = 0, FontSize = 10, XAxisKey = "gib", YAxisKey = "devices",
                });
            }
        }

        plot.Series.Add(budget);
        int height = 110 + (22 * reports.Count);
        return SvgExporter.ExportToString(plot, 1000, height, isDocument: true);
    }

    /// <summary>Writes <paramref name="svg"/> to <paramref name="path"/> atomically (temporary file in the same folder, then rename).</summary>
    /// <param name="path">Target path (*.svg).</param>
    /// <param name="svg">Document.</param>
    public static void Write(string path, string svg)
    {
        string full = Path.GetFullPath(path);
        string dir = Path.GetDirectoryName(full)!;
        if (!Directory.Exists(dir)) throw new DirectoryNotFoundException($"Folder '{dir}' for the chart does not exist.");
        string temp = Path.Combine(dir, $".{Path.GetFileName(full)}.{Environment.ProcessId.ToString(CultureInfo.InvariantCulture)}.tmp");
        try
        {
            File.WriteAllText(temp, svg);
            File.Move(temp, full, overwrite: true);
        }
        finally
        {
            if (File.Exists(temp)) File.Delete(temp);
        }
    }

    private static string Verdict(FitReport r)
    {
        var v = Drawn(r);
        string name = v.Format.Name + (v.GpuLayers is { } n ? $" -ngl {n}" : string.Empty);
        string context = $" @ {v.ContextTokens}";
        return r.Outcome switch
        {
            FitOutcome.Fits => $"fits, {name}",
            FitOutcome.FitsWithChanges => $"use {name}" + (v.ContextTokens != r.Requested.ContextTokens ? context : string.Empty),
            _ => $"does not fit ({name}{(v.ContextTokens > 0 ? context : string.Empty)})",
        };
    }
}
