using System.Buffers.Text;
using System.Text;
using System.Text.Json;
using System.Text.Unicode;

namespace LlmSize.Core.Formats.Safetensors;

/// <summary>Small <see cref="Utf8JsonReader"/> helpers shared by the header and index parsers. Every failure is a
/// <see cref="ModelFormatException"/> with the absolute byte offset (<c>baseOffset</c> + position in the JSON).</summary>
internal static class SafetensorsJson
{
    /// <summary>Reader options: no comments, no trailing commas (serde_json accepts neither); the reader's own depth
    /// limit sits above <paramref name="maxDepth"/> so the caller's <see cref="ModelFormatError.NestingTooDeep"/> check
    /// fires first.</summary>
    public static JsonReaderOptions ReaderOptions(int maxDepth) => new()
    {
        CommentHandling = JsonCommentHandling.Disallow,
        AllowTrailingCommas = false,
        MaxDepth = maxDepth + 2,
    };

    /// <summary>Rejects bytes that are not UTF-8 (the reference runs <c>str::from_utf8</c> on the whole header first).</summary>
    public static void ValidateUtf8(ReadOnlySpan<byte> json, long baseOffset, string? file)
    {
        if (Utf8.IsValid(json)) return;
        int i = 0;
        while (i < json.Length)
        {
            if (Rune.DecodeFromUtf8(json[i..], out _, out int consumed) != System.Buffers.OperationStatus.Done) break;
            i += consumed;
        }

        SafetensorsThrowHelper.Throw(ModelFormatError.InvalidUtf8, "the JSON text is not valid UTF-8", file, baseOffset + i);
    }

    /// <summary>Moves to the next token; end of input here means the JSON is cut short.</summary>
    public static void Next(ref Utf8JsonReader reader, long baseOffset, string? file)
    {
        if (!reader.Read())
        {
            SafetensorsThrowHelper.Throw(ModelFormatError.InvalidJson, "the JSON text ends before its closing brace", file,
                baseOffset + reader.BytesConsumed);
        }
    }

    /// <summary>Absolute offset of the current token.</summary>
    public static long Offset(ref Utf8JsonReader reader, long baseOffset) => baseOffset + reader.TokenStartIndex;

    /// <summary>Reads the current string token (property name or value), checking its stored length first.</summary>
    public static string GetString(ref Utf8JsonReader reader, int maxBytes, long baseOffset, string? file, string? field)
    {
        if (reader.ValueSpan.Length > maxBytes)
        {
            SafetensorsThrowHelper.Throw(ModelFormatError.StringTooLong,
                $"a JSON string of {reader.ValueSpan.Length} bytes exceeds the limit of {maxBytes} bytes", file,
                Offset(ref reader, baseOffset), field);
        }

        return reader.GetString()!;
    }

    /// <summary>Reads the current token as a non-negative integer written with digits only (serde_json's rule for
    /// <c>usize</c>: no sign, fraction or exponent).</summary>
    /// <returns>The value; callers compare it with their own range.</returns>
    public static ulong GetUnsignedInteger(ref Utf8JsonReader reader, long baseOffset, string? file, string field, string what)
    {
        long at = Offset(ref reader, baseOffset);
        if (reader.TokenType != JsonTokenType.Number)
        {
            SafetensorsThrowHelper.Throw(ModelFormatError.InvalidJson, $"{what} must be a JSON number, found {reader.TokenType}",
                file, at, field);
        }

        ReadOnlySpan<byte> digits = reader.ValueSpan;
        if (digits[0] == (byte)'-')
        {
            SafetensorsThrowHelper.Throw(ModelFormatError.InvalidValue,
                $"{what} must be non-negative, found {Encoding.UTF8.GetString(digits)}", file, at, field);
        }

        foreach (byte b in digits)
        {
            if (b is < (byte)'0' or > (byte)'9')
            {
                SafetensorsThrowHelper.Throw(ModelFormatError.InvalidValue,
                    $"{what} must be an integer, found {Encoding.UTF8.GetString(digits)}", file, at, field);
            }
        }

        if (!Utf8Parser.TryParse(digits, out ulong value, out int used) || used != digits.Length)
        {
            SafetensorsThrowHelper.Throw(ModelFormatError.ArithmeticOverflow,
                $"{what} {Encoding.UTF8.GetString(digits)} does not fit in 64 bits", file, at, field);
        }

        return value;
    }

    /// <summary>Skips the current value (and its children), enforcing the nesting cap.</summary>
    public static void Skip(ref Utf8JsonReader reader, int maxDepth, long baseOffset, string? file, string field)
    {
        if (reader.TokenType is not (JsonTokenType.StartObject or JsonTokenType.StartArray)) return;
        int depth = reader.CurrentDepth;
        do
        {
            Next(ref reader, baseOffset, file);
            if (reader.CurrentDepth > maxDepth)
            {
                SafetensorsThrowHelper.Throw(ModelFormatError.NestingTooDeep,
                    $"JSON nesting deeper than the limit of {maxDepth}", file, Offset(ref reader, baseOffset), field);
            }
        }
        while (reader.CurrentDepth > depth || reader.TokenType is not (JsonTokenType.EndObject or JsonTokenType.EndArray));
    }

    /// <summary>After the top-level value only whitespace may follow (the spec's trailing-space padding).</summary>
    public static void ExpectEnd(ref Utf8JsonReader reader, long baseOffset, string? file)
    {
        if (reader.Read())
        {
            SafetensorsThrowHelper.Throw(ModelFormatError.InvalidJson, "text follows the end of the JSON object", file,
                Offset(ref reader, baseOffset));
        }
    }
}
