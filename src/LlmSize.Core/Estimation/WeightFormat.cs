using LlmSize.Core.Models;
using LlmSize.Core.Models.Architectures;
using LlmSize.Core.Precision;

namespace LlmSize.Core.Estimation;

/// <summary>Bytes a model's weights take in one storage format.</summary>
/// <param name="TotalBytes">All weights, every expert included (what must be resident).</param>
/// <param name="ActiveBytesPerToken">Weights read for one decoded token: top-k experts only, the embedding as one
/// row unless it doubles as the output head.</param>
/// <param name="LargestTensorBytes">The largest single tensor (must fit one GPU buffer / ArrayBuffer).</param>
/// <param name="LargestTensorName">Its name.</param>
/// <param name="PerLayerBytes">Bytes of one transformer block (average), for offloading by layers.</param>
/// <param name="BitsPerWeight">Average storage bits per parameter.</param>
public sealed record WeightBytes(long TotalBytes, long ActiveBytesPerToken, long LargestTensorBytes, string LargestTensorName,
    long PerLayerBytes, double BitsPerWeight);

/// <summary>
/// A runtime's storage format for weights ("Q4_K_M", "q4f16_1", "q4", "int4"): how many bytes each kind of weight
/// takes, what the KV cache is stored in, and what GPU features it needs.
/// </summary>
public abstract record WeightFormat
{
    /// <summary>Name as the runtime spells it ("Q4_K_M", "q4f16_1", "fp16").</summary>
    public required string Name { get; init; }

    /// <summary>One line saying what the format stores.</summary>
    public required string Description { get; init; }

    /// <summary>KV-cache element type the runtime uses with this format by default.</summary>
    public TensorDataType KvCacheType { get; init; } = TensorDataType.F16;

    /// <summary>Whether the format needs WebGPU's <c>shader-f16</c> feature (f16 arithmetic in shaders).</summary>
    public bool RequiresShaderF16 { get; init; }

    /// <summary>Where the bits-per-weight figures come from.</summary>
    public required string Source { get; init; }

    /// <summary>Computes the weight bytes of <paramref name="architecture"/> in this format.</summary>
    /// <param name="architecture">Hyper-parameters.</param>
    /// <param name="weights">Its weights (<see cref="ParameterCalculator.EnumerateWeights"/>).</param>
    /// <returns>Byte totals.</returns>
    public abstract WeightBytes ComputeBytes(ModelArchitecture architecture, IReadOnlyList<ArchitectureWeight> weights);

    /// <inheritdoc />
    public override string ToString() => Name;

    /// <summary>True for a weight that is a matrix (2-D or more), the kind quantization targets.</summary>
    internal static bool IsMatrix(ArchitectureWeight w) => w.Shape.Count >= 2;

    /// <summary>True for the token embedding (a row lookup per token).</summary>
    internal static bool IsTokenEmbedding(ArchitectureWeight w) => w.Name is "token_embd.weight";

    internal static WeightBytes Summarize(ModelArchitecture a, IReadOnlyList<ArchitectureWeight> weights, Func<ArchitectureWeight, double> bytesPerCopy,
        Func<ArchitectureWeight, double>? largestBufferPerCopy = null)
    {
        double total = 0, active = 0, largest = 0, layered = 0;
        long parameters = 0;
        string largestName = string.Empty;
        foreach (var w in weights)
        {
            double one = bytesPerCopy(w);
            total += one * w.Repeat;
            parameters += w.Elements;
            if (IsTokenEmbedding(w))
            {
                // One row per token; the whole matrix when it is also the output head.
                active += a.TieWordEmbeddings ? one : one / Math.Max(1, w.Shape[0]);
            }
            else
            {
                active += one * w.ActiveRepeat;
            }

            if (w.Name.Contains("{layer}", StringComparison.Ordinal)) layered += one * w.Repeat;
            double buffer = largestBufferPerCopy?.Invoke(w) ?? one;
            if (buffer > largest)
            {
                largest = buffer;
                largestName = w.Name;
            }
        }

        int layers = Math.Max(1, a.LayerCount + a.EncoderLayerCount);
        return new WeightBytes((long)Math.Ceiling(total), (long)Math.Ceiling(active), (long)Math.Ceiling(largest), largestName,
            (long)Math.Ceiling(layered / layers), parameters == 0 ? 0 : total * 8 / parameters);
    }
}

