using LlmSize.Core.Sources;
using System.Buffers;
using System.Collections.Immutable;
using System.IO.Compression;
using System.Text.Json;
using LlmSize.Core.Formats.PyTorch.Pickle;
using LlmSize.Core.Models;

namespace LlmSize.Core.Formats.PyTorch;

/// <summary>
/// Reads PyTorch checkpoints in torch's zip format (<c>torch.save</c> since 1.6) and sharded
/// <c>pytorch_model.bin.index.json</c> checkpoints, WITHOUT executing the pickle: a restricted pickle reader that
/// knows only the opcodes and globals torch checkpoints use turns <c>data.pkl</c> into tensor descriptions, and the
/// zip directory gives the storages' byte sizes. Tensor data is never read or inflated.
/// </summary>
/// <remarks>
/// Archive layout: torch/serialization.py (<c>_save</c>: <c>data.pkl</c>, <c>data/&lt;key&gt;</c>, <c>byteorder</c>,
/// <c>version</c>, <c>.data/serialization_id</c>) and caffe2/serialize/inline_container.h (entries stored
/// uncompressed under one folder). Pickle opcodes: CPython Lib/pickletools.py. See README.md in this folder.
/// </remarks>
public static class PyTorchCheckpointReader
{
    /// <summary>Reads one zip checkpoint file.</summary>
    /// <param name="path">Path of a <c>pytorch_model.bin</c> / <c>.pt</c> / <c>.pth</c> file.</param>
    /// <param name="options">Limits; null for <see cref="PyTorchReaderOptions.Default"/>.</param>
    /// <returns>Tensors and storages.</returns>
    /// <exception cref="ArgumentException"><paramref name="path"/> is null or empty.</exception>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="ModelFormatException">The file is malformed, hostile (a refused pickle global, path
    /// traversal), truncated, another format, or exceeds a limit of <paramref name="options"/>.</exception>
    /// <exception cref="NotSupportedException">A legacy (pre-1.6, non-zip) torch file.</exception>
    public static PyTorchCheckpoint Read(string path, PyTorchReaderOptions? options = null) =>
        ReadFileAsync(path, options ?? PyTorchReaderOptions.Default, async: false, CancellationToken.None).GetAwaiter().GetResult();

    /// <summary>Reads one zip checkpoint file asynchronously.</summary>
    /// <param name="path">Path of a <c>pytorch_model.bin</c> / <c>.pt</c> / <c>.pth</c> file.</param>
    /// <param name="options">Limits; null for defaults.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>Tensors and storages.</returns>
    /// <exception cref="ModelFormatException">See <see cref="Read(string, PyTorchReaderOptions?)"/>.</exception>
    /// <exception cref="NotSupportedException">A legacy (pre-1.6, non-zip) torch file.</exception>
    public static Task<PyTorchCheckpoint> ReadAsync(string path, PyTorchReaderOptions? options = null,
        CancellationToken cancellationToken = default) =>
        ReadFileAsync(path, options ?? PyTorchReaderOptions.Default, async: true, cancellationToken).AsTask();

    /// <summary>Reads a zip checkpoint from a seekable stream (zip directories are at the end).</summary>
    /// <param name="stream">Readable, seekable stream positioned anywhere; it is left open.</param>
    /// <param name="sourcePath">Name used in errors and in <see cref="TensorInfo.FilePath"/>; may be null.</param>
    /// <param name="options">Limits; null for defaults.</param>
    /// <returns>Tensors and storages.</returns>
    /// <exception cref="ArgumentException">The stream is not readable or not seekable.</exception>
    /// <exception cref="ModelFormatException">See <see cref="Read(string, PyTorchReaderOptions?)"/>.</exception>
    /// <exception cref="NotSupportedException">A legacy (pre-1.6, non-zip) torch file.</exception>
    public static PyTorchCheckpoint Read(Stream stream, string? sourcePath = null, PyTorchReaderOptions? options = null)
    {
        ValidateStream(stream);
        return ReadStreamAsync(stream, sourcePath, options ?? PyTorchReaderOptions.Default, async: false, CancellationToken.None)
            .GetAwaiter().GetResult();
    }

