using LlmSize.Core;
using LlmSize.Core.Tests.Infrastructure;
using LlmSize.Core.Compression.Pruning;
using LlmSize.Core.Formats.Safetensors;
using LlmSize.Core.Precision;

namespace LlmSize.Core.Tests.Compression.Pruning;

public class MagnitudePrunerTests
{
    [Fact]
    public void Unstructured_ZerosExactlyFloorSnOfTheSmallestMagnitudes()
    {
        float[] v = [0.5f, -0.1f, 0.3f, -0.2f, 0.05f, 0.4f, -0.6f, 0f];
        // n = 8, s = 0.5 → k = floor(4.0) = 4: the four smallest |w| are 0, 0.05, 0.1, 0.2.
        long k = MagnitudePruner.PruneUnstructured(v, 0.5);
        Assert.Equal(4, k);
        Assert.Equal([0.5f, 0f, 0.3f, 0f, 0f, 0.4f, -0.6f, 0f], v);
    }

    [Fact]
    public void Unstructured_CountIsFloored_AndTiesGoInPositionOrder()
    {
        float[] v = [1f, -1f, 1f, 1f, 1f, 1f, 1f, 1f, 1f, 1f];
        // n = 10, s = 0.25 → floor(2.5) = 2; all |w| tie, so the first two positions go.
        Assert.Equal(2, MagnitudePruner.PruneUnstructured(v, 0.25));
        Assert.Equal([0f, 0f, 1f, 1f, 1f, 1f, 1f, 1f, 1f, 1f], v);
    }

    [Fact]
    public void TwoFour_KeepsTheTwoLargestOfEveryFour()
    {
        float[] v = [0.1f, -0.9f, 0.5f, 0.2f, 3f, -1f, 1f, -3f];
        // Group 1: |0.9| and |0.5| are largest. Group 2: |3| and |-3|; the tied |1|s go.
        Assert.Equal(4, MagnitudePruner.PruneNm(v, 2, 4));
        Assert.Equal([0f, -0.9f, 0.5f, 0f, 3f, 0f, 0f, -3f], v);
    }

    [Fact]
    public void TwoFour_TiesKeepTheEarlierPositions()
    {
        float[] v = [2f, 2f, 2f, 2f];
        MagnitudePruner.PruneNm(v, 2, 4);
        Assert.Equal([2f, 2f, 0f, 0f], v);
    }

    [Fact]
    public void SparseStorage_Arithmetic()
    {
        // n = 128 F32, nnz = 64, rows = 8:
        // bitmask = ceil(128/8) + 64 × 4 = 16 + 256 = 272; CSR = 64 × (4 + 4) + (8 + 1) × 8 = 512 + 72 = 584;
        // 2:4 = 64 kept × 4 + 64 × 2 bits / 8 = 256 + 16 = 272.
        var s = SparseStorageEstimate.Compute(128, 64, 8, 4, 2, 4);
        Assert.Equal(512, s.DenseBytes);
        Assert.Equal(272, s.BitmaskBytes);
        Assert.Equal(584, s.CsrBytes);
        Assert.Equal(272, s.SemiStructuredBytes);
        // fp16 2:4: n/2 × 2 + n/8 = 9/16 of dense (hipSPARSELt storage format: kept values + a 2-bit index per kept value).
        var h = SparseStorageEstimate.Compute(1024, 512, 4, 2, 2, 4);
        Assert.Equal(2048L * 9 / 16, h.SemiStructuredBytes);
    }

    private static TestTensor[] Model() =>
    [
        new("model.embed_tokens.weight", TensorDataType.F32, [16, 8], CompressionTestFiles.Random(128, 1)),
        new("model.layers.0.mlp.up_proj.weight", TensorDataType.F32, [8, 16], CompressionTestFiles.Random(128, 2)),
        new("model.layers.0.input_layernorm.weight", TensorDataType.F32, [8], CompressionTestFiles.Random(8, 3)),
        new("model.layers.0.self_attn.q_proj.weight", TensorDataType.F16, [4, 8], CompressionTestFiles.Random(32, 4)),
        new("model.layers.0.self_attn.k_proj.weight", TensorDataType.BF16, [4, 8], CompressionTestFiles.Random(32, 5)),
    ];

