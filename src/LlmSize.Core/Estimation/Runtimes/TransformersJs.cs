using LlmSize.Core.Models;
using LlmSize.Core.Models.Architectures;
using LlmSize.Core.Precision;

namespace LlmSize.Core.Estimation;

/// <summary>
/// Transformers.js on onnxruntime-web: WebGPU, falling back to wasm; dtype names fp32 / fp16 / q8 / q4f16 / q4.
/// </summary>
/// <remarks>Compute buffers: the exported decoder returns logits for every input position in f32, so a prompt chunk of
/// 512 tokens costs 512 × vocab × 4 bytes, plus the FFN activation. The KV cache keeps every past token
/// (<c>past_key_values</c> inputs grow with the sequence).</remarks>
public sealed class TransformersJsRuntime : RuntimeProfile
{
    /// <summary>Creates the profile (use <see cref="Runtimes.TransformersJs"/>).</summary>
    [System.Diagnostics.CodeAnalysis.SetsRequiredMembers]
    internal TransformersJsRuntime()
    {
        Id = "transformers.js";
        DisplayName = "Transformers.js (onnxruntime-web)";
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
        ];
        DefaultFormat = "q4f16";
        LadderStart = "fp16";
        Targets = [ExecutionTarget.BrowserWebGpu, ExecutionTarget.BrowserWasm];
        OverheadBytes = 64L << 20;
        OverheadSource = "onnxruntime-web wasm module and session arena; assumption";
        PrefillChunkTokens = 512;
        NativeFileFormats = [ModelFileFormat.Onnx];
    }

    /// <inheritdoc />
    public override (long Bytes, string How) ComputeBuffers(ModelArchitecture architecture, WeightFormat format, long contextTokens) =>
        OnnxDecoderBuffers(architecture, Math.Min(PrefillChunkTokens, contextTokens));

    /// <summary>ONNX decoder prefill: f32 logits for every position of the chunk plus the FFN activations.</summary>
    /// <param name="a">Architecture.</param>
    /// <param name="chunk">Prompt tokens per run.</param>
    /// <returns>Bytes and formula.</returns>
    internal static (long Bytes, string How) OnnxDecoderBuffers(ModelArchitecture a, long chunk)
    {
        ArgumentNullException.ThrowIfNull(a);
        long ffn = ActiveFfnWidth(a);
        long bytes = chunk * (a.VocabSize + (a.Mlp != MlpKind.Plain ? 2 : 1) * ffn + 2 * a.HiddenSize) * 4;
        return (bytes, $"ONNX decoder prefill of {chunk} tokens: logits for every position ({a.VocabSize} × 4 B) + FFN activations, f32");
    }

    /// <inheritdoc />
    public override IEnumerable<string> Warnings(MemoryEstimate requested)
    {
        ArgumentNullException.ThrowIfNull(requested);
        if (requested.Weights.TotalBytes > int.MaxValue)
        {
            yield return $"{requested.Format.Name} weights are {Units.FormatBoth(requested.Weights.TotalBytes)}: above protobuf's 2 GB cap for one ONNX file, so the model must be published with external data (model.onnx_data), which Transformers.js v3 loads with use_external_data_format";
        }
    }
}
