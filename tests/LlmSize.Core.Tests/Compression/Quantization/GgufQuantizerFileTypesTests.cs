using LlmSize.Core.Compression.Quantization;
using LlmSize.Core.Precision;

namespace LlmSize.Core.Tests.Compression.Quantization;

/// <summary>Which file types this build offers: every one with a kernel for its default type and no importance-matrix
/// requirement (llama-quant.cpp <c>tensor_requires_imatrix</c>), and each of those is checked whole-file against
/// llama.cpp in <see cref="GgufQuantizerLlamaCppTests"/>.</summary>
public sealed class GgufQuantizerFileTypesTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("llmsize-ftypes-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Writable_IsEveryTypeWithKernelsAndNoImatrix()
    {
        string[] expected =
        [
            "F32", "F16", "Q4_0", "Q4_1", "Q8_0", "Q5_0", "Q5_1", "Q2_K", "Q3_K_S", "Q3_K_M", "Q3_K_L", "Q4_K_S", "Q4_K_M",
            "Q5_K_S", "Q5_K_M", "Q6_K", "IQ4_NL", "IQ4_XS", "BF16", "TQ1_0", "TQ2_0",
        ];
        Assert.Equal(expected, GgufQuantizerFileTypes.WritableNames);
    }

    [Theory]
    [InlineData(LlamaFileType.IQ2_XXS)]
    [InlineData(LlamaFileType.IQ2_XS)]
    [InlineData(LlamaFileType.IQ2_S)]
    [InlineData(LlamaFileType.IQ2_M)]
    [InlineData(LlamaFileType.IQ1_S)]
    [InlineData(LlamaFileType.IQ1_M)]
    [InlineData(LlamaFileType.IQ3_XXS)]
    [InlineData(LlamaFileType.Q2_K_S)]
    public void ImportanceMatrixTypes_AreNotWritable_AndSaySo(LlamaFileType type)
    {
        Assert.True(GgufQuantizerFileTypes.RequiresImportanceMatrix(type));
        Assert.False(GgufQuantizerFileTypes.CanWrite(type, out string? why));
        Assert.Contains("importance matrix", why);
    }

    [Fact]
    public void Q2_K_S_IsRefusedLikeLlamaCpp_EvenThoughTheQ2_KKernelExists()
    {
        // llama.cpp refuses Q2_K_S without an imatrix ("this quantization requires an imatrix!"): checked with its own
        // llama_model_quantize on the same input, then ours must refuse too and leave no file.
        string input = Path.Combine(_dir, "tiny.gguf");
        TinyLlamaGguf.Write(input, TensorDataType.F16);
        LLama.Native.NativeApi.llama_empty_call();
        var p = LLama.Native.LLamaModelQuantizeParams.Default();
        p.ftype = (LLama.Native.LLamaFtype)(int)LlamaFileType.Q2_K_S;
        p.nthread = 1;
        Assert.NotEqual(0u, LLama.Native.NativeApi.llama_model_quantize(input, Path.Combine(_dir, "theirs.gguf"), ref p));

        string ours = Path.Combine(_dir, "ours.gguf");
        var e = Assert.Throws<NotSupportedException>(() => GgufQuantizer.Quantize(input, ours, LlamaFileType.Q2_K_S));
        Assert.Contains("importance matrix", e.Message);
        Assert.False(File.Exists(ours));
    }

    [Theory]
    [InlineData(LlamaFileType.IQ3_XS, "IQ3_S")]
    [InlineData(LlamaFileType.IQ3_S, "IQ3_S")]
    public void TypesWithoutKernel_NameTheKernel(LlamaFileType type, string kernel)
    {
        Assert.False(GgufQuantizerFileTypes.CanWrite(type, out string? why));
        Assert.Equal($"this build has no {kernel} kernel, so it cannot write {type} yet.", why);
    }
}
