using System.ComponentModel;
using LlmSize.Cli.Infrastructure;
using LlmSize.Core.Devices;
using Spectre.Console;
using Spectre.Console.Cli;

namespace LlmSize.Cli.Commands.Fit;

/// <summary>Options of <c>llmsize fit</c>: the model, the devices (<see cref="DeviceSelectionSettings"/> or
/// <c>--all-devices</c>), the runtime choices and the output.</summary>
public sealed partial class FitSettings : DeviceSelectionSettings
{
    /// <summary>Creates the settings without user defaults.</summary>
    public FitSettings()
    {
    }

    /// <summary>Creates the settings with the config file's runtime, network, context and device as defaults.</summary>
    /// <param name="config">The user's config.</param>
    public FitSettings(Infrastructure.UserConfigSource config)
        : base(config)
    {
        RuntimeName = Defaults.Runtime;
        Network = Defaults.Network;
        Context = Defaults.Context;
    }

    /// <summary>A model file, folder or catalog name.</summary>
    [CommandArgument(0, "<MODEL>")]
    [Description("Model file, folder or built-in catalog name (e.g. gemma-2b).")]
    public string Model { get; init; } = string.Empty;

    /// <summary>SVG chart path.</summary>
    [CommandOption("--chart <FILE>")]
    [Description("Also draw memory terms against each device's budget as an SVG image (e.g. fit.svg); most useful with --all-devices.")]
    public string? Chart { get; init; }

    /// <summary>Check every catalog device.</summary>
    [CommandOption("--all-devices")]
    [Description("Check every device of the catalog (and of --device-file).")]
    public bool AllDevices { get; init; }

    /// <summary>Runtime.</summary>
    [CommandOption("-r|--runtime <RUNTIME>")]
    [Description("llama.cpp, webllm, transformers.js, onnxruntime, mediapipe. Default: the file's own runtime (ONNX → transformers.js, TFLite/.task → mediapipe), else llama.cpp.")]
    public string? RuntimeName { get; init; }

    /// <summary>Format.</summary>
    [CommandOption("-q|--quant <FORMAT>")]
    [Description("Weight format of the runtime (Q4_K_M, q4f16_1, q4f16, int4 …). Default: start at the highest precision and walk down.")]
    public string? Quant { get; init; }

    /// <summary>Context tokens: one count, a sweep, or max.</summary>
    [CommandOption("-c|--context <TOKENS>")]
    [TypeConverter(typeof(ContextOptionConverter))]
    [Description("Context length in tokens, e.g. 4096, 4k, 32K or 128k (k = ×1024) (default 4096, or the model's maximum if shorter); a sweep 4k,32k,128k (one row per context); max = also find the longest context that fits, up to the model's trained maximum. With llama.cpp this is -c (shared by --parallel sequences).")]
    public ContextOption? Context { get; init; }

    /// <summary>Network for download time.</summary>
    [CommandOption("--network <NETWORK>")]
    [Description("Network for the download time: 3g, 4g, 5g, broadband, wifi5, wifi6, or a speed like 50Mbps.")]
    public string? Network { get; init; }

    /// <summary>JSON output.</summary>
    [CommandOption("--json")]
    [Description("Write JSON instead of tables.")]
    public bool Json { get; init; }

    /// <summary>Show every table column even when the terminal is too narrow for them.</summary>
    [CommandOption("--wide")]
    [Description("Show every table column even if the terminal is too narrow (columns are otherwise chosen by width; --json has every value).")]
    public bool Wide { get; init; }

    /// <inheritdoc />
    public override ValidationResult Validate()
    {
        var device = ValidateDevice(required: true, others: AllDevices ? 1 : 0);
        if (!device.Successful) return device;
        if (Context is { Max: false } c && c.Tokens.Any(t => t <= 0)) return ValidationResult.Error("--context must be a positive number of tokens.");
        if (ValidateRuntimeSettings() is { Successful: false } knobs) return knobs;
        if (Chart is { } chart && !chart.EndsWith(".svg", StringComparison.OrdinalIgnoreCase)) return ValidationResult.Error($"--chart writes SVG; name the file *.svg (got '{Path.GetFileName(chart)}').");
        if (Network is { } net && !NetworkClass.TryParse(net, out _)) return ValidationResult.Error(NetworkHelp(net));
        return ValidationResult.Success();
    }

    /// <summary>The usage message for a <c>--network</c> value that is neither a class nor a speed.</summary>
    private static string NetworkHelp(string text) =>
        $"--network '{text}' is not a network: use one of {string.Join(", ", NetworkClass.All.Select(n => n.Id))}, or a speed such as 50Mbps (Kbps, Mbps, Gbps; up to 1,000,000 Mbps).";
}
