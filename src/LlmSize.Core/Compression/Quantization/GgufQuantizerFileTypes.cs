using LlmSize.Core.Precision;

namespace LlmSize.Core.Compression.Quantization;

/// <summary>Which llama.cpp file types <see cref="GgufQuantizer"/> can write in this build, and why not the others.</summary>
/// <remarks>
/// A file type is writable when this build has the kernel of its default tensor type (the mixtures of the writable
/// types only add types that have kernels here: Q2_K … Q8_0, IQ4_NL, F16; the whole-file tests against llama.cpp
/// cover each) and llama.cpp does not demand an importance matrix for it. The types that do are those whose tensors
/// llama-quant.cpp's <c>tensor_requires_imatrix</c> flags — IQ2_XXS, IQ2_XS, IQ2_S, IQ1_S, IQ1_M, IQ3_XXS, and Q2_K
/// inside a Q2_K_S file — plus IQ2_M, whose default IQ2_S does (tools/quantize refuses them all without
/// <c>--imatrix</c>).
/// </remarks>
public static class GgufQuantizerFileTypes
{
    /// <summary>The file types this build writes, in llama.h order of their ids (F32, F16, Q4_0 …).</summary>
    public static IReadOnlyList<LlamaFileType> Writable { get; } =
        Enum.GetValues<LlamaFileType>().Where(t => CanWrite(t, out _)).ToArray();

    /// <summary>The user-facing names of <see cref="Writable"/> ("Q4_K_M" …).</summary>
    public static IReadOnlyList<string> WritableNames { get; } = Writable.Select(LlamaFileTypes.Name).ToArray();

    /// <summary>Whether llama.cpp quantizes this file type only with an importance matrix.</summary>
    /// <param name="fileType">File type.</param>
    /// <returns>True for IQ1_S, IQ1_M, IQ2_XXS, IQ2_XS, IQ2_S, IQ2_M, IQ3_XXS and Q2_K_S.</returns>
    public static bool RequiresImportanceMatrix(LlamaFileType fileType) => fileType is LlamaFileType.IQ1_S or LlamaFileType.IQ1_M
        or LlamaFileType.IQ2_XXS or LlamaFileType.IQ2_XS or LlamaFileType.IQ2_S or LlamaFileType.IQ2_M or LlamaFileType.IQ3_XXS
        or LlamaFileType.Q2_K_S;

    /// <summary>Whether this build writes <paramref name="fileType"/>; when not, a sentence saying why.</summary>
    /// <param name="fileType">File type.</param>
    /// <param name="reason">Null when writable; otherwise why not ("needs an importance matrix …", "no IQ3_S kernel …").</param>
    /// <returns>True when <see cref="GgufQuantizer.Quantize"/> can write it.</returns>
    public static bool CanWrite(LlamaFileType fileType, out string? reason) => CanWrite(fileType, hasImportanceMatrix: false, out reason);

    /// <summary>Whether this build writes <paramref name="fileType"/> when an importance matrix is, or is not, given.</summary>
    /// <param name="fileType">File type.</param>
    /// <param name="hasImportanceMatrix">Whether <see cref="GgufQuantizerOptions.ImportanceMatrix"/> is set.</param>
    /// <param name="reason">Null when writable; otherwise why not.</param>
    /// <returns>True when <see cref="GgufQuantizer.Quantize"/> can write it.</returns>
    public static bool CanWrite(LlamaFileType fileType, bool hasImportanceMatrix, out string? reason)
    {
        if (!Enum.IsDefined(fileType))
        {
            reason = $"{(int)fileType} is not a llama.cpp file type.";
            return false;
        }

        if (RequiresImportanceMatrix(fileType) && !hasImportanceMatrix)
        {
            reason = $"{fileType} needs an importance matrix (--imatrix FILE, as llama-quantize).";
            return false;
        }

        var target = LlamaFileTypes.DefaultType(fileType);
        if (!RowQuantizers.TryGet(target, out _))
        {
            reason = $"this build has no {target.Name} kernel, so it cannot write {fileType} yet.";
            return false;
        }

        reason = null;
        return true;
    }
}
