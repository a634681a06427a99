using System.Diagnostics.CodeAnalysis;

namespace LlmSize.Core.Formats.Tflite;

/// <summary>Throws the TFLite reader's <see cref="ModelFormatException"/>s from one place.</summary>
internal static class TfliteThrowHelper
{
    [DoesNotReturn]
    public static void Throw(ModelFormatError error, string detail, string? filePath, long? offset, string? field = null) =>
        throw new ModelFormatException(error, detail, filePath, offset, field);

    [DoesNotReturn]
    public static void ThrowOutOfRange(string what, long target, long length, string? filePath, long at, string? field) =>
        throw new ModelFormatException(ModelFormatError.OffsetOutOfRange,
            $"TFLite flatbuffer: {what} points to byte {target}, outside the {length}-byte buffer", filePath, at, field);

    [DoesNotReturn]
    public static void ThrowCount(string what, long count, long cap, long bytesLeft, string? filePath, long at, string? field) =>
        throw new ModelFormatException(ModelFormatError.CountTooLarge,
            $"TFLite flatbuffer: {what} declares {count} elements; the cap is {cap} and only {bytesLeft} bytes remain",
            filePath, at, field);
}
