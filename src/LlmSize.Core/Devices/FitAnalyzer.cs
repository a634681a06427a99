using LlmSize.Core.Estimation;
using LlmSize.Core.Models.Architectures;
using LlmSize.Core.Precision;

namespace LlmSize.Core.Devices;

/// <summary>The verdict of a fit check.</summary>
public enum FitOutcome
{
    /// <summary>Runs as asked: the requested format and context fit every constraint.</summary>
    Fits,
    /// <summary>Runs with a change: a lower precision, a shorter context or partial GPU offload.</summary>
    FitsWithChanges,
    /// <summary>No format of the runtime fits, even at a short context.</summary>
    DoesNotFit,
}

/// <summary>What limits the fit.</summary>
public enum FitConstraint
{
    /// <summary>Nothing: everything fits.</summary>
    None,
    /// <summary>Memory an app (or browser tab) may use on a unified-memory or CPU-only device.</summary>
    AppMemory,
    /// <summary>Dedicated GPU memory.</summary>
    Vram,
    /// <summary>System RAM for the CPU-resident part of a partially offloaded model.</summary>
    HostRam,
    /// <summary>WebGPU <c>maxStorageBufferBindingSize</c> / <c>maxBufferSize</c>: the largest tensor must fit one buffer.</summary>
    WebGpuBufferLimit,
    /// <summary>The runtime runs only in a browser (WebGPU or wasm) and the device profile has none (data-centre GPUs).</summary>
    NoWebGpu,
    /// <summary>WebGPU <c>shader-f16</c> feature missing for an f16 format.</summary>
    ShaderF16Missing,
    /// <summary>wasm32's 4 GiB address space (onnxruntime-web wasm backend).</summary>
    Wasm4GiB,
    /// <summary>Free storage (or the browser origin quota) for caching the download.</summary>
    Storage,
    /// <summary>The runtime cannot run this architecture at all (WebLLM: MLC LLM has no model definition for it).</summary>
    UnsupportedArchitecture,
}

/// <summary>Helpers for <see cref="FitConstraint"/>.</summary>
public static class FitConstraintExtensions
{
    /// <summary>True for yes/no checks (a WebGPU feature, a browser being present) whose "bytes" are 1 or 0.</summary>
    /// <param name="constraint">The constraint.</param>
    /// <returns>Whether it is a feature check.</returns>
    public static bool IsFeature(this FitConstraint constraint) =>
        constraint is FitConstraint.ShaderF16Missing or FitConstraint.NoWebGpu or FitConstraint.UnsupportedArchitecture;

    /// <summary>The constraint in words for sentences and tables ("app memory", "WebGPU buffer", "shader-f16");
    /// JSON keeps the enum names.</summary>
    /// <param name="constraint">The constraint.</param>
    /// <returns>Words.</returns>
    public static string Describe(this FitConstraint constraint) => constraint switch
    {
        FitConstraint.None => "–",
        FitConstraint.AppMemory => "app memory",
        FitConstraint.Vram => "VRAM",
        FitConstraint.HostRam => "host RAM",
        FitConstraint.WebGpuBufferLimit => "WebGPU buffer",
        FitConstraint.NoWebGpu => "browser with WebGPU",
        FitConstraint.ShaderF16Missing => "shader-f16",
        FitConstraint.Wasm4GiB => "wasm32 4 GiB",
        FitConstraint.Storage => "storage",
        FitConstraint.UnsupportedArchitecture => "runtime support",
        _ => constraint.ToString(),
    };
}

/// <summary>One constraint checked: what is needed against what is there.</summary>
/// <param name="Constraint">The constraint.</param>
/// <param name="RequiredBytes">Bytes needed.</param>
/// <param name="AvailableBytes">Bytes available.</param>
/// <param name="Detail">What was compared, in words.</param>
public sealed record FitCheck(FitConstraint Constraint, long RequiredBytes, long AvailableBytes, string Detail)
{
    /// <summary>True when required ≤ available.</summary>
    public bool Passes => RequiredBytes <= AvailableBytes;

    /// <summary>Available − required (negative when it does not fit).</summary>
    public long HeadroomBytes => AvailableBytes - RequiredBytes;
}

