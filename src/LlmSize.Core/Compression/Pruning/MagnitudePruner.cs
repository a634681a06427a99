using LlmSize.Core.Sources;
using System.Collections.Immutable;
using LlmSize.Core.Formats.Safetensors;
using LlmSize.Core.Models;
using LlmSize.Core.Precision;

namespace LlmSize.Core.Compression.Pruning;

/// <summary>How weights are chosen for removal.</summary>
public enum PruningMethod
{
    /// <summary>Unstructured magnitude pruning: the floor(s × n) smallest |w| of each tensor become zero.</summary>
    Unstructured,
    /// <summary>N:M semi-structured: in every group of M consecutive weights along the last (input) dimension, the N largest |w| are kept.</summary>
    SemiStructured,
}

/// <summary>Options of <see cref="MagnitudePruner"/>.</summary>
public sealed record PruningOptions
{
    /// <summary>Method. Default <see cref="PruningMethod.Unstructured"/>.</summary>
    public PruningMethod Method { get; init; } = PruningMethod.Unstructured;

    /// <summary>Target sparsity s in [0, 1) for <see cref="PruningMethod.Unstructured"/> (fraction of each tensor's elements zeroed). Default 0.5.</summary>
    public double Sparsity { get; init; } = 0.5;

    /// <summary>N of N:M: weights kept per group. Default 2.</summary>
    public int KeepPerGroup { get; init; } = 2;

    /// <summary>M of N:M: group size along the input dimension. Default 4 (NVIDIA 2:4 sparsity).</summary>
    public int GroupSize { get; init; } = 4;

    /// <summary>Also prune embeddings and the output head (kept dense by default, as SparseGPT and Wanda do).</summary>
    public bool IncludeEmbeddings { get; init; }

    /// <summary>Largest tensor (elements) processed in memory. Default 2^30 (4 GiB of F32 working memory per tensor).</summary>
    public long MaxTensorElements { get; init; } = 1L << 30;

    /// <summary>Checks the values.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Sparsity outside [0, 1), N or M out of range.</exception>
    public void Validate()
    {
        if (Method == PruningMethod.Unstructured && !(Sparsity >= 0 && Sparsity < 1))
            throw new ArgumentOutOfRangeException(nameof(Sparsity), Sparsity, "Sparsity must be in [0, 1).");
        if (Method == PruningMethod.SemiStructured && (GroupSize < 2 || GroupSize > 64 || KeepPerGroup < 1 || KeepPerGroup >= GroupSize))
            throw new ArgumentOutOfRangeException(nameof(KeepPerGroup), $"{KeepPerGroup}:{GroupSize}", "N:M needs 1 ≤ N < M ≤ 64.");
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxTensorElements, 1);
    }

    /// <summary>Parses "2:4" into N and M.</summary>
    /// <param name="pattern">Pattern text.</param>
    /// <returns>Options for that pattern.</returns>
    /// <exception cref="FormatException">Not "N:M" with integers.</exception>
    /// <exception cref="ArgumentOutOfRangeException">N and M outside 1 ≤ N &lt; M ≤ 64.</exception>
    public static PruningOptions ForPattern(string pattern)
    {
        ArgumentNullException.ThrowIfNull(pattern);
        if (TryForPattern(pattern, out var options, out string? error)) return options;
        string[] parts = pattern.Split(':');
        bool numbers = parts.Length == 2 && int.TryParse(parts[0], out _) && int.TryParse(parts[1], out _);
        throw numbers
            ? new ArgumentOutOfRangeException(nameof(pattern), pattern, error)
            : new FormatException($"Pattern '{pattern}' is not N:M (e.g. 2:4).");
    }

    /// <summary>Parses an N:M pattern without throwing: N and M whole numbers with 1 ≤ N &lt; M ≤ 64.</summary>
    /// <param name="pattern">"2:4" keeps 2 of every 4.</param>
    /// <param name="options">The options when valid.</param>
    /// <param name="error">Why it is not valid, else null.</param>
    /// <returns>True when valid.</returns>
    public static bool TryForPattern(string? pattern, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out PruningOptions? options,
        [System.Diagnostics.CodeAnalysis.NotNullWhen(false)] out string? error)
    {
        options = null;
        string[] parts = (pattern ?? string.Empty).Split(':');
        if (parts.Length != 2 || !int.TryParse(parts[0], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int n)
            || !int.TryParse(parts[1], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int m))
        {
            error = "it is not N:M with whole numbers, e.g. 2:4";
            return false;
        }

        if (n < 1 || n >= m || m > 64)
        {
            error = "N:M needs 1 ≤ N < M ≤ 64 (keep N of every M, e.g. 2:4)";
            return false;
        }

        options = new PruningOptions { Method = PruningMethod.SemiStructured, KeepPerGroup = n, GroupSize = m };
        error = null;
        return true;
    }
}

