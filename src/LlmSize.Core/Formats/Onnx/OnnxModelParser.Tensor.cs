using LlmSize.Core.Sources;
using System.Buffers.Binary;
using System.Globalization;
using LlmSize.Core.Precision;
using static LlmSize.Core.Formats.Onnx.OnnxConstants;

namespace LlmSize.Core.Formats.Onnx;

internal sealed partial class OnnxModelParser
{
    // ---- TensorProto -----------------------------------------------------------------------------------------------

    private RawTensor ParseTensor(long parentEnd, OnnxTensorSource source, string what, bool finish = true)
    {
        long start = _r.Position;
        long end = EnterMessage(parentEnd, what);
        var t = new RawTensor { Source = source, StartOffset = start };
        while (Next(end, out int field, out int wire))
        {
            switch (field)
            {
                case Tensor.Dims:
                    ReadDims(t, wire, end, "dims");
                    break;
                case Tensor.DataType:
                    Expect(wire, WireType.Varint, "data_type");
                    t.DataType = _r.ReadInt32();
                    break;
                case Tensor.Name:
                    Expect(wire, WireType.LengthDelimited, "name");
                    t.Name = ReadString(end, "tensor name");
                    break;
                case Tensor.RawData:
                {
                    Expect(wire, WireType.LengthDelimited, "raw_data");
                    int len = PeekPayload(end, "raw_data", out long payload);
                    t.DataOffset = payload;
                    t.RawLength = len;
                    if (len <= CapturedValueBytes) t.RawBytes = _r.ReadBytesValue();
                    else _r.SkipLengthDelimited(len);
                    break;
                }
                case Tensor.FloatData:
                    ReadFixedWidthData(t, wire, end, 4, WireType.Fixed32, "float_data");
                    break;
                case Tensor.DoubleData:
                    ReadFixedWidthData(t, wire, end, 8, WireType.Fixed64, "double_data");
                    break;
                case Tensor.Int32Data:
                case Tensor.Uint64Data:
                    // Varint-packed: the element count is not known without decoding every value; the declared dims
                    // give the size instead.
                    t.HasTypedData = true;
                    t.DataOffset ??= _r.Position;
                    SkipField(wire, end);
                    break;
                case Tensor.Int64Data:
                    t.HasTypedData = true;
                    t.DataOffset ??= _r.Position;
                    t.Int64Values ??= [];
                    long ignored = 0;
                    if (wire == WireType.Varint)
                    {
                        AddCaptured(t.Int64Values, _r.ReadInt64(), ref ignored);
                        if (t.Int64Values.Count >= CapturedValueBytes / 8) t.Int64Values = null;
                    }
                    else
                    {
                        Expect(wire, WireType.LengthDelimited, "int64_data");
                        int len = ReadBoundedLength(end, "int64_data");
                        if (len <= CapturedValueBytes)
                        {
                            long pe = _r.Position + len;
                            while (_r.Position < pe) AddCaptured(t.Int64Values, _r.ReadInt64(), ref ignored);
                            if (_r.Position != pe)
                            {
                                OnnxThrowHelper.Throw(ModelFormatError.InvalidValue, "packed int64_data runs past its length",
                                    _file, _r.Position, "int64_data");
                            }
                        }
                        else
                        {
                            t.Int64Values = null;
                            _r.SeekForward(len);
                        }
                    }

                    break;
                case Tensor.StringData:
                {
                    Expect(wire, WireType.LengthDelimited, "string_data");
                    int len = SkipPayload(end, "string_data", out long payload);
                    t.HasTypedData = true;
                    t.DataOffset ??= payload;
                    t.StringBytes += len;
                    t.TypedCount = Math.Max(t.TypedCount, 0) + 1;
                    break;
                }
                case Tensor.ExternalData:
                    Expect(wire, WireType.LengthDelimited, "external_data");
                    (t.External ??= []).Add(ParseStringEntry(end, "external_data"));
                    break;
                case Tensor.DataLocation:
                    Expect(wire, WireType.Varint, "data_location");
                    t.DataLocationField = _r.ReadInt32();
                    break;
                case Tensor.Segment:
                    throw new NotSupportedException(
                        $"{_file ?? "ONNX stream"}: tensor at byte offset {start} is stored in segments (TensorProto.segment), which this reader does not support");
                default:
                    SkipField(wire, end);
                    break;
            }
        }

        ExitMessage(end, what);
        if (finish) FinishTensor(t);
        return t;
    }

