using System.Text;
using LlmSize.Core.Sources;
using System.Text.Json;
using LlmSize.Core.Models;
using static LlmSize.Core.Formats.Safetensors.SafetensorsThrowHelper;

namespace LlmSize.Core.Formats.Safetensors;

public static partial class SafetensorsReader
{
    /// <summary>
    /// Reads a sharded safetensors model: the index <c>model.safetensors.index.json</c> (<c>metadata.total_size</c>,
    /// <c>weight_map</c> tensor → shard file) and the header of every shard it names, and cross-checks them.
    /// </summary>
    /// <remarks>
    /// Errors: a shard name that is empty, rooted or has a <c>..</c> segment (it would escape the folder) →
    /// <see cref="ModelFormatError.InvalidValue"/>; a shard that does not exist → <see cref="ModelFormatError.MissingFile"/>
    /// naming it; a tensor that two shards hold → <see cref="ModelFormatError.DuplicateKey"/>; a tensor the index maps
    /// to a shard that lacks it → <see cref="ModelFormatError.MissingField"/> (held by no shard) or
    /// <see cref="ModelFormatError.InvalidValue"/> (held by another shard). Warnings, not errors (transformers loads
    /// such models; it reads only <c>weight_map</c>, and <c>total_size</c> is informational and sometimes absent or
    /// stale): <c>total_size</c> differing from the summed tensor bytes, and shard tensors the index does not list.
    /// </remarks>
    /// <param name="indexPathOrFolder">The index file, or the model folder holding <c>model.safetensors.index.json</c>.</param>
    /// <param name="options">Limits; <see cref="SafetensorsReaderOptions.Default"/> when null.</param>
    /// <returns>The shards, all tensors and the index's total size.</returns>
    /// <exception cref="ArgumentException"><paramref name="indexPathOrFolder"/> is null or empty, or a limit in
    /// <paramref name="options"/> is not positive (<see cref="ArgumentOutOfRangeException"/>).</exception>
    /// <exception cref="ModelFormatException">The index or a shard is malformed, missing or inconsistent.</exception>
    /// <exception cref="IOException">A file cannot be read (<see cref="FileNotFoundException"/> for a missing index path).</exception>
    public static SafetensorsModel ReadIndexedModel(string indexPathOrFolder, SafetensorsReaderOptions? options = null) =>
        ReadIndexedCoreAsync(indexPathOrFolder, options ?? SafetensorsReaderOptions.Default, useAsync: false, default)
            .GetAwaiter().GetResult();

