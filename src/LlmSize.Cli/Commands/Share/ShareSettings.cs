using System.ComponentModel;
using System.Globalization;
using Spectre.Console;
using Spectre.Console.Cli;

namespace LlmSize.Cli.Commands.Share;

/// <summary>Options of <c>llmsize share</c>.</summary>
public sealed class ShareSettings : CommandSettings
{
    /// <summary>Model file.</summary>
    [CommandArgument(0, "<MODEL_FILE>")]
    [Description("safetensors or GGUF file.")]
    public string File { get; init; } = string.Empty;

    /// <summary>Cross-layer group sizes.</summary>
    [CommandOption("-k|--share-every <LIST>")]
    [Description("ALBERT-style what-if: every k layers share weights; comma-separated k values (default 2,4,all).")]
    public string ShareEvery { get; init; } = "2,4,all";

    /// <summary>JSON output.</summary>
    [CommandOption("--json")]
    [Description("Write JSON (schema llmsize.share/v1).")]
    public bool Json { get; init; }

    /// <inheritdoc />
    public override ValidationResult Validate()
    {
        foreach (string k in ShareEvery.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (k != "all" && !(int.TryParse(k, NumberStyles.None, CultureInfo.InvariantCulture, out int v) && v >= 1))
            {
                return ValidationResult.Error($"--share-every value '{k}' is not a positive integer or 'all'.");
            }
        }

        return ValidationResult.Success();
    }
}