/// <summary>What a tensor would weigh in sparse formats, in bytes.</summary>
/// <param name="DenseBytes">Dense storage (unchanged by pruning): n × dtype size.</param>
/// <param name="BitmaskBytes">Bitmask: ceil(n / 8) + nnz × dtype size.</param>
/// <param name="CsrBytes">CSR over rows = first dimension: nnz × (dtype + 4-byte column index) + (rows + 1) × 8-byte row pointers.</param>
/// <param name="SemiStructuredBytes">N:M compressed (kept values + ceil(log2 M)-bit index per kept value, e.g. 2:4 fp16:
/// n/2 × 2 + n/8 bytes = 9/16 of dense: the compressed matrix holds the nnz values and the metadata one index per kept
/// value, as in the hipSPARSELt / cuSPARSELt structured-sparsity storage format,
/// https://rocm.docs.amd.com/projects/hipSPARSELt/en/latest/conceptual/storage-format.html); null unless N:M was applied.</param>
public sealed record SparseStorageEstimate(long DenseBytes, long BitmaskBytes, long CsrBytes, long? SemiStructuredBytes)
{
    /// <summary>Computes the estimates.</summary>
    /// <param name="elements">n.</param>
    /// <param name="nonZeros">nnz.</param>
    /// <param name="rows">Rows (first dimension; 1 for vectors).</param>
    /// <param name="elementBytes">Bytes per element of the dtype.</param>
    /// <param name="keep">N of N:M when applied.</param>
    /// <param name="group">M of N:M when applied.</param>
    /// <returns>The estimate.</returns>
    public static SparseStorageEstimate Compute(long elements, long nonZeros, long rows, int elementBytes, int? keep = null, int? group = null)
    {
        long dense = checked(elements * elementBytes);
        long bitmask = checked((elements + 7) / 8 + nonZeros * elementBytes);
        long csr = checked(nonZeros * (elementBytes + 4) + (rows + 1) * 8);
        long? semi = null;
        if (keep is { } n && group is { } m)
        {
            long kept = elements / m * n;
            int indexBits = (int)Math.Ceiling(Math.Log2(m));
            semi = checked(kept * elementBytes + (kept * indexBits + 7) / 8);
        }

        return new SparseStorageEstimate(dense, bitmask, csr, semi);
    }
}

/// <summary>Pruning result of one tensor.</summary>
/// <param name="Name">Tensor name.</param>
/// <param name="Shape">Shape, outermost first.</param>
/// <param name="DataType">dtype (unchanged).</param>
/// <param name="Elements">n.</param>
/// <param name="Pruned">Whether the tensor was eligible and pruned.</param>
/// <param name="SkipReason">Why not, when <paramref name="Pruned"/> is false.</param>
/// <param name="ZerosBefore">Exact zeros before pruning.</param>
/// <param name="ZerosAfter">Exact zeros after pruning (= nnz complement).</param>
/// <param name="InfiniteValues">±Inf values found (kept: they are the largest magnitudes).</param>
/// <param name="Storage">Dense and sparse storage of the result.</param>
public sealed record PrunedTensor(string Name, ImmutableArray<long> Shape, TensorDataType DataType, long Elements, bool Pruned, string? SkipReason,
    long ZerosBefore, long ZerosAfter, long InfiniteValues, SparseStorageEstimate Storage)
{
    /// <summary>Achieved sparsity: zeros after / n.</summary>
    public double Sparsity => Elements == 0 ? 0 : (double)ZerosAfter / Elements;
}

/// <summary>The outcome of pruning a file.</summary>
/// <param name="Input">Input path.</param>
/// <param name="Output">Output path (null for an analysis without writing).</param>
/// <param name="Options">Options used.</param>
/// <param name="Tensors">Every tensor, in file order.</param>
/// <param name="OutputBytes">Bytes of the written file (dense: about the input's size).</param>
public sealed record PruningReport(string Input, string? Output, PruningOptions Options, ImmutableArray<PrunedTensor> Tensors, long OutputBytes)
{
    /// <summary>Elements of all tensors.</summary>
    public long TotalElements => Tensors.Sum(t => t.Elements);

    /// <summary>Elements of pruned tensors.</summary>
    public long PrunedTensorElements => Tensors.Where(t => t.Pruned).Sum(t => t.Elements);

