using System.ComponentModel;
using System.Globalization;
using LlmSize.Cli.Infrastructure;
using LlmSize.Core.Compression.Quantization;
using LlmSize.Core.Precision;
using Spectre.Console;
using Spectre.Console.Cli;

namespace LlmSize.Cli.Commands;

/// <summary>Options of <c>llmsize quantize</c>.</summary>
public sealed class QuantizeSettings : CommandSettings
{
    /// <summary>Input model.</summary>
    [CommandArgument(0, "<INPUT>")]
    [Description("Input: a GGUF file with F32/F16/BF16 weights, or a LLaMA-layout .safetensors file with config.json beside it.")]
    public string Input { get; init; } = string.Empty;

    /// <summary>Output GGUF path.</summary>
    [CommandArgument(1, "<OUTPUT>")]
    [Description("The GGUF file to write (never the input; written to a temporary file, then renamed).")]
    public string Output { get; init; } = string.Empty;

    /// <summary>The help text of <c>--type</c>: every file type this build writes
    /// (<see cref="GgufQuantizerFileTypes.WritableNames"/>; a test keeps the two equal).</summary>
    internal const string TypeDescription = "llama.cpp file type: F32, F16, Q4_0, Q4_1, Q8_0, Q5_0, Q5_1, Q2_K, Q3_K_S, Q3_K_M, "
        + "Q3_K_L, Q4_K_S, Q4_K_M, Q5_K_S, Q5_K_M, Q6_K, IQ4_NL, IQ4_XS, BF16, TQ1_0, TQ2_0. Q2_K_S needs --imatrix; IQ1_*, IQ2_*, IQ3_* are not written yet.";

    /// <summary>llama.cpp file type.</summary>
    [CommandOption("-t|--type <TYPE>")]
    [Description(TypeDescription)]
    public string? Type { get; init; }

    /// <summary>Importance matrix file.</summary>
    [CommandOption("--imatrix <FILE>")]
    [Description("Importance matrix from llama-imatrix (legacy .dat format), as llama-quantize --imatrix; needed for Q2_K_S.")]
    public string? Imatrix { get; init; }

    /// <summary>Requantize already-quantized tensors.</summary>
    [CommandOption("--allow-requantize")]
    [Description("Quantize tensors that are already quantized (quality suffers twice), as llama-quantize --allow-requantize.")]
    public bool AllowRequantize { get; init; }

    /// <summary>Write NaN/Inf weights anyway.</summary>
    [CommandOption("--allow-non-finite")]
    [Description("Write tensors that hold NaN or Inf weights instead of refusing.")]
    public bool AllowNonFinite { get; init; }

    /// <summary>Keep output.weight unquantized.</summary>
    [CommandOption("--leave-output-tensor")]
    [Description("Keep output.weight unquantized, as llama-quantize --leave-output-tensor.")]
    public bool LeaveOutputTensor { get; init; }

    /// <summary>Replace an existing output.</summary>
    [CommandOption("--overwrite")]
    [Description("Replace OUTPUT if it exists.")]
    public bool Overwrite { get; init; }

    /// <summary>Worker threads.</summary>
    [CommandOption("--threads <N>")]
    [Description("Worker threads (default: all cores).")]
    public int? Threads { get; init; }

    /// <summary>JSON output.</summary>
    [CommandOption("--json")]
    [Description("Write the per-tensor report as JSON instead of tables.")]
    public bool Json { get; init; }

    /// <inheritdoc />
    public override ValidationResult Validate()
    {
        if (string.IsNullOrWhiteSpace(Type)) return ValidationResult.Error("Choose the output type with --type (e.g. --type Q4_K_M).");
        if (!LlamaFileTypes.TryParse(Type, out var fileType))
            return ValidationResult.Error($"Unknown --type '{Type}'. This build writes: {string.Join(", ", GgufQuantizerFileTypes.WritableNames)}.");
        if (!GgufQuantizerFileTypes.CanWrite(fileType, Imatrix is not null, out string? why))
            return ValidationResult.Error($"--type {fileType}: {why} This build writes: {string.Join(", ", GgufQuantizerFileTypes.WritableNames)}.");
        if (Threads is <= 0) return ValidationResult.Error("--threads must be a positive number.");
        // The writer produces GGUF; a name that promises another format is refused (a folder gets its own message).
        if (!Output.EndsWith(".gguf", StringComparison.OrdinalIgnoreCase) && !Directory.Exists(Output))
            return ValidationResult.Error($"The output is written as GGUF; name it *.gguf (got '{Path.GetFileName(Output)}').");
        return ValidationResult.Success();
    }
}

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

/// <summary>JSON document of <c>llmsize quantize --json</c> (schema <c>llmsize.quantize/v1</c>).</summary>
internal sealed record QuantizeJson(string Schema, string Input, string Output, string FileType, long OutputFileBytes,
    long TensorBytesBefore, long TensorBytesAfter, double ElapsedSeconds, IReadOnlyList<QuantizeTensorJson> Tensors)
{
    public static QuantizeJson From(QuantizationReport r) => new("llmsize.quantize/v1", r.InputPath, r.OutputPath, r.FileType.ToString(),
        r.OutputFileBytes, r.TensorBytesBefore, r.TensorBytesAfter, Math.Round(r.Elapsed.TotalSeconds, 3),
        r.Tensors.Select(t => new QuantizeTensorJson(t.Name, t.Shape.ToArray(), t.SourceType.Name, t.TargetType.Name, t.BytesBefore,
            t.BytesAfter, t.Converted, t.Rmse, t.MaxAbsError, t.SnrDb, t.NonFiniteCount)).ToList());
}

/// <summary>One tensor in <see cref="QuantizeJson"/>; <c>snrDb</c> is omitted when the error is zero.</summary>
internal sealed record QuantizeTensorJson(string Name, long[] Shape, string From, string To, long BytesBefore, long BytesAfter,
    bool Converted, double Rmse, double MaxAbsError, double? SnrDb, long NonFiniteCount);