    /// <summary>Reads a <c>repeated int64 dims</c> field: one varint, or a packed run of varints.</summary>
    private void ReadDims(RawTensor t, int wire, long end, string what)
    {
        if (wire == WireType.Varint)
        {
            AddDim(t, _r.ReadInt64());
            return;
        }

        Expect(wire, WireType.LengthDelimited, what);
        int len = ReadBoundedLength(end, what);
        long packedEnd = _r.Position + len;
        while (_r.Position < packedEnd) AddDim(t, _r.ReadInt64());
        if (_r.Position != packedEnd)
        {
            OnnxThrowHelper.Throw(ModelFormatError.InvalidValue, $"packed {what} run past their length", _file, _r.Position, what);
        }
    }

    private void AddDim(RawTensor t, long d)
    {
        if (t.Dims.Count >= _o.MaxDimensions)
        {
            OnnxThrowHelper.Throw(ModelFormatError.CountTooLarge, $"more than {_o.MaxDimensions} dims (the reader's limit)",
                _file, _r.Position, t.Name.Length > 0 ? t.Name : "dims");
        }

        if (d < 0)
        {
            OnnxThrowHelper.Throw(ModelFormatError.InvalidValue, $"negative dimension {d}", _file, _r.Position,
                t.Name.Length > 0 ? t.Name : "dims");
        }

        t.Dims.Add(d);
    }

    private void ReadFixedWidthData(RawTensor t, int wire, long end, int width, int scalarWire, string what)
    {
        t.HasTypedData = true;
        t.TypedCount = Math.Max(t.TypedCount, 0);
        if (wire == scalarWire)
        {
            t.DataOffset ??= _r.Position;
            _r.SkipLastField();
            t.TypedCount++;
            return;
        }

        Expect(wire, WireType.LengthDelimited, what);
        int len = SkipPayload(end, what, out long payload);
        t.DataOffset ??= payload;
        if (len % width != 0)
        {
            OnnxThrowHelper.Throw(ModelFormatError.InvalidValue, $"packed {what} of {len} bytes is not a multiple of {width}",
                _file, _r.Position, what);
        }

        t.TypedCount += len / width;
    }

    private RawTensor ParseSparseTensor(long parentEnd)
    {
        long start = _r.Position;
        long end = EnterMessage(parentEnd, "sparse_tensor");
        RawTensor? values = null, indices = null;
        var dims = new RawTensor();
        while (Next(end, out int field, out int wire))
        {
            switch (field)
            {
                case SparseTensor.Values:
                    Expect(wire, WireType.LengthDelimited, "sparse_tensor.values");
                    values = ParseTensor(end, OnnxTensorSource.SparseInitializer, "sparse_tensor.values");
                    break;
                case SparseTensor.Indices:
                    Expect(wire, WireType.LengthDelimited, "sparse_tensor.indices");
                    indices = ParseTensor(end, OnnxTensorSource.SparseInitializer, "sparse_tensor.indices");
                    break;
                case SparseTensor.Dims:
                    ReadDims(dims, wire, end, "sparse_tensor.dims");
                    break;
                default:
                    SkipField(wire, end);
                    break;
            }
        }

        ExitMessage(end, "sparse_tensor");
        if (values is null)
        {
            OnnxThrowHelper.Throw(ModelFormatError.MissingField, "sparse tensor has no 'values'", _file, start, "values");
        }

        // A sparse tensor stands for its dense shape; its stored bytes are the values' and the indices'.
        var t = new RawTensor
        {
            Name = values.Name,
            Dims = dims.Dims,
            DataType = values.DataType,
            Source = OnnxTensorSource.SparseInitializer,
            StartOffset = start,
            Location = values.Location,
            DataOffset = values.DataOffset,
            ExternalPath = values.ExternalPath,
            ExternalLocation = values.ExternalLocation,
            HasTypedData = true,
        };
        t.ElementCount = Product(t);
        t.ByteLength = checked(values.ByteLength + (indices?.ByteLength ?? 0));
        return t;
    }

