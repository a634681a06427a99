using LlmSize.Core.Models;

namespace LlmSize.Cli.Commands.Inspect;

/// <summary>JSON shape of <c>inspect --json</c> (schema "llmsize.inspect/v1", documented in README.md).</summary>
internal sealed record InspectJson(
    string Schema,
    string Source,
    string Format,
    string? Name,
    ParametersJson Parameters,
    NameJson? ParsedName,
    DownloadJson? Download,
    ArchitectureJson? Architecture,
    IReadOnlyList<DtypeJson> Dtypes,
    IReadOnlyDictionary<string, long> Components,
    IReadOnlyList<PrecisionJson> DownloadByPrecision,
    AdapterJson? Adapter,
    IReadOnlyList<VariantJson> Variants,
    IReadOnlyList<TensorJson>? Tensors,
    IReadOnlyDictionary<string, string> Metadata,
    IReadOnlyList<string> Notes)
{
    /// <summary>Where the answer came from (remote names and Hub ids the catalog answered); null for local files.</summary>
    public Infrastructure.OriginJson? Origin { get; init; }

    public static InspectJson From(ModelSizeReport r, bool withTensors)
    {
        var inv = r.Inventory;
        var tc = r.TensorCount;
        bool lm = r.IsLanguageModel;
        IReadOnlyDictionary<string, long> components = tc is { Parameters: > 0 }
            ? tc.ByComponent.ToDictionary(kv => kv.Key.ToString(), kv => kv.Value)
            : r.Analytic is { } a
                ? new Dictionary<string, long> { ["Embedding"] = a.Embedding, ["Attention"] = a.Attention, ["Mlp"] = a.Mlp, ["Experts"] = a.Experts, ["Norms"] = a.Norms, ["OutputHead"] = a.OutputHead, ["Other"] = a.Other, ["VisionTower"] = a.VisionTower, ["AudioTower"] = a.AudioTower, ["Projector"] = a.Projector }
                : new Dictionary<string, long>();
        return new InspectJson(
            "llmsize.inspect/v1",
            inv.Source,
            inv.Format.ToString(),
            inv.ModelName,
            new ParametersJson(r.Parameters, r.Source.ToString(), r.ActiveParameters, r.Analytic?.Total, tc?.Parameters, inv.PublishedParameters,
                lm ? r.SizeClass?.Label : null, lm ? r.SizeClass?.DisplayName : null, r.NameAgreement?.Agreement.ToString(), r.NameAgreement?.Message,
                lm ? r.Scale?.Category.ToString() : "NotALanguageModel", lm ? r.Scale?.Text : ModelSizeReport.NotALanguageModel, tc?.BufferElements ?? 0, tc?.BufferBytes ?? 0, tc?.AuxiliaryBytes ?? 0, inv.SizeDisclosed),
            r.Name is { } n ? new NameJson(n.Original, n.Family, n.Version, n.Tier, n.SizeTag?.Text, n.SizeTag?.Parameters, n.Variants, n.QuantizationTags) : null,
            inv.Files.Count == 0 ? null : new DownloadJson(inv.DownloadBytes, inv.DownloadBytes / 1e9, inv.DownloadBytes / (double)(1L << 30), inv.Files.Select(f => new FileJson(f.Path, f.Length)).ToList()),
            inv.Architecture is { } ar ? new ArchitectureJson(ar.Family, ar.ArchitectureName, ar.Kind.ToString(), ar.VocabSize, ar.HiddenSize, ar.LayerCount,
                ar.EncoderLayerCount, ar.AttentionHeadCount, ar.KeyValueHeadCount, ar.HeadDim, ar.IntermediateSize, ar.ContextLength, ar.SlidingWindow,
                ar.ExpertCount, ar.ActiveExpertCount, ar.TieWordEmbeddings, ar.Source) : null,
            tc?.ByDataType.Select(d => new DtypeJson(d.DataType.Name, d.Tensors, d.Parameters, d.Bytes)).ToList() ?? [],
            components,
            r.DownloadByPrecision.Select(e => new PrecisionJson(e.Scheme.Name, Math.Round(e.EffectiveBitsPerWeight, 4), e.Bytes)).ToList(),
            inv.Adapter is { } ad ? new AdapterJson(ad.BaseModel, ad.Rank, ad.Alpha, ad.TargetModules, ad.LoraParameters, ad.SavedModuleParameters) : null,
            inv.Variants.Select(v => new VariantJson(v.Name, v.DownloadBytes, v.Parameters, v.Complete, v.Files)).ToList(),
            withTensors && tc is not null
                ? tc.Tensors.Select(t => new TensorJson(t.Tensor.Name, t.Tensor.Shape.ToArray(), t.Tensor.DataType.Name, t.Tensor.ByteLength, t.Parameters,
                    t.IsTiedDuplicate ? "Tied" : t.Role.ToString(), t.Component.ToString())).ToList()
                : null,
            inv.Metadata,
            r.Notes);
    }
}

internal sealed record ParametersJson(long? Total, string Source, long? ActivePerToken, long? Analytic, long? FromTensors, long? Published,
    string? SizeClass, string? SizeClassDisplay, string? NameAgreement, string? NameAgreementMessage, string? LlmScale, string? LlmScaleText,
    long BufferElements, long BufferBytes, long QuantizationAuxiliaryBytes, bool Disclosed);

internal sealed record NameJson(string Original, string Family, string? Version, string? Tier, string? SizeTag, long? SizeTagParameters,
    IReadOnlyList<string> Variants, IReadOnlyList<string> QuantizationTags);

internal sealed record DownloadJson(long Bytes, double Gigabytes, double Gibibytes, IReadOnlyList<FileJson> Files);

internal sealed record FileJson(string Path, long Bytes);

internal sealed record ArchitectureJson(string Family, string? ArchitectureName, string Kind, long VocabSize, long HiddenSize, int Layers,
    int EncoderLayers, int AttentionHeads, int KeyValueHeads, int HeadDim, long IntermediateSize, long ContextLength, int? SlidingWindow,
    int Experts, int ActiveExperts, bool TiedEmbeddings, string? Source);

internal sealed record DtypeJson(string Dtype, int Tensors, long Parameters, long Bytes);

internal sealed record PrecisionJson(string Precision, double BitsPerWeight, long Bytes);

internal sealed record AdapterJson(string? BaseModel, int Rank, double Alpha, IReadOnlyList<string> TargetModules, long LoraParameters, long SavedModuleParameters);

internal sealed record TensorJson(string Name, long[] Shape, string Dtype, long Bytes, long Parameters, string Role, string Component);

internal sealed record VariantJson(string Dtype, long DownloadBytes, long Parameters, bool Complete, IReadOnlyList<string> Files);
