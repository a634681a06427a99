using LlmSize.Core.Devices;
using LlmSize.Core.Models;
using LlmSize.Core.Models.Architectures;

namespace LlmSize.Core.Estimation;

/// <summary>
/// A runtime: its storage formats as a precision ladder (best quality first), where it executes, its fixed overheads,
/// and every rule in which runtimes differ — compute buffers, which sliding windows its KV cache honours, which
/// architectures it can run, where it executes on a device, and what to warn about. One sealed type per runtime
/// (<c>Estimation/Runtimes/*.cs</c>) overrides these rules; nothing outside those files asks which runtime it is.
/// Every constant states its source.
/// </summary>
/// <remarks>Design: one implementation per runtime chosen by the object, not a switch on an id (as llama.cpp's
/// <c>src/llama-memory.h</c> has one implementation per cache kind).</remarks>
public abstract class RuntimeProfile
{
    /// <summary>Id used on the command line ("llama.cpp", "webllm", "transformers.js", "onnxruntime", "mediapipe").</summary>
    public required string Id { get; init; }

    /// <summary>Display name.</summary>
    public required string DisplayName { get; init; }

    /// <summary>Storage formats, highest precision first: the ladder the fit verdict walks down.</summary>
    public required IReadOnlyList<WeightFormat> Formats { get; init; }

    /// <summary>The runtime's usual format (what its prebuilt models ship in).</summary>
    public required string DefaultFormat { get; init; }

    /// <summary>Where the fit check starts walking down the ladder when the user names no format: the 16-bit rung
    /// (F16 / q0f16 / fp16), so a report says whether the unquantized model fits before it suggests a quantization.
    /// Formats above it (fp32) are only checked when asked for.</summary>
    public required string LadderStart { get; init; }

    /// <summary>Execution targets the runtime supports; the first is preferred when the device allows it.</summary>
    public required IReadOnlyList<ExecutionTarget> Targets { get; init; }

    /// <summary>Fixed runtime overhead in bytes (library, GPU context, allocator slack), with its source.</summary>
    public required long OverheadBytes { get; init; }

    /// <summary>Why <see cref="OverheadBytes"/> is what it is.</summary>
    public required string OverheadSource { get; init; }

    /// <summary>Tokens processed per prefill step (llama.cpp n_ubatch 512, WebLLM's MLC libraries prefill_chunk_size 1024); sizes
    /// the compute buffers.</summary>
    public required int PrefillChunkTokens { get; init; }

    /// <summary>True when the runtime can keep some layers on the CPU and the rest on the GPU (llama.cpp -ngl).</summary>
    public bool SupportsPartialOffload { get; init; }

    /// <summary>True when the runtime maps the weights file (mmap) rather than copying it into its own heap.</summary>
    public bool MemoryMapsWeights { get; init; }

    /// <summary>File formats this runtime loads as they are (GGUF for llama.cpp, ONNX for Transformers.js, TFLite and
    /// <c>.task</c> for MediaPipe): a model read from such a file is checked with this runtime unless another is named.</summary>
    public IReadOnlyList<ModelFileFormat> NativeFileFormats { get; init; } = [];

    /// <summary>Finds a format by name, case-insensitively, then by the runtime's own spellings and off-ladder formats
    /// (<see cref="FindByRuntimeRules"/>: llama.cpp's aliases, ids and every <c>llama_ftype</c>).</summary>
    /// <param name="name">Format name.</param>
    /// <returns>The format, or null.</returns>
    public WeightFormat? FindFormat(string name) =>
        Formats.FirstOrDefault(f => string.Equals(f.Name, name, StringComparison.OrdinalIgnoreCase))
        ?? FindByRuntimeRules(name);

    /// <summary>A format the runtime knows by a name <see cref="Formats"/> does not spell: an alias or id of a rung
    /// (llama.cpp's "Q4_K" or "15" for Q4_K_M), or a format it loads that is not a rung at all (llama.cpp loads every
    /// <c>llama_ftype</c>; the ladder shows the common ones). Null when there is none of that name.</summary>
    /// <param name="name">Format name as the user typed it.</param>
    /// <returns>The format, or null.</returns>
    protected virtual WeightFormat? FindByRuntimeRules(string name) => null;

