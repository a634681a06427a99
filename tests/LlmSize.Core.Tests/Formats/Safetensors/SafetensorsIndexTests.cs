using LlmSize.Core.Formats.Safetensors;
using static LlmSize.Core.Tests.Formats.Safetensors.SafetensorsTestData;

namespace LlmSize.Core.Tests.Formats.Safetensors;

/// <summary>Sharded models: an index plus two shards written to a temporary folder per test.</summary>
public sealed class SafetensorsIndexTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("llmsize-st-index-").FullName;

    // Shard 1: embed F16 [4, 2] = 8 × 2 = 16 bytes; norm F32 [4] = 16 bytes → data 32 bytes.
    private const string Shard1 = """{"__metadata__":{"format":"pt"},"embed":{"dtype":"F16","shape":[4,2],"data_offsets":[0,16]},"norm":{"dtype":"F32","shape":[4],"data_offsets":[16,32]}}""";
    // Shard 2: head BF16 [2, 4] = 8 × 2 = 16 bytes → data 16 bytes.
    private const string Shard2 = """{"head":{"dtype":"BF16","shape":[2,4],"data_offsets":[0,16]}}""";

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private void WriteShards()
    {
        File.WriteAllBytes(Path.Combine(_dir, "model-00001-of-00002.safetensors"), Build(Shard1, 32));
        File.WriteAllBytes(Path.Combine(_dir, "model-00002-of-00002.safetensors"), Build(Shard2, 16));
    }

    private string WriteIndex(string weightMap, string metadata = """{"total_size": 48}""")
    {
        string path = Path.Combine(_dir, "model.safetensors.index.json");
        File.WriteAllText(path, "{\"metadata\": " + metadata + ", \"weight_map\": {" + weightMap + "}}");
        return path;
    }

    private const string GoodMap = """
        "embed": "model-00001-of-00002.safetensors",
        "head": "model-00002-of-00002.safetensors",
        "norm": "model-00001-of-00002.safetensors"
        """;

    [Fact]
    public async Task ReadIndexedModel_TwoShards_AllTensorsAndSizes()
    {
        WriteShards();
        string index = WriteIndex(GoodMap);
        foreach (SafetensorsModel m in new[]
                 {
                     SafetensorsReader.ReadIndexedModel(_dir),
                     SafetensorsReader.ReadIndexedModel(index),
                     await SafetensorsReader.ReadIndexedModelAsync(_dir),
                 })
        {
            Assert.Equal(index, m.IndexPath);
            Assert.Equal(2, m.Files.Count);
            Assert.Equal(["embed", "norm", "head"], m.Tensors.Select(t => t.Name));
            Assert.Equal(48, m.IndexTotalSize);       // the index's metadata.total_size
            Assert.Equal(48, m.TensorDataBytes);      // 16 + 16 + 16 bytes of tensor data
            Assert.True(m.TotalSizeMatches);
            Assert.Empty(m.Warnings);
            Assert.Equal(8 + 4 + 8, m.ParameterCount); // 4×2 + 4 + 2×4 elements
            // File lengths: 8 + N + data for each shard.
            Assert.Equal(8 + Shard1.Length + 32, m.Files[0].FileLength);
            Assert.Equal(8 + Shard2.Length + 16, m.Files[1].FileLength);
            Assert.Equal(m.Files[0].FileLength + m.Files[1].FileLength, m.TotalFileBytes);
            Assert.EndsWith("model-00002-of-00002.safetensors", m.Tensors[2].FilePath);
        }
    }

    [Fact]
    public void ReadIndexedModel_TotalSizeDiffers_WarningNotError()
    {
        WriteShards();
        WriteIndex(GoodMap, """{"total_size": 50, "total_parameters": 20}""");
        SafetensorsModel m = SafetensorsReader.ReadIndexedModel(_dir);
        Assert.Equal(50, m.IndexTotalSize);
        Assert.Equal(48, m.TensorDataBytes);
        Assert.False(m.TotalSizeMatches);
        Assert.Contains(m.Warnings, w => w.Contains("total_size", StringComparison.Ordinal));
    }

    [Fact]
    public void ReadIndexedModel_TotalSizeWrittenAsFloat_Accepted()
    {
        // Some writers serialize total_size as a float (48.0); its value is still 48 bytes.
        WriteShards();
        WriteIndex(GoodMap, """{"total_size": 48.0}""");
        Assert.Equal(48, SafetensorsReader.ReadIndexedModel(_dir).IndexTotalSize);
    }

    [Fact]
    public void ReadIndexedModel_NoTotalSize_NullAndNoWarning()
    {
        // Some writers omit total_size (exo-explore/exo PR #1956 handles such indexes).
        WriteShards();
        WriteIndex(GoodMap, """{"quantization_level": "4"}""");
        SafetensorsModel m = SafetensorsReader.ReadIndexedModel(_dir);
        Assert.Null(m.IndexTotalSize);
        Assert.True(m.TotalSizeMatches);
    }

    [Fact]
    public void ReadIndexedModel_ShardTensorNotInIndex_Warning()
    {
        WriteShards();
        WriteIndex("""
            "embed": "model-00001-of-00002.safetensors",
            "head": "model-00002-of-00002.safetensors"
            """, """{"total_size": 48}""");
        SafetensorsModel m = SafetensorsReader.ReadIndexedModel(_dir);
        Assert.Equal(3, m.Tensors.Count);
        Assert.Contains(m.Warnings, w => w.Contains("'norm'", StringComparison.Ordinal));
    }

    public static TheoryData<string, string, ModelFormatError> BadIndexes => new()
    {
        // case, weight_map body, expected error
        { "escapes the folder", "\"embed\": \"../x.safetensors\"", ModelFormatError.InvalidValue },
        { "rooted path", "\"embed\": \"/etc/x.safetensors\"", ModelFormatError.InvalidValue },
        { "nested .. segment", "\"embed\": \"sub/../../x.safetensors\"", ModelFormatError.InvalidValue },
        { "empty name", "\"embed\": \"\"", ModelFormatError.InvalidValue },
        { "missing shard", "\"embed\": \"model-00003-of-00003.safetensors\"", ModelFormatError.MissingFile },
        { "tensor in another shard", "\"embed\": \"model-00002-of-00002.safetensors\", \"head\": \"model-00002-of-00002.safetensors\", \"norm\": \"model-00001-of-00002.safetensors\"", ModelFormatError.InvalidValue },
        { "tensor in no shard", "\"ghost\": \"model-00001-of-00002.safetensors\"", ModelFormatError.MissingField },
        { "duplicate weight_map key", "\"embed\": \"model-00001-of-00002.safetensors\", \"embed\": \"model-00001-of-00002.safetensors\"", ModelFormatError.DuplicateKey },
        { "value not a string", "\"embed\": 1", ModelFormatError.InvalidJson },
    };

    [Theory]
    [MemberData(nameof(BadIndexes))]
    public void ReadIndexedModel_BadIndex_Throws(string caseName, string weightMap, ModelFormatError expected)
    {
        WriteShards();
        WriteIndex(weightMap);
        var e = Assert.Throws<ModelFormatException>(() => SafetensorsReader.ReadIndexedModel(_dir));
        Assert.True(expected == e.Error, $"{caseName}: expected {expected}, got {e.Error}: {e.Message}");
        Assert.NotNull(e.FilePath);
    }

    [Fact]
    public void ReadIndexedModel_MissingShard_NamesTheFile()
    {
        WriteShards();
        WriteIndex("\"embed\": \"model-00003-of-00003.safetensors\"");
        var e = Assert.Throws<ModelFormatException>(() => SafetensorsReader.ReadIndexedModel(_dir));
        Assert.Equal(ModelFormatError.MissingFile, e.Error);
        Assert.Equal(Path.Combine(_dir, "model-00003-of-00003.safetensors"), e.FilePath);
        Assert.Equal("embed", e.Field);
    }

    [Fact]
    public void ReadIndexedModel_TensorInTwoShards_DuplicateKey()
    {
        WriteShards();
        // A third shard that also holds "head".
        File.WriteAllBytes(Path.Combine(_dir, "extra.safetensors"), Build(Shard2, 16));
        WriteIndex(GoodMap + ", \"x\": \"extra.safetensors\"");
        var e = Assert.Throws<ModelFormatException>(() => SafetensorsReader.ReadIndexedModel(_dir));
        Assert.Equal(ModelFormatError.DuplicateKey, e.Error);
        Assert.Equal("head", e.Field);
    }

    [Fact]
    public void ReadIndexedModel_BrokenShard_ErrorNamesShard()
    {
        WriteShards();
        File.WriteAllBytes(Path.Combine(_dir, "model-00002-of-00002.safetensors"), Build(Shard2, 15)); // one byte short
        WriteIndex(GoodMap);
        var e = Assert.Throws<ModelFormatException>(() => SafetensorsReader.ReadIndexedModel(_dir));
        Assert.Equal(ModelFormatError.OffsetOutOfRange, e.Error);
        Assert.Equal(Path.Combine(_dir, "model-00002-of-00002.safetensors"), e.FilePath);
    }

    [Fact]
    public void ReadIndexedModel_NoIndexInFolder_MissingFile()
    {
        var e = Assert.Throws<ModelFormatException>(() => SafetensorsReader.ReadIndexedModel(_dir));
        Assert.Equal(ModelFormatError.MissingFile, e.Error);
        Assert.EndsWith("model.safetensors.index.json", e.FilePath);
    }

    [Fact]
    public void ReadIndexedModel_IndexWithoutWeightMap_MissingField()
    {
        File.WriteAllText(Path.Combine(_dir, "model.safetensors.index.json"), """{"metadata": {"total_size": 0}}""");
        var e = Assert.Throws<ModelFormatException>(() => SafetensorsReader.ReadIndexedModel(_dir));
        Assert.Equal(ModelFormatError.MissingField, e.Error);
    }

    [Fact]
    public void ReadIndexedModel_IndexNotJson_InvalidJson()
    {
        File.WriteAllText(Path.Combine(_dir, "model.safetensors.index.json"), "{\"weight_map\": {");
        var e = Assert.Throws<ModelFormatException>(() => SafetensorsReader.ReadIndexedModel(_dir));
        Assert.Equal(ModelFormatError.InvalidJson, e.Error);
    }

    [Fact]
    public void ReadIndexedModel_IndexOverCap_HeaderTooLarge()
    {
        WriteShards();
        WriteIndex(GoodMap);
        var e = Assert.Throws<ModelFormatException>(() =>
            SafetensorsReader.ReadIndexedModel(_dir, new SafetensorsReaderOptions { MaxIndexBytes = 10 }));
        Assert.Equal(ModelFormatError.HeaderTooLarge, e.Error);
    }
}
