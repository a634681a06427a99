namespace LlmSize.Core.Formats.PyTorch;

/// <summary>
/// Limits for <see cref="PyTorchCheckpointReader"/>. Every count or length read from a checkpoint is compared with
/// these caps (and with the bytes left) before anything is allocated; a value over a cap is reported as a
/// <see cref="ModelFormatException"/>.
/// </summary>
public sealed class PyTorchReaderOptions
{
    /// <summary>The defaults, shared.</summary>
    public static PyTorchReaderOptions Default { get; } = new();

    /// <summary>Largest <c>data.pkl</c> entry read, in bytes (uncompressed). Default 64 MiB.</summary>
    public long MaxPickleBytes { get; init; } = PyTorchConstants.DefaultMaxPickleBytes;

    /// <summary>Largest <c>pytorch_model.bin.index.json</c> read, in bytes. Default 64 MiB.</summary>
    public long MaxIndexBytes { get; init; } = PyTorchConstants.DefaultMaxIndexBytes;

    /// <summary>Longest string or bytes value in the pickle, in bytes. Default 1 MiB.</summary>
    public int MaxStringBytes { get; init; } = PyTorchConstants.DefaultMaxStringBytes;

    /// <summary>Most memo entries the pickle may create. Default 4,000,000.</summary>
    public int MaxMemoEntries { get; init; } = PyTorchConstants.DefaultMaxMemoEntries;

    /// <summary>Most values on the pickle stack at once. Default 1,000,000.</summary>
    public int MaxStackItems { get; init; } = PyTorchConstants.DefaultMaxStackItems;

    /// <summary>Deepest MARK nesting, and deepest nesting of dicts/lists/tuples walked for tensors. Default 64.</summary>
    public int MaxNestingDepth { get; init; } = PyTorchConstants.DefaultMaxNestingDepth;

    /// <summary>Most tensors per checkpoint (all shards together). Default 1,000,000.</summary>
    public int MaxTensorCount { get; init; } = PyTorchConstants.DefaultMaxTensorCount;

    /// <summary>Most entries in one zip archive. Default 2,000,000.</summary>
    public int MaxZipEntries { get; init; } = PyTorchConstants.DefaultMaxZipEntries;

    /// <summary>Most dimensions per tensor. Default 64.</summary>
    public int MaxDimensions { get; init; } = PyTorchConstants.DefaultMaxDimensions;

    /// <summary>Most shard files an index may name. Default 10,000.</summary>
    public int MaxShards { get; init; } = PyTorchConstants.DefaultMaxShards;

    /// <summary>Most references followed while walking the unpickled object graph for tensors (each dict entry, list
    /// or tuple item counts one). Containers shared through the pickle memo are walked once, so this bounds only
    /// genuinely large graphs. Default 10,000,000; over it: <see cref="ModelFormatError.WorkBudgetExceeded"/>.</summary>
    public int MaxVisitedNodes { get; init; } = PyTorchConstants.DefaultMaxVisitedNodes;
}
