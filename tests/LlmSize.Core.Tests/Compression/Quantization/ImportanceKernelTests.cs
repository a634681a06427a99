using LlmSize.Core.Compression.Quantization;
using LlmSize.Core.Precision;

namespace LlmSize.Core.Tests.Compression.Quantization;

/// <summary>
/// The importance-matrix paths of the kernels against llama.cpp's own ggml: every expected byte is the output of
/// <c>ggml_quantize_chunk(type, rows, …, imatrix)</c> (libggml-base of LLamaSharp.Backend.Cpu 0.30.0) for the same
/// rows and per-column weights.
/// </summary>
public sealed class ImportanceKernelTests
{
    private static readonly string[] Types = ["Q4_0", "Q4_1", "Q5_0", "Q5_1", "Q2_K", "Q3_K", "Q4_K", "Q5_K", "Q6_K", "IQ4_NL", "IQ4_XS"];

    /// <summary>Importance vectors: llama-imatrix's are mean squared activations (positive, spread over decades), some
    /// columns can be 0 (never activated), and a flat one.</summary>
    private static readonly string[] ImatrixKinds = ["lognormal", "with-zeros", "flat", "spiky"];

    public static TheoryData<string, string, string> Cases()
    {
        var data = new TheoryData<string, string, string>();
        foreach (string type in Types)
        {
            foreach (string rows in KQuantTestRows.Kinds)
            {
                foreach (string im in ImatrixKinds) data.Add(type, rows, im);
            }
        }

        return data;
    }

    public static TheoryData<string> TypeNames() => new(Types);

    private static float[] Imatrix(string kind, int n, int seed)
    {
        var rng = new Random(seed);
        float[] w = new float[n];
        for (int i = 0; i < n; i++)
        {
            double g = Math.Sqrt(-2.0 * Math.Log(1.0 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());
            w[i] = kind switch
            {
                "lognormal" => (float)Math.Exp(1.5 * g - 3),
                "with-zeros" => rng.Next(4) == 0 ? 0f : (float)Math.Exp(g),
                "flat" => 1f,
                "spiky" => rng.Next(64) == 0 ? 1e4f : 1e-3f,
                _ => throw new ArgumentOutOfRangeException(nameof(kind)),
            };
        }

        return w;
    }

    private static IImportanceRowQuantizer Kernel(string type)
    {
        Assert.True(TensorDataType.TryFromName(type, out var t));
        Assert.True(RowQuantizers.TryGet(t, out var q));
        return Assert.IsAssignableFrom<IImportanceRowQuantizer>(q);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void QuantizeRow_WithImportance_MatchesGgmlByteForByte(string type, string rowKind, string imatrixKind)
    {
        var q = Kernel(type);
        const int n = 1024, rows = 3;
        float[] im = Imatrix(imatrixKind, n, 11);
        float[] src = new float[rows * n];
        for (int r = 0; r < rows; r++) KQuantTestRows.Create(rowKind, n, 20 + r).CopyTo(src, r * n);
        int rowBytes = n / q.Type.BlockSize * q.Type.BlockBytes;
        byte[] expected = GgmlReference.Default.QuantizeChunk(q.Type.GgmlTypeId!.Value, src, n, rowBytes, im);
        foreach (bool scalar in new[] { false, true })
        {
            byte[] actual = new byte[expected.Length];
            bool old = KQuantMath.SetScalarOnly(scalar);
            try
            {
                for (int r = 0; r < rows; r++) q.QuantizeRow(src.AsSpan(r * n, n), actual.AsSpan(r * rowBytes, rowBytes), im);
            }
            finally
            {
                KQuantMath.SetScalarOnly(old);
            }

            int at = expected.AsSpan().CommonPrefixLength(actual);
            Assert.True(at == expected.Length, $"{type} {rowKind} imatrix={imatrixKind} scalar={scalar}: first difference at byte {at} of {expected.Length}");
        }
    }

    [Theory]
    [MemberData(nameof(TypeNames))]
    public void NaN_and_infinite_weights_with_importance_give_the_same_bytes_as_ggml(string type)
    {
        var q = Kernel(type);
        float[] im = Imatrix("lognormal", 512, 3);
        foreach (float bad in new[] { float.NaN, float.PositiveInfinity, float.NegativeInfinity })
        {
            foreach (int at in new[] { 0, 31, 255 })
            {
                float[] row = KQuantTestRows.Create("gauss-1", 512, at);
                row[at] = bad;
                int rowBytes = 512 / q.Type.BlockSize * q.Type.BlockBytes;
                byte[] expected = GgmlReference.Default.QuantizeChunk(q.Type.GgmlTypeId!.Value, row, 512, rowBytes, im);
                byte[] actual = new byte[rowBytes];
                q.QuantizeRow(row, actual, im);
                int first = expected.AsSpan().CommonPrefixLength(actual);
                Assert.True(first == expected.Length, $"{type} {bad} at {at}: first difference at byte {first}");
            }
        }
    }

    [Theory]
    [MemberData(nameof(TypeNames))]
    public void EmptyImportance_IsTheReferencePath_AndAWrongLengthIsRefused(string type)
    {
        var q = Kernel(type);
        float[] row = KQuantTestRows.Create("gauss-0.02", 512, 5);
        byte[] a = new byte[512 / q.Type.BlockSize * q.Type.BlockBytes], b = new byte[a.Length];
        q.QuantizeRow(row, a);
        q.QuantizeRow(row, b, default);
        Assert.Equal(a, b);
        q.QuantizeRow(row, b, Imatrix("lognormal", 512, 9));
        Assert.NotEqual(a, b); // the weighted path is a different algorithm (checked against ggml above)
        var e = Assert.Throws<ArgumentException>(() => q.QuantizeRow(row, b, new float[511]));
        Assert.Equal("importance", e.ParamName);
    }
}
