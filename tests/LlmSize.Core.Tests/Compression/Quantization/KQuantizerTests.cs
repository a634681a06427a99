using LlmSize.Core.Compression.Quantization;
using LlmSize.Core.Precision;

namespace LlmSize.Core.Tests.Compression.Quantization;

/// <summary>
/// Q2_K, Q3_K, Q4_K, Q5_K, Q6_K, IQ4_NL, IQ4_XS, TQ1_0 and TQ2_0 row kernels against llama.cpp's own ggml (<see cref="GgmlReference"/>): every expected byte
/// and float below is the output of <c>ggml_quantize_chunk(type, …, imatrix = NULL)</c> or ggml's
/// <c>dequantize_row_*</c> on the same input, so any difference from the reference fails.
/// </summary>
public sealed class KQuantizerTests
{
    private static IRowQuantizer Create(string type) => type switch
    {
        "Q4_K" => new Q4_KQuantizer(),
        "Q5_K" => new Q5_KQuantizer(),
        "Q6_K" => new Q6_KQuantizer(),
        "Q2_K" => new Q2_KQuantizer(),
        "Q3_K" => new Q3_KQuantizer(),
        "IQ4_NL" => new IQ4_NLQuantizer(),
        "IQ4_XS" => new IQ4_XSQuantizer(),
        "TQ1_0" => new TQ1_0Quantizer(),
        "TQ2_0" => new TQ2_0Quantizer(),
        _ => throw new ArgumentOutOfRangeException(nameof(type)),
    };

    private static readonly string[] Types = ["Q2_K", "Q3_K", "Q4_K", "Q5_K", "Q6_K", "IQ4_NL", "IQ4_XS", "TQ1_0", "TQ2_0"];

    private static int RowBytes(IRowQuantizer q, int n) => n / q.Type.BlockSize * q.Type.BlockBytes;

    /// <summary>Every type × row kind × row length (256, 512, 4096 weights).</summary>
    public static TheoryData<string, string, int> Cases()
    {
        var data = new TheoryData<string, string, int>();
        foreach (string type in Types)
        {
            foreach (string kind in KQuantTestRows.Kinds)
            {
                foreach (int length in new[] { 256, 512, 4096 })
                {
                    data.Add(type, kind, length);
                }
            }
        }

        return data;
    }

    public static TheoryData<string> TypeNames() => new(Types);

    /// <summary>Kernel paths: the widest the hardware has, Vector256 only, scalar only.</summary>
    public enum Path { Widest, Vector256, Scalar }

    private static byte[] Quantize(IRowQuantizer q, float[] row, Path path = Path.Widest)
    {
        byte[] dst = new byte[checked(row.Length / q.Type.BlockSize * q.Type.BlockBytes)];
        bool oldScalar = KQuantMath.SetScalarOnly(path == Path.Scalar);
        bool oldNo512 = KQuantMath.SetNo512(path != Path.Widest);
        try
        {
            q.QuantizeRow(row, dst);
        }
        finally
        {
            KQuantMath.SetScalarOnly(oldScalar);
            KQuantMath.SetNo512(oldNo512);
        }

        return dst;
    }

