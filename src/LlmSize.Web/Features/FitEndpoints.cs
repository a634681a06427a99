using LlmSize.Core;
using LlmSize.Core.Compression.Planning;
using LlmSize.Core.Devices;
using LlmSize.Core.Estimation;
using LlmSize.Core.Estimation.Fit;
using Microsoft.AspNetCore.Http.HttpResults;

namespace LlmSize.Web.Features;

/// <summary>A fit question: model × device × runtime × precision × context.</summary>
/// <param name="Model">Catalog name or Hub id.</param>
/// <param name="Device">Device profile id; null = every catalog device.</param>
/// <param name="Runtime">Runtime id (llama.cpp, webllm, transformers.js, onnxruntime, mediapipe); null = the model's own.</param>
/// <param name="Quant">Weight format of the runtime (Q4_K_M, q4f16_1 …); null = walk the precision ladder.</param>
/// <param name="Context">Context length in tokens; null = the default (4096 or the model's shorter maximum).</param>
/// <param name="Network">Network class id or speed ("50Mbps"); null = each device's own.</param>
public sealed record FitQuery(string Model, string? Device = null, string? Runtime = null, string? Quant = null, long? Context = null,
    string? Network = null);

/// <summary>One check of a variant: required against available bytes.</summary>
/// <param name="Constraint">What is checked (AppMemory, Vram, WebGpuBinding …).</param>
/// <param name="RequiredBytes">Required, bytes.</param>
/// <param name="AvailableBytes">Available, bytes.</param>
/// <param name="Passes">Whether it passes.</param>
/// <param name="Detail">The check in words.</param>
public sealed record CheckAnswer(string Constraint, long RequiredBytes, long AvailableBytes, bool Passes, string Detail);

/// <summary>One variant (format × context × target) with its memory terms (estimates, formulas in <see cref="Terms"/>).</summary>
/// <param name="Format">Weight format.</param>
/// <param name="ContextTokens">Context, tokens.</param>
/// <param name="Target">Execution target (NativeGpu, BrowserWebGpu, BrowserWasm …).</param>
/// <param name="Fits">Every check passes.</param>
/// <param name="Tight">Fits with under 10% of the budget left.</param>
/// <param name="WeightsBytes">Weights in the format, bytes.</param>
/// <param name="LargestTensorBytes">Largest single weight tensor, bytes (a WebGPU buffer must hold it).</param>
/// <param name="KvCacheBytes">KV cache, bytes.</param>
/// <param name="ComputeBufferBytes">Compute buffers, bytes.</param>
/// <param name="OverheadBytes">Runtime overhead, bytes.</param>
/// <param name="TotalBytes">Estimated memory, bytes.</param>
/// <param name="BudgetBytes">The memory allowed (app/tab limit, VRAM or host RAM for a split), bytes.</param>
/// <param name="Checks">Every check.</param>
/// <param name="Terms">Memory terms with how each is computed.</param>
public sealed record VariantAnswer(string Format, long ContextTokens, string Target, bool Fits, bool Tight, long WeightsBytes, long LargestTensorBytes,
    long KvCacheBytes, long ComputeBufferBytes, long OverheadBytes, long TotalBytes, long BudgetBytes, IReadOnlyList<CheckAnswer> Checks,
    IReadOnlyList<MemoryTermAnswer> Terms)
{
    /// <summary>The answer of a variant.</summary>
    /// <param name="v">Variant.</param>
    /// <returns>The answer.</returns>
    public static VariantAnswer From(FitVariant v) => new(v.Format.Name, v.ContextTokens, v.Target.ToString(), v.Fits, v.IsTight,
        v.Memory.Weights.TotalBytes, v.Memory.Weights.LargestTensorBytes, v.Memory.KvCache.Bytes, v.Memory.ComputeBufferBytes, v.Memory.OverheadBytes,
        v.Memory.TotalBytes, v.Budget.AvailableBytes,
        v.Checks.Select(c => new CheckAnswer(c.Constraint.ToString(), c.RequiredBytes, c.AvailableBytes, c.Passes, c.Detail)).ToList(),
        v.Memory.Terms.Select(t => new MemoryTermAnswer(t.Name, t.Bytes, t.How)).ToList());
}

