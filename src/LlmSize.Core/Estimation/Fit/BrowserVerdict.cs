using LlmSize.Core.Compression.Planning;
using LlmSize.Core.Devices;
using LlmSize.Core.Models;

namespace LlmSize.Core.Estimation.Fit;

/// <summary>One browser variant (runtime × format) checked on a probed device.</summary>
/// <param name="Runtime">The runtime.</param>
/// <param name="Variant">The variant with its checks (memory terms are estimates).</param>
/// <param name="DownloadBytes">Exact download of the variant's weights, bytes.</param>
public sealed record BrowserVariantVerdict(RuntimeProfile Runtime, FitVariant Variant, long DownloadBytes);

/// <summary>Where the fallback chain ended: a browser variant, Chrome's built-in AI, or a server.</summary>
public enum BrowserChoice
{
    /// <summary>A WebGPU variant fits.</summary>
    WebGpu,
    /// <summary>No WebGPU variant fits; a wasm variant does.</summary>
    Wasm,
    /// <summary>No variant fits; Chrome's built-in AI requirements are met (a different, zero-download model).</summary>
    BuiltInAi,
    /// <summary>Nothing runs in this browser: run the model on a server.</summary>
    Server,
}

/// <summary>The verdict for every browser variant of a model on a probed device, and the fallback chain's choice.</summary>
/// <param name="Device">The probed device.</param>
/// <param name="Variants">Every runtime × format, in the runtimes' ladder order.</param>
/// <param name="Choice">Where the chain WebGPU → wasm → built-in AI → server ended.</param>
/// <param name="Chosen">The chosen variant (null for built-in AI or server).</param>
/// <param name="BuiltInAi">Chrome's built-in AI requirements against the probe.</param>
/// <param name="Reason">The choice in words.</param>
public sealed record BrowserVerdictResult(ProbedDevice Device, IReadOnlyList<BrowserVariantVerdict> Variants, BrowserChoice Choice,
    BrowserVariantVerdict? Chosen, ChromeBuiltInAiVerdict BuiltInAi, string Reason);

/// <summary>
/// Checks every browser variant of a model (each runtime that runs in a browser — WebLLM, Transformers.js,
/// MediaPipe — × each rung of its precision ladder from the 16-bit rung down) on a probed device with the one fit
/// pipeline, then walks the fallback chain: the best WebGPU variant (ranked by <see cref="FitVariant.Preference(FitVariant)"/>,
/// then highest precision), else the best wasm variant, else Chrome's built-in AI when its requirements are met,
/// else a server.
/// </summary>
public static class BrowserVerdict
{
    /// <summary>Runs the checks.</summary>
    /// <param name="model">The model (a whole, disclosed model with an architecture).</param>
    /// <param name="device">The probed device.</param>
    /// <param name="probe">The probe (for the built-in AI requirements).</param>
    /// <param name="contextTokens">Context, tokens; null = the default.</param>
    /// <returns>The verdict.</returns>
    /// <exception cref="InputException">The model is undisclosed, an adapter, or has no architecture.</exception>
    public static BrowserVerdictResult For(ModelInventory model, ProbedDevice device, BrowserProbe probe, long? contextTokens = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(device);
        ArgumentNullException.ThrowIfNull(probe);
        FitPipeline.RequireArchitecture(model);
        var variants = new List<BrowserVariantVerdict>();
        foreach (var runtime in Runtimes.All.Where(r => r.Targets.Any(t => t.IsBrowser())))
        {
            foreach (var format in ShrinkPlanner.LadderFormats(runtime))
            {
                var report = FitPipeline.Run(new FitRequest
                {
                    Model = model, Devices = [device.Profile], Runtime = runtime, Format = format.Name, ContextTokens = contextTokens,
                }).Reports[0];
                var v = report.Requested;
                if (!v.Target.IsBrowser()) continue;
                long download = v.Checks.FirstOrDefault(c => c.Constraint == FitConstraint.Storage)?.RequiredBytes ?? v.Memory.Weights.TotalBytes;
                variants.Add(new BrowserVariantVerdict(runtime, v, download));
            }
        }

        var builtIn = ChromeBuiltInAi.Check(probe);
        BrowserVariantVerdict? Best(ExecutionTarget target) => variants
            .Select((v, i) => (v, i))
            .Where(x => x.v.Variant.Target == target && x.v.Variant.Fits)
            .OrderBy(x => FitVariant.Preference(x.v.Variant)).ThenBy(x => x.i)
            .Select(x => x.v).FirstOrDefault();

        if (Best(ExecutionTarget.BrowserWebGpu) is { } gpu)
        {
            return new BrowserVerdictResult(device, variants, BrowserChoice.WebGpu, gpu, builtIn, Describe(gpu, "WebGPU"));
        }

        string whyNotGpu = device.Profile.WebGpu is null ? "no WebGPU in this browser" : "no WebGPU variant fits";
        if (Best(ExecutionTarget.BrowserWasm) is { } wasm)
        {
            return new BrowserVerdictResult(device, variants, BrowserChoice.Wasm, wasm, builtIn, $"{whyNotGpu}; " + Describe(wasm, "wasm"));
        }

        if (builtIn.Meets)
        {
            return new BrowserVerdictResult(device, variants, BrowserChoice.BuiltInAi, null, builtIn,
                $"{whyNotGpu} and no wasm variant fits; Chrome's built-in AI (Gemini Nano, another model, no download by this page) meets its requirements");
        }

        string failing = string.Join("; ", builtIn.Checks.Where(c => c.Status != RequirementStatus.Met)
            .Select(c => $"{c.Requirement}: {(c.Status == RequirementStatus.Failed ? "fails" : "unknown")} ({c.Evidence})"));
        return new BrowserVerdictResult(device, variants, BrowserChoice.Server, null, builtIn,
            $"{whyNotGpu} and no wasm variant fits; Chrome's built-in AI is not confirmed ({failing}); run it on a server");
    }

    private static string Describe(BrowserVariantVerdict v, string path) =>
        $"{v.Runtime.DisplayName} {v.Variant.Format.Name} on {path} fits: {Units.FormatBinary(v.Variant.Memory.TotalBytes)} needed (estimate) of {Units.FormatBinary(v.Variant.Budget.AvailableBytes)}, download {Units.FormatDecimal(v.DownloadBytes)}"
        + (v.Variant.IsTight ? " (tight)" : "");
}
