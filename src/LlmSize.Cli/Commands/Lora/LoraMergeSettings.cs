using System.ComponentModel;
using LlmSize.Cli.Commands.Prune;
using Spectre.Console;
using Spectre.Console.Cli;

namespace LlmSize.Cli.Commands.Lora;

/// <summary>Options of <c>llmsize lora merge</c>.</summary>
public sealed class LoraMergeSettings : CommandSettings
{
    /// <summary>Base file.</summary>
    [CommandArgument(0, "<BASE>")]
    [Description("Base model safetensors file.")]
    public string Base { get; init; } = string.Empty;

    /// <summary>Adapter folder.</summary>
    [CommandArgument(1, "<ADAPTER_DIR>")]
    [Description("PEFT adapter folder (adapter_config.json, adapter_model.safetensors).")]
    public string Adapter { get; init; } = string.Empty;

    /// <summary>Output.</summary>
    [CommandArgument(2, "<OUTPUT>")]
    [Description("Output safetensors file.")]
    public string Output { get; init; } = string.Empty;

    /// <summary>Replace an existing output.</summary>
    [CommandOption("--overwrite")]
    [Description("Replace an existing output file.")]
    public bool Overwrite { get; init; }

    /// <summary>JSON output.</summary>
    [CommandOption("--json")]
    [Description("Write JSON (schema llmsize.lora-merge/v1).")]
    public bool Json { get; init; }

    /// <inheritdoc />
    public override ValidationResult Validate() => PruneSettings.SafetensorsOutput(Output);
}
