using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;
using BenchmarkDotNet.Attributes;
using LlmSize.Core.Compression.Quantization;
using LlmSize.Core.Precision;

namespace LlmSize.Benchmarks.Compression;

/// <summary>
/// Quantization throughput, ours vs ggml's <c>ggml_quantize_chunk</c> (libggml-base.so of LLamaSharp.Backend.Cpu
/// 0.30.0, P/Invoke) in the same run: the same 16 MiB of F32 weights (1024 rows × 4096), the same thread count (rows
/// split into equal contiguous ranges, one per thread). MB/s of F32 input = 16.78 MB / mean time.
/// </summary>
[MemoryDiagnoser]
[ShortRunJob]
public unsafe class QuantizeBenchmarks
{
    private const int Rows = 1024, RowLength = 4096;
    private float[] _src = [];
    private byte[] _dst = [];
    private IRowQuantizer _kernel = null!;
    private delegate* unmanaged<int, float*, void*, long, long, long, float*, nuint> _ggml;

    /// <summary>ggml type: Q8_0, Q4_0, and Q4_K when its kernel is registered.</summary>
    [ParamsSource(nameof(TypeNames))]
    public string Type { get; set; } = "Q8_0";

    /// <summary>Worker threads for both implementations.</summary>
    [Params(2)]
    public int Threads { get; set; } = 2;

    /// <summary>The types benchmarked: those with a kernel here.</summary>
    public static IEnumerable<string> TypeNames() =>
        new[] { TensorDataType.Q8_0, TensorDataType.Q4_0, TensorDataType.Q4_K }.Where(t => RowQuantizers.TryGet(t, out _)).Select(t => t.Name);

    /// <summary>Fixed-seed weights; loads the native reference.</summary>
    [GlobalSetup]
    public void Setup()
    {
        TensorDataType.TryFromName(Type, out var type);
        RowQuantizers.TryGet(type, out _kernel!);
        var rng = new Random(1);
        _src = new float[Rows * RowLength];
        for (int i = 0; i < _src.Length; i++) _src[i] = (float)((rng.NextDouble() + rng.NextDouble() + rng.NextDouble() - 1.5) * 0.05);
        _dst = new byte[Rows * (RowLength / type.BlockSize * type.BlockBytes)];
        string variant = Avx512F.IsSupported ? "avx512" : Avx2.IsSupported ? "avx2" : Avx.IsSupported ? "avx" : "noavx";
        string lib = Path.Combine(AppContext.BaseDirectory, "runtimes", "linux-x64", "native", variant, "libggml-base.so");
        _ggml = (delegate* unmanaged<int, float*, void*, long, long, long, float*, nuint>)
            NativeLibrary.GetExport(NativeLibrary.Load(lib), "ggml_quantize_chunk");
    }

    /// <summary>Our kernel, rows split across <see cref="Threads"/> threads.</summary>
    [Benchmark(Baseline = true)]
    public void LlmSize()
    {
        int rowBytes = _dst.Length / Rows;
        Parallel.For(0, Threads, new ParallelOptions { MaxDegreeOfParallelism = Threads }, t =>
        {
            var (first, count) = Range(t);
            for (int r = first; r < first + count; r++)
            {
                _kernel.QuantizeRow(_src.AsSpan(r * RowLength, RowLength), _dst.AsSpan(r * rowBytes, rowBytes));
            }
        });
    }

    /// <summary>ggml_quantize_chunk on the same row ranges.</summary>
    [Benchmark]
    public void Ggml()
    {
        int id = _kernel.Type.GgmlTypeId!.Value;
        Parallel.For(0, Threads, new ParallelOptions { MaxDegreeOfParallelism = Threads }, t =>
        {
            var (first, count) = Range(t);
            fixed (float* s = _src)
            fixed (byte* d = _dst)
            {
                _ggml(id, s, d, (long)first * RowLength, count, RowLength, null);
            }
        });
    }

    private (int First, int Count) Range(int t)
    {
        int per = (Rows + Threads - 1) / Threads;
        int first = Math.Min(Rows, t * per);
        return (first, Math.Min(per, Rows - first));
    }
}
