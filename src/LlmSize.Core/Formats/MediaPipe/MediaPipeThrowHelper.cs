using System.Diagnostics.CodeAnalysis;

namespace LlmSize.Core.Formats.MediaPipe;

/// <summary>Throws the <c>.task</c> reader's <see cref="ModelFormatException"/>s from one place.</summary>
internal static class MediaPipeThrowHelper
{
    [DoesNotReturn]
    public static void Throw(ModelFormatError error, string detail, string? filePath, long? offset = null, string? field = null) =>
        throw new ModelFormatException(error, detail, filePath, offset, field);

    [DoesNotReturn]
    public static void ThrowCorrupt(string filePath, string? entry, InvalidDataException inner) =>
        throw new ModelFormatException(ModelFormatError.InvalidValue,
            "MediaPipe .task bundle: the zip structure is corrupt (no readable directory; a truncated download, or not a zip archive)", filePath, null, entry, inner);
}
