using LlmSize.Core;
using LlmSize.Core.Models;
using LlmSize.Core.Sources;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace LlmSize.Web.Features;

/// <summary>What <c>inspect</c> answers: exact parameters, size class, name analysis, exact download.</summary>
/// <param name="Source">What was read (catalog id, Hub repository, uploaded file).</param>
/// <param name="Format">File format (Gguf, Safetensors, Catalog …).</param>
/// <param name="Name">Model name from the files or the catalog.</param>
/// <param name="Parameters">Exact parameter count; null when undisclosed.</param>
/// <param name="ParameterSource">Where the count comes from (Tensors, Analytic, Published …).</param>
/// <param name="ActiveParameters">Active per token (MoE); null when dense.</param>
/// <param name="SizeClass">Size class label ("2B"); null for non-language models.</param>
/// <param name="Scale">LLM scale in words ("1B–10B LLM, on-device class").</param>
/// <param name="NameAgreement">Whether the name's size tag agrees with the count, in words; null without a tag.</param>
/// <param name="Family">Family parsed from the name.</param>
/// <param name="DownloadBytes">Exact download of the files read, bytes; null for catalog entries (no files).</param>
/// <param name="Files">Files with their exact lengths, bytes.</param>
/// <param name="DownloadByPrecision">What the weights weigh at each precision, bytes.</param>
/// <param name="Variants">Variants the files hold (Transformers.js dtypes …) with their exact downloads.</param>
/// <param name="Architecture">Architecture summary; null when the files carry none.</param>
/// <param name="Origin">Where it was read from (Hub commit, requests) for remote reads; null otherwise.</param>
/// <param name="PostedBytes">For uploads: the bytes the page posted (the header slices only).</param>
/// <param name="Notes">Caveats.</param>
public sealed record InspectAnswer(string Source, string Format, string? Name, long? Parameters, string ParameterSource, long? ActiveParameters,
    string? SizeClass, string? Scale, string? NameAgreement, string? Family, long? DownloadBytes, IReadOnlyList<FileLength> Files,
    IReadOnlyList<PrecisionBytes> DownloadByPrecision, IReadOnlyList<VariantBytes> Variants, ArchitectureSummary? Architecture, string? Origin,
    long? PostedBytes, IReadOnlyList<string> Notes)
{
    /// <summary>The answer for a report.</summary>
    /// <param name="r">The report.</param>
    /// <param name="postedBytes">Bytes uploaded, for uploads.</param>
    /// <returns>The answer.</returns>
    public static InspectAnswer From(ModelSizeReport r, long? postedBytes = null)
    {
        var inv = r.Inventory;
        bool lm = r.IsLanguageModel;
        return new InspectAnswer(inv.Source, inv.Format.ToString(), inv.ModelName, r.Parameters, r.Source.ToString(), r.ActiveParameters,
            lm ? r.SizeClass?.Label : null, lm ? r.Scale?.Text : ModelSizeReport.NotALanguageModel, r.NameAgreement?.Message, r.Name?.Family,
            inv.Files.Count == 0 ? null : inv.DownloadBytes, inv.Files.Select(f => new FileLength(f.Path, f.Length)).ToList(),
            r.DownloadByPrecision.Select(e => new PrecisionBytes(e.Scheme.Name, Math.Round(e.EffectiveBitsPerWeight, 4), e.Bytes)).ToList(),
            inv.Variants.Select(v => new VariantBytes(v.Name, v.DownloadBytes, v.Parameters)).ToList(),
            inv.Architecture is { } a ? new ArchitectureSummary(a.Family, a.LayerCount, a.HiddenSize, a.VocabSize, a.AttentionHeadCount,
                a.KeyValueHeadCount, a.ContextLength, a.ExpertCount) : null,
            inv.Reference.Origin, postedBytes, r.Notes);
    }
}

/// <summary>A file and its exact length.</summary>
/// <param name="Path">Relative path.</param>
/// <param name="Bytes">Length, bytes.</param>
public sealed record FileLength(string Path, long Bytes);

/// <summary>The weights at one precision.</summary>
/// <param name="Precision">Precision name (F16, Q4_K_M, int4 …).</param>
/// <param name="BitsPerWeight">Effective bits per weight.</param>
/// <param name="Bytes">Bytes.</param>
public sealed record PrecisionBytes(string Precision, double BitsPerWeight, long Bytes);

