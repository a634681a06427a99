using System.Buffers.Binary;
using System.Text;

namespace LlmSize.Core.Compression.Quantization;

/// <summary>
/// An importance matrix from llama.cpp's <c>llama-imatrix</c>: per weight tensor, one mean squared activation per
/// input column, which the k-quant and IQ4 quantizers use as element weights.
/// </summary>
/// <remarks>
/// Reads the legacy binary format (<c>imatrix.dat</c>) as llama.cpp's tools/quantize <c>load_legacy_imatrix</c>
/// does: little-endian int32 entry count (≥ 1); per entry an int32 name length, the name bytes, int32 <c>ncall</c>,
/// int32 value count (≥ 1) and that many float32 values, each divided by <c>ncall</c> when <c>ncall</c> &gt; 0;
/// optionally an int32 chunk count and an int32-length dataset name. The GGUF form (<c>*.in_sum2</c>/<c>*.counts</c>)
/// is not read yet. Stricter than llama.cpp: a truncated file, a duplicate name, trailing bytes or a NaN/Inf value
/// (which llama-quant.cpp refuses later: "imatrix contains non-finite value") fail here with
/// <see cref="InvalidDataException"/>.
/// </remarks>
public sealed class ImportanceMatrix
{
    /// <summary>Largest file read: 2 GiB.</summary>
    public const long MaxFileBytes = int.MaxValue;

    private ImportanceMatrix(string path, Dictionary<string, float[]> entries, int chunkCount, string? dataset)
    {
        FilePath = path;
        Entries = entries;
        ChunkCount = chunkCount;
        Dataset = dataset;
    }

    /// <summary>The file read.</summary>
    public string FilePath { get; }

    /// <summary>Importance weights per tensor name (GGUF naming, e.g. <c>blk.0.attn_q.weight</c>), already divided by
    /// the call count.</summary>
    public IReadOnlyDictionary<string, float[]> Entries { get; }

    /// <summary>Chunks the matrix was computed on (0 when the file does not say).</summary>
    public int ChunkCount { get; }

    /// <summary>The calibration dataset's file name, when the file records it.</summary>
    public string? Dataset { get; }

    /// <summary>Reads a legacy <c>.dat</c> importance matrix.</summary>
    /// <param name="path">The file.</param>
    /// <returns>The entries.</returns>
    /// <exception cref="FileNotFoundException">No such file.</exception>
    /// <exception cref="InvalidDataException">The file is not a valid legacy imatrix (the message names the entry and
    /// byte offset), or it is a GGUF imatrix, which this build does not read.</exception>
    public static ImportanceMatrix Read(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var info = new FileInfo(path);
        if (!info.Exists) throw new FileNotFoundException($"Importance matrix '{path}' not found.", path);
        if (info.Length > MaxFileBytes)
        {
            throw new InvalidDataException($"Importance matrix '{path}' is {info.Length:N0} bytes; at most {MaxFileBytes:N0} are read.");
        }

        return Parse(File.ReadAllBytes(path), path);
    }

