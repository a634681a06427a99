using LlmSize.Core.Sources;
using System.Buffers.Binary;
using System.Collections.Immutable;
using System.Text;
using System.Text.Json;
using LlmSize.Core.Precision;

namespace LlmSize.Core.Formats.Safetensors;

/// <summary>One tensor to write: name, dtype and shape (outermost first). Its byte length follows from them.</summary>
/// <param name="Name">Tensor name (non-empty, not <c>__metadata__</c>, unique in the file).</param>
/// <param name="DataType">Element type; must have a safetensors name (F32, F16, BF16, I8 …).</param>
/// <param name="Shape">Dimensions, outermost first; empty = scalar.</param>
public sealed record SafetensorsTensorSpec(string Name, TensorDataType DataType, ImmutableArray<long> Shape)
{
    /// <summary>Elements: the product of <see cref="Shape"/> (checked).</summary>
    public long ElementCount
    {
        get
        {
            long n = 1;
            foreach (long d in Shape) n = checked(n * d);
            return n;
        }
    }

    /// <summary>Bytes of the tensor's data: <see cref="ElementCount"/> × the dtype's size.</summary>
    public long ByteLength => DataType.GetByteCount(ElementCount);
}

/// <summary>Writes the bytes of tensor <paramref name="index"/> (exactly its byte length) to <paramref name="destination"/>.</summary>
/// <param name="index">Index into the spec list.</param>
/// <param name="destination">Where to write; the writer checks the count.</param>
public delegate void SafetensorsTensorDataWriter(int index, Stream destination);

/// <summary>
/// Writes safetensors files: an 8-byte little-endian header length, a UTF-8 JSON header (dtype, shape, data_offsets
/// per tensor, optional <c>__metadata__</c> of strings) padded with spaces so the data starts at a multiple of 8,
/// then the tensor data in header order, contiguous. Data is streamed tensor by tensor from a callback, so memory does
/// not grow with the model.
/// </summary>
/// <remarks>
/// Format: huggingface/safetensors README "Format" and <c>safetensors/src/tensor.rs</c> (header padding with
/// 0x20 to 8-byte alignment; offsets relative to the byte after the header; no gaps, no overlap).
/// <see cref="WriteFile"/> writes to a temporary file beside the target and renames it when complete, so a failure
/// (disk full, cancellation, a callback error) leaves no partial output.
/// </remarks>
public static class SafetensorsWriter
{
    /// <summary>Data alignment of the data section in bytes (the header is padded to it).</summary>
    public const int Alignment = 8;

    /// <summary>Writes a complete safetensors image to <paramref name="destination"/>.</summary>
    /// <param name="destination">Writable stream.</param>
    /// <param name="tensors">Tensors in file order.</param>
    /// <param name="writeData">Writes each tensor's bytes.</param>
    /// <param name="metadata">Optional <c>__metadata__</c> string map.</param>
    /// <param name="cancellationToken">Checked between tensors.</param>
    /// <returns>Total bytes written.</returns>
    /// <exception cref="ArgumentException">Duplicate or empty names, a dtype without a safetensors name, a negative dimension.</exception>
    /// <exception cref="InvalidOperationException">A callback wrote a different number of bytes than the tensor's byte length.</exception>
    /// <exception cref="IOException">The stream failed (e.g. disk full).</exception>
    public static long Write(Stream destination, IReadOnlyList<SafetensorsTensorSpec> tensors, SafetensorsTensorDataWriter writeData,
        IReadOnlyDictionary<string, string>? metadata = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(destination);
        ArgumentNullException.ThrowIfNull(tensors);
        ArgumentNullException.ThrowIfNull(writeData);
        if (!destination.CanWrite) throw new ArgumentException("The destination stream is not writable.", nameof(destination));
        byte[] header = BuildHeader(tensors, metadata);
        Span<byte> prefix = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(prefix, (ulong)header.Length);
        destination.Write(prefix);
        destination.Write(header);
        long total = 8 + header.Length;
        var counter = new CountingStream(destination);
        for (int i = 0; i < tensors.Count; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            long before = counter.Written;
            writeData(i, counter);
            long wrote = counter.Written - before;
            if (wrote != tensors[i].ByteLength)
            {
                throw new InvalidOperationException(
                    $"Tensor '{tensors[i].Name}': {wrote} bytes written, {tensors[i].ByteLength} expected ({tensors[i].DataType} × {tensors[i].ElementCount}).");
            }
        }

        destination.Flush();
        return total + counter.Written;
    }

    /// <summary>
    /// Writes a safetensors file atomically: to <c>&lt;path&gt;.tmp-&lt;random&gt;</c> in the same folder, then renamed
    /// onto <paramref name="path"/>. On any failure the temporary file is deleted and <paramref name="path"/> is untouched.
    /// </summary>
    /// <param name="path">Output path.</param>
    /// <param name="tensors">Tensors in file order.</param>
    /// <param name="writeData">Writes each tensor's bytes.</param>
    /// <param name="metadata">Optional <c>__metadata__</c>.</param>
    /// <param name="overwrite">Replace an existing file at <paramref name="path"/>; false = refuse.</param>
    /// <param name="protectedInputs">Input files that must never be overwritten (compared by full path).</param>
    /// <param name="cancellationToken">Checked between tensors.</param>
    /// <returns>Bytes written.</returns>
    /// <exception cref="ArgumentException"><paramref name="path"/> is one of <paramref name="protectedInputs"/>, or bad specs.</exception>
    /// <exception cref="IOException">The output exists and <paramref name="overwrite"/> is false, or writing failed (disk full).</exception>
    public static long WriteFile(string path, IReadOnlyList<SafetensorsTensorSpec> tensors, SafetensorsTensorDataWriter writeData,
        IReadOnlyDictionary<string, string>? metadata = null, bool overwrite = false, IEnumerable<string>? protectedInputs = null,
        CancellationToken cancellationToken = default) =>
        WriteFileCore(path, tensors, writeData, metadata, overwrite, protectedInputs, null, cancellationToken);

