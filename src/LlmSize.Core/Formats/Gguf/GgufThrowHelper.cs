using System.Diagnostics.CodeAnalysis;

namespace LlmSize.Core.Formats.Gguf;

/// <summary>Throws this reader's <see cref="ModelFormatException"/>s (kept out of the hot parsing paths).</summary>
internal static class GgufThrowHelper
{
    [DoesNotReturn]
    public static void Throw(ModelFormatError error, string detail, string? file, long? offset, string? field) =>
        throw new ModelFormatException(error, "GGUF: " + detail, file, offset, field);

    [DoesNotReturn]
    public static T Throw<T>(ModelFormatError error, string detail, string? file, long? offset, string? field) =>
        throw new ModelFormatException(error, "GGUF: " + detail, file, offset, field);
}
