namespace LlmSize.Core.Formats.Gguf;

/// <summary>Choices and limits for <see cref="GgufWriter"/>.</summary>
public sealed class GgufWriterOptions
{
    /// <summary>The default options.</summary>
    public static GgufWriterOptions Default { get; } = new();

    /// <summary>Data alignment in bytes when the metadata has no <c>general.alignment</c>: a power of two.
    /// Default 32 (<c>GGUF_DEFAULT_ALIGNMENT</c>).</summary>
    public uint Alignment { get; init; } = GgufConstants.DefaultAlignment;

    /// <summary>Replace an existing output file (the rename is still atomic). Default false: an existing output is
    /// an <see cref="IOException"/>.</summary>
    public bool Overwrite { get; init; }

    /// <summary>Check free space on the output volume before writing (needs the total size up front). Default true.</summary>
    public bool CheckFreeSpace { get; init; } = true;

    /// <summary>Most bytes of a tensor name. Default 63 (ggml <c>GGML_MAX_NAME</c> − 1: longer names do not load in
    /// llama.cpp).</summary>
    public int MaxTensorNameLength { get; init; } = 63;

    /// <summary>File buffer in bytes. Default 1 MiB.</summary>
    public int BufferSize { get; init; } = 1 << 20;
}
