using LlmSize.Core.Compression.Sharing;
using LlmSize.Core.Models.Catalog;
using LlmSize.Core.Precision;

namespace LlmSize.Core.Tests.Compression.Sharing;

public class ParameterSharingAnalyzerTests
{
    [Fact]
    public void TiedEmbeddingSavedTwice_AndDuplicatedLayer_AreFound()
    {
        using var dir = new TempFolder();
        string path = dir.File("m.safetensors");
        float[] emb = CompressionTestFiles.Random(40, 1), layer = CompressionTestFiles.Random(16, 2), other = CompressionTestFiles.Random(16, 3);
        CompressionTestFiles.Write(path,
            new TestTensor("model.embed_tokens.weight", TensorDataType.F32, [10, 4], emb),
            new TestTensor("model.layers.0.mlp.up_proj.weight", TensorDataType.F32, [4, 4], layer),
            new TestTensor("model.layers.1.mlp.up_proj.weight", TensorDataType.F32, [4, 4], layer),   // identical copy
            new TestTensor("model.layers.2.mlp.up_proj.weight", TensorDataType.F32, [4, 4], other),   // same size, other bytes
            new TestTensor("lm_head.weight", TensorDataType.F32, [10, 4], emb));                      // tied head saved as a copy
        var r = ParameterSharingAnalyzer.Analyze(path);

        Assert.Equal(2, r.Groups.Length);
        var tied = r.Groups.Single(g => g.IsTiedEmbedding);
        Assert.Equal(["model.embed_tokens.weight", "lm_head.weight"], tied.Tensors.ToArray());
        Assert.Equal(SharingKind.IdenticalContent, tied.Kind);
        Assert.Equal(["model.layers.0.mlp.up_proj.weight", "model.layers.1.mlp.up_proj.weight"], r.Groups.Single(g => !g.IsTiedEmbedding).Tensors.ToArray());
        // Stored 40 + 16 × 3 + 40 = 128 parameters; unique: 128 − 40 − 16 = 72. Bytes: 512 stored, 288 deduplicated (F32).
        Assert.Equal(128, r.StoredParameters);
        Assert.Equal(72, r.UniqueParameters);
        Assert.Equal(512, r.StoredBytes);
        Assert.Equal(224, r.SavableBytes);
        // Only same-size candidates are read: 2 × 160 + 3 × 64 bytes.
        Assert.Equal(2 * 160 + 3 * 64, r.HashedBytes);
    }

    [Fact]
    public void EmbeddingWithoutHead_IsNotedAsTied()
    {
        using var dir = new TempFolder();
        string path = dir.File("m.safetensors");
        CompressionTestFiles.Write(path, new TestTensor("model.embed_tokens.weight", TensorDataType.F32, [3, 2], CompressionTestFiles.Random(6, 4)));
        var r = ParameterSharingAnalyzer.Analyze(path);
        Assert.Empty(r.Groups);
        Assert.Single(r.Notes);
        Assert.Equal(0, r.SavableBytes);
    }

    [Fact]
    public void TruncatedFile_IsAFormatError()
    {
        using var dir = new TempFolder();
        string path = dir.File("m.safetensors");
        CompressionTestFiles.Write(path, new TestTensor("a", TensorDataType.F32, [4], [1, 2, 3, 4]), new TestTensor("b", TensorDataType.F32, [4], [1, 2, 3, 4]));
        using (var fs = new FileStream(path, FileMode.Open)) fs.SetLength(fs.Length - 4);
        Assert.Throws<ModelFormatException>(() => ParameterSharingAnalyzer.Analyze(path));
    }

    [Fact]
    public void CrossLayer_Llama32_1B()
    {
        var a = ModelLoader.FromCatalog(ModelCatalog.Default.Entries.Single(e => e.Id == "llama-3.2-1b")).Architecture!;
        // Per layer: q 2048² + k 512×2048 + v 512×2048 + o 2048² + (gate, up, down) 3 × 8192 × 2048 + 2 norms × 2048
        // = 4,194,304 + 1,048,576 + 1,048,576 + 4,194,304 + 50,331,648 + 4,096 = 60,821,504; × 16 = 973,144,064.
        // Outside the blocks: tied embedding 128,256 × 2048 = 262,668,288 + final norm 2048 = 262,670,336.
        var all = ParameterSharingAnalyzer.CrossLayer(a, 16);
        Assert.Equal(973_144_064, all.LayerStackParameters);
        Assert.Equal(262_670_336, all.OtherParameters);
        Assert.Equal(1_235_814_400, all.OriginalParameters);          // the published count (catalog)
        Assert.Equal(262_670_336 + 60_821_504, all.SharedParameters); // ALBERT: one block for all
        var four = ParameterSharingAnalyzer.CrossLayer(a, 4);
        Assert.Equal(4, four.DistinctLayers);
        Assert.Equal(262_670_336 + 4 * 60_821_504L, four.SharedParameters);
        Assert.True(four.Exact);
        var three = ParameterSharingAnalyzer.CrossLayer(a, 3);       // ceil(16 / 3) = 6 weight sets
        Assert.Equal(6, three.DistinctLayers);
        Assert.Throws<ArgumentOutOfRangeException>(() => ParameterSharingAnalyzer.CrossLayer(a, 0));
    }
}