    /// <summary>Zeros in all tensors after pruning.</summary>
    public long TotalZeros => Tensors.Sum(t => t.ZerosAfter);

    /// <summary>Achieved sparsity over all parameters (pruned and kept tensors).</summary>
    public double OverallSparsity => TotalElements == 0 ? 0 : (double)TotalZeros / TotalElements;

    /// <summary>Achieved sparsity over the pruned tensors only.</summary>
    public double PrunedTensorSparsity => PrunedTensorElements == 0 ? 0 : (double)Tensors.Where(t => t.Pruned).Sum(t => t.ZerosAfter) / PrunedTensorElements;

    /// <summary>Dense bytes of all tensors (what the written file holds, header aside): pruning does not shrink it.</summary>
    public long DenseBytes => Tensors.Sum(t => t.Storage.DenseBytes);

    /// <summary>Bytes if pruned tensors were stored as bitmask + values (others dense).</summary>
    public long BitmaskBytes => Tensors.Sum(t => t.Pruned ? t.Storage.BitmaskBytes : t.Storage.DenseBytes);

    /// <summary>Bytes if pruned tensors were stored as CSR (others dense).</summary>
    public long CsrBytes => Tensors.Sum(t => t.Pruned ? t.Storage.CsrBytes : t.Storage.DenseBytes);

    /// <summary>Bytes if pruned tensors were stored N:M compressed (others dense); null for unstructured pruning.</summary>
    public long? SemiStructuredBytes => Options.Method == PruningMethod.SemiStructured
        ? Tensors.Sum(t => t.Pruned ? t.Storage.SemiStructuredBytes ?? t.Storage.DenseBytes : t.Storage.DenseBytes)
        : null;
}

/// <summary>
/// Magnitude pruning of a safetensors or GGUF (F32/F16/BF16 tensors) file, written as safetensors: per tensor, only
/// matrices (2-D or more), embeddings and the output head kept dense unless asked. Unstructured: exactly floor(s × n)
/// elements with the smallest |w| are zeroed (ties broken by position, earlier first). N:M: in each group of M
/// consecutive elements along the last dimension (the input dimension of an <c>nn.Linear</c> [out, in] weight; GPT-2
/// Conv1D stores [in, out], so there the groups run along outputs) the N largest |w| are kept (ties: earlier kept).
/// </summary>
/// <remarks>
/// Magnitude pruning: Han et al. 2015, "Learning both Weights and Connections"; N:M: Mishra et al. 2021, "Accelerating
/// Sparse Deep Neural Networks" (NVIDIA Ampere 2:4). Zeros in a dense file weigh as much as any other value: only a
/// sparse format or sparse kernels turn them into savings, which <see cref="SparseStorageEstimate"/> quantifies.
/// </remarks>
public static class MagnitudePruner
{
    /// <summary>Prunes <paramref name="inputPath"/> into a new safetensors file <paramref name="outputPath"/> (atomic; the input is never overwritten).</summary>
    /// <param name="inputPath">safetensors or GGUF file.</param>
    /// <param name="outputPath">Output safetensors path (must differ from the input).</param>
    /// <param name="options">Options; null = 50% unstructured.</param>
    /// <param name="overwrite">Replace an existing output.</param>
    /// <param name="cancellationToken">Cancels between tensors (the partial output is removed).</param>
    /// <returns>The report.</returns>
    /// <exception cref="ArgumentException">Output equals input; bad options.</exception>
    /// <exception cref="ModelFormatException">A weight is NaN (<see cref="ModelFormatError.InvalidValue"/>), or a malformed input.</exception>
    /// <exception cref="NotSupportedException">A tensor of another dtype than F32/F16/BF16 (quantized GGUF), or larger than the cap.</exception>
    /// <exception cref="IOException">Writing failed (e.g. disk full); no output is left behind.</exception>
    public static PruningReport Prune(string inputPath, string outputPath, PruningOptions? options = null, bool overwrite = false,
        CancellationToken cancellationToken = default) =>
        PruneCore(inputPath, outputPath, options, overwrite, null, cancellationToken);

