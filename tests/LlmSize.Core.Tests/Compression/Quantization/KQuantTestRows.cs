namespace LlmSize.Core.Tests.Compression.Quantization;

/// <summary>Deterministic test rows for the k-quant byte-identity tests, built in code from a fixed seed.</summary>
internal static class KQuantTestRows
{
    /// <summary>Names of every row kind <see cref="Create"/> knows.</summary>
    public static readonly string[] Kinds =
    [
        "gauss-1", "gauss-0.02", "gauss-1e-3", "gauss-100", "gauss-1e6", "gauss-1e-6", "tiny-1e-30", "zeros",
        "outlier-pos", "outlier-neg", "constant-pos", "constant-neg", "negative-only", "positive-only", "sparse",
        "ties", "uniform-int", "llama-cos", "wild", "subnormal",
    ];

    /// <summary>Builds row kind <paramref name="kind"/> of <paramref name="length"/> weights from seed <paramref name="seed"/>.</summary>
    public static float[] Create(string kind, int length, int seed)
    {
        var rng = new Random(seed);
        float[] x = new float[length];
        switch (kind)
        {
            case "gauss-1": Fill(x, rng, 1f); break;
            case "gauss-0.02": Fill(x, rng, 0.02f); break; // typical LLM weight scale
            case "gauss-1e-3": Fill(x, rng, 1e-3f); break;
            case "gauss-100": Fill(x, rng, 100f); break;
            case "gauss-1e6": Fill(x, rng, 1e6f); break;    // d = max/63 overflows FP16 (> 65504) → Inf scales
            case "gauss-1e-6": Fill(x, rng, 1e-6f); break;  // d falls into FP16 subnormals
            case "tiny-1e-30": Fill(x, rng, 1e-30f); break; // below GROUP_MAX_EPS for Q6_K, FP16 underflow
            case "zeros": break;
            case "outlier-pos": Fill(x, rng, 0.02f); x[rng.Next(length)] = 1e4f; break;
            case "outlier-neg": Fill(x, rng, 0.02f); x[rng.Next(length)] = -1e4f; break;
            case "constant-pos": Array.Fill(x, 0.5f); break;
            case "constant-neg": Array.Fill(x, -0.25f); break;
            case "negative-only": Fill(x, rng, 1f); for (int i = 0; i < length; i++) x[i] = -MathF.Abs(x[i]); break;
            case "positive-only": Fill(x, rng, 1f); for (int i = 0; i < length; i++) x[i] = MathF.Abs(x[i]) + 0.5f; break;
            case "sparse": for (int i = 0; i < length; i++) x[i] = rng.Next(10) == 0 ? (float)(rng.NextDouble() * 2 - 1) : 0f; break;
            case "ties": for (int i = 0; i < length; i++) x[i] = (rng.Next(64) - 32) * 0.5f; break; // exact halves: round-half-even paths
            case "uniform-int": for (int i = 0; i < length; i++) x[i] = rng.Next(-8, 8); break;
            case "llama-cos":
                // tests/test-quantize-fns.cpp generate_data: 0.1 + 2*cosf(i + offset), offset = seed
                for (int i = 0; i < length; i++) x[i] = (float)(0.1 + 2 * MathF.Cos(i + (float)seed));
                break;
            case "wild":
                // Random sign, magnitude 10^U(−38, 38): sums overflow to Inf, scales go NaN — hostile but finite input.
                for (int i = 0; i < length; i++) x[i] = (float)((rng.Next(2) * 2 - 1) * Math.Pow(10, rng.NextDouble() * 76 - 38));
                break;
            case "subnormal": for (int i = 0; i < length; i++) x[i] = (float)((rng.NextDouble() * 2 - 1) * 1e-39); break; // FP32 subnormals
            default: throw new ArgumentOutOfRangeException(nameof(kind), kind, null);
        }

        return x;
    }

    private static void Fill(float[] x, Random rng, float sigma)
    {
        for (int i = 0; i < x.Length; i++)
        {
            // Box–Muller; 1 − NextDouble() avoids log(0).
            double u1 = 1.0 - rng.NextDouble(), u2 = rng.NextDouble();
            x[i] = (float)(sigma * Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2));
        }
    }
}
