using System.Globalization;
using LlmSize.Cli.Infrastructure;
using LlmSize.Core;
using LlmSize.Core.Models;
using Spectre.Console;

namespace LlmSize.Cli.Commands.Inspect;

/// <summary>Renders a <see cref="ModelSizeReport"/> as terminal tables.</summary>
internal static class InspectRenderer
{
    private static string N(long v) => v.ToString("N0", CultureInfo.InvariantCulture);

    /// <summary>Renders the report; tables choose their columns by the console width (<see cref="FittedTable"/>) unless
    /// <paramref name="wide"/>.</summary>
    public static void Render(IAnsiConsole console, ModelSizeReport r, bool tensors, bool metadata, bool wide = false)
    {
        var inv = r.Inventory;
        console.Write(new Rule($"[bold]{Markup.Escape(inv.ModelName ?? inv.Source)}[/] [grey]({inv.Format})[/]").LeftJustified());
        var grid = new Grid().AddColumn(new GridColumn().NoWrap()).AddColumn();
        bool languageModel = r.IsLanguageModel;
        if (r.Parameters is { } p)
        {
            string source = r.Source switch
            {
                ParameterCountSource.Tensors => "counted from the tensors in the files",
                ParameterCountSource.Architecture => "analytic count from the architecture (" + Markup.Escape(inv.Architecture?.Source ?? "hyper-parameters") + ")",
                _ => "published figure: " + Markup.Escape(inv.PublishedParametersSource ?? "catalog"),
            };
            grid.AddRow("[bold]parameters[/]", $"[bold]{N(p)}[/] ({Units.FormatParameters(p)}) [grey]{source}[/]");
            if (r.ActiveParameters is { } a && a != p) grid.AddRow("[bold]active per token[/]", $"{N(a)} ({Units.FormatParameters(a)}) [grey]MoE: top-k experts only[/]");
            if (r.SizeClass is { } sc && languageModel) grid.AddRow("[bold]size class[/]", $"[bold]{Markup.Escape(sc.DisplayName)}[/]");
        }
        else
        {
            grid.AddRow("[bold]parameters[/]", "[yellow]not disclosed[/]");
        }

        if (r.Name is { } name)
        {
            var parts = new List<string> { "family " + name.Family };
            if (name.Version is not null) parts.Add("version " + name.Version);
            if (name.Tier is not null) parts.Add("tier " + name.Tier);
            if (name.SizeTag is not null) parts.Add("size tag " + name.SizeTag.Text);
            if (name.Variants.Count > 0) parts.Add("variant " + string.Join("/", name.Variants));
            if (name.QuantizationTags.Count > 0) parts.Add("quantization " + string.Join("/", name.QuantizationTags));
            grid.AddRow("[bold]name says[/]", Markup.Escape(string.Join(", ", parts)));
        }

        if (r.NameAgreement is { } ag) grid.AddRow("[bold]name vs count[/]", Markup.Escape(ag.Message));
        if (r.ScaleText is { } scale) grid.AddRow("[bold]is it an LLM?[/]", Markup.Escape(scale));
        if (inv.Files.Count > 0)
        {
            grid.AddRow("[bold]download[/]", $"[bold]{N(inv.DownloadBytes)} bytes[/] = {Units.FormatBoth(inv.DownloadBytes)} in {inv.Files.Count} file(s) [grey](exact: sum of file sizes)[/]");
        }

        if (r.TensorCount is { } tc)
        {
            grid.AddRow("[bold]tensors[/]", $"{inv.Tensors.Count} tensors, {N(tc.ParameterBytes)} bytes of parameters, {tc.BitsPerParameter:0.###} bits per parameter");
            if (tc.BufferElements > 0) grid.AddRow("[bold]buffers[/]", $"{N(tc.BufferElements)} elements ({Units.FormatBinary(tc.BufferBytes)}) of non-parameter buffers (masks, inv_freq) — not counted");
            if (tc.AuxiliaryBytes > 0) grid.AddRow("[bold]quantization data[/]", $"{Units.FormatBinary(tc.AuxiliaryBytes)} of scales / zero points — bytes, not parameters");
            if (tc.TiedTensorCount > 0) grid.AddRow("[bold]tied[/]", $"{tc.TiedTensorCount} tensor(s) share storage with another and are counted once");
        }

        console.Write(grid);
        RenderComponents(console, r);
        if (r.TensorCount is { ByDataType.Count: > 0 } t) RenderDtypes(console, t);
        if (inv.Architecture is { } arch) RenderArchitecture(console, arch);
        if (inv.Adapter is { } ad) RenderAdapter(console, ad);
        if (inv.Variants.Count > 0) RenderVariants(console, inv, wide);
        if (r.DownloadByPrecision.Count > 0) RenderPrecisions(console, r);
        if (tensors) RenderTensors(console, r, wide);
        if (metadata && inv.Metadata.Count > 0)
        {
            var mt = new FittedTable(() => new Table().Border(TableBorder.Simple).Title("metadata")).Column("key").Column("value", wrap: true);
            foreach (var (k, v) in inv.Metadata) mt.Row(Markup.Escape(k), Markup.Escape(v.Length > 120 ? v[..117] + "…" : v));
            mt.Write(console, wide);
        }

        foreach (string note in r.Notes) console.MarkupLine("[yellow]note:[/] " + Markup.Escape(note));
        if (inv.Note is { } n2 && r.Source != ParameterCountSource.Undisclosed) console.MarkupLine("[grey]" + Markup.Escape(n2) + "[/]");
        console.MarkupLine("[grey]kB/MB/GB = 10^3/10^6/10^9 bytes, KiB/MiB/GiB = 2^10/2^20/2^30 bytes.[/]");
    }