/// <summary>A variant held by the files.</summary>
/// <param name="Name">Variant name.</param>
/// <param name="DownloadBytes">Exact download, bytes.</param>
/// <param name="Parameters">Parameters.</param>
public sealed record VariantBytes(string Name, long DownloadBytes, long Parameters);

/// <summary>The hyper-parameters that drive memory.</summary>
/// <param name="Family">Architecture family.</param>
/// <param name="Layers">Transformer blocks.</param>
/// <param name="HiddenSize">Hidden size.</param>
/// <param name="VocabSize">Vocabulary size.</param>
/// <param name="AttentionHeads">Attention heads.</param>
/// <param name="KeyValueHeads">KV heads (GQA).</param>
/// <param name="ContextLength">Trained context, tokens.</param>
/// <param name="Experts">MoE experts (0 = dense).</param>
public sealed record ArchitectureSummary(string Family, int Layers, long HiddenSize, long VocabSize, int AttentionHeads, int KeyValueHeads,
    long ContextLength, int Experts);

/// <summary><c>/api/inspect</c>: a catalog name or a Hub id (read from the configured Hub only), or uploaded header slices.</summary>
internal static class InspectEndpoints
{
    /// <summary>The multipart form field that carries each file's real length: <c>length:&lt;path&gt;</c>.</summary>
    internal const string LengthFieldPrefix = "length:";

    /// <summary>At most this many files per upload (a folder: config, index, shards, tokenizer files).</summary>
    internal const int MaxUploadFiles = 64;

    internal static void Map(IEndpointRouteBuilder api, WebOptions options)
    {
        var group = api.MapGroup("/inspect").WithTags("Inspect");
        group.MapGet("/", async Task<Ok<InspectAnswer>> ([FromQuery] string model, CancellationToken ct) =>
            {
                var inventory = await Task.Run(() => ModelLoader.LoadCatalogOrHub(Validation.ModelName(model), null, options.Remote), ct);
                return TypedResults.Ok(InspectAnswer.From(ModelSizeReport.Create(inventory)));
            })
            .WithName("InspectModel")
            .WithSummary("Inspect a catalog model or a Hub repository (org/name) read header-only from the configured Hub.")
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity).ProducesProblem(StatusCodes.Status502BadGateway);

        group.MapPost("/upload", async Task<Ok<InspectAnswer>> (HttpRequest request, CancellationToken ct) =>
            {
                var source = await ReadSlicesAsync(request, options, ct);
                var inventory = ModelLoader.LoadSource(source);
                return TypedResults.Ok(InspectAnswer.From(ModelSizeReport.Create(inventory), source.PostedBytes));
            })
            .WithName("InspectUpload")
            .WithSummary("Inspect header slices of a local model file or folder (multipart: one part per file, named by its relative path, " +
                "holding File.slice(0, n); a field 'length:<path>' with the real file length). 422 with kind IncompleteHeader and neededBytes " +
                "asks for a longer slice.")
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity);
    }

    /// <summary>Reads the multipart upload into an <see cref="UploadedSliceSource"/>.</summary>
    private static async Task<UploadedSliceSource> ReadSlicesAsync(HttpRequest request, WebOptions options, CancellationToken ct)
    {
        if (!request.HasFormContentType)
        {
            throw new InputException(InputErrorKind.InvalidRequest, "upload: send multipart/form-data with one part per file (File.slice of its start)");
        }

        var form = await request.ReadFormAsync(ct);
        if (form.Files.Count == 0) throw new InputException(InputErrorKind.InvalidRequest, "upload: no file parts");
        if (form.Files.Count > MaxUploadFiles) throw new InputException(InputErrorKind.InvalidRequest, $"upload: {form.Files.Count} files; at most {MaxUploadFiles}");
        var slices = new List<UploadedSlice>(form.Files.Count);
        foreach (var file in form.Files)
        {
            string path = file.FileName;
            if (!form.TryGetValue(LengthFieldPrefix + path, out var lengthText) || !long.TryParse(lengthText, out long length) || length < 0)
            {
                throw new InputException(InputErrorKind.InvalidRequest, $"upload: field '{LengthFieldPrefix}{path}' (the real file length in bytes) is missing or not a whole number");
            }

            var bytes = new byte[file.Length];
            await using (var s = file.OpenReadStream()) await s.ReadExactlyAsync(bytes, ct);
            slices.Add(new UploadedSlice(path, length, bytes));
        }

        return new UploadedSliceSource("upload", slices);
    }
}