/// <summary>
/// Uniform formats of GPU/browser runtimes: matrices stored at <see cref="MatrixBits"/> bits per weight (scales
/// included), the token embedding at <see cref="EmbeddingBits"/>, vectors (norms, biases) at <see cref="VectorBits"/>.
/// Optional <see cref="AttentionBits"/> for formats that keep attention at higher precision (MediaPipe int4).
/// </summary>
public sealed record UniformWeightFormat : WeightFormat
{
    /// <summary>Bits per weight of linear-layer matrices, block scales/zero points included.</summary>
    public required double MatrixBits { get; init; }

    /// <summary>Bits per weight of the token embedding (and a tied or untied output head).</summary>
    public required double EmbeddingBits { get; init; }

    /// <summary>Bits per weight of vectors (norm weights, biases).</summary>
    public double VectorBits { get; init; } = 16;

    /// <summary>Bits per weight of attention matrices when they differ from <see cref="MatrixBits"/>.</summary>
    public double? AttentionBits { get; init; }

    /// <summary>Of <see cref="MatrixBits"/> and <see cref="EmbeddingBits"/>, the bits per weight that are scales and zero
    /// points stored in a separate buffer (MLC stores <c>q_weight</c> and <c>q_scale</c> apart; MatMulNBits keeps
    /// <c>B</c>, <c>scales</c>, <c>zero_points</c> apart), so the largest single GPU buffer is only the packed weights.</summary>
    public double SeparateScaleBits { get; init; }

    /// <inheritdoc />
    public override WeightBytes ComputeBytes(ModelArchitecture architecture, IReadOnlyList<ArchitectureWeight> weights) =>
        Summarize(architecture, weights, w => w.ElementsPerCopy * Bits(w) / 8,
            w => w.ElementsPerCopy * (Bits(w) - (IsMatrix(w) && Bits(w) < 16 ? SeparateScaleBits : 0)) / 8);

    private double Bits(ArchitectureWeight w) =>
        !IsMatrix(w) ? VectorBits
        : w.Component is ModelComponent.Embedding or ModelComponent.OutputHead ? EmbeddingBits
        : w.Component == ModelComponent.Attention && AttentionBits is { } ab ? ab
        : MatrixBits;
}

/// <summary>
/// A llama.cpp GGUF file type: each tensor gets the type <see cref="LlamaCppTensorTypePolicy"/> chooses, so Q4_K_M is
/// the real mixture (Q6_K output head and some attn_v/ffn_down, Q4_K elsewhere), not a flat 4.5 bits.
/// </summary>
public sealed record GgufWeightFormat : WeightFormat
{
    /// <summary>The llama.cpp file type.</summary>
    public required LlamaFileType FileType { get; init; }

    /// <summary>Type of tensors llama.cpp does not quantize (norms, biases): F32 in files converted by convert_hf_to_gguf.</summary>
    public TensorDataType UnquantizedVectorType { get; init; } = TensorDataType.F32;

    /// <inheritdoc />
    public override WeightBytes ComputeBytes(ModelArchitecture architecture, IReadOnlyList<ArchitectureWeight> weights)
    {
        var types = AssignTypes(architecture, weights);
        return Summarize(architecture, weights, w => types[w]);
    }

    /// <summary>Bytes of the GGUF tensors whose llama.cpp names (<c>blk.3.ffn_up_exps.weight</c>) <paramref name="match"/>
    /// accepts, each in the type llama-quantize gives it: what <c>--override-tensor PATTERN=CPU</c> keeps in system RAM.</summary>
    /// <param name="architecture">The model.</param>
    /// <param name="weights">Its weights (<see cref="ParameterCalculator.EnumerateWeights"/>).</param>
    /// <param name="match">Tensor name → true when the tensor is selected.</param>
    /// <returns>Bytes (0 when nothing matches).</returns>
    public long BytesOfTensors(ModelArchitecture architecture, IReadOnlyList<ArchitectureWeight> weights, Func<string, bool> match)
    {
        ArgumentNullException.ThrowIfNull(architecture);
        ArgumentNullException.ThrowIfNull(weights);
        ArgumentNullException.ThrowIfNull(match);
        double total = 0;
        foreach (var (_, name, bytes) in TensorBytes(architecture, weights))
        {
            if (match(name)) total += bytes;
        }

        return (long)Math.Round(total);
    }

