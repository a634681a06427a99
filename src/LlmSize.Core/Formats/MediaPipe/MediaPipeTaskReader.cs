using LlmSize.Core.Sources;
using System.Buffers;
using System.Collections.Immutable;
using System.IO.Compression;
using System.IO.MemoryMappedFiles;
using LlmSize.Core.Formats.Tflite;
using LlmSize.Core.Formats.Tflite.Internal;
using M = LlmSize.Core.Formats.MediaPipe.MediaPipeConstants;

namespace LlmSize.Core.Formats.MediaPipe;

/// <summary>
/// Reads MediaPipe <c>.task</c> bundles: zip archives holding one or more TFLite models (MediaPipe LLM Inference:
/// <c>TF_LITE_PREFILL_DECODE</c>, <c>TF_LITE_EMBEDDER</c> …) beside a tokenizer (<c>TOKENIZER_MODEL</c>) and metadata.
/// </summary>
/// <remarks>
/// The zip directory is read with <see cref="ZipArchive"/> (PKWARE APPNOTE.TXT). Each entry's first 8 bytes say
/// what it is; TFLite entries are parsed with <see cref="TfliteReader"/>'s parser. Stored (uncompressed) entries —
/// MediaPipe writes its models that way so runtimes can map them — are memory-mapped in place: the data offset is
/// taken from the archive stream after the entry stream's first read and confirmed by comparing the first 4 KiB,
/// else the entry is copied like a compressed one. Compressed entries are inflated into pooled memory after the
/// uncompressed size is checked against <see cref="MediaPipeTaskReaderOptions.MaxInflatedEntryBytes"/> and the ratio
/// against <see cref="MediaPipeTaskReaderOptions.MaxCompressionRatio"/>, and the inflated output is cut off at the
/// declared size (zip-bomb guards). Entry names that are rooted or climb out with <c>..</c> are refused, though
/// nothing is ever written to disk.
/// </remarks>
public static class MediaPipeTaskReader
{
    /// <summary>Reads a <c>.task</c> bundle's directory and the TFLite models in it.</summary>
    /// <param name="path">Path of the <c>.task</c> file.</param>
    /// <param name="options">Limits; <see cref="MediaPipeTaskReaderOptions.Default"/> when null.</param>
    /// <returns>The entries, their sizes and the parsed models; <see cref="MediaPipeTaskInfo.DownloadBytes"/> is the
    /// file length.</returns>
    /// <exception cref="ModelFormatException">The file is not a zip (<see cref="ModelFormatError.InvalidMagic"/>, or
    /// <see cref="ModelFormatError.WrongFormat"/> for a bare TFLite file), its directory is corrupt, an entry name is
    /// unsafe (<see cref="ModelFormatError.InvalidValue"/>) or repeated (<see cref="ModelFormatError.DuplicateKey"/>),
    /// an entry exceeds the size or ratio caps (<see cref="ModelFormatError.HeaderTooLarge"/>), there are too many
    /// entries (<see cref="ModelFormatError.CountTooLarge"/>), or a model inside is malformed.</exception>
    /// <exception cref="ArgumentException"><paramref name="path"/> is empty or an option is out of range.</exception>
    /// <exception cref="IOException">The file cannot be opened.</exception>
    public static MediaPipeTaskInfo Read(string path, MediaPipeTaskReaderOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        options ??= MediaPipeTaskReaderOptions.Default;
        options.Validate();
        using var fs = LocalFileGuard.OpenRead(path, bufferSize: 4096, FileOptions.RandomAccess);
        long fileLength = fs.Length;
        CheckMagic(fs, path);

        try
        {
            return ReadArchive(fs, fileLength, path, options);
        }
        catch (InvalidDataException e)
        {
            // ZipArchive reports a corrupt directory, header or deflate stream this way, also lazily (Entries, Open).
            MediaPipeThrowHelper.ThrowCorrupt(path, null, e);
            throw;
        }
    }

