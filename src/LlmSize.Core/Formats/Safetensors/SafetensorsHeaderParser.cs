using System.Collections.Immutable;
using System.Runtime.InteropServices;
using System.Text.Json;
using LlmSize.Core.Models;
using LlmSize.Core.Precision;
using static LlmSize.Core.Formats.Safetensors.SafetensorsThrowHelper;

namespace LlmSize.Core.Formats.Safetensors;

/// <summary>
/// Parses and validates the JSON header of a safetensors file, following the reference implementation's order
/// (huggingface/safetensors <c>safetensors/src/tensor.rs</c>: <c>read_metadata</c> → UTF-8 check → JSON → sort tensors
/// by <c>data_offsets</c> → <c>validate</c>). The data-section length is checked by the caller, which knows the file.
/// </summary>
internal static class SafetensorsHeaderParser
{
    /// <summary>One tensor entry as read, before validation.</summary>
    internal struct RawTensor
    {
        public string Name;
        public TensorDataType DataType;
        public long[] Shape;
        public long Begin;
        public long End;
        public long JsonOffset;
    }

    /// <summary>A parsed, validated header.</summary>
    internal sealed class ParsedHeader(RawTensor[] tensors, IReadOnlyDictionary<string, string> metadata, long dataEnd)
    {
        /// <summary>Tensors sorted by <c>data_offsets</c>, contiguous from 0.</summary>
        public RawTensor[] Tensors { get; } = tensors;

        public IReadOnlyDictionary<string, string> Metadata { get; } = metadata;

        /// <summary>End of the last tensor: the data-section length the header requires.</summary>
        public long DataEnd { get; } = dataEnd;
    }

    private static readonly IReadOnlyDictionary<string, string> NoMetadata =
        new Dictionary<string, string>(StringComparer.Ordinal).AsReadOnly();

    /// <summary>Parses <paramref name="header"/> (the N header bytes) and validates the tensor layout.</summary>
    /// <param name="header">The JSON header, padding included.</param>
    /// <param name="options">Limits.</param>
    /// <param name="file">File name for messages.</param>
    /// <exception cref="ModelFormatException">Malformed header.</exception>
    public static ParsedHeader Parse(ReadOnlySpan<byte> header, SafetensorsReaderOptions options, string? file)
    {
        const long baseOffset = SafetensorsConstants.LengthPrefixBytes;
        if (header.IsEmpty)
        {
            Throw(ModelFormatError.InvalidJson, "the header length is 0; the header must hold a JSON object", file, baseOffset);
        }

        if (header[0] != SafetensorsConstants.HeaderStart)
        {
            Throw(ModelFormatError.InvalidJson,
                $"the header must begin with '{{' (0x7B) but begins with 0x{header[0]:X2}", file, baseOffset);
        }

        SafetensorsJson.ValidateUtf8(header, baseOffset, file);

        var tensors = new List<RawTensor>();
        IReadOnlyDictionary<string, string> metadata = NoMetadata;
        var names = new HashSet<string>(StringComparer.Ordinal);
        var reader = new Utf8JsonReader(header, SafetensorsJson.ReaderOptions(options.MaxJsonDepth));
        try
        {
            SafetensorsJson.Next(ref reader, baseOffset, file);
            if (reader.TokenType != JsonTokenType.StartObject)
            {
                Throw(ModelFormatError.InvalidJson, $"the header must be a JSON object, found {reader.TokenType}", file, baseOffset);
            }

            while (true)
            {
                SafetensorsJson.Next(ref reader, baseOffset, file);
                if (reader.TokenType == JsonTokenType.EndObject) break;
                long keyOffset = SafetensorsJson.Offset(ref reader, baseOffset);
                string name = SafetensorsJson.GetString(ref reader, options.MaxStringBytes, baseOffset, file, null);
                if (!names.Add(name))
                {
                    Throw(ModelFormatError.DuplicateKey, $"the header key '{name}' appears twice (the spec disallows duplicate keys)",
                        file, keyOffset, name);
                }

                SafetensorsJson.Next(ref reader, baseOffset, file);
                if (name == SafetensorsConstants.MetadataKey)
                {
                    metadata = ReadMetadata(ref reader, options, baseOffset, file);
                    continue;
                }

                if (tensors.Count >= options.MaxTensorCount)
                {
                    Throw(ModelFormatError.CountTooLarge, $"more than {options.MaxTensorCount} tensors (MaxTensorCount)", file,
                        keyOffset, name);
                }

                tensors.Add(ReadTensor(ref reader, name, keyOffset, options, baseOffset, file));
            }

            SafetensorsJson.ExpectEnd(ref reader, baseOffset, file);
        }
        catch (JsonException e)
        {
            throw new ModelFormatException(ModelFormatError.InvalidJson, "the header is " + JsonSyntaxError.Describe(e),
                file, baseOffset + reader.BytesConsumed, null, e);
        }
        catch (InvalidOperationException e)
        {
            // GetString on an escape that decodes to invalid UTF-16 (a lone surrogate such as "\ud800").
            throw new ModelFormatException(ModelFormatError.InvalidJson, "the header holds an invalid string: " + e.Message,
                file, baseOffset + reader.TokenStartIndex, null, e);
        }

        RawTensor[] sorted = [.. tensors];
        long dataEnd = Validate(sorted, file);
        return new ParsedHeader(sorted, metadata, dataEnd);
    }

