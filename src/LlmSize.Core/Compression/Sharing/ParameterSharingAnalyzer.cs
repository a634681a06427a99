using LlmSize.Core.Sources;
using System.Buffers;
using System.Collections.Immutable;
using System.Security.Cryptography;

using LlmSize.Core.Models;
using LlmSize.Core.Models.Architectures;

namespace LlmSize.Core.Compression.Sharing;

/// <summary>How the tensors of a group share their values.</summary>
public enum SharingKind
{
    /// <summary>Same bytes in the file (one storage, several names: an alias).</summary>
    SameStorage,
    /// <summary>Separate copies whose bytes are identical (SHA-256 equal and bytes compared).</summary>
    IdenticalContent,
}

/// <summary>Tensors holding the same values.</summary>
/// <param name="Kind">Shared storage or identical copies.</param>
/// <param name="Tensors">Names, file order.</param>
/// <param name="BytesEach">Bytes of one copy.</param>
/// <param name="ElementsEach">Parameters of one copy.</param>
/// <param name="Sha256">Hex SHA-256 of the bytes (identical-content groups).</param>
/// <param name="IsTiedEmbedding">True when the group holds an embedding and an output head (tied word embeddings).</param>
public sealed record SharedTensorGroup(SharingKind Kind, ImmutableArray<string> Tensors, long BytesEach, long ElementsEach, string? Sha256, bool IsTiedEmbedding)
{
    /// <summary>Bytes a deduplicating format would save: (copies − 1) × bytes for identical copies; 0 for shared storage (already stored once).</summary>
    public long SavableBytes => Kind == SharingKind.IdenticalContent ? (Tensors.Length - 1) * BytesEach : 0;
}

/// <summary>Result of <see cref="ParameterSharingAnalyzer.Analyze"/>.</summary>
/// <param name="File">File analyzed.</param>
/// <param name="TensorCount">Tensors declared.</param>
/// <param name="StoredParameters">Parameters stored in the file (every tensor's elements; aliases of one storage once).</param>
/// <param name="UniqueParameters">Parameters left when identical copies are stored once.</param>
/// <param name="StoredBytes">Tensor bytes in the file (aliases once).</param>
/// <param name="DeduplicatedBytes">Tensor bytes with identical copies stored once.</param>
/// <param name="Groups">Groups of shared or identical tensors.</param>
/// <param name="HashedBytes">Bytes read to hash (only tensors with a same-size partner are read).</param>
/// <param name="Notes">Observations (e.g. an embedding with no output head: tied and stored once).</param>
public sealed record SharingReport(string File, int TensorCount, long StoredParameters, long UniqueParameters, long StoredBytes, long DeduplicatedBytes,
    ImmutableArray<SharedTensorGroup> Groups, long HashedBytes, ImmutableArray<string> Notes)
{
    /// <summary>Bytes a deduplicating format would save.</summary>
    public long SavableBytes => StoredBytes - DeduplicatedBytes;

    /// <summary>True when a tied-embedding group was found.</summary>
    public bool HasTiedEmbeddings => Groups.Any(g => g.IsTiedEmbedding);
}

/// <summary>ALBERT-style cross-layer sharing what-if: every <see cref="GroupSize"/> consecutive blocks share one set of weights.</summary>
/// <param name="GroupSize">k.</param>
/// <param name="Layers">Blocks L.</param>
/// <param name="DistinctLayers">Weight sets stored: ceil(L / k).</param>
/// <param name="LayerStackParameters">Parameters of all blocks unshared.</param>
/// <param name="OtherParameters">Parameters outside the blocks (embeddings, final norm, head): unchanged.</param>
/// <param name="SharedParameters">Total after sharing: other + ceil(L/k) × per-block parameters.</param>
/// <param name="Exact">False when blocks differ in size (per-layer widths), so per-block is an average.</param>
public sealed record CrossLayerSharing(int GroupSize, int Layers, int DistinctLayers, long LayerStackParameters, long OtherParameters, long SharedParameters, bool Exact)
{
    /// <summary>Total before sharing.</summary>
    public long OriginalParameters => LayerStackParameters + OtherParameters;
}

