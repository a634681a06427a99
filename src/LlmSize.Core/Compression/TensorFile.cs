using LlmSize.Core.Sources;
using System.Buffers.Binary;
using System.Runtime.InteropServices;
using LlmSize.Core.Formats.Gguf;
using LlmSize.Core.Formats.Safetensors;
using LlmSize.Core.Models;
using LlmSize.Core.Precision;

namespace LlmSize.Core.Compression;

/// <summary>
/// A single model file whose tensor data the compression tools read: a safetensors file or a GGUF file. Tensors are
/// described by the existing header readers; data is read tensor by tensor at the declared offsets.
/// </summary>
public sealed class TensorFile
{
    private TensorFile(string path, bool isGguf, IReadOnlyList<TensorInfo> tensors, IReadOnlyDictionary<string, string> metadata)
    {
        FilePath = path;
        IsGguf = isGguf;
        Tensors = tensors;
        Metadata = metadata;
    }

    /// <summary>Full path of the file.</summary>
    public string FilePath { get; }

    /// <summary>True for GGUF, false for safetensors.</summary>
    public bool IsGguf { get; }

    /// <summary>Tensors in file order (shapes outermost first; GGUF shapes converted from ggml order by the reader).</summary>
    public IReadOnlyList<TensorInfo> Tensors { get; }

    /// <summary>safetensors <c>__metadata__</c> (empty for GGUF, whose typed metadata is not carried into safetensors).</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>Opens a safetensors or GGUF file (chosen by its first bytes) and reads its header.</summary>
    /// <param name="path">File path.</param>
    /// <returns>The file's tensors.</returns>
    /// <exception cref="FileNotFoundException">No such file.</exception>
    /// <exception cref="ModelFormatException">Malformed header (from the format reader).</exception>
    /// <exception cref="NotSupportedException">Neither safetensors nor GGUF.</exception>
    public static TensorFile Open(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        string full = Path.GetFullPath(path);
        if (!File.Exists(full)) throw new FileNotFoundException($"Model file '{path}' does not exist.", path);
        Span<byte> head = stackalloc byte[16];
        int got;
        using (var fs = LocalFileGuard.OpenRead(full)) got = fs.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        if (GgufFormatDetector.IsGguf(head[..got]))
        {
            var g = GgufReader.Read(full);
            return new TensorFile(full, true, g.Tensors, new Dictionary<string, string>());
        }

        if (SafetensorsFormatDetector.IsSafetensors(head[..got]) || full.EndsWith(".safetensors", StringComparison.OrdinalIgnoreCase))
        {
            var s = SafetensorsReader.Read(full);
            return new TensorFile(full, false, s.Tensors, s.Metadata);
        }

        throw new NotSupportedException($"'{path}' is neither a safetensors nor a GGUF file.");
    }

    /// <summary>Reads a tensor's raw bytes into <paramref name="buffer"/> (exactly its byte length).</summary>
    /// <param name="handle">Open handle of <see cref="FilePath"/>.</param>
    /// <param name="tensor">The tensor.</param>
    /// <param name="buffer">Destination, at least <see cref="TensorInfo.ByteLength"/> long.</param>
    /// <exception cref="ModelFormatException">The file ends before the tensor's data does.</exception>
    internal void ReadRaw(Microsoft.Win32.SafeHandles.SafeFileHandle handle, TensorInfo tensor, Span<byte> buffer)
    {
        long offset = tensor.DataOffset ?? throw new ModelFormatException(ModelFormatError.MissingField, $"Tensor '{tensor.Name}' has no data offset.", FilePath, field: tensor.Name);
        int done = 0;
        var target = buffer[..checked((int)tensor.ByteLength)];
        while (done < target.Length)
        {
            int n = RandomAccess.Read(handle, target[done..], offset + done);
            if (n == 0)
            {
                throw new ModelFormatException(ModelFormatError.OffsetOutOfRange,
                    $"File ends inside tensor '{tensor.Name}' ({done} of {target.Length} bytes read).", FilePath, offset + done, tensor.Name);
            }

            done += n;
        }
    }
}

