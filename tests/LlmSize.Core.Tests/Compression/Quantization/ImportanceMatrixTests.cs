using System.Buffers.Binary;
using System.Text;
using LlmSize.Core.Compression.Quantization;
using LlmSize.Core.Formats.Gguf;
using LlmSize.Core.Precision;

namespace LlmSize.Core.Tests.Compression.Quantization;

/// <summary>
/// The legacy <c>.dat</c> importance matrix (layout of llama.cpp tools/quantize <c>load_legacy_imatrix</c>, built here
/// byte by byte) and quantizing with it: every tensor's bytes must be llama.cpp's own
/// <c>ggml_quantize_chunk(type, weights, …, imatrix)</c> for that tensor.
/// </summary>
public sealed class ImportanceMatrixTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("llmsize-imatrix-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>Writes a legacy imatrix: int32 count; per entry int32 name length, name, int32 ncall, int32 nval,
    /// float32 values; then, when <paramref name="dataset"/> is given, int32 chunks and the dataset name.</summary>
    internal static byte[] Dat(IEnumerable<(string Name, int Ncall, float[] Values)> entries, int? chunks = null, string? dataset = null)
    {
        var ms = new MemoryStream();
        var list = entries.ToList();
        byte[] b4 = new byte[4];
        void I32(int v) { BinaryPrimitives.WriteInt32LittleEndian(b4, v); ms.Write(b4); }
        void F32(float v) { BinaryPrimitives.WriteSingleLittleEndian(b4, v); ms.Write(b4); }
        I32(list.Count);
        foreach (var (name, ncall, values) in list)
        {
            byte[] n = Encoding.UTF8.GetBytes(name);
            I32(n.Length);
            ms.Write(n);
            I32(ncall);
            I32(values.Length);
            foreach (float v in values) F32(v);
        }

        if (dataset is not null)
        {
            I32(chunks ?? 0);
            byte[] d = Encoding.UTF8.GetBytes(dataset);
            I32(d.Length);
            ms.Write(d);
        }

        return ms.ToArray();
    }

    [Fact]
    public void Read_DividesByTheCallCount_AndReadsTheDatasetTail()
    {
        byte[] data = Dat([("blk.0.attn_q.weight", 10, [10f, 25f, 3f]), ("output.weight", 0, [7f])], chunks: 100, dataset: "wiki.train.raw");
        var m = ImportanceMatrix.Parse(data, "x.dat");
        Assert.Equal([10f / 10, 25f / 10, 3f / 10], m.Entries["blk.0.attn_q.weight"]); // v /= ncall when ncall > 0
        Assert.Equal([7f], m.Entries["output.weight"]); // ncall = 0: kept as stored
        Assert.Equal(100, m.ChunkCount);
        Assert.Equal("wiki.train.raw", m.Dataset);
    }

    [Fact]
    public void Read_WithoutTail_HasNoDataset()
    {
        var m = ImportanceMatrix.Parse(Dat([("a", 1, [1f])]), "x.dat");
        Assert.Equal(0, m.ChunkCount);
        Assert.Null(m.Dataset);
    }

    public static TheoryData<string, byte[]> Hostile()
    {
        byte[] ok = Dat([("a", 1, [1f, 2f])]);
        var data = new TheoryData<string, byte[]>
        {
            { "empty", [] },
            { "zero entries", [0, 0, 0, 0] },
            { "negative count", [0xFF, 0xFF, 0xFF, 0xFF] },
            { "truncated values", ok[..^1] },
            { "name past the end", [1, 0, 0, 0, 0xFF, 0xFF, 0, 0] },
            { "duplicate", Dat([("a", 1, [1f]), ("a", 1, [2f])]) },
            { "no values", Dat([("a", 1, [])]) },
            { "NaN value", Dat([("a", 1, [float.NaN])]) },
            { "trailing byte", [.. Dat([("a", 1, [1f])], 1, "d"), 0] },
            { "gguf", "GGUF\u0003\0\0\0"u8.ToArray() },
        };
        return data;
    }

    [Theory]
    [MemberData(nameof(Hostile))]
    public void Read_RefusesMalformedFiles(string what, byte[] data)
    {
        var e = Assert.Throws<InvalidDataException>(() => ImportanceMatrix.Parse(data, "bad.dat"));
        Assert.Contains("bad.dat", e.Message);
        Assert.False(string.IsNullOrEmpty(what));
    }

    [Theory]
    [InlineData(LlamaFileType.Q4_K_M)]
    [InlineData(LlamaFileType.Q3_K_M)]
    [InlineData(LlamaFileType.Q2_K)]
    [InlineData(LlamaFileType.Q2_K_S)]
    [InlineData(LlamaFileType.IQ4_XS)]
    [InlineData(LlamaFileType.Q4_0)]
    [InlineData(LlamaFileType.Q5_1)]
    public void Quantize_WithImatrix_EveryTensorIsGgmlsOwnImatrixQuantization(LlamaFileType fileType)
    {
        string input = Path.Combine(_dir, "tiny.gguf");
        string ours = Path.Combine(_dir, "ours.gguf");
        TinyLlamaGguf.Write(input, TensorDataType.F32);
        var source = GgufReader.Read(input);
        var rng = new Random(7);
        var entries = source.Tensors.Where(t => t.Shape.Length == 2 && t.Name != "token_embd.weight")
            .Select(t => (t.Name, 1, Enumerable.Range(0, (int)t.Shape[^1]).Select(_ => (float)Math.Exp(rng.NextDouble() * 6 - 4)).ToArray()))
            .ToList();
        string dat = Path.Combine(_dir, "imatrix.dat");
        File.WriteAllBytes(dat, Dat(entries, chunks: 42, dataset: "calib.txt"));
        var matrix = ImportanceMatrix.Read(dat);

        GgufQuantizer.Quantize(input, ours, fileType, new GgufQuantizerOptions { Threads = 2, ImportanceMatrix = matrix });

        var output = GgufReader.Read(ours);
        int weightedTensors = 0;
        foreach (var t in output.Tensors.Where(t => t.DataType.Kind == DataTypeKind.BlockQuantized))
        {
            var src = source.Tensors.Single(s => s.Name == t.Name);
            float[] x = new float[src.ByteLength / 4];
            Buffer.BlockCopy(TinyLlamaGguf.ReadTensorBytes(input, src), 0, x, 0, (int)src.ByteLength);
            int n = (int)src.Shape[^1];
            float[]? im = matrix.Entries.GetValueOrDefault(t.Name);
            byte[] expected = GgmlReference.Default.QuantizeChunk(t.DataType.GgmlTypeId!.Value, x, n,
                n / t.DataType.BlockSize * t.DataType.BlockBytes, im);
            byte[] actual = TinyLlamaGguf.ReadTensorBytes(ours, t);
            int at = expected.AsSpan().CommonPrefixLength(actual);
            Assert.True(at == expected.Length && expected.Length == actual.Length, $"{t.Name} ({t.DataType}): bytes differ at {at}");
            if (im is not null) weightedTensors++;
        }

        Assert.True(weightedTensors > 0);
        // tools/quantize's kv overrides, after general.file_type.
        var keys = output.Metadata.Keys.ToList();
        Assert.Equal(["general.quantization_version", "general.file_type", "quantize.imatrix.file", "quantize.imatrix.dataset",
            "quantize.imatrix.entries_count", "quantize.imatrix.chunks_count"], keys[^6..]);
        Assert.True(output.TryGetInt64("quantize.imatrix.entries_count", out long count));
        Assert.Equal(entries.Count, count);
    }

    [Fact]
    public void Quantize_ImatrixOfTheWrongSize_IsRefusedLikeLlamaCpp()
    {
        string input = Path.Combine(_dir, "tiny.gguf");
        TinyLlamaGguf.Write(input, TensorDataType.F32);
        var matrix = ImportanceMatrix.FromEntries([new("blk.0.attn_q.weight", new float[100])]);
        var e = Assert.Throws<InvalidDataException>(() => GgufQuantizer.Quantize(input, Path.Combine(_dir, "o.gguf"), LlamaFileType.Q4_K_M,
            new GgufQuantizerOptions { ImportanceMatrix = matrix }));
        Assert.Contains("'blk.0.attn_q.weight'", e.Message);
        Assert.False(File.Exists(Path.Combine(_dir, "o.gguf")));
    }

    [Fact]
    public void Q2_K_S_WithAnImatrixMissingATensor_IsRefused()
    {
        // llama-quant.cpp: a Q2_K tensor of a Q2_K_S file without importance weights is an error.
        string input = Path.Combine(_dir, "tiny.gguf");
        TinyLlamaGguf.Write(input, TensorDataType.F32);
        var matrix = ImportanceMatrix.FromEntries([new("blk.0.attn_q.weight", new float[TinyLlamaGguf.Hidden])]);
        var e = Assert.Throws<NotSupportedException>(() => GgufQuantizer.Quantize(input, Path.Combine(_dir, "o.gguf"), LlamaFileType.Q2_K_S,
            new GgufQuantizerOptions { ImportanceMatrix = matrix }));
        Assert.Contains("importance weights", e.Message);
    }
}