    internal static PruningReport PruneCore(string inputPath, string outputPath, PruningOptions? options, bool overwrite,
        Func<Stream, Stream>? wrap, CancellationToken cancellationToken)
    {
        options ??= new PruningOptions();
        options.Validate();
        var file = TensorFile.Open(inputPath);
        SafetensorsWriter.CheckOutputPath(outputPath, overwrite, [file.FilePath]);
        foreach (var t in file.Tensors)
        {
            if (!FloatTensorCodec.IsSupported(t.DataType))
                throw new NotSupportedException($"Tensor '{t.Name}' is {t.DataType}; pruning reads F32, F16 and BF16 tensors only (dequantize first).");
            if (t.ElementCount > options.MaxTensorElements)
                throw new NotSupportedException($"Tensor '{t.Name}' has {t.ElementCount} elements, above the cap of {options.MaxTensorElements}.");
        }

        var specs = file.Tensors.Select(t => new SafetensorsTensorSpec(t.Name, t.DataType, t.Shape)).ToList();
        var results = new PrunedTensor[specs.Count];
        var metadata = new Dictionary<string, string>(file.Metadata)
        {
            ["llmsize.pruning"] = options.Method == PruningMethod.Unstructured
                ? $"magnitude, unstructured, sparsity {options.Sparsity.ToString(System.Globalization.CultureInfo.InvariantCulture)}"
                : $"magnitude, {options.KeepPerGroup}:{options.GroupSize}",
        };
        if (!metadata.ContainsKey("format")) metadata["format"] = "pt";

        using var handle = LocalFileGuard.OpenHandle(file.FilePath);
        long written = SafetensorsWriter.WriteFileCore(outputPath, specs, (i, dest) =>
        {
            var t = file.Tensors[i];
            byte[] raw = new byte[t.ByteLength];
            file.ReadRaw(handle, t, raw);
            var values = new float[t.ElementCount];
            FloatTensorCodec.Decode(t.DataType, raw, values);
            results[i] = PruneTensor(file.FilePath, t, values, options);
            if (results[i].Pruned) FloatTensorCodec.Encode(t.DataType, values, raw);
            dest.Write(raw);
        }, metadata, overwrite, [file.FilePath], wrap, cancellationToken);
        return new PruningReport(file.FilePath, Path.GetFullPath(outputPath), options, [.. results], written);
    }

    /// <summary>Decides eligibility and prunes <paramref name="values"/> in place.</summary>
    internal static PrunedTensor PruneTensor(string? file, TensorInfo t, float[] values, PruningOptions options)
    {
        long zerosBefore = 0, inf = 0;
        for (int i = 0; i < values.Length; i++)
        {
            float v = values[i];
            if (float.IsNaN(v))
            {
                throw new ModelFormatException(ModelFormatError.InvalidValue,
                    $"Tensor '{t.Name}' holds NaN at element {i}; magnitudes are undefined, refusing to prune.", file, field: t.Name);
            }

            if (v == 0) zerosBefore++;
            else if (float.IsInfinity(v)) inf++;
        }

        string? skip = SkipReason(t, options);
        long rows = t.Shape.Length == 0 ? 1 : t.Shape[0];
        if (skip is null && options.Method == PruningMethod.SemiStructured && t.Shape[^1] % options.GroupSize != 0)
        {
            skip = $"last dimension {t.Shape[^1]} is not a multiple of {options.GroupSize}";
        }

        if (skip is null)
        {
            if (options.Method == PruningMethod.Unstructured) PruneUnstructured(values, options.Sparsity);
            else PruneNm(values, options.KeepPerGroup, options.GroupSize);
        }

        long zerosAfter = 0;
        foreach (float v in values) if (v == 0) zerosAfter++;
        bool semi = skip is null && options.Method == PruningMethod.SemiStructured;
        var storage = SparseStorageEstimate.Compute(values.Length, values.Length - zerosAfter, rows, t.DataType.BlockBytes,
            semi ? options.KeepPerGroup : null, semi ? options.GroupSize : null);
        return new PrunedTensor(t.Name, t.Shape, t.DataType, values.Length, skip is null, skip, zerosBefore, zerosAfter, inf, storage);
    }

    private static string? SkipReason(TensorInfo t, PruningOptions options)
    {
        if (t.Shape.Length < 2) return "not a matrix (norms, biases and scalars stay dense)";
        if (!options.IncludeEmbeddings && IsEmbeddingOrHead(t.Name)) return "embedding or output head (kept dense; --include-embeddings to prune)";
        return null;
    }

