namespace LlmSize.Core.Sources;

/// <summary>A local folder (or the folder of one named file) as a model source.</summary>
public sealed class LocalModelSource : IModelSource
{
    private readonly string _root;

    /// <summary>Creates a source over <paramref name="folder"/>.</summary>
    /// <param name="folder">An existing folder.</param>
    /// <exception cref="DirectoryNotFoundException">The folder does not exist.</exception>
    public LocalModelSource(string folder)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(folder);
        _root = Path.GetFullPath(folder);
        if (!Directory.Exists(_root)) throw new DirectoryNotFoundException($"{folder}: no such folder");
    }

    /// <summary>The source of the folder holding <paramref name="file"/>, and the file's name in it.</summary>
    /// <param name="file">A file path.</param>
    /// <returns>The source and the relative path of the file.</returns>
    public static (LocalModelSource Source, string Path) ForFile(string file)
    {
        string full = System.IO.Path.GetFullPath(file);
        return (new LocalModelSource(System.IO.Path.GetDirectoryName(full)!), System.IO.Path.GetFileName(full));
    }

    /// <inheritdoc />
    public string DisplayName => _root;

    /// <inheritdoc />
    public SourceStatistics Statistics { get; } = new();

    /// <inheritdoc />
    public IReadOnlyList<ModelSourceFile> ListFiles() =>
        Directory.EnumerateFiles(_root, "*", SearchOption.AllDirectories)
            .Select(f => new ModelSourceFile(System.IO.Path.GetRelativePath(_root, f).Replace('\\', '/'), new FileInfo(f).Length))
            .OrderBy(f => f.Path, StringComparer.Ordinal)
            .ToList();

    /// <inheritdoc />
    public bool Exists(string path) => File.Exists(Full(path));

    /// <inheritdoc />
    public long GetLength(string path)
    {
        string full = Full(path);
        if (!File.Exists(full)) throw new FileNotFoundException($"{full}: no such file", full);
        return LocalFileGuard.GetLength(full);
    }

    /// <inheritdoc />
    public Stream OpenRead(string path)
    {
        string full = Full(path);
        if (!File.Exists(full)) throw new FileNotFoundException($"{full}: no such file", full);
        // Special files (FIFOs, devices, sockets) are refused before they are opened (LocalFileGuard).
        return new CountingStream(LocalFileGuard.OpenRead(full), Statistics);
    }

    /// <inheritdoc />
    public string? LocalPath(string path) => Full(path);

    private string Full(string path) => System.IO.Path.GetFullPath(System.IO.Path.Combine(_root, path));
}

/// <summary>A read-only, seekable wrapper that counts reads into a <see cref="SourceStatistics"/>.</summary>
internal sealed class CountingStream(Stream inner, SourceStatistics statistics) : Stream
{
    public override bool CanRead => true;

    public override bool CanSeek => inner.CanSeek;

    public override bool CanWrite => false;

    public override long Length => inner.Length;

    public override long Position { get => inner.Position; set => inner.Position = value; }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        int n = inner.Read(buffer);
        statistics.Record(n);
        return n;
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        int n = await inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        statistics.Record(n);
        return n;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override long Seek(long offset, SeekOrigin origin) => inner.Seek(offset, origin);

    public override void Flush()
    {
    }

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing) inner.Dispose();
        base.Dispose(disposing);
    }
}