    /// <summary>Like the public overload; <paramref name="wrap"/> lets tests put a failing stream around the file.</summary>
    internal static long WriteFileCore(string path, IReadOnlyList<SafetensorsTensorSpec> tensors, SafetensorsTensorDataWriter writeData,
        IReadOnlyDictionary<string, string>? metadata, bool overwrite, IEnumerable<string>? protectedInputs, Func<Stream, Stream>? wrap,
        CancellationToken cancellationToken)
    {
        string full = CheckOutputPath(path, overwrite, protectedInputs);
        // The free-space pre-check quantize has (issue 13, class 7c): 8-byte length + padded header + data.
        long expected = checked(8L + BuildHeader(tensors, metadata).Length + tensors.Sum(t => t.ByteLength));
        OutputFileGuard.EnsureFreeSpace(full, expected);
        string temp = OutputFileGuard.TempPathFor(full);
        try
        {
            long written;
            using (var file = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 20))
            {
                Stream s = wrap?.Invoke(file) ?? file;
                written = Write(s, tensors, writeData, metadata, cancellationToken);
                file.Flush(flushToDisk: true);
            }

            File.Move(temp, full, overwrite);
            return written;
        }
        catch
        {
            TryDelete(temp);
            throw;
        }
    }

    /// <summary>Checks an output path: not an input, not existing unless <paramref name="overwrite"/>, folder exists.</summary>
    /// <param name="path">Output path.</param>
    /// <param name="overwrite">Whether an existing file may be replaced.</param>
    /// <param name="protectedInputs">Inputs that must not be overwritten.</param>
    /// <returns>The full path.</returns>
    /// <exception cref="ArgumentException">The output is an input file.</exception>
    /// <exception cref="IOException">The output exists and <paramref name="overwrite"/> is false.</exception>
    /// <exception cref="DirectoryNotFoundException">The output folder does not exist.</exception>
    public static string CheckOutputPath(string path, bool overwrite, IEnumerable<string>? protectedInputs)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        string full = Path.GetFullPath(path);
        // Compared as files (device + inode after resolving symlinks and '..'), not as path strings.
        OutputFileGuard.EnsureNotAnInput(path, protectedInputs);

        string? dir = Path.GetDirectoryName(full);
        if (dir is not null && !Directory.Exists(dir)) throw new DirectoryNotFoundException($"Output folder '{dir}' does not exist.");
        if (Directory.Exists(full)) throw new IOException($"The output '{path}' is a folder; give a file name inside it (e.g. {Path.Combine(path, "model.safetensors")}).");
        if (!overwrite && File.Exists(full)) throw new IOException($"The output '{path}' already exists (--overwrite replaces it).");
        return full;
    }

    /// <summary>Builds the padded JSON header.</summary>
    internal static byte[] BuildHeader(IReadOnlyList<SafetensorsTensorSpec> tensors, IReadOnlyDictionary<string, string>? metadata)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms))
        {
            w.WriteStartObject();
            if (metadata is { Count: > 0 })
            {
                w.WriteStartObject("__metadata__");
                foreach (var (k, v) in metadata) w.WriteString(k, v);
                w.WriteEndObject();
            }

            long offset = 0;
            foreach (var t in tensors)
            {
                ArgumentNullException.ThrowIfNull(t, nameof(tensors));
                if (string.IsNullOrEmpty(t.Name) || t.Name == "__metadata__" || !names.Add(t.Name))
                {
                    throw new ArgumentException($"Tensor name '{t.Name}' is empty, reserved or duplicated.", nameof(tensors));
                }

                if (t.DataType.SafetensorsName is null)
                {
                    throw new ArgumentException($"Tensor '{t.Name}': dtype {t.DataType} has no safetensors spelling.", nameof(tensors));
                }

                foreach (long d in t.Shape)
                {
                    if (d < 0) throw new ArgumentException($"Tensor '{t.Name}': negative dimension {d}.", nameof(tensors));
                }

                long end = checked(offset + t.ByteLength);
                w.WriteStartObject(t.Name);
                w.WriteString("dtype", t.DataType.SafetensorsName);
                w.WriteStartArray("shape");
                foreach (long d in t.Shape) w.WriteNumberValue(d);
                w.WriteEndArray();
                w.WriteStartArray("data_offsets");
                w.WriteNumberValue(offset);
                w.WriteNumberValue(end);
                w.WriteEndArray();
                w.WriteEndObject();
                offset = end;
            }

            w.WriteEndObject();
        }

        // Pad with spaces so 8 + header length is a multiple of 8 (safetensors aligns the data section to 8 bytes).
        int length = (int)ms.Length;
        int padded = (length + Alignment - 1) / Alignment * Alignment;
        byte[] header = new byte[padded];
        ms.GetBuffer().AsSpan(0, length).CopyTo(header);
        header.AsSpan(length).Fill((byte)' ');
        return header;
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
            // Best effort: the original error matters more.
        }
        catch (UnauthorizedAccessException)
        {
            // Best effort.
        }
    }

    /// <summary>Counts bytes written through it (write-only pass-through).</summary>
    private sealed class CountingStream(Stream inner) : Stream
    {
        public long Written { get; private set; }

        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => Written; set => throw new NotSupportedException(); }

        public override void Flush() => inner.Flush();

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            inner.Write(buffer);
            Written += buffer.Length;
        }
    }
}
