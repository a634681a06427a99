using LlmSize.Core.Devices;
using LlmSize.Core.Models;
using LlmSize.Core.Models.Architectures;

namespace LlmSize.Core.Estimation;

/// <summary>
/// MediaPipe LLM Inference (LiteRT): int8 / int4 converted models. Its native APIs exist for Android and iOS only, so
/// on phones and tablets it runs as a native GPU app; elsewhere it is the web API on WebGPU.
/// </summary>
/// <remarks>Compute buffers: one prefill chunk of FFN activations in f32. The KV cache keeps every past token.</remarks>
public sealed class MediaPipeRuntime : RuntimeProfile
{
    /// <summary>Creates the profile (use <see cref="Runtimes.MediaPipe"/>).</summary>
    [System.Diagnostics.CodeAnalysis.SetsRequiredMembers]
    internal MediaPipeRuntime()
    {
        Id = "mediapipe";
        DisplayName = "MediaPipe LLM Inference";
        Formats =
        [
            new UniformWeightFormat { Name = "fp16", MatrixBits = 16, EmbeddingBits = 16, VectorBits = 32, RequiresShaderF16 = true,
                Description = "float16 weights", Source = "MediaPipe LLM converter (converter.ConversionConfig) float options" },
            new UniformWeightFormat { Name = "int8", MatrixBits = 8, EmbeddingBits = 8, VectorBits = 32,
                Description = "int8 per-channel weights", Source = "MediaPipe LLM converter: attention/feedforward/embedding_quant_type int8" },
            new UniformWeightFormat { Name = "int4", MatrixBits = 4, AttentionBits = 8, EmbeddingBits = 4, VectorBits = 32,
                Description = "int4 feed-forward and embedding, int8 attention (converter defaults for GPU int4 builds)",
                Source = "MediaPipe LLM converter quant types; checked against the published gemma-2b-it-gpu-int4.bin size (~1.35 GB)" },
        ];
        DefaultFormat = "int4";
        LadderStart = "fp16";
        Targets = [ExecutionTarget.BrowserWebGpu, ExecutionTarget.NativeGpu, ExecutionTarget.NativeCpu];
        OverheadBytes = 128L << 20;
        OverheadSource = "LiteRT/TFLite GPU delegate working memory; assumption";
        PrefillChunkTokens = 512;
        NativeFileFormats = [ModelFileFormat.Tflite, ModelFileFormat.MediaPipeTask];
    }

    /// <inheritdoc />
    public override (long Bytes, string How) ComputeBuffers(ModelArchitecture architecture, WeightFormat format, long contextTokens)
    {
        ArgumentNullException.ThrowIfNull(architecture);
        long chunk = Math.Min(PrefillChunkTokens, contextTokens);
        long bytes = chunk * ((architecture.Mlp != MlpKind.Plain ? 2 : 1) * ActiveFfnWidth(architecture) + 2 * architecture.HiddenSize) * 4;
        return (bytes, $"one prefill chunk of {chunk} tokens of FFN activations, f32");
    }

    /// <summary>Phones and tablets: the native app on the GPU first (the LLM Inference API for Android/iOS), then
    /// WebGPU and the CPU; elsewhere only the web API on WebGPU.</summary>
    /// <param name="device">The device.</param>
    /// <returns>At least one target.</returns>
    public override IReadOnlyList<ExecutionTarget> ExecutionTargets(DeviceProfile device)
    {
        ArgumentNullException.ThrowIfNull(device);
        bool mobile = IsMobile(device);
        var order = mobile
            ? Targets.OrderBy(t => t == ExecutionTarget.NativeGpu ? 0 : 1).ToList()
            : Targets.Where(t => t == ExecutionTarget.BrowserWebGpu).ToList();
        var targets = order.Where(t => IsAvailable(t, device, mobile || HasNativeGpu(device))).ToList();
        return targets.Count > 0 ? targets : [Targets[0]];
    }
}
