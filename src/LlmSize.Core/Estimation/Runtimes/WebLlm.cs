using LlmSize.Core.Models;
using LlmSize.Core.Models.Architectures;
using LlmSize.Core.Precision;

namespace LlmSize.Core.Estimation;

/// <summary>
/// WebLLM (MLC LLM compiled to WebGPU): q4f16_1 etc.; needs shader-f16 for the f16 formats; runs only the
/// architectures MLC LLM has a model definition for.
/// </summary>
/// <remarks>
/// Compute buffers: the largest static memory plan among the model library's functions, with prefill_chunk_size 1024
/// (WebLLM's prebuilt libraries are compiled <c>_cs1k</c>): chunk × (2 × MLP up-projection + 4 × hidden) at the
/// activation width (f16 for q*f16, f32 for q*f32), plus f32 logits for the whole chunk when MLC's model declares a
/// constant vocabulary (<see cref="MlcModelDefinitions.HasStaticVocabularyHead"/>: Qwen, StableLM, OLMo …), else for
/// the last position. The KV cache follows MLC's window rules (<see cref="MlcModelDefinitions.ApplyKvCacheRules"/>).
/// </remarks>
public sealed class WebLlmRuntime : RuntimeProfile
{
    /// <summary>Creates the profile (use <see cref="Runtimes.WebLlm"/>).</summary>
    [System.Diagnostics.CodeAnalysis.SetsRequiredMembers]
    internal WebLlmRuntime()
    {
        Id = "webllm";
        DisplayName = "WebLLM (MLC, WebGPU)";
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
        ];
        DefaultFormat = "q4f16_1";
        LadderStart = "q0f16";
        Targets = [ExecutionTarget.BrowserWebGpu];
        OverheadBytes = 0;
        OverheadSource = "WebLLM's vram_required_MB = parameters + KV cache + temporary buffer (mlc_llm model_metadata _report_memory_usage); no separate overhead";
        // Every model_lib of WebLLM's prebuiltAppConfig (web-llm src/config.ts, v0_2_83) is built "_cs1k":
        // prefill_chunk_size 1024.
        PrefillChunkTokens = 1024;
    }

    /// <summary>The WebLLM build a WebLLM model id names: its MLC quantization and, for a <c>-1k</c> id, a 1024-token
    /// context, as WebLLM's prebuilt record does.</summary>
    /// <param name="reference">How the user named the model.</param>
    /// <returns>The build, or null when the reference is no WebLLM id (or names a quantization this profile lacks).</returns>
    public override PrebuiltBuild? BuildNamedBy(ModelReference reference)
    {
        ArgumentNullException.ThrowIfNull(reference);
        return reference.WebLlm is { } id && FindFormat(id.Quantization) is { } format
            ? new PrebuiltBuild(id.ModelId, "WebLLM", format, id.ContextTokens)
            : null;
    }

    /// <inheritdoc />
    public override (long Bytes, string How) ComputeBuffers(ModelArchitecture architecture, WeightFormat format, long contextTokens)
    {
        ArgumentNullException.ThrowIfNull(architecture);
        ArgumentNullException.ThrowIfNull(format);
        var a = architecture;
        long chunk = Math.Min(PrefillChunkTokens, contextTokens);
        long ffn = ActiveFfnWidth(a);
        long h = a.HiddenSize;
        // MLC's model library reports, per compiled function, the bytes its static memory plan allocates with
        // seq_len ≤ prefill_chunk_size; WebLLM's vram_required_MB and MLC's engine (cpp/serve/config.cc) take the
        // maximum over functions. Activations: ≈ 2 × the MLP input projection (gate+up for gated MLPs) + 4 × hidden per
        // chunk token at the activation width (f16 for q*f16, f32 for q*f32), as measured against WebLLM's published
        // rows. Logits: f32 for every chunk position when the head's vocabulary is a compile-time constant
        // (batch_verify), else for the last position only.
        int act = format.KvCacheType == TensorDataType.F32 ? 4 : 2;
        long upProjection = (a.Mlp != MlpKind.Plain ? 2 : 1) * ffn;
        long activations = chunk * (2 * upProjection + 4 * h) * act;
        bool staticHead = MlcModelDefinitions.HasStaticVocabularyHead(a);
        long logits = (staticHead ? chunk : 1) * a.VocabSize * 4;
        string logitsHow = staticHead
            ? $" + f32 logits for all {chunk} chunk positions × {a.VocabSize} vocab × 4 B (MLC's {a.Family} head has a constant vocabulary, so batch_verify's output is planned)"
            : " + last-position f32 logits";
        return (activations + logits,
            $"MLC static memory plan for a {chunk}-token prefill chunk: {chunk} × (2 × {upProjection} MLP up-projection + 4 × {h} hidden) × {act} B{logitsHow}");
    }

    /// <inheritdoc />
    public override (ModelArchitecture Architecture, string? Note) KvCacheView(ModelArchitecture architecture) =>
        MlcModelDefinitions.ApplyKvCacheRules(architecture);

    /// <inheritdoc />
    public override string? UnsupportedReason(ModelArchitecture architecture) =>
        MlcModelDefinitions.Supports(architecture)
            ? null
            : $"WebLLM runs only models MLC LLM can compile, and MLC has no model definition for '{architecture.Family}'";
}