    /// <summary>Reads a zip checkpoint from a seekable stream asynchronously.</summary>
    /// <param name="stream">Readable, seekable stream; it is left open.</param>
    /// <param name="sourcePath">Name used in errors; may be null.</param>
    /// <param name="options">Limits; null for defaults.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>Tensors and storages.</returns>
    /// <exception cref="ArgumentException">The stream is not readable or not seekable.</exception>
    /// <exception cref="ModelFormatException">See <see cref="Read(string, PyTorchReaderOptions?)"/>.</exception>
    /// <exception cref="NotSupportedException">A legacy (pre-1.6, non-zip) torch file.</exception>
    public static Task<PyTorchCheckpoint> ReadAsync(Stream stream, string? sourcePath, PyTorchReaderOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        ValidateStream(stream);
        return ReadStreamAsync(stream, sourcePath, options ?? PyTorchReaderOptions.Default, async: true, cancellationToken).AsTask();
    }

    /// <summary>
    /// Reads a sharded checkpoint: <c>pytorch_model.bin.index.json</c> (<c>weight_map</c>: tensor name → shard file
    /// in the same folder) and every shard it names. Every name in the map must be found in its shard.
    /// </summary>
    /// <param name="folderOrIndexPath">The model folder (holding <c>pytorch_model.bin.index.json</c>) or the index file.</param>
    /// <param name="options">Limits; null for defaults.</param>
    /// <returns>All shards' tensors and storages together, with <see cref="PyTorchCheckpoint.IndexPath"/> set.</returns>
    /// <exception cref="FileNotFoundException">No index file at the path.</exception>
    /// <exception cref="ModelFormatException">Malformed index JSON (<see cref="ModelFormatError.InvalidJson"/>), a shard
    /// name escaping the folder (<see cref="ModelFormatError.InvalidValue"/>), a missing shard or a mapped tensor absent
    /// from its shard (<see cref="ModelFormatError.MissingFile"/>), or any shard error.</exception>
    /// <exception cref="NotSupportedException">A shard in the legacy format.</exception>
    public static PyTorchCheckpoint ReadIndexed(string folderOrIndexPath, PyTorchReaderOptions? options = null) =>
        ReadIndexedCoreAsync(folderOrIndexPath, options ?? PyTorchReaderOptions.Default, async: false, CancellationToken.None)
            .GetAwaiter().GetResult();

    /// <summary>Asynchronous <see cref="ReadIndexed"/>.</summary>
    /// <param name="folderOrIndexPath">The model folder or the index file.</param>
    /// <param name="options">Limits; null for defaults.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>All shards' tensors and storages.</returns>
    /// <exception cref="ModelFormatException">See <see cref="ReadIndexed"/>.</exception>
    public static Task<PyTorchCheckpoint> ReadIndexedAsync(string folderOrIndexPath, PyTorchReaderOptions? options = null,
        CancellationToken cancellationToken = default) =>
        ReadIndexedCoreAsync(folderOrIndexPath, options ?? PyTorchReaderOptions.Default, async: true, cancellationToken).AsTask();

    /// <summary>
    /// Sniffs the first bytes of a file: true when they start a zip archive (which a torch ≥ 1.6 checkpoint is, but so
    /// are other zips; <see cref="Read(string, PyTorchReaderOptions?)"/> decides). Needs 4 bytes; never throws.
    /// </summary>
    /// <param name="header">The first bytes of the file (at least 4).</param>
    /// <returns>True for a zip local-file-header signature.</returns>
    public static bool IsZipCheckpointCandidate(ReadOnlySpan<byte> header) =>
        header.Length >= 4 && header[..4].SequenceEqual(PyTorchConstants.ZipLocalHeaderMagic);

