using BenchmarkDotNet.Attributes;
using LlmSize.Core.Formats.Tflite;

namespace LlmSize.Benchmarks.Formats.Tflite;

/// <summary>Header parse (all tables, no weight bytes read) of the real tflite-micro models, from memory.</summary>
[MemoryDiagnoser]
public class TfliteReaderBenchmarks
{
    private byte[] _bytes = [];

    /// <summary>Fixture file in <c>../shared/fixtures/tflite</c>.</summary>
    [Params("person_detect.tflite", "hello_world_int8.tflite")]
    public string File { get; set; } = "person_detect.tflite";

    /// <summary>Loads the fixture bytes once.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _bytes = System.IO.File.ReadAllBytes(BenchmarkPaths.Fixture("tflite", File));
    }

    /// <summary>Parses the flatbuffer tables and totals.</summary>
    [Benchmark]
    public long ParseHeader() => TfliteReader.Read(_bytes).ParameterCount;
}
