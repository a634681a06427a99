using System.Diagnostics.CodeAnalysis;

namespace LlmSize.Core;

/// <summary>
/// Stable error codes carried by <see cref="ModelFormatException"/>, so callers (CLI exit codes, the web API's
/// problem details, tests) can tell one kind of malformed input from another without parsing messages.
/// </summary>
/// <remarks>Append new members at the end; the numeric values are part of the public contract.</remarks>
public enum ModelFormatError
{
    /// <summary>The file ended before a structure it declares was complete.</summary>
    Truncated = 1,
    /// <summary>The magic bytes are not those of the expected format.</summary>
    InvalidMagic,
    /// <summary>The format version is not one this reader knows.</summary>
    UnsupportedVersion,
    /// <summary>A declared header or metadata length exceeds the reader's cap or the file.</summary>
    HeaderTooLarge,
    /// <summary>A JSON document (safetensors header, config.json, index) is not well-formed or has wrong types.</summary>
    InvalidJson,
    /// <summary>A dtype / tensor type name or id that no spec defines.</summary>
    UnknownDataType,
    /// <summary>A tensor's data range lies outside the data section or the file.</summary>
    OffsetOutOfRange,
    /// <summary>Two tensors' data ranges overlap.</summary>
    OverlappingData,
    /// <summary>Tensor data ranges leave a gap or do not cover the data section.</summary>
    DataNotContiguous,
    /// <summary>Shape × element size does not equal the declared byte length.</summary>
    ShapeSizeMismatch,
    /// <summary>A count (tensors, keys, array elements, dimensions) exceeds the reader's cap or the bytes left.</summary>
    CountTooLarge,
    /// <summary>A string length exceeds the reader's cap or the bytes left.</summary>
    StringTooLong,
    /// <summary>Bytes that must be UTF-8 are not.</summary>
    InvalidUtf8,
    /// <summary>A key or tensor name appears twice.</summary>
    DuplicateKey,
    /// <summary>Nested arrays / messages deeper than the reader's cap.</summary>
    NestingTooDeep,
    /// <summary>A field has a value outside its legal range (negative size, zero heads, unknown enum value).</summary>
    InvalidValue,
    /// <summary>A required field is absent.</summary>
    MissingField,
    /// <summary>Shape or size arithmetic overflows 64 bits.</summary>
    ArithmeticOverflow,
    /// <summary>The bytes look like another format (zip, gzip, HTML error page, …).</summary>
    WrongFormat,
    /// <summary>A shard or side file named by an index is missing or inconsistent.</summary>
    MissingFile,
    /// <summary>Alignment or padding rules of the format are violated.</summary>
    Misaligned,
    /// <summary>The input is valid but uses a feature this reader does not support.</summary>
    Unsupported,
    /// <summary>The path names a FIFO, a device or a socket (after resolving symbolic links), not a regular file.</summary>
    NotARegularFile,
    /// <summary>Reading the input needs more work than the reader's budget allows (nodes visited, pattern matches).</summary>
    WorkBudgetExceeded,
}

/// <summary>
/// Thrown when a model file, header, index or config is malformed or hostile. It names the file, the byte offset or
/// field where the problem was found, and a stable <see cref="ModelFormatError"/> code.
/// </summary>
/// <remarks>
/// System.Formats.Tar throws <see cref="InvalidDataException"/> for malformed archives; that type is sealed, so this
/// project's one malformed-data type derives from its base family, <see cref="IOException"/>, and callers that catch
/// I/O failures of a model file catch this too.
/// </remarks>
public class ModelFormatException : IOException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="error">Stable error code.</param>
    /// <param name="detail">What is wrong: the field, the value seen and the limit.</param>
    /// <param name="filePath">The file the problem is in, when known.</param>
    /// <param name="offset">Byte offset in <paramref name="filePath"/> where the problem starts, when known.</param>
    /// <param name="field">Field, key or tensor name involved, when known.</param>
    /// <param name="inner">Underlying exception, if any.</param>
    public ModelFormatException(ModelFormatError error, string detail, string? filePath = null, long? offset = null,
        string? field = null, Exception? inner = null)
        : base(Compose(error, detail, filePath, offset, field), inner)
    {
        Error = error;
        Detail = detail;
        FilePath = filePath;
        Offset = offset;
        Field = field;
    }

    /// <summary>Stable error code.</summary>
    public ModelFormatError Error { get; }

    /// <summary>The problem without the file / offset prefix.</summary>
    public string Detail { get; }

    /// <summary>The file the problem is in, or null when parsing from a stream of unknown origin.</summary>
    public string? FilePath { get; }

    /// <summary>Byte offset (from the start of the file) where the problem was found, when it has one.</summary>
    public long? Offset { get; }

    /// <summary>The field, metadata key or tensor name involved, when there is one.</summary>
    public string? Field { get; }

    /// <summary>Returns a copy of this exception that names <paramref name="filePath"/> (used when a stream parser's error
    /// is rethrown by a file-level API that knows the path).</summary>
    /// <param name="filePath">The file path to attach.</param>
    /// <returns>A new exception with the same code, detail, offset and field.</returns>
    public ModelFormatException WithFile(string filePath) =>
        new(Error, Detail, filePath, Offset, Field, InnerException);

    private static string Compose(ModelFormatError error, string detail, string? filePath, long? offset, string? field)
    {
        var where = new List<string>(3);
        if (offset is { } o) where.Add($"byte offset {o}");
        if (!string.IsNullOrEmpty(field)) where.Add($"field '{field}'");
        string location = where.Count > 0 ? $" (at {string.Join(", ", where)})" : string.Empty;
        string prefix = string.IsNullOrEmpty(filePath) ? string.Empty : filePath + ": ";
        return $"{prefix}{detail}{location} [{error}]";
    }

    /// <summary>Throws a <see cref="ModelFormatException"/>; a helper so callers can use it in expressions.</summary>
    /// <param name="error">Stable error code.</param>
    /// <param name="detail">Description of the problem.</param>
    /// <param name="filePath">File path, when known.</param>
    /// <param name="offset">Byte offset, when known.</param>
    /// <param name="field">Field or tensor name, when known.</param>
    /// <exception cref="ModelFormatException">Always.</exception>
    [DoesNotReturn]
    public static void Throw(ModelFormatError error, string detail, string? filePath = null, long? offset = null,
        string? field = null) => throw new ModelFormatException(error, detail, filePath, offset, field);
}