    /// <summary>True when the bytes start a legacy (pre-1.6) torch file. Needs 14 bytes; never throws.</summary>
    /// <param name="header">The first bytes of the file.</param>
    /// <returns>True for torch's legacy magic-number pickle.</returns>
    public static bool IsLegacyCheckpoint(ReadOnlySpan<byte> header) =>
        header.Length >= PyTorchConstants.LegacyMagic.Length && header[..PyTorchConstants.LegacyMagic.Length].SequenceEqual(PyTorchConstants.LegacyMagic);

    // ------------------------------------------------------------------------------------------------------------

    private static void ValidateStream(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        if (!stream.CanRead) throw new ArgumentException("The stream must be readable.", nameof(stream));
        if (!stream.CanSeek) throw new ArgumentException("The stream must be seekable (a zip directory is at its end).", nameof(stream));
    }

    private static async ValueTask<PyTorchCheckpoint> ReadFileAsync(string path, PyTorchReaderOptions options, bool async, CancellationToken ct)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var fs = LocalFileGuard.OpenRead(path, 4096, async ? FileOptions.Asynchronous : FileOptions.None);
        await using (fs.ConfigureAwait(false))
        {
            return await ReadStreamAsync(fs, path, options, async, ct).ConfigureAwait(false);
        }
    }

    private static async ValueTask<PyTorchCheckpoint> ReadStreamAsync(Stream stream, string? path, PyTorchReaderOptions options,
        bool async, CancellationToken ct)
    {
        var parsed = await ParseArchiveAsync(stream, path, options, async, ct).ConfigureAwait(false);
        return Assemble([parsed], indexPath: null, indexTotalSize: null, options);
    }

    private sealed record ParsedFile(string? Path, string ArchiveName, string? ByteOrder, List<(string Name, PickleTensor Tensor)> Tensors,
        Dictionary<string, (PickleStorage Storage, long Bytes, string Entry)> Storages);

    private static async ValueTask<ParsedFile> ParseArchiveAsync(Stream stream, string? path, PyTorchReaderOptions options,
        bool async, CancellationToken ct)
    {
        long start = stream.Position;
        byte[] head = new byte[16];
        int got = 0;
        while (got < head.Length)
        {
            int n = async ? await stream.ReadAsync(head.AsMemory(got), ct).ConfigureAwait(false) : stream.Read(head, got, head.Length - got);
            if (n == 0) break;
            got += n;
        }

        stream.Position = start;
        SniffOrThrow(head.AsSpan(0, got), path);

        ZipArchive zip;
        try
        {
            zip = async
                ? await ZipArchive.CreateAsync(stream, ZipArchiveMode.Read, leaveOpen: true, entryNameEncoding: null, ct).ConfigureAwait(false)
                : new ZipArchive(stream, ZipArchiveMode.Read, leaveOpen: true);
        }
        catch (InvalidDataException ex)
        {
            throw new ModelFormatException(ModelFormatError.Truncated,
                "the zip archive has no readable directory at its end: the file is truncated (an interrupted download?) or not a zip archive", path, null, null, ex);
        }

        await using (zip.ConfigureAwait(false))
        {
            System.Collections.ObjectModel.ReadOnlyCollection<ZipArchiveEntry> entries;
            try
            {
                entries = zip.Entries; // the central directory is parsed here
            }
            catch (InvalidDataException ex)
            {
                throw new ModelFormatException(ModelFormatError.InvalidValue, "the zip archive's central directory is corrupt", path, null, null, ex);
            }

            if (entries.Count > options.MaxZipEntries)
                PyTorchThrowHelper.Throw(ModelFormatError.CountTooLarge, $"{entries.Count} zip entries (cap {options.MaxZipEntries})", path);

            var byName = new Dictionary<string, ZipArchiveEntry>(entries.Count, StringComparer.Ordinal);
            ZipArchiveEntry? pkl = null;
            foreach (var e in entries)
            {
                ValidateEntryName(e.FullName, path);
                if (!byName.TryAdd(e.FullName, e))
                    PyTorchThrowHelper.Throw(ModelFormatError.DuplicateKey, $"zip entry '{e.FullName}' appears twice", path, null, e.FullName);
                int slash = e.FullName.IndexOf('/');
                if (slash > 0 && e.FullName.AsSpan(slash + 1).SequenceEqual(PyTorchConstants.DataPklName))
                {
                    if (pkl is not null)
                        PyTorchThrowHelper.Throw(ModelFormatError.InvalidValue,
                            $"two pickles '{pkl.FullName}' and '{e.FullName}': not one torch checkpoint", path, null, e.FullName);
                    pkl = e;
                }
            }

            if (pkl is null)
            {
                PyTorchThrowHelper.Throw(ModelFormatError.WrongFormat,
                    "zip archive without '<name>/data.pkl': not a torch checkpoint (a .task bundle, .npz or other zip?)", path);
            }

            string archive = pkl.FullName[..pkl.FullName.IndexOf('/')];
            byte[] buffer = await ReadEntryAsync(pkl, options.MaxPickleBytes, path, async, ct, out int length).ConfigureAwait(false);
            object? root;
            Dictionary<string, PickleStorage> storages;
            try
            {
                var vm = new RestrictedUnpickler(buffer, length, options, path, pkl.FullName);
                root = vm.Run();
                storages = new Dictionary<string, PickleStorage>(vm.Storages, StringComparer.Ordinal);
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }

            var tensors = new List<(string, PickleTensor)>();
            CollectTensors(root, prefix: null, depth: 0, tensors, new WalkState(), options, path, pkl.FullName);

            var sized = new Dictionary<string, (PickleStorage, long, string)>(StringComparer.Ordinal);
            foreach (var (key, s) in storages)
            {
                string entryName = archive + "/" + PyTorchConstants.DataFolder + key;
                if (!byName.TryGetValue(entryName, out var entry))
                    PyTorchThrowHelper.Throw(ModelFormatError.MissingFile, $"storage '{key}' has no zip entry '{entryName}'", path, null, entryName);
                long expected = s.DataType.TryGetByteCount(s.Numel, out long b) ? b
                    : PyTorchThrowHelper.Throw<long>(ModelFormatError.ArithmeticOverflow, $"storage '{key}' of {s.Numel} {s.DataType} elements overflows", path, null, entryName);
                if (entry.Length != expected)
                    PyTorchThrowHelper.Throw(ModelFormatError.ShapeSizeMismatch,
                        $"storage '{key}' declares {s.Numel} {s.DataType} elements ({expected} bytes) but its entry holds {entry.Length} bytes",
                        path, null, entryName);
                sized.Add(key, (s, entry.Length, entryName));
            }

            string? byteOrder = null;
            if (byName.TryGetValue(archive + "/" + PyTorchConstants.ByteOrderName, out var bo))
            {
                byte[] b = await ReadEntryAsync(bo, 16, path, async, ct, out int n).ConfigureAwait(false);
                try
                {
                    byteOrder = System.Text.Encoding.ASCII.GetString(b, 0, n).Trim();
                }
                finally
                {
                    ArrayPool<byte>.Shared.Return(b);
                }

                if (byteOrder is not ("little" or "big"))
                    PyTorchThrowHelper.Throw(ModelFormatError.InvalidValue, $"byteorder record '{byteOrder}' is neither 'little' nor 'big'", path, null, bo.FullName);
            }

            return new ParsedFile(path, archive, byteOrder, tensors, sized);
        }
    }

    private static void SniffOrThrow(ReadOnlySpan<byte> head, string? path)
    {
        if (IsZipCheckpointCandidate(head)) return;
        if (IsLegacyCheckpoint(head))
        {
            throw new NotSupportedException(
                $"{path ?? "stream"}: legacy (pre-1.6, non-zip) torch serialization is not supported; re-save it with torch ≥ 1.6 " +
                "(torch.save(torch.load(f, weights_only=True), out)) or convert it to safetensors.");
        }

        // torch.save (≥ 1.6) writes a zip archive; say what the bytes are instead, as one sentence.
        string detail = head.Length >= 4 && head[..4].SequenceEqual(PyTorchConstants.GgufMagic) ? "this is a GGUF file, not a PyTorch checkpoint (name it .gguf)"
            : head.Length > PyTorchConstants.SafetensorsJsonStart && head[PyTorchConstants.SafetensorsJsonStart] == (byte)'{' ? "this is a safetensors file, not a PyTorch checkpoint (name it .safetensors)"
            : head.Length >= 2 && head[0] == 0x1f && head[1] == 0x8b ? "this is gzip-compressed data, not a PyTorch checkpoint (decompress it first)"
            : head.Length >= 2 && head[0] == 0x80 ? "this is a bare pickle stream, not the zip archive torch.save writes; re-save it with torch ≥ 1.6 or convert it to safetensors"
            : head.Length == 0 ? "the file is empty; a PyTorch checkpoint is a zip archive"
            : "this is not a PyTorch checkpoint: torch.save writes a zip archive, and the file does not start with a zip signature (PK\\x03\\x04)";
        PyTorchThrowHelper.Throw(head.Length == 0 ? ModelFormatError.Truncated : ModelFormatError.WrongFormat, detail, path, 0);
    }

    private static void ValidateEntryName(string name, string? path)
    {
        // Zip-slip: torch writes "<archive>/…" names only; anything absolute, with "..", backslashes or drive letters is refused.
        bool bad = name.Length == 0 || name[0] == '/' || name.Contains('\\') || name.Contains(':') || name.Contains('\0')
            || name.Split('/').Any(part => part == "..");
        if (bad)
            PyTorchThrowHelper.Throw(ModelFormatError.InvalidValue, $"zip entry name '{name}' escapes the archive (path traversal refused)", path, null, name);
    }

    private static ValueTask<byte[]> ReadEntryAsync(ZipArchiveEntry entry, long cap, string? path, bool async, CancellationToken ct, out int length)
    {
        if (entry.Length > cap)
            PyTorchThrowHelper.Throw(ModelFormatError.HeaderTooLarge, $"entry of {entry.Length} bytes exceeds the cap of {cap}", path, null, entry.FullName);
        length = (int)entry.Length;
        return ReadEntryCoreAsync(entry, length, path, async, ct);
    }

    private static async ValueTask<byte[]> ReadEntryCoreAsync(ZipArchiveEntry entry, int length, string? path, bool async, CancellationToken ct)
    {
        byte[] buffer = ArrayPool<byte>.Shared.Rent(Math.Max(length, 1));
        try
        {
            Stream s = async ? await entry.OpenAsync(ct).ConfigureAwait(false) : entry.Open();
            await using (s.ConfigureAwait(false))
            {
                // Read exactly the declared uncompressed length, never more: a deflate bomb cannot grow past it.
                if (async) await s.ReadExactlyAsync(buffer.AsMemory(0, length), ct).ConfigureAwait(false);
                else s.ReadExactly(buffer, 0, length);
            }

            return buffer;
        }
        catch (Exception ex) when (ex is EndOfStreamException or InvalidDataException)
        {
            ArrayPool<byte>.Shared.Return(buffer);
            throw new ModelFormatException(ModelFormatError.Truncated, "the zip entry's data ends early or is corrupt",
                path, null, entry.FullName, ex);
        }
        catch
        {
            ArrayPool<byte>.Shared.Return(buffer);
            throw;
        }
    }

    /// <summary>What a tensor walk has seen: containers already walked (by reference: the pickle memo lets one
    /// list or dict be reached along many paths, 2^depth for a memo DAG) and the references followed.</summary>
    private sealed class WalkState
    {
        public readonly HashSet<object> Walked = new(ReferenceEqualityComparer.Instance);
        public readonly HashSet<object> OnPath = new(ReferenceEqualityComparer.Instance);
        public long Visited;
    }

    private static void CollectTensors(object? value, string? prefix, int depth, List<(string, PickleTensor)> into,
        WalkState state, PyTorchReaderOptions options, string? path, string entry)
    {
        if (depth > options.MaxNestingDepth)
            PyTorchThrowHelper.Throw(ModelFormatError.NestingTooDeep, $"checkpoint objects nested deeper than {options.MaxNestingDepth}", path, null, entry);
        if (++state.Visited > options.MaxVisitedNodes)
        {
            PyTorchThrowHelper.Throw(ModelFormatError.WorkBudgetExceeded,
                $"walking the checkpoint's objects for tensors took more than {options.MaxVisitedNodes:N0} steps (MaxVisitedNodes)", path, null, prefix ?? entry);
        }

        // A container reached a second time (shared through the memo) holds tensors already listed under its first
        // path; walking it again would only repeat them, exponentially for a DAG of shared lists.
        bool container = value is PickleDict or PickleList or PickleTuple;
        if (container && !state.Walked.Add(value!))
        {
            if (state.OnPath.Contains(value!))
            {
                PyTorchThrowHelper.Throw(ModelFormatError.NestingTooDeep,
                    "a checkpoint container contains itself (a cycle: its nesting has no end)", path, null, prefix ?? entry);
            }

            return;
        }

        if (container) state.OnPath.Add(value!);
        switch (value)
        {
            case PickleTensor t:
                if (into.Count >= options.MaxTensorCount)
                    PyTorchThrowHelper.Throw(ModelFormatError.CountTooLarge, $"more than {options.MaxTensorCount} tensors", path, null, entry);
                into.Add((prefix ?? "tensor", t));
                break;
            case PickleDict d:
                foreach (var (k, v) in d)
                {
                    string key = k switch
                    {
                        string s => s,
                        long l => l.ToString(System.Globalization.CultureInfo.InvariantCulture),
                        _ => PyTorchThrowHelper.Throw<string>(ModelFormatError.InvalidValue, "dict key is neither a string nor an int", path, null, entry),
                    };
                    CollectTensors(v, prefix is null ? key : prefix + "." + key, depth + 1, into, state, options, path, entry);
                }

                break;
            case PickleList l:
                for (int i = 0; i < l.Count; i++) CollectTensors(l[i], Join(prefix, i), depth + 1, into, state, options, path, entry);
                break;
            case PickleTuple tu:
                for (int i = 0; i < tu.Items.Length; i++) CollectTensors(tu.Items[i], Join(prefix, i), depth + 1, into, state, options, path, entry);
                break;
            // Scalars, strings, dtypes and None (epoch counters, config values) hold no parameters.
        }

        if (container) state.OnPath.Remove(value!);
    }

    private static string Join(string? prefix, int i) =>
        prefix is null ? i.ToString(System.Globalization.CultureInfo.InvariantCulture) : prefix + "." + i.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private static PyTorchCheckpoint Assemble(IReadOnlyList<ParsedFile> files, string? indexPath, long? indexTotalSize, PyTorchReaderOptions options)
    {
        var details = ImmutableArray.CreateBuilder<PyTorchTensorInfo>();
        var storages = ImmutableArray.CreateBuilder<PyTorchStorageInfo>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        string? byteOrder = null;
        foreach (var f in files)
        {
            byteOrder ??= f.ByteOrder;
            var useCount = new Dictionary<string, int>(StringComparer.Ordinal);
            var firstView = new Dictionary<(string, long, string, string), string>();
            foreach (var (name, t) in f.Tensors)
            {
                if (!names.Add(name))
                    PyTorchThrowHelper.Throw(ModelFormatError.DuplicateKey, $"tensor '{name}' appears twice", f.Path, null, name);
                if (names.Count > options.MaxTensorCount)
                    PyTorchThrowHelper.Throw(ModelFormatError.CountTooLarge, $"more than {options.MaxTensorCount} tensors", f.Path);
                var (storage, _, _) = f.Storages[t.Storage.Key];
                long elements = 1;
                long last = t.StorageOffset;
                try
                {
                    for (int i = 0; i < t.Size.Length; i++)
                    {
                        elements = checked(elements * t.Size[i]);
                        if (t.Size[i] > 0) last = checked(last + (t.Size[i] - 1) * t.Stride[i]);
                    }
                }
                catch (OverflowException)
                {
                    PyTorchThrowHelper.Throw(ModelFormatError.ArithmeticOverflow, $"shape [{string.Join(", ", t.Size)}] overflows 64 bits", f.Path, null, name);
                }

                if (elements > 0 && last >= storage.Numel)
                    PyTorchThrowHelper.Throw(ModelFormatError.OffsetOutOfRange,
                        $"view (offset {t.StorageOffset}, shape [{string.Join(", ", t.Size)}], stride [{string.Join(", ", t.Stride)}]) reaches element {last} of storage '{storage.Key}' holding {storage.Numel}",
                        f.Path, null, name);
                long bytes = storage.DataType.TryGetByteCount(elements, out long b) ? b
                    : PyTorchThrowHelper.Throw<long>(ModelFormatError.ArithmeticOverflow, $"{elements} {storage.DataType} elements overflow", f.Path, null, name);

                var viewKey = (storage.Key, t.StorageOffset, string.Join(",", t.Size), string.Join(",", t.Stride));
                string? aliasOf = firstView.TryGetValue(viewKey, out string? first) ? first : null;
                if (aliasOf is null) firstView.Add(viewKey, name);
                useCount[storage.Key] = useCount.GetValueOrDefault(storage.Key) + 1;

                var info = new TensorInfo(name, t.Size, storage.DataType, bytes) { FilePath = f.Path, AliasOf = aliasOf };
                details.Add(new PyTorchTensorInfo(info, storage.Key, t.StorageOffset, t.Stride, t.RequiresGrad, t.IsParameter));
            }

            foreach (var (key, (s, len, entry)) in f.Storages)
            {
                storages.Add(new PyTorchStorageInfo(key, s.DataType, s.Numel, len, s.Location, f.Path ?? string.Empty, entry,
                    useCount.GetValueOrDefault(key)));
            }
        }

        return new PyTorchCheckpoint
        {
            Files = [.. files.Select(f => f.Path ?? string.Empty)],
            ArchiveNames = [.. files.Select(f => f.ArchiveName)],
            IndexPath = indexPath,
            IndexTotalSize = indexTotalSize,
            ByteOrder = byteOrder,
            TensorDetails = details.ToImmutable(),
            Storages = storages.ToImmutable(),
        };
    }

    private static async ValueTask<PyTorchCheckpoint> ReadIndexedCoreAsync(string folderOrIndexPath, PyTorchReaderOptions options,
        bool async, CancellationToken ct)
    {
        ArgumentException.ThrowIfNullOrEmpty(folderOrIndexPath);
        string indexPath = Directory.Exists(folderOrIndexPath)
            ? Path.Combine(folderOrIndexPath, PyTorchConstants.IndexFileName)
            : folderOrIndexPath;
        if (!File.Exists(indexPath)) throw new FileNotFoundException($"No PyTorch checkpoint index at '{indexPath}'.", indexPath);
        string folder = Path.GetDirectoryName(Path.GetFullPath(indexPath))!;

        long size = LocalFileGuard.GetLength(indexPath);
        if (size > options.MaxIndexBytes)
            PyTorchThrowHelper.Throw(ModelFormatError.HeaderTooLarge, $"index of {size} bytes exceeds the cap of {options.MaxIndexBytes}", indexPath);
        byte[] json = async
            ? await LocalFileGuard.ReadAllBytesAsync(indexPath, options.MaxIndexBytes, ct).ConfigureAwait(false)
            : LocalFileGuard.ReadAllBytes(indexPath, options.MaxIndexBytes);

        var weightMap = new List<(string Tensor, string Shard)>();
        long? totalSize = null;
        try
        {
            JsonUtf8.Ensure(json, indexPath, "the index");
            using var doc = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = 8 });
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
                PyTorchThrowHelper.Throw(ModelFormatError.InvalidJson, "index root is not a JSON object", indexPath);
            if (doc.RootElement.TryGetProperty("metadata", out var meta) && meta.ValueKind == JsonValueKind.Object
                && meta.TryGetProperty("total_size", out var ts) && ts.ValueKind == JsonValueKind.Number)
            {
                totalSize = ts.TryGetInt64(out long t) && t >= 0 ? t
                    : PyTorchThrowHelper.Throw<long>(ModelFormatError.InvalidJson, "metadata.total_size is not a non-negative integer", indexPath, null, "metadata.total_size");
            }

            if (!doc.RootElement.TryGetProperty("weight_map", out var map) || map.ValueKind != JsonValueKind.Object)
                PyTorchThrowHelper.Throw(ModelFormatError.MissingField, "index has no 'weight_map' object", indexPath, null, "weight_map");
            foreach (var p in map.EnumerateObject())
            {
                if (p.Value.ValueKind != JsonValueKind.String)
                    PyTorchThrowHelper.Throw(ModelFormatError.InvalidJson, "weight_map value is not a file name string", indexPath, null, p.Name);
                if (weightMap.Count >= options.MaxTensorCount)
                    PyTorchThrowHelper.Throw(ModelFormatError.CountTooLarge, $"weight_map has more than {options.MaxTensorCount} entries", indexPath);
                weightMap.Add((p.Name, p.Value.GetString()!));
            }
        }
        catch (JsonException ex)
        {
            throw new ModelFormatException(ModelFormatError.InvalidJson, "index is " + JsonSyntaxError.Describe(ex), indexPath, null, null, ex);
        }

        var shardOrder = new List<string>();
        var expected = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        foreach (var (tensor, shard) in weightMap)
        {
            if (shard.Length == 0 || shard != Path.GetFileName(shard) || shard is "." or ".." || shard.Contains('\\') || shard.Contains(':'))
                PyTorchThrowHelper.Throw(ModelFormatError.InvalidValue, $"shard name '{shard}' is not a plain file name in the model folder (path traversal refused)", indexPath, null, tensor);
            if (!expected.TryGetValue(shard, out var set))
            {
                if (shardOrder.Count >= options.MaxShards)
                    PyTorchThrowHelper.Throw(ModelFormatError.CountTooLarge, $"index names more than {options.MaxShards} shards", indexPath);
                expected[shard] = set = new HashSet<string>(StringComparer.Ordinal);
                shardOrder.Add(shard);
            }

            set.Add(tensor);
        }

        var parsed = new List<ParsedFile>(shardOrder.Count);
        foreach (string shard in shardOrder)
        {
            ct.ThrowIfCancellationRequested();
            string shardPath = Path.Combine(folder, shard);
            if (!File.Exists(shardPath))
                PyTorchThrowHelper.Throw(ModelFormatError.MissingFile, $"shard '{shard}' named by the index does not exist", indexPath, null, shard);
            var f = await ReadFileParsedAsync(shardPath, options, async, ct).ConfigureAwait(false);
            var present = f.Tensors.Select(t => t.Name).ToHashSet(StringComparer.Ordinal);
            foreach (string name in expected[shard])
            {
                if (!present.Contains(name))
                    PyTorchThrowHelper.Throw(ModelFormatError.MissingFile, $"tensor '{name}' is mapped to shard '{shard}' but the shard does not hold it", indexPath, null, name);
            }

            parsed.Add(f);
        }

        return Assemble(parsed, indexPath, totalSize, options);
    }

    private static async ValueTask<ParsedFile> ReadFileParsedAsync(string path, PyTorchReaderOptions options, bool async, CancellationToken ct)
    {
        var fs = LocalFileGuard.OpenRead(path, 4096, async ? FileOptions.Asynchronous : FileOptions.None);
        await using (fs.ConfigureAwait(false))
        {
            return await ParseArchiveAsync(fs, path, options, async, ct).ConfigureAwait(false);
        }
    }
}
