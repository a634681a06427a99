using LlmSize.Core.Compression.Quantization;
using LlmSize.Core.Precision;
using LlmSize.Core.Tests.Infrastructure;

namespace LlmSize.Core.Tests.Compression.Quantization;

/// <summary>The quantizer opens its input through the one format registry (issue 9: no private magic sniff): a format
/// LlmSize reads but cannot quantize is refused by name, and nothing is written.</summary>
public sealed class QuantizerInputFormatTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("llmsize-qformat-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Theory]
    [InlineData("onnx", "light_bvlc_alexnet.onnx", "Onnx")]
    [InlineData("tflite", "person_detect.tflite", "Tflite")]
    public void A_readable_format_that_is_not_quantizable_is_named(string folder, string file, string format)
    {
        string output = Path.Combine(_dir, "out.gguf");
        var e = Assert.Throws<ModelFormatException>(() =>
            GgufQuantizer.Quantize(TestPaths.Fixture(folder, file), output, LlamaFileType.Q8_0));
        Assert.Equal(ModelFormatError.WrongFormat, e.Error);
        Assert.Contains($"the input is {format}; quantize reads GGUF and .safetensors files", e.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(output));
    }

    [Fact]
    public void Bytes_no_format_reads_are_refused_as_before()
    {
        string junk = Path.Combine(_dir, "junk.dat");
        File.WriteAllBytes(junk, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17]);
        var e = Assert.Throws<ModelFormatException>(() => GgufQuantizer.Quantize(junk, Path.Combine(_dir, "o.gguf"), LlamaFileType.Q8_0));
        Assert.Contains("neither GGUF", e.Message, StringComparison.Ordinal);
    }
}