    /// <summary>Parses legacy imatrix bytes (see the remarks).</summary>
    /// <param name="data">The file's bytes.</param>
    /// <param name="path">Name used in messages and <see cref="FilePath"/>.</param>
    /// <returns>The entries.</returns>
    /// <exception cref="InvalidDataException">As for <see cref="Read"/>.</exception>
    public static ImportanceMatrix Parse(ReadOnlySpan<byte> data, string path)
    {
        if (data.Length >= 4 && data[..4].SequenceEqual("GGUF"u8))
        {
            throw new InvalidDataException($"'{path}' is a GGUF importance matrix; this build reads only the legacy .dat format (llama-imatrix --output-format dat).");
        }

        int pos = 0;
        int count = ReadInt32(data, ref pos, path, "entry count");
        if (count < 1) throw Bad(path, 0, $"entry count is {count}; a legacy imatrix holds at least 1 entry");
        var entries = new Dictionary<string, float[]>(Math.Min(count, 1 << 16), StringComparer.Ordinal);
        for (int i = 0; i < count; i++)
        {
            int at = pos;
            int len = ReadInt32(data, ref pos, path, $"name length of entry {i + 1}");
            if (len < 0 || len > data.Length - pos) throw Bad(path, at, $"entry {i + 1} has a name of {len} bytes, past the end of the file");
            // std::string{char*} stops at the first NUL, as llama.cpp's reader does.
            ReadOnlySpan<byte> raw = data.Slice(pos, len);
            int nul = raw.IndexOf((byte)0);
            string name = Encoding.UTF8.GetString(nul >= 0 ? raw[..nul] : raw);
            pos += len;
            int ncall = ReadInt32(data, ref pos, path, $"call count of '{name}'");
            at = pos;
            int nval = ReadInt32(data, ref pos, path, $"value count of '{name}'");
            if (nval < 1 || (long)nval * 4 > data.Length - pos)
            {
                throw Bad(path, at, $"entry '{name}' declares {nval} values; {(data.Length - pos) / 4} fit in the rest of the file");
            }

            float[] values = new float[nval];
            for (int j = 0; j < nval; j++)
            {
                float v = BinaryPrimitives.ReadSingleLittleEndian(data.Slice(pos + 4 * j, 4));
                if (ncall > 0) v /= ncall;
                if (!float.IsFinite(v)) throw Bad(path, pos + 4 * j, $"entry '{name}' value {j} is {v}; importance weights must be finite");
                values[j] = v;
            }

            pos += 4 * nval;
            if (!entries.TryAdd(name, values)) throw Bad(path, at, $"entry '{name}' appears twice");
        }

        int chunks = 0;
        string? dataset = null;
        if (pos < data.Length)
        {
            chunks = ReadInt32(data, ref pos, path, "chunk count");
            int at = pos;
            int len = ReadInt32(data, ref pos, path, "dataset name length");
            if (len < 0 || len > data.Length - pos) throw Bad(path, at, $"the dataset name of {len} bytes runs past the end of the file");
            dataset = Encoding.UTF8.GetString(data.Slice(pos, len));
            pos += len;
        }

        if (pos != data.Length) throw Bad(path, pos, $"{data.Length - pos} unexpected trailing bytes");
        return new ImportanceMatrix(path, entries, chunks, dataset);
    }

    /// <summary>Builds a matrix from entries already in memory (tests, converters).</summary>
    /// <param name="entries">Weights per tensor name; every value finite.</param>
    /// <param name="chunkCount">Chunks it was computed on.</param>
    /// <param name="dataset">Calibration dataset name, or null.</param>
    /// <param name="path">The name reported as <see cref="FilePath"/>.</param>
    /// <returns>The matrix.</returns>
    /// <exception cref="ArgumentException">An entry is empty or holds a non-finite value.</exception>
    public static ImportanceMatrix FromEntries(IEnumerable<KeyValuePair<string, float[]>> entries, int chunkCount = 0,
        string? dataset = null, string path = "")
    {
        ArgumentNullException.ThrowIfNull(entries);
        var d = new Dictionary<string, float[]>(StringComparer.Ordinal);
        foreach (var (name, values) in entries)
        {
            if (values.Length == 0 || !values.All(float.IsFinite))
            {
                throw new ArgumentException($"Entry '{name}' is empty or holds a non-finite value.", nameof(entries));
            }

            d.Add(name, values);
        }

        return new ImportanceMatrix(path, d, chunkCount, dataset);
    }

    private static int ReadInt32(ReadOnlySpan<byte> data, ref int pos, string path, string field)
    {
        if (data.Length - pos < 4) throw Bad(path, pos, $"the file ends inside the {field}");
        int v = BinaryPrimitives.ReadInt32LittleEndian(data.Slice(pos, 4));
        pos += 4;
        return v;
    }

    private static InvalidDataException Bad(string path, long offset, string what) =>
        new($"{path}: importance matrix (legacy .dat): {what} (at byte offset {offset}).");
}