    /// <summary>The format the model's files already store, when this runtime loads them as they are (a GGUF's
    /// <c>general.file_type</c> for llama.cpp); null when the runtime would convert them or the files do not say.</summary>
    /// <param name="model">The model.</param>
    /// <returns>One of <see cref="Formats"/>, or null.</returns>
    public virtual WeightFormat? StoredFormat(ModelInventory model) => null;

    /// <summary>The prebuilt build of this runtime that <paramref name="reference"/> names (a WebLLM model id names a
    /// WebLLM build), or null.</summary>
    /// <param name="reference">How the user named the model.</param>
    /// <returns>The build, or null when the reference names none of this runtime's.</returns>
    public virtual PrebuiltBuild? BuildNamedBy(ModelReference reference) => null;

    /// <summary>Compute (activation / temporary) buffers for one prefill chunk, with the formula in words.</summary>
    /// <param name="architecture">Hyper-parameters.</param>
    /// <param name="format">Weight format (sets the activation width for some runtimes).</param>
    /// <param name="contextTokens">Context length, tokens (≥ 1).</param>
    /// <returns>Bytes and how they were computed.</returns>
    public abstract (long Bytes, string How) ComputeBuffers(ModelArchitecture architecture, WeightFormat format, long contextTokens);

    /// <summary>Compute buffers under the runtime's start-up settings (<see cref="RuntimeSettings"/>: flash attention,
    /// physical batch, sequences). The default ignores them (runtimes without such knobs reject non-default settings
    /// in <see cref="RejectSettings"/>) and asks <see cref="ComputeBuffers(ModelArchitecture, WeightFormat, long)"/>.</summary>
    /// <param name="architecture">Hyper-parameters.</param>
    /// <param name="format">Weight format.</param>
    /// <param name="contextTokens">Context length, tokens (≥ 1), as asked (<c>-c</c>).</param>
    /// <param name="settings">The settings.</param>
    /// <returns>Bytes and how they were computed.</returns>
    public virtual (long Bytes, string How) ComputeBuffers(ModelArchitecture architecture, WeightFormat format, long contextTokens, RuntimeSettings settings) =>
        ComputeBuffers(architecture, format, contextTokens);

    /// <summary>KV-cache cells the runtime allocates for a context of <paramref name="contextTokens"/> under
    /// <paramref name="settings"/>, and the tokens one sequence may hold. The default: exactly the context, for one
    /// sequence.</summary>
    /// <param name="contextTokens">Context length, tokens (≥ 1), as asked.</param>
    /// <param name="settings">The settings.</param>
    /// <returns>Cells in total (all sequences), tokens per sequence, and a note when they differ from the context
    /// asked (null otherwise).</returns>
    public virtual (long Cells, long PerSequence, string? Note) KvCacheCells(long contextTokens, RuntimeSettings settings) =>
        (contextTokens, contextTokens, null);

    /// <summary>Cells the runtime's sliding-window layers keep for a window of <paramref name="window"/> tokens, over all
    /// sequences, and how. The default keeps exactly the window (transformers' HybridCache).</summary>
    /// <param name="window">The model's sliding window, tokens (≥ 1).</param>
    /// <param name="contextTokens">Context asked, tokens.</param>
    /// <param name="settings">The settings.</param>
    /// <returns>Cells (at most the KV cells of the context) and a note, or null when it is the window itself.</returns>
    public virtual (long Cells, string? Note) SlidingWindowCells(int window, long contextTokens, RuntimeSettings settings) => (window, null);

    /// <summary>Why <paramref name="settings"/> cannot be applied to this runtime (a knob it does not have), or null.
    /// The default accepts only the defaults: the knobs are llama.cpp's.</summary>
    /// <param name="settings">The settings.</param>
    /// <returns>One sentence naming the flags, or null.</returns>
    public virtual string? RejectSettings(RuntimeSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return settings.IsDefault ? null
            : $"{settings.ToFlags()}: these are llama.cpp settings; {DisplayName} has no such knobs (use --runtime llama.cpp, or drop them).";
    }

    /// <summary>The architecture as this runtime's KV cache sees it, and a note when that differs from the config. The
    /// default is that of exported decoders (ONNX, LiteRT): past keys/values are kept for every token, so a
    /// <c>sliding_window</c> does not shrink the cache.</summary>
    /// <param name="architecture">The model as its config describes it.</param>
    /// <returns>The architecture to size the KV cache with, and a note (null when nothing changed).</returns>
    public virtual (ModelArchitecture Architecture, string? Note) KvCacheView(ModelArchitecture architecture)
    {
        ArgumentNullException.ThrowIfNull(architecture);
        if (architecture.SlidingWindow is not > 0) return (architecture, null);
        return (architecture with { SlidingWindow = null, SlidingWindowLayers = null },
            $"{DisplayName} keeps past keys/values for every token: the {architecture.SlidingWindow}-token window does not shrink the cache");
    }

