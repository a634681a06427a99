using System.Buffers;

namespace LlmSize.Core.Formats.Tflite.Internal;

/// <summary>Copies a stream into a pooled array, refusing more than a cap (callers return the array to
/// <see cref="ArrayPool{T}.Shared"/>). Growth doubles from 64 KiB, so memory follows the bytes actually present,
/// not a declared length.</summary>
internal static class BoundedStreamReader
{
    private const int InitialSize = 64 * 1024;

    public static byte[] Read(Stream stream, long cap, string? path, out int length)
    {
        if (!stream.CanRead) throw new ArgumentException("The stream is not readable.", nameof(stream));
        byte[] buf = ArrayPool<byte>.Shared.Rent(InitialSize);
        int n = 0;
        try
        {
            while (true)
            {
                if (n == buf.Length) buf = Grow(buf, n, cap, path);
                int r = stream.Read(buf, n, buf.Length - n);
                if (r == 0) break;
                n += r;
                if (n > cap) ThrowTooLarge(cap, path);
            }
        }
        catch
        {
            ArrayPool<byte>.Shared.Return(buf);
            throw;
        }

        length = n;
        return buf;
    }

    public static async Task<(byte[] Buffer, int Length)> ReadAsync(Stream stream, long cap, string? path, CancellationToken ct)
    {
        if (!stream.CanRead) throw new ArgumentException("The stream is not readable.", nameof(stream));
        byte[] buf = ArrayPool<byte>.Shared.Rent(InitialSize);
        int n = 0;
        try
        {
            while (true)
            {
                if (n == buf.Length) buf = Grow(buf, n, cap, path);
                int r = await stream.ReadAsync(buf.AsMemory(n), ct).ConfigureAwait(false);
                if (r == 0) break;
                n += r;
                if (n > cap) ThrowTooLarge(cap, path);
            }
        }
        catch
        {
            ArrayPool<byte>.Shared.Return(buf);
            throw;
        }

        return (buf, n);
    }

    private static byte[] Grow(byte[] buf, int used, long cap, string? path)
    {
        if (used > cap) ThrowTooLarge(cap, path);
        // Allow one byte past the cap so an over-long stream is detected rather than silently cut.
        long next = Math.Min(Math.Min((long)buf.Length * 2, cap + 1), Array.MaxLength);
        if (next <= buf.Length) ThrowTooLarge(cap, path);
        byte[] bigger = ArrayPool<byte>.Shared.Rent((int)next);
        buf.AsSpan(0, used).CopyTo(bigger);
        ArrayPool<byte>.Shared.Return(buf);
        return bigger;
    }

    private static void ThrowTooLarge(long cap, string? path) =>
        TfliteThrowHelper.Throw(ModelFormatError.HeaderTooLarge,
            $"TFLite model stream is longer than MaxFlatbufferBytes ({cap} bytes)", path, null);
}