/// <summary>Decodes and encodes little-endian F32, F16 and BF16 tensor data.</summary>
public static class FloatTensorCodec
{
    /// <summary>True for the dtypes the codec handles (F32, F16, BF16).</summary>
    /// <param name="type">A dtype.</param>
    /// <returns>Whether <see cref="Decode"/> and <see cref="Encode"/> accept it.</returns>
    public static bool IsSupported(TensorDataType type) => type == TensorDataType.F32 || type == TensorDataType.F16 || type == TensorDataType.BF16;

    /// <summary>Decodes <paramref name="source"/> (little-endian elements of <paramref name="type"/>) into floats.</summary>
    /// <param name="type">F32, F16 or BF16.</param>
    /// <param name="source">Raw bytes (element count × element size).</param>
    /// <param name="destination">One float per element.</param>
    /// <exception cref="NotSupportedException">Another dtype.</exception>
    public static void Decode(TensorDataType type, ReadOnlySpan<byte> source, Span<float> destination)
    {
        int n = destination.Length;
        if (type == TensorDataType.F32)
        {
            if (BitConverter.IsLittleEndian) MemoryMarshal.Cast<byte, float>(source[..(n * 4)]).CopyTo(destination);
            else for (int i = 0; i < n; i++) destination[i] = BinaryPrimitives.ReadSingleLittleEndian(source[(i * 4)..]);
        }
        else if (type == TensorDataType.F16)
        {
            for (int i = 0; i < n; i++) destination[i] = (float)BinaryPrimitives.ReadHalfLittleEndian(source[(i * 2)..]);
        }
        else if (type == TensorDataType.BF16)
        {
            // bfloat16 is the high half of an IEEE binary32: widening is exact.
            for (int i = 0; i < n; i++) destination[i] = BitConverter.Int32BitsToSingle(BinaryPrimitives.ReadUInt16LittleEndian(source[(i * 2)..]) << 16);
        }
        else
        {
            throw new NotSupportedException($"dtype {type} cannot be decoded to floats (F32, F16 and BF16 only).");
        }
    }

    /// <summary>Encodes floats as <paramref name="type"/> (F16: IEEE round-to-nearest-even; BF16: round-to-nearest-even).</summary>
    /// <param name="type">F32, F16 or BF16.</param>
    /// <param name="source">Values.</param>
    /// <param name="destination">Raw bytes (element count × element size).</param>
    /// <exception cref="NotSupportedException">Another dtype.</exception>
    public static void Encode(TensorDataType type, ReadOnlySpan<float> source, Span<byte> destination)
    {
        int n = source.Length;
        if (type == TensorDataType.F32)
        {
            if (BitConverter.IsLittleEndian) MemoryMarshal.Cast<float, byte>(source).CopyTo(destination);
            else for (int i = 0; i < n; i++) BinaryPrimitives.WriteSingleLittleEndian(destination[(i * 4)..], source[i]);
        }
        else if (type == TensorDataType.F16)
        {
            for (int i = 0; i < n; i++) BinaryPrimitives.WriteHalfLittleEndian(destination[(i * 2)..], (Half)source[i]);
        }
        else if (type == TensorDataType.BF16)
        {
            for (int i = 0; i < n; i++) BinaryPrimitives.WriteUInt16LittleEndian(destination[(i * 2)..], ToBFloat16(source[i]));
        }
        else
        {
            throw new NotSupportedException($"dtype {type} cannot be encoded from floats (F32, F16 and BF16 only).");
        }
    }

    /// <summary>Rounds a float to bfloat16 bits, nearest-even; NaN stays a quiet NaN (as PyTorch's c10::BFloat16 does).</summary>
    /// <param name="value">Value.</param>
    /// <returns>The 16 high bits after rounding.</returns>
    public static ushort ToBFloat16(float value)
    {
        uint bits = BitConverter.SingleToUInt32Bits(value);
        if (float.IsNaN(value)) return (ushort)((bits >> 16) | 0x40);
        uint rounding = 0x7FFF + ((bits >> 16) & 1);
        return (ushort)((bits + rounding) >> 16);
    }
}