/// <summary>One way to run a model on a device: a format, a context, where it runs, and what it would take.</summary>
/// <param name="Format">Weight format.</param>
/// <param name="ContextTokens">Context length.</param>
/// <param name="Target">Where it executes.</param>
/// <param name="GpuLayers">Layers on the GPU when partially offloaded (llama.cpp <c>-ngl</c>); null = all or none.</param>
/// <param name="Memory">The memory estimate.</param>
/// <param name="Checks">Every constraint checked.</param>
public sealed record FitVariant(WeightFormat Format, long ContextTokens, ExecutionTarget Target, int? GpuLayers, MemoryEstimate Memory,
    IReadOnlyList<FitCheck> Checks)
{
    /// <summary>True when every check passes.</summary>
    public bool Fits => Checks.All(c => c.Passes);

    /// <summary>The memory budget check: what one app/tab may use (<see cref="FitConstraint.AppMemory"/>) or usable VRAM
    /// (<see cref="FitConstraint.Vram"/>); every variant has one.</summary>
    public FitCheck MemoryCheck => Checks.First(c => c.Constraint is FitConstraint.AppMemory or FitConstraint.Vram);

    /// <summary>The first failing check, or, when all pass, the byte check with the least relative headroom (a
    /// passing feature check such as shader-f16 has no headroom to speak of).</summary>
    public FitCheck Binding => Checks.Where(c => !c.Passes).OrderBy(c => c.Constraint is FitConstraint.UnsupportedArchitecture or FitConstraint.NoWebGpu ? 0 : 1).ThenBy(c => c.HeadroomBytes).FirstOrDefault()
        ?? Checks.Where(c => !c.Constraint.IsFeature()).OrderBy(c => (double)c.HeadroomBytes / Math.Max(1, c.AvailableBytes)).FirstOrDefault()
        ?? Checks[0];
}

/// <summary>Download time over one network class.</summary>
/// <param name="Network">Network class.</param>
/// <param name="Seconds">Seconds at its sustained throughput.</param>
public sealed record DownloadTime(NetworkClass Network, double Seconds);

/// <summary>The full answer to "will this model run on that device, how fast, and how long is the download?".</summary>
public sealed record FitReport
{
    /// <summary>The model's name.</summary>
    public required string ModelName { get; init; }

    /// <summary>The device.</summary>
    public required DeviceProfile Device { get; init; }

    /// <summary>The runtime.</summary>
    public required RuntimeProfile Runtime { get; init; }

    /// <summary>Yes / with changes / no.</summary>
    public required FitOutcome Outcome { get; init; }

    /// <summary>What was asked for (format and context as requested), with its checks.</summary>
    public required FitVariant Requested { get; init; }

    /// <summary>The best variant that fits (highest precision at the requested context, then shorter contexts), or
    /// null when none does.</summary>
    public FitVariant? Best { get; init; }

    /// <summary>The smallest variant tried (the last rung of the ladder, shortest context) — what finally blocks when
    /// nothing fits.</summary>
    public required FitVariant LastTried { get; init; }

    /// <summary>The binding constraint of the requested variant (None when it fits).</summary>
    public FitConstraint BindingConstraint => Requested.Fits ? FitConstraint.None : Requested.Binding.Constraint;

    /// <summary>Speed of <see cref="Best"/> (or of the requested variant when nothing fits).</summary>
    public required SpeedEstimate Speed { get; init; }

    /// <summary>Download time of the <see cref="Best"/> (or requested) variant over each network class; the first is the
    /// device's typical network.</summary>
    public required IReadOnlyList<DownloadTime> Download { get; init; }

    /// <summary>Download bytes used for the times (file bytes when known, else the format's weight bytes).</summary>
    public required long DownloadBytes { get; init; }

    /// <summary>One sentence: the verdict and why.</summary>
    public required string Reason { get; init; }

    /// <summary>Warnings about the request (a context longer than the model was trained for …).</summary>
    public IReadOnlyList<string> Warnings { get; init; } = [];

    /// <summary>False for encoder-only models (BERT, DistilBERT): they embed or classify and never generate token by
    /// token, so a generation speed does not apply.</summary>
    public bool GeneratesTokens { get; init; } = true;

    /// <summary>True when the variant that fits leaves under 10% of its memory budget (app memory or VRAM).</summary>
    public bool TightFit { get; init; }
}

/// <summary>
/// Meets a model's memory estimates with a device profile: checks memory (app limit, VRAM, host RAM for partial
/// offload), browser limits (WebGPU buffer size, shader-f16, wasm32 4 GiB), and storage; walks the runtime's
/// precision ladder and shorter contexts to find the best variant that fits; estimates speed and download time.
/// Memory estimates are cached per (format, context), so checking one model against every device is cheap.
/// </summary>
public sealed class FitAnalyzer
{
    private static readonly long[] ContextLadder = [131072, 65536, 32768, 16384, 8192, 4096, 2048, 1024, 512];
    private readonly ModelArchitecture? _architecture;
    private readonly StoredWeightFormat? _stored;
    private readonly long _activeParameters;
    private readonly Dictionary<(string, long), MemoryEstimate> _cache = [];
    private readonly EstimationAssumptions _assumptions;

