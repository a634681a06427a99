using LlmSize.Core.Precision;

namespace LlmSize.Core.Estimation;

/// <summary>Where a runtime executes the model.</summary>
public enum ExecutionTarget
{
    /// <summary>Native CPU (llama.cpp CPU backend, ONNX Runtime CPU EP).</summary>
    NativeCpu,
    /// <summary>Native GPU (llama.cpp CUDA/Metal/Vulkan, full or partial offload).</summary>
    NativeGpu,
    /// <summary>Browser WebAssembly (onnxruntime-web wasm backend): wasm32 4 GiB address space.</summary>
    BrowserWasm,
    /// <summary>Browser WebGPU (WebLLM, Transformers.js/onnxruntime-web webgpu, MediaPipe web).</summary>
    BrowserWebGpu,
}

/// <summary>
/// A runtime: its storage formats as a precision ladder (best quality first), where it executes, its fixed
/// overheads and its hard limits. Every constant states its source.
/// </summary>
public sealed record RuntimeProfile
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

    /// <summary>Finds a format by name, case-insensitively (also llama.cpp aliases like "q4_k_m").</summary>
    /// <param name="name">Format name.</param>
    /// <returns>The format, or null.</returns>
    public WeightFormat? FindFormat(string name) =>
        Formats.FirstOrDefault(f => string.Equals(f.Name, name, StringComparison.OrdinalIgnoreCase))
        ?? (LlamaFileTypes.TryParse(name, out var ft)
            ? Formats.OfType<GgufWeightFormat>().FirstOrDefault(f => f.FileType == ft)
            : null);
}

/// <summary>The runtimes LlmSize models, with their formats and limits.</summary>
public static class Runtimes
{
    private static WeightFormat Gguf(LlamaFileType t, string description) => new GgufWeightFormat
    {
        Name = LlamaFileTypes.Name(t),
        FileType = t,
        Description = description,
        Source = "llama.cpp src/llama-quant.cpp type rules; ggml block sizes (shared/reference/ggml-types.csv)",
    };

    /// <summary>llama.cpp (GGUF), CPU or GPU with full or partial offload by layers, weights memory-mapped.</summary>
    public static RuntimeProfile LlamaCpp { get; } = new()
    {
        Id = "llama.cpp",
        DisplayName = "llama.cpp (GGUF)",
        Formats =
        [
            Gguf(LlamaFileType.F16, "16-bit float weights"),
            Gguf(LlamaFileType.Q8_0, "8-bit, blocks of 32 with an f16 scale (8.5 bpw)"),
            Gguf(LlamaFileType.Q6_K, "6-bit k-quant (6.56 bpw)"),
            Gguf(LlamaFileType.Q5_K_M, "5-bit k-quant mix, Q6_K for sensitive tensors"),
            Gguf(LlamaFileType.Q5_K_S, "5-bit k-quant"),
            Gguf(LlamaFileType.Q4_K_M, "4-bit k-quant mix, Q6_K for output and some attn_v/ffn_down"),
            Gguf(LlamaFileType.Q4_K_S, "4-bit k-quant"),
            Gguf(LlamaFileType.Q4_0, "4-bit, blocks of 32 with an f16 scale (4.5 bpw)"),
            Gguf(LlamaFileType.IQ4_XS, "4.25-bpw i-quant"),
            Gguf(LlamaFileType.Q3_K_M, "3-bit k-quant mix"),
            Gguf(LlamaFileType.Q3_K_S, "3-bit k-quant"),
            Gguf(LlamaFileType.Q2_K, "2-bit k-quant mix"),
            Gguf(LlamaFileType.IQ2_XXS, "2.06-bpw i-quant (needs an importance matrix for quality)"),
        ],
        DefaultFormat = "Q4_K_M",
        LadderStart = "F16",
        Targets = [ExecutionTarget.NativeGpu, ExecutionTarget.NativeCpu],
        OverheadBytes = 100L << 20,
        OverheadSource = "process, ggml backend context, vocabulary and graph metadata; assumption (a CUDA context adds a further ~200–300 MiB of driver memory on NVIDIA GPUs, not counted)",
        PrefillChunkTokens = 512,
        SupportsPartialOffload = true,
        MemoryMapsWeights = true,
    };

