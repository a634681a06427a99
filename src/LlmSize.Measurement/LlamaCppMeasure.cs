using LlmSize.Core;
using LlmSize.Core.Devices;
using LlmSize.Core.Estimation;
using LlmSize.Core.Estimation.Fit;
using LlmSize.Core.Models;

namespace LlmSize.Measurement;

/// <summary>A measure question: which model, on which device profile, with which run settings.</summary>
public sealed record MeasureRequest
{
    /// <summary>The model as read by <see cref="ModelLoader"/> (a GGUF file).</summary>
    public required ModelInventory Model { get; init; }

    /// <summary>The GGUF file llama.cpp loads.</summary>
    public required string ModelPath { get; init; }

    /// <summary>The device the prediction is for: this machine's CPU and RAM (<see cref="LlamaCppMeasure.ThisMachineCpu"/>),
    /// since the llama.cpp build measured is the CPU backend.</summary>
    public required DeviceProfile Device { get; init; }

    /// <summary>Context, tokens; null = the fit pipeline's default (4096, or the model's shorter maximum).</summary>
    public long? ContextTokens { get; init; }

    /// <summary>CPU threads (≥ 1).</summary>
    public required int Threads { get; init; }

    /// <summary>Prompt tokens to prefill.</summary>
    public int PromptTokens { get; init; } = 512;

    /// <summary>Tokens to decode.</summary>
    public int GenTokens { get; init; } = 128;

    /// <summary>Prompt tokens per decode call, n_batch = n_ubatch (llama.cpp's default n_ubatch, 512).</summary>
    public int BatchTokens { get; init; } = RuntimeSettings.DefaultUbatchTokens;

    /// <summary>Efficiency factors for the prediction; null = <see cref="EstimationAssumptions.Default"/>.</summary>
    public EstimationAssumptions? Assumptions { get; init; }
}

/// <summary>One term: what fit predicted beside what llama.cpp did.</summary>
/// <param name="Name">"model buffer (weights)", "KV cache", "compute buffer", "output buffer", "runtime overhead",
/// "total vs peak growth", "total vs process peak", "load time", "prefill", "decode".</param>
/// <param name="Unit">"bytes", "s" or "tokens/s".</param>
/// <param name="Predicted">Fit's figure; null when fit has none.</param>
/// <param name="Measured">The measured figure; null when llama.cpp did not report it.</param>
/// <param name="PredictedHow">Which fit term it is.</param>
/// <param name="MeasuredHow">Where the measured figure comes from.</param>
public sealed record MeasuredTerm(string Name, string Unit, double? Predicted, double? Measured, string PredictedHow, string MeasuredHow)
{
    /// <summary>(predicted − measured) ÷ measured; null when either is missing or the measured figure is not positive.</summary>
    public double? RelativeError => Predicted is { } p && Measured is { } m && m > 0 ? (p - m) / m : null;
}

/// <summary>The answer of <c>llmsize measure</c>: fit's report for the run's settings, the measurement, and the terms
/// side by side.</summary>
/// <param name="Fit">The fit report (requested variant = the file's stored type at the run's context, CPU).</param>
/// <param name="Measurement">What llama.cpp did.</param>
/// <param name="Terms">The comparison, in display order.</param>
public sealed record MeasureReport(FitReport Fit, LlamaCppMeasurement Measurement, IReadOnlyList<MeasuredTerm> Terms);