    /// <summary>Creates an analyzer for one model.</summary>
    /// <param name="architecture">The model's hyper-parameters.</param>
    /// <param name="modelName">Display name.</param>
    /// <param name="downloadBytes">Exact download bytes when the files are known; null = estimate from the format.</param>
    /// <param name="assumptions">Efficiency factors; null = defaults.</param>
    public FitAnalyzer(ModelArchitecture architecture, string modelName, long? downloadBytes = null, EstimationAssumptions? assumptions = null)
    {
        _architecture = architecture ?? throw new ArgumentNullException(nameof(architecture));
        ModelName = modelName;
        KnownDownloadBytes = downloadBytes;
        _assumptions = assumptions ?? EstimationAssumptions.Default;
        _activeParameters = ParameterCalculator.Count(architecture).ActivePerToken;
    }

    /// <summary>
    /// Creates an analyzer for a model file whose architecture is unknown (a TFLite or ONNX graph without a
    /// config.json): memory is the stored weights plus the runtime's overhead, no KV cache or buffers can be derived,
    /// and the file's own format is the only rung of the ladder.
    /// </summary>
    /// <param name="modelName">Display name.</param>
    /// <param name="weightBytes">Bytes of the stored weights (parameters and quantization data).</param>
    /// <param name="parameters">Parameters (for prefill speed).</param>
    /// <param name="downloadBytes">Exact download bytes of the files.</param>
    /// <param name="assumptions">Efficiency factors; null = defaults.</param>
    /// <exception cref="ArgumentOutOfRangeException">A size is negative.</exception>
    public FitAnalyzer(string modelName, long weightBytes, long parameters, long downloadBytes, EstimationAssumptions? assumptions = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(weightBytes);
        ArgumentOutOfRangeException.ThrowIfNegative(parameters);
        ModelName = modelName;
        KnownDownloadBytes = downloadBytes;
        _assumptions = assumptions ?? EstimationAssumptions.Default;
        _activeParameters = parameters;
        _stored = new StoredWeightFormat
        {
            Name = "as stored",
            Description = "the file's own weights (no architecture known: no KV cache or buffers estimated)",
            Source = "exact tensor bytes of the file",
            StoredBytes = weightBytes,
            Parameters = parameters,
        };
    }

    /// <summary>The model's display name.</summary>
    public string ModelName { get; }

    /// <summary>Exact download bytes of the files, when known.</summary>
    public long? KnownDownloadBytes { get; }

    /// <summary>
    /// The formats to try after <paramref name="format"/>: the runtime's list from that rung down (smaller formats);
    /// when the requested variant fails for lack of shader-f16, then also the f32-activation formats above it, nearest
    /// first (WebLLM ships q4f32_1 for exactly those devices; Transformers.js q4 for q4f16).
    /// </summary>
    private List<WeightFormat> Ladder(RuntimeProfile runtime, WeightFormat format, FitVariant requested, long context)
    {
        var formats = runtime.Formats.ToList();
        int start = Math.Max(0, formats.IndexOf(format));
        var ladder = formats.Skip(start).ToList();
        if (_stored is null)
        {
            // Formats listed before the requested one but smaller than it are rungs below it too (WebLLM lists its f32
            // formats last: q4f32_1 → q4f16_1 → q3f16_1).
            long requestedWeights = requested.Memory.Weights.TotalBytes;
            ladder.AddRange(formats.Take(start)
                .Select(f => (Format: f, Weights: Memory(runtime, f, context).Weights.TotalBytes))
                .Where(x => x.Weights < requestedWeights)
                .OrderByDescending(x => x.Weights)
                .Select(x => x.Format));
        }

        if (requested.Checks.Any(c => c.Constraint == FitConstraint.ShaderF16Missing && !c.Passes))
        {
            ladder.AddRange(formats.Take(start).Reverse().Where(f => !f.RequiresShaderF16 && !ladder.Contains(f)));
        }

        return ladder;
    }

    /// <summary>
    /// The runtime's default format, or, when it needs WebGPU's shader-f16 and the device's browser lacks it, the
    /// nearest format that does not (WebLLM q4f16_1 → q4f32_1, Transformers.js q4f16 → q4).
    /// </summary>
    /// <param name="device">The device.</param>
    /// <param name="runtime">The runtime.</param>
    /// <returns>A format of <paramref name="runtime"/>.</returns>
    public static WeightFormat DefaultFormatFor(DeviceProfile device, RuntimeProfile runtime)
    {
        ArgumentNullException.ThrowIfNull(device);
        ArgumentNullException.ThrowIfNull(runtime);
        var format = runtime.FindFormat(runtime.DefaultFormat) ?? runtime.Formats[^1];
        if (!format.RequiresShaderF16 || device.WebGpu is not { ShaderF16: false }) return format;
        var formats = runtime.Formats.ToList();
        int at = formats.IndexOf(format);
        return formats.Skip(at + 1).FirstOrDefault(f => !f.RequiresShaderF16)
            ?? formats.Take(at).Reverse().FirstOrDefault(f => !f.RequiresShaderF16)
            ?? format;
    }

