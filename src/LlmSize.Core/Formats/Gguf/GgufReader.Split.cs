using LlmSize.Core.Models;

namespace LlmSize.Core.Formats.Gguf;

/// <summary>Split models: several GGUF files written by llama.cpp's <c>gguf-split</c>.</summary>
public static partial class GgufReader
{
    /// <summary>
    /// Reads every part of a split model (<c>model-00001-of-00003.gguf</c> …) and combines their tensors; a path that
    /// is not split-named is read as a single file. Each part's <c>split.no</c> (0-based), <c>split.count</c> and
    /// <c>split.tensors.count</c> (as gguf-split writes them) must agree with the file names and the tensors found.
    /// </summary>
    /// <param name="firstPartPath">Path of any part (normally part 1); the other parts are found by name beside it.</param>
    /// <param name="options">Limits applied to each part.</param>
    /// <returns>A <see cref="GgufFile"/> with the first part's metadata, all tensors (each naming its own file) and the
    /// parts in <see cref="GgufFile.Parts"/>.</returns>
    /// <exception cref="ArgumentException"><paramref name="firstPartPath"/> is null or empty.</exception>
    /// <exception cref="ModelFormatException">A part is malformed; a part is missing or a single file declares
    /// <c>split.count</c> &gt; 1 (<see cref="ModelFormatError.MissingFile"/>); split keys disagree
    /// (<see cref="ModelFormatError.InvalidValue"/> / <see cref="ModelFormatError.MissingField"/>); a tensor name
    /// repeats across parts (<see cref="ModelFormatError.DuplicateKey"/>).</exception>
    /// <exception cref="IOException">A part cannot be read.</exception>
    public static GgufFile ReadSplit(string firstPartPath, GgufReaderOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(firstPartPath);
        if (!GgufSplitName.TryParse(firstPartPath, out string prefix, out _, out int count))
        {
            return CheckUnsplit(Read(firstPartPath, options));
        }

        var parts = new List<GgufFile>(count);
        for (int p = 1; p <= count; p++)
        {
            parts.Add(Read(RequirePart(prefix, p, count), options));
        }

        return Combine(parts);
    }

    /// <summary>Asynchronous <see cref="ReadSplit"/>.</summary>
    /// <param name="firstPartPath">Path of any part.</param>
    /// <param name="options">Limits applied to each part.</param>
    /// <param name="cancellationToken">Cancels the reads.</param>
    /// <returns>The combined header.</returns>
    /// <exception cref="ArgumentException"><paramref name="firstPartPath"/> is null or empty.</exception>
    /// <exception cref="ModelFormatException">See <see cref="ReadSplit"/>.</exception>
    /// <exception cref="IOException">A part cannot be read.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public static async Task<GgufFile> ReadSplitAsync(string firstPartPath, GgufReaderOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(firstPartPath);
        if (!GgufSplitName.TryParse(firstPartPath, out string prefix, out _, out int count))
        {
            return CheckUnsplit(await ReadAsync(firstPartPath, options, cancellationToken).ConfigureAwait(false));
        }

        var parts = new List<GgufFile>(count);
        for (int p = 1; p <= count; p++)
        {
            parts.Add(await ReadAsync(RequirePart(prefix, p, count), options, cancellationToken).ConfigureAwait(false));
        }