    private long Product(RawTensor t)
    {
        long n = 1;
        foreach (long d in t.Dims)
        {
            try
            {
                n = checked(n * d);
            }
            catch (OverflowException)
            {
                OnnxThrowHelper.Throw(ModelFormatError.ArithmeticOverflow,
                    $"shape [{string.Join(", ", t.Dims)}] has more than 2^63 elements", _file, t.StartOffset, t.Name);
            }
        }

        return n;
    }

    /// <summary>Computes element count and stored byte length, checks them against the data present, resolves
    /// external data.</summary>
    private void FinishTensor(RawTensor t)
    {
        if (t.Source == OnnxTensorSource.SparseInitializer && t.ByteLength > 0) return;
        string field = t.Name.Length > 0 ? t.Name : "tensor";
        if (!OnnxElementTypes.TryGetDataType(t.ElementType, out TensorDataType dt))
        {
            OnnxThrowHelper.Throw(ModelFormatError.UnknownDataType,
                $"tensor '{t.Name}' has data_type {t.DataType}, which onnx.proto does not define for stored tensors",
                _file, t.StartOffset, field);
        }

        t.ElementCount = Product(t);
        long expected;
        try
        {
            expected = t.ElementType == OnnxElementType.String ? t.StringBytes : OnnxElementTypes.GetPackedByteCount(dt, t.ElementCount);
        }
        catch (OverflowException)
        {
            expected = OnnxThrowHelper.Throw<long>(ModelFormatError.ArithmeticOverflow,
                $"tensor '{t.Name}' of {t.ElementCount} {dt} elements overflows 64-bit byte arithmetic", _file, t.StartOffset, field);
        }

        if (t.DataLocationField == DataLocationExternal)
        {
            t.Location = OnnxDataLocation.External;
            ResolveExternal(t, expected, field);
            return;
        }

        if (t.DataLocationField != 0)
        {
            OnnxThrowHelper.Throw(ModelFormatError.InvalidValue, $"data_location {t.DataLocationField} is neither DEFAULT (0) nor EXTERNAL (1)",
                _file, t.StartOffset, field);
        }

        if (t.RawLength >= 0)
        {
            if (t.ElementType != OnnxElementType.String && t.RawLength != expected)
            {
                OnnxThrowHelper.Throw(ModelFormatError.ShapeSizeMismatch,
                    $"tensor '{t.Name}' of shape [{string.Join(", ", t.Dims)}] {dt} needs {expected} bytes but raw_data holds {t.RawLength}",
                    _file, t.DataOffset, field);
            }

            t.ByteLength = t.RawLength;
            return;
        }

        if (t.HasTypedData)
        {
            if (t.TypedCount >= 0 && t.ElementType is not (OnnxElementType.Complex64 or OnnxElementType.Complex128)
                && t.TypedCount != t.ElementCount)
            {
                OnnxThrowHelper.Throw(ModelFormatError.ShapeSizeMismatch,
                    $"tensor '{t.Name}' of shape [{string.Join(", ", t.Dims)}] declares {t.ElementCount} elements but stores {t.TypedCount}",
                    _file, t.DataOffset, field);
            }

            t.ByteLength = expected;
            return;
        }

        if (t.ElementCount != 0 && t.Source != OnnxTensorSource.ConstantNode)
        {
            OnnxThrowHelper.Throw(ModelFormatError.ShapeSizeMismatch,
                $"tensor '{t.Name}' declares {t.ElementCount} elements but stores no data", _file, t.StartOffset, field);
        }

        t.ByteLength = 0;
    }

