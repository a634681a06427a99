using System.Buffers.Binary;
using System.Text;
using BenchmarkDotNet.Attributes;
using LlmSize.Core.Formats.Safetensors;

namespace LlmSize.Benchmarks.Formats.Safetensors;

/// <summary>
/// Header-only parsing of safetensors files from memory: the shared sample files and PEFT adapters (bytes loaded in
/// GlobalSetup) and a synthetic header of 100,000 tensors (about the tensor count of the largest sharded models).
/// </summary>
[MemoryDiagnoser]
public class SafetensorsHeaderBenchmarks
{
    private byte[] _bytes = [];

    /// <summary>Which input: a shared fixture or the synthetic header.</summary>
    [Params("overall", "gpt2-lora", "distilbert-lora", "synthetic-100k")]
    public string Input { get; set; } = "overall";

    /// <summary>Loads or builds the file bytes once.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _bytes = Input switch
        {
            "overall" => File.ReadAllBytes(BenchmarkPaths.Fixture("safetensors", "overall.safetensors")),
            "gpt2-lora" => File.ReadAllBytes(BenchmarkPaths.Fixture("peft", "gpt2-lora-seqcls", "adapter_model.safetensors")),
            "distilbert-lora" => File.ReadAllBytes(BenchmarkPaths.Fixture("peft", "distilbert-lora-imdb", "adapter_model.safetensors")),
            "synthetic-100k" => Synthetic(100_000),
            _ => throw new ArgumentOutOfRangeException(nameof(Input)),
        };
    }

    /// <summary>The public path: read a (seekable) stream, header JSON and layout validation included.</summary>
    [Benchmark(Baseline = true)]
    public int ReadStream() =>
        SafetensorsReader.Read(new MemoryStream(_bytes, writable: false)).Tensors.Count;

    /// <summary>JSON parsing and validation only, from the header bytes.</summary>
    [Benchmark]
    public int ParseHeader()
    {
        int n = (int)BinaryPrimitives.ReadUInt64LittleEndian(_bytes);
        return SafetensorsHeaderParser.Parse(_bytes.AsSpan(8, n), SafetensorsReaderOptions.Default, null).Tensors.Length;
    }

    /// <summary>
    /// A header of <paramref name="count"/> BF16 tensors of shape [2, 2] (4 × 2 = 8 bytes each) laid out back to back,
    /// named like MoE expert weights; the data section (8 × count bytes) is zeros.
    /// </summary>
    private static byte[] Synthetic(int count)
    {
        var sb = new StringBuilder(count * 100);
        sb.Append("{\"__metadata__\":{\"format\":\"pt\"}");
        for (int i = 0; i < count; i++)
        {
            long begin = i * 8L;
            sb.Append(",\"model.layers.").Append(i / 256).Append(".mlp.experts.").Append(i % 256)
              .Append(".down_proj.weight\":{\"dtype\":\"BF16\",\"shape\":[2,2],\"data_offsets\":[")
              .Append(begin).Append(',').Append(begin + 8).Append("]}");
        }

        sb.Append('}');
        byte[] json = Encoding.UTF8.GetBytes(sb.ToString());
        var bytes = new byte[8 + json.Length + count * 8L];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, (ulong)json.Length);
        json.CopyTo(bytes, 8);
        return bytes;
    }
}
