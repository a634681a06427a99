using LlmSize.Core.Devices;
using LlmSize.Core.Models.Architectures;
using LlmSize.Core.Precision;

namespace LlmSize.Core.Estimation.Fit;

/// <summary>
/// Meets one model's memory estimates with device profiles: checks memory (app limit, VRAM, host RAM for partial
/// offload), browser limits (WebGPU buffer size, shader-f16, wasm32 4 GiB) and storage; walks the runtime's precision
/// ladder and shorter contexts to find the best variant that fits; estimates speed and download time. Weights are
/// computed once per format and memory once per (format, context), so checking one model against every device is
/// cheap. Everything that differs by runtime is asked of the <see cref="RuntimeProfile"/>.
/// </summary>
/// <remarks>Front ends use <see cref="FitPipeline"/>, which turns a <see cref="FitRequest"/> into this analyzer's
/// inputs; this type is the ladder walk itself.</remarks>
public sealed class FitAnalyzer
{
    private static readonly long[] ContextLadder = [131072, 65536, 32768, 16384, 8192, 4096, 2048, 1024, 512];
    private readonly ModelArchitecture? _architecture;
    private readonly StoredWeightFormat? _stored;
    private readonly long _activeParameters;
    private readonly Dictionary<(RuntimeProfile, WeightFormat, long), MemoryEstimate> _memory = [];
    private readonly Dictionary<WeightFormat, WeightBytes> _weights = [];
    private readonly Dictionary<WeightFormat, long> _pinned = [];
    private readonly EstimationAssumptions _assumptions;
    private readonly RuntimeSettings _settings = RuntimeSettings.Default;
    private IReadOnlyList<ArchitectureWeight>? _architectureWeights;

    /// <summary>Creates an analyzer for one model.</summary>
    /// <param name="architecture">The model's hyper-parameters.</param>
    /// <param name="modelName">Display name.</param>
    /// <param name="downloadBytes">Exact download bytes of the files, when they hold the format that will be checked
    /// first (<see cref="StoredFormat"/>); null = estimate every download from the format.</param>
    /// <param name="assumptions">Efficiency factors; null = defaults.</param>
    /// <param name="storedFormat">The format the files store (a GGUF's file type), whose download is
    /// <paramref name="downloadBytes"/>; null = the format first checked.</param>
    /// <param name="settings">The runtime's start-up settings (llama.cpp cache types, flash attention, <c>-ngl</c>,
    /// batch, sequences, mmap); null = <see cref="RuntimeSettings.Default"/>. Validated by <see cref="FitPipeline"/>.</param>
    /// <exception cref="ArgumentNullException"><paramref name="architecture"/> is null.</exception>
    public FitAnalyzer(ModelArchitecture architecture, string modelName, long? downloadBytes = null, EstimationAssumptions? assumptions = null,
        WeightFormat? storedFormat = null, RuntimeSettings? settings = null)
    {
        _architecture = architecture ?? throw new ArgumentNullException(nameof(architecture));
        _settings = settings ?? RuntimeSettings.Default;
        ModelName = modelName;
        KnownDownloadBytes = downloadBytes;
        StoredFormat = storedFormat;
        _assumptions = assumptions ?? EstimationAssumptions.Default;
        // Tokens/s follow the language model: a vision tower and projector run once per image, not per token.
        var counted = ParameterCalculator.Count(architecture);
        _activeParameters = counted.TextActivePerToken > 0 ? counted.TextActivePerToken : counted.ActivePerToken;
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
        StoredFormat = _stored;
    }

    /// <summary>The model's display name.</summary>
    public string ModelName { get; }

    /// <summary>Exact download bytes of the files, when known.</summary>
    public long? KnownDownloadBytes { get; }

    /// <summary>The format the files store, whose download is <see cref="KnownDownloadBytes"/>; null = the first format
    /// checked.</summary>
    public WeightFormat? StoredFormat { get; }