    /// <summary>Names of token/position embeddings and output heads in HF and GGUF spelling.</summary>
    /// <param name="name">Tensor name.</param>
    /// <returns>True for an embedding or output head.</returns>
    public static bool IsEmbeddingOrHead(string name)
    {
        string n = name.ToLowerInvariant();
        return n.Contains("embed", StringComparison.Ordinal) || n.Contains("token_embd", StringComparison.Ordinal)
            || n.EndsWith("wte.weight", StringComparison.Ordinal) || n.EndsWith("wpe.weight", StringComparison.Ordinal)
            || n.Contains("lm_head", StringComparison.Ordinal) || n is "output.weight" || n.StartsWith("output.", StringComparison.Ordinal)
            || n.Contains("word_embeddings", StringComparison.Ordinal) || n.EndsWith("shared.weight", StringComparison.Ordinal);
    }

    /// <summary>Zeros exactly floor(s × n) elements of smallest |w| (ties: earlier positions first).</summary>
    /// <param name="values">Values, modified in place; no NaN.</param>
    /// <param name="sparsity">s in [0, 1).</param>
    /// <returns>The number of elements zeroed (floor(s × n)).</returns>
    public static long PruneUnstructured(Span<float> values, double sparsity)
    {
        long k = (long)Math.Floor(sparsity * values.Length);
        if (k <= 0) return 0;
        var magnitudes = new float[values.Length];
        for (int i = 0; i < values.Length; i++) magnitudes[i] = Math.Abs(values[i]);
        float threshold = SelectKth(magnitudes, (int)(k - 1));
        long below = 0;
        foreach (float v in values) if (Math.Abs(v) < threshold) below++;
        long atThreshold = k - below;
        for (int i = 0; i < values.Length; i++)
        {
            float a = Math.Abs(values[i]);
            if (a < threshold) values[i] = 0;
            else if (a == threshold && atThreshold > 0)
            {
                values[i] = 0;
                atThreshold--;
            }
        }

        return k;
    }

    /// <summary>
    /// The k-th smallest value (0-based) of <paramref name="a"/> by quickselect (Hoare partition, median-of-three
    /// pivot): O(n) on average instead of a full sort. Reorders <paramref name="a"/>; no NaN.
    /// </summary>
    /// <param name="a">Values (reordered).</param>
    /// <param name="k">Rank, 0 ≤ k &lt; length.</param>
    /// <returns>The value a sorted copy would hold at index k.</returns>
    internal static float SelectKth(float[] a, int k)
    {
        int lo = 0, hi = a.Length - 1;
        while (lo < hi)
        {
            int mid = lo + ((hi - lo) >> 1);
            // Median of three as pivot.
            if (a[mid] < a[lo]) (a[mid], a[lo]) = (a[lo], a[mid]);
            if (a[hi] < a[lo]) (a[hi], a[lo]) = (a[lo], a[hi]);
            if (a[hi] < a[mid]) (a[hi], a[mid]) = (a[mid], a[hi]);
            float pivot = a[mid];
            int i = lo, j = hi;
            while (i <= j)
            {
                while (a[i] < pivot) i++;
                while (a[j] > pivot) j--;
                if (i <= j)
                {
                    (a[i], a[j]) = (a[j], a[i]);
                    i++;
                    j--;
                }
            }

            // Now a[lo..j] ≤ pivot ≤ a[i..hi], and j < i.
            if (k <= j) hi = j;
            else if (k >= i) lo = i;
            else return a[k];
        }

        return a[k];
    }

    /// <summary>N:M pruning along the innermost dimension: in each group of <paramref name="m"/> keep the <paramref name="n"/> largest |w| (ties: earlier kept).</summary>
    /// <param name="values">Values (length a multiple of M), modified in place.</param>
    /// <param name="n">Kept per group.</param>
    /// <param name="m">Group size.</param>
    /// <returns>Elements zeroed: n_groups × (M − N).</returns>
    /// <exception cref="ArgumentException">Length not a multiple of M.</exception>
    public static long PruneNm(Span<float> values, int n, int m)
    {
        if (values.Length % m != 0) throw new ArgumentException($"Length {values.Length} is not a multiple of M = {m}.", nameof(values));
        Span<bool> removed = stackalloc bool[m];
        long zeroed = 0;
        for (int g = 0; g < values.Length; g += m)
        {
            var group = values.Slice(g, m);
            removed.Clear();
            for (int z = 0; z < m - n; z++)
            {
                // Remove the smallest |w| left; on ties the later position goes (earlier kept).
                int victim = -1;
                float best = float.PositiveInfinity;
                for (int j = 0; j < m; j++)
                {
                    if (removed[j]) continue;
                    float a = Math.Abs(group[j]);
                    if (victim < 0 || a <= best)
                    {
                        victim = j;
                        best = a;
                    }
                }

                removed[victim] = true;
                group[victim] = 0;
                zeroed++;
            }
        }

        return zeroed;
    }
}