/// <summary>
/// <c>measure</c>: asks <see cref="FitPipeline"/> what llama.cpp on this machine's CPU needs and does for a GGUF model
/// at a context, refuses when that does not fit (before loading anything), then runs it with
/// <see cref="LlamaCppMeasurer"/> at the same context and threads and sets the two side by side.
/// </summary>
public static class LlamaCppMeasure
{
    /// <summary>This machine as fit sees it for a CPU run: detected RAM (what may be allocated now:
    /// <c>MemAvailable</c>), <paramref name="threads"/> as its cores (the ones llama.cpp computes with), no GPU (the
    /// measured llama.cpp build is the CPU backend), bandwidth <paramref name="bandwidthGBps"/>, else the host-RAM
    /// assumption <see cref="EstimationAssumptions.HostRamBandwidthGBps"/> (memory bandwidth cannot be read from the OS).</summary>
    /// <param name="threads">Threads llama.cpp will use (≥ 1).</param>
    /// <param name="bandwidthGBps">Memory bandwidth, GB/s (10^9 B/s); null = the assumption.</param>
    /// <param name="catalog">Catalog; null = the default.</param>
    /// <returns>The profile.</returns>
    /// <exception cref="InvalidOperationException">RAM could not be detected.</exception>
    public static DeviceProfile ThisMachineCpu(int threads, double? bandwidthGBps = null, DeviceCatalog? catalog = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(threads, 1);
        var info = ThisMachine.Detect() with { Gpus = [] };
        var profile = info.ToProfile(catalog, bandwidthGBps ?? EstimationAssumptions.Default.HostRamBandwidthGBps);
        return profile with
        {
            DisplayName = "This machine (CPU)",
            CpuCores = threads,
            Notes = profile.Notes + $". CPU only (llama.cpp CPU backend), {threads} threads as cores"
                + (bandwidthGBps is null ? $"; bandwidth {EstimationAssumptions.Default.HostRamBandwidthGBps} GB/s assumed (host-RAM assumption)" : string.Empty) + ".",
        };
    }

    /// <summary>The prediction alone: fit for llama.cpp, the file's stored type, the request's context and device.</summary>
    /// <param name="request">The request.</param>
    /// <returns>The report.</returns>
    /// <exception cref="InputException">Not a GGUF file, no architecture, or it does not fit
    /// (<see cref="InputErrorKind.InvalidRequest"/>, with fit's reason) — nothing has been loaded.</exception>
    public static FitReport Predict(MeasureRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.Model.Format != ModelFileFormat.Gguf)
        {
            throw new InputException(InputErrorKind.InvalidRequest, LlamaCppMeasurer.Format(MeasurementSR.NotLlamaCppFormat, request.ModelPath, request.Model.Format));
        }

        var result = FitPipeline.Run(new FitRequest
        {
            Model = request.Model,
            Devices = [request.Device],
            Runtime = Runtimes.LlamaCpp,
            ContextTokens = request.ContextTokens,
            Assumptions = request.Assumptions,
            Settings = SettingsOf(request),
        });
        var report = result.Reports[0];
        if (!report.Requested.Fits)
        {
            throw new InputException(InputErrorKind.InvalidRequest, LlamaCppMeasurer.Format(MeasurementSR.DoesNotFit,
                report.ModelName, report.Requested.ContextTokens, report.Reason));
        }

