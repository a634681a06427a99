using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;
using BenchmarkDotNet.Attributes;
using LlmSize.Core.Compression.Quantization;
using LlmSize.Core.Precision;

namespace LlmSize.Benchmarks.Compression;

/// <summary>
/// Q2_K … Q6_K, IQ4_NL and IQ4_XS quantization throughput of our row kernels against llama.cpp's own
/// <c>ggml_quantize_chunk</c> (libggml-base of LLamaSharp.Backend.Cpu, loaded from this program's
/// <c>runtimes/…/native/&lt;cpu variant&gt;/</c>, called through a function pointer), same data, one thread each,
/// in the same run. Input: 64 rows × 4096 F32 weights (1 MiB, N(0, 0.02²), fixed seed), made once in
/// <see cref="Setup"/>. MB/s of F32 input = 1.048576 MB / mean time.
/// </summary>
[MemoryDiagnoser]
public unsafe class KQuantBenchmarks
{
    private const int Rows = 64;
    private const int RowLength = 4096;

    private float[] _input = [];
    private byte[] _output = [];
    private IRowQuantizer _quantizer = null!;
    private delegate* unmanaged<int, float*, void*, long, long, long, float*, nuint> _ggmlQuantizeChunk;

    /// <summary>The ggml type name.</summary>
    [Params("Q2_K", "Q3_K", "Q4_K", "Q5_K", "Q6_K", "IQ4_NL", "IQ4_XS")]
    public string Type { get; set; } = "Q4_K";

    /// <summary>Builds the input matrix and loads libggml-base.</summary>
    [GlobalSetup]
    public void Setup()
    {
        if (!TensorDataType.TryFromName(Type, out var type) || !RowQuantizers.TryGet(type, out _quantizer!))
        {
            throw new InvalidOperationException($"No kernel for {Type}.");
        }

        var rng = new Random(42);
        _input = new float[Rows * RowLength];
        for (int i = 0; i < _input.Length; i++)
        {
            double u1 = 1.0 - rng.NextDouble(), u2 = rng.NextDouble();
            _input[i] = (float)(0.02 * Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2));
        }

        _output = new byte[checked(_input.Length / _quantizer.Type.BlockSize * _quantizer.Type.BlockBytes)];
        nint handle = NativeLibrary.Load(FindGgmlBase());
        _ggmlQuantizeChunk = (delegate* unmanaged<int, float*, void*, long, long, long, float*, nuint>)
            NativeLibrary.GetExport(handle, "ggml_quantize_chunk");
    }

    /// <summary>Our kernel, row by row, one thread.</summary>
    [Benchmark]
    public void LlmSize()
    {
        int rowBytes = _output.Length / Rows;
        for (int r = 0; r < Rows; r++)
        {
            _quantizer.QuantizeRow(_input.AsSpan(r * RowLength, RowLength), _output.AsSpan(r * rowBytes, rowBytes));
        }
    }

    /// <summary>llama.cpp: <c>ggml_quantize_chunk(type, src, dst, 0, 64, 4096, NULL)</c>, one thread.</summary>
    [Benchmark(Baseline = true)]
    public nuint Ggml()
    {
        fixed (float* src = _input)
        fixed (byte* dst = _output)
        {
            return _ggmlQuantizeChunk(_quantizer.Type.GgmlTypeId!.Value, src, dst, 0, Rows, RowLength, null);
        }
    }

    private static string FindGgmlBase()
    {
        // The variant LLamaSharp itself would pick on this CPU.
        string variant = Avx512F.IsSupported ? "avx512" : Avx2.IsSupported ? "avx2" : Avx.IsSupported ? "avx" : "noavx";
        string os = OperatingSystem.IsWindows() ? "win" : OperatingSystem.IsMacOS() ? "osx" : "linux";
        string name = os == "win" ? "ggml-base.dll" : os == "osx" ? "libggml-base.dylib" : "libggml-base.so";
        string dir = Path.Combine(AppContext.BaseDirectory, "runtimes",
            $"{os}-{RuntimeInformation.ProcessArchitecture.ToString().ToLowerInvariant()}", "native");
        foreach (string candidate in new[] { Path.Combine(dir, variant, name), Path.Combine(dir, "noavx", name), Path.Combine(dir, name) })
        {
            if (File.Exists(candidate)) return candidate;
        }

        throw new FileNotFoundException($"libggml-base (LLamaSharp.Backend.Cpu) not found under {dir}.");
    }
}