    private static MediaPipeTaskInfo ReadArchive(FileStream fs, long fileLength, string path, MediaPipeTaskReaderOptions options)
    {
        using var zip = new ZipArchive(fs, ZipArchiveMode.Read, leaveOpen: true);
        if (zip.Entries.Count > options.MaxEntries)
        {
            MediaPipeThrowHelper.Throw(ModelFormatError.CountTooLarge,
                $"MediaPipe .task bundle has {zip.Entries.Count} entries; the cap is {options.MaxEntries}", path);
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        var entries = ImmutableArray.CreateBuilder<MediaPipeTaskEntry>(zip.Entries.Count);
        MemoryMappedFile? mmf = null;
        try
        {
            foreach (ZipArchiveEntry entry in zip.Entries)
            {
                ValidateName(entry.FullName, options, path);
                if (!seen.Add(entry.FullName))
                {
                    MediaPipeThrowHelper.Throw(ModelFormatError.DuplicateKey,
                        $"MediaPipe .task bundle holds two entries named '{entry.FullName}'", path, null, entry.FullName);
                }

                entries.Add(ReadEntry(entry, fs, fileLength, path, options, ref mmf));
            }
        }
        finally
        {
            mmf?.Dispose();
        }

        return new MediaPipeTaskInfo(path, fileLength, entries.MoveToImmutable());
    }

    /// <summary>Reads a <c>.task</c> bundle on a worker thread; see <see cref="Read"/>.</summary>
    /// <param name="path">Path of the <c>.task</c> file.</param>
    /// <param name="options">Limits; defaults when null.</param>
    /// <param name="cancellationToken">Cancels before the read starts.</param>
    /// <returns>The bundle description.</returns>
    /// <exception cref="ModelFormatException">As <see cref="Read"/>.</exception>
    /// <exception cref="IOException">The file cannot be opened.</exception>
    /// <exception cref="OperationCanceledException">The token was cancelled.</exception>
    public static Task<MediaPipeTaskInfo> ReadAsync(string path, MediaPipeTaskReaderOptions? options = null,
        CancellationToken cancellationToken = default) =>
        Task.Run(() => Read(path, options), cancellationToken);

    private static void CheckMagic(FileStream fs, string path)
    {
        Span<byte> head = stackalloc byte[M.SniffLength];
        int n = fs.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        fs.Position = 0;
        head = head[..n];
        if (n >= 4 && (head[..4].SequenceEqual(M.LocalHeaderMagic) || head[..4].SequenceEqual(M.EmptyArchiveMagic))) return;
        if (TfliteFormatDetector.IsTflite(head))
        {
            MediaPipeThrowHelper.Throw(ModelFormatError.WrongFormat,
                "this is a bare TFLite flatbuffer, not a .task zip bundle; read it with TfliteReader", path, 0);
        }

        MediaPipeThrowHelper.Throw(n < 4 ? ModelFormatError.Truncated : ModelFormatError.InvalidMagic,
            $"MediaPipe .task bundle must start with a zip signature \"PK\\x03\\x04\"; found 0x{Convert.ToHexString(head)}", path, 0);
    }

    /// <summary>Refuses names that are rooted, carry a drive letter or NUL, or have a ".." segment.</summary>
    internal static void ValidateName(string name, MediaPipeTaskReaderOptions options, string path)
    {
        if (name.Length > options.MaxEntryNameLength)
        {
            MediaPipeThrowHelper.Throw(ModelFormatError.StringTooLong,
                $"MediaPipe .task entry name of {name.Length} characters exceeds the cap of {options.MaxEntryNameLength}",
                path, null, name[..Math.Min(name.Length, 64)]);
        }

        bool rooted = name.Length > 0 && (name[0] == '/' || name[0] == '\\');
        bool drive = name.Length >= 2 && name[1] == ':' && char.IsAsciiLetter(name[0]);
        bool traversal = name.Split('/', '\\').Any(s => s == "..");
        if (name.Length == 0 || rooted || drive || traversal || name.Contains('\0'))
        {
            MediaPipeThrowHelper.Throw(ModelFormatError.InvalidValue,
                $"MediaPipe .task entry name '{name.Replace("\0", "\\0")}' is empty, rooted or climbs out of the bundle (path traversal)",
                path, null, name.Replace("\0", "\\0"));
        }
    }

    private static MediaPipeTaskEntry ReadEntry(ZipArchiveEntry entry, FileStream fs, long fileLength, string path,
        MediaPipeTaskReaderOptions options, ref MemoryMappedFile? mmf)
    {
        string name = entry.FullName;
        long length = entry.Length;
        long compressed = entry.CompressedLength;
        if (name.EndsWith('/'))
        {
            return new MediaPipeTaskEntry(name, length, compressed, MediaPipeTaskEntryKind.Directory, null, false);
        }

        if (length < 0 || compressed < 0 || compressed > fileLength)
        {
            MediaPipeThrowHelper.Throw(ModelFormatError.OffsetOutOfRange,
                $"MediaPipe .task entry declares {compressed} compressed bytes in a {fileLength}-byte file", path, null, name);
        }

        string modelName = path + "!/" + name;
        using Stream es = entry.Open();
        int want = (int)Math.Min(length, M.VerifyLength);
        byte[] head = ArrayPool<byte>.Shared.Rent(Math.Max(want, M.SniffLength));
        try
        {
            int got = es.ReadAtLeast(head.AsSpan(0, Math.Min(want, M.SniffLength)), Math.Min(want, M.SniffLength), throwOnEndOfStream: false);
            ReadOnlySpan<byte> sniff = head.AsSpan(0, got);
            if (sniff.Length >= 4 && sniff[..4].SequenceEqual(M.LocalHeaderMagic))
            {
                return new MediaPipeTaskEntry(name, length, compressed, MediaPipeTaskEntryKind.NestedBundle, null, false);
            }

            if (!TfliteFormatDetector.IsTflite(sniff))
            {
                return new MediaPipeTaskEntry(name, length, compressed, MediaPipeTaskEntryKind.Other, null, false);
            }

            // Stored entry: try to map it in place.
            // Models over 2 GB keep their weights after the flatbuffer (external buffers), so only the first
            // MaxFlatbufferBytes of the entry are mapped; external offsets are checked against the entry length.
            if (compressed == length)
            {
                got += es.ReadAtLeast(head.AsSpan(got, want - got), want - got, throwOnEndOfStream: false);
                long dataStart = fs.Position - got;
                if (got == want && dataStart >= 0 && dataStart <= fileLength - length)
                {
                    mmf ??= MemoryMappedFile.CreateFromFile(fs, null, 0, MemoryMappedFileAccess.Read, HandleInheritability.None, leaveOpen: true);
                    long mapped = Math.Min(length, options.Tflite.MaxFlatbufferBytes);
                    using MemoryMappedViewAccessor view = mmf.CreateViewAccessor(dataStart, mapped, MemoryMappedFileAccess.Read);
                    if (SameBytes(view, head.AsSpan(0, (int)Math.Min(got, mapped))))
                    {
                        TfliteModelInfo model = TfliteReader.ParseView(view, mapped, length, modelName, options.Tflite);
                        return new MediaPipeTaskEntry(name, length, compressed, MediaPipeTaskEntryKind.TfliteModel, model, true);
                    }
                }
            }

            // Compressed (or unconfirmed) entry: zip-bomb guards, then inflate into memory.
            if (length > options.MaxInflatedEntryBytes || length > options.Tflite.MaxFlatbufferBytes)
            {
                MediaPipeThrowHelper.Throw(ModelFormatError.HeaderTooLarge,
                    $"MediaPipe .task entry declares {length} uncompressed bytes; the cap for inflating is " +
                    $"{Math.Min(options.MaxInflatedEntryBytes, options.Tflite.MaxFlatbufferBytes)}", path, null, name);
            }

            if (length > (long)options.MaxCompressionRatio * Math.Max(compressed, 1))
            {
                MediaPipeThrowHelper.Throw(ModelFormatError.HeaderTooLarge,
                    $"MediaPipe .task entry inflates {compressed} bytes to {length} (ratio over {options.MaxCompressionRatio}:1, a zip bomb?)",
                    path, null, name);
            }

            var prefix = new ReadOnlyMemory<byte>(head, 0, got);
            TfliteModelInfo inflated = InflateAndParse(prefix, es, length, modelName, path, name, options.Tflite);
            return new MediaPipeTaskEntry(name, length, compressed, MediaPipeTaskEntryKind.TfliteModel, inflated, false);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(head);
        }
    }

    private static TfliteModelInfo InflateAndParse(ReadOnlyMemory<byte> prefix, Stream rest, long declared, string modelName,
        string path, string entryName, TfliteReaderOptions tflite)
    {
        // Read at most declared + 1 bytes, so output beyond the declared size (a lying header) is detected.
        byte[] buf = ArrayPool<byte>.Shared.Rent((int)Math.Min(declared + 1, Array.MaxLength));
        try
        {
            prefix.Span.CopyTo(buf);
            int n = prefix.Length;
            while (n < buf.Length && n <= declared)
            {
                int r = rest.Read(buf, n, (int)Math.Min(buf.Length - n, declared + 1 - n));
                if (r == 0) break;
                n += r;
            }

            if (n != declared)
            {
                MediaPipeThrowHelper.Throw(n > declared ? ModelFormatError.HeaderTooLarge : ModelFormatError.Truncated,
                    $"MediaPipe .task entry inflates to {(n > declared ? "more than" : "only")} {n} bytes, but declares {declared}",
                    path, null, entryName);
            }

            return TfliteParser.Parse(buf.AsSpan(0, n), n, modelName, 0, tflite);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buf);
        }
    }

    private static unsafe bool SameBytes(MemoryMappedViewAccessor view, ReadOnlySpan<byte> expected)
    {
        byte* p = null;
        view.SafeMemoryMappedViewHandle.AcquirePointer(ref p);
        try
        {
            return new ReadOnlySpan<byte>(p + view.PointerOffset, expected.Length).SequenceEqual(expected);
        }
        finally
        {
            view.SafeMemoryMappedViewHandle.ReleasePointer();
        }
    }
}