    private static void RenderComponents(IAnsiConsole console, ModelSizeReport r)
    {
        IReadOnlyList<(string Name, long Value)> rows;
        string title;
        if (r.TensorCount is { Parameters: > 0 } tc)
        {
            rows = tc.ByComponent.Where(kv => kv.Value > 0).OrderByDescending(kv => kv.Value).Select(kv => (kv.Key.ToString(), kv.Value)).ToList();
            title = "parameters by component (from tensor names)";
        }
        else if (r.Analytic is { } a)
        {
            rows = new (string, long)[] { ("Embedding", a.Embedding), ("Attention", a.Attention), ("Mlp", a.Mlp), ("Experts", a.Experts),
                ("Norms", a.Norms), ("OutputHead", a.OutputHead), ("Other", a.Other), ("VisionTower", a.VisionTower),
                ("AudioTower", a.AudioTower), ("Projector", a.Projector) }.Where(x => x.Item2 > 0).OrderByDescending(x => x.Item2).ToList();
            title = "parameters by component (analytic)";
        }
        else
        {
            return;
        }

        long total = Math.Max(1, rows.Sum(x => x.Value));
        var chart = new BreakdownChart().Width(60).ShowPercentage();
        Color[] colors = [Color.SteelBlue, Color.Orange1, Color.Green, Color.Purple, Color.Yellow, Color.Red, Color.Grey];
        for (int i = 0; i < rows.Count; i++) chart.AddItem(rows[i].Name, Math.Round(100.0 * rows[i].Value / total, 1), colors[i % colors.Length]);
        var table = new FittedTable(() => new Table().Border(TableBorder.Rounded).Title(title)).Column("component").Column("parameters", right: true).Column("share", right: true);
        foreach (var (name, value) in rows) table.Row(name, N(value), $"{100.0 * value / total:0.0}%");
        table.Write(console, wide: false);
        console.Write(chart);
    }