    /// <summary>Average bytes per copy of each weight after llama.cpp's per-layer choices.</summary>
    private Dictionary<ArchitectureWeight, double> AssignTypes(ModelArchitecture a, IReadOnlyList<ArchitectureWeight> weights)
    {
        var sums = new Dictionary<ArchitectureWeight, double>();
        foreach (var (w, _, bytes) in TensorBytes(a, weights)) sums[w] = sums.GetValueOrDefault(w) + bytes;
        return sums.ToDictionary(kv => kv.Key, kv => kv.Value / Math.Max(1, kv.Key.Repeat));
    }

    /// <summary>Every tensor a GGUF file of this type would hold, with its llama.cpp name and bytes (all copies).</summary>
    private List<(ArchitectureWeight W, string Name, double Bytes)> TensorBytes(ModelArchitecture a, IReadOnlyList<ArchitectureWeight> weights)
    {
        // Expand to the tensors a GGUF file would hold, in llama.cpp's order (per layer), so the stateful
        // policy sees layer indices as llama-quantize does. Experts become one 3-D tensor per layer, as in GGUF.
        var ggufTensors = new List<(ArchitectureWeight W, string Name, long[] Ne, long Copies)>();
        int layers = Math.Max(1, a.LayerCount);
        var perLayer = weights.Where(w => w.Name.Contains("{layer}", StringComparison.Ordinal) && w.Repeat % layers == 0).ToList();
        foreach (var w in weights.Except(perLayer).Where(w => !w.Name.Contains("{layer}", StringComparison.Ordinal)))
        {
            ggufTensors.Add((w, w.Name, ReverseShape(w.Shape, 1), w.Repeat));
        }

        for (int layer = 0; layer < layers; layer++)
        {
            foreach (var w in perLayer)
            {
                long perLayerCopies = w.Repeat / layers;
                string name = GgufName(w.Name, layer);
                bool expert = w.Name.Contains("{expert}", StringComparison.Ordinal);
                ggufTensors.Add((w, name, ReverseShape(w.Shape, expert ? perLayerCopies : 1), expert ? 1 : perLayerCopies));
            }
        }

        // Weights not repeated per layer but with {layer} in the name and an odd repeat (rare): treat as plain copies.
        foreach (var w in weights.Where(w => w.Name.Contains("{layer}", StringComparison.Ordinal) && !perLayer.Contains(w)))
        {
            ggufTensors.Add((w, GgufName(w.Name, 0), ReverseShape(w.Shape, 1), w.Repeat));
        }

        var policy = new LlamaCppTensorTypePolicy(a.Family, FileType, ggufTensors.Select(t => t.Name),
            a.AttentionHeadCount, a.KeyValueHeadCount, a.ExpertCount, is70B: a.Family == "llama" && a.LayerCount == 80);
        var result = new List<(ArchitectureWeight, string, double)>(ggufTensors.Count);
        foreach (var (w, name, ne, copies) in ggufTensors)
        {
            // convert_hf_to_gguf stores 1-D tensors and the MoE router (ffn_gate_inp) in F32; llama-quantize keeps them.
            bool keptF32 = w.Shape.Count < 2 || name.Contains("ffn_gate_inp", StringComparison.Ordinal);
            var type = policy.Choose(name, ne, keptF32 ? UnquantizedVectorType : TensorDataType.F16);
            long elements = 1;
            foreach (long d in ne) elements *= d;
            result.Add((w, name, elements * (double)type.BlockBytes / type.BlockSize * copies));
        }

        return result;
    }

    private static long[] ReverseShape(IReadOnlyList<long> shape, long experts)
    {
        var ne = new long[shape.Count + (experts > 1 ? 1 : 0)];
        for (int i = 0; i < shape.Count; i++) ne[i] = shape[shape.Count - 1 - i];
        if (experts > 1) ne[^1] = experts;
        return ne;
    }

    private static string GgufName(string generic, int layer)
    {
        string n = generic.Replace("{layer}", layer.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);
        // "blk.3.ffn_exps.{expert}_down.weight" → "blk.3.ffn_down_exps.weight" (llama.cpp's merged expert tensors).
        foreach (string kind in new[] { "exps", "shexp" })
        {
            string marker = $"ffn_{kind}.{{expert}}_";
            int at = n.IndexOf(marker, StringComparison.Ordinal);
            if (at >= 0)
            {
                string rest = n[(at + marker.Length)..];
                int dot = rest.IndexOf('.');
                n = n[..at] + "ffn_" + rest[..dot] + "_" + kind + rest[dot..];
            }
        }

        return n;
    }
}