    private static void AssertAllPaths(byte[] expected, IRowQuantizer q, float[] row, string what)
    {
        foreach (Path path in Enum.GetValues<Path>())
        {
            AssertBytes(expected, Quantize(q, row, path), $"{what} ({path})");
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void QuantizeRow_matches_ggml_quantize_chunk_byte_for_byte(string type, string kind, int length)
    {
        IRowQuantizer q = Create(type);
        int id = q.Type.GgmlTypeId!.Value;
        for (int seed = 1; seed <= 4; seed++)
        {
            float[] row = KQuantTestRows.Create(kind, length, seed);
            byte[] expected = GgmlReference.Default.QuantizeChunk(id, row, length, RowBytes(q, length));
            AssertAllPaths(expected, q, row, $"{type} {kind} n={length} seed={seed}");
        }
    }

    [Theory]
    [MemberData(nameof(TypeNames))]
    public void Many_gaussian_rows_quantized_as_one_ggml_chunk_match(string type)
    {
        // 64 rows × 4096 weights, σ drawn per row over 1e-4 … 10: one ggml_quantize_chunk call over the whole matrix
        // against 64 QuantizeRow calls.
        IRowQuantizer q = Create(type);
        const int rows = 64, n = 4096;
        var rng = new Random(20261130);
        float[] matrix = new float[rows * n];
        for (int r = 0; r < rows; r++)
        {
            float sigma = MathF.Pow(10, (float)(rng.NextDouble() * 5 - 4));
            float[] row = KQuantTestRows.Create("gauss-1", n, 100 + r);
            for (int i = 0; i < n; i++) matrix[r * n + i] = row[i] * sigma;
        }

        int rowBytes = RowBytes(q, n);
        byte[] expected = GgmlReference.Default.QuantizeChunk(q.Type.GgmlTypeId!.Value, matrix, n, rowBytes);
        byte[] actual = new byte[expected.Length];
        for (int r = 0; r < rows; r++)
        {
            q.QuantizeRow(matrix.AsSpan(r * n, n), actual.AsSpan(r * rowBytes, rowBytes));
        }

        AssertBytes(expected, actual, $"{type} 64×4096 matrix");
    }

    [Theory]
    [MemberData(nameof(TypeNames))]
    public void One_instance_quantizes_rows_on_many_threads_at_once(string type)
    {
        // The quantize pipeline shares one kernel instance across worker threads: 32 rows in parallel must give the
        // bytes one ggml_quantize_chunk call gives.
        IRowQuantizer q = Create(type);
        const int rows = 32, n = 1024;
        float[] matrix = new float[rows * n];
        for (int r = 0; r < rows; r++) KQuantTestRows.Create("gauss-0.02", n, 500 + r).CopyTo(matrix, r * n);
        int rowBytes = RowBytes(q, n);
        byte[] expected = GgmlReference.Default.QuantizeChunk(q.Type.GgmlTypeId!.Value, matrix, n, rowBytes);
        byte[] actual = new byte[expected.Length];
        Parallel.For(0, rows, new ParallelOptions { MaxDegreeOfParallelism = 4 },
            r => q.QuantizeRow(matrix.AsSpan(r * n, n), actual.AsSpan(r * rowBytes, rowBytes)));
        AssertBytes(expected, actual, $"{type} parallel rows");
    }

    [Theory]
    [MemberData(nameof(TypeNames))]
    public void Every_shipped_cpu_variant_of_ggml_agrees(string type)
    {
        // LLamaSharp ships libggml-base built for noavx/avx/avx2/avx512; ours must equal each (no FMA contraction etc.).
        IRowQuantizer q = Create(type);
        float[] row = KQuantTestRows.Create("gauss-0.02", 4096, 7);
        byte[] ours = Quantize(q, row);
        int variants = 0;
        foreach (GgmlReference reference in GgmlReference.AllRunnableVariants())
        {
            AssertBytes(reference.QuantizeChunk(q.Type.GgmlTypeId!.Value, row, 4096, ours.Length), ours, reference.Path);
            variants++;
        }

        Assert.True(variants >= 1, "no runnable libggml-base variant found");
    }

    [Theory]
    [MemberData(nameof(TypeNames))]
    public void NaN_and_infinite_weights_give_the_same_bytes_as_ggml(string type)
    {
        // The reference does not reject NaN/Inf: it writes whatever its arithmetic yields. We do the same (the
        // quantize pipeline reports such tensors before quantizing).
        IRowQuantizer q = Create(type);
        foreach (float bad in new[] { float.NaN, float.PositiveInfinity, float.NegativeInfinity })
        {
            foreach (int at in new[] { 0, 31, 100, 255 })
            {
                float[] row = KQuantTestRows.Create("gauss-1", 512, at);
                row[at] = bad;
                byte[] expected = GgmlReference.Default.QuantizeChunk(q.Type.GgmlTypeId!.Value, row, 512, RowBytes(q, 512));
                AssertAllPaths(expected, q, row, $"{type} {bad} at {at}");
            }
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void DequantizeRow_matches_ggml_dequantize_bit_for_bit(string type, string kind, int length)
    {
        IRowQuantizer q = Create(type);
        float[] row = KQuantTestRows.Create(kind, length, 3);
        byte[] blocks = Quantize(q, row);
        float[] expected = GgmlReference.Default.Dequantize(q.Type.GgmlTypeId!.Value, blocks, length);
        float[] actual = new float[length];
        q.DequantizeRow(blocks, actual);
        for (int i = 0; i < length; i++)
        {
            if (BitConverter.SingleToInt32Bits(expected[i]) != BitConverter.SingleToInt32Bits(actual[i]))
            {
                Assert.Fail($"{type} {kind} n={length}: element {i} is {actual[i]:R}, ggml gives {expected[i]:R}");
            }
        }
    }

    [Theory]
    [MemberData(nameof(TypeNames))]
    public void Round_trip_error_is_within_llama_cpp_test_quantize_fns_limit(string type)
    {
        // llama.cpp tests/test-quantize-fns.cpp: data 0.1 + 2·cos(i), 4096 weights, error = sqrt(Σ diff²) / n, and
        // MAX_QUANTIZATION_TOTAL_ERROR = 0.002 for every type but 2-bit/3-bit/ternary/binary/FP4;
        // MAX_QUANTIZATION_TOTAL_ERROR_2BITS = 0.0075 (Q2_K), _3BITS = 0.0040 (Q3_K), _TERNARY = 0.01 (TQ1_0, TQ2_0).
        IRowQuantizer q = Create(type);
        double limit = type switch { "Q2_K" => 0.0075, "Q3_K" => 0.0040, "TQ1_0" or "TQ2_0" => 0.01, _ => 0.002 };
        float[] row = KQuantTestRows.Create("llama-cos", 4096, 0);
        float[] back = new float[row.Length];
        q.DequantizeRow(Quantize(q, row), back);
        double sum = 0;
        for (int i = 0; i < row.Length; i++)
        {
            double diff = row[i] - back[i];
            sum += diff * diff;
        }

        double error = Math.Sqrt(sum) / row.Length;
        Assert.InRange(error, 0.0, limit);
    }

    [Fact]
    public void FloatToHalf_matches_ggml_fp32_to_fp16()
    {
        var rng = new Random(5);
        var values = new List<float>
        {
            0f, -0f, 1f, -1f, 65504f, 65519.99f, 65520f, 1e9f, float.PositiveInfinity, float.NegativeInfinity, float.NaN,
            -float.NaN, 5.96e-8f, 2.98e-8f, 2.9802322e-8f, 2.9802326e-8f, 6.1035156e-5f, 6.1e-5f, 1e-30f, float.Epsilon,
            1.00048828125f, 1.00146484375f, // exactly halfway between FP16 neighbours: ties to even
        };
        for (int i = 0; i < 20000; i++)
        {
            values.Add(BitConverter.Int32BitsToSingle(rng.Next(int.MinValue, int.MaxValue)));
        }

        foreach (float f in values)
        {
            Assert.Equal(GgmlReference.Default.Fp32ToFp16(f), KQuantMath.FloatToHalf(f));
        }
    }

    [Fact]
    public void Type_and_block_sizes_are_the_ggml_ones()
    {
        // ggml type ids and block sizes: ggml.h enum ggml_type and ggml.c type_traits (shared/reference/ggml-types.csv).
        Assert.Same(TensorDataType.Q4_K, new Q4_KQuantizer().Type);
        Assert.Same(TensorDataType.Q5_K, new Q5_KQuantizer().Type);
        Assert.Same(TensorDataType.Q6_K, new Q6_KQuantizer().Type);
        Assert.Equal((256, 144), (TensorDataType.Q4_K.BlockSize, TensorDataType.Q4_K.BlockBytes));
        Assert.Equal((256, 176), (TensorDataType.Q5_K.BlockSize, TensorDataType.Q5_K.BlockBytes));
        Assert.Equal((256, 210), (TensorDataType.Q6_K.BlockSize, TensorDataType.Q6_K.BlockBytes));
        Assert.Same(TensorDataType.Q2_K, new Q2_KQuantizer().Type);
        Assert.Same(TensorDataType.Q3_K, new Q3_KQuantizer().Type);
        Assert.Same(TensorDataType.IQ4_NL, new IQ4_NLQuantizer().Type);
        Assert.Same(TensorDataType.IQ4_XS, new IQ4_XSQuantizer().Type);
        Assert.Equal((256, 84), (TensorDataType.Q2_K.BlockSize, TensorDataType.Q2_K.BlockBytes));
        Assert.Equal((256, 110), (TensorDataType.Q3_K.BlockSize, TensorDataType.Q3_K.BlockBytes));
        Assert.Equal((32, 18), (TensorDataType.IQ4_NL.BlockSize, TensorDataType.IQ4_NL.BlockBytes));
        Assert.Equal((256, 136), (TensorDataType.IQ4_XS.BlockSize, TensorDataType.IQ4_XS.BlockBytes));
    }

    [Theory]
    [MemberData(nameof(TypeNames))]
    public void QuantizeRow_rejects_a_row_that_is_not_whole_blocks(string type)
    {
        IRowQuantizer q = Create(type);
        var ex = Assert.Throws<ArgumentException>(() => q.QuantizeRow(new float[255], new byte[q.Type.BlockBytes]));
        Assert.Equal("src", ex.ParamName);
        ex = Assert.Throws<ArgumentException>(() => q.QuantizeRow(new float[8], new byte[1])); // 8-wide rows (llama-2-tiny-random)
        Assert.Equal("src", ex.ParamName);
    }

    [Theory]
    [MemberData(nameof(TypeNames))]
    public void QuantizeRow_rejects_a_wrong_destination_length(string type)
    {
        IRowQuantizer q = Create(type);
        var ex = Assert.Throws<ArgumentException>(() => q.QuantizeRow(new float[512], new byte[2 * q.Type.BlockBytes - 1]));
        Assert.Equal("dst", ex.ParamName);
        ex = Assert.Throws<ArgumentException>(() => q.QuantizeRow(new float[256], new byte[2 * q.Type.BlockBytes]));
        Assert.Equal("dst", ex.ParamName);
    }

    [Theory]
    [MemberData(nameof(TypeNames))]
    public void DequantizeRow_rejects_partial_blocks_and_wrong_output_length(string type)
    {
        IRowQuantizer q = Create(type);
        var ex = Assert.Throws<ArgumentException>(() => q.DequantizeRow(new byte[q.Type.BlockBytes + 1], new float[256]));
        Assert.Equal("src", ex.ParamName);
        ex = Assert.Throws<ArgumentException>(() => q.DequantizeRow(new byte[q.Type.BlockBytes], new float[512]));
        Assert.Equal("dst", ex.ParamName);
    }

    [Theory]
    [MemberData(nameof(TypeNames))]
    public void Empty_row_writes_nothing(string type)
    {
        IRowQuantizer q = Create(type);
        q.QuantizeRow([], []);
        q.DequantizeRow([], []);
    }

    private static void AssertBytes(byte[] expected, byte[] actual, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        int first = expected.AsSpan().CommonPrefixLength(actual);
        if (first != expected.Length)
        {
            Assert.Fail($"{what}: first difference at byte {first} of {expected.Length}: ggml {expected[first]:X2}, ours {actual[first]:X2}");
        }
    }
}
