using LlmSize.Core.Sources;
using System.Buffers.Binary;
using System.Text;
using LlmSize.Core.Precision;

namespace LlmSize.Core.Formats.Gguf;

/// <summary>
/// Writes a GGUF v3 little-endian file, streaming: the header (metadata and tensor infos, offsets computed from the
/// declared shapes and types) is written at once; then each tensor's bytes are appended in declaration order with
/// <see cref="WriteTensorData"/>; <see cref="Commit"/> moves the finished file into place. Nothing of the model is
/// held in memory.
/// </summary>
/// <remarks>
/// <para>Layout per the GGUF specification (ggml <c>docs/gguf.md</c>, "File Structure"): magic "GGUF", UINT32 version
/// 3, UINT64 tensor count, UINT64 metadata count, metadata pairs, tensor infos (name, UINT32 n_dims, UINT64 ne[],
/// UINT32 ggml type, UINT64 offset relative to the data section), zero padding to the alignment, then the data, each
/// tensor padded with zeros to the alignment (as ggml's <c>gguf_write_to_buf</c> does, the last one included).</para>
/// <para>Atomic: bytes go to a temporary file beside the output (same folder, so the final rename never crosses
/// volumes); <see cref="Commit"/> renames it. Disposing without committing — after any failure, disk full included —
/// deletes the temporary file; the output path is never left half written.</para>
/// </remarks>
public sealed class GgufWriter : IDisposable
{
    private const uint Version = 3;
    private readonly GgufWriterOptions _options;
    private readonly string _outputPath;
    private readonly string _tempPath;
    private readonly IReadOnlyList<GgufTensorDescriptor> _tensors;
    private readonly long[] _byteLengths;
    private readonly uint _alignment;
    private FileStream? _stream;
    private int _current;
    private long _writtenInCurrent;
    private bool _committed;

    private GgufWriter(string outputPath, string tempPath, FileStream stream, IReadOnlyList<GgufTensorDescriptor> tensors,
        long[] byteLengths, uint alignment, GgufWriterOptions options)
    {
        _outputPath = outputPath;
        _tempPath = tempPath;
        _stream = stream;
        _tensors = tensors;
        _byteLengths = byteLengths;
        _alignment = alignment;
        _options = options;
    }

    /// <summary>The final path of the file.</summary>
    public string OutputPath => _outputPath;

    /// <summary>The temporary file being written (deleted or renamed by the end).</summary>
    public string TemporaryPath => _tempPath;

    /// <summary>Data alignment in bytes used for the tensor offsets.</summary>
    public uint Alignment => _alignment;

    /// <summary>Bytes of the header including the padding before the data section.</summary>
    public long HeaderLength { get; private set; }

    /// <summary>Total bytes the finished file will have.</summary>
    public long TotalLength { get; private set; }

    /// <summary>The tensor whose bytes <see cref="WriteTensorData"/> appends next, or null when all are complete.</summary>
    public GgufTensorDescriptor? CurrentTensor => _current < _tensors.Count ? _tensors[_current] : null;

