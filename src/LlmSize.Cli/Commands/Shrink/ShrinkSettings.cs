using System.ComponentModel;
using LlmSize.Cli.Infrastructure;
using Spectre.Console;
using Spectre.Console.Cli;

namespace LlmSize.Cli.Commands.Shrink;

/// <summary>Options of <c>llmsize shrink</c>: the model, one device (<see cref="DeviceSelectionSettings"/>), runtime,
/// context and output.</summary>
public sealed class ShrinkSettings : DeviceSelectionSettings
{
    /// <summary>Creates the settings without user defaults.</summary>
    public ShrinkSettings()
    {
    }

    /// <summary>Creates the settings with the config file's runtime, context and device as defaults.</summary>
    /// <param name="config">The user's config.</param>
    public ShrinkSettings(UserConfigSource config)
        : base(config)
    {
        RuntimeName = Defaults.Runtime;
        Context = Defaults.Context;
    }

    /// <summary>A model file, folder or catalog name.</summary>
    [CommandArgument(0, "<MODEL>")]
    [Description("Model file, folder or built-in catalog name (e.g. gemma-2b).")]
    public string Model { get; init; } = string.Empty;

    /// <summary>Runtime; null = the model's own (a WebLLM id → webllm), else llama.cpp.</summary>
    [CommandOption("-r|--runtime <RUNTIME>")]
    [Description("llama.cpp, webllm, transformers.js, onnxruntime, mediapipe. Default: the model's own runtime (a WebLLM id → webllm), else llama.cpp.")]
    public string? RuntimeName { get; init; }

    /// <summary>Context tokens.</summary>
    [CommandOption("-c|--context <TOKENS>")]
    [TypeConverter(typeof(Fit.ContextOptionConverter))]
    [Description("Context length in tokens, e.g. 4096, 4k, 32K or 128k (k = ×1024) (default 4096); max = also the longest context each option fits, up to the model's trained maximum.")]
    public Fit.ContextOption? Context { get; init; }

    /// <summary>JSON output.</summary>
    [CommandOption("--json")]
    [Description("Write JSON (schema llmsize.shrink/v1) instead of tables.")]
    public bool Json { get; init; }

    /// <summary>Show every table column even when the terminal is too narrow for them.</summary>
    [CommandOption("--wide")]
    [Description("Show every table column even if the terminal is too narrow (columns are otherwise chosen by width; --json has every value).")]
    public bool Wide { get; init; }

    /// <inheritdoc />
    public override ValidationResult Validate()
    {
        var device = ValidateDevice(required: true);
        if (!device.Successful) return device;
        if (Context is { Max: false, Tokens.Count: > 1 }) return ValidationResult.Error("shrink takes one --context (or max); sweeps are for fit.");
        return Context is { Max: false } c && c.Tokens.Any(t => t <= 0) ? ValidationResult.Error("--context must be a positive number of tokens.") : ValidationResult.Success();
    }
}
