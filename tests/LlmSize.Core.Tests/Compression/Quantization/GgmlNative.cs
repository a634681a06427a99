using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;

namespace LlmSize.Core.Tests.Compression.Quantization;

/// <summary>
/// The reference: ggml itself, as shipped by the NuGet package LLamaSharp.Backend.Cpu 0.30.0 (libggml-base.so), loaded
/// from the test output folder. Exposes <c>ggml_quantize_chunk</c> (ggml.h) through a function pointer.
/// </summary>
internal static unsafe class GgmlNative
{
    private static readonly Lazy<(nint Handle, string? Path, string? Error)> Lib = new(Load);

    /// <summary>Why the library could not be loaded, or null when it is available.</summary>
    public static string? LoadError => Lib.Value.Error;

    /// <summary>The libggml-base.so that was loaded.</summary>
    public static string? LibraryPath => Lib.Value.Path;

    /// <summary>The CPU variant folder LLamaSharp would choose on this machine (avx512, avx2, avx, noavx).</summary>
    public static string Variant =>
        Avx512F.IsSupported ? "avx512" : Avx2.IsSupported ? "avx2" : Avx.IsSupported ? "avx" : "noavx";

    /// <summary>The native folder holding libllama.so / libggml*.so for <see cref="Variant"/>.</summary>
    public static string? NativeFolder => Lib.Value.Path is { } p ? Path.GetDirectoryName(p) : null;

    /// <summary>Calls <c>size_t ggml_quantize_chunk(enum ggml_type type, const float * src, void * dst, int64_t start,
    /// int64_t nrows, int64_t n_per_row, const float * imatrix)</c> with no importance matrix.</summary>
    public static long QuantizeChunk(int ggmlType, ReadOnlySpan<float> src, Span<byte> dst, long nrows, long nPerRow)
    {
        var (handle, _, error) = Lib.Value;
        if (error is not null) throw new InvalidOperationException(error);
        var fn = (delegate* unmanaged<int, float*, void*, long, long, long, float*, nuint>)
            NativeLibrary.GetExport(handle, "ggml_quantize_chunk");
        fixed (float* s = src)
        fixed (byte* d = dst)
        {
            return (long)fn(ggmlType, s, d, 0, nrows, nPerRow, null);
        }
    }

    private static (nint, string?, string?) Load()
    {
        string baseDir = AppContext.BaseDirectory;
        string[] candidates =
        [
            Path.Combine(baseDir, "runtimes", "linux-x64", "native", Variant, "libggml-base.so"),
            Path.Combine(baseDir, "runtimes", "linux-x64", "native", "libggml-base.so"),
        ];
        string? found = candidates.FirstOrDefault(File.Exists)
            ?? Directory.EnumerateFiles(baseDir, "libggml-base.so", SearchOption.AllDirectories).FirstOrDefault();
        if (found is null)
        {
            return (0, null, $"libggml-base.so (LLamaSharp.Backend.Cpu) not found under {baseDir}; OS {RuntimeInformation.RuntimeIdentifier}.");
        }

        try
        {
            return (NativeLibrary.Load(found), found, null);
        }
        catch (Exception e) when (e is DllNotFoundException or BadImageFormatException)
        {
            return (0, found, $"{found} did not load: {e.Message}");
        }
    }
}
