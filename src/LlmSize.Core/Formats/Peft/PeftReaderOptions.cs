namespace LlmSize.Core.Formats.Peft;

/// <summary>Limits for <see cref="PeftAdapterReader"/>; values over a cap are reported as <see cref="ModelFormatException"/>.</summary>
public sealed class PeftReaderOptions
{
    /// <summary>The defaults, shared.</summary>
    public static PeftReaderOptions Default { get; } = new();

    /// <summary>Largest <c>adapter_config.json</c> read, in bytes. Default 1 MiB.</summary>
    public long MaxConfigBytes { get; init; } = PeftConstants.DefaultMaxConfigBytes;

    /// <summary>Most adapter tensors accepted. Default 1,000,000.</summary>
    public int MaxTensorCount { get; init; } = PeftConstants.DefaultMaxTensorCount;

    /// <summary>Most entries in target_modules, modules_to_save, rank_pattern or alpha_pattern. Default 100,000.</summary>
    public int MaxListEntries { get; init; } = PeftConstants.DefaultMaxListEntries;

    /// <summary>Most pattern × module match attempts for one adapter (target_modules, rank_pattern and alpha_pattern
    /// together), across reading and merging. Default 1,000,000; over it: <see cref="ModelFormatError.WorkBudgetExceeded"/>.</summary>
    public long MaxPatternMatches { get; init; } = PeftConstants.DefaultMaxPatternMatches;

    /// <summary>Most time spent compiling and matching the adapter's patterns, all together. Default 2 seconds; over
    /// it: <see cref="ModelFormatError.WorkBudgetExceeded"/>.</summary>
    public TimeSpan MaxPatternTime { get; init; } = PeftConstants.DefaultMaxPatternTime;
}
