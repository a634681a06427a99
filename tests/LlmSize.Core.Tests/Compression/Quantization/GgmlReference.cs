using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;

namespace LlmSize.Core.Tests.Compression.Quantization;

/// <summary>
/// llama.cpp's own ggml (libggml-base from the NuGet package LLamaSharp.Backend.Cpu 0.30.0, copied by the package
/// into <c>runtimes/&lt;rid&gt;/native/&lt;variant&gt;/</c> of the test output), called through function pointers:
/// <c>ggml_quantize_chunk</c> (ggml.c), <c>dequantize_row_q4_K/q5_K/q6_K</c> (ggml-quants.c) and
/// <c>ggml_fp32_to_fp16</c>. None of these needs <c>ggml_init</c>. The reference every byte-identity test compares to.
/// </summary>
internal sealed unsafe class GgmlReference
{
    private readonly delegate* unmanaged<int, float*, void*, long, long, long, float*, nuint> _quantizeChunk;
    private readonly delegate* unmanaged<void*, float*, long, void> _dequantQ4K;
    private readonly delegate* unmanaged<void*, float*, long, void> _dequantQ5K;
    private readonly delegate* unmanaged<void*, float*, long, void> _dequantQ6K;
    private readonly delegate* unmanaged<void*, float*, long, void> _dequantQ2K;
    private readonly delegate* unmanaged<void*, float*, long, void> _dequantQ3K;
    private readonly delegate* unmanaged<void*, float*, long, void> _dequantIq4Nl;
    private readonly delegate* unmanaged<void*, float*, long, void> _dequantIq4Xs;
    private readonly delegate* unmanaged<void*, float*, long, void> _dequantTq1;
    private readonly delegate* unmanaged<void*, float*, long, void> _dequantTq2;
    private readonly delegate* unmanaged<float, ushort> _fp32ToFp16;

    private GgmlReference(string path)
    {
        Path = path;
        nint handle = NativeLibrary.Load(path);
        _quantizeChunk = (delegate* unmanaged<int, float*, void*, long, long, long, float*, nuint>)NativeLibrary.GetExport(handle, "ggml_quantize_chunk");
        _dequantQ4K = (delegate* unmanaged<void*, float*, long, void>)NativeLibrary.GetExport(handle, "dequantize_row_q4_K");
        _dequantQ5K = (delegate* unmanaged<void*, float*, long, void>)NativeLibrary.GetExport(handle, "dequantize_row_q5_K");
        _dequantQ6K = (delegate* unmanaged<void*, float*, long, void>)NativeLibrary.GetExport(handle, "dequantize_row_q6_K");
        _dequantQ2K = (delegate* unmanaged<void*, float*, long, void>)NativeLibrary.GetExport(handle, "dequantize_row_q2_K");
        _dequantQ3K = (delegate* unmanaged<void*, float*, long, void>)NativeLibrary.GetExport(handle, "dequantize_row_q3_K");
        _dequantIq4Nl = (delegate* unmanaged<void*, float*, long, void>)NativeLibrary.GetExport(handle, "dequantize_row_iq4_nl");
        _dequantIq4Xs = (delegate* unmanaged<void*, float*, long, void>)NativeLibrary.GetExport(handle, "dequantize_row_iq4_xs");
        _dequantTq1 = (delegate* unmanaged<void*, float*, long, void>)NativeLibrary.GetExport(handle, "dequantize_row_tq1_0");
        _dequantTq2 = (delegate* unmanaged<void*, float*, long, void>)NativeLibrary.GetExport(handle, "dequantize_row_tq2_0");
        _fp32ToFp16 = (delegate* unmanaged<float, ushort>)NativeLibrary.GetExport(handle, "ggml_fp32_to_fp16");
    }

    /// <summary>Full path of the loaded libggml-base.</summary>
    public string Path { get; }

    private static readonly Lazy<GgmlReference> s_default = new(() => new GgmlReference(FindLibrary(PreferredVariant())));

    /// <summary>The variant LLamaSharp itself would pick on this CPU (avx512 → avx2 → avx → noavx).</summary>
    public static GgmlReference Default => s_default.Value;

    /// <summary>Every CPU variant of libggml-base the package shipped that this CPU can run.</summary>
    public static IEnumerable<GgmlReference> AllRunnableVariants()
    {
        foreach (string variant in new[] { "avx512", "avx2", "avx", "noavx" })
        {
            bool runnable = variant switch
            {
                "avx512" => Avx512F.IsSupported,
                "avx2" => Avx2.IsSupported,
                "avx" => Avx.IsSupported,
                _ => true,
            };
            if (runnable && TryFindLibrary(variant) is { } path)
            {
                yield return new GgmlReference(path);
            }
        }
    }