    /// <summary>WebLLM (MLC LLM compiled to WebGPU): q4f16_1 etc.; needs shader-f16 for the f16 formats.</summary>
    public static RuntimeProfile WebLlm { get; } = new()
    {
        Id = "webllm",
        DisplayName = "WebLLM (MLC, WebGPU)",
        Formats =
        [
            new UniformWeightFormat { Name = "q0f32", MatrixBits = 32, EmbeddingBits = 32, VectorBits = 32, KvCacheType = TensorDataType.F32,
                Description = "unquantized float32", Source = "MLC LLM quantization docs: qAfB = A-bit weights, B-bit activations; q0 = none" },
            new UniformWeightFormat { Name = "q0f16", MatrixBits = 16, EmbeddingBits = 16, VectorBits = 16, RequiresShaderF16 = true,
                Description = "unquantized float16", Source = "MLC LLM quantization docs" },
            new UniformWeightFormat { Name = "q4f16_1", MatrixBits = 4 + 16.0 / 32, EmbeddingBits = 4 + 16.0 / 32, VectorBits = 16, RequiresShaderF16 = true, SeparateScaleBits = 16.0 / 32,
                Description = "4-bit group quantization, group 32, f16 scale (4.5 bpw), f16 activations",
                Source = "MLC LLM GroupQuantize q4f16_1: group_size 32, 4-bit, float16 scale; embedding quantized too" },
            new UniformWeightFormat { Name = "q3f16_1", MatrixBits = 3 + 16.0 / 40, EmbeddingBits = 3 + 16.0 / 40, VectorBits = 16, RequiresShaderF16 = true, SeparateScaleBits = 16.0 / 40,
                Description = "3-bit group quantization, group 40, f16 scale", Source = "MLC LLM quantization presets (q3f16_1: group_size 40)" },
            // f32-activation formats last: larger than q4f16_1 and slower, they are the answer only where shader-f16 is missing.
            new UniformWeightFormat { Name = "q4f32_1", MatrixBits = 4 + 32.0 / 32, EmbeddingBits = 4 + 32.0 / 32, VectorBits = 32, KvCacheType = TensorDataType.F32, SeparateScaleBits = 32.0 / 32,
                Description = "4-bit group quantization, group 32, f32 scale (5 bpw), f32 activations",
                Source = "MLC LLM GroupQuantize q4f32_1: group_size 32, 4-bit, float32 scale; embedding quantized too" },
        ],
        DefaultFormat = "q4f16_1",
        LadderStart = "q0f16",
        Targets = [ExecutionTarget.BrowserWebGpu],
        OverheadBytes = 0,
        OverheadSource = "WebLLM's vram_required_MB = parameters + KV cache + temporary buffer (mlc_llm model_metadata _report_memory_usage); no separate overhead",
        // Every model_lib of WebLLM's prebuiltAppConfig (web-llm src/config.ts, v0_2_83) is built "_cs1k":
        // prefill_chunk_size 1024.
        PrefillChunkTokens = 1024,
    };

    /// <summary>Transformers.js on onnxruntime-web (wasm or webgpu): dtype names fp32 / fp16 / q8 / q4 / q4f16 / bnb4.</summary>
    public static RuntimeProfile TransformersJs { get; } = new()
    {
        Id = "transformers.js",
        DisplayName = "Transformers.js (onnxruntime-web)",
        Formats =
        [
            new UniformWeightFormat { Name = "fp32", MatrixBits = 32, EmbeddingBits = 32, VectorBits = 32, KvCacheType = TensorDataType.F32,
                Description = "model.onnx, float32", Source = "Transformers.js dtypes (DATA_TYPES): fp32 → model.onnx" },
            new UniformWeightFormat { Name = "fp16", MatrixBits = 16, EmbeddingBits = 16, VectorBits = 16, RequiresShaderF16 = true,
                Description = "model_fp16.onnx", Source = "Transformers.js dtypes: fp16 → model_fp16.onnx" },
            new UniformWeightFormat { Name = "q8", MatrixBits = 8, EmbeddingBits = 8, VectorBits = 32, KvCacheType = TensorDataType.F32,
                Description = "model_quantized.onnx: ORT dynamic int8 quantization of MatMul/Gather weights (per-tensor scale)",
                Source = "Transformers.js dtypes: q8 → model_quantized.onnx; onnxruntime quantize_dynamic" },
            new UniformWeightFormat { Name = "q4f16", MatrixBits = 4 + 16.0 / 32 + 4.0 / 32, EmbeddingBits = 16, VectorBits = 16, RequiresShaderF16 = true, SeparateScaleBits = 16.0 / 32 + 4.0 / 32,
                Description = "model_q4f16.onnx: MatMulNBits 4-bit, block 32, f16 scales + 4-bit zero points; embedding fp16",
                Source = "onnxruntime MatMul4BitsQuantizer (block_size 32) as used by Transformers.js conversion scripts" },
            new UniformWeightFormat { Name = "q4", MatrixBits = 4 + 32.0 / 32 + 4.0 / 32, EmbeddingBits = 32, VectorBits = 32, KvCacheType = TensorDataType.F32, SeparateScaleBits = 32.0 / 32 + 4.0 / 32,
                Description = "model_q4.onnx: MatMulNBits 4-bit, block 32, f32 scales + zero points; embedding fp32",
                Source = "onnxruntime MatMul4BitsQuantizer (block_size 32)" },
        ],
        DefaultFormat = "q4f16",
        LadderStart = "fp16",
        Targets = [ExecutionTarget.BrowserWebGpu, ExecutionTarget.BrowserWasm],
        OverheadBytes = 64L << 20,
        OverheadSource = "onnxruntime-web wasm module and session arena; assumption",
        PrefillChunkTokens = 512,
    };