    /// <summary>Analyzes the fit.</summary>
    /// <param name="device">Device profile.</param>
    /// <param name="runtime">Runtime.</param>
    /// <param name="format">Requested format; null = the runtime's 16-bit rung (<see cref="RuntimeProfile.LadderStart"/>),
    /// walking down until one fits.</param>
    /// <param name="contextTokens">Requested context; null = <see cref="MemoryEstimator.DefaultContextTokens"/>.</param>
    /// <returns>The report (numbers are finite).</returns>
    /// <exception cref="ArgumentException">The format is not one of the runtime's.</exception>
    public FitReport Analyze(DeviceProfile device, RuntimeProfile runtime, WeightFormat? format = null, long? contextTokens = null)
    {
        ArgumentNullException.ThrowIfNull(device);
        ArgumentNullException.ThrowIfNull(runtime);
        // A runtime with several execution targets (Transformers.js: WebGPU, then wasm) falls back to the next one
        // when nothing fits on the first; the first target's report stands when none does better.
        FitReport? first = null;
        foreach (var target in Targets(device, runtime))
        {
            var report = AnalyzeOn(device, runtime, format, contextTokens, target);
            first ??= report;
            if (report.Outcome != FitOutcome.DoesNotFit)
            {
                return ReferenceEquals(report, first) ? report : report with
                {
                    Reason = $"{report.Reason} ({TargetName(report.Requested.Target)}; on {TargetName(first.Requested.Target)} {first.Reason})",
                };
            }
        }

        return first!;
    }

    private FitReport AnalyzeOn(DeviceProfile device, RuntimeProfile runtime, WeightFormat? format, long? contextTokens, ExecutionTarget target)
    {
        // No format asked for: start at the 16-bit rung of the precision ladder (F16 / q0f16 / fp16) and walk down.
        bool ladderMode = format is null;
        format ??= _stored ?? runtime.FindFormat(runtime.LadderStart) ?? runtime.Formats[0];
        var requestedMemory = Memory(runtime, format, contextTokens);
        long context = requestedMemory.ContextTokens;
        var requested = Evaluate(device, runtime, requestedMemory, target);

        FitVariant? best = requested.Fits ? requested : null;
        // What finally blocks when nothing fits: the smallest variant at the shortest context tried.
        FitVariant smallest = requested;
        var ladder = Ladder(runtime, format, requested, context);
        FitVariant Try(WeightFormat f, long c)
        {
            var v = Evaluate(device, runtime, Memory(runtime, f, c), target);
            // Named when nothing fits: the shortest context, then a variant the device could run at all (no failing
            // feature such as shader-f16: WebLLM's q4f32_1 rather than q3f16_1 on a phone), then the smallest.
            static bool Runnable(FitVariant x) => !x.Checks.Any(k => k.Constraint.IsFeature() && !k.Passes);
            if (v.ContextTokens < smallest.ContextTokens
                || (v.ContextTokens == smallest.ContextTokens && Runnable(v) && !Runnable(smallest))
                || (v.ContextTokens == smallest.ContextTokens && Runnable(v) == Runnable(smallest) && v.Memory.TotalBytes < smallest.Memory.TotalBytes))
            {
                smallest = v;
            }

            return v;
        }

        // No browser at all: no format or context can help, so the ladder is not walked.
        bool hopeless = requested.Checks.Any(c => (c.Constraint is FitConstraint.NoWebGpu or FitConstraint.UnsupportedArchitecture) && !c.Passes);

        if (best is not null && ladderMode && _stored is null && PartiallyOffloaded(best))
        {
            // Splitting layers between VRAM and system RAM runs at host-RAM speed; when no format was asked for, a
            // lower precision that fits entirely in VRAM is the better answer (the split stays the fallback).
            var full = ladder.Select(f => Try(f, context)).FirstOrDefault(v => v.Fits && !PartiallyOffloaded(v));
            if (full is not null) best = full;
        }

        if (best is null && _stored is null && !hopeless)
        {
            best = FirstFit(ladder.Select(f => Try(f, context)));
        }

        if (best is null && _stored is null && !hopeless)
        {
            foreach (long c in ContextSteps(context))
            {
                best = FirstFit(ladder.Select(f => Try(f, c)));
                if (best is not null) break;
            }
        }

        var last = best ?? smallest;
        var chosen = best ?? smallest;
        var speed = Speed(device, chosen);
        long downloadBytes = KnownDownloadBytes is { } known && chosen.Format == requested.Format ? known : chosen.Memory.Weights.TotalBytes;
        var networks = new List<NetworkClass> { device.Network };
        networks.AddRange(NetworkClass.All.Where(n => n.Id != device.Network.Id && n.Id != NetworkClass.DataCenter.Id));
        var download = networks.Select(n => new DownloadTime(n, SpeedEstimator.DownloadSeconds(downloadBytes, n.DownloadMbps))).ToArray();

        var outcome = requested.Fits && best == requested ? FitOutcome.Fits : best is not null ? FitOutcome.FitsWithChanges : FitOutcome.DoesNotFit;
        return new FitReport
        {
            ModelName = ModelName,
            Device = device,
            Runtime = runtime,
            Outcome = outcome,
            Requested = requested,
            Best = best,
            Speed = speed,
            Download = download,
            DownloadBytes = downloadBytes,
            Reason = Explain(outcome, requested, best, last),
            Warnings = Warnings(runtime, requested, best, context),
            LastTried = last,
            GeneratesTokens = _architecture is null || _architecture.Kind != TransformerKind.EncoderOnly,
            TightFit = best is not null && IsTight(best),
        };
    }

