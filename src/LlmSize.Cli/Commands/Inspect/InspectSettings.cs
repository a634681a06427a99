using System.ComponentModel;
using Spectre.Console.Cli;

namespace LlmSize.Cli.Commands.Inspect;

/// <summary>Options of <c>llmsize inspect</c>.</summary>
public sealed class InspectSettings : ModelSourceSettings
{
    /// <summary>A model file, folder or catalog name.</summary>
    [CommandArgument(0, "<MODEL>")]
    [Description("Model file (safetensors, GGUF, ONNX, TFLite/.task, PyTorch, config.json), folder, or built-in catalog name (e.g. gemma-2b).")]
    public string Model { get; init; } = string.Empty;

    /// <summary>JSON output.</summary>
    [CommandOption("--json")]
    [Description("Write JSON (schema llmsize.inspect/v1, see README) instead of tables.")]
    public bool Json { get; init; }

    /// <summary>List every tensor.</summary>
    [CommandOption("--tensors")]
    [Description("List every tensor (name, shape, dtype, bytes, role).")]
    public bool Tensors { get; init; }

    /// <summary>Show file metadata.</summary>
    [CommandOption("--metadata")]
    [Description("Show the file's metadata keys (GGUF general.*, safetensors __metadata__ …).")]
    public bool Metadata { get; init; }
}
