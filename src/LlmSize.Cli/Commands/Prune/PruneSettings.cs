using System.ComponentModel;
using LlmSize.Core.Compression.Pruning;
using Spectre.Console;
using Spectre.Console.Cli;

namespace LlmSize.Cli.Commands.Prune;

/// <summary>Options of <c>llmsize prune</c>.</summary>
public sealed class PruneSettings : CommandSettings
{
    /// <summary>Input file.</summary>
    [CommandArgument(0, "<INPUT>")]
    [Description("Input safetensors file, or GGUF with F32/F16/BF16 tensors.")]
    public string Input { get; init; } = string.Empty;

    /// <summary>Output file.</summary>
    [CommandArgument(1, "<OUTPUT>")]
    [Description("Output safetensors file (never the input).")]
    public string Output { get; init; } = string.Empty;

    /// <summary>Unstructured sparsity.</summary>
    [CommandOption("-s|--sparsity <FRACTION>")]
    [TypeConverter(typeof(LlmSize.Cli.Infrastructure.SparsityOptionConverter))]
    [Description("Unstructured magnitude pruning: fraction of each matrix zeroed, e.g. 0.5.")]
    public double? Sparsity { get; init; }

    /// <summary>N:M pattern.</summary>
    [CommandOption("-p|--pattern <N:M>")]
    [Description("Semi-structured N:M pruning along the input dimension, e.g. 2:4.")]
    public string? Pattern { get; init; }

    /// <summary>Prune embeddings too.</summary>
    [CommandOption("--include-embeddings")]
    [Description("Also prune embeddings and the output head (kept dense by default).")]
    public bool IncludeEmbeddings { get; init; }

    /// <summary>Replace an existing output.</summary>
    [CommandOption("--overwrite")]
    [Description("Replace an existing output file.")]
    public bool Overwrite { get; init; }

    /// <summary>JSON output.</summary>
    [CommandOption("--json")]
    [Description("Write JSON (schema llmsize.prune/v1).")]
    public bool Json { get; init; }

    /// <summary>Show every table column even when the terminal is too narrow for them.</summary>
    [CommandOption("--wide")]
    [Description("Show every table column even if the terminal is too narrow (columns are otherwise chosen by width; --json has every value).")]
    public bool Wide { get; init; }

    /// <inheritdoc />
    public override ValidationResult Validate() =>
        (Sparsity is null) == (Pattern is null) ? ValidationResult.Error("Give exactly one of --sparsity S and --pattern N:M.")
        : Sparsity is { } s && !(s >= 0 && s < 1) ? ValidationResult.Error("--sparsity must be in [0, 1).")
        : Pattern is { } p && PatternError(p) is { } error ? ValidationResult.Error(error)
        : SafetensorsOutput(Output);

    /// <summary>Why an N:M pattern is not valid (Core's <see cref="PruningOptions.ForPattern"/> decides), or null.</summary>
    private static string? PatternError(string pattern) =>
        PruningOptions.TryForPattern(pattern, out _, out string? why) ? null : $"--pattern '{pattern}': {why}.";

    /// <summary>Refuses an output name that promises another format: the writer produces safetensors only.</summary>
    internal static ValidationResult SafetensorsOutput(string output) =>
        output.EndsWith(".safetensors", StringComparison.OrdinalIgnoreCase)
            ? ValidationResult.Success()
            : ValidationResult.Error($"The output is written as safetensors; name it *.safetensors (got '{Path.GetFileName(output)}').");
}