    /// <summary>The first variant that fits, preferring one that fits entirely in VRAM over an earlier CPU/GPU split
    /// (a split runs at system-RAM speed: for Mixtral on a 24 GiB card, Q8_0 with 15 of 32 layers on the GPU is ~15×
    /// slower than Q3_K_M entirely in VRAM).</summary>
    private FitVariant? FirstFit(IEnumerable<FitVariant> variants)
    {
        FitVariant? split = null;
        foreach (var v in variants)
        {
            if (!v.Fits) continue;
            if (!PartiallyOffloaded(v)) return v;
            split ??= v;
        }

        return split;
    }

    /// <summary>Under 10% of the memory budget (app memory or VRAM) left.</summary>
    private static bool IsTight(FitVariant v) =>
        v.MemoryCheck is { AvailableBytes: > 0 } memory
        && memory.HeadroomBytes < memory.AvailableBytes / 10;

    private bool PartiallyOffloaded(FitVariant v) => v.GpuLayers is { } n && _architecture is { LayerCount: > 0 } a && n < a.LayerCount;

    private static string TargetName(ExecutionTarget t) => t switch
    {
        ExecutionTarget.BrowserWebGpu => "WebGPU in the browser",
        ExecutionTarget.BrowserWasm => "wasm in the browser",
        ExecutionTarget.NativeGpu => "the GPU",
        _ => "the CPU",
    };

    /// <summary>Shorter contexts to try, longest first: the model's trained maximum when the request exceeds it, then the
    /// power-of-two steps below the request.</summary>
    private IEnumerable<long> ContextSteps(long context)
    {
        // Contexts between the trained maximum and an over-long request are no better than the request: skip them.
        long cap = _architecture is { ContextLength: > 0 } a && a.ContextLength < context ? a.ContextLength : context;
        var steps = new SortedSet<long>(ContextLadder.Where(c => c < cap));
        if (cap < context) steps.Add(cap);
        return steps.Reverse();
    }

    private List<string> Warnings(RuntimeProfile runtime, FitVariant requested, FitVariant? best, long context)
    {
        var warnings = new List<string>();
        if (best is not null && IsTight(best) && best.MemoryCheck is var memory)
        {
            warnings.Add($"{best.Format.Name} leaves only {Units.FormatBinary(memory.HeadroomBytes)} ({Units.Percent((double)memory.HeadroomBytes / memory.AvailableBytes)}) of the {memory.Constraint.Describe()} budget: "
                + "other apps, the OS or a longer conversation can push it out; a smaller format or a shorter context leaves room");
        }

        if (_architecture is { ContextLength: > 0 } arch && context > arch.ContextLength)
        {
            warnings.Add($"the requested context of {context} tokens exceeds the {arch.ContextLength} tokens the model was trained for (max_position_embeddings); quality beyond it is not guaranteed");
        }

        if (runtime.Id == Runtimes.TransformersJs.Id && requested.Memory.Weights.TotalBytes > int.MaxValue)
        {
            warnings.Add($"{requested.Format.Name} weights are {Units.FormatBoth(requested.Memory.Weights.TotalBytes)}: above protobuf's 2 GB cap for one ONNX file, so the model must be published with external data (model.onnx_data), which Transformers.js v3 loads with use_external_data_format");
        }

        return warnings;
    }

    private MemoryEstimate Memory(RuntimeProfile runtime, WeightFormat format, long? context)
    {
        long key = context ?? -1;
        if (!_cache.TryGetValue((runtime.Id + "/" + format.Name, key), out var m))
        {
            m = _architecture is null
                ? StoredMemory(runtime, _stored!, context)
                : MemoryEstimator.Estimate(_architecture, runtime, format, context);
            _cache[(runtime.Id + "/" + format.Name, key)] = m;
        }

        return m;
    }