    /// <summary>
    /// Creates the temporary file and writes the header.
    /// </summary>
    /// <param name="outputPath">Final path of the GGUF file.</param>
    /// <param name="metadata">Metadata pairs in the order to write. A <c>general.alignment</c> UINT32 pair sets the
    /// alignment; arrays must be materialized (<see cref="GgufArray.IsMaterialized"/>).</param>
    /// <param name="tensors">Tensors in the order their data will be written.</param>
    /// <param name="options">Choices; <see cref="GgufWriterOptions.Default"/> when null.</param>
    /// <returns>A writer waiting for the first tensor's bytes.</returns>
    /// <exception cref="ArgumentException">Bad path, duplicate key or tensor name, a name too long, a shape with no or
    /// more than 4 dimensions, negative dimensions, rows not a whole number of blocks, a type GGUF cannot store,
    /// an unmaterialized array, or an alignment that is not a power of two.</exception>
    /// <exception cref="IOException">The output exists (without <see cref="GgufWriterOptions.Overwrite"/>), the volume
    /// lacks the space, or the file cannot be created.</exception>
    public static GgufWriter Create(string outputPath, IEnumerable<KeyValuePair<string, GgufValue>> metadata,
        IReadOnlyList<GgufTensorDescriptor> tensors, GgufWriterOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(outputPath);
        ArgumentNullException.ThrowIfNull(metadata);
        ArgumentNullException.ThrowIfNull(tensors);
        options ??= GgufWriterOptions.Default;
        string full = Path.GetFullPath(outputPath);
        if (Directory.Exists(full))
        {
            throw new IOException($"The output '{full}' is a folder; give a file name inside it (e.g. {Path.Combine(full, "model.gguf")}).");
        }

        if (!options.Overwrite && File.Exists(full))
        {
            throw new IOException($"The output file '{full}' already exists (--overwrite replaces it).");
        }

        var pairs = metadata.ToList();
        uint alignment = options.Alignment;
        var keys = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (key, value) in pairs)
        {
            ArgumentException.ThrowIfNullOrEmpty(key, nameof(metadata));
            if (!keys.Add(key)) throw new ArgumentException($"Metadata key '{key}' appears twice.", nameof(metadata));
            if (key == GgufConstants.AlignmentKey)
            {
                if (value.Value is not uint a) throw new ArgumentException($"'{key}' must be a UINT32.", nameof(metadata));
                alignment = a;
            }
        }

        if (alignment == 0 || (alignment & (alignment - 1)) != 0)
        {
            throw new ArgumentException($"Alignment {alignment} is not a power of two.", nameof(options));
        }

