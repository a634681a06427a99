namespace LlmSize.Core.Formats.HfConfig;

/// <summary>Limits applied while reading a Hugging Face <c>config.json</c>. Every value beyond a limit is rejected as malformed.</summary>
public sealed class HfConfigReaderOptions
{
    /// <summary>Shared instance with the defaults.</summary>
    public static HfConfigReaderOptions Default { get; } = new();

    /// <summary>Largest accepted file, in bytes. Default 16 MiB (real configs are a few KiB; label maps make some larger).</summary>
    public long MaxConfigBytes { get; init; } = HfConfigConstants.DefaultMaxConfigBytes;

    /// <summary>Deepest accepted JSON nesting. Default 64.</summary>
    public int MaxDepth { get; init; } = HfConfigConstants.DefaultMaxDepth;

    /// <summary>Largest accepted vocabulary, in tokens. Default 2^24 (16,777,216).</summary>
    public long MaxVocabSize { get; init; } = HfConfigConstants.DefaultMaxVocabSize;

    /// <summary>Largest accepted width (hidden, intermediate, head_dim), in elements. Default 2^20 (1,048,576).</summary>
    public long MaxDimension { get; init; } = HfConfigConstants.DefaultMaxDimension;

    /// <summary>Largest accepted count of layers, heads, experts or buckets. Default 65,536.</summary>
    public int MaxCount { get; init; } = HfConfigConstants.DefaultMaxCount;

    /// <summary>Largest accepted position count (max_position_embeddings, n_positions), in tokens. Default 2^30.</summary>
    public long MaxPositions { get; init; } = HfConfigConstants.DefaultMaxPositions;
}
