using System.Globalization;
using LlmSize.Cli.Infrastructure;
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

        Render(report);
        return ExitCodes.Success;
    }

    private void Render(QuantizationReport r)
    {
        var table = new Table().Border(TableBorder.Rounded)
            .Title(Markup.Escape($"{Path.GetFileName(r.OutputPath)} ({r.FileType})"))
            .AddColumn("tensor").AddColumn("shape").AddColumn("type")
            .AddColumn(new TableColumn("bytes before").RightAligned()).AddColumn(new TableColumn("bytes after").RightAligned())
            .AddColumn(new TableColumn("RMSE").RightAligned()).AddColumn(new TableColumn("max |err|").RightAligned())
            .AddColumn(new TableColumn("SNR dB").RightAligned());
        foreach (var t in r.Tensors)
        {
            string type = t.SourceType == t.TargetType ? t.TargetType.Name : $"{t.SourceType.Name} → {t.TargetType.Name}";
            table.AddRow(
                Markup.Escape(t.Name), Markup.Escape("[" + string.Join(", ", t.Shape) + "]"), Markup.Escape(type),
                N(t.BytesBefore), N(t.BytesAfter),
                t.Converted ? t.Rmse.ToString("G3", CultureInfo.InvariantCulture) : "-",
                t.Converted ? t.MaxAbsError.ToString("G3", CultureInfo.InvariantCulture) : "-",
                t.SnrDb is { } snr ? snr.ToString("F1", CultureInfo.InvariantCulture) : t.Converted ? "exact" : "-");
        }

        console.Write(table);
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

    private static string N(long v) => v.ToString("N0", CultureInfo.InvariantCulture);

    private sealed class InlineProgress(Action<QuantizeProgress> action) : IProgress<QuantizeProgress>
    {
        public void Report(QuantizeProgress value) => action(value);
    }
}