        return Combine(parts);
    }

    /// <summary>
    /// Reads a split model (or a single file) of a model source, the parts' headers in parallel (at most
    /// <paramref name="maxParallel"/> at once): the same checks as <see cref="ReadSplit(string, GgufReaderOptions?)"/>.
    /// </summary>
    /// <param name="source">The source (a local folder, the Hub, …).</param>
    /// <param name="path">Path of any part in the source.</param>
    /// <param name="options">Limits applied to each part.</param>
    /// <param name="maxParallel">Parts read at once.</param>
    /// <param name="cancellationToken">Cancels the reads.</param>
    /// <returns>The combined header; each part's <see cref="GgufFile.FilePath"/> is the source's name for it.</returns>
    /// <exception cref="ModelFormatException">See <see cref="ReadSplit(string, GgufReaderOptions?)"/>.</exception>
    /// <exception cref="IOException">A part cannot be read.</exception>
    public static async Task<GgufFile> ReadSplitAsync(Sources.IModelSource source, string path, GgufReaderOptions? options = null,
        int maxParallel = 8, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!GgufSplitName.TryParse(path, out string prefix, out _, out int count))
        {
            await using var single = source.OpenRead(path);
            return CheckUnsplit(await ReadAsync(single, options, source.DisplayPath(path), cancellationToken).ConfigureAwait(false));
        }

        var names = new string[count];
        for (int p = 1; p <= count; p++)
        {
            names[p - 1] = GgufSplitName.GetPartPath(prefix, p, count);
            if (!source.Exists(names[p - 1]))
            {
                GgufThrowHelper.Throw(ModelFormatError.MissingFile, $"part {p} of {count} of the split model is missing",
                    source.DisplayPath(names[p - 1]), null, null);
            }
        }

        var parts = await Sources.ParallelReads.InOrderAsync(names, Math.Max(1, maxParallel), async (name, ct) =>
        {
            await using var stream = source.OpenRead(name);
            return await ReadAsync(stream, options, source.DisplayPath(name), ct).ConfigureAwait(false);
        }, cancellationToken).ConfigureAwait(false);
        return Combine([.. parts]);
    }

    private static string RequirePart(string prefix, int part, int count)
    {
        string path = GgufSplitName.GetPartPath(prefix, part, count);
        if (!File.Exists(path))
        {
            GgufThrowHelper.Throw(ModelFormatError.MissingFile, $"part {part} of {count} of the split model is missing", path, null, null);
        }

        return path;
    }

    private static GgufFile CheckUnsplit(GgufFile file)
    {
        if (file.TryGetInt64(GgufConstants.SplitCountKey, out long declared) && declared > 1)
        {
            GgufThrowHelper.Throw(ModelFormatError.MissingFile,
                $"the file is part of a model split into {declared} files, but its name does not follow '<name>-00001-of-{declared:D5}.gguf', so the other parts cannot be found",
                file.FilePath, null, GgufConstants.SplitCountKey);
        }

        return file;
    }

    private static GgufFile Combine(List<GgufFile> parts)
    {
        int count = parts.Count;
        if (count == 1 && !parts[0].Metadata.ContainsKey(GgufConstants.SplitCountKey)) return parts[0];
        var tensors = new List<TensorInfo>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        long? declaredTensors = null;
        long? totalLength = 0;
        for (int i = 0; i < count; i++)
        {
            GgufFile part = parts[i];
            long no = RequireSplitKey(part, GgufConstants.SplitNoKey);
            long partCount = RequireSplitKey(part, GgufConstants.SplitCountKey);
            long tensorsCount = RequireSplitKey(part, GgufConstants.SplitTensorsCountKey);
            if (no != i)
            {
                SplitMismatch(part, GgufConstants.SplitNoKey, $"split.no = {no}, but the file name makes it part index {i} (0-based)");
            }

            if (partCount != count)
            {
                SplitMismatch(part, GgufConstants.SplitCountKey, $"split.count = {partCount}, but the file names say {count} parts");
            }

            if (declaredTensors is long first && first != tensorsCount)
            {
                SplitMismatch(part, GgufConstants.SplitTensorsCountKey, $"split.tensors.count = {tensorsCount}, but part 1 says {first}");
            }

            declaredTensors = tensorsCount;
            foreach (TensorInfo t in part.Tensors)
            {
                if (!names.Add(t.Name))
                {
                    GgufThrowHelper.Throw(ModelFormatError.DuplicateKey, $"tensor '{t.Name}' appears in more than one part", part.FilePath, null, t.Name);
                }

                tensors.Add(t);
            }

            totalLength = totalLength + part.FileLength;
        }

        if (declaredTensors != tensors.Count)
        {
            SplitMismatch(parts[0], GgufConstants.SplitTensorsCountKey,
                $"split.tensors.count = {declaredTensors}, but the {count} parts hold {tensors.Count} tensors");
        }

        GgufFile head = parts[0];
        return new GgufFile(head.Version, head.IsBigEndian, head.Alignment, head.Metadata, tensors, head.HeaderLength,
            head.TensorDataOffset, totalLength, head.FilePath, parts);
    }

    private static long RequireSplitKey(GgufFile part, string key)
    {
        if (!part.TryGetValue(key, out GgufValue value))
        {
            GgufThrowHelper.Throw(ModelFormatError.MissingField, $"a split part lacks the '{key}' key", part.FilePath, null, key);
        }

        if (!value.TryGetInt64(out long n))
        {
            GgufThrowHelper.Throw(ModelFormatError.InvalidValue, $"'{key}' must be an integer, not {value.Type}", part.FilePath, null, key);
        }

        return n;
    }

    private static void SplitMismatch(GgufFile part, string key, string detail) =>
        GgufThrowHelper.Throw(ModelFormatError.InvalidValue, detail, part.FilePath, null, key);
}