    private static void RenderDtypes(IAnsiConsole console, TensorCount t)
    {
        var table = new FittedTable(() => new Table().Border(TableBorder.Rounded).Title("by dtype")).Column("dtype").Column("tensors", right: true)
            .Column("parameters", right: true).Column("bytes", right: true).Column("bits/weight", shortHeader: "bits", right: true);
        foreach (var d in t.ByDataType)
        {
            table.Row(d.DataType.Name, d.Tensors.ToString(CultureInfo.InvariantCulture), N(d.Parameters), N(d.Bytes),
                d.Parameters == 0 ? "–" : (d.Bytes * 8.0 / d.Parameters).ToString("0.###", CultureInfo.InvariantCulture));
        }

        table.Write(console, wide: false);
    }

    private static void RenderArchitecture(IAnsiConsole console, Core.Models.Architectures.ModelArchitecture a)
    {
        var g = new FittedTable(() => new Table().Border(TableBorder.Rounded).Title("architecture (" + Markup.Escape(a.Family) + ")")).Column("hyper-parameter").Column("value", wrap: true);
        g.Row("layers", a.LayerCount.ToString(CultureInfo.InvariantCulture) + (a.EncoderLayerCount > 0 ? $" decoder + {a.EncoderLayerCount} encoder" : string.Empty));
        g.Row("hidden size", N(a.HiddenSize));
        g.Row("attention heads / kv heads", $"{a.AttentionHeadCount} / {a.KeyValueHeadCount}" + (a.KeyValueHeadCount == 1 ? " (MQA)" : a.KeyValueHeadCount < a.AttentionHeadCount ? " (GQA)" : string.Empty));
        g.Row("head dim", a.HeadDim.ToString(CultureInfo.InvariantCulture));
        g.Row("FFN width", N(a.IntermediateSize));
        g.Row("vocabulary", N(a.VocabSize));
        if (a.ContextLength > 0) g.Row("context length (trained)", N(a.ContextLength));
        if (a.SlidingWindow is { } w) g.Row("sliding window", N(w) + (a.SlidingWindowLayers is { } l ? $" on {l.Count(x => x)} of {l.Count} layer{(l.Count == 1 ? string.Empty : "s")}" : " on every layer"));
        if (a.IsMixtureOfExperts) g.Row("experts", $"{a.ExpertCount} routed, top-{a.ActiveExpertCount}" + (a.SharedExpertCount > 0 ? $", {a.SharedExpertCount} shared" : string.Empty));
        g.Row("tied embeddings", a.TieWordEmbeddings ? "yes" : "no");
        g.Write(console, wide: false);
    }

    private static void RenderAdapter(IAnsiConsole console, LoraAdapterSummary a)
    {
        console.MarkupLine($"[bold]LoRA adapter[/] for {Markup.Escape(a.BaseModel ?? "(base not named)")}: r = {a.Rank}, alpha = {a.Alpha}, targets {Markup.Escape(string.Join(", ", a.TargetModules))}");
        console.MarkupLine($"  low-rank parameters {N(a.LoraParameters)}; full copies saved beside (heads, modules_to_save) {N(a.SavedModuleParameters)}");
        if (a.BaseModel is { } b && Core.Models.Catalog.ModelCatalog.Default.TryFind(b, out var entry))
        {
            var baseInv = ModelLoader.FromCatalog(entry);
            var baseReport = ModelSizeReport.Create(baseInv);
            if (baseReport.Parameters is { } bp && bp > 0)
            {
                long adapterParams = a.LoraParameters + a.SavedModuleParameters;
                console.MarkupLine($"  base {Markup.Escape(entry.Id)} has {N(bp)} parameters: the adapter is {100.0 * adapterParams / bp:0.###}% of it — one base download serves many small adapters");
            }
        }
    }