    /// <summary>Why this runtime cannot run <paramref name="architecture"/> at all, or null when it can.</summary>
    /// <param name="architecture">The model.</param>
    /// <returns>A sentence, or null.</returns>
    public virtual string? UnsupportedReason(ModelArchitecture architecture) => null;

    /// <summary>
    /// Where the runtime can execute on <paramref name="device"/>, in the runtime's order of preference. Native GPU
    /// backends: discrete GPUs; Apple Silicon, iPhones and iPads (Metal); laptop iGPUs (Vulkan/SYCL); phones run native
    /// runtimes on the CPU. Browser targets need a browser: a profile without WebGPU limits (data-centre GPUs) has
    /// none. When no target is usable, the first is returned so that its checks say why.
    /// </summary>
    /// <param name="device">The device.</param>
    /// <returns>At least one target.</returns>
    public virtual IReadOnlyList<ExecutionTarget> ExecutionTargets(DeviceProfile device)
    {
        ArgumentNullException.ThrowIfNull(device);
        var targets = Targets.Where(t => IsAvailable(t, device, HasNativeGpu(device))).ToList();
        return targets.Count > 0 ? targets : [Targets[0]];
    }

    /// <summary>Warnings about a requested variant that belong to this runtime (e.g. a file size cap).</summary>
    /// <param name="requested">The memory estimate of the requested variant.</param>
    /// <returns>Sentences; empty when none apply.</returns>
    public virtual IEnumerable<string> Warnings(MemoryEstimate requested) => [];

    /// <inheritdoc />
    public override string ToString() => Id;

    /// <summary>True for phones and tablets (a native app there is a mobile app).</summary>
    /// <param name="device">The device.</param>
    /// <returns>Whether the device is a phone or tablet.</returns>
    protected static bool IsMobile(DeviceProfile device) =>
        device.Category is DeviceCategory.LowEndPhone or DeviceCategory.MidRangePhone or DeviceCategory.FlagshipPhone or DeviceCategory.Tablet;

    /// <summary>True when a native GPU backend (CUDA, Metal, Vulkan) can run on the device: a discrete or data-centre
    /// GPU, Apple Silicon, an iPad or iPhone (Metal), a laptop iGPU, or a non-mobile unified-memory device with a
    /// GPU throughput figure. Android phones run native runtimes on the CPU in practice (llama.cpp's Android GPU
    /// backends are experimental).</summary>
    /// <param name="device">The device.</param>
    /// <returns>Whether native GPU execution is possible.</returns>
    protected static bool HasNativeGpu(DeviceProfile device)
    {
        bool apple = device.Platform.Contains("iOS", StringComparison.OrdinalIgnoreCase) || device.Platform.Contains("iPadOS", StringComparison.OrdinalIgnoreCase);
        return device.GpuMemoryBytes is not null
            || device.Category is DeviceCategory.AppleSilicon or DeviceCategory.Tablet or DeviceCategory.IntegratedGpuLaptop or DeviceCategory.DataCenterGpu
            || (device.UnifiedMemory && device.GpuFp16Tflops is not null && !IsMobile(device))
            || apple;
    }

    /// <summary>Whether <paramref name="target"/> exists on <paramref name="device"/>: browser targets need a browser
    /// (WebGPU limits in the profile), native GPU a GPU backend.</summary>
    /// <param name="target">The target.</param>
    /// <param name="device">The device.</param>
    /// <param name="nativeGpu">Whether a native GPU backend runs there.</param>
    /// <returns>True when usable.</returns>
    protected static bool IsAvailable(ExecutionTarget target, DeviceProfile device, bool nativeGpu) => target switch
    {
        ExecutionTarget.NativeGpu => nativeGpu,
        ExecutionTarget.BrowserWebGpu => device.WebGpu is not null,
        ExecutionTarget.BrowserWasm => device.WebGpu is not null || device.BrowserWithoutWebGpu,
        _ => true,
    };