    [Fact]
    public void PruneFile_Unstructured_ExactCounts_KeptValuesBitIdentical_OthersUntouched()
    {
        using var dir = new TempFolder();
        string input = dir.File("in.safetensors"), output = dir.File("out.safetensors");
        CompressionTestFiles.Write(input, Model());
        var r = MagnitudePruner.Prune(input, output, new PruningOptions { Sparsity = 0.5 });

        // Embedding and norm untouched, byte for byte.
        Assert.Equal(CompressionTestFiles.ReadRaw(input, "model.embed_tokens.weight"), CompressionTestFiles.ReadRaw(output, "model.embed_tokens.weight"));
        Assert.Equal(CompressionTestFiles.ReadRaw(input, "model.layers.0.input_layernorm.weight"), CompressionTestFiles.ReadRaw(output, "model.layers.0.input_layernorm.weight"));
        foreach (string name in new[] { "model.layers.0.mlp.up_proj.weight", "model.layers.0.self_attn.q_proj.weight", "model.layers.0.self_attn.k_proj.weight" })
        {
            float[] before = CompressionTestFiles.Read(input, name), after = CompressionTestFiles.Read(output, name);
            Assert.Equal(before.Length / 2, after.Count(x => x == 0)); // floor(0.5 × n), random weights have no zeros
            float cut = after.Where(x => x != 0).Min(Math.Abs);
            for (int i = 0; i < before.Length; i++)
            {
                if (after[i] != 0) Assert.Equal(before[i], after[i]);        // kept exactly
                else Assert.True(Math.Abs(before[i]) <= cut);                  // removed ones are the small ones
            }
        }

        var up = r.Tensors.Single(t => t.Name == "model.layers.0.mlp.up_proj.weight");
        Assert.Equal(0.5, up.Sparsity);
        Assert.False(r.Tensors.Single(t => t.Name == "model.embed_tokens.weight").Pruned);
        // 64 + 16 + 16 zeros out of 128 + 128 + 8 + 32 + 32 = 328 parameters.
        Assert.Equal(96, r.TotalZeros);
        Assert.Equal(328, r.TotalElements);
        // Dense storage does not shrink: the output's data section is as large as the input's.
        Assert.Equal(SafetensorsReader.Read(input).DataSectionLength, SafetensorsReader.Read(output).DataSectionLength);
        Assert.Equal(584, up.Storage.CsrBytes);   // see SparseStorage_Arithmetic (same n, nnz, rows, dtype)
    }

    [Fact]
    public void PruneFile_TwoFour_EveryGroupHasTwoNonZeros()
    {
        using var dir = new TempFolder();
        string input = dir.File("in.safetensors"), output = dir.File("out.safetensors");
        CompressionTestFiles.Write(input, Model());
        var r = MagnitudePruner.Prune(input, output, PruningOptions.ForPattern("2:4"));
        float[] after = CompressionTestFiles.Read(output, "model.layers.0.mlp.up_proj.weight");
        for (int g = 0; g < after.Length; g += 4) Assert.Equal(2, after.Skip(g).Take(4).Count(x => x != 0));
        Assert.Equal(272, r.Tensors.Single(t => t.Name == "model.layers.0.mlp.up_proj.weight").Storage.SemiStructuredBytes);
        Assert.NotNull(r.SemiStructuredBytes);
    }

    [Fact]
    public void NaNWeight_IsReported_AndNoOutputIsWritten()
    {
        using var dir = new TempFolder();
        string input = dir.File("in.safetensors"), output = dir.File("out.safetensors");
        float[] v = CompressionTestFiles.Random(16, 7);
        v[5] = float.NaN;
        CompressionTestFiles.Write(input, new TestTensor("w.weight", TensorDataType.F32, [4, 4], v));
        var e = Assert.Throws<ModelFormatException>(() => MagnitudePruner.Prune(input, output));
        Assert.Equal(ModelFormatError.InvalidValue, e.Error);
        Assert.Contains("element 5", e.Message);
        Assert.False(File.Exists(output));
        Assert.Single(Directory.GetFiles(dir.Path));
    }