/// <summary>
/// Finds parameter sharing in a model file: names that alias one storage, and separate tensors with identical bytes
/// (tied embeddings saved twice, duplicated layers). Candidates are grouped by byte length first; only those are read,
/// streamed through SHA-256 (BCL <see cref="IncrementalHash"/>) in 1 MiB chunks, and equal hashes are confirmed by
/// comparing the bytes. Also the ALBERT what-if (Lan et al. 2019, "ALBERT", §3.1 cross-layer parameter sharing).
/// </summary>
public static class ParameterSharingAnalyzer
{
    private const int ChunkBytes = 1 << 20;

    /// <summary>Analyzes a safetensors or GGUF file.</summary>
    /// <param name="path">File path.</param>
    /// <param name="cancellationToken">Cancels between chunks.</param>
    /// <returns>The report.</returns>
    /// <exception cref="ModelFormatException">Malformed file, or data past its end.</exception>
    /// <exception cref="NotSupportedException">Not safetensors or GGUF.</exception>
    public static SharingReport Analyze(string path, CancellationToken cancellationToken = default)
    {
        var file = TensorFile.Open(path);
        using var handle = LocalFileGuard.OpenHandle(file.FilePath);
        var groups = new List<SharedTensorGroup>();
        var notes = new List<string>();
        long hashed = 0;

        // Aliases: same offset and length (or AliasOf).
        var storages = file.Tensors.Where(t => t.DataOffset is not null && t.ByteLength > 0)
            .GroupBy(t => (t.DataOffset!.Value, t.ByteLength)).ToList();
        foreach (var g in storages.Where(g => g.Count() > 1))
        {
            var names = g.Select(t => t.Name).ToImmutableArray();
            groups.Add(new SharedTensorGroup(SharingKind.SameStorage, names, g.Key.ByteLength, g.First().ElementCount, null, IsTied(names)));
        }

        // Identical content among distinct storages of equal length.
        var representatives = storages.Select(g => g.First()).ToList();
        foreach (var sameSize in representatives.GroupBy(t => t.ByteLength).Where(g => g.Count() > 1))
        {
            var byHash = new Dictionary<string, List<TensorInfo>>(StringComparer.Ordinal);
            foreach (var t in sameSize)
            {
                string h = Hash(file, handle, t, cancellationToken);
                hashed += t.ByteLength;
                if (!byHash.TryGetValue(h, out var list)) byHash[h] = list = [];
                list.Add(t);
            }

            foreach (var (h, list) in byHash.Where(kv => kv.Value.Count > 1))
            {
                // Confirm: equal SHA-256 is overwhelming evidence, but compare the bytes anyway.
                var confirmed = list.Where((t, i) => i == 0 || BytesEqual(file, handle, list[0], t, cancellationToken)).ToList();
                if (confirmed.Count < 2) continue;
                var names = confirmed.Select(t => t.Name).ToImmutableArray();
                groups.Add(new SharedTensorGroup(SharingKind.IdenticalContent, names, confirmed[0].ByteLength, confirmed[0].ElementCount, h, IsTied(names)));
            }
        }

        long storedParams = storages.Sum(g => g.First().ElementCount) + file.Tensors.Where(t => t.ByteLength == 0).Sum(t => t.ElementCount);
        long storedBytes = storages.Sum(g => g.Key.ByteLength);
        long dupParams = groups.Where(g => g.Kind == SharingKind.IdenticalContent).Sum(g => (g.Tensors.Length - 1) * g.ElementsEach);
        long dupBytes = groups.Sum(g => g.SavableBytes);

        bool hasEmbedding = file.Tensors.Any(t => IsEmbedding(t.Name));
        bool hasHead = file.Tensors.Any(t => IsHead(t.Name));
        if (hasEmbedding && !hasHead && !groups.Any(g => g.IsTiedEmbedding))
        {
            notes.Add("The file has a token embedding and no output head: the head is tied to the embedding and stored once (safetensors keeps one copy of shared tensors).");
        }

        return new SharingReport(file.FilePath, file.Tensors.Count, storedParams, storedParams - dupParams, storedBytes, storedBytes - dupBytes,
            [.. groups], hashed, [.. notes]);
    }