    /// <summary>ONNX Runtime native (CPU EP), e.g. ONNX Runtime GenAI.</summary>
    public static RuntimeProfile OnnxRuntime { get; } = new()
    {
        Id = "onnxruntime",
        DisplayName = "ONNX Runtime (native CPU)",
        Formats =
        [
            new UniformWeightFormat { Name = "fp32", MatrixBits = 32, EmbeddingBits = 32, VectorBits = 32, KvCacheType = TensorDataType.F32,
                Description = "float32", Source = "ONNX TensorProto FLOAT" },
            new UniformWeightFormat { Name = "fp16", MatrixBits = 16, EmbeddingBits = 16, VectorBits = 16,
                Description = "float16", Source = "ONNX TensorProto FLOAT16" },
            new UniformWeightFormat { Name = "int8", MatrixBits = 8, EmbeddingBits = 8, VectorBits = 32, KvCacheType = TensorDataType.F32,
                Description = "dynamic int8 (per-tensor scale)", Source = "onnxruntime quantize_dynamic" },
            new UniformWeightFormat { Name = "int4", MatrixBits = 4 + 32.0 / 32 + 4.0 / 32, EmbeddingBits = 32, VectorBits = 32, KvCacheType = TensorDataType.F32,
                Description = "MatMulNBits 4-bit block 32 (ONNX Runtime GenAI builder int4, CPU)", Source = "onnxruntime-genai model builder: int4 block_size 32, accuracy_level 4" },
        ],
        DefaultFormat = "int4",
        LadderStart = "fp16",
        Targets = [ExecutionTarget.NativeCpu],
        OverheadBytes = 128L << 20,
        OverheadSource = "ORT session, arena allocator slack; assumption",
        PrefillChunkTokens = 512,
        MemoryMapsWeights = false,
    };

    /// <summary>MediaPipe LLM Inference (LiteRT): int8 / int4 converted models on GPU (WebGPU in browsers) or CPU.</summary>
    public static RuntimeProfile MediaPipe { get; } = new()
    {
        Id = "mediapipe",
        DisplayName = "MediaPipe LLM Inference",
        Formats =
        [
            new UniformWeightFormat { Name = "fp16", MatrixBits = 16, EmbeddingBits = 16, VectorBits = 32, RequiresShaderF16 = true,
                Description = "float16 weights", Source = "MediaPipe LLM converter (converter.ConversionConfig) float options" },
            new UniformWeightFormat { Name = "int8", MatrixBits = 8, EmbeddingBits = 8, VectorBits = 32,
                Description = "int8 per-channel weights", Source = "MediaPipe LLM converter: attention/feedforward/embedding_quant_type int8" },
            new UniformWeightFormat { Name = "int4", MatrixBits = 4, AttentionBits = 8, EmbeddingBits = 4, VectorBits = 32,
                Description = "int4 feed-forward and embedding, int8 attention (converter defaults for GPU int4 builds)",
                Source = "MediaPipe LLM converter quant types; checked against the published gemma-2b-it-gpu-int4.bin size (~1.35 GB)" },
        ],
        DefaultFormat = "int4",
        LadderStart = "fp16",
        Targets = [ExecutionTarget.BrowserWebGpu, ExecutionTarget.NativeGpu, ExecutionTarget.NativeCpu],
        OverheadBytes = 128L << 20,
        OverheadSource = "LiteRT/TFLite GPU delegate working memory; assumption",
        PrefillChunkTokens = 512,
    };

    /// <summary>Every runtime.</summary>
    public static IReadOnlyList<RuntimeProfile> All { get; } = [LlamaCpp, WebLlm, TransformersJs, OnnxRuntime, MediaPipe];

    /// <summary>Finds a runtime by id or a common spelling ("llamacpp", "llama-cpp", "mlc", "web-llm", "transformersjs", "ort", "onnxruntime-web").</summary>
    /// <param name="name">Name to look up.</param>
    /// <param name="runtime">The runtime, when found.</param>
    /// <returns>False when unknown.</returns>
    public static bool TryFind(string name, out RuntimeProfile runtime)
    {
        string key = new string(name.Where(char.IsLetterOrDigit).ToArray()).ToLowerInvariant();
        runtime = key switch
        {
            "llamacpp" or "gguf" => LlamaCpp,
            "webllm" or "mlc" or "mlcllm" => WebLlm,
            "transformersjs" or "onnxruntimeweb" or "ortweb" => TransformersJs,
            "onnxruntime" or "ort" or "onnx" => OnnxRuntime,
            "mediapipe" or "litert" or "mediapipellm" => MediaPipe,
            _ => null!,
        };
        return runtime is not null;
    }
}
