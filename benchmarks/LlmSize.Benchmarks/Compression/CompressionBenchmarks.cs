using BenchmarkDotNet.Attributes;
using LlmSize.Core.Compression;
using LlmSize.Core.Compression.Lora;
using LlmSize.Core.Compression.Pruning;
using LlmSize.Core.Precision;

namespace LlmSize.Benchmarks.Compression;

/// <summary>
/// In-memory kernels of the compression tools on one 4096 × 1024 F32 matrix (4 Mi parameters, 16 MiB, a Llama-3-8B
/// k_proj): magnitude pruning (sort-based threshold, exact count), 2:4 pruning, the F16 codec, and a rank-16 LoRA
/// delta (B·A added to W).
/// </summary>
[MemoryDiagnoser]
[ShortRunJob]
public class CompressionBenchmarks
{
    private const int Rows = 4096, Cols = 1024, Rank = 16;
    private float[] _weights = [];
    private float[] _work = [];
    private float[] _a = [];
    private float[] _b = [];
    private byte[] _f16 = [];

    /// <summary>Builds fixed-seed weights once.</summary>
    [GlobalSetup]
    public void Setup()
    {
        var rng = new Random(1);
        _weights = new float[Rows * Cols];
        for (int i = 0; i < _weights.Length; i++) _weights[i] = (float)(rng.NextDouble() * 2 - 1);
        _work = new float[_weights.Length];
        _a = [.. _weights.AsSpan(0, Rank * Cols)];
        _b = [.. _weights.AsSpan(0, Rows * Rank)];
        _f16 = new byte[_weights.Length * 2];
    }

    /// <summary>Unstructured 50% magnitude pruning.</summary>
    [Benchmark(Baseline = true)]
    public long Unstructured50()
    {
        _weights.CopyTo(_work, 0);
        return MagnitudePruner.PruneUnstructured(_work, 0.5);
    }

    /// <summary>2:4 semi-structured pruning.</summary>
    [Benchmark]
    public long TwoFour()
    {
        _weights.CopyTo(_work, 0);
        return MagnitudePruner.PruneNm(_work, 2, 4);
    }

    /// <summary>Encode to F16 and decode back.</summary>
    [Benchmark]
    public float F16RoundTrip()
    {
        FloatTensorCodec.Encode(TensorDataType.F16, _weights, _f16);
        FloatTensorCodec.Decode(TensorDataType.F16, _f16, _work);
        return _work[^1];
    }

    /// <summary>W += 2 · B·A, rank 16.</summary>
    [Benchmark]
    public float LoraDelta()
    {
        _weights.CopyTo(_work, 0);
        LoraMerger.AddDelta(_work, _a, _b, Rank, Cols, Rows, 2.0, transposed: false);
        return _work[0];
    }
}
