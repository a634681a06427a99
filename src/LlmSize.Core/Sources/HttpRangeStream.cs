namespace LlmSize.Core.Sources;

/// <summary>How large the reads of a remote file are: the first range covers a typical header of the file's kind in
/// one request, later ranges grow geometrically (a GGUF tokenizer can be megabytes).</summary>
internal static class RangeReadPolicy
{
    /// <summary>The first range for a file: safetensors 128 KiB (the 8-byte length and a header of about 1,100
    /// tensors), GGUF 1 MiB (a 32k-token vocabulary's tokens, scores and types take about 0.75 MB), small JSON files
    /// whole (up to 1 MiB), anything else 64 KiB.</summary>
    public static int FirstRange(string path, long length)
    {
        string name = path.ToLowerInvariant();
        int first = name.EndsWith(".safetensors", StringComparison.Ordinal) ? 128 << 10
            : name.EndsWith(".gguf", StringComparison.Ordinal) || !name.Contains('.') ? 1 << 20
            : name.EndsWith(".json", StringComparison.Ordinal) ? 1 << 20
            : 64 << 10;
        return (int)Math.Max(1, Math.Min(first, length));
    }

    /// <summary>How much larger each further range is than the previous one: 0 for safetensors (the 8-byte prefix
    /// gives the header's exact length, so a second range is exactly what the reader asks for), 4 for GGUF (its
    /// length is found only by parsing), 2 otherwise.</summary>
    public static int Growth(string path)
    {
        string name = path.ToLowerInvariant();
        return name.EndsWith(".safetensors", StringComparison.Ordinal) ? 0
            : name.EndsWith(".gguf", StringComparison.Ordinal) || !name.Contains('.') ? 4
            : 2;
    }
}

/// <summary>
/// A read-only, seekable stream over a remote file that fetches ranges lazily: a read that misses the ranges already
/// held fetches one range at least as large as the read (growing by <see cref="RangeReadPolicy.Growth"/> each time),
/// so a header reader's sequential reads become a few requests. Requests and bytes are counted by the fetcher.
/// </summary>
internal sealed class HttpRangeStream : Stream
{
    private readonly Func<long, int, CancellationToken, Task<byte[]>> _fetch;
    private readonly List<(long Start, byte[] Bytes)> _blocks = [];
    private readonly Action<HttpRangeStream>? _onDispose;
    private long _position;
    private int _nextRange;
    private readonly int _growth;

    /// <summary>Creates the stream.</summary>
    /// <param name="length">The file's exact length.</param>
    /// <param name="firstRange">Size of the first range fetched.</param>
    /// <param name="growth">Factor of each further range over the previous (<see cref="RangeReadPolicy.Growth"/>); 0 = exactly the read's size.</param>
    /// <param name="fetch">Fetches (offset, count) → the bytes (exactly <c>min(count, length − offset)</c>).</param>
    /// <param name="seed">Leading bytes already known (from the cache or the request that found the length), or null.</param>
    /// <param name="onDispose">Called once on dispose (to cache the leading bytes).</param>
    public HttpRangeStream(long length, int firstRange, int growth, Func<long, int, CancellationToken, Task<byte[]>> fetch, byte[]? seed = null,
        Action<HttpRangeStream>? onDispose = null)
    {
        Length = length;
        _fetch = fetch;
        _nextRange = Math.Max(1, firstRange);
        _growth = growth;
        _onDispose = onDispose;
        if (seed is { Length: > 0 })
        {
            _blocks.Add((0, seed));
            SeedLength = seed.Length;
        }
    }

    /// <summary>Bytes known before any fetch (0 when none).</summary>
    public int SeedLength { get; }

    /// <summary>True when this stream fetched bytes itself.</summary>
    public bool Fetched { get; private set; }

    /// <inheritdoc />
    public override bool CanRead => true;

    /// <inheritdoc />
    public override bool CanSeek => true;

    /// <inheritdoc />
    public override bool CanWrite => false;

    /// <inheritdoc />
    public override long Length { get; }

    /// <inheritdoc />
    public override long Position
    {
        get => _position;
        set
        {
            ArgumentOutOfRangeException.ThrowIfNegative(value);
            _position = value;
        }
    }

    /// <summary>The bytes held from offset 0 without a gap.</summary>
    public byte[] ContiguousPrefix()
    {
        var ordered = _blocks.OrderBy(b => b.Start).ToList();
        long end = 0;
        foreach (var (start, bytes) in ordered)
        {
            if (start > end) break;
            end = Math.Max(end, start + bytes.Length);
        }

        if (end > HeaderCache.MaxPrefixBytes) end = HeaderCache.MaxPrefixBytes;
        byte[] prefix = new byte[end];
        foreach (var (start, bytes) in ordered)
        {
            if (start >= end) break;
            int n = (int)Math.Min(bytes.Length, end - start);
            bytes.AsSpan(0, n).CopyTo(prefix.AsSpan((int)start));
        }

        return prefix;
    }

    /// <inheritdoc />
    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    /// <inheritdoc />
    public override int Read(Span<byte> buffer)
    {
        if (TryCopy(buffer, out int n)) return n;
        byte[] rented = new byte[buffer.Length];
        int got = ReadAsync(rented, CancellationToken.None).AsTask().GetAwaiter().GetResult();
        rented.AsSpan(0, got).CopyTo(buffer);
        return got;
    }

    /// <inheritdoc />
    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    /// <inheritdoc />
    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (TryCopy(buffer.Span, out int n)) return n;
        long start = _position;
        // Up to the next held block, at least the read's size, at least the current range size.
        long limit = Length - start;
        foreach (var (s, _) in _blocks)
        {
            if (s > start) limit = Math.Min(limit, s - start);
        }

        int count = (int)Math.Min(limit, Math.Max(buffer.Length, _nextRange));
        byte[] bytes = await _fetch(start, count, cancellationToken).ConfigureAwait(false);
        Fetched = true;
        _nextRange = (int)Math.Min((long)_nextRange * _growth, 64 << 20);
        if (bytes.Length == 0) return 0;
        _blocks.Add((start, bytes));
        TryCopy(buffer.Span, out n);
        return n;
    }

    /// <inheritdoc />
    public override long Seek(long offset, SeekOrigin origin)
    {
        long target = origin switch
        {
            SeekOrigin.Begin => offset,
            SeekOrigin.Current => _position + offset,
            SeekOrigin.End => Length + offset,
            _ => throw new ArgumentOutOfRangeException(nameof(origin)),
        };
        ArgumentOutOfRangeException.ThrowIfNegative(target, nameof(offset));
        _position = target;
        return target;
    }

    /// <inheritdoc />
    public override void Flush()
    {
    }

    /// <inheritdoc />
    public override void SetLength(long value) => throw new NotSupportedException();

    /// <inheritdoc />
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing && _onDispose is { } done)
        {
            try
            {
                done(this);
            }
            catch (IOException)
            {
                // The cache is best effort.
            }
        }

        base.Dispose(disposing);
    }

    /// <summary>Copies held bytes at the position; true when the read is answered (including end of file).</summary>
    private bool TryCopy(Span<byte> buffer, out int copied)
    {
        copied = 0;
        if (buffer.IsEmpty || _position >= Length) return true;
        foreach (var (start, bytes) in _blocks)
        {
            long end = start + bytes.Length;
            if (_position < start || _position >= end) continue;
            int n = (int)Math.Min(buffer.Length, end - _position);
            bytes.AsSpan((int)(_position - start), n).CopyTo(buffer);
            _position += n;
            copied = n;
            return true;
        }

        return false;
    }
}
