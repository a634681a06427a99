using System.ComponentModel;
using LlmSize.Cli.Infrastructure;
using LlmSize.Core.Devices;
using Spectre.Console;
using Spectre.Console.Cli;

namespace LlmSize.Cli.Commands.Measure;

/// <summary>Options of <c>llmsize measure</c>.</summary>
public sealed class MeasureSettings : CommandSettings
{
    /// <summary>The GGUF model file.</summary>
    [CommandArgument(0, "<MODEL>")]
    [Description("A GGUF model file to run in llama.cpp (CPU).")]
    public string Model { get; init; } = string.Empty;

    /// <summary>Context tokens.</summary>
    [CommandOption("-c|--context <TOKENS>")]
    [TypeConverter(typeof(TokenCountConverter))]
    [Description("Context length in tokens, e.g. 4096 or 4k (default: fit's default, 4096 or the model's maximum if shorter).")]
    public long? Context { get; init; }

    /// <summary>Threads.</summary>
    [CommandOption("-t|--threads <N>")]
    [Description("CPU threads for llama.cpp (default: all logical processors); fit predicts with this many cores.")]
    public int? Threads { get; init; }

    /// <summary>Prompt tokens.</summary>
    [CommandOption("-p|--prompt-tokens <N>")]
    [Description("Random prompt tokens to prefill, as llama-bench -p (default 512).")]
    public int PromptTokens { get; init; } = 512;

    /// <summary>Generated tokens.</summary>
    [CommandOption("-n|--gen-tokens <N>")]
    [Description("Tokens to decode one at a time after the prompt, as llama-bench -n (default 128).")]
    public int GenTokens { get; init; } = 128;

    /// <summary>Memory bandwidth for the prediction.</summary>
    [CommandOption("--bandwidth <RATE>")]
    [Description("This machine's memory bandwidth for fit's decode prediction, e.g. 50GB/s (default: the 60 GB/s host-RAM assumption).")]
    public string? Bandwidth { get; init; }

    /// <summary>Where to write llama.cpp's log.</summary>
    [CommandOption("--log <PATH>")]
    [Description("Write everything llama.cpp logged to this file.")]
    public string? Log { get; init; }

    /// <summary>JSON output.</summary>
    [CommandOption("--json")]
    [Description("Write the report as JSON (schema llmsize.measure/v1).")]
    public bool Json { get; init; }

    /// <inheritdoc />
    public override ValidationResult Validate()
    {
        if (Context is <= 0) return ValidationResult.Error("--context must be a positive number of tokens.");
        if (Threads is <= 0) return ValidationResult.Error("--threads must be a positive number.");
        if (PromptTokens <= 0) return ValidationResult.Error("--prompt-tokens must be a positive number.");
        if (GenTokens <= 0) return ValidationResult.Error("--gen-tokens must be a positive number.");
        if (Context is { } c && (long)PromptTokens + GenTokens > c)
            return ValidationResult.Error($"--prompt-tokens {PromptTokens} + --gen-tokens {GenTokens} exceed --context {c}; raise --context or lower them.");
        if (Bandwidth is { } bw && !DeviceSpecParser.TryParseBandwidthGBps(bw, out _, out _))
            return ValidationResult.Error($"--bandwidth '{bw}' is not a bandwidth: give a number and a unit per second, e.g. 50GB/s.");
        return ValidationResult.Success();
    }
}