    /// <summary>Largest FFN width active per token: the expert width × active experts for MoE, else the dense width.</summary>
    /// <param name="a">Architecture.</param>
    /// <returns>Elements.</returns>
    protected static long ActiveFfnWidth(ModelArchitecture a) =>
        a.IsMixtureOfExperts ? (a.ExpertIntermediateSize ?? a.IntermediateSize) * Math.Max(1, a.ActiveExpertCount) : a.IntermediateSize;
}

/// <summary>The runtimes LlmSize models, with their formats and limits.</summary>
public static class Runtimes
{
    /// <summary>llama.cpp (GGUF), CPU or GPU with full or partial offload by layers, weights memory-mapped.</summary>
    public static RuntimeProfile LlamaCpp { get; } = new LlamaCppRuntime();

    /// <summary>WebLLM (MLC LLM compiled to WebGPU): q4f16_1 etc.; needs shader-f16 for the f16 formats.</summary>
    public static RuntimeProfile WebLlm { get; } = new WebLlmRuntime();

    /// <summary>Transformers.js on onnxruntime-web (wasm or webgpu): dtype names fp32 / fp16 / q8 / q4 / q4f16 / bnb4.</summary>
    public static RuntimeProfile TransformersJs { get; } = new TransformersJsRuntime();

    /// <summary>ONNX Runtime native (CPU EP), e.g. ONNX Runtime GenAI.</summary>
    public static RuntimeProfile OnnxRuntime { get; } = new OnnxRuntimeNative();

    /// <summary>MediaPipe LLM Inference (LiteRT): int8 / int4 converted models on GPU (WebGPU in browsers) or CPU.</summary>
    public static RuntimeProfile MediaPipe { get; } = new MediaPipeRuntime();

    /// <summary>Every runtime.</summary>
    public static IReadOnlyList<RuntimeProfile> All { get; } = [LlamaCpp, WebLlm, TransformersJs, OnnxRuntime, MediaPipe];

    /// <summary>The runtime that loads <paramref name="format"/> files as they are (<see cref="RuntimeProfile.NativeFileFormats"/>),
    /// else llama.cpp, the runtime most people run open models with.</summary>
    /// <param name="format">The format the model was read from.</param>
    /// <returns>A runtime.</returns>
    public static RuntimeProfile ForFileFormat(ModelFileFormat format) =>
        All.FirstOrDefault(r => r.NativeFileFormats.Contains(format)) ?? LlamaCpp;

    /// <summary>Finds a runtime by id or a common spelling ("llamacpp", "llama-cpp", "mlc", "web-llm", "transformersjs", "ort", "onnxruntime-web").</summary>
    /// <param name="name">Name to look up.</param>
    /// <param name="runtime">The runtime, when found.</param>
    /// <returns>False when unknown.</returns>
    public static bool TryFind(string name, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out RuntimeProfile? runtime)
    {
        ArgumentNullException.ThrowIfNull(name);
        string key = new string(name.Where(char.IsLetterOrDigit).ToArray()).ToLowerInvariant();
        runtime = key switch
        {
            "llamacpp" or "gguf" => LlamaCpp,
            "webllm" or "mlc" or "mlcllm" => WebLlm,
            "transformersjs" or "onnxruntimeweb" or "ortweb" => TransformersJs,
            "onnxruntime" or "ort" or "onnx" => OnnxRuntime,
            "mediapipe" or "litert" or "mediapipellm" => MediaPipe,
            _ => null,
        };
        return runtime is not null;
    }

    /// <summary>Finds a runtime by id or spelling (<see cref="TryFind"/>).</summary>
    /// <param name="name">Name to look up.</param>
    /// <returns>The runtime.</returns>
    /// <exception cref="UnknownNameException">No runtime has that name; carries the nearest ids.</exception>
    public static RuntimeProfile Find(string name) =>
        TryFind(name, out var runtime) ? runtime : throw UnknownNameException.For(NameKind.Runtime, name, All.Select(r => r.Id));
}

/// <summary>A runtime's prebuilt model that the user named by its id (a WebLLM model id): the format and context
/// it was built with.</summary>
/// <param name="ModelId">The id as given.</param>
/// <param name="RuntimeLabel">Short name of the runtime it is a build of ("WebLLM").</param>
/// <param name="Format">The build's weight format, one of the runtime's.</param>
/// <param name="ContextTokens">The build's context window, or null for the model's own.</param>
public sealed record PrebuiltBuild(string ModelId, string RuntimeLabel, WeightFormat Format, long? ContextTokens);