    private static string PreferredVariant() =>
        Avx512F.IsSupported ? "avx512" : Avx2.IsSupported ? "avx2" : Avx.IsSupported ? "avx" : "noavx";

    private static string FindLibrary(string variant) =>
        TryFindLibrary(variant) ?? TryFindLibrary("noavx") ?? TryFindLibrary(null) ?? throw new FileNotFoundException(
            $"libggml-base of LLamaSharp.Backend.Cpu was not found under {System.IO.Path.Combine(AppContext.BaseDirectory, "runtimes")} " +
            $"for {RuntimeInformation.RuntimeIdentifier}; the k-quant reference tests need it.");

    private static string? TryFindLibrary(string? variant)
    {
        string root = System.IO.Path.Combine(AppContext.BaseDirectory, "runtimes");
        if (!Directory.Exists(root)) return null;
        string rid = RuntimeInformation.IsOSPlatform(OSPlatform.Windows) ? "win" : RuntimeInformation.IsOSPlatform(OSPlatform.OSX) ? "osx" : "linux";
        string arch = RuntimeInformation.ProcessArchitecture.ToString().ToLowerInvariant();
        string name = rid == "win" ? "ggml-base.dll" : rid == "osx" ? "libggml-base.dylib" : "libggml-base.so";
        string ridDir = System.IO.Path.Combine(root, $"{rid}-{arch}", "native");
        if (!Directory.Exists(ridDir)) return null;
        string candidate = variant is null ? System.IO.Path.Combine(ridDir, name) : System.IO.Path.Combine(ridDir, variant, name);
        return File.Exists(candidate) ? candidate : null;
    }

    /// <summary><c>ggml_quantize_chunk(type, src, dst, 0, nrows, n_per_row, NULL)</c>: what llama.cpp's quantizer runs.</summary>
    public byte[] QuantizeChunk(int ggmlType, ReadOnlySpan<float> src, int nPerRow, int rowBytes) =>
        QuantizeChunk(ggmlType, src, nPerRow, rowBytes, default);

    /// <summary><c>ggml_quantize_chunk(type, src, dst, 0, nrows, n_per_row, imatrix)</c> with one importance weight per
    /// column (what llama-quantize passes with <c>--imatrix</c>); an empty <paramref name="imatrix"/> passes NULL.</summary>
    public byte[] QuantizeChunk(int ggmlType, ReadOnlySpan<float> src, int nPerRow, int rowBytes, ReadOnlySpan<float> imatrix)
    {
        int rows = src.Length / nPerRow;
        byte[] dst = new byte[rows * rowBytes];
        fixed (float* s = src)
        fixed (float* im = imatrix)
        fixed (byte* d = dst)
        {
            nuint written = _quantizeChunk(ggmlType, s, d, 0, rows, nPerRow, imatrix.IsEmpty ? null : im);
            Assert.Equal((nuint)dst.Length, written);
        }

        return dst;
    }

    /// <summary>ggml's <c>dequantize_row_q{2,3,4,5,6}_K</c> / <c>iq4_nl</c> / <c>iq4_xs</c> / <c>tq1_0</c> / <c>tq2_0</c> for ggml type id 10–14, 20, 23, 34 or 35.</summary>
    public float[] Dequantize(int ggmlType, ReadOnlySpan<byte> src, int count)
    {
        float[] y = new float[count];
        fixed (byte* s = src)
        fixed (float* d = y)
        {
            switch (ggmlType)
            {
                case 12: _dequantQ4K(s, d, count); break;
                case 13: _dequantQ5K(s, d, count); break;
                case 14: _dequantQ6K(s, d, count); break;
                case 10: _dequantQ2K(s, d, count); break;
                case 11: _dequantQ3K(s, d, count); break;
                case 20: _dequantIq4Nl(s, d, count); break;
                case 23: _dequantIq4Xs(s, d, count); break;
                case 34: _dequantTq1(s, d, count); break;
                case 35: _dequantTq2(s, d, count); break;
                default: throw new ArgumentOutOfRangeException(nameof(ggmlType));
            }
        }

        return y;
    }

    /// <summary><c>ggml_fp32_to_fp16</c>.</summary>
    public ushort Fp32ToFp16(float f) => _fp32ToFp16(f);
}