    /// <summary>ALBERT-style what-if: blocks share weights in groups of <paramref name="groupSize"/>.</summary>
    /// <param name="architecture">The model.</param>
    /// <param name="groupSize">k ≥ 1 (k = L: one set for all blocks, as ALBERT).</param>
    /// <returns>The what-if.</returns>
    /// <exception cref="ArgumentOutOfRangeException">k &lt; 1.</exception>
    public static CrossLayerSharing CrossLayer(ModelArchitecture architecture, int groupSize)
    {
        ArgumentNullException.ThrowIfNull(architecture);
        ArgumentOutOfRangeException.ThrowIfLessThan(groupSize, 1);
        long layered = 0, other = 0;
        foreach (var w in ParameterCalculator.EnumerateWeights(architecture))
        {
            if (w.Name.Contains("{layer}", StringComparison.Ordinal)) layered = checked(layered + w.Elements);
            else other = checked(other + w.Elements);
        }

        int layers = architecture.LayerCount + architecture.EncoderLayerCount;
        int k = Math.Min(groupSize, Math.Max(1, layers));
        int distinct = (layers + k - 1) / k;
        bool exact = layered % layers == 0 && architecture.KeyValueHeadCountPerLayer is null && architecture.IntermediateSizePerLayer is null
            && architecture.EncoderLayerCount == 0;
        long shared = checked(other + layered / layers * distinct);
        return new CrossLayerSharing(k, layers, distinct, layered, other, shared, exact);
    }

    private static bool IsTied(ImmutableArray<string> names) => names.Any(IsEmbedding) && names.Any(IsHead);

    private static bool IsEmbedding(string n)
    {
        string s = n.ToLowerInvariant();
        return s.Contains("embed_tokens", StringComparison.Ordinal) || s.Contains("token_embd", StringComparison.Ordinal) || s.EndsWith("wte.weight", StringComparison.Ordinal)
            || s.Contains("word_embeddings", StringComparison.Ordinal) || s.EndsWith("shared.weight", StringComparison.Ordinal) || s.Contains("tok_embeddings", StringComparison.Ordinal);
    }

    private static bool IsHead(string n)
    {
        string s = n.ToLowerInvariant();
        return s.Contains("lm_head", StringComparison.Ordinal) || s == "output.weight" || s.EndsWith("embed_out.weight", StringComparison.Ordinal);
    }

    private static string Hash(TensorFile file, Microsoft.Win32.SafeHandles.SafeFileHandle handle, TensorInfo t, CancellationToken ct)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        byte[] buffer = ArrayPool<byte>.Shared.Rent(ChunkBytes);
        try
        {
            long offset = t.DataOffset!.Value, remaining = t.ByteLength;
            while (remaining > 0)
            {
                ct.ThrowIfCancellationRequested();
                int want = (int)Math.Min(ChunkBytes, remaining);
                ReadExactly(file, handle, buffer.AsSpan(0, want), offset, t);
                sha.AppendData(buffer, 0, want);
                offset += want;
                remaining -= want;
            }

            return Convert.ToHexStringLower(sha.GetHashAndReset());
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static bool BytesEqual(TensorFile file, Microsoft.Win32.SafeHandles.SafeFileHandle handle, TensorInfo a, TensorInfo b, CancellationToken ct)
    {
        byte[] x = ArrayPool<byte>.Shared.Rent(ChunkBytes), y = ArrayPool<byte>.Shared.Rent(ChunkBytes);
        try
        {
            for (long done = 0; done < a.ByteLength;)
            {
                ct.ThrowIfCancellationRequested();
                int want = (int)Math.Min(ChunkBytes, a.ByteLength - done);
                ReadExactly(file, handle, x.AsSpan(0, want), a.DataOffset!.Value + done, a);
                ReadExactly(file, handle, y.AsSpan(0, want), b.DataOffset!.Value + done, b);
                if (!x.AsSpan(0, want).SequenceEqual(y.AsSpan(0, want))) return false;
                done += want;
            }

            return true;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(x);
            ArrayPool<byte>.Shared.Return(y);
        }
    }

    private static void ReadExactly(TensorFile file, Microsoft.Win32.SafeHandles.SafeFileHandle handle, Span<byte> buffer, long offset, TensorInfo t)
    {
        int done = 0;
        while (done < buffer.Length)
        {
            int n = RandomAccess.Read(handle, buffer[done..], offset + done);
            if (n == 0) throw new ModelFormatException(ModelFormatError.OffsetOutOfRange, $"File ends inside tensor '{t.Name}'.", file.FilePath, offset + done, t.Name);
            done += n;
        }
    }

}
