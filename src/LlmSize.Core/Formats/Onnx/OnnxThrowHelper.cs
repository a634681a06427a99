using System.Diagnostics.CodeAnalysis;

namespace LlmSize.Core.Formats.Onnx;

/// <summary>Throws the ONNX reader's exceptions (kept out of hot paths so they inline well).</summary>
internal static class OnnxThrowHelper
{
    [DoesNotReturn]
    public static void Throw(ModelFormatError error, string detail, string? file, long? offset, string? field = null) =>
        throw new ModelFormatException(error, detail, file, offset, field);

    [DoesNotReturn]
    public static T Throw<T>(ModelFormatError error, string detail, string? file, long? offset, string? field = null) =>
        throw new ModelFormatException(error, detail, file, offset, field);
}
