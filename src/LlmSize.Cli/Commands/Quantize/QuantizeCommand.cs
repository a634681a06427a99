using System.Globalization;
using LlmSize.Cli.Infrastructure;
using LlmSize.Core;
using LlmSize.Core.Compression.Quantization;
using LlmSize.Core.Precision;
using Spectre.Console;
using Spectre.Console.Cli;

namespace LlmSize.Cli.Commands.Quantize;

/// <summary><c>llmsize quantize</c>: writes a GGUF of a llama.cpp file type, byte-identical to llama-quantize, with a
/// per-tensor error report.</summary>
public sealed class QuantizeCommand(IAnsiConsole console) : Command<QuantizeSettings>
{
    /// <inheritdoc />
    public override int Execute(CommandContext context, QuantizeSettings settings, CancellationToken cancellationToken)
    {
        CompressionCli.RequireFile(settings.Input, ".gguf", ".safetensors");
        LlamaFileTypes.TryParse(settings.Type!, out var fileType);
        var options = new GgufQuantizerOptions
        {
            Threads = settings.Threads,
            AllowRequantize = settings.AllowRequantize,
            AllowNonFinite = settings.AllowNonFinite,
            LeaveOutputTensor = settings.LeaveOutputTensor,
            Overwrite = settings.Overwrite,
            ImportanceMatrix = settings.Imatrix is null ? null : ImportanceMatrix.Read(settings.Imatrix),
        };
        QuantizationReport report;
        if (!settings.Json && console.Profile.Capabilities.Interactive)
        {
            report = console.Progress()
                .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
                .Start(ctx =>
                {
                    var task = ctx.AddTask("reading", maxValue: 1);
                    var progress = new InlineProgress(p =>
                    {
                        task.MaxValue = Math.Max(1, p.BytesTotal);
                        task.Value = p.BytesDone;
                        task.Description = Markup.Escape($"[{p.TensorIndex + 1}/{p.TensorCount}] {p.TensorName}");
                    });
                    return GgufQuantizer.Quantize(settings.Input, settings.Output, fileType, options, progress, cancellationToken);
                });
        }
        else
        {
            report = GgufQuantizer.Quantize(settings.Input, settings.Output, fileType, options, null, cancellationToken);
        }

        if (settings.Json)
        {
            JsonOutput.Write(console, QuantizeJson.From(report));
            return ExitCodes.Success;
        }

        Render(report, settings.Tensors, settings.Wide);
        return ExitCodes.Success;
    }

    /// <summary>How many tensors the default summary lists: those with the lowest signal-to-noise ratio.</summary>
    internal const int WorstTensorCount = 5;