    [Fact]
    public void OutputEqualToInput_IsRefused()
    {
        using var dir = new TempFolder();
        string input = dir.File("in.safetensors");
        CompressionTestFiles.Write(input, Model());
        byte[] before = File.ReadAllBytes(input);
        Assert.Throws<InputException>(() => MagnitudePruner.Prune(input, input, overwrite: true));
        Assert.Equal(before, File.ReadAllBytes(input));
    }

    [Fact]
    public void DiskFull_RemovesThePartialOutput_InputUntouched()
    {
        using var dir = new TempFolder();
        string input = dir.File("in.safetensors"), output = dir.File("out.safetensors");
        CompressionTestFiles.Write(input, Model());
        byte[] before = File.ReadAllBytes(input);
        Assert.Throws<IOException>(() => MagnitudePruner.PruneCore(input, output, null, false, f => new DiskFullStream(f, 700), CancellationToken.None));
        Assert.False(File.Exists(output));
        Assert.Single(Directory.GetFiles(dir.Path));
        Assert.Equal(before, File.ReadAllBytes(input));
    }

    [Fact]
    public void GgufInput_IsPrunedIntoSafetensors()
    {
        using var dir = new TempFolder();
        string output = dir.File("out.safetensors");
        string input = TestPaths.Fixture("gguf", "llama-2-tiny-random.gguf");
        var r = MagnitudePruner.Prune(input, output, new PruningOptions { Sparsity = 0.5 });
        var written = SafetensorsReader.Read(output);
        Assert.Equal(r.Tensors.Length, written.Tensors.Count);
        foreach (var t in r.Tensors.Where(t => t.Pruned))
        {
            // At least floor(n/2) zeros (pre-existing zeros may add to them).
            Assert.True(t.ZerosAfter >= t.Elements / 2, t.Name);
        }
    }

    [Fact]
    public void BadOptions_AreRejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new PruningOptions { Sparsity = 1.0 }.Validate());
        Assert.Throws<ArgumentOutOfRangeException>(() => new PruningOptions { Sparsity = -0.1 }.Validate());
        Assert.Throws<FormatException>(() => PruningOptions.ForPattern("2-4"));
        Assert.Throws<ArgumentOutOfRangeException>(() => PruningOptions.ForPattern("4:4"));
    }
}

public class MagnitudePrunerSelectTests
{
    [Theory]
    [InlineData(1, 1)]
    [InlineData(2, 7)]
    [InlineData(1000, 3)]
    [InlineData(4097, 11)]
    public void SelectKth_AgreesWithASortedCopy(int n, int seed)
    {
        var rng = new Random(seed);
        // Few distinct values force many ties.
        float[] v = Enumerable.Range(0, n).Select(_ => (float)rng.Next(0, 17)).ToArray();
        float[] sorted = [.. v.Order()];
        foreach (int k in new[] { 0, n / 3, n / 2, n - 1 })
        {
            Assert.Equal(sorted[k], MagnitudePruner.SelectKth([.. v], k));
        }
    }
}

public class MagnitudePrunerGgufTests
{
    [Fact]
    public void QuantizedGgufTensor_IsNotSupported_AndNoOutput()
    {
        using var dir = new TempFolder();
        string input = dir.File("q.gguf"), output = dir.File("out.safetensors");
        var w = new LlmSize.Core.Tests.Formats.Gguf.GgufTestWriter();
        w.Header(1, 1)                                           // magic, version 3, 1 tensor, 1 metadata pair
            .KvString("general.architecture", "llama")           // general.architecture = llama
            .Tensor("blk.0.attn_q.weight", [32, 2], 2, 0)        // ne = [32, 2], type 2 = Q4_0, offset 0
            .PadTo(32)                                           // data aligned to general.alignment (32)
            .Zeros(2 * 18);                                      // 2 rows × one Q4_0 block of 18 bytes
        File.WriteAllBytes(input, w.ToArray());
        var e = Assert.Throws<NotSupportedException>(() => MagnitudePruner.Prune(input, output));
        Assert.Contains("Q4_0", e.Message);
        Assert.False(File.Exists(output));
    }
}
