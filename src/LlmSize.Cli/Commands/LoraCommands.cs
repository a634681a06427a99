using System.ComponentModel;
using System.Globalization;
using LlmSize.Cli.Infrastructure;
using LlmSize.Core;
using LlmSize.Core.Compression.Lora;
using LlmSize.Core.Precision;
using Spectre.Console;
using Spectre.Console.Cli;

namespace LlmSize.Cli.Commands;

/// <summary>Options of <c>llmsize lora size</c>.</summary>
public sealed class LoraSizeSettings : CommandSettings
{
    /// <summary>Base model.</summary>
    [CommandArgument(0, "<MODEL>")]
    [Description("Base model file, folder or catalog name.")]
    public string Model { get; init; } = string.Empty;

    /// <summary>Rank.</summary>
    [CommandOption("-r|--rank <R>")]
    [Description("LoRA rank r (default 16).")]
    public int Rank { get; init; } = 16;

    /// <summary>Targets.</summary>
    [CommandOption("-t|--targets <LIST>")]
    [Description("Comma-separated target_modules (q_proj,v_proj; c_attn; all-linear …). Default: PEFT's default for the model family (q_proj,v_proj for Llama; c_attn for GPT-2).")]
    public string? Targets { get; init; }

    /// <summary>Adapter dtype.</summary>
    [CommandOption("--dtype <DTYPE>")]
    [Description("Adapter dtype: f32 (PEFT default), bf16, f16.")]
    public string DataType { get; init; } = "f32";

    /// <summary>JSON output.</summary>
    [CommandOption("--json")]
    [Description("Write JSON (schema llmsize.lora-size/v1).")]
    public bool Json { get; init; }

    /// <inheritdoc />
    public override ValidationResult Validate() =>
        Rank <= 0 ? ValidationResult.Error("--rank must be positive.")
        : ParseDataType(DataType) is null ? ValidationResult.Error($"Unknown --dtype '{DataType}'; use f32, bf16 or f16.")
        : ValidationResult.Success();

    /// <summary>The adapter dtype for an option value, or null.</summary>
    internal static TensorDataType? ParseDataType(string value) => value.ToLowerInvariant() switch
    {
        "f32" or "fp32" or "float32" => TensorDataType.F32,
        "bf16" or "bfloat16" => TensorDataType.BF16,
        "f16" or "fp16" or "float16" => TensorDataType.F16,
        _ => null,
    };
}

