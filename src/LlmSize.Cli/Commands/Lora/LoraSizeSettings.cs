using System.ComponentModel;
using LlmSize.Core.Precision;
using Spectre.Console;
using Spectre.Console.Cli;

namespace LlmSize.Cli.Commands.Lora;

/// <summary>Options of <c>llmsize lora size</c>.</summary>
public sealed class LoraSizeSettings : Commands.ModelSourceSettings
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