    /// <summary>
    /// The runtime's default format, or, when it needs WebGPU's shader-f16 and the device's browser lacks it, the
    /// nearest format that does not (WebLLM q4f16_1 → q4f32_1, Transformers.js q4f16 → q4).
    /// </summary>
    /// <param name="device">The device.</param>
    /// <param name="runtime">The runtime.</param>
    /// <returns>A format of <paramref name="runtime"/>.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
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
        foreach (var target in runtime.ExecutionTargets(device))
        {
            var report = AnalyzeOn(device, runtime, format, contextTokens, target);
            first ??= report;
            if (report.Outcome != FitOutcome.DoesNotFit)
            {
                return ReferenceEquals(report, first) ? report : report with
                {
                    Reason = $"{report.Reason} ({report.Requested.Target.Describe()}; on {first.Requested.Target.Describe()} {first.Reason})",
                };
            }
        }

        return first!;
    }

    /// <summary>Granularity of <see cref="LongestContext(DeviceProfile, RuntimeProfile, FitReport)"/>: 256 tokens, llama.cpp's n_ctx padding.</summary>
    public const int LongestContextStep = 256;

    /// <summary>
    /// The longest context at which the format <paramref name="report"/> chose (its <see cref="FitReport.Chosen"/>) fits
    /// the device on the same execution target: a binary search over multiples of <see cref="LongestContextStep"/> up to
    /// the model's trained maximum (and the maximum itself), each step the same memory estimate and checks as the
    /// report. Memory grows with the context, so the answer is the boundary.
    /// </summary>
    /// <param name="device">The device of the report.</param>
    /// <param name="runtime">The runtime of the report.</param>
    /// <param name="report">A report of this analyzer.</param>
    /// <returns>The answer, or null when the model's architecture is unknown (no KV cache to size).</returns>
    public LongestContext? LongestContext(DeviceProfile device, RuntimeProfile runtime, FitReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        return LongestContext(device, runtime, report.Chosen, StoredFormat ?? report.Requested.Format);
    }

    /// <summary>The longest context at which <paramref name="variant"/>'s format fits the device on its execution
    /// target (<see cref="LongestContext(DeviceProfile, RuntimeProfile, FitReport)"/>; what <c>shrink</c> shows per
    /// option).</summary>
    /// <param name="device">The device.</param>
    /// <param name="runtime">The runtime of the variant.</param>
    /// <param name="variant">A variant this analyzer evaluated.</param>
    /// <param name="storedFormat">The format whose download is the files' bytes; null = <see cref="StoredFormat"/>, else the variant's.</param>
    /// <returns>The answer, or null when the architecture is unknown.</returns>
    public LongestContext? LongestContext(DeviceProfile device, RuntimeProfile runtime, FitVariant variant, WeightFormat? storedFormat = null)
    {
        ArgumentNullException.ThrowIfNull(device);
        ArgumentNullException.ThrowIfNull(runtime);
        ArgumentNullException.ThrowIfNull(variant);
        if (_architecture is null) return null;
        var chosen = variant;
        var stored = storedFormat ?? StoredFormat ?? variant.Format;
        long limit = _architecture.ContextLength > 0 ? _architecture.ContextLength : Math.Max(chosen.ContextTokens, MemoryEstimator.DefaultContextTokens);
        long steps = (limit + LongestContextStep - 1) / LongestContextStep;
        long Context(long k) => Math.Min(k * LongestContextStep, limit);
        FitVariant At(long k) => Evaluate(device, runtime, Memory(runtime, chosen.Format, Context(k)), chosen.Target, stored);

        // Invariant: step lo fits (0 = none known), step hi + 1 does not (steps + 1 = beyond the limit).
        long lo = 0, hi = steps;
        FitVariant? best = null;
        while (lo < hi)
        {
            long mid = lo + ((hi - lo + 1) / 2);
            var v = At(mid);
            if (v.Fits)
            {
                lo = mid;
                best = v;
            }
            else
            {
                hi = mid - 1;
            }
        }

        if (lo > 0 && best is null) best = At(lo);
        return new LongestContext(chosen.Format.Name, lo == 0 ? 0 : Context(lo), limit, LongestContextStep, best);
    }

    private FitReport AnalyzeOn(DeviceProfile device, RuntimeProfile runtime, WeightFormat? format, long? contextTokens, ExecutionTarget target)
    {
        // No format asked for: start at the 16-bit rung of the precision ladder (F16 / q0f16 / fp16) and walk down.
        bool ladderMode = format is null;
        format ??= _stored ?? runtime.FindFormat(runtime.LadderStart) ?? runtime.Formats[0];
        var requestedMemory = Memory(runtime, format, contextTokens);
        long context = requestedMemory.ContextTokens;
        // The files' exact bytes are the download of the format they store, else of the format asked for first.
        var stored = StoredFormat ?? format;
        var requested = Evaluate(device, runtime, requestedMemory, target, stored);

        FitVariant? best = requested.Fits ? requested : null;
        // What finally blocks when nothing fits: the smallest variant at the shortest context tried.
        FitVariant smallest = requested;
        var ladder = Ladder(runtime, format, requested, context);
        FitVariant Try(WeightFormat f, long c)
        {
            var v = Evaluate(device, runtime, Memory(runtime, f, c), target, stored);
            // Named when nothing fits: the shortest context, then a variant the device could run at all (no failing
            // feature such as shader-f16: WebLLM's q4f32_1 rather than q3f16_1 on a phone), then the smallest.
            if (v.ContextTokens < smallest.ContextTokens
                || (v.ContextTokens == smallest.ContextTokens && v.IsRunnable && !smallest.IsRunnable)
                || (v.ContextTokens == smallest.ContextTokens && v.IsRunnable == smallest.IsRunnable && v.Memory.TotalBytes < smallest.Memory.TotalBytes))
            {
                smallest = v;
            }

            return v;
        }

        // No browser at all, or an architecture the runtime cannot run: no format or context can help.
        bool hopeless = requested.Checks.Any(c => c.Constraint.IsHopeless() && !c.Passes);
        bool walk = _stored is null && !hopeless;

        if (best is not null && ladderMode && walk && FitVariant.Preference(best) > 0)
        {
            // Splitting layers between VRAM and system RAM runs at host-RAM speed, and a tight fit can be pushed out by
            // other apps; when no format was asked for, a lower precision that fits comfortably (entirely in VRAM first)
            // is the better answer (FitVariant.Preference; the first variant stays the fallback).
            var better = FirstFit(ladder.Select(f => Try(f, context)));
            if (better is not null && FitVariant.Preference(better) < FitVariant.Preference(best)) best = better;
        }

        if (best is null && walk)
        {
            best = FirstFit(ladder.Select(f => Try(f, context)));
        }

        if (best is null && walk)
        {
            foreach (long c in ContextSteps(context))
            {
                best = FirstFit(ladder.Select(f => Try(f, c)));
                if (best is not null) break;
            }
        }

        // A higher precision that fits only tightly, passed over for a comfortable fit: named in the warnings.
        FitVariant? passedOver = null;
        if (best is { IsTight: false } && walk)
        {
            foreach (var f in ladder)
            {
                if (f.Equals(best.Format)) break;
                var v = Try(f, best.ContextTokens);
                if (v.Fits && v.IsTight && v.Memory.Weights.TotalBytes > best.Memory.Weights.TotalBytes)
                {
                    passedOver = v;
                    break;
                }
            }
        }

        var chosen = best ?? smallest;
        long downloadBytes = DownloadBytes(chosen.Memory, stored);
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
            Speed = SpeedEstimator.ForVariant(device, chosen, _activeParameters, _assumptions),
            Download = download,
            DownloadBytes = downloadBytes,
            Reason = FitExplanation.Reason(outcome, requested, best, chosen),
            Warnings = Warnings(device, runtime, requested, best, chosen, context, passedOver),
            LastTried = chosen,
            GeneratesTokens = _architecture is null || _architecture.Kind != TransformerKind.EncoderOnly,
            HasArchitecture = _architecture is not null,
        };
    }

    /// <summary>
    /// The formats to try after <paramref name="format"/>: the runtime's list from that rung down (smaller formats);
    /// formats listed before it but smaller (WebLLM lists its f32 formats last); for a format off the ladder (llama.cpp's
    /// BF16, Q4_1, IQ3_M …), it and then every rung that weighs less; and, when the requested variant fails for lack of
    /// shader-f16, the f32-activation formats above it, nearest first (WebLLM ships q4f32_1 for exactly those devices;
    /// Transformers.js q4 for q4f16).
    /// </summary>
    private List<WeightFormat> Ladder(RuntimeProfile runtime, WeightFormat format, FitVariant requested, long context)
    {
        var formats = runtime.Formats.ToList();
        int at = formats.IndexOf(format);
        bool offLadder = at < 0 && format.Equals(runtime.FindFormat(format.Name));
        int start = Math.Max(0, at);
        List<WeightFormat> ladder = offLadder ? [format] : formats.Skip(start).ToList();
        if (_stored is null || offLadder)
        {
            // Lighter formats not below it on the list, heaviest first.
            long requestedWeights = requested.Memory.Weights.TotalBytes;
            ladder.AddRange((offLadder ? formats : formats.Take(start))
                .Select(f => (Format: f, Weights: Weights(f).TotalBytes))
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

    /// <summary>The first variant that fits with the best <see cref="FitVariant.Preference(FitVariant)"/>: comfortably and entirely
    /// in VRAM (or unified / system memory), then comfortably as a CPU/GPU split (a split runs at system-RAM speed: for
    /// Mixtral on a 24 GiB card, Q8_0 with 15 of 32 layers on the GPU is ~15× slower than Q3_K_M entirely in VRAM),
    /// then tight fits in the same order (<see cref="FitVariant.TightHeadroomFraction"/>).</summary>
    private static FitVariant? FirstFit(IEnumerable<FitVariant> variants)
    {
        FitVariant? pick = null;
        foreach (var v in variants)
        {
            if (!v.Fits) continue;
            if (pick is null || FitVariant.Preference(v) < FitVariant.Preference(pick)) pick = v;
            if (FitVariant.Preference(pick) == 0) break;
        }

        return pick;
    }

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

    /// <summary>The one download rule: the files' exact bytes for the format they store, else the weights in the
    /// estimate's format.</summary>
    private long DownloadBytes(MemoryEstimate memory, WeightFormat stored) =>
        KnownDownloadBytes is { } known && stored.Equals(memory.Format) ? known : memory.Weights.TotalBytes;

    /// <summary>Prompt (prefill) speed on the CPU is compute-bound: with no core count given it rests on an assumed one.</summary>
    private static string CoresAssumedWarning(DeviceProfile device) =>
        $"the prompt (prefill) speed assumes {Units.Plural(device.CpuCores, "CPU core")}: the device was described without a core count, so it is no better than the generation speed; pass --cores N (or a device with its cores) for a prompt estimate";

    private List<string> Warnings(DeviceProfile device, RuntimeProfile runtime, FitVariant requested, FitVariant? best, FitVariant chosen, long context, FitVariant? passedOver)
    {
        var warnings = new List<string>();
        if (passedOver is { } tight && best is not null && tight.Budget is var tb)
        {
            warnings.Add($"{tight.Format.Name} also fits{(tight.IsSplit ? $" (-ngl {tight.GpuLayers})" : string.Empty)} but leaves only {Units.FormatBinary(tb.HeadroomBytes)} ({Units.Percent((double)tb.HeadroomBytes / tb.AvailableBytes)}) of the {tb.Constraint.Describe()} budget, under the {Units.Percent(FitVariant.TightHeadroomFraction)} headroom rule: "
                + $"{best.Format.Name} is recommended instead (ask for {tight.Format.Name} with --quant {tight.Format.Name})");
        }

        if (best is { IsTight: true } && best.Budget is var budget)
        {
            warnings.Add($"{best.Format.Name} leaves only {Units.FormatBinary(budget.HeadroomBytes)} ({Units.Percent((double)budget.HeadroomBytes / budget.AvailableBytes)}) of the {budget.Constraint.Describe()} budget: "
                + "other apps, the OS or a longer conversation can push it out; a smaller format or a shorter context leaves room");
        }

        if (_architecture is { ContextLength: > 0 } arch && context > arch.ContextLength)
        {
            warnings.Add($"the requested context of {context} tokens exceeds the {arch.ContextLength} tokens the model was trained for (max_position_embeddings); quality beyond it is not guaranteed");
        }

        warnings.AddRange(runtime.Warnings(requested.Memory));
        if (device.CpuCoresAssumed && !chosen.Target.IsGpu()) warnings.Add(CoresAssumedWarning(device));
        return warnings;
    }

    /// <summary>Bytes of the tensors <c>-ot PATTERN=CPU</c> keeps in system RAM, in <paramref name="format"/>; 0 without
    /// overrides or for formats that are not GGUF file types.</summary>
    private long PinnedToCpuBytes(WeightFormat format)
    {
        if (_settings.OverrideTensor is null || _architecture is null || format is not GgufWeightFormat gguf) return 0;
        if (!_pinned.TryGetValue(format, out long bytes))
        {
            var patterns = _settings.CpuTensorPatterns();
            _architectureWeights ??= ParameterCalculator.EnumerateWeights(_architecture);
            bytes = gguf.BytesOfTensors(_architecture, _architectureWeights, name => patterns.Any(p => p.IsMatch(name)));
            _pinned[format] = bytes;
        }

        return bytes;
    }

    private WeightBytes Weights(WeightFormat format)
    {
        if (!_weights.TryGetValue(format, out var w))
        {
            _architectureWeights ??= ParameterCalculator.EnumerateWeights(_architecture!);
            w = format.ComputeBytes(_architecture!, _architectureWeights);
            _weights[format] = w;
        }

        return w;
    }

    private MemoryEstimate Memory(RuntimeProfile runtime, WeightFormat format, long? context)
    {
        var key = (runtime, format, context ?? -1);
        if (!_memory.TryGetValue(key, out var m))
        {
            m = _architecture is null
                ? MemoryEstimator.StoredWeights(runtime, _stored!, context)
                : MemoryEstimator.Estimate(_architecture, runtime, format, context, weights: Weights(format), settings: _settings);
            _memory[key] = m;
        }

        return m;
    }

    private FitVariant Evaluate(DeviceProfile device, RuntimeProfile runtime, MemoryEstimate m, ExecutionTarget target, WeightFormat stored)
    {
        var checks = new List<FitCheck>();
        int? gpuLayers = null;
        long pinned = 0;
        long total = m.TotalBytes;
        bool browser = target.IsBrowser();
        bool discrete = device.GpuMemoryBytes is not null && !device.UnifiedMemory;
        int layerCount = _architecture?.LayerCount ?? 0;
        if (target == ExecutionTarget.NativeGpu && discrete)
        {
            long vram = (long)(device.GpuMemoryBytes!.Value * _assumptions.UsableVramFraction);
            // An explicit -ngl (llama.cpp --gpu-layers) fixes the split; otherwise as many layers as fit.
            int? forced = runtime.SupportsPartialOffload && _settings.GpuLayers is { } g && layerCount > 0 ? Math.Min(g, layerCount) : null;
            // -ot PATTERN=CPU: the matching tensors (a MoE model's experts) stay in system RAM on every layer.
            pinned = runtime.SupportsPartialOffload ? PinnedToCpuBytes(m.Format) : 0;
            string pinnedHow = pinned > 0 ? $"; -ot {_settings.OverrideTensor}: {Units.FormatBinary(pinned)} of matching tensors in system RAM" : string.Empty;
            if ((forced is null && (total - pinned <= vram || !runtime.SupportsPartialOffload)) || forced == layerCount)
            {
                string layers = layerCount > 0 ? $"all {layerCount} layers" : "all layers";
                if (forced is not null || pinned > 0) gpuLayers = layerCount;
                checks.Add(new FitCheck(FitConstraint.Vram, total - pinned, vram, $"{layers}{(forced is null ? string.Empty : $" (-ngl {forced})")}, KV cache and buffers in {Units.FormatBinary(vram)} usable VRAM{pinnedHow}"));
                if (pinned > 0)
                {
                    checks.Add(new FitCheck(FitConstraint.HostRam, pinned, device.AppMemoryLimitBytes,
                        $"tensors matching -ot {_settings.OverrideTensor} in system RAM, {(_settings.Mmap ? "memory-mapped from the file (page cache)" : "read into process memory (--no-mmap)")}"));
                }
            }
            else
            {
                // Partial offload (llama.cpp -ngl): KV cache of offloaded layers, buffers and overhead on the GPU; the
                // remaining layers and the non-layer weights in system RAM.
                int layers = Math.Max(1, layerCount);
                long perLayer = Math.Max(1, m.Weights.PerLayerBytes - (pinned / layers) + m.KvCache.Bytes / layers);
                long fixedGpu = m.ComputeBufferBytes + m.OverheadBytes;
                int n = forced ?? (int)Math.Clamp((vram - fixedGpu) / perLayer, 0, layers);
                gpuLayers = n;
                long onGpu = fixedGpu + n * perLayer;
                long onHost = total - onGpu;
                string hostHow = _settings.Mmap ? "memory-mapped from the file (page cache)" : "read into process memory (--no-mmap)";
                checks.Add(new FitCheck(FitConstraint.Vram, onGpu, vram, $"{n} of {Units.Plural(layers, "layer")} offloaded to the GPU (-ngl {n}{(forced is null ? string.Empty : ", as asked")}){pinnedHow}"));
                checks.Add(new FitCheck(FitConstraint.HostRam, onHost, device.AppMemoryLimitBytes, $"{layers - n} {(layers - n == 1 ? "layer" : "layers")} and the embedding in system RAM, {hostHow}"));
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

        if (_architecture is { } model && runtime.UnsupportedReason(model) is { } unsupported)
        {
            checks.Add(new FitCheck(FitConstraint.UnsupportedArchitecture, 1, 0, unsupported));
        }

        if (target == ExecutionTarget.BrowserWebGpu && device.WebGpu is null || target == ExecutionTarget.BrowserWasm && device.WebGpu is null && !device.BrowserWithoutWebGpu)
        {
            checks.Add(new FitCheck(FitConstraint.NoWebGpu, 1, 0, device.BrowserWithoutWebGpu
                ? $"{runtime.DisplayName} needs WebGPU; this browser exposes none (navigator.gpu absent or no adapter)"
                : $"{runtime.DisplayName} runs in a browser; this device profile has no browser (no WebGPU limits)"));
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

        var (storage, quotaRule) = browser ? StorageQuota.Browser(device) : (device.FreeStorageBytes, "download stored on the device's free storage");
        checks.Add(new FitCheck(FitConstraint.Storage, DownloadBytes(m, stored), storage, quotaRule));
        return new FitVariant(m.Format, m.ContextTokens, target, gpuLayers, m, checks) { LayerCount = layerCount, HostPinnedBytes = pinned };
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