/// <summary><c>llmsize lora size</c>: adapter size from the architecture and the storage argument.</summary>
public sealed class LoraSizeCommand(IAnsiConsole console) : Command<LoraSizeSettings>
{
    /// <inheritdoc />
    public override int Execute(CommandContext context, LoraSizeSettings settings, CancellationToken cancellationToken)
    {
        var inventory = ModelLoader.Load(settings.Model);
        var (architecture, name) = CompressionCli.LoadArchitecture(settings.Model);
        var dtype = LoraSizeSettings.ParseDataType(settings.DataType)!;
        string[] targets = settings.Targets is { } given
            ? given.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            : LoraPlanner.DefaultTargets(architecture)?.ToArray()
              ?? throw new ArgumentException($"{name}: PEFT has no default target_modules for '{architecture.Family}'; pass --targets "
                  + $"({string.Join(", ", LoraPlanner.ModuleNames(architecture) ?? LoraPlanner.KnownTargets)}, or all-linear)");
        long? baseBytes = inventory.Files.Count > 0 ? inventory.DownloadBytes : null;
        var plan = LoraPlanner.Plan(architecture, targets, settings.Rank, dtype, baseBytes);
        if (settings.Json)
        {
            JsonOutput.Write(console, new
            {
                schema = "llmsize.lora-size/v1", model = name, rank = plan.Rank, targets = plan.Targets, dtype = dtype.Name,
                modules = plan.Estimate.Modules.Length, adapterParameters = plan.Estimate.Parameters, adapterBytes = plan.Estimate.Bytes,
                baseParameters = plan.BaseParameters, baseBytes = plan.BaseBytes, parameterFraction = plan.ParameterFraction,
                storage = plan.Storage.Select(s => new { adapters = s.AdapterCount, basePlusAdaptersBytes = s.BasePlusAdaptersBytes, fullCopiesBytes = s.FullCopiesBytes, savedBytes = s.SavedBytes }),
            });
            return ExitCodes.Success;
        }

        var perKind = plan.Estimate.Modules.GroupBy(m => m.ModulePath[(m.ModulePath.LastIndexOf('.') + 1)..]);
        var table = new Table().AddColumns("target", "modules", "in", "out", "parameters", "bytes");
        foreach (var g in perKind)
        {
            table.AddRow(Markup.Escape(g.Key), g.Count().ToString(CultureInfo.InvariantCulture), g.First().InFeatures.ToString(CultureInfo.InvariantCulture),
                g.First().OutFeatures.ToString(CultureInfo.InvariantCulture), g.Sum(m => m.Parameters).ToString("N0", CultureInfo.InvariantCulture), Units.FormatBinary(g.Sum(m => m.Bytes)));
        }

        console.MarkupLine($"[bold]{Markup.Escape(name)}[/]: LoRA r={plan.Rank} on {Markup.Escape(string.Join(", ", plan.Targets))} ({dtype.Name})");
        console.Write(table);
        console.MarkupLine($"adapter: {plan.Estimate.Parameters.ToString("N0", CultureInfo.InvariantCulture)} parameters ({CompressionCli.Percent(plan.ParameterFraction)} of the base's {Units.FormatParameters(plan.BaseParameters)}), {Units.FormatBoth(plan.Estimate.Bytes)}");
        var storage = new Table().AddColumns("tasks N", "1 base + N adapters", "N fine-tuned copies", "saved");
        foreach (var s in plan.Storage)
        {
            storage.AddRow(s.AdapterCount.ToString(CultureInfo.InvariantCulture), Units.FormatBinary(s.BasePlusAdaptersBytes), Units.FormatBinary(s.FullCopiesBytes), Units.FormatBinary(s.SavedBytes));
        }

        console.Write(storage);
        return ExitCodes.Success;
    }
}

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

/// <summary><c>llmsize lora merge</c>: W' = W + scaling · B·A into a new safetensors file.</summary>
public sealed class LoraMergeCommand(IAnsiConsole console) : Command<LoraMergeSettings>
{
    /// <inheritdoc />
    public override int Execute(CommandContext context, LoraMergeSettings settings, CancellationToken cancellationToken)
    {
        CompressionCli.RequireFile(settings.Base, ".safetensors");
        var r = LoraMerger.Merge(settings.Base, settings.Adapter, settings.Output, settings.Overwrite, cancellationToken);
        if (settings.Json)
        {
            JsonOutput.Write(console, new
            {
                schema = "llmsize.lora-merge/v1", output = r.Output, tensors = r.TensorCount, outputBytes = r.OutputBytes,
                modules = r.Modules.Select(m => new { module = m.ModulePath, baseTensor = m.BaseTensor, rank = m.Rank, scaling = m.Scaling, transposed = m.Transposed }),
                replaced = r.ReplacedTensors, added = r.AddedTensors,
            });
            return ExitCodes.Success;
        }

        console.MarkupLine($"merged {r.Modules.Length} LoRA modules into {Markup.Escape(r.Output)} ({r.TensorCount} tensors, {Units.FormatBoth(r.OutputBytes)})");
        if (r.Modules.Length > 0)
        {
            var m = r.Modules[0];
            console.MarkupLine($"  scaling {m.Scaling.ToString("0.####", CultureInfo.InvariantCulture)} (r={m.Rank}){(m.Transposed ? ", fan_in_fan_out: (B·A)ᵀ added to [[in, out]] weights" : string.Empty)}");
        }

        foreach (string t in r.ReplacedTensors) console.MarkupLine($"  replaced from modules_to_save: {Markup.Escape(t)}");
        foreach (string t in r.AddedTensors) console.MarkupLine($"  added (not in the base): {Markup.Escape(t)}");
        return ExitCodes.Success;
    }
}
