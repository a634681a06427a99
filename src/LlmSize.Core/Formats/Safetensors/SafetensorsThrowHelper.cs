using System.Diagnostics.CodeAnalysis;

namespace LlmSize.Core.Formats.Safetensors;

/// <summary>Throws the reader's <see cref="ModelFormatException"/>s (kept out of the parsing methods so they stay
/// small and inlinable).</summary>
internal static class SafetensorsThrowHelper
{
    [DoesNotReturn]
    public static void Throw(ModelFormatError error, string detail, string? file, long? offset = null, string? field = null) =>
        throw new ModelFormatException(error, detail, file, offset, field);

    /// <summary>The header length points past the cap or the end of the input: say what the bytes are if they look
    /// like another format, else report the length.</summary>
    [DoesNotReturn]
    public static void ThrowHeaderLength(ReadOnlySpan<byte> start, string detail, string? file)
    {
        ThrowIfOtherFormat(start, file);
        Throw(ModelFormatError.HeaderTooLarge, detail, file, 0);
    }

    /// <summary>Throws <see cref="ModelFormatError.WrongFormat"/> when <paramref name="start"/> looks like another format.</summary>
    public static void ThrowIfOtherFormat(ReadOnlySpan<byte> start, string? file)
    {
        if (SafetensorsFormatDetector.TryDescribeOtherFormat(start, out string? what))
        {
            Throw(ModelFormatError.WrongFormat, $"not a safetensors file: the bytes look like {what}", file, 0);
        }
    }
}
