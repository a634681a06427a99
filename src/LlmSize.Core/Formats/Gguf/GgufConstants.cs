namespace LlmSize.Core.Formats.Gguf;

/// <summary>
/// Fixed numbers of the GGUF format: magic, versions, alignment and dimension limits, and the metadata keys this
/// project reads.
/// </summary>
/// <remarks>
/// Sources: the GGUF specification (ggml repository, <c>docs/gguf.md</c>, "File Structure" and "Standardized key-value
/// pairs"); <c>GGML_MAX_DIMS</c> from <c>ggml.h</c>; split keys from llama.cpp <c>tools/gguf-split/gguf-split.cpp</c>.
/// </remarks>
public static class GgufConstants
{
    /// <summary>The four magic bytes at offset 0: ASCII "GGUF" (the same bytes in little- and big-endian files).</summary>
    public static ReadOnlySpan<byte> Magic => "GGUF"u8;

    /// <summary>Oldest version this reader accepts (v1: 32-bit counts, string lengths and dimensions).</summary>
    public const uint MinVersion = 1;

    /// <summary>Newest version this reader accepts (v3 added big-endian files; layout as v2).</summary>
    public const uint MaxVersion = 3;

    /// <summary>Data-section alignment in bytes when <c>general.alignment</c> is absent (spec: <c>GGUF_DEFAULT_ALIGNMENT</c>).</summary>
    public const uint DefaultAlignment = 32;

    /// <summary>Most dimensions a ggml tensor may have (<c>GGML_MAX_DIMS</c> in <c>ggml.h</c>).</summary>
    public const int MaxDimensions = 4;

    /// <summary>Key of the data-section alignment (a UINT32 power of two).</summary>
    public const string AlignmentKey = "general.alignment";

    /// <summary>Key of the architecture name (<c>llama</c>, <c>bert</c>, …) that prefixes the hyper-parameter keys.</summary>
    public const string ArchitectureKey = "general.architecture";

    /// <summary>Key of the tokenizer vocabulary (an array of strings).</summary>
    public const string TokensKey = "tokenizer.ggml.tokens";

    /// <summary>Split key: 0-based index of this part (UINT16, written by gguf-split).</summary>
    public const string SplitNoKey = "split.no";

    /// <summary>Split key: number of parts (UINT16).</summary>
    public const string SplitCountKey = "split.count";

    /// <summary>Split key: number of tensors over all parts (INT32).</summary>
    public const string SplitTensorsCountKey = "split.tensors.count";
}