    private static void RenderVariants(IAnsiConsole console, ModelInventory inv, bool wide)
    {
        // At narrow widths the file names, then the MiB and parameter columns are left out.
        var table = new FittedTable(() => new Table().Border(TableBorder.Rounded).Title("which dtype should the page load? (exact downloads)"))
            .Column("dtype").Column("download bytes", shortHeader: "bytes", right: true).Column("GB", right: true).Column("MiB", drop: 2, right: true)
            .Column("parameters", drop: 1, shortHeader: "params", right: true).Column("complete", shortHeader: "all"). Column("files", drop: 3, wrap: true);
        foreach (var v in inv.Variants.OrderBy(v => v.DownloadBytes))
        {
            table.Row(Markup.Escape(v.Name), N(v.DownloadBytes), (v.DownloadBytes / 1e9).ToString("0.000", CultureInfo.InvariantCulture),
                (v.DownloadBytes / 1048576.0).ToString("0.0", CultureInfo.InvariantCulture), N(v.Parameters), v.Complete ? "yes" : "[yellow]no[/]",
                Markup.Escape(string.Join(", ", v.Files)));
        }

        table.Write(console, wide);
    }

    private static void RenderPrecisions(IAnsiConsole console, ModelSizeReport r)
    {
        // One unit pair for the whole column, chosen by the largest row, so a 300K-parameter adapter reads in MB / MiB
        // instead of a column of "0.00 GB".
        long largest = r.DownloadByPrecision.Count == 0 ? 0 : r.DownloadByPrecision.Max(e => e.Bytes);
        (string dec, double decDiv, string bin, double binDiv) = largest >= 1_000_000_000 ? ("GB", 1e9, "GiB", 1 << 30)
            : largest >= 1_000_000 ? ("MB", 1e6, "MiB", 1 << 20) : ("kB", 1e3, "KiB", 1 << 10);
        var table = new FittedTable(() => new Table().Border(TableBorder.Rounded).Title("what the weights would weigh (from the parameter count)"))
            .Column("precision").Column("bits/weight", shortHeader: "bits", right: true).Column("bytes", right: true).Column(dec, right: true).Column(bin, right: true);
        string[] shown = ["fp32", "fp16", "bf16", "int8", "int4", "int4-g128-f16", "q4f16_1", "Q8_0", "Q6_K", "Q5_K", "Q4_K", "Q4_0", "Q3_K", "Q2_K", "IQ2_XXS"];
        foreach (var e in r.DownloadByPrecision.Where(e => shown.Contains(e.Scheme.Name, StringComparer.Ordinal)
                         || (e.Scheme.GgufType is { Kind: Core.Precision.DataTypeKind.BlockQuantized } g && shown.Contains(g.Name, StringComparer.Ordinal)))
                     .GroupBy(e => e.Scheme.Name).Select(g => g.First()))
        {
            table.Row(Markup.Escape(e.Scheme.Name), e.EffectiveBitsPerWeight.ToString("0.###", CultureInfo.InvariantCulture), N(e.Bytes),
                (e.Bytes / decDiv).ToString("0.00", CultureInfo.InvariantCulture), (e.Bytes / binDiv).ToString("0.00", CultureInfo.InvariantCulture));
        }

        table.Write(console, wide: false);
        console.MarkupLine("[grey]Single-type estimates (block scales included, file headers and tokenizer not). llama.cpp mixes such as Q4_K_M: see 'llmsize fit --runtime llama.cpp'. --json lists every type.[/]");
    }

    private static void RenderTensors(IAnsiConsole console, ModelSizeReport r, bool wide)
    {
        if (r.TensorCount is null) return;
        // At narrow widths the component, then the role are left out (--json has both).
        var table = new FittedTable(() => new Table().Border(TableBorder.Simple).Title("tensors")).Column("name").Column("shape").Column("dtype")
            .Column("bytes", right: true).Column("role", drop: 2).Column("component", drop: 1);
        foreach (var t in r.TensorCount.Tensors)
        {
            table.Row(Markup.Escape(t.Tensor.Name), Markup.Escape(t.Tensor.ShapeText), t.Tensor.DataType.Name, N(t.Tensor.ByteLength),
                t.IsTiedDuplicate ? "tied" : t.Role.ToString(), t.Component.ToString());
        }

        table.Write(console, wide);
    }
}
