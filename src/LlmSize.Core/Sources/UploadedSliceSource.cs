namespace LlmSize.Core.Sources;

/// <summary>The first bytes of one file of a model, as a browser sends them: <c>File.slice</c> of the real
/// file, and the real file's length.</summary>
/// <param name="Path">Relative path of the file in the model folder ('/'-separated; a single file: its name).</param>
/// <param name="Length">The real file's exact length in bytes (≥ the slice's length).</param>
/// <param name="Head">Bytes 0 … Head.Length − 1 of the file.</param>
public sealed record UploadedSlice(string Path, long Length, ReadOnlyMemory<byte> Head);

/// <summary>A reader needed bytes of an uploaded file beyond the slice that was posted. The header is larger than the
/// slice: post a slice of at least <see cref="NeededBytes"/> (more when the reader reads on from there).</summary>
public sealed class HeaderSliceTooShortException : InputException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="path">The file.</param>
    /// <param name="postedBytes">Bytes posted for it.</param>
    /// <param name="neededBytes">The end offset of the read that did not fit (bytes from the file's start).</param>
    /// <param name="fileLength">The real file's length.</param>
    public HeaderSliceTooShortException(string path, long postedBytes, long neededBytes, long fileLength)
        : base(InputErrorKind.IncompleteHeader,
            $"{path}: the header goes past the {postedBytes:N0} bytes posted (a read up to byte {neededBytes:N0} of {fileLength:N0}); post a longer slice of the file's start")
    {
        Path = path;
        PostedBytes = postedBytes;
        NeededBytes = neededBytes;
        FileLength = fileLength;
    }

    /// <summary>The file.</summary>
    public string Path { get; }

    /// <summary>Bytes posted for the file.</summary>
    public long PostedBytes { get; }

    /// <summary>The end offset of the read that did not fit: a slice at least this long is needed.</summary>
    public long NeededBytes { get; }

    /// <summary>The real file's length, bytes.</summary>
    public long FileLength { get; }
}

/// <summary>
/// A model source over header slices uploaded by a browser (<c>File.slice(0, n)</c> of each file of a model file or
/// folder) together with the real files' lengths: readers see each file at its real length, so the tensor data ranges
/// a header declares are checked against the real file, and only the posted bytes can be read. A read that starts at
/// or past the end of the posted bytes (but inside the real file) throws <see cref="HeaderSliceTooShortException"/>, so
/// a front end can ask for a longer slice; a read that starts inside the slice returns the bytes the slice has.
/// </summary>
public sealed class UploadedSliceSource : IModelSource
{
    private readonly Dictionary<string, UploadedSlice> _files;
    private readonly SourceStatistics _statistics = new();

    /// <summary>Creates the source.</summary>
    /// <param name="displayName">What to call it in messages ("upload").</param>
    /// <param name="files">The files (at least one; distinct paths).</param>
    /// <exception cref="InputException">No files, a path that is empty, absolute or climbs ("..") out of the folder,
    /// a duplicate path, a negative length or a slice longer than its file.</exception>
    public UploadedSliceSource(string displayName, IEnumerable<UploadedSlice> files)
    {
        ArgumentNullException.ThrowIfNull(files);
        DisplayName = displayName;
        _files = new Dictionary<string, UploadedSlice>(StringComparer.Ordinal);
        foreach (var f in files)
        {
            string path = (f.Path ?? "").Replace('\\', '/');
            if (path.Length == 0 || path.StartsWith('/') || path.Split('/').Any(s => s is "" or "." or ".."))
            {
                throw new InputException(InputErrorKind.InvalidRequest, $"{displayName}: file path '{f.Path}' is not a relative path inside the model folder");
            }

            if (f.Length < 0 || f.Head.Length > f.Length)
            {
                throw new InputException(InputErrorKind.InvalidRequest, $"{displayName}/{path}: {f.Head.Length} bytes posted for a file of {f.Length} bytes");
            }

            if (!_files.TryAdd(path, f with { Path = path }))
            {
                throw new InputException(InputErrorKind.InvalidRequest, $"{displayName}: file '{path}' given twice");
            }
        }

        if (_files.Count == 0) throw new InputException(InputErrorKind.InvalidRequest, $"{displayName}: no files");
    }

    /// <inheritdoc />
    public string DisplayName { get; }

    /// <inheritdoc />
    public SourceStatistics Statistics => _statistics;

    /// <summary>Bytes posted, over all files.</summary>
    public long PostedBytes => _files.Values.Sum(f => (long)f.Head.Length);

    /// <inheritdoc />
    public IReadOnlyList<ModelSourceFile> ListFiles() =>
        _files.Values.Select(f => new ModelSourceFile(f.Path, f.Length)).OrderBy(f => f.Path, StringComparer.Ordinal).ToList();

    /// <inheritdoc />
    public bool Exists(string path) => _files.ContainsKey(path);

    /// <inheritdoc />
    public long GetLength(string path) => Get(path).Length;

    /// <inheritdoc />
    public Stream OpenRead(string path) => new SliceStream(Get(path), DisplayPath(path), _statistics);

    /// <inheritdoc />
    public string? LocalPath(string path) => null;

    /// <inheritdoc />
    public string DisplayPath(string path) => $"{DisplayName}/{path}";

    private UploadedSlice Get(string path) =>
        _files.TryGetValue(path, out var f) ? f : throw new FileNotFoundException($"{DisplayName}: no uploaded file '{path}'", path);

    /// <summary>A read-only, seekable view of a slice at the real file's length.</summary>
    private sealed class SliceStream(UploadedSlice slice, string name, SourceStatistics statistics) : Stream
    {
        private long _position;

        public override bool CanRead => true;

        public override bool CanSeek => true;

        public override bool CanWrite => false;

        public override long Length => slice.Length;

        public override long Position
        {
            get => _position;
            set => _position = value >= 0 ? value : throw new ArgumentOutOfRangeException(nameof(value));
        }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            if (buffer.Length == 0 || _position >= slice.Length) return 0;
            if (_position >= slice.Head.Length)
            {
                long end = Math.Min(slice.Length, _position + buffer.Length);
                throw new HeaderSliceTooShortException(name, slice.Head.Length, end, slice.Length);
            }

            int n = (int)Math.Min(buffer.Length, slice.Head.Length - _position);
            slice.Head.Span.Slice((int)_position, n).CopyTo(buffer);
            _position += n;
            statistics.Record(n);
            return n;
        }

        public override long Seek(long offset, SeekOrigin origin)
        {
            long target = origin switch
            {
                SeekOrigin.Begin => offset,
                SeekOrigin.Current => _position + offset,
                _ => slice.Length + offset,
            };
            Position = target;
            return _position;
        }

        public override void Flush() { }

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
