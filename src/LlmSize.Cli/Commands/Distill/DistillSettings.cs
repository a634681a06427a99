using System.ComponentModel;
using System.Globalization;
using LlmSize.Core;
using Spectre.Console;
using Spectre.Console.Cli;

namespace LlmSize.Cli.Commands.Distill;

/// <summary>Options of <c>llmsize distill</c>.</summary>
public sealed class DistillSettings : DeviceSelectionSettings
{
    /// <summary>Creates the settings without user defaults.</summary>
    public DistillSettings()
    {
    }

    /// <summary>Creates the settings with the config file's runtime and device as defaults.</summary>
    /// <param name="config">The user's config.</param>
    public DistillSettings(LlmSize.Cli.Infrastructure.UserConfigSource config)
        : base(config)
    {
        RuntimeName = Defaults.Runtime;
    }

    /// <summary>Teacher.</summary>
    [CommandArgument(0, "<TEACHER>")]
    [Description("Teacher model file, folder or catalog name.")]
    public string Teacher { get; init; } = string.Empty;

    /// <summary>Budget.</summary>
    [CommandOption("--target-params <COUNT>")]
    [Description("Student budget in parameters: 1B, 500M, 1.5e9 …")]
    public string? TargetParams { get; init; }

    /// <summary>Runtime for --device.</summary>
    [CommandOption("-r|--runtime <RUNTIME>")]
    [Description("Runtime for --device (default llama.cpp, its default format).")]
    public string? RuntimeName { get; init; }

    /// <summary>JSON output.</summary>
    [CommandOption("--json")]
    [Description("Write JSON (schema llmsize.distill/v1).")]
    public bool Json { get; init; }

    /// <inheritdoc />
    public override ValidationResult Validate() =>
        (TargetParams is null) == !(HasDevice || (TargetParams is null && Defaults.Device is not null)) ? ValidationResult.Error("Give exactly one of --target-params and a device (--device, --this-machine or inline --ram/--bandwidth).")
        : ValidateDevice(required: false, useConfigDevice: TargetParams is null) is { Successful: false } device ? device
        : TargetParams is { } t && !TryParseCount(t, out _) ? ValidationResult.Error($"--target-params '{t}' is not a parameter count like 1B or 500M.")
        : TargetParams is { } small && TryParseCount(small, out long n) && n < MinimumTarget
            ? ValidationResult.Error($"--target-params '{small}' is below {Units.FormatParameters(MinimumTarget)}: a budget that small is a typo, not a student; give e.g. 100M or 1B.")
        : ValidationResult.Success();

    /// <summary>Parses a count, or returns false.</summary>
    internal static bool TryParseCount(string text, out long count)
    {
        count = 0;
        string s = text.Trim().ToUpperInvariant();
        double factor = s.EndsWith('B') ? 1e9 : s.EndsWith('M') ? 1e6 : s.EndsWith('K') ? 1e3 : 1;
        if (factor != 1) s = s[..^1];
        if (!double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) || !double.IsFinite(v) || v <= 0 || v * factor > 1e15)
        {
            return false;
        }

        count = (long)Math.Round(v * factor);
        return true;
    }

    /// <summary>Smallest budget accepted: 10K parameters. A budget of a few parameters ("10") is a typo for 10M or 10B,
    /// not a student; tiny test models (the shared 513K-parameter llama GGUF) still get students.</summary>
    internal const long MinimumTarget = 10_000;

    /// <summary>Parses "1B", "500M", "1.5e9", "7000000".</summary>
    internal static long ParseCount(string text) =>
        TryParseCount(text, out long count) ? count : throw new UsageException($"--target-params '{text}' is not a parameter count like 1B or 500M");
}