    private static MemoryEstimate StoredMemory(RuntimeProfile runtime, StoredWeightFormat f, long? context)
    {
        var weights = new WeightBytes(f.StoredBytes, f.StoredBytes, f.StoredBytes, "(unknown: largest tensor not derived)", 0,
            f.Parameters == 0 ? 0 : f.StoredBytes * 8.0 / f.Parameters);
        var kv = new KvCacheEstimate(0, context ?? 0, 1, TensorDataType.F16, 0, 0, 0, "unknown: the file carries no architecture");
        return new MemoryEstimate
        {
            Runtime = runtime,
            Format = f,
            ContextTokens = context ?? 0,
            ContextDefaulted = context is null,
            Weights = weights,
            KvCache = kv,
            ComputeBufferBytes = 0,
            OverheadBytes = runtime.OverheadBytes,
            Terms =
            [
                new MemoryTerm("weights", f.StoredBytes, "exact tensor bytes of the file"),
                new MemoryTerm("KV cache", 0, "unknown: no architecture (put the model's config.json beside the file)"),
                new MemoryTerm("compute buffers", 0, "unknown: no architecture"),
                new MemoryTerm("runtime overhead", runtime.OverheadBytes, runtime.OverheadSource),
            ],
        };
    }

    /// <summary>
    /// Where the runtime can execute on this device, in the runtime's order of preference. Native GPU backends:
    /// discrete GPUs; Apple Silicon and iPads (Metal); laptop iGPUs (Vulkan/SYCL). Phones run llama.cpp on the CPU in
    /// practice (its Android GPU backends are experimental), but MediaPipe LLM Inference runs on their GPU natively
    /// (Android/iOS), so MediaPipe on a phone or tablet is a native app, not a browser tab. Browser targets need a
    /// browser: a profile without WebGPU limits (data-centre GPUs) has none.
    /// </summary>
    private static List<ExecutionTarget> Targets(DeviceProfile device, RuntimeProfile runtime)
    {
        bool phone = device.Category is DeviceCategory.LowEndPhone or DeviceCategory.MidRangePhone or DeviceCategory.FlagshipPhone or DeviceCategory.Tablet;
        bool apple = device.Platform.Contains("iOS", StringComparison.OrdinalIgnoreCase) || device.Platform.Contains("iPadOS", StringComparison.OrdinalIgnoreCase);
        bool mediaPipe = runtime.Id == Runtimes.MediaPipe.Id;
        bool hasGpu = device.GpuMemoryBytes is not null
            || device.Category is DeviceCategory.AppleSilicon or DeviceCategory.Tablet or DeviceCategory.IntegratedGpuLaptop or DeviceCategory.DataCenterGpu
            || (device.UnifiedMemory && device.GpuFp16Tflops is not null && !phone)
            || apple // llama.cpp's Metal backend runs on iPhones as on iPads (same GPU family)
            || (mediaPipe && phone);
        // MediaPipe LLM Inference ships native APIs for Android and iOS only; elsewhere it is the web API.
        var order = mediaPipe
            ? (phone ? runtime.Targets.OrderBy(t => t == ExecutionTarget.NativeGpu ? 0 : 1).ToList() : runtime.Targets.Where(t => t == ExecutionTarget.BrowserWebGpu).ToList())
            : runtime.Targets.ToList();
        var targets = order.Where(t => t switch
        {
            ExecutionTarget.NativeGpu => hasGpu,
            ExecutionTarget.BrowserWebGpu or ExecutionTarget.BrowserWasm => device.WebGpu is not null,
            _ => true,
        }).ToList();
        // None usable (a browser runtime on a device without a browser): evaluate the first, whose checks say why.
        return targets.Count > 0 ? targets : [runtime.Targets[0]];
    }

