using System.Collections.Immutable;
using LlmSize.Core.Compression;
using LlmSize.Core.Formats.Safetensors;
using LlmSize.Core.Precision;

namespace LlmSize.Core.Tests.Compression;

/// <summary>A tensor to put into a generated test file.</summary>
internal sealed record TestTensor(string Name, TensorDataType DataType, long[] Shape, float[] Values);

/// <summary>A temporary folder removed on dispose.</summary>
internal sealed class TempFolder : IDisposable
{
    public TempFolder() => Directory.CreateDirectory(Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "llmsize-compression-" + Guid.NewGuid().ToString("N")));

    public string Path { get; }

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

/// <summary>Builds and reads safetensors test files.</summary>
internal static class CompressionTestFiles
{
    public static void Write(string path, params TestTensor[] tensors)
    {
        var specs = tensors.Select(t => new SafetensorsTensorSpec(t.Name, t.DataType, [.. t.Shape])).ToList();
        SafetensorsWriter.WriteFile(path, specs, (i, s) =>
        {
            var t = tensors[i];
            byte[] raw = new byte[specs[i].ByteLength];
            FloatTensorCodec.Encode(t.DataType, t.Values, raw);
            s.Write(raw);
        }, new Dictionary<string, string> { ["format"] = "pt" });
    }

    /// <summary>Reads a tensor's values through the project's reader (header) and plain file reads (data).</summary>
    public static float[] Read(string path, string name)
    {
        var file = SafetensorsReader.Read(path);
        var t = file.FindTensor(name) ?? throw new KeyNotFoundException(name);
        byte[] raw = new byte[t.ByteLength];
        using (var fs = System.IO.File.OpenRead(path))
        {
            fs.Position = t.DataOffset!.Value;
            fs.ReadExactly(raw);
        }

        var values = new float[t.ElementCount];
        FloatTensorCodec.Decode(t.DataType, raw, values);
        return values;
    }

    /// <summary>Raw bytes of a tensor.</summary>
    public static byte[] ReadRaw(string path, string name)
    {
        var t = SafetensorsReader.Read(path).FindTensor(name) ?? throw new KeyNotFoundException(name);
        byte[] raw = new byte[t.ByteLength];
        using var fs = System.IO.File.OpenRead(path);
        fs.Position = t.DataOffset!.Value;
        fs.ReadExactly(raw);
        return raw;
    }

    /// <summary>Fixed-seed values in [-1, 1).</summary>
    public static float[] Random(int count, int seed)
    {
        var rng = new Random(seed);
        var v = new float[count];
        for (int i = 0; i < v.Length; i++) v[i] = (float)(rng.NextDouble() * 2 - 1);
        return v;
    }

    public static ImmutableArray<long> Shape(params long[] dims) => [.. dims];
}

/// <summary>A stream that fails like a full disk after a number of bytes.</summary>
internal sealed class DiskFullStream(Stream inner, long capacity) : Stream
{
    private long _written;

    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => _written;

    public override long Position { get => _written; set => throw new NotSupportedException(); }

    public override void Flush() => inner.Flush();

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        if (_written + buffer.Length > capacity) throw new IOException("No space left on device (simulated).");
        inner.Write(buffer);
        _written += buffer.Length;
    }
}