    /// <summary>Turns validated raw tensors into <see cref="TensorInfo"/>s with absolute offsets.</summary>
    public static TensorInfo[] ToTensorInfos(RawTensor[] raw, long dataSectionOffset, string? file)
    {
        var result = new TensorInfo[raw.Length];
        for (int i = 0; i < raw.Length; i++)
        {
            ref readonly RawTensor t = ref raw[i];
            result[i] = new TensorInfo(t.Name, ImmutableCollectionsMarshal.AsImmutableArray(t.Shape), t.DataType, t.End - t.Begin)
            {
                DataOffset = dataSectionOffset + t.Begin,
                FilePath = file,
            };
        }

        return result;
    }

    private static IReadOnlyDictionary<string, string> ReadMetadata(ref Utf8JsonReader reader, SafetensorsReaderOptions options,
        long baseOffset, string? file)
    {
        const string field = SafetensorsConstants.MetadataKey;
        // serde maps JSON null to Option::None: the reference accepts "__metadata__": null as no metadata.
        if (reader.TokenType == JsonTokenType.Null) return NoMetadata;
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            Throw(ModelFormatError.InvalidJson, $"__metadata__ must be an object of strings, found {reader.TokenType}", file,
                SafetensorsJson.Offset(ref reader, baseOffset), field);
        }

        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        while (true)
        {
            SafetensorsJson.Next(ref reader, baseOffset, file);
            if (reader.TokenType == JsonTokenType.EndObject) break;
            long at = SafetensorsJson.Offset(ref reader, baseOffset);
            string key = SafetensorsJson.GetString(ref reader, options.MaxStringBytes, baseOffset, file, field);
            if (map.Count >= options.MaxMetadataEntries)
            {
                Throw(ModelFormatError.CountTooLarge, $"more than {options.MaxMetadataEntries} __metadata__ entries (MaxMetadataEntries)",
                    file, at, field);
            }

            SafetensorsJson.Next(ref reader, baseOffset, file);
            if (reader.TokenType != JsonTokenType.String)
            {
                Throw(ModelFormatError.InvalidJson,
                    $"__metadata__ value of '{key}' must be a string (the spec allows string→string only), found {reader.TokenType}",
                    file, SafetensorsJson.Offset(ref reader, baseOffset), field + "." + key);
            }

            string value = SafetensorsJson.GetString(ref reader, options.MaxStringBytes, baseOffset, file, field + "." + key);
            if (!map.TryAdd(key, value))
            {
                Throw(ModelFormatError.DuplicateKey, $"__metadata__ key '{key}' appears twice", file, at, field + "." + key);
            }
        }

