using System.Buffers.Binary;
using System.Collections.Immutable;
using LlmSize.Core.Formats.Gguf;
using LlmSize.Core.Precision;

namespace LlmSize.Core.Tests.Formats.Gguf;

/// <summary>Our GGUF writer, checked by our reader (round trip) and by the spec's byte layout.</summary>
public sealed class GgufWriterTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("llmsize-ggufw-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static List<KeyValuePair<string, GgufValue>> Metadata() =>
    [
        new("general.architecture", GgufValue.FromString("llama")),
        new("u8", GgufValue.Create(GgufValueType.UInt8, (byte)200)),
        new("i8", GgufValue.Create(GgufValueType.Int8, (sbyte)-5)),
        new("u16", GgufValue.Create(GgufValueType.UInt16, (ushort)65000)),
        new("i16", GgufValue.Create(GgufValueType.Int16, (short)-300)),
        new("u32", GgufValue.FromUInt32(4_000_000_000)),
        new("i32", GgufValue.Create(GgufValueType.Int32, -7)),
        new("f32", GgufValue.FromFloat32(0.5f)),
        new("bool", GgufValue.Create(GgufValueType.Bool, true)),
        new("u64", GgufValue.Create(GgufValueType.UInt64, ulong.MaxValue)),
        new("i64", GgufValue.Create(GgufValueType.Int64, long.MinValue)),
        new("f64", GgufValue.Create(GgufValueType.Float64, 1e300)),
        new("strings", GgufValue.FromArray(GgufValueType.String, new[] { "a", "ü", "" })),
        new("ints", GgufValue.FromArray(GgufValueType.Int32, new[] { 1, -2, 3 })),
    ];

    private static GgufTensorDescriptor[] Tensors() =>
    [
        new("a.weight", [3, 64], TensorDataType.Q8_0), // 3 rows × 2 blocks × 34 bytes = 204 bytes
        new("b.weight", [5], TensorDataType.F32), // 20 bytes
        new("c.weight", [2, 2, 2], TensorDataType.F16), // 16 bytes
    ];

    [Fact]
    public void RoundTrip_ReaderSeesMetadataTensorsAndData()
    {
        string path = Path.Combine(_dir, "x.gguf");
        var tensors = Tensors();
        using (var w = GgufWriter.Create(path, Metadata(), tensors))
        {
            foreach (var t in tensors)
            {
                var bytes = Enumerable.Range(0, (int)t.ByteLength).Select(i => (byte)(i * 7 + t.Name[0])).ToArray();
                w.WriteTensorData(bytes.AsSpan(0, bytes.Length / 2)); // in two slices
                w.WriteTensorData(bytes.AsSpan(bytes.Length / 2));
            }

            w.Commit();
        }

        var f = GgufReader.Read(path, new GgufReaderOptions { MaxMaterializedArrayLength = 100 });
        Assert.Equal(3u, f.Version);
        Assert.Equal(32u, f.Alignment); // GGUF_DEFAULT_ALIGNMENT
        foreach (var (key, value) in Metadata())
        {
            Assert.True(f.TryGetValue(key, out var read), key);
            Assert.Equal(value.Type, read.Type);
            if (value.Value is GgufArray arr) Assert.Equal(arr.Items!.Cast<object>(), ((GgufArray)read.Value).Items!.Cast<object>());
            else Assert.Equal(value.Value, read.Value);
        }

        Assert.Equal(tensors.Select(t => t.Name), f.Tensors.Select(t => t.Name));
        Assert.Equal([3L, 64], f.Tensors[0].Shape.ToArray());
        Assert.Equal(TensorDataType.Q8_0, f.Tensors[0].DataType);
        // Offsets: 204 bytes padded to 224 (7 × 32); 20 padded to 32; so b at +224, c at +256.
        Assert.Equal(f.TensorDataOffset, f.Tensors[0].DataOffset);
        Assert.Equal(f.TensorDataOffset + 224, f.Tensors[1].DataOffset);
        Assert.Equal(f.TensorDataOffset + 256, f.Tensors[2].DataOffset);
        Assert.Equal(0, f.TensorDataOffset % 32);
        // File ends after c's 16 bytes padded to 32: data section 288 bytes.
        Assert.Equal(f.TensorDataOffset + 288, new FileInfo(path).Length);
        using var fs = File.OpenRead(path);
        fs.Position = f.Tensors[1].DataOffset!.Value;
        Span<byte> b = stackalloc byte[20];
        fs.ReadExactly(b);
        Assert.Equal((byte)(0 * 7 + 'b'), b[0]);
        Assert.Equal((byte)(19 * 7 + 'b'), b[19]);
        Assert.Empty(Directory.GetFiles(_dir, "*.tmp"));
    }

    [Fact]
    public void Header_StartsWithMagicVersionAndCounts()
    {
        string path = Path.Combine(_dir, "h.gguf");
        using (var w = GgufWriter.Create(path, [new("k", GgufValue.FromUInt32(1))], []))
        {
            w.Commit();
        }

        var bytes = File.ReadAllBytes(path);
        Assert.Equal("GGUF"u8.ToArray(), bytes[..4]); // magic
        Assert.Equal(3u, BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(4))); // version
        Assert.Equal(0ul, BinaryPrimitives.ReadUInt64LittleEndian(bytes.AsSpan(8))); // tensor count
        Assert.Equal(1ul, BinaryPrimitives.ReadUInt64LittleEndian(bytes.AsSpan(16))); // kv count
        // 24 + key (8 + 1) + type 4 + u32 4 = 41 bytes, padded to 64.
        Assert.Equal(64, bytes.Length);
    }

    [Fact]
    public void CustomAlignment_FromMetadata()
    {
        string path = Path.Combine(_dir, "a.gguf");
        using (var w = GgufWriter.Create(path, [new("general.alignment", GgufValue.FromUInt32(64))], [new("t", [3], TensorDataType.F32)]))
        {
            w.WriteTensorData(new byte[12]);
            w.Commit();
        }

        var f = GgufReader.Read(path);
        Assert.Equal(64u, f.Alignment);
        Assert.Equal(0, f.TensorDataOffset % 64);
        Assert.Equal(f.TensorDataOffset + 64, new FileInfo(path).Length);
    }

    [Fact]
    public void DisposeWithoutCommit_LeavesNothing()
    {
        string path = Path.Combine(_dir, "p.gguf");
        using (var w = GgufWriter.Create(path, [], Tensors()))
        {
            w.WriteTensorData(new byte[100]);
            Assert.True(File.Exists(w.TemporaryPath));
        }

        Assert.False(File.Exists(path));
        Assert.Empty(Directory.GetFiles(_dir));
    }

    [Fact]
    public void Commit_IncompleteTensor_Throws_AndDeletesTemp()
    {
        string path = Path.Combine(_dir, "i.gguf");
        using var w = GgufWriter.Create(path, [], Tensors());
        w.WriteTensorData(new byte[204]);
        var e = Assert.Throws<InvalidOperationException>(w.Commit);
        Assert.Contains("b.weight", e.Message);
        w.Dispose();
        Assert.Empty(Directory.GetFiles(_dir));
    }

    [Fact]
    public void Overrun_Throws()
    {
        using var w = GgufWriter.Create(Path.Combine(_dir, "o.gguf"), [], Tensors());
        var e = Assert.Throws<ArgumentException>(() => w.WriteTensorData(new byte[205]));
        Assert.Contains("a.weight", e.Message);
    }

    [Fact]
    public void NotEnoughDiskSpace_IsIOException_AndNoTempFile()
    {
        // 2^50 F32 elements = 4 PiB: no test machine has that much free space.
        var huge = new GgufTensorDescriptor("huge", [1L << 25, 1L << 25], TensorDataType.F32);
        var e = Assert.Throws<IOException>(() => GgufWriter.Create(Path.Combine(_dir, "h.gguf"), [], [huge]));
        Assert.Contains("disk space", e.Message);
        Assert.Empty(Directory.GetFiles(_dir));
    }

    [Fact]
    public void ExistingOutput_IsRefused_UnlessOverwrite()
    {
        string path = Path.Combine(_dir, "e.gguf");
        File.WriteAllText(path, "keep");
        Assert.Throws<IOException>(() => GgufWriter.Create(path, [], []));
        Assert.Equal("keep", File.ReadAllText(path));
        using (var w = GgufWriter.Create(path, [], [], new GgufWriterOptions { Overwrite = true })) w.Commit();
        Assert.Equal(32, new FileInfo(path).Length); // 24-byte header padded to 32
    }

    [Fact]
    public void BadTensors_AreArgumentErrors()
    {
        string path = Path.Combine(_dir, "bad.gguf");
        Assert.Throws<ArgumentException>(() => GgufWriter.Create(path, [], [new("r", [2, 33], TensorDataType.Q4_0)])); // 33 not a multiple of 32
        Assert.Throws<ArgumentException>(() => GgufWriter.Create(path, [], [new("d", [1], TensorDataType.F32), new("d", [1], TensorDataType.F32)]));
        Assert.Throws<ArgumentException>(() => GgufWriter.Create(path, [], [new(new string('n', 64), [1], TensorDataType.F32)])); // > 63 bytes
        Assert.Throws<ArgumentException>(() => GgufWriter.Create(path, [], [new("s", [1, 1, 1, 1, 1], TensorDataType.F32)])); // 5 dims
        Assert.Throws<ArgumentException>(() => GgufWriter.Create(path, [], [new("u", [4], TensorDataType.U32)])); // no ggml id
        Assert.Throws<ArgumentException>(() => GgufWriter.Create(path, [new("general.alignment", GgufValue.FromUInt32(48))], []));
        Assert.Throws<ArgumentException>(() => GgufValue.Create(GgufValueType.UInt32, 5)); // int, not uint
        Assert.Empty(Directory.GetFiles(_dir));
    }
}
