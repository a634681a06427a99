using LlmSize.Core.Sources;
namespace LlmSize.Core.Formats.Onnx;

/// <summary>
/// Reads an ONNX model's header: identity (IR version, producer, opsets, graph name) and every weight-like tensor's
/// name, shape, element type, role, byte length and data location — without reading tensor data. Inline
/// <c>raw_data</c> is skipped by seeking; external data files are checked for existence and length only.
/// </summary>
/// <remarks>
/// Layout: <c>onnx/onnx.proto</c> (ModelProto, GraphProto, NodeProto, AttributeProto, TensorProto), walked with
/// Google.Protobuf's <c>CodedInputStream</c>; external data: onnx/docs/ExternalData.md; quantized operators: ONNX
/// Runtime's ContribOperators.md (MatMulNBits, MatMulBnb4, GatherBlockQuantized) and the ONNX operator docs
/// (DequantizeLinear, ConstantOfShape, Constant).
/// </remarks>
public static class OnnxReader
{
    /// <summary>Reads the model at <paramref name="path"/>; external data is resolved against its folder.</summary>
    /// <param name="path">Path of the .onnx file.</param>
    /// <param name="options">Limits; <see cref="OnnxReaderOptions.Default"/> when null.</param>
    /// <returns>The model's header facts and tensors.</returns>
    /// <exception cref="ArgumentException"><paramref name="path"/> is empty.</exception>
    /// <exception cref="ModelFormatException">The file is malformed, hostile or exceeds a limit, or external data is
    /// missing, outside the model's folder or shorter than the tensors need.</exception>
    /// <exception cref="NotSupportedException">The model uses segmented tensors.</exception>
    /// <exception cref="IOException">The file cannot be read.</exception>
    public static OnnxModelInfo Read(string path, OnnxReaderOptions? options = null) =>
        ReadCore(path, options, CancellationToken.None);

    /// <summary>Reads the model at <paramref name="path"/> on the thread pool.</summary>
    /// <param name="path">Path of the .onnx file.</param>
    /// <param name="options">Limits; defaults when null.</param>
    /// <param name="cancellationToken">Checked between graph entries.</param>
    /// <returns>The model's header facts and tensors.</returns>
    /// <exception cref="ModelFormatException">See <see cref="Read(string, OnnxReaderOptions?)"/>.</exception>
    /// <exception cref="NotSupportedException">See <see cref="Read(string, OnnxReaderOptions?)"/>.</exception>
    /// <exception cref="OperationCanceledException">Cancelled.</exception>
    public static Task<OnnxModelInfo> ReadAsync(string path, OnnxReaderOptions? options = null,
        CancellationToken cancellationToken = default) =>
        Task.Run(() => ReadCore(path, options, cancellationToken), cancellationToken);

    /// <summary>Reads a model from a seekable stream, from its current position to its end; tensor data is skipped by
    /// seeking.</summary>
    /// <param name="stream">The model bytes; left open.</param>
    /// <param name="options">Limits; defaults when null.</param>
    /// <param name="modelDirectory">Folder to resolve external data against; null to skip side-file checks (locations
    /// that escape the folder are still refused).</param>
    /// <param name="sourceName">Name used in error messages and <see cref="OnnxModelInfo.FilePath"/>, if any.</param>
    /// <returns>The model's header facts and tensors.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="stream"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="stream"/> is not readable or not seekable.</exception>
    /// <exception cref="ModelFormatException">See <see cref="Read(string, OnnxReaderOptions?)"/>.</exception>
    /// <exception cref="NotSupportedException">See <see cref="Read(string, OnnxReaderOptions?)"/>.</exception>
    public static OnnxModelInfo Read(Stream stream, OnnxReaderOptions? options = null, string? modelDirectory = null,
        string? sourceName = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        if (!stream.CanRead) throw new ArgumentException("The stream is not readable.", nameof(stream));
        if (!stream.CanSeek)
        {
            throw new ArgumentException("The stream must be seekable: tensor data is skipped by seeking. Copy a network " +
                "stream to a file first.", nameof(stream));
        }

        options ??= OnnxReaderOptions.Default;
        options.Validate();
        return new OnnxModelParser(stream, stream.Length, options, sourceName, modelDirectory, CancellationToken.None).Parse();
    }

    private static OnnxModelInfo ReadCore(string path, OnnxReaderOptions? options, CancellationToken ct)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        options ??= OnnxReaderOptions.Default;
        options.Validate();
        string full = Path.GetFullPath(path);
        // No FileStream buffer: CodedInputStream buffers 4 KiB itself, and skips seek.
        using var stream = LocalFileGuard.OpenRead(full, bufferSize: 0);
        return new OnnxModelParser(stream, stream.Length, options, full, Path.GetDirectoryName(full), ct).Parse();
    }
}