/// <summary>One memory term.</summary>
/// <param name="Name">Term (weights, KV cache …).</param>
/// <param name="Bytes">Bytes.</param>
/// <param name="How">Formula in words.</param>
public sealed record MemoryTermAnswer(string Name, long Bytes, string How);

/// <summary>The fit verdict for one device (the core's <see cref="FitReport"/>).</summary>
/// <param name="Model">Model name.</param>
/// <param name="Device">Device id.</param>
/// <param name="DeviceName">Device display name.</param>
/// <param name="Runtime">Runtime id.</param>
/// <param name="Outcome">Fits, FitsWithChanges, DoesNotFit, Unsupported.</param>
/// <param name="Reason">The verdict in words.</param>
/// <param name="Requested">The variant asked for (or the ladder's first).</param>
/// <param name="Best">The best variant that fits; null when none does.</param>
/// <param name="DecodeTokensPerSecond">Decode speed estimate, tokens/s; null when nothing fits or the architecture is unknown.</param>
/// <param name="DownloadBytes">Exact download of the chosen variant, bytes.</param>
/// <param name="DownloadSeconds">Download time per network class id, seconds (estimate).</param>
/// <param name="Warnings">Warnings.</param>
public sealed record FitAnswer(string Model, string Device, string DeviceName, string Runtime, string Outcome, string Reason, VariantAnswer Requested,
    VariantAnswer? Best, double? DecodeTokensPerSecond, long DownloadBytes, IReadOnlyDictionary<string, double> DownloadSeconds,
    IReadOnlyList<string> Warnings)
{
    /// <summary>The answer of a report.</summary>
    /// <param name="r">Report.</param>
    /// <returns>The answer.</returns>
    public static FitAnswer From(FitReport r) => new(r.ModelName, r.Device.Id, r.Device.DisplayName, r.Runtime.Id, r.Outcome.ToString(), r.Reason,
        VariantAnswer.From(r.Requested), r.Best is null ? null : VariantAnswer.From(r.Best),
        r.HasTokenSpeed ? Math.Round(r.Speed.DecodeTokensPerSecond, 2) : null, r.DownloadBytes,
        r.Download.ToDictionary(d => d.Network.Id, d => Math.Round(d.Seconds, 2)), r.Warnings);
}

/// <summary>A shrink question: model × device × runtime × context.</summary>
/// <param name="Model">Catalog name or Hub id.</param>
/// <param name="Device">Device profile id.</param>
/// <param name="Runtime">Runtime id; null = the model's own.</param>
/// <param name="Context">Context, tokens; null = default.</param>
public sealed record ShrinkQuery(string Model, string Device, string? Runtime = null, long? Context = null);

/// <summary>One ranked way to make the model fit (the core's <see cref="ShrinkOption"/>).</summary>
/// <param name="Technique">Quantization, DepthPruning, WidthPruning, SmallerSibling.</param>
/// <param name="Label">Short label.</param>
/// <param name="Parameters">Parameters of the result (exact).</param>
/// <param name="Format">Format evaluated.</param>
/// <param name="DownloadBytes">Download, bytes.</param>
/// <param name="MemoryBytes">Memory estimate, bytes.</param>
/// <param name="Fits">Fits the device.</param>
/// <param name="Tight">Fits with under 10% headroom.</param>
/// <param name="DecodeTokensPerSecond">Decode estimate, tokens/s, when it fits.</param>
/// <param name="QualityNote">The published quality cost, in words.</param>
/// <param name="NeedsTraining">Needs (re)training (pruning).</param>
public sealed record ShrinkOptionAnswer(string Technique, string Label, long Parameters, string Format, long DownloadBytes, long MemoryBytes, bool Fits,
    bool Tight, double? DecodeTokensPerSecond, string QualityNote, bool NeedsTraining);

