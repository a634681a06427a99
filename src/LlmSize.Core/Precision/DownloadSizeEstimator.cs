using System.Globalization;
using LlmSize.Core.Models.Architectures;

namespace LlmSize.Core.Precision;

/// <summary>
/// How a model's parameters split into what a quantization scheme quantizes and what it leaves alone, for
/// <see cref="DownloadSizeEstimator"/>. Without one, every parameter is treated as a quantized weight.
/// </summary>
public sealed record WeightBreakdown
{
    /// <summary>Total parameters.</summary>
    public required long TotalParameters { get; init; }

    /// <summary>Token-embedding parameters (vocab × hidden), quantized only by schemes whose
    /// <see cref="QuantizationScheme.QuantizesEmbeddings"/> is true.</summary>
    public long EmbeddingParameters { get; init; }

    /// <summary>Parameters of 1-D tensors (norm weights, biases) that every scheme keeps unquantized.</summary>
    public long VectorParameters { get; init; }

    /// <summary>Row lengths (innermost dimension, elements) of the weight matrices; a block-quantized type needs each to
    /// be a multiple of its block size. Empty when unknown.</summary>
    public IReadOnlyList<long> MatrixRowLengths { get; init; } = [];

    /// <summary>Where the split came from ("estimated from ModelArchitecture …").</summary>
    public string? Note { get; init; }

    /// <summary>
    /// Estimates the split from transformer hyper-parameters: embedding = vocab × hidden; vectors = (2 × layers + 1) ×
    /// hidden (a pre-attention and a pre-MLP norm per block plus the final norm: the LLaMA / Mistral / Qwen layout);
    /// row lengths hidden (q/k/v/gate/up and embeddings), heads × head_dim (attention output) and the MLP width (down).
    /// </summary>
    /// <param name="architecture">The hyper-parameters.</param>
    /// <param name="totalParameters">The total parameter count (from a file, a count, or the catalog).</param>
    /// <returns>The split. Families with more norms per block (Gemma 2: four) or biases (Qwen2 q/k/v) have a few more
    /// vector parameters than estimated: under 0.1 % of the total for the catalog's models.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="architecture"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="totalParameters"/> is negative, or smaller than the
    /// embedding and norm parameters the architecture implies.</exception>
    public static WeightBreakdown FromArchitecture(ModelArchitecture architecture, long totalParameters)
    {
        ArgumentNullException.ThrowIfNull(architecture);
        ArgumentOutOfRangeException.ThrowIfNegative(totalParameters);
        long embedding = checked(architecture.VocabSize * architecture.HiddenSize);
        long vectors = checked((2L * architecture.LayerCount + 1) * architecture.HiddenSize);
        if (checked(embedding + vectors) > totalParameters)
        {
            throw new ArgumentOutOfRangeException(nameof(totalParameters), totalParameters,
                $"The architecture implies {embedding:N0} embedding and {vectors:N0} norm parameters, more than the total.");
        }

        long mlp = architecture.ExpertIntermediateSize ?? architecture.IntermediateSize;
        return new WeightBreakdown
        {
            TotalParameters = totalParameters,
            EmbeddingParameters = embedding,
            VectorParameters = vectors,
            MatrixRowLengths = new[] { architecture.HiddenSize, architecture.QueryWidth, mlp }.Where(r => r > 0).Distinct().ToArray(),
            Note = "split estimated from the architecture: embedding = vocab × hidden, norms = (2 × layers + 1) × hidden",
        };
    }
}

/// <summary>A download-size estimate for one scheme (see <see cref="DownloadSizeEstimator"/>).</summary>
/// <param name="Scheme">The scheme.</param>
/// <param name="TotalParameters">Parameters of the model.</param>
/// <param name="QuantizedParameters">Parameters stored in the scheme's blocks.</param>
/// <param name="UnquantizedParameters">Parameters stored at <see cref="QuantizationScheme.UnquantizedBytesPerParameter"/>.</param>
/// <param name="PaddingElements">Elements added to fill the last block when the quantized count is not a whole number of blocks.</param>
/// <param name="Bytes">Estimated weight bytes (the download, less file headers and tokenizer).</param>
/// <param name="Notes">Readable notes: padding, row lengths not divisible by the block, what was left unquantized.</param>
public sealed record DownloadSizeEstimate(
    QuantizationScheme Scheme, long TotalParameters, long QuantizedParameters, long UnquantizedParameters,
    long PaddingElements, long Bytes, IReadOnlyList<string> Notes)
{
    /// <summary>Bytes in GB (decimal, 10^9 bytes).</summary>
    public double Gigabytes => Bytes / 1e9;

    /// <summary>Bytes in GiB (binary, 2^30 bytes).</summary>
    public double Gibibytes => Bytes / (double)(1L << 30);

    /// <summary>Effective bits per parameter over the whole model: Bytes × 8 / TotalParameters (0 for 0 parameters).</summary>
    public double EffectiveBitsPerWeight => TotalParameters == 0 ? 0 : Bytes * 8.0 / TotalParameters;

    /// <summary>"4,073,474,304 bytes = 4.07 GB (10^9) = 3.79 GiB (2^30)".</summary>
    public string FormatSize() =>
        string.Create(CultureInfo.InvariantCulture, $"{Bytes:N0} bytes = {Gigabytes:0.00} GB (10^9) = {Gibibytes:0.00} GiB (2^30)");
}

