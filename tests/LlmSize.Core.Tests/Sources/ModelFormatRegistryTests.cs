using LlmSize.Core.Formats;
using LlmSize.Core.Models;
using LlmSize.Core.Sources;
using LlmSize.Core.Tests.Infrastructure;

namespace LlmSize.Core.Tests.Sources;

/// <summary>The one format registry over one source abstraction: detection by name and magic, header-only reads
/// counted by the source, and tensor data opened through the same formats.</summary>
public sealed class ModelFormatRegistryTests
{
    public static TheoryData<string[], ModelFileFormat> Fixtures => new()
    {
        { ["gguf", "llama-2-tiny-random.gguf"], ModelFileFormat.Gguf },
        { ["safetensors", "overall.safetensors"], ModelFileFormat.Safetensors },
        { ["tflite", "person_detect.tflite"], ModelFileFormat.Tflite },
        { ["onnx", "light_bvlc_alexnet.onnx"], ModelFileFormat.Onnx },
        { ["configs", "gemma-2b", "config.json"], ModelFileFormat.HfConfig },
        { ["peft", "gpt2-lora-seqcls", "adapter_config.json"], ModelFileFormat.PeftAdapter },
    };

    [Theory]
    [MemberData(nameof(Fixtures))]
    public void Every_shared_fixture_is_detected_as_its_format(string[] parts, ModelFileFormat expected)
    {
        var (source, name) = LocalModelSource.ForFile(TestPaths.Fixture(parts));
        Assert.Equal(expected, ModelFormatRegistry.Detect(source, name).Format);
        Assert.Equal(expected, ModelFormatRegistry.Identify(source, name).Format);
    }

    [Fact]
    public void Magic_bytes_win_when_the_name_says_nothing()
    {
        // "GGUF" magic (ggml docs/gguf.md): a file called model.weights is still GGUF.
        Assert.Equal(ModelFileFormat.Gguf, ModelFormatRegistry.Detect("model.weights", "GGUF\x03\0\0\0"u8)!.Format);
        Assert.Null(ModelFormatRegistry.Detect("notes.txt", "hello world"u8));
        Assert.Null(ModelFormatRegistry.Detect("empty", ReadOnlySpan<byte>.Empty));
    }

    [Fact]
    public void Reading_a_gguf_header_through_the_source_reads_only_the_header()
    {
        string path = TestPaths.Fixture("gguf", "llama-2-tiny-random.gguf");
        var (source, name) = LocalModelSource.ForFile(path);
        var inventory = ModelFormatRegistry.Identify(source, name);
        long tensorBytes = inventory.Tensors.Sum(t => t.ByteLength);
        Assert.True(tensorBytes > 0);
        // Everything read (the 16-byte sniff, then the header) stays below the file minus its tensor data.
        Assert.True(source.Statistics.BytesRead <= new FileInfo(path).Length - tensorBytes + ModelFormatRegistry.SniffLength,
            $"{source.Statistics.BytesRead} bytes read of {new FileInfo(path).Length}");
        Assert.True(source.Statistics.Requests > 0);
    }

    [Fact]
    public void Safetensors_headers_read_through_the_source_match_the_path_reader()
    {
        string path = TestPaths.Fixture("safetensors", "overall.safetensors");
        var (source, name) = LocalModelSource.ForFile(path);
        var viaSource = ModelFormatRegistry.Identify(source, name);
        var viaPath = Core.Formats.Safetensors.SafetensorsReader.Read(path);
        Assert.Equal(viaPath.Tensors.Select(t => (t.Name, t.ByteLength)), viaSource.Tensors.Select(t => (t.Name, t.ByteLength)));
        Assert.Equal(viaPath.FileLength, viaSource.DownloadBytes);
    }

    [Fact]
    public void Tensor_data_opens_through_the_registry_for_gguf_and_safetensors_only()
    {
        var gguf = Core.Compression.TensorFile.Open(TestPaths.Fixture("gguf", "llama-2-tiny-random.gguf"));
        Assert.True(gguf.IsGguf);
        Assert.Equal(12, gguf.Tensors.Count); // ../shared/README.md: 12 tensors
        Assert.Throws<NotSupportedException>(() => Core.Compression.TensorFile.Open(TestPaths.Fixture("tflite", "person_detect.tflite")));
    }

    [Fact]
    public void A_local_source_lists_files_with_sizes()
    {
        var source = new LocalModelSource(TestPaths.Fixture("peft", "gpt2-lora-seqcls"));
        var files = source.ListFiles();
        Assert.Contains(files, f => f.Path == "adapter_config.json");
        Assert.All(files, f => Assert.Equal(new FileInfo(source.LocalPath(f.Path)!).Length, f.Length));
        Assert.Throws<FileNotFoundException>(() => source.OpenRead("nope.bin"));
    }
}