/// <summary>The ranked shrink plan.</summary>
/// <param name="Model">Model.</param>
/// <param name="Device">Device id.</param>
/// <param name="Runtime">Runtime id.</param>
/// <param name="Parameters">Parameters of the original.</param>
/// <param name="Options">Options, best first.</param>
/// <param name="Notes">Caveats.</param>
public sealed record ShrinkAnswer(string Model, string Device, string Runtime, long Parameters, IReadOnlyList<ShrinkOptionAnswer> Options,
    IReadOnlyList<string> Notes);

/// <summary><c>/api/fit</c> and <c>/api/shrink</c>: map the query to the core's <see cref="FitPipeline"/> and
/// <see cref="ShrinkPlanner"/>.</summary>
internal static class FitEndpoints
{
    internal static void Map(IEndpointRouteBuilder api, WebOptions options)
    {
        api.MapPost("/fit", async Task<Ok<IReadOnlyList<FitAnswer>>> (FitQuery query, CancellationToken ct) =>
            {
                var model = await Task.Run(() => ModelLoader.LoadCatalogOrHub(Validation.ModelName(query.Model), null, options.Remote), ct);
                var catalog = DeviceCatalog.Default;
                NetworkClass? network = null;
                if (query.Network is { } n && !NetworkClass.TryParse(Validation.Name(n, "network"), out network))
                {
                    throw UnknownNameException.For(NameKind.Network, n, NetworkClass.All.Select(c => c.Id));
                }

                var request = new FitRequest
                {
                    Model = model,
                    Devices = query.Device is { } d ? [catalog.Find(Validation.Name(d, "device"))] : catalog.Profiles,
                    Runtime = query.Runtime is { } r ? Runtimes.Find(Validation.Name(r, "runtime")) : null,
                    Format = query.Quant is { } q ? Validation.Name(q, "quant") : null,
                    ContextTokens = Context(query.Context),
                    Network = network,
                };
                IReadOnlyList<FitAnswer> answers = FitPipeline.Run(request).Reports.Select(FitAnswer.From).ToList();
                return TypedResults.Ok(answers);
            })
            .WithTags("Fit").WithName("Fit")
            .WithSummary("Will the model run: one verdict per device (all catalog devices when no device is named).")
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity);

        api.MapPost("/shrink", async Task<Ok<ShrinkAnswer>> (ShrinkQuery query, CancellationToken ct) =>
            {
                var model = await Task.Run(() => ModelLoader.LoadCatalogOrHub(Validation.ModelName(query.Model), null, options.Remote), ct);
                var device = DeviceCatalog.Default.Find(Validation.Name(query.Device, "device"));
                var runtime = query.Runtime is { } r ? Runtimes.Find(Validation.Name(r, "runtime")) : null;
                var plan = ShrinkPlanner.Plan(model, device, runtime, Context(query.Context));
                return TypedResults.Ok(new ShrinkAnswer(plan.ModelName, plan.Device.Id, plan.Runtime.Id, plan.Parameters,
                    plan.Options.Select(o => new ShrinkOptionAnswer(o.Technique.ToString(), o.Label, o.Parameters, o.Format.Name, o.DownloadBytes,
                        o.MemoryBytes, o.Fits, o.IsTight, o.DecodeTokensPerSecond is { } t ? Math.Round(t, 2) : null, o.QualityNote, o.NeedsTraining)).ToList(),
                    plan.Notes));
            })
            .WithTags("Shrink").WithName("Shrink")
            .WithSummary("Ranked ways to make the model fit the device: quantization, pruning, smaller siblings.")
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity);
    }

    /// <summary>Context tokens: 1 … 2^30, as the CLI accepts.</summary>
    /// <exception cref="InputException">Out of range.</exception>
    internal static long? Context(long? tokens) => tokens switch
    {
        null => null,
        < 1 or > 1L << 30 => throw new InputException(InputErrorKind.InvalidRequest, $"'context' must be 1 … {1L << 30} tokens; got {tokens}"),
        _ => tokens,
    };
}