    private void ResolveExternal(RawTensor t, long expected, string field)
    {
        string? location = null;
        long offset = 0;
        long? length = null;
        foreach (var (key, value) in t.External ?? [])
        {
            switch (key)
            {
                case ExternalLocationKey:
                    location = value;
                    break;
                case ExternalOffsetKey:
                    offset = ParseNonNegative(value, t, "external_data.offset");
                    break;
                case ExternalLengthKey:
                    length = ParseNonNegative(value, t, "external_data.length");
                    break;
            }
        }

        if (string.IsNullOrEmpty(location))
        {
            OnnxThrowHelper.Throw(ModelFormatError.MissingField,
                $"external tensor '{t.Name}' has no external_data 'location'", _file, t.StartOffset, field);
        }

        t.ExternalLocation = location;
        string full = ResolveLocation(location, t, field);
        long len = length ?? expected;
        if (t.ElementType != OnnxElementType.String && len != expected)
        {
            OnnxThrowHelper.Throw(ModelFormatError.ShapeSizeMismatch,
                $"external tensor '{t.Name}' needs {expected} bytes but external_data.length is {len}", _file, t.StartOffset, field);
        }

        t.ByteLength = len;
        t.DataOffset = offset;
        t.ExternalPath = _directory is null ? null : full;
        if (_directory is null || !_o.ValidateExternalData) return;

        if (!_sideFileLengths.TryGetValue(full, out long fileLength))
        {
            var info = new FileInfo(full);
            try { LocalFileGuard.EnsureRegularFile(full); }
            catch (ModelFormatException e)
            {
                OnnxThrowHelper.Throw(e.Error, $"external data file '{location}' of tensor '{t.Name}' {e.Detail}", _file, t.StartOffset, field);
            }

            if (!info.Exists)
            {
                OnnxThrowHelper.Throw(ModelFormatError.MissingFile,
                    $"external data file '{location}' of tensor '{t.Name}' does not exist next to the model", _file,
                    t.StartOffset, field);
            }

            fileLength = info.Length;
            _sideFileLengths[full] = fileLength;
            _sideFiles.Add(full);
        }

        long endOffset;
        try { endOffset = checked(offset + len); }
        catch (OverflowException) { endOffset = long.MaxValue; }
        if (endOffset > fileLength)
        {
            OnnxThrowHelper.Throw(ModelFormatError.OffsetOutOfRange,
                $"tensor '{t.Name}' reads bytes {offset}..{endOffset} of '{location}', which has {fileLength} bytes",
                _file, t.StartOffset, field);
        }
    }

    private long ParseNonNegative(string value, RawTensor t, string key)
    {
        if (!long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out long v))
        {
            OnnxThrowHelper.Throw(ModelFormatError.InvalidValue,
                $"{key} of tensor '{t.Name}' is '{value}', not a non-negative decimal integer", _file, t.StartOffset, t.Name);
        }

        return v;
    }

    /// <summary>Resolves <c>external_data.location</c> against the model folder and refuses anything outside it
    /// (rooted paths, drive letters, <c>..</c> escapes): onnx.proto says the location is a POSIX path relative to the
    /// directory holding the model.</summary>
    private string ResolveLocation(string location, RawTensor t, string field)
    {
        bool rooted = location.StartsWith('/') || location.StartsWith('\\') || Path.IsPathRooted(location) ||
                      (location.Length >= 2 && location[1] == ':') || location.Contains('\0');
        if (location.Contains('\0'))
        {
            // Path APIs throw a bare "Null character in path." for this; name the tensor and field instead.
            OnnxThrowHelper.Throw(ModelFormatError.InvalidValue,
                $"external data location '{location.Replace("\0", "\\0", StringComparison.Ordinal)}' of tensor '{t.Name}' contains a NUL character",
                _file, t.StartOffset, field);
        }

        string root = Path.GetFullPath(_directory ?? Path.Combine(Path.GetTempPath(), "onnx-model-folder"));
        string full = Path.GetFullPath(Path.Combine(root, location.Replace('\\', '/')));
        string rootWithSep = root.EndsWith(Path.DirectorySeparatorChar) ? root : root + Path.DirectorySeparatorChar;
        if (rooted || !full.StartsWith(rootWithSep, StringComparison.Ordinal))
        {
            OnnxThrowHelper.Throw(ModelFormatError.InvalidValue,
                $"external data location '{location}' of tensor '{t.Name}' is outside the model's folder", _file,
                t.StartOffset, field);
        }

        return full;
    }

    /// <summary>The values of a small constant INT64 tensor (shape vectors for ConstantOfShape), or null.</summary>
    private static long[]? Int64Values(RawTensor t)
    {
        if (t.ElementType != OnnxElementType.Int64 || t.Location != OnnxDataLocation.Embedded) return null;
        if (t.RawBytes is { } raw && raw.Length == t.ElementCount * 8)
        {
            var values = new long[t.ElementCount];
            for (int i = 0; i < values.Length; i++) values[i] = BinaryPrimitives.ReadInt64LittleEndian(raw.AsSpan(i * 8));
            return values;
        }

        if (t.Int64Values is { } list && list.Count == t.ElementCount) return [.. list];
        return null;
    }
}
