using System.Diagnostics.CodeAnalysis;

namespace LlmSize.Core.Formats.Peft;

/// <summary>Throw helpers for the PEFT reader.</summary>
internal static class PeftThrowHelper
{
    [DoesNotReturn]
    public static void Throw(ModelFormatError error, string detail, string? file, string? field = null) =>
        throw new ModelFormatException(error, detail, file, null, field);

    [DoesNotReturn]
    public static T Throw<T>(ModelFormatError error, string detail, string? file, string? field = null) =>
        throw new ModelFormatException(error, detail, file, null, field);
}
