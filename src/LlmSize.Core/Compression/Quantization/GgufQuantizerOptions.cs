namespace LlmSize.Core.Compression.Quantization;

/// <summary>Choices and limits for <see cref="GgufQuantizer"/>.</summary>
public sealed class GgufQuantizerOptions
{
    /// <summary>The default options.</summary>
    public static GgufQuantizerOptions Default { get; } = new();

    /// <summary>Worker threads for the row kernels; null or ≤ 0 = <see cref="Environment.ProcessorCount"/>.</summary>
    public int? Threads { get; init; }

    /// <summary>Quantize tensors that are already quantized (dequantize, then quantize again), as llama-quantize's
    /// <c>--allow-requantize</c>. Default false: such a tensor is refused with <see cref="NotSupportedException"/>.</summary>
    public bool AllowRequantize { get; init; }

    /// <summary>Write tensors holding NaN or ±Inf weights anyway (they are still counted in the report). Default false:
    /// refused with <see cref="InvalidDataException"/> naming the tensor.</summary>
    public bool AllowNonFinite { get; init; }

    /// <summary>Replace an existing output file (never the input). Default false.</summary>
    public bool Overwrite { get; init; }

    /// <summary>Keep <c>output.weight</c> unquantized (llama-quantize <c>--leave-output-tensor</c>). Default false.</summary>
    public bool LeaveOutputTensor { get; init; }

    /// <summary>Importance matrix (llama-quantize <c>--imatrix</c>), or null (default) for none. With one, tensors it has
    /// an entry for are quantized with importance weights (<see cref="IImportanceRowQuantizer"/>), the per-tensor
    /// choices follow llama.cpp's imatrix rules, and the file types that need one (Q2_K_S) become writable.</summary>
    public ImportanceMatrix? ImportanceMatrix { get; init; }

    /// <summary>Most bytes of F32 rows converted at once (per chunk of a tensor; the working memory is about three
    /// times this). Default 16 MiB.</summary>
    public int ChunkBytes { get; init; } = 16 << 20;

    /// <summary>Checks the options.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><see cref="ChunkBytes"/> is below 4 KiB.</exception>
    internal void Validate() => ArgumentOutOfRangeException.ThrowIfLessThan(ChunkBytes, 4096, nameof(ChunkBytes));

    internal int EffectiveThreads => Threads is > 0 ? Threads.Value : Environment.ProcessorCount;
}