    private FitVariant Evaluate(DeviceProfile device, RuntimeProfile runtime, MemoryEstimate m, ExecutionTarget target)
    {
        var checks = new List<FitCheck>();
        int? gpuLayers = null;
        long total = m.TotalBytes;
        bool browser = target is ExecutionTarget.BrowserWebGpu or ExecutionTarget.BrowserWasm;
        bool discrete = device.GpuMemoryBytes is not null && !device.UnifiedMemory;
        if (target == ExecutionTarget.NativeGpu && discrete)
        {
            long vram = (long)(device.GpuMemoryBytes!.Value * _assumptions.UsableVramFraction);
            if (total <= vram || !runtime.SupportsPartialOffload)
            {
                string layers = _architecture is { LayerCount: > 0 } arch ? $"all {arch.LayerCount} layers" : "all layers";
                checks.Add(new FitCheck(FitConstraint.Vram, total, vram, $"{layers}, KV cache and buffers in {Units.FormatBinary(vram)} usable VRAM"));
            }
            else
            {
                // Partial offload (llama.cpp -ngl): KV cache of offloaded layers, buffers and overhead on the GPU; the
                // remaining layers and the non-layer weights in system RAM.
                int layers = Math.Max(1, _architecture?.LayerCount ?? 1);
                long perLayer = Math.Max(1, m.Weights.PerLayerBytes + m.KvCache.Bytes / layers);
                long fixedGpu = m.ComputeBufferBytes + m.OverheadBytes;
                int n = (int)Math.Clamp((vram - fixedGpu) / perLayer, 0, layers);
                gpuLayers = n;
                long onGpu = fixedGpu + n * perLayer;
                long onHost = total - onGpu;
                checks.Add(new FitCheck(FitConstraint.Vram, onGpu, vram, $"{n} of {Units.Plural(layers, "layer")} offloaded to the GPU (-ngl {n})"));
                checks.Add(new FitCheck(FitConstraint.HostRam, onHost, device.AppMemoryLimitBytes, $"{layers - n} {(layers - n == 1 ? "layer" : "layers")} and the embedding in system RAM"));
            }
        }
        else if (target == ExecutionTarget.BrowserWebGpu && discrete)
        {
            long vram = (long)(device.GpuMemoryBytes!.Value * _assumptions.UsableVramFraction);
            checks.Add(new FitCheck(FitConstraint.Vram, total, vram, "weights, KV cache and buffers in WebGPU buffers on the discrete GPU"));
        }
        else
        {
            checks.Add(new FitCheck(FitConstraint.AppMemory, total, device.AppMemoryLimitBytes,
                browser ? "the browser tab's share of memory (unified / system RAM)" : "memory one app may use (OS reserve excluded)"));
        }

        if (runtime.Id == Runtimes.WebLlm.Id && _architecture is { } model && !MlcModelDefinitions.Supports(model))
        {
            checks.Add(new FitCheck(FitConstraint.UnsupportedArchitecture, 1, 0,
                $"WebLLM runs only models MLC LLM can compile, and MLC has no model definition for '{model.Family}'"));
        }

        if (browser && device.WebGpu is null)
        {
            checks.Add(new FitCheck(FitConstraint.NoWebGpu, 1, 0, $"{runtime.DisplayName} runs in a browser; this device profile has no browser (no WebGPU limits)"));
        }

        if (target == ExecutionTarget.BrowserWebGpu && device.WebGpu is { } gpu)
        {
            long limit = Math.Min(gpu.MaxStorageBufferBindingSizeBytes, gpu.MaxBufferSizeBytes);
            checks.Add(new FitCheck(FitConstraint.WebGpuBufferLimit, m.Weights.LargestTensorBytes, limit,
                $"largest tensor ({m.Weights.LargestTensorName}) in one storage buffer (maxStorageBufferBindingSize {Units.FormatBinary(gpu.MaxStorageBufferBindingSizeBytes)}, {gpu.Browser})"));
            if (m.Format.RequiresShaderF16)
            {
                checks.Add(new FitCheck(FitConstraint.ShaderF16Missing, 1, gpu.ShaderF16 ? 1 : 0,
                    gpu.ShaderF16 ? "shader-f16 available" : $"{m.Format.Name} needs the WebGPU shader-f16 feature, which {gpu.Browser} does not expose on this device"));
            }
        }

        if (target == ExecutionTarget.BrowserWasm)
        {
            checks.Add(new FitCheck(FitConstraint.Wasm4GiB, total, 4L << 30, "wasm32 linear memory is at most 4 GiB (weights, KV cache and buffers live in it)"));
        }

        long download = KnownDownloadBytes ?? m.Weights.TotalBytes;
        var (storage, quotaRule) = browser ? BrowserQuota(device) : (device.FreeStorageBytes, "download stored on the device's free storage");
        checks.Add(new FitCheck(FitConstraint.Storage, download, storage, quotaRule));
        return new FitVariant(m.Format, m.ContextTokens, target, gpuLayers, m, checks);
    }

    /// <summary>
    /// The origin storage quota a browser grants for caching the model (Cache Storage / IndexedDB / OPFS), from the
    /// device's free space as the stand-in for the disk it can see: Chromium gives an origin up to 60% of the disk
    /// (web.dev "Storage for the web", Chrome 110+); Firefox's best-effort limit is 10% of the disk or 10 GiB per
    /// eTLD+1 group, whichever is smaller (MDN "Storage quotas and eviction criteria"); Safari 17+ grants a browser
    /// origin about 60% of the disk (WebKit blog "Updates to Storage Policy", 2023).
    /// </summary>
    private static (long Bytes, string Rule) BrowserQuota(DeviceProfile device)
    {
        string browser = device.WebGpu?.Browser ?? device.Platform;
        long free = device.FreeStorageBytes;
        if (browser.Contains("Firefox", StringComparison.OrdinalIgnoreCase))
        {
            return (Math.Min(free / 10, 10L << 30), "Firefox origin quota: min(10% of the disk, 10 GiB), taken here of the free space");
        }

        return browser.Contains("Safari", StringComparison.OrdinalIgnoreCase)
            ? ((long)(free * 0.6), "Safari 17+ origin quota: ~60% of the disk, taken here of the free space")
            : ((long)(free * 0.6), "Chromium origin quota: 60% of the disk, taken here of the free space");
    }

