using System.Diagnostics.CodeAnalysis;

namespace LlmSize.Core.Formats.HfConfig;

/// <summary>Throws the reader's <see cref="ModelFormatException"/>s with uniform messages.</summary>
internal static class HfConfigThrowHelper
{
    [DoesNotReturn]
    public static void MissingField(string field, string? file, string? context = null) =>
        throw new ModelFormatException(ModelFormatError.MissingField,
            $"config.json lacks required field '{field}'{(context is null ? string.Empty : " " + context)}", file, field: field);

    [DoesNotReturn]
    public static void WrongType(string field, string expected, System.Text.Json.JsonValueKind seen, string? file) =>
        throw new ModelFormatException(ModelFormatError.InvalidJson,
            $"config.json field '{field}' must be {expected}, but is a JSON {seen.ToString().ToLowerInvariant()}", file, field: field);

    [DoesNotReturn]
    public static void InvalidValue(string field, string detail, string? file) =>
        throw new ModelFormatException(ModelFormatError.InvalidValue, $"config.json field '{field}' {detail}", file, field: field);
}