    /// <summary>Default: the totals per type and the <see cref="WorstTensorCount"/> tensors with the lowest SNR (the
    /// largest error relative to the tensor's own magnitude); <paramref name="allTensors"/> (<c>--tensors</c>) lists
    /// every tensor instead.</summary>
    private void Render(QuantizationReport r, bool allTensors, bool wide)
    {
        string title = Markup.Escape($"{Path.GetFileName(r.OutputPath)} ({r.FileType})");
        if (allTensors)
        {
            TensorTable(r.Tensors, title, wide);
        }
        else
        {
            var byType = new FittedTable(() => new Table().Border(TableBorder.Rounded).Title(title + " by type"))
                .Column("type").Column("tensors", right: true).Column("bytes before", shortHeader: "before", right: true)
                .Column("bytes after", shortHeader: "after", right: true).Column("lowest SNR dB", drop: 1, shortHeader: "min SNR", right: true);
            foreach (var g in r.Tensors.GroupBy(TypeText).OrderByDescending(g => g.Sum(t => t.BytesAfter)))
            {
                double? lowest = g.Where(t => t.SnrDb is not null).Select(t => t.SnrDb).Min();
                byType.Row(Markup.Escape(g.Key), g.Count().ToString(CultureInfo.InvariantCulture), N(g.Sum(t => t.BytesBefore)), N(g.Sum(t => t.BytesAfter)),
                    lowest is { } l ? l.ToString("F1", CultureInfo.InvariantCulture) : g.Any(t => t.Converted) ? "exact" : "-");
            }

            byType.Write(console, wide);
            var worst = r.Tensors.Where(t => t.Converted && t.SnrDb is not null).OrderBy(t => t.SnrDb).ThenBy(t => t.Name, StringComparer.Ordinal).Take(WorstTensorCount).ToList();
            if (worst.Count > 0) TensorTable(worst, $"{Units.Plural(worst.Count, "tensor")} with the lowest SNR", wide);
            console.MarkupLine("[grey]" + Markup.Escape(string.Create(CultureInfo.InvariantCulture,
                $"{Units.Plural(r.Tensors.Count, "tensor")}; shown: the {Math.Min(WorstTensorCount, worst.Count)} with the lowest SNR = 10·log10(Σx² / Σ(x − x̂)²), the error relative to the tensor's own magnitude. --tensors lists every tensor, --json every per-tensor figure.")) + "[/]");
        }

        var preferred = LlamaFileTypes.DefaultType(r.FileType);
        var fallbacks = r.Tensors.Where(t => t.Converted && t.Shape.Length >= 2 && preferred.Kind == DataTypeKind.BlockQuantized
            && t.Shape[^1] % preferred.BlockSize != 0).ToList();
        if (fallbacks.Count > 0)
        {
            console.MarkupLine(Markup.Escape(string.Create(CultureInfo.InvariantCulture,
                $"Note: {fallbacks.Count} tensor(s) have rows of {string.Join("/", fallbacks.Select(t => t.Shape[^1]).Distinct())} elements, not a multiple of the {preferred.Name} block ({preferred.BlockSize}); llama.cpp's fallback types were used ({string.Join(", ", fallbacks.Select(t => t.TargetType.Name).Distinct())}).")));
        }

        double ratio = r.TensorBytesBefore == 0 ? 1 : (double)r.TensorBytesAfter / r.TensorBytesBefore;
        console.MarkupLine(Markup.Escape(string.Create(CultureInfo.InvariantCulture,
            $"Wrote {r.OutputPath}: {r.OutputFileBytes:N0} bytes; tensor data {r.TensorBytesBefore:N0} → {r.TensorBytesAfter:N0} bytes ({Core.Units.Percent(ratio)}) in {r.Elapsed.TotalSeconds:F1} s.")));
    }

    /// <summary>The per-tensor table: name, shape, type, bytes, RMSE, max |err|, SNR; at narrow widths max |err|,
    /// bytes before, shape and RMSE are left out in that order.</summary>
    private void TensorTable(IEnumerable<TensorQuantizationReport> tensors, string title, bool wide)
    {
        var table = new FittedTable(() => new Table().Border(TableBorder.Rounded).Title(title))
            .Column("tensor").Column("shape", drop: 2).Column("type")
            .Column("bytes before", drop: 4, shortHeader: "before", right: true).Column("bytes after", shortHeader: "after", right: true)
            .Column("RMSE", drop: 1, right: true).Column("max |err|", drop: 3, shortHeader: "max err", right: true)
            .Column("SNR dB", shortHeader: "SNR", right: true);
        foreach (var t in tensors)
        {
            table.Row(
                Markup.Escape(t.Name), Markup.Escape("[" + string.Join(", ", t.Shape) + "]"), Markup.Escape(TypeText(t)),
                N(t.BytesBefore), N(t.BytesAfter),
                t.Converted ? t.Rmse.ToString("G3", CultureInfo.InvariantCulture) : "-",
                t.Converted ? t.MaxAbsError.ToString("G3", CultureInfo.InvariantCulture) : "-",
                t.SnrDb is { } snr ? snr.ToString("F1", CultureInfo.InvariantCulture) : t.Converted ? "exact" : "-");
        }

        table.Write(console, wide);
    }

    /// <summary>"Q4_K" when the type is kept, else "F16 → Q4_K".</summary>
    private static string TypeText(TensorQuantizationReport t) => t.SourceType == t.TargetType ? t.TargetType.Name : $"{t.SourceType.Name} → {t.TargetType.Name}";

    private static string N(long v) => v.ToString("N0", CultureInfo.InvariantCulture);

    private sealed class InlineProgress(Action<QuantizeProgress> action) : IProgress<QuantizeProgress>
    {
        public void Report(QuantizeProgress value) => action(value);
    }
}