        var lengths = new long[tensors.Count];
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < tensors.Count; i++)
        {
            var t = tensors[i] ?? throw new ArgumentException($"Tensor {i} is null.", nameof(tensors));
            ValidateTensor(t, options, names);
            lengths[i] = t.ByteLength;
        }

        string dir = Path.GetDirectoryName(full) ?? throw new ArgumentException("The output path has no folder.", nameof(outputPath));
        if (!Directory.Exists(dir)) throw new DirectoryNotFoundException($"Output folder '{dir}' does not exist.");
        string temp = OutputFileGuard.TempPathFor(full);
        var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, options.BufferSize);
        var writer = new GgufWriter(full, temp, stream, tensors, lengths, alignment, options);
        try
        {
            writer.WriteHeader(pairs);
            return writer;
        }
        catch
        {
            writer.Dispose();
            throw;
        }
    }

    /// <summary>Appends bytes of the current tensor (a whole tensor or any slice of it, in order); pads and moves to the
    /// next tensor once the current one is complete.</summary>
    /// <param name="data">The next bytes of the current tensor.</param>
    /// <exception cref="InvalidOperationException">All tensors are complete, or the writer was committed or disposed.</exception>
    /// <exception cref="ArgumentException"><paramref name="data"/> goes past the end of the current tensor.</exception>
    /// <exception cref="IOException">Writing failed (disk full …); dispose the writer to delete the partial file.</exception>
    public void WriteTensorData(ReadOnlySpan<byte> data)
    {
        var stream = _stream ?? throw new InvalidOperationException("The writer was committed or disposed.");
        if (_current >= _tensors.Count) throw new InvalidOperationException("Every declared tensor is already complete.");
        long left = _byteLengths[_current] - _writtenInCurrent;
        if (data.Length > left)
        {
            throw new ArgumentException(
                $"{data.Length} bytes overrun tensor '{_tensors[_current].Name}': {left} of {_byteLengths[_current]} bytes are left.", nameof(data));
        }

        stream.Write(data);
        _writtenInCurrent += data.Length;
        AdvanceCompleted();
    }

    /// <summary>Flushes the file to disk and renames it to <see cref="OutputPath"/>.</summary>
    /// <exception cref="InvalidOperationException">A declared tensor is not complete, or the writer was committed or disposed.</exception>
    /// <exception cref="IOException">Flushing or renaming failed; the temporary file is deleted.</exception>
    public void Commit()
    {
        var stream = _stream ?? throw new InvalidOperationException("The writer was committed or disposed.");
        AdvanceCompleted();
        if (_current < _tensors.Count)
        {
            throw new InvalidOperationException(
                $"Tensor '{_tensors[_current].Name}' has {_writtenInCurrent} of {_byteLengths[_current]} bytes; {_tensors.Count - _current} tensor(s) incomplete.");
        }

        try
        {
            stream.Flush(flushToDisk: true);
            stream.Dispose();
            _stream = null;
            File.Move(_tempPath, _outputPath, overwrite: _options.Overwrite);
            _committed = true;
        }
        finally
        {
            if (!_committed) Dispose();
        }
    }

    /// <summary>Closes the file; when <see cref="Commit"/> did not succeed, deletes the temporary file.</summary>
    public void Dispose()
    {
        Stream? stream = _stream;
        _stream = null;
        try
        {
            // Closing flushes buffered bytes: on a full disk that throws, and the temp file must still go.
            stream?.Dispose();
        }
        catch (Exception e) when (!_committed && e is IOException or UnauthorizedAccessException)
        {
            // Already failing; the caller sees the first error.
        }
        finally
        {
            if (!_committed) OutputFileGuard.TryDelete(_tempPath);
        }
    }

    private void AdvanceCompleted()
    {
        while (_current < _tensors.Count && _writtenInCurrent == _byteLengths[_current])
        {
            WritePadding(_byteLengths[_current]);
            _current++;
            _writtenInCurrent = 0;
        }
    }

    private void WritePadding(long length)
    {
        long pad = Align(length, _alignment) - length;
        Span<byte> zeros = stackalloc byte[256];
        zeros.Clear();
        while (pad > 0)
        {
            int n = (int)Math.Min(pad, zeros.Length);
            _stream!.Write(zeros[..n]);
            pad -= n;
        }
    }

    private static long Align(long value, uint alignment) => checked((value + alignment - 1) / alignment * alignment);

    private static void ValidateTensor(GgufTensorDescriptor t, GgufWriterOptions options, HashSet<string> names)
    {
        ArgumentException.ThrowIfNullOrEmpty(t.Name, "tensors");
        if (Encoding.UTF8.GetByteCount(t.Name) > options.MaxTensorNameLength)
        {
            throw new ArgumentException($"Tensor name '{t.Name}' is longer than {options.MaxTensorNameLength} bytes.", "tensors");
        }

        if (!names.Add(t.Name)) throw new ArgumentException($"Tensor name '{t.Name}' appears twice.", "tensors");
        if (t.Shape.IsDefaultOrEmpty || t.Shape.Length > GgufConstants.MaxDimensions)
        {
            throw new ArgumentException($"Tensor '{t.Name}' has {(t.Shape.IsDefault ? 0 : t.Shape.Length)} dimensions; GGUF allows 1 to {GgufConstants.MaxDimensions}.", "tensors");
        }

        if (t.Type.GgmlTypeId is null)
        {
            throw new ArgumentException($"Tensor '{t.Name}': {t.Type.Name} has no ggml type id; GGUF cannot store it.", "tensors");
        }

        foreach (long d in t.Shape)
        {
            if (d < 0) throw new ArgumentException($"Tensor '{t.Name}' has a negative dimension {d}.", "tensors");
        }

        long rowLength = t.Shape[^1];
        if (rowLength % t.Type.BlockSize != 0)
        {
            throw new ArgumentException(
                $"Tensor '{t.Name}': rows of {rowLength} elements are not a whole number of {t.Type.Name} blocks of {t.Type.BlockSize}.", "tensors");
        }

        _ = t.ByteLength; // checked arithmetic: throws OverflowException for absurd shapes
    }

    private void WriteHeader(List<KeyValuePair<string, GgufValue>> pairs)
    {
        // The header is built in memory (metadata and tensor infos only: kilobytes to a few megabytes for a
        // 256k-token vocabulary), then written in one go.
        using var ms = new MemoryStream();
        using (var w = new BinaryWriter(ms, Encoding.UTF8, leaveOpen: true))
        {
            w.Write(GgufConstants.Magic);
            WriteU32(w, Version);
            WriteU64(w, (ulong)_tensors.Count);
            WriteU64(w, (ulong)pairs.Count);
            foreach (var (key, value) in pairs)
            {
                WriteString(w, key);
                WriteU32(w, (uint)value.Type);
                WriteValue(w, value.Type, value.Value, key, depth: 0);
            }

            long offset = 0;
            for (int i = 0; i < _tensors.Count; i++)
            {
                var t = _tensors[i];
                WriteString(w, t.Name);
                WriteU32(w, (uint)t.Shape.Length);
                for (int d = t.Shape.Length - 1; d >= 0; d--) WriteU64(w, (ulong)t.Shape[d]);
                WriteU32(w, (uint)t.Type.GgmlTypeId!.Value);
                WriteU64(w, (ulong)offset);
                offset = checked(offset + Align(_byteLengths[i], _alignment));
            }

            w.Flush();
            HeaderLength = Align(ms.Length, _alignment);
            TotalLength = checked(HeaderLength + offset);
        }

        if (_options.CheckFreeSpace) CheckFreeSpace();
        ms.Position = 0;
        ms.CopyTo(_stream!);
        WritePadding(ms.Length);
        AdvanceCompleted(); // tensors of zero bytes
    }

    private void CheckFreeSpace()
    {
        try
        {
            OutputFileGuard.EnsureFreeSpace(_outputPath, TotalLength);
        }
        catch (ArgumentException)
        {
            // No drive information for this path (network share, unusual mount): write and let the OS report.
        }
    }

    private static void WriteValue(BinaryWriter w, GgufValueType type, object value, string key, int depth)
    {
        switch (type)
        {
            case GgufValueType.UInt8: w.Write((byte)value); break;
            case GgufValueType.Int8: w.Write((sbyte)value); break;
            case GgufValueType.UInt16: WriteU16(w, (ushort)value); break;
            case GgufValueType.Int16: WriteU16(w, (ushort)(short)value); break;
            case GgufValueType.UInt32: WriteU32(w, (uint)value); break;
            case GgufValueType.Int32: WriteU32(w, (uint)(int)value); break;
            case GgufValueType.Float32: WriteU32(w, BitConverter.SingleToUInt32Bits((float)value)); break;
            case GgufValueType.Bool: w.Write((byte)((bool)value ? 1 : 0)); break;
            case GgufValueType.String: WriteString(w, (string)value); break;
            case GgufValueType.UInt64: WriteU64(w, (ulong)value); break;
            case GgufValueType.Int64: WriteU64(w, (ulong)(long)value); break;
            case GgufValueType.Float64: WriteU64(w, BitConverter.DoubleToUInt64Bits((double)value)); break;
            case GgufValueType.Array:
                var array = (GgufArray)value;
                if (array.Items is null)
                {
                    throw new ArgumentException(
                        $"Metadata '{key}' is an array of {array.Count} elements that was not materialized; read the input with a larger GgufReaderOptions.MaxMaterializedArrayLength.", "metadata");
                }

                if (depth >= 8) throw new ArgumentException($"Metadata '{key}' nests arrays too deeply.", "metadata");
                WriteU32(w, (uint)array.ElementType);
                WriteU64(w, (ulong)array.Items.LongLength);
                foreach (object? item in array.Items)
                {
                    WriteValue(w, array.ElementType, item ?? throw new ArgumentException($"Metadata '{key}' has a null element.", "metadata"), key, depth + 1);
                }

                break;
            default:
                throw new ArgumentException($"Metadata '{key}' has unknown type {(uint)type}.", "metadata");
        }
    }

    private static void WriteString(BinaryWriter w, string s)
    {
        byte[] bytes = Encoding.UTF8.GetBytes(s);
        WriteU64(w, (ulong)bytes.Length);
        w.Write(bytes);
    }

    private static void WriteU16(BinaryWriter w, ushort v)
    {
        Span<byte> b = stackalloc byte[2];
        BinaryPrimitives.WriteUInt16LittleEndian(b, v);
        w.Write(b);
    }

    private static void WriteU32(BinaryWriter w, uint v)
    {
        Span<byte> b = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(b, v);
        w.Write(b);
    }

    private static void WriteU64(BinaryWriter w, ulong v)
    {
        Span<byte> b = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(b, v);
        w.Write(b);
    }
}
