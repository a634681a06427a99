using System.Buffers;
using System.Text;
using System.Text.Unicode;

namespace LlmSize.Core;

/// <summary>
/// System.Text.Json parses a document without checking the UTF-8 inside string values and fails only later, in
/// <c>GetString()</c>, with "Cannot transcode invalid UTF-8 JSON text to UTF-16 string." (an
/// <see cref="InvalidOperationException"/>, found by the issue-13 fuzz campaign). Every JSON file a user names is
/// checked here first, so the failure is a format error with the file and the byte offset.
/// </summary>
internal static class JsonUtf8
{
    /// <summary>Throws unless <paramref name="utf8"/> is well-formed UTF-8.</summary>
    /// <param name="utf8">The file's bytes.</param>
    /// <param name="file">The file, for the message.</param>
    /// <param name="what">What the file is ("config.json", "adapter config").</param>
    /// <exception cref="ModelFormatException"><see cref="ModelFormatError.InvalidUtf8"/> at the first bad byte.</exception>
    public static void Ensure(ReadOnlySpan<byte> utf8, string? file, string what)
    {
        if (Utf8.IsValid(utf8)) return;
        int offset = 0;
        while (offset < utf8.Length)
        {
            if (Rune.DecodeFromUtf8(utf8[offset..], out _, out int consumed) != OperationStatus.Done) break;
            offset += consumed;
        }

        throw new ModelFormatException(ModelFormatError.InvalidUtf8, $"{what} is not valid UTF-8", file, offset);
    }
}
