using BenchmarkDotNet.Attributes;
using LlmSize.Core.Formats.Gguf;

namespace LlmSize.Benchmarks.Formats.Gguf;

/// <summary>
/// Header-only parsing of each shared GGUF fixture from memory (bytes loaded once in <see cref="Setup"/>): the cost of
/// inspecting a model's metadata and tensor table, dominated by walking tokenizer arrays of 30,000–65,000 strings.
/// </summary>
[MemoryDiagnoser]
public class GgufHeaderBenchmarks
{
    private byte[] _bytes = [];

    /// <summary>Fixture file name under <c>../shared/fixtures/gguf</c>.</summary>
    [Params("ggml-vocab-llama-spm.gguf", "ggml-vocab-bert-bge.gguf", "ggml-vocab-phi-3.gguf", "ggml-vocab-gpt-2.gguf",
        "ggml-vocab-falcon.gguf", "ggml-vocab-starcoder.gguf", "llama-2-tiny-random.gguf")]
    public string File { get; set; } = "";

    /// <summary>Loads the fixture into memory.</summary>
    [GlobalSetup]
    public void Setup() => _bytes = System.IO.File.ReadAllBytes(BenchmarkPaths.Fixture("gguf", File));

    /// <summary>Parses the header from a seekable in-memory stream.</summary>
    [Benchmark(Baseline = true)]
    public GgufFile ReadHeader() => GgufReader.Read(new MemoryStream(_bytes, writable: false));

    /// <summary>Parses the header asynchronously (same parser, asynchronous reads).</summary>
    [Benchmark]
    public Task<GgufFile> ReadHeaderAsync() => GgufReader.ReadAsync(new MemoryStream(_bytes, writable: false));
}