        return map.AsReadOnly();
    }

    private static RawTensor ReadTensor(ref Utf8JsonReader reader, string name, long keyOffset, SafetensorsReaderOptions options,
        long baseOffset, string? file)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            Throw(ModelFormatError.InvalidJson, $"tensor entry '{name}' must be an object, found {reader.TokenType}", file,
                SafetensorsJson.Offset(ref reader, baseOffset), name);
        }

        TensorDataType? dtype = null;
        long[]? shape = null;
        long begin = -1, end = -1;
        bool haveOffsets = false;
        while (true)
        {
            SafetensorsJson.Next(ref reader, baseOffset, file);
            if (reader.TokenType == JsonTokenType.EndObject) break;
            long at = SafetensorsJson.Offset(ref reader, baseOffset);
            if (reader.ValueTextEquals(SafetensorsConstants.DtypeField))
            {
                SafetensorsJson.Next(ref reader, baseOffset, file);
                if (dtype is not null) ThrowDuplicateField(SafetensorsConstants.DtypeField, name, at, file);
                dtype = ReadDtype(ref reader, name, options, baseOffset, file);
            }
            else if (reader.ValueTextEquals(SafetensorsConstants.ShapeField))
            {
                SafetensorsJson.Next(ref reader, baseOffset, file);
                if (shape is not null) ThrowDuplicateField(SafetensorsConstants.ShapeField, name, at, file);
                shape = ReadShape(ref reader, name, options, baseOffset, file);
            }
            else if (reader.ValueTextEquals(SafetensorsConstants.DataOffsetsField))
            {
                SafetensorsJson.Next(ref reader, baseOffset, file);
                if (haveOffsets) ThrowDuplicateField(SafetensorsConstants.DataOffsetsField, name, at, file);
                (begin, end) = ReadOffsets(ref reader, name, baseOffset, file);
                haveOffsets = true;
            }
            else
            {
                // serde's derived TensorInfo ignores unknown fields; so do we (bounded by MaxJsonDepth).
                SafetensorsJson.Next(ref reader, baseOffset, file);
                SafetensorsJson.Skip(ref reader, options.MaxJsonDepth, baseOffset, file, name);
            }
        }

        if (dtype is null) ThrowMissing(SafetensorsConstants.DtypeField, name, keyOffset, file);
        if (shape is null) ThrowMissing(SafetensorsConstants.ShapeField, name, keyOffset, file);
        if (!haveOffsets) ThrowMissing(SafetensorsConstants.DataOffsetsField, name, keyOffset, file);
        return new RawTensor { Name = name, DataType = dtype, Shape = shape, Begin = begin, End = end, JsonOffset = keyOffset };
    }

    private static TensorDataType ReadDtype(ref Utf8JsonReader reader, string name, SafetensorsReaderOptions options,
        long baseOffset, string? file)
    {
        long at = SafetensorsJson.Offset(ref reader, baseOffset);
        if (reader.TokenType != JsonTokenType.String)
        {
            Throw(ModelFormatError.InvalidJson, $"dtype must be a string, found {reader.TokenType}", file, at, name);
        }

        string text = SafetensorsJson.GetString(ref reader, options.MaxStringBytes, baseOffset, file, name);
        if (!TensorDataType.TryFromSafetensorsName(text, out TensorDataType type))
        {
            Throw(ModelFormatError.UnknownDataType, $"unknown dtype '{Truncate(text)}' (the safetensors spec defines none such)",
                file, at, name);
        }

        return type;
    }

    private static long[] ReadShape(ref Utf8JsonReader reader, string name, SafetensorsReaderOptions options, long baseOffset,
        string? file)
    {
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            Throw(ModelFormatError.InvalidJson, $"shape must be an array, found {reader.TokenType}", file,
                SafetensorsJson.Offset(ref reader, baseOffset), name);
        }

        // Small fixed stack buffer for the common case; a List only for ranks above 16 (up to MaxDimensions).
        Span<long> small = stackalloc long[16];
        List<long>? large = null;
        int count = 0;
        while (true)
        {
            SafetensorsJson.Next(ref reader, baseOffset, file);
            if (reader.TokenType == JsonTokenType.EndArray) break;
            long at = SafetensorsJson.Offset(ref reader, baseOffset);
            if (count >= options.MaxDimensions)
            {
                Throw(ModelFormatError.CountTooLarge, $"shape has more than {options.MaxDimensions} dimensions (MaxDimensions)",
                    file, at, name);
            }

            ulong d = SafetensorsJson.GetUnsignedInteger(ref reader, baseOffset, file, name, "a shape dimension");
            if (d > long.MaxValue)
            {
                Throw(ModelFormatError.ArithmeticOverflow, $"shape dimension {d} exceeds 2^63 - 1", file, at, name);
            }

            if (count < small.Length)
            {
                small[count] = (long)d;
            }
            else
            {
                large ??= [.. small];
                large.Add((long)d);
            }

            count++;
        }

        return large is null ? small[..count].ToArray() : [.. large];
    }

    private static (long Begin, long End) ReadOffsets(ref Utf8JsonReader reader, string name, long baseOffset, string? file)
    {
        long at = SafetensorsJson.Offset(ref reader, baseOffset);
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            Throw(ModelFormatError.InvalidJson, $"data_offsets must be an array [begin, end], found {reader.TokenType}", file, at, name);
        }

        Span<long> values = stackalloc long[2];
        int count = 0;
        while (true)
        {
            SafetensorsJson.Next(ref reader, baseOffset, file);
            if (reader.TokenType == JsonTokenType.EndArray) break;
            if (count == 2)
            {
                Throw(ModelFormatError.InvalidJson, "data_offsets must have exactly 2 elements [begin, end]", file,
                    SafetensorsJson.Offset(ref reader, baseOffset), name);
            }

            long valueAt = SafetensorsJson.Offset(ref reader, baseOffset);
            ulong v = SafetensorsJson.GetUnsignedInteger(ref reader, baseOffset, file, name, "a data offset");
            if (v > long.MaxValue)
            {
                Throw(ModelFormatError.OffsetOutOfRange, $"data offset {v} exceeds the largest possible file (2^63 - 1 bytes)",
                    file, valueAt, name);
            }

            values[count++] = (long)v;
        }

        if (count != 2)
        {
            Throw(ModelFormatError.InvalidJson, $"data_offsets must have exactly 2 elements [begin, end], found {count}", file, at, name);
        }

        return (values[0], values[1]);
    }

    /// <summary>
    /// The reference's <c>Metadata::validate</c>: after sorting by <c>data_offsets</c>, each tensor must start where the
    /// previous one ended (from 0), end ≥ begin, and end − begin must equal shape product × dtype bits / 8 (checked).
    /// </summary>
    /// <returns>The end of the last tensor (0 when there are none).</returns>
    private static long Validate(RawTensor[] tensors, string? file)
    {
        Array.Sort(tensors, static (a, b) =>
        {
            int c = a.Begin.CompareTo(b.Begin);
            if (c == 0) c = a.End.CompareTo(b.End);
            return c != 0 ? c : string.CompareOrdinal(a.Name, b.Name);
        });

        long start = 0;
        foreach (ref readonly RawTensor t in tensors.AsSpan())
        {
            if (t.End < t.Begin)
            {
                Throw(ModelFormatError.InvalidValue, $"data_offsets [{t.Begin}, {t.End}] end before they begin", file, t.JsonOffset, t.Name);
            }

            if (t.Begin < start)
            {
                Throw(ModelFormatError.OverlappingData,
                    $"data_offsets [{t.Begin}, {t.End}] overlap the previous tensor's data, which ends at {start}", file, t.JsonOffset, t.Name);
            }

            if (t.Begin > start)
            {
                Throw(ModelFormatError.DataNotContiguous,
                    $"data_offsets [{t.Begin}, {t.End}] leave a gap of {t.Begin - start} bytes after the previous tensor's data (ends at {start})",
                    file, t.JsonOffset, t.Name);
            }

            start = t.End;
            long bytes = ExpectedBytes(t, file);
            if (bytes != t.End - t.Begin)
            {
                Throw(ModelFormatError.ShapeSizeMismatch,
                    $"shape [{string.Join(", ", t.Shape)}] of {t.DataType.Name} needs {bytes} bytes but data_offsets [{t.Begin}, {t.End}] hold {t.End - t.Begin}",
                    file, t.JsonOffset, t.Name);
            }
        }

        return start;
    }

    /// <summary>Shape product × dtype bits / 8 with overflow checks (the reference's <c>checked_mul</c>s).</summary>
    private static long ExpectedBytes(in RawTensor t, string? file)
    {
        // Dtype bit size (tensor.rs Dtype::bitsize): block bytes × 8 / block elements — F4: 4, F6_*: 6, F32: 32.
        int bits = t.DataType.BlockBytes * 8 / t.DataType.BlockSize;
        long elements = 1, totalBits = 0;
        try
        {
            foreach (long d in t.Shape) elements = checked(elements * d);
            totalBits = checked(elements * bits);
        }
        catch (OverflowException)
        {
            Throw(ModelFormatError.ArithmeticOverflow,
                $"shape [{string.Join(", ", t.Shape)}] × {bits} bits per {t.DataType.Name} element overflows 64 bits", file, t.JsonOffset, t.Name);
        }

        if (totalBits % 8 != 0)
        {
            Throw(ModelFormatError.Misaligned,
                $"{elements} {t.DataType.Name} elements of {bits} bits do not end on a byte boundary", file, t.JsonOffset, t.Name);
        }

        return totalBits / 8;
    }

    [System.Diagnostics.CodeAnalysis.DoesNotReturn]
    private static void ThrowDuplicateField(string field, string tensor, long at, string? file) =>
        Throw(ModelFormatError.DuplicateKey, $"tensor entry '{tensor}' has '{field}' twice", file, at, tensor);

    [System.Diagnostics.CodeAnalysis.DoesNotReturn]
    private static void ThrowMissing(string field, string tensor, long at, string? file) =>
        Throw(ModelFormatError.MissingField, $"tensor entry '{tensor}' has no '{field}'", file, at, tensor);

    private static string Truncate(string s) => s.Length <= 64 ? s : string.Concat(s.AsSpan(0, 64), "…");
}
