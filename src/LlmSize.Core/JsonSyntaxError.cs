using System.Globalization;
using System.Text.Json;

namespace LlmSize.Core;

/// <summary>
/// Says in this project's words where and why System.Text.Json refused a document, instead of its own
/// "'x' is an invalid start of a value. LineNumber: 0 | BytePositionInLine: 1." text (zero-based, two sentences).
/// Lines and bytes are counted from 1, as editors show them.
/// </summary>
public static class JsonSyntaxError
{
    /// <summary>Describes a parse failure: "not valid JSON: unexpected character 'x' at line 2, byte 5".</summary>
    /// <param name="e">The exception from <see cref="JsonDocument.Parse(ReadOnlyMemory{byte}, JsonDocumentOptions)"/>
    /// or a <see cref="Utf8JsonReader"/>.</param>
    /// <param name="utf8">The document's bytes when at hand (gives the reason and <see cref="Offset"/>); empty when not.</param>
    /// <returns>One line without the file name (callers' exceptions add it).</returns>
    public static string Describe(JsonException e, ReadOnlySpan<byte> utf8 = default)
    {
        ArgumentNullException.ThrowIfNull(e);
        string where = Position(e);
        string reason = Reason(e, utf8);
        return reason.Length == 0
            ? string.Format(CultureInfo.InvariantCulture, SR.JsonInvalidAt, where)
            : string.Format(CultureInfo.InvariantCulture, SR.JsonInvalidBecause, reason, where);
    }

    /// <summary>The byte offset of the failure in <paramref name="utf8"/> (from its start), when the exception has a
    /// position and the bytes are given; else null.</summary>
    /// <param name="e">The exception.</param>
    /// <param name="utf8">The document's bytes.</param>
    /// <returns>The offset, clamped to the document's length.</returns>
    public static long? Offset(JsonException e, ReadOnlySpan<byte> utf8)
    {
        ArgumentNullException.ThrowIfNull(e);
        if (e.LineNumber is not { } line || e.BytePositionInLine is not { } column || utf8.IsEmpty) return null;
        long offset = 0;
        for (long l = 0; l < line && offset < utf8.Length; l++)
        {
            int next = utf8[(int)offset..].IndexOf((byte)'\n');
            if (next < 0) return utf8.Length;
            offset += next + 1;
        }

        return Math.Min(offset + column, utf8.Length);
    }

    private static string Position(JsonException e) =>
        e.LineNumber is { } line && e.BytePositionInLine is { } column
            ? string.Format(CultureInfo.InvariantCulture, SR.JsonLineByte, line + 1, column + 1)
            : SR.JsonNoPosition;

    private static string Reason(JsonException e, ReadOnlySpan<byte> utf8)
    {
        // Two failures are not about the character at the position; System.Text.Json's (English) text names them.
        string message = e.Message;
        long? offset = Offset(e, utf8);
        bool atEnd = offset is { } o && utf8[(int)o..].Trim(" \t\r\n"u8).IsEmpty;
        if (atEnd || message.Contains("depth to be zero", StringComparison.OrdinalIgnoreCase)) return SR.JsonEndsEarly;
        if (message.Contains("maximum configured depth", StringComparison.OrdinalIgnoreCase)) return SR.JsonTooDeep;
        if (message.Contains("duplicate", StringComparison.OrdinalIgnoreCase)) return SR.JsonDuplicateProperty;
        if (offset is null) return string.Empty;
        ReadOnlySpan<byte> rest = utf8[(int)offset..];
        byte b = rest[0];
        return b is >= 0x21 and < 0x7f
            ? string.Format(CultureInfo.InvariantCulture, SR.JsonUnexpectedChar, (char)b)
            : string.Format(CultureInfo.InvariantCulture, SR.JsonUnexpectedByte, b);
    }
}
