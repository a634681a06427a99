using System.ComponentModel;
using LlmSize.Core.Compression.Quantization;
using LlmSize.Core.Precision;
using Spectre.Console;
using Spectre.Console.Cli;

namespace LlmSize.Cli.Commands.Quantize;

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
    [TypeConverter(typeof(LlmSize.Cli.Infrastructure.ThreadsOptionConverter))]
    [Description("Worker threads (default: all cores).")]
    public int? Threads { get; init; }

    /// <summary>JSON output.</summary>
    [CommandOption("--json")]
    [Description("Write the per-tensor report as JSON instead of tables.")]
    public bool Json { get; init; }

    /// <summary>List every tensor instead of the summary.</summary>
    [CommandOption("--tensors")]
    [Description("List every tensor (default: totals per type and the 5 tensors with the lowest signal-to-noise ratio).")]
    public bool Tensors { get; init; }

    /// <summary>Show every table column even when the terminal is too narrow for them.</summary>
    [CommandOption("--wide")]
    [Description("Show every table column even if the terminal is too narrow (columns are otherwise chosen by width; --json has every value).")]
    public bool Wide { get; init; }

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
