using LlmSize.Core;
using LlmSize.Core.Devices;
using LlmSize.Core.Estimation.Fit;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace LlmSize.Web.Features;

/// <summary>A probe verdict question: a model and what <c>/probe.js</c>'s <c>probe()</c> saw.</summary>
/// <param name="Model">Catalog name or Hub id.</param>
/// <param name="Probe">The probe result.</param>
/// <param name="Context">Context, tokens; null = the default.</param>
public sealed record ProbeQuery(string Model, BrowserProbe Probe, long? Context = null);

/// <summary>One browser variant's verdict.</summary>
/// <param name="Runtime">Runtime id.</param>
/// <param name="Format">Weight format.</param>
/// <param name="Target">BrowserWebGpu or BrowserWasm.</param>
/// <param name="Fits">Every check passes.</param>
/// <param name="Tight">Under 10% headroom.</param>
/// <param name="DownloadBytes">Exact download, bytes.</param>
/// <param name="MemoryBytes">Memory estimate, bytes.</param>
/// <param name="BudgetBytes">Memory allowed, bytes.</param>
/// <param name="LargestTensorBytes">Largest tensor (one WebGPU binding must hold it), bytes.</param>
/// <param name="Failing">The checks that fail, in words.</param>
public sealed record ProbeVariantAnswer(string Runtime, string Format, string Target, bool Fits, bool Tight, long DownloadBytes, long MemoryBytes,
    long BudgetBytes, long LargestTensorBytes, IReadOnlyList<string> Failing);

/// <summary>The verdict for a probed browser.</summary>
/// <param name="Choice">WebGpu, Wasm, BuiltInAi or Server.</param>
/// <param name="Reason">The choice in words.</param>
/// <param name="Chosen">The chosen variant; null for built-in AI or server.</param>
/// <param name="Variants">Every runtime × format.</param>
/// <param name="Device">The probed profile as the checks saw it.</param>
/// <param name="Fallback">The catalog profile standing in for unknowns.</param>
/// <param name="Values">Each probed number and how it is known.</param>
/// <param name="Notes">Platform limits applied.</param>
/// <param name="BuiltInAi">Chrome's built-in AI requirements, each met / failed / unknown, with the source page.</param>
public sealed record ProbeVerdictAnswer(string Choice, string Reason, ProbeVariantAnswer? Chosen, IReadOnlyList<ProbeVariantAnswer> Variants,
    DeviceSummary Device, string Fallback, IReadOnlyList<ProbedValue> Values, IReadOnlyList<string> Notes, ChromeBuiltInAiVerdict BuiltInAi);

/// <summary><c>/api/probe</c>: a probed device profile in, verdicts for every browser variant out (the core's
/// <see cref="BrowserProbeProfile"/> and <see cref="BrowserVerdict"/>); a test file for download throughput.</summary>
internal static class ProbeEndpoints
{
    /// <summary>The largest test download: 8 MiB (bounded measurement).</summary>
    internal const int MaxTestBytes = 8 << 20;

    private static readonly byte[] TestBytes = MakeTestBytes();

    internal static void Map(IEndpointRouteBuilder api, WebOptions options)
    {
        var group = api.MapGroup("/probe").WithTags("Probe");
        group.MapPost("/verdict", async Task<Ok<ProbeVerdictAnswer>> (ProbeQuery query, CancellationToken ct) =>
            {
                if (query.Probe is null) throw new InputException(InputErrorKind.InvalidRequest, "'probe' is required (the result of probe() from /probe.js)");
                var model = await Task.Run(() => ModelLoader.LoadCatalogOrHub(Validation.ModelName(query.Model), null, options.Remote), ct);
                var device = BrowserProbeProfile.Build(query.Probe);
                var verdict = BrowserVerdict.For(model, device, query.Probe, FitEndpoints.Context(query.Context));
                return TypedResults.Ok(new ProbeVerdictAnswer(verdict.Choice.ToString(), verdict.Reason,
                    verdict.Chosen is { } c ? From(c) : null, verdict.Variants.Select(From).ToList(), DeviceSummary.From(device.Profile),
                    device.Fallback.Id, device.Values, device.Notes, verdict.BuiltInAi));
            })
            .WithName("ProbeVerdict")
            .WithSummary("Verdicts for every browser variant (runtime × format) on a probed browser, and the fallback chain's choice.")
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity);

        group.MapGet("/download", ([FromQuery] int? bytes) =>
            {
                int n = bytes ?? (1 << 20);
                if (n < 1 || n > MaxTestBytes) throw new InputException(InputErrorKind.InvalidRequest, $"'bytes' must be 1 … {MaxTestBytes}");
                return TypedResults.Bytes(TestBytes.AsMemory(0, n), "application/octet-stream");
            })
            .WithName("ProbeDownload").WithSummary("A test file of N bytes (≤ 8 MiB, incompressible) for the probe's download throughput.")
            .ProducesProblem(StatusCodes.Status400BadRequest);
    }

    private static ProbeVariantAnswer From(BrowserVariantVerdict v) => new(v.Runtime.Id, v.Variant.Format.Name, v.Variant.Target.ToString(),
        v.Variant.Fits, v.Variant.IsTight, v.DownloadBytes, v.Variant.Memory.TotalBytes, v.Variant.Budget.AvailableBytes,
        v.Variant.Memory.Weights.LargestTensorBytes, v.Variant.Checks.Where(c => !c.Passes).Select(c => c.Detail).ToList());

    private static byte[] MakeTestBytes()
    {
        var bytes = new byte[MaxTestBytes];
        new Random(11).NextBytes(bytes); // fixed seed: the same incompressible file every time
        return bytes;
    }
}
