using LlmSize.Core.Models.Architectures;
using LlmSize.Core.Precision;

namespace LlmSize.Core.Estimation;

/// <summary>ONNX Runtime native (CPU execution provider), e.g. ONNX Runtime GenAI.</summary>
/// <remarks>Compute buffers as <see cref="TransformersJsRuntime"/>: the exported decoder returns f32 logits for every
/// prompt position. The KV cache keeps every past token.</remarks>
public sealed class OnnxRuntimeNative : RuntimeProfile
{
    /// <summary>Creates the profile (use <see cref="Runtimes.OnnxRuntime"/>).</summary>
    [System.Diagnostics.CodeAnalysis.SetsRequiredMembers]
    internal OnnxRuntimeNative()
    {
        Id = "onnxruntime";
        DisplayName = "ONNX Runtime (native CPU)";
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
        ];
        DefaultFormat = "int4";
        LadderStart = "fp16";
        Targets = [ExecutionTarget.NativeCpu];
        OverheadBytes = 128L << 20;
        OverheadSource = "ORT session, arena allocator slack; assumption";
        PrefillChunkTokens = 512;
    }

    /// <inheritdoc />
    public override (long Bytes, string How) ComputeBuffers(ModelArchitecture architecture, WeightFormat format, long contextTokens) =>
        TransformersJsRuntime.OnnxDecoderBuffers(architecture, Math.Min(PrefillChunkTokens, contextTokens));
}
