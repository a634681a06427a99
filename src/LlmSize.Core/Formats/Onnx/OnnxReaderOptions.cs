namespace LlmSize.Core.Formats.Onnx;

/// <summary>Limits and switches for <see cref="OnnxReader"/>. Defaults are safe for untrusted files.</summary>
public sealed class OnnxReaderOptions
{
    /// <summary>The defaults.</summary>
    public static OnnxReaderOptions Default { get; } = new();

    /// <summary>Deepest nesting of protobuf messages walked (model → graph → node → attribute → subgraph …). A
    /// subgraph of an <c>If</c>/<c>Loop</c>/<c>Scan</c> costs three levels. Default 64.</summary>
    public int MaxDepth { get; init; } = 64;

    /// <summary>Largest length-delimited message (graph, node, tensor header) accepted, in bytes. Protobuf itself caps a
    /// message at 2 GiB − 1. Default <see cref="int.MaxValue"/>.</summary>
    public int MaxMessageLength { get; init; } = int.MaxValue;

    /// <summary>Most tensors (initializers, sparse initializers, <c>Constant</c> / <c>ConstantOfShape</c> outputs, in all
    /// graphs and subgraphs) accepted. Default 1,000,000.</summary>
    public int MaxTensorCount { get; init; } = 1_000_000;

    /// <summary>Most graph nodes (all graphs and functions) accepted. Default 4,000,000.</summary>
    public int MaxNodeCount { get; init; } = 4_000_000;

    /// <summary>Longest name, domain, producer or metadata string read, in UTF-8 bytes. Default 64 KiB.</summary>
    public int MaxStringLength { get; init; } = 64 * 1024;

    /// <summary>Most dimensions of one tensor. Default 64.</summary>
    public int MaxDimensions { get; init; } = 64;

    /// <summary>When true (default), every external-data location is resolved against the model's folder, the side file
    /// must exist and the tensor's range must lie inside it. Reading from a stream without a folder skips the file checks
    /// but still rejects locations that escape the folder.</summary>
    public bool ValidateExternalData { get; init; } = true;

    internal void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxDepth, 2, nameof(MaxDepth));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(MaxMessageLength, nameof(MaxMessageLength));
        ArgumentOutOfRangeException.ThrowIfNegative(MaxTensorCount, nameof(MaxTensorCount));
        ArgumentOutOfRangeException.ThrowIfNegative(MaxNodeCount, nameof(MaxNodeCount));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(MaxStringLength, nameof(MaxStringLength));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(MaxDimensions, nameof(MaxDimensions));
    }
}