        return report;
    }

    /// <summary>The llama.cpp settings the measurement runs with, as fit's <see cref="RuntimeSettings"/>: n_batch =
    /// n_ubatch = <see cref="LlamaCppRunOptions.BatchTokens"/> (512), flash attention auto, memory-mapped, one sequence.</summary>
    /// <param name="request">The request.</param>
    /// <returns>The settings.</returns>
    public static RuntimeSettings SettingsOf(MeasureRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return RuntimeSettings.Default with { BatchTokens = request.BatchTokens, UbatchTokens = request.BatchTokens };
    }

    /// <summary>Predicts, refuses when it does not fit, measures, compares.</summary>
    /// <param name="request">The request.</param>
    /// <param name="cancellationToken">Cancels the run between decode calls.</param>
    /// <returns>The report.</returns>
    /// <exception cref="InputException">As <see cref="Predict"/>, or llama.cpp refused the file (its reason in the
    /// message).</exception>
    /// <exception cref="ArgumentException">Token counts do not fit the context.</exception>
    public static MeasureReport Run(MeasureRequest request, CancellationToken cancellationToken = default)
    {
        var fit = Predict(request);
        var variant = fit.Requested;
        long context = variant.ContextTokens;
        if (context > int.MaxValue) throw new ArgumentOutOfRangeException(nameof(request), context, "Context above 2^31 tokens.");
        var measured = LlamaCppMeasurer.Measure(request.ModelPath, new LlamaCppRunOptions
        {
            ContextTokens = (int)context,
            Threads = request.Threads,
            PromptTokens = request.PromptTokens,
            GenTokens = request.GenTokens,
            BatchTokens = request.BatchTokens,
        }, cancellationToken);
        return new MeasureReport(fit, measured, Compare(fit, measured));
    }

    /// <summary>The terms side by side.</summary>
    /// <param name="fit">Fit's report (its requested variant is compared).</param>
    /// <param name="m">The measurement.</param>
    /// <returns>Terms in display order.</returns>
    public static IReadOnlyList<MeasuredTerm> Compare(FitReport fit, LlamaCppMeasurement m)
    {
        ArgumentNullException.ThrowIfNull(fit);
        ArgumentNullException.ThrowIfNull(m);
        var mem = fit.Requested.Memory;
        var b = m.Buffers;
        // The speed fit gives for the requested variant (Chosen is the requested one when it fits as asked).
        SpeedEstimate? speed = ReferenceEquals(fit.Chosen, fit.Requested) || fit.Chosen == fit.Requested ? fit.Speed : null;
        string peakHow = m.PeakWasReset ? "VmHWM (reset before load) − VmRSS before load" : "peak resident set − resident set before load";
        return
        [
            new("model buffer (weights)", "bytes", mem.Weights.TotalBytes, b.ModelBufferBytes, "fit weights term", "llama.cpp log: model buffer size"),
            new("KV cache", "bytes", mem.KvCache.Bytes, b.KvCacheExactBytes ?? b.KvCacheBytes, "fit KV cache term",
                b.KvCacheExactBytes is not null
                    ? $"llama.cpp log: {b.KvCacheLayers} layers × {b.KvCacheCells} cells × (n_embd_k_gqa {b.EmbdKGqa} × {b.KvKeyType} + n_embd_v_gqa {b.EmbdVGqa} × {b.KvValueType}), exact"
                    : $"llama.cpp log: llama_kv_cache size ({b.KvCacheCells?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "?"} cells, ±0.005 MiB)"),
            new("compute buffer", "bytes", mem.ComputeBufferBytes, b.ComputeBufferBytes, "fit compute buffers term", "llama.cpp log: compute buffer size"),
            new("output buffer", "bytes", null, b.OutputBufferBytes, "no own fit term (fit counts it inside the runtime overhead)", "llama.cpp log: output buffer size (logits as reserved at context creation; llama.cpp grows it when a batch asks for more outputs)"),
            new("runtime overhead", "bytes", mem.OverheadBytes, UnloggedGrowth(m), "fit runtime overhead term (assumption)",
                "peak growth − logged model, KV, compute and output buffers (none when the buffers were not all touched)"),
            new("total vs peak growth", "bytes", mem.TotalBytes, m.PeakGrowthBytes, "fit total (weights + KV + compute + overhead)", peakHow),
            new("total vs process peak", "bytes", mem.TotalBytes, m.PeakResidentBytes, "fit total", "peak resident set of the whole process (includes the .NET runtime)"),
            new("load time", "s", speed?.LoadSeconds, m.LoadSeconds, $"fit load: weights ÷ {EstimationAssumptions.Default.DefaultStorageReadGBps} GB/s storage read (cold read)", "wall clock of model load + context creation (page cache may be warm)"),
            new("prefill", "tokens/s", speed?.PrefillTokensPerSecond, m.PrefillTokensPerSecond, speed?.PrefillFormula ?? "–", $"{m.PromptTokens} random prompt tokens in batches of 512"),
            new("decode", "tokens/s", speed?.DecodeTokensPerSecond, m.DecodeTokensPerSecond, speed?.DecodeFormula ?? "–", $"{m.GenTokens} tokens one at a time after the prompt"),
        ];
    }

    /// <summary>What the process grew by beyond llama.cpp's logged buffers, bytes: peak growth − (model + KV + compute +
    /// output); null when a buffer was not logged or the rest is not positive (allocated buffers that were never
    /// touched are not resident, so peak growth can be below their sum).</summary>
    /// <param name="m">The measurement.</param>
    /// <returns>The bytes, or null.</returns>
    public static long? UnloggedGrowth(LlamaCppMeasurement m)
    {
        ArgumentNullException.ThrowIfNull(m);
        var b = m.Buffers;
        if (b.ModelBufferBytes is not { } w || b.KvCacheBytes is not { } kv || b.ComputeBufferBytes is not { } c || b.OutputBufferBytes is not { } o) return null;
        long rest = m.PeakGrowthBytes - (w + kv + c + o);
        return rest > 0 ? rest : null;
    }
}
