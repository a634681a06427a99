namespace LlmSize.Core.Formats.Peft;

/// <summary>File names, tensor-name tokens and default limits of PEFT adapters.</summary>
internal static class PeftConstants
{
    public const string ConfigFileName = "adapter_config.json";
    public const string SafetensorsFileName = "adapter_model.safetensors";
    public const string BinFileName = "adapter_model.bin";

    /// <summary>Prefix PEFT's <c>LoraModel</c> puts before base-model module paths in saved keys.</summary>
    public const string BaseModelPrefix = "base_model.model.";

    /// <summary>PEFT LoraConfig defaults (peft/tuners/lora/config.py: <c>r: int = 8</c>, <c>lora_alpha: int = 8</c>).</summary>
    public const int DefaultRank = 8;
    public const double DefaultAlpha = 8;

    /// <summary>Default cap on adapter_config.json: 1 MiB (real ones are under 2 KiB).</summary>
    public const long DefaultMaxConfigBytes = 1024 * 1024;

    /// <summary>Default cap on adapter tensors.</summary>
    public const int DefaultMaxTensorCount = 1_000_000;

    /// <summary>Default cap on entries of target_modules, modules_to_save, rank_pattern, alpha_pattern.</summary>
    public const int DefaultMaxListEntries = 100_000;

    /// <summary>Default cap on pattern × module match attempts per adapter.</summary>
    public const long DefaultMaxPatternMatches = 1_000_000;

    /// <summary>Default cap on total pattern compile and match time per adapter.</summary>
    public static readonly TimeSpan DefaultMaxPatternTime = TimeSpan.FromSeconds(2);
}