    /// <summary>Reads a sharded safetensors model asynchronously; see <see cref="ReadIndexedModel"/>.</summary>
    /// <param name="indexPathOrFolder">The index file, or the model folder holding <c>model.safetensors.index.json</c>.</param>
    /// <param name="options">Limits; <see cref="SafetensorsReaderOptions.Default"/> when null.</param>
    /// <param name="cancellationToken">Cancels the reads.</param>
    /// <returns>The shards, all tensors and the index's total size.</returns>
    /// <exception cref="ArgumentException"><paramref name="indexPathOrFolder"/> is null or empty, or a limit in
    /// <paramref name="options"/> is not positive (<see cref="ArgumentOutOfRangeException"/>).</exception>
    /// <exception cref="ModelFormatException">The index or a shard is malformed, missing or inconsistent.</exception>
    /// <exception cref="IOException">A file cannot be read.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public static Task<SafetensorsModel> ReadIndexedModelAsync(string indexPathOrFolder, SafetensorsReaderOptions? options = null,
        CancellationToken cancellationToken = default) =>
        ReadIndexedCoreAsync(indexPathOrFolder, options ?? SafetensorsReaderOptions.Default, useAsync: true, cancellationToken).AsTask();

    private static async ValueTask<SafetensorsModel> ReadIndexedCoreAsync(string indexPathOrFolder, SafetensorsReaderOptions options,
        bool useAsync, CancellationToken ct)
    {
        ArgumentException.ThrowIfNullOrEmpty(indexPathOrFolder);
        options.Validate();
        string indexPath = Path.GetFullPath(indexPathOrFolder);
        if (Directory.Exists(indexPath))
        {
            indexPath = Path.Combine(indexPath, SafetensorsConstants.IndexFileName);
            if (!File.Exists(indexPath))
            {
                Throw(ModelFormatError.MissingFile, $"the folder has no {SafetensorsConstants.IndexFileName}", indexPath);
            }
        }

        string folder = Path.GetDirectoryName(indexPath)!;
        byte[] json;
        await using (FileStream stream = OpenFile(indexPath, useAsync))
        {
            long length = stream.Length;
            if (length > options.MaxIndexBytes)
            {
                Throw(ModelFormatError.HeaderTooLarge,
                    $"the index has {length} bytes, more than the limit of {options.MaxIndexBytes} (MaxIndexBytes)", indexPath, 0);
            }

            json = new byte[length];
            int got = await ReadAtLeastAsync(stream, json, json.Length, useAsync, ct).ConfigureAwait(false);
            if (got < json.Length) Throw(ModelFormatError.Truncated, "the index file shrank while being read", indexPath, got);
        }

        return await BuildIndexedAsync(json, indexPath, folder, options, shard => File.Exists(Path.Combine(folder, shard)),
            shard => Path.Combine(folder, shard),
            async (shards, _, token) =>
            {
                var read = new SafetensorsFile[shards.Count];
                for (int i = 0; i < shards.Count; i++)
                {
                    string shardPath = Path.Combine(folder, shards[i]);
                    read[i] = useAsync ? await ReadAsync(shardPath, options, token).ConfigureAwait(false) : Read(shardPath, options);
                }

                return read;
            }, ct).ConfigureAwait(false);
    }

    /// <summary>
    /// Reads a sharded safetensors model of a model source (a local folder, the Hub, …): the index whole (bounded by
    /// <see cref="SafetensorsReaderOptions.MaxIndexBytes"/>) and every shard's header, at most
    /// <paramref name="maxParallel"/> shards at once; the same checks as <see cref="ReadIndexedModel"/>.
    /// </summary>
    /// <param name="source">The source.</param>
    /// <param name="indexPath">The index's path in the source.</param>
    /// <param name="options">Limits; <see cref="SafetensorsReaderOptions.Default"/> when null.</param>
    /// <param name="maxParallel">Shard headers read at once.</param>
    /// <param name="cancellationToken">Cancels the reads.</param>
    /// <returns>The shards (each named by the source), all tensors and the index's total size.</returns>
    /// <exception cref="ModelFormatException">The index or a shard is malformed, missing or inconsistent.</exception>
    /// <exception cref="IOException">A file cannot be read.</exception>
    public static async Task<SafetensorsModel> ReadIndexedModelAsync(IModelSource source, string indexPath, SafetensorsReaderOptions? options = null,
        int maxParallel = 8, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentException.ThrowIfNullOrEmpty(indexPath);
        options ??= SafetensorsReaderOptions.Default;
        options.Validate();
        string indexName = source.DisplayPath(indexPath);
        byte[] json;
        await using (var stream = source.OpenRead(indexPath))
        {
            if (stream.CanSeek && stream.Length > options.MaxIndexBytes)
            {
                Throw(ModelFormatError.HeaderTooLarge,
                    $"the index has {stream.Length} bytes, more than the limit of {options.MaxIndexBytes} (MaxIndexBytes)", indexName, 0);
            }

            var buffer = new MemoryStream();
            byte[] chunk = new byte[81920];
            while (true)
            {
                int n = await stream.ReadAsync(chunk, cancellationToken).ConfigureAwait(false);
                if (n == 0) break;
                if (buffer.Length + n > options.MaxIndexBytes)
                {
                    Throw(ModelFormatError.HeaderTooLarge, $"the index has more than {options.MaxIndexBytes} bytes (MaxIndexBytes)", indexName, buffer.Length);
                }

                buffer.Write(chunk, 0, n);
            }

            json = buffer.ToArray();
        }

        string dir = indexPath.Contains('/') ? indexPath[..(indexPath.LastIndexOf('/') + 1)] : "";
        return await BuildIndexedAsync(json, indexName, null, options, shard => source.Exists(dir + shard), shard => source.DisplayPath(dir + shard),
            (shards, expected, token) => ParallelReads.InOrderAsync(shards, Math.Max(1, maxParallel), async (shard, t) =>
            {
                await using var stream = source.OpenRead(dir + shard, expected[shard]);
                return await ReadAsync(stream, options, source.DisplayPath(dir + shard), t).ConfigureAwait(false);
            }, token), cancellationToken).ConfigureAwait(false);
    }

    // The index's checks over its JSON, whatever the shards are read from. folder: the local folder (for the
    // containment check of shard names), or null for a source that is not local (names are then checked lexically).
    private static async ValueTask<SafetensorsModel> BuildIndexedAsync(byte[] json, string indexPath, string? folder, SafetensorsReaderOptions options,
        Func<string, bool> exists, Func<string, string> shardName, Func<IReadOnlyList<string>, IReadOnlyDictionary<string, int>, CancellationToken, Task<SafetensorsFile[]>> readShards,
        CancellationToken ct)
    {
        (long? totalSize, List<KeyValuePair<string, string>> weightMap) = ParseIndex(json, options, indexPath);

        // Shard names, first referencing tensor kept for messages; sorted for a deterministic order.
        var shardOf = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach ((string tensor, string shard) in weightMap)
        {
            if (shardOf.ContainsKey(shard)) continue;
            if (shardOf.Count >= options.MaxShardCount)
            {
                Throw(ModelFormatError.CountTooLarge, $"the index names more than {options.MaxShardCount} shard files (MaxShardCount)",
                    indexPath, null, tensor);
            }

            CheckShardName(shard, folder ?? "/source", indexPath, tensor);
            shardOf.Add(shard, tensor);
        }

        var shardNames = shardOf.Keys.ToList();
        shardNames.Sort(StringComparer.Ordinal);
        foreach (string shard in shardNames)
        {
            if (!exists(shard))
            {
                Throw(ModelFormatError.MissingFile, $"shard '{shard}' named by the index does not exist", shardName(shard), null, shardOf[shard]);
            }
        }

        SafetensorsFile[] read = await readShards(shardNames, ExpectedHeaderBytes(weightMap), ct).ConfigureAwait(false);
        var files = new List<SafetensorsFile>(shardNames.Count);
        var holder = new Dictionary<string, string>(StringComparer.Ordinal);
        var tensors = new List<TensorInfo>();
        for (int i = 0; i < shardNames.Count; i++)
        {
            string shard = shardNames[i];
            SafetensorsFile f = read[i];
            foreach (TensorInfo t in f.Tensors)
            {
                if (!holder.TryAdd(t.Name, shard))
                {
                    Throw(ModelFormatError.DuplicateKey, $"tensor '{t.Name}' is in both '{holder[t.Name]}' and '{shard}'",
                        shardName(shard), t.DataOffset, t.Name);
                }
            }

            files.Add(f);
            tensors.AddRange(f.Tensors);
        }

        var listed = new HashSet<string>(StringComparer.Ordinal);
        foreach ((string tensor, string shard) in weightMap)
        {
            listed.Add(tensor);
            if (!holder.TryGetValue(tensor, out string? actual))
            {
                Throw(ModelFormatError.MissingField, $"the index maps tensor '{tensor}' to '{shard}', but no shard the index names holds it",
                    shardName(shard), null, tensor);
            }

            if (!string.Equals(actual, shard, StringComparison.Ordinal))
            {
                Throw(ModelFormatError.InvalidValue, $"the index maps tensor '{tensor}' to '{shard}', but it is in '{actual}'",
                    indexPath, null, tensor);
            }
        }

        var warnings = new List<string>();
        int unlisted = 0;
        string? firstUnlisted = null;
        foreach (TensorInfo t in tensors)
        {
            if (listed.Contains(t.Name)) continue;
            unlisted++;
            firstUnlisted ??= $"'{t.Name}' in '{holder[t.Name]}'";
        }

        if (unlisted > 0)
        {
            warnings.Add($"{unlisted} tensor(s) in the shards are not in the index's weight_map (first: {firstUnlisted}).");
        }

        var model = new SafetensorsModel(indexPath, files, tensors, totalSize, warnings);
        if (!model.TotalSizeMatches)
        {
            warnings.Add($"the index's metadata.total_size is {model.IndexTotalSize} bytes but the shards' tensors hold " +
                $"{model.TensorDataBytes} bytes (difference {model.TensorDataBytes - model.IndexTotalSize}).");
        }

        return model;
    }

    /// <summary>About how long each shard's header is (8-byte length + JSON), from the tensor names the index maps to
    /// it: an entry <c>"name":{"dtype":"BF16","shape":[a,b],"data_offsets":[x,y]},</c> is its name plus about 80
    /// bytes; 112 per entry and 1 KiB for <c>__metadata__</c> leave room, so a remote source fetches each header in one
    /// range of about its size.</summary>
    private static Dictionary<string, int> ExpectedHeaderBytes(List<KeyValuePair<string, string>> weightMap)
    {
        var bytes = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach ((string tensor, string shard) in weightMap)
        {
            bytes[shard] = (int)Math.Min(int.MaxValue, (bytes.TryGetValue(shard, out int b) ? b : 8 + 1024) + (long)Encoding.UTF8.GetByteCount(tensor) + 112);
        }

        return bytes;
    }

    /// <summary>A shard name must stay inside the model folder: not empty, not rooted, no <c>..</c> segment.</summary>
    private static void CheckShardName(string shard, string folder, string indexPath, string tensor)
    {
        bool bad = shard.Length == 0 || Path.IsPathRooted(shard) || shard.Contains('\0') || shard.Contains(':');
        if (!bad)
        {
            foreach (string segment in shard.Split('/', '\\'))
            {
                if (segment == "..") bad = true;
            }
        }

        if (!bad)
        {
            string full = Path.GetFullPath(Path.Combine(folder, shard));
            string root = Path.TrimEndingDirectorySeparator(folder) + Path.DirectorySeparatorChar;
            bad = !full.StartsWith(root, StringComparison.Ordinal);
        }

        if (bad)
        {
            Throw(ModelFormatError.InvalidValue,
                $"shard name '{shard}' is empty, rooted or leaves the model folder (a '..' segment)", indexPath, null, tensor);
        }
    }

    private static (long? TotalSize, List<KeyValuePair<string, string>> WeightMap) ParseIndex(byte[] bytes,
        SafetensorsReaderOptions options, string file)
    {
        ReadOnlySpan<byte> json = bytes;
        long baseOffset = 0;
        if (json.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]))
        {
            json = json[3..];
            baseOffset = 3;
        }

        SafetensorsJson.ValidateUtf8(json, baseOffset, file);
        long? totalSize = null;
        List<KeyValuePair<string, string>>? weightMap = null;
        bool haveMetadata = false;
        var reader = new Utf8JsonReader(json, SafetensorsJson.ReaderOptions(options.MaxJsonDepth));
        try
        {
            SafetensorsJson.Next(ref reader, baseOffset, file);
            if (reader.TokenType != JsonTokenType.StartObject)
            {
                Throw(ModelFormatError.InvalidJson, $"the index must be a JSON object, found {reader.TokenType}", file, baseOffset);
            }

            while (true)
            {
                SafetensorsJson.Next(ref reader, baseOffset, file);
                if (reader.TokenType == JsonTokenType.EndObject) break;
                long at = SafetensorsJson.Offset(ref reader, baseOffset);
                string key = SafetensorsJson.GetString(ref reader, options.MaxStringBytes, baseOffset, file, null);
                SafetensorsJson.Next(ref reader, baseOffset, file);
                if (key == SafetensorsConstants.IndexMetadataField)
                {
                    if (haveMetadata) Throw(ModelFormatError.DuplicateKey, "the index has 'metadata' twice", file, at, key);
                    haveMetadata = true;
                    totalSize = ReadIndexMetadata(ref reader, options, baseOffset, file);
                }
                else if (key == SafetensorsConstants.IndexWeightMapField)
                {
                    if (weightMap is not null) Throw(ModelFormatError.DuplicateKey, "the index has 'weight_map' twice", file, at, key);
                    weightMap = ReadWeightMap(ref reader, options, baseOffset, file);
                }
                else
                {
                    SafetensorsJson.Skip(ref reader, options.MaxJsonDepth, baseOffset, file, key);
                }
            }

            SafetensorsJson.ExpectEnd(ref reader, baseOffset, file);
        }
        catch (JsonException e)
        {
            throw new ModelFormatException(ModelFormatError.InvalidJson, "the index is " + JsonSyntaxError.Describe(e), file,
                baseOffset + reader.BytesConsumed, null, e);
        }
        catch (InvalidOperationException e)
        {
            throw new ModelFormatException(ModelFormatError.InvalidJson, "the index holds an invalid string: " + e.Message, file,
                baseOffset + reader.TokenStartIndex, null, e);
        }

        if (weightMap is null)
        {
            Throw(ModelFormatError.MissingField, "the index has no 'weight_map'", file, null, SafetensorsConstants.IndexWeightMapField);
        }

        return (totalSize, weightMap);
    }

    private static long? ReadIndexMetadata(ref Utf8JsonReader reader, SafetensorsReaderOptions options, long baseOffset, string file)
    {
        const string field = SafetensorsConstants.IndexMetadataField;
        if (reader.TokenType == JsonTokenType.Null) return null;
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            Throw(ModelFormatError.InvalidJson, $"the index's 'metadata' must be an object, found {reader.TokenType}", file,
                SafetensorsJson.Offset(ref reader, baseOffset), field);
        }

        long? total = null;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        while (true)
        {
            SafetensorsJson.Next(ref reader, baseOffset, file);
            if (reader.TokenType == JsonTokenType.EndObject) break;
            long at = SafetensorsJson.Offset(ref reader, baseOffset);
            string key = SafetensorsJson.GetString(ref reader, options.MaxStringBytes, baseOffset, file, field);
            if (!seen.Add(key)) Throw(ModelFormatError.DuplicateKey, $"the index's metadata has '{key}' twice", file, at, field + "." + key);
            SafetensorsJson.Next(ref reader, baseOffset, file);
            if (key != SafetensorsConstants.IndexTotalSizeField || reader.TokenType == JsonTokenType.Null)
            {
                SafetensorsJson.Skip(ref reader, options.MaxJsonDepth, baseOffset, file, field + "." + key);
                continue;
            }

            long valueAt = SafetensorsJson.Offset(ref reader, baseOffset);
            // Some writers store total_size as a float (e.g. 1.4e10); accept any integral value.
            if (reader.TokenType == JsonTokenType.Number && !reader.TryGetInt64(out _) && reader.TryGetDouble(out double d)
                && d >= 0 && d < 9.2e18 && Math.Floor(d) == d)
            {
                total = (long)d;
                continue;
            }

            ulong v = SafetensorsJson.GetUnsignedInteger(ref reader, baseOffset, file, "metadata.total_size", "total_size");
            if (v > long.MaxValue)
            {
                Throw(ModelFormatError.ArithmeticOverflow, $"total_size {v} exceeds 2^63 - 1", file, valueAt, "metadata.total_size");
            }

            total = (long)v;
        }

        return total;
    }

    private static List<KeyValuePair<string, string>> ReadWeightMap(ref Utf8JsonReader reader, SafetensorsReaderOptions options,
        long baseOffset, string file)
    {
        const string field = SafetensorsConstants.IndexWeightMapField;
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            Throw(ModelFormatError.InvalidJson, $"'weight_map' must be an object of strings, found {reader.TokenType}", file,
                SafetensorsJson.Offset(ref reader, baseOffset), field);
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        var map = new List<KeyValuePair<string, string>>();
        while (true)
        {
            SafetensorsJson.Next(ref reader, baseOffset, file);
            if (reader.TokenType == JsonTokenType.EndObject) break;
            long at = SafetensorsJson.Offset(ref reader, baseOffset);
            string tensor = SafetensorsJson.GetString(ref reader, options.MaxStringBytes, baseOffset, file, field);
            if (!seen.Add(tensor)) Throw(ModelFormatError.DuplicateKey, $"weight_map lists '{tensor}' twice", file, at, tensor);
            if (map.Count >= options.MaxTensorCount)
            {
                Throw(ModelFormatError.CountTooLarge, $"weight_map has more than {options.MaxTensorCount} entries (MaxTensorCount)",
                    file, at, tensor);
            }

            SafetensorsJson.Next(ref reader, baseOffset, file);
            if (reader.TokenType != JsonTokenType.String)
            {
                Throw(ModelFormatError.InvalidJson, $"weight_map value of '{tensor}' must be a file name string, found {reader.TokenType}",
                    file, SafetensorsJson.Offset(ref reader, baseOffset), tensor);
            }

            map.Add(new(tensor, SafetensorsJson.GetString(ref reader, options.MaxStringBytes, baseOffset, file, tensor)));
        }

        return map;
    }
}
