using LlmSize.Core.Compression.Sharing;

namespace LlmSize.Cli.Commands.Share;

/// <summary>JSON shape of <c>llmsize share</c> (schema "llmsize.share/v1").</summary>
internal sealed record ShareJson(string Schema, string File, int Tensors, long StoredParameters, long UniqueParameters, long StoredBytes,
    long DeduplicatedBytes, long SavableBytes, bool TiedEmbeddings, IReadOnlyList<ShareGroupJson> Groups, IReadOnlyList<string> Notes,
    IReadOnlyList<CrossLayerJson> CrossLayer)
{
    public static ShareJson From(SharingReport report, IReadOnlyList<CrossLayerSharing> whatIfs) => new(
        "llmsize.share/v1", report.File, report.TensorCount, report.StoredParameters, report.UniqueParameters, report.StoredBytes,
        report.DeduplicatedBytes, report.SavableBytes, report.HasTiedEmbeddings,
        report.Groups.Select(g => new ShareGroupJson(g.Kind.ToString(), g.Tensors, g.BytesEach, g.ElementsEach, g.Sha256, g.IsTiedEmbedding)).ToList(),
        report.Notes,
        whatIfs.Select(w => new CrossLayerJson(w.GroupSize, w.Layers, w.DistinctLayers, w.OriginalParameters, w.SharedParameters, w.Exact)).ToList());
}

/// <summary>JSON shape of one group of tied or identical tensors.</summary>
internal sealed record ShareGroupJson(string Kind, IReadOnlyList<string> Tensors, long BytesEach, long ElementsEach, string? Sha256, bool TiedEmbedding);

/// <summary>JSON shape of one ALBERT-style cross-layer what-if (<c>k</c> consecutive layers share one set of weights).</summary>
internal sealed record CrossLayerJson(int K, int Layers, int DistinctLayers, long OriginalParameters, long SharedParameters, bool Exact);
