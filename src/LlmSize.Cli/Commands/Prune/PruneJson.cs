using LlmSize.Core.Compression.Pruning;

namespace LlmSize.Cli.Commands.Prune;

/// <summary>JSON shape of <c>llmsize prune</c> (schema "llmsize.prune/v1").</summary>
internal sealed record PruneJson(string Schema, string Input, string? Output, string Method, double? Sparsity, string? Pattern,
    long TotalElements, long TotalZeros, double OverallSparsity, double PrunedTensorSparsity, long OutputBytes, long DenseBytes,
    long BitmaskBytes, long CsrBytes, long? SemiStructuredBytes, IReadOnlyList<PrunedTensorJson> Tensors)
{
    public static PruneJson From(PruningReport r) => new(
        "llmsize.prune/v1", r.Input, r.Output, r.Options.Method.ToString(),
        r.Options.Method == PruningMethod.Unstructured ? r.Options.Sparsity : null,
        r.Options.Method == PruningMethod.SemiStructured ? $"{r.Options.KeepPerGroup}:{r.Options.GroupSize}" : null,
        r.TotalElements, r.TotalZeros, r.OverallSparsity, r.PrunedTensorSparsity, r.OutputBytes, r.DenseBytes, r.BitmaskBytes, r.CsrBytes,
        r.SemiStructuredBytes,
        r.Tensors.Select(t => new PrunedTensorJson(t.Name, t.Shape, t.DataType.Name, t.Elements, t.Pruned, t.SkipReason, t.ZerosBefore, t.ZerosAfter,
            t.Sparsity, t.InfiniteValues, t.Storage.DenseBytes, t.Storage.BitmaskBytes, t.Storage.CsrBytes, t.Storage.SemiStructuredBytes)).ToList());
}

/// <summary>JSON shape of one tensor of the pruning report.</summary>
internal sealed record PrunedTensorJson(string Name, IReadOnlyList<long> Shape, string Dtype, long Elements, bool Pruned, string? SkipReason,
    long ZerosBefore, long ZerosAfter, double Sparsity, long InfiniteValues, long DenseBytes, long BitmaskBytes, long CsrBytes, long? SemiStructuredBytes);
