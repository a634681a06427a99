using System.Buffers.Binary;
using System.Text;
using System.Text.Json;

namespace LlmSize.Core.Sources;

/// <summary>A cached small answer: its bytes, its ETag and when it was fetched.</summary>
internal sealed record CachedAnswer(byte[] Body, string? ETag, DateTimeOffset FetchedAt);

/// <summary>
/// The on-disk cache of remote sources: small JSON answers (listings, manifests, configs) with their ETag, and the
/// leading bytes of model files that readers fetched (the header; never weights beyond what a header read touched).
/// Keys are segments (host, repo, commit, path) escaped into one file path under the cache folder, so no key can
/// leave the folder. Writes are atomic (a temporary file, then a rename); a damaged entry is ignored, never fatal.
/// </summary>
internal sealed class HeaderCache(string folder)
{
    /// <summary>The largest file prefix kept: 64 MiB (a Llama 3 GGUF header is about 8 MB).</summary>
    public const int MaxPrefixBytes = 64 << 20;

    private static readonly byte[] PrefixMagic = "LSZP1\n"u8.ToArray();

    /// <summary>The cache folder.</summary>
    public string Folder { get; } = folder;

    /// <summary>A cached answer, or null.</summary>
    public CachedAnswer? TryReadAnswer(params string[] key)
    {
        string body = PathOf(key) + ".body";
        string meta = PathOf(key) + ".meta";
        try
        {
            if (!File.Exists(body) || !File.Exists(meta)) return null;
            using var doc = JsonDocument.Parse(LocalFileGuard.ReadAllBytes(meta, 4096));
            string? etag = doc.RootElement.TryGetProperty("etag", out var e) && e.ValueKind == JsonValueKind.String ? e.GetString() : null;
            var fetched = doc.RootElement.GetProperty("fetched").GetDateTimeOffset();
            return new CachedAnswer(LocalFileGuard.ReadAllBytes(body, 64 << 20), etag, fetched);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or JsonException or InvalidOperationException
                                       or KeyNotFoundException or FormatException or InputException)
        {
            return null;
        }
    }

    /// <summary>Stores an answer (best effort: a cache that cannot be written does not fail the command).</summary>
    public void WriteAnswer(byte[] body, string? etag, params string[] key)
    {
        string path = PathOf(key);
        string meta = JsonSerializer.Serialize(new Dictionary<string, string?>
        {
            ["etag"] = etag,
            ["fetched"] = DateTimeOffset.UtcNow.ToString("O", System.Globalization.CultureInfo.InvariantCulture),
        });
        if (WriteAtomic(path + ".body", body)) WriteAtomic(path + ".meta", Encoding.UTF8.GetBytes(meta));
    }

    /// <summary>The cached leading bytes of a file and its total length, or null.</summary>
    public (byte[] Prefix, long TotalLength)? TryReadPrefix(params string[] key)
    {
        string path = PathOf(key) + ".prefix";
        try
        {
            if (!File.Exists(path)) return null;
            byte[] all = LocalFileGuard.ReadAllBytes(path, MaxPrefixBytes + PrefixMagic.Length + 8);
            if (all.Length < PrefixMagic.Length + 8 || !all.AsSpan(0, PrefixMagic.Length).SequenceEqual(PrefixMagic)) return null;
            long total = BinaryPrimitives.ReadInt64LittleEndian(all.AsSpan(PrefixMagic.Length));
            byte[] prefix = all[(PrefixMagic.Length + 8)..];
            return total >= prefix.Length ? (prefix, total) : null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or InputException)
        {
            return null;
        }
    }

    /// <summary>Stores the leading bytes of a file (at most <see cref="MaxPrefixBytes"/>).</summary>
    public void WritePrefix(ReadOnlySpan<byte> prefix, long totalLength, params string[] key)
    {
        if (prefix.Length > MaxPrefixBytes) prefix = prefix[..MaxPrefixBytes];
        byte[] all = new byte[PrefixMagic.Length + 8 + prefix.Length];
        PrefixMagic.CopyTo(all, 0);
        BinaryPrimitives.WriteInt64LittleEndian(all.AsSpan(PrefixMagic.Length), totalLength);
        prefix.CopyTo(all.AsSpan(PrefixMagic.Length + 8));
        WriteAtomic(PathOf(key) + ".prefix", all);
    }

    private string PathOf(string[] key)
    {
        var parts = new string[key.Length + 1];
        parts[0] = Folder;
        for (int i = 0; i < key.Length; i++)
        {
            // '/' inside a segment (a repo id, a file path) becomes a folder level after escaping each piece.
            parts[i + 1] = string.Join(Path.DirectorySeparatorChar, key[i].Split('/').Select(Escape));
        }

        return Path.Combine(parts);
    }

    private static string Escape(string piece)
    {
        string escaped = Uri.EscapeDataString(piece);
        return escaped is "." or ".." or "" ? "%2E" + escaped : escaped;
    }

    private static bool WriteAtomic(string path, byte[] bytes)
    {
        string? temp = null;
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            temp = path + "." + Environment.ProcessId + "." + Guid.NewGuid().ToString("N")[..8] + ".tmp";
            File.WriteAllBytes(temp, bytes);
            File.Move(temp, path, overwrite: true);
            return true;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            if (temp is not null) try { File.Delete(temp); } catch (IOException) { } catch (UnauthorizedAccessException) { }
            return false;
        }
    }
}