/// <summary>
/// Download size of a model's weights from its parameter count alone, for any <see cref="QuantizationScheme"/>:
/// every weight is stored in whole blocks of the scheme (Q4_0: 32 weights in 18 bytes), so
/// <c>bytes = ⌈quantized / BlockSize⌉ × BlockBytes + unquantized × UnquantizedBytesPerParameter</c>.
/// </summary>
/// <remarks>
/// This is the single-type table: a llama.cpp file type such as Q4_K_M mixes types per tensor (attention V and FFN
/// down at Q6_K on some layers, output at Q6_K) and is larger than a pure Q4_K file; it is not modelled here. File
/// headers, the tokenizer and alignment padding are not counted (a few MB at most).
/// </remarks>
public static class DownloadSizeEstimator
{
    /// <summary>Estimates the bytes of <paramref name="parameters"/> weights all stored in <paramref name="scheme"/>.</summary>
    /// <param name="parameters">Parameter count, ≥ 0.</param>
    /// <param name="scheme">The storage scheme.</param>
    /// <returns>The estimate; when the count is not a whole number of blocks it is rounded up to whole blocks and a
    /// note says so.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="parameters"/> is negative.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="scheme"/> is null.</exception>
    /// <exception cref="OverflowException">The byte count does not fit in 64 bits.</exception>
    public static DownloadSizeEstimate Estimate(long parameters, QuantizationScheme scheme)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(parameters);
        return Estimate(new WeightBreakdown { TotalParameters = parameters }, scheme);
    }

    /// <summary>Estimates the bytes of a model split into quantized and unquantized parts.</summary>
    /// <param name="weights">The split (<see cref="WeightBreakdown.FromArchitecture"/>).</param>
    /// <param name="scheme">The storage scheme.</param>
    /// <returns>The estimate with notes.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A count in <paramref name="weights"/> is negative, or the parts exceed the total.</exception>
    /// <exception cref="OverflowException">The byte count does not fit in 64 bits.</exception>
    public static DownloadSizeEstimate Estimate(WeightBreakdown weights, QuantizationScheme scheme)
    {
        ArgumentNullException.ThrowIfNull(weights);
        ArgumentNullException.ThrowIfNull(scheme);
        ArgumentOutOfRangeException.ThrowIfNegative(weights.TotalParameters, nameof(weights));
        ArgumentOutOfRangeException.ThrowIfNegative(weights.EmbeddingParameters, nameof(weights));
        ArgumentOutOfRangeException.ThrowIfNegative(weights.VectorParameters, nameof(weights));

        long unquantized = weights.VectorParameters + (scheme.QuantizesEmbeddings ? 0 : weights.EmbeddingParameters);
        if (checked(weights.VectorParameters + weights.EmbeddingParameters) > weights.TotalParameters)
        {
            throw new ArgumentOutOfRangeException(nameof(weights), "Embedding and vector parameters exceed the total.");
        }

        long quantized = weights.TotalParameters - unquantized;
        var notes = new List<string>();
        long blocks = quantized / scheme.BlockSize;
        long padding = 0;
        if (quantized % scheme.BlockSize != 0)
        {
            blocks++;
            padding = blocks * scheme.BlockSize - quantized;
            notes.Add(string.Create(CultureInfo.InvariantCulture,
                $"{quantized:N0} weights is not a whole number of {scheme.Name} blocks of {scheme.BlockSize}: rounded up to {blocks:N0} blocks (+{padding:N0} padding elements)."));
        }

        foreach (long row in weights.MatrixRowLengths)
        {
            if (row % scheme.BlockSize != 0)
            {
                notes.Add(string.Create(CultureInfo.InvariantCulture,
                    $"row length {row:N0} is not a multiple of the {scheme.Name} block ({scheme.BlockSize}): such tensors cannot be stored as {scheme.Name} row by row; converters (llama.cpp) fall back to another type for them."));
            }
        }

        if (weights.VectorParameters > 0)
        {
            notes.Add(string.Create(CultureInfo.InvariantCulture,
                $"{weights.VectorParameters:N0} norm/bias parameters kept unquantized at {scheme.UnquantizedBytesPerParameter} bytes each."));
        }

        if (!scheme.QuantizesEmbeddings && weights.EmbeddingParameters > 0)
        {
            notes.Add(string.Create(CultureInfo.InvariantCulture,
                $"{weights.EmbeddingParameters:N0} embedding parameters kept unquantized at {scheme.UnquantizedBytesPerParameter} bytes each ({scheme.Name} quantizes MatMul weights only)."));
        }

        if (weights.Note is not null) notes.Add(weights.Note);

        long bytes = checked(blocks * scheme.BlockBytes + unquantized * scheme.UnquantizedBytesPerParameter);
        return new DownloadSizeEstimate(scheme, weights.TotalParameters, quantized, unquantized, padding, bytes, notes);
    }

    /// <summary>The estimate for every scheme in <see cref="QuantizationScheme.All"/>, in that order.</summary>
    /// <param name="parameters">Parameter count, ≥ 0.</param>
    /// <param name="architecture">Optional hyper-parameters: when given, norms (and, for schemes that do not quantize
    /// them, embeddings) are kept unquantized and row lengths are checked against block sizes.</param>
    /// <returns>One estimate per scheme.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="parameters"/> is negative or too small for the architecture.</exception>
    public static IReadOnlyList<DownloadSizeEstimate> EstimateAll(long parameters, ModelArchitecture? architecture = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(parameters);
        var weights = architecture is null
            ? new WeightBreakdown { TotalParameters = parameters }
            : WeightBreakdown.FromArchitecture(architecture, parameters);
        return QuantizationScheme.All.Select(s => Estimate(weights, s)).ToArray();
    }
}