    /// <summary>CPU cores weighted by kind: big cores count 1, efficiency cores <see cref="EstimationAssumptions.LittleCoreShare"/>.</summary>
    private double EffectiveCores(DeviceProfile device) =>
        device.CpuBigCores is { } big && big > 0 && big < device.CpuCores
            ? big + ((device.CpuCores - big) * _assumptions.LittleCoreShare)
            : device.CpuCores;

    private SpeedEstimate Speed(DeviceProfile device, FitVariant v)
    {
        double tflops = v.Target is ExecutionTarget.NativeGpu or ExecutionTarget.BrowserWebGpu
            ? device.GpuFp16Tflops ?? device.GpuFp32Tflops ?? device.MemoryBandwidthGBps * _assumptions.GpuTflopsPerGBps
            : EffectiveCores(device) * _assumptions.CpuTflopsPerCore;
        // A device profile's bandwidth is that of the memory the model lives in: VRAM on a discrete GPU. CPU and wasm
        // execution there reads system RAM instead (EstimationAssumptions.HostRamBandwidthGBps).
        bool discrete = device.GpuMemoryBytes is not null && !device.UnifiedMemory;
        double bandwidth = discrete && v.Target is ExecutionTarget.NativeCpu or ExecutionTarget.BrowserWasm
            ? _assumptions.HostRamBandwidthGBps
            : device.MemoryBandwidthGBps;
        if (v.GpuLayers is { } n && _architecture is { LayerCount: > 0 } a && n < a.LayerCount)
        {
            // Time per token adds up: GPU layers at VRAM bandwidth, CPU layers at host RAM bandwidth.
            double gpuShare = (double)n / a.LayerCount;
            bandwidth = 1 / (gpuShare / device.MemoryBandwidthGBps + (1 - gpuShare) / _assumptions.HostRamBandwidthGBps);
        }

        return SpeedEstimator.Estimate(v.Memory, _activeParameters, bandwidth, Math.Max(tflops, 1e-3), v.Target, null, _assumptions,
            _architecture?.LayerCount ?? 0);
    }

    private string Explain(FitOutcome outcome, FitVariant requested, FitVariant? best, FitVariant last)
    {
        static string At(FitVariant v) => v.ContextTokens > 0 ? $" at {v.ContextTokens} tokens" : string.Empty;
        static string Why(FitCheck c) => c.Constraint.IsFeature()
            ? c.Detail
            : $"{Units.FormatBinary(c.RequiredBytes)} needed vs {Units.FormatBinary(c.AvailableBytes)} available";
        static string Failures(FitVariant v)
        {
            var failing = v.Checks.Where(c => !c.Passes).OrderBy(c => c.HeadroomBytes).ToList();
            return string.Join(" and ", failing.Select(c => $"{c.Constraint.Describe()} ({Why(c)})"));
        }

        string Split(FitVariant v) => v.GpuLayers is { } n && _architecture is { LayerCount: > 0 } a && n < a.LayerCount
            ? $" with {n} of {Units.Plural(a.LayerCount, "layer")} on the GPU (-ngl {n}; the rest runs at system-RAM speed)"
            : string.Empty;

        var b = requested.Binding;
        return outcome switch
        {
            FitOutcome.Fits => $"{requested.Format.Name}{At(requested)} fits{Split(requested)}; tightest constraint {b.Constraint.Describe()} ({Units.FormatBinary(b.HeadroomBytes)} headroom)",
            FitOutcome.FitsWithChanges when requested.Fits =>
                $"{requested.Format.Name} fits only{Split(requested)}; use {best!.Format.Name}{At(best)}, which fits entirely in VRAM",
            FitOutcome.FitsWithChanges => $"{requested.Format.Name} does not fit ({b.Constraint.Describe()}: {Why(b)}); "
                + $"use {best!.Format.Name}{At(best)}{Split(best)}",
            _ => last == requested
                ? $"{requested.Format.Name} fails on {Failures(requested)}"
                : $"{requested.Format.Name} fails on {b.Constraint.Describe()}, and even {last.Format.Name}{At(last)} fails on {Failures(last)}",
        };
    }
}

/// <summary>The weights exactly as a file stores them, when no architecture is known to re-derive other formats.</summary>
public sealed record StoredWeightFormat : WeightFormat
{
    /// <summary>Bytes of the stored weights.</summary>
    public required long StoredBytes { get; init; }

    /// <summary>Parameters they hold.</summary>
    public required long Parameters { get; init; }

    /// <inheritdoc />
    public override WeightBytes ComputeBytes(ModelArchitecture architecture, IReadOnlyList<ArchitectureWeight> weights) =>
        new(StoredBytes, StoredBytes, StoredBytes, "(unknown)", 0, Parameters == 0 ? 0 : StoredBytes * 8.0 / Parameters);
}
