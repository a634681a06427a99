using System.Buffers.Binary;
using System.Text;
using Google.Protobuf;
using LlmSize.Core.Formats.Onnx.Wire;
using static LlmSize.Core.Formats.Onnx.OnnxConstants;
using Attribute = LlmSize.Core.Formats.Onnx.OnnxConstants.Attribute;

namespace LlmSize.Core.Formats.Onnx;

/// <summary>
/// Streaming walker over an ONNX <c>ModelProto</c>: reads names, dims, types and data locations of tensors and the
/// op type / inputs / outputs / integer attributes of nodes; skips tensor data and everything else. Field numbers
/// follow <c>onnx/onnx.proto</c> (see <see cref="OnnxConstants"/>).
/// </summary>
internal sealed partial class OnnxModelParser
{
    private readonly OnnxWireReader _r;
    private readonly OnnxReaderOptions _o;
    private readonly string? _file;
    private readonly string? _directory;
    private readonly CancellationToken _ct;
    private readonly List<RawTensor> _tensors = [];
    private readonly List<RawNode> _nodes = [];
    private readonly Dictionary<string, long> _sideFileLengths = new(StringComparer.Ordinal);
    private readonly List<string> _sideFiles = [];
    private int _depth;

    private long _irVersion, _modelVersion;
    private string _producerName = string.Empty, _producerVersion = string.Empty, _domain = string.Empty, _graphName = string.Empty;
    private readonly List<OnnxOpsetImport> _opsets = [];
    private readonly List<KeyValuePair<string, string>> _metadata = [];

    public OnnxModelParser(Stream stream, long length, OnnxReaderOptions options, string? file, string? directory,
        CancellationToken ct)
    {
        _r = new OnnxWireReader(stream, length);
        _o = options;
        _file = file;
        _directory = directory;
        _ct = ct;
    }

    /// <summary>A tensor as declared, before roles are assigned.</summary>
    internal sealed class RawTensor
    {
        public string Name = string.Empty;
        public List<long> Dims = [];
        public int DataType;
        public OnnxTensorSource Source;
        public OnnxDataLocation Location = OnnxDataLocation.Embedded;
        public long StartOffset;
        public long? DataOffset;
        public long RawLength = -1;           // raw_data length, -1 if absent
        public byte[]? RawBytes;              // raw_data when small (shape vectors)
        public long TypedCount = -1;          // elements counted in typed fields, -1 if uncountable / absent
        public bool HasTypedData;
        public long StringBytes;
        public List<long>? Int64Values;        // small int64_data / value_ints
        public List<KeyValuePair<string, string>>? External;
        public int DataLocationField;
        public long ByteLength;
        public long ElementCount;
        public string? ExternalPath;
        public string? ExternalLocation;
        public OnnxElementType ElementType => (OnnxElementType)DataType;
    }

    /// <summary>A node as declared: only what role assignment needs.</summary>
    internal sealed class RawNode
    {
        public string OpType = string.Empty;
        public string Domain = string.Empty;
        public List<string> Inputs = [];
        public List<string> Outputs = [];
        public Dictionary<string, long> Ints = new(StringComparer.Ordinal);
        public RawTensor? ValueTensor;        // Constant value / ConstantOfShape value
        public long StartOffset;
    }

    public OnnxModelInfo Parse()
    {
        try
        {
            ParseModel();
        }
        catch (InvalidProtocolBufferException ex)
        {
            throw Malformed(ex);
        }
        catch (EndOfStreamException ex)
        {
            throw new ModelFormatException(ModelFormatError.Truncated, "the file ended inside a protobuf field", _file,
                SafePosition(), inner: ex);
        }
        finally
        {
            _r.Dispose();
        }

        return Build();
    }

    private ModelFormatException Malformed(InvalidProtocolBufferException ex)
    {
        string m = ex.Message;
        var code = m.Contains("truncated", StringComparison.OrdinalIgnoreCase) ||
                   m.Contains("end of", StringComparison.OrdinalIgnoreCase)
            ? ModelFormatError.Truncated
            : ModelFormatError.InvalidValue;
        // Google.Protobuf's text ("Protocol message contained an invalid tag (zero).") is not for users: say it plainly.
        string detail = code == ModelFormatError.Truncated
            ? "not a complete ONNX model: the protobuf data ends inside a field (a truncated download?)"
            : "not an ONNX model, or a damaged one: the bytes are not a valid protobuf message";
        return new ModelFormatException(code, detail, _file, SafePosition(), inner: ex);
    }

    private long? SafePosition()
    {
        try { return _r.Position; } catch (ObjectDisposedException) { return null; }
    }

    // ---- message framing -------------------------------------------------------------------------------------------

    /// <summary>Reads a length prefix for a nested message and returns the absolute end offset.</summary>
    private long EnterMessage(long parentEnd, string what)
    {
        long at = _r.Position;
        int len = _r.ReadLength();
        if (len > _o.MaxMessageLength)
        {
            OnnxThrowHelper.Throw(ModelFormatError.HeaderTooLarge,
                $"{what} message of {len} bytes exceeds the limit of {_o.MaxMessageLength} bytes", _file, at, what);
        }

        long end = _r.Position + len;
        if (end > parentEnd || end > _r.Length)
        {
            OnnxThrowHelper.Throw(ModelFormatError.Truncated,
                $"{what} message declares {len} bytes but only {Math.Min(parentEnd, _r.Length) - _r.Position} remain",
                _file, at, what);
        }

        if (++_depth > _o.MaxDepth)
        {
            OnnxThrowHelper.Throw(ModelFormatError.NestingTooDeep,
                $"messages nest deeper than the limit of {_o.MaxDepth} ({what})", _file, at, what);
        }

        return end;
    }

    private void ExitMessage(long end, string what)
    {
        if (_r.Position != end)
        {
            OnnxThrowHelper.Throw(ModelFormatError.InvalidValue,
                $"a field of {what} runs past the message end at {end}", _file, _r.Position, what);
        }

        _depth--;
    }

    /// <summary>Reads the next tag inside [.., end); false at the end.</summary>
    private bool Next(long end, out int field, out int wire)
    {
        field = wire = 0;
        long at = _r.Position;
        if (at == end) return false;
        if (at > end)
        {
            OnnxThrowHelper.Throw(ModelFormatError.InvalidValue, $"a field runs past the message end at {end}", _file, at);
        }

        uint tag = _r.ReadTag();
        if (tag == 0)
        {
            OnnxThrowHelper.Throw(ModelFormatError.Truncated, "the file ended where a protobuf field was expected", _file, at);
        }

        field = (int)(tag >> 3);
        wire = (int)(tag & 7);
        return true;
    }

    private void Expect(int wire, int expected, string field)
    {
        if (wire != expected)
        {
            OnnxThrowHelper.Throw(ModelFormatError.InvalidValue,
                $"field '{field}' has wire type {wire}, the schema needs {expected}", _file, _r.Position, field);
        }
    }

    /// <summary>Skips a field the walker does not need.</summary>
    private void SkipField(int wire, long end)
    {
        switch (wire)
        {
            case WireType.Varint:
            case WireType.Fixed32:
            case WireType.Fixed64:
                _r.SkipLastField();
                break;
            case WireType.LengthDelimited:
                SkipPayload(end, "length-delimited field");
                break;
            default:
                OnnxThrowHelper.Throw(ModelFormatError.InvalidValue,
                    $"wire type {wire} (groups or invalid) does not occur in ONNX", _file, _r.Position);
                break;
        }
    }

    private int ReadBoundedLength(long end, string what)
    {
        long at = _r.Position;
        int len = _r.ReadLength();
        if (len > end - _r.Position)
        {
            OnnxThrowHelper.Throw(ModelFormatError.Truncated,
                $"{what} declares {len} bytes but only {end - _r.Position} remain in its message", _file, at, what);
        }

        return len;
    }

    /// <summary>Peeks the length prefix at the current position and checks it against the bytes left in the
    /// enclosing message; returns the length and the absolute offset of the payload.</summary>
    private int PeekPayload(long end, string what, out long payloadOffset)
    {
        long at = _r.Position;
        long len = _r.PeekLength(out int prefix);
        if (len < 0)
        {
            OnnxThrowHelper.Throw(ModelFormatError.Truncated, $"{what} has a truncated or invalid length prefix", _file, at, what);
        }

        payloadOffset = at + prefix;
        if (len > end - payloadOffset)
        {
            OnnxThrowHelper.Throw(ModelFormatError.Truncated,
                $"{what} declares {len} bytes but only {Math.Max(0, end - payloadOffset)} remain in its message", _file, at, what);
        }

        return (int)len;
    }

    /// <summary>Skips a length-delimited payload after checking its length (large payloads are seeked over).</summary>
    private int SkipPayload(long end, string what) => SkipPayload(end, what, out _);

    private int SkipPayload(long end, string what, out long payloadOffset)
    {
        int len = PeekPayload(end, what, out payloadOffset);
        _r.SkipLengthDelimited(len);
        return len;
    }

    private string ReadString(long end, string what)
    {
        long at = _r.Position;
        int len = PeekPayload(end, what, out _);
        if (len > _o.MaxStringLength)
        {
            OnnxThrowHelper.Throw(ModelFormatError.StringTooLong,
                $"{what} of {len} bytes exceeds the limit of {_o.MaxStringLength} bytes", _file, at, what);
        }

        try
        {
            return _r.ReadStringValue();
        }
        catch (DecoderFallbackException)
        {
            return OnnxThrowHelper.Throw<string>(ModelFormatError.InvalidUtf8, $"{what} is not UTF-8", _file, at, what);
        }
    }

    // ---- ModelProto ------------------------------------------------------------------------------------------------

    private void ParseModel()
    {
        long end = _r.Length;
        _depth = 1;
        bool sawGraph = false;
        while (Next(end, out int field, out int wire))
        {
            switch (field)
            {
                case Model.IrVersion:
                    Expect(wire, WireType.Varint, "ir_version");
                    _irVersion = _r.ReadInt64();
                    break;
                case Model.ProducerName:
                    Expect(wire, WireType.LengthDelimited, "producer_name");
                    _producerName = ReadString(end, "producer_name");
                    break;
                case Model.ProducerVersion:
                    Expect(wire, WireType.LengthDelimited, "producer_version");
                    _producerVersion = ReadString(end, "producer_version");
                    break;
                case Model.Domain:
                    Expect(wire, WireType.LengthDelimited, "domain");
                    _domain = ReadString(end, "domain");
                    break;
                case Model.ModelVersion:
                    Expect(wire, WireType.Varint, "model_version");
                    _modelVersion = _r.ReadInt64();
                    break;
                case Model.Graph:
                    Expect(wire, WireType.LengthDelimited, "graph");
                    if (sawGraph)
                    {
                        OnnxThrowHelper.Throw(ModelFormatError.DuplicateKey, "ModelProto has two 'graph' fields", _file,
                            _r.Position, "graph");
                    }

                    sawGraph = true;
                    _graphName = ParseGraph(end);
                    break;
                case Model.OpsetImport:
                    Expect(wire, WireType.LengthDelimited, "opset_import");
                    _opsets.Add(ParseOpset(end));
                    break;
                case Model.MetadataProps:
                    Expect(wire, WireType.LengthDelimited, "metadata_props");
                    _metadata.Add(ParseStringEntry(end, "metadata_props"));
                    break;
                case Model.TrainingInfo:
                    Expect(wire, WireType.LengthDelimited, "training_info");
                    ParseTrainingInfo(end);
                    break;
                case Model.Functions:
                    Expect(wire, WireType.LengthDelimited, "functions");
                    ParseFunction(end);
                    break;
                default:
                    SkipField(wire, end);
                    break;
            }
        }

        if (_r.Position != end)
        {
            OnnxThrowHelper.Throw(ModelFormatError.InvalidValue, "trailing bytes after the model", _file, _r.Position);
        }

        if (!sawGraph)
        {
            OnnxThrowHelper.Throw(ModelFormatError.MissingField, "ModelProto has no 'graph' (field 7); is this an ONNX model?",
                _file, 0, "graph");
        }
    }

    private OnnxOpsetImport ParseOpset(long parentEnd)
    {
        long end = EnterMessage(parentEnd, "opset_import");
        string domain = string.Empty;
        long version = 0;
        while (Next(end, out int field, out int wire))
        {
            if (field == OperatorSetId.Domain)
            {
                Expect(wire, WireType.LengthDelimited, "opset_import.domain");
                domain = ReadString(end, "opset_import.domain");
            }
            else if (field == OperatorSetId.Version)
            {
                Expect(wire, WireType.Varint, "opset_import.version");
                version = _r.ReadInt64();
            }
            else
            {
                SkipField(wire, end);
            }
        }

        ExitMessage(end, "opset_import");
        return new OnnxOpsetImport(domain, version);
    }

    private KeyValuePair<string, string> ParseStringEntry(long parentEnd, string what)
    {
        long end = EnterMessage(parentEnd, what);
        string key = string.Empty, value = string.Empty;
        while (Next(end, out int field, out int wire))
        {
            if (field == StringStringEntry.Key)
            {
                Expect(wire, WireType.LengthDelimited, what + ".key");
                key = ReadString(end, what + ".key");
            }
            else if (field == StringStringEntry.Value)
            {
                Expect(wire, WireType.LengthDelimited, what + ".value");
                value = ReadString(end, what + ".value");
            }
            else
            {
                SkipField(wire, end);
            }
        }

        ExitMessage(end, what);
        return new(key, value);
    }

    private void ParseTrainingInfo(long parentEnd)
    {
        long end = EnterMessage(parentEnd, "training_info");
        while (Next(end, out int field, out int wire))
        {
            if (field is TrainingInfo.Initialization or TrainingInfo.Algorithm)
            {
                Expect(wire, WireType.LengthDelimited, "training_info.graph");
                ParseGraph(end);
            }
            else
            {
                SkipField(wire, end);
            }
        }

        ExitMessage(end, "training_info");
    }

    private void ParseFunction(long parentEnd)
    {
        long end = EnterMessage(parentEnd, "functions");
        while (Next(end, out int field, out int wire))
        {
            if (field == Function.Node)
            {
                Expect(wire, WireType.LengthDelimited, "functions.node");
                ParseNode(end);
            }
            else
            {
                SkipField(wire, end);
            }
        }

        ExitMessage(end, "functions");
    }

    // ---- GraphProto ------------------------------------------------------------------------------------------------

    private string ParseGraph(long parentEnd)
    {
        long end = EnterMessage(parentEnd, "graph");
        string name = string.Empty;
        var names = new HashSet<string>(StringComparer.Ordinal);
        while (Next(end, out int field, out int wire))
        {
            _ct.ThrowIfCancellationRequested();
            switch (field)
            {
                case Graph.Node:
                    Expect(wire, WireType.LengthDelimited, "graph.node");
                    ParseNode(end);
                    break;
                case Graph.Name:
                    Expect(wire, WireType.LengthDelimited, "graph.name");
                    name = ReadString(end, "graph.name");
                    break;
                case Graph.Initializer:
                {
                    Expect(wire, WireType.LengthDelimited, "graph.initializer");
                    RawTensor t = ParseTensor(end, OnnxTensorSource.Initializer, "initializer");
                    AddTensor(t, names);
                    break;
                }
                case Graph.SparseInitializer:
                {
                    Expect(wire, WireType.LengthDelimited, "graph.sparse_initializer");
                    RawTensor t = ParseSparseTensor(end);
                    AddTensor(t, names);
                    break;
                }
                default:
                    SkipField(wire, end);
                    break;
            }
        }

        ExitMessage(end, "graph");
        return name;
    }

    private void AddTensor(RawTensor t, HashSet<string>? graphNames)
    {
        if (graphNames is not null && t.Name.Length > 0 && !graphNames.Add(t.Name))
        {
            OnnxThrowHelper.Throw(ModelFormatError.DuplicateKey, $"initializer '{t.Name}' appears twice in one graph",
                _file, t.StartOffset, t.Name);
        }

        if (_tensors.Count >= _o.MaxTensorCount)
        {
            OnnxThrowHelper.Throw(ModelFormatError.CountTooLarge,
                $"more than {_o.MaxTensorCount} tensors (the reader's limit)", _file, t.StartOffset, t.Name);
        }

        _tensors.Add(t);
    }

    // ---- NodeProto / AttributeProto --------------------------------------------------------------------------------

    private void ParseNode(long parentEnd)
    {
        long start = _r.Position;
        long end = EnterMessage(parentEnd, "node");
        if (_nodes.Count >= _o.MaxNodeCount)
        {
            OnnxThrowHelper.Throw(ModelFormatError.CountTooLarge, $"more than {_o.MaxNodeCount} nodes (the reader's limit)",
                _file, start, "node");
        }

        var node = new RawNode { StartOffset = start };
        List<(string Name, RawTensor Tensor)>? tensorAttributes = null;
        while (Next(end, out int field, out int wire))
        {
            switch (field)
            {
                case Node.Input:
                    Expect(wire, WireType.LengthDelimited, "node.input");
                    node.Inputs.Add(ReadString(end, "node.input"));
                    break;
                case Node.Output:
                    Expect(wire, WireType.LengthDelimited, "node.output");
                    node.Outputs.Add(ReadString(end, "node.output"));
                    break;
                case Node.OpType:
                    Expect(wire, WireType.LengthDelimited, "node.op_type");
                    node.OpType = ReadString(end, "node.op_type");
                    break;
                case Node.Domain:
                    Expect(wire, WireType.LengthDelimited, "node.domain");
                    node.Domain = ReadString(end, "node.domain");
                    break;
                case Node.Attribute:
                    Expect(wire, WireType.LengthDelimited, "node.attribute");
                    ParseAttribute(end, node, ref tensorAttributes);
                    break;
                default:
                    SkipField(wire, end);
                    break;
            }
        }

        ExitMessage(end, "node");
        _nodes.Add(node);
        if (!IsDefaultDomain(node.Domain) || tensorAttributes is null) return;

        if (node.OpType == "Constant" && node.Outputs.Count > 0)
        {
            foreach (var (name, tensor) in tensorAttributes)
            {
                if (name is "value" or "sparse_value" or "value_float" or "value_floats" or "value_int" or "value_ints")
                {
                    tensor.Name = node.Outputs[0];
                    tensor.Source = OnnxTensorSource.ConstantNode;
                    FinishTensor(tensor);
                    AddTensor(tensor, null);
                    break;
                }
            }
        }
        else if (node.OpType == "ConstantOfShape")
        {
            foreach (var (name, tensor) in tensorAttributes)
            {
                if (name == "value") node.ValueTensor = tensor;
            }
        }
    }

    internal static bool IsDefaultDomain(string domain) => domain.Length == 0 || domain == DefaultDomain;

    private void ParseAttribute(long parentEnd, RawNode node, ref List<(string, RawTensor)>? tensors)
    {
        long start = _r.Position;
        long end = EnterMessage(parentEnd, "attribute");
        string name = string.Empty;
        long? intValue = null;
        RawTensor? tensor = null;
        List<long>? ints = null;
        long intsCount = 0, floatsCount = 0;
        bool hasFloat = false, hasFloats = false, hasInts = false;
        while (Next(end, out int field, out int wire))
        {
            switch (field)
            {
                case Attribute.Name:
                    Expect(wire, WireType.LengthDelimited, "attribute.name");
                    name = ReadString(end, "attribute.name");
                    break;
                case Attribute.I:
                    Expect(wire, WireType.Varint, "attribute.i");
                    intValue = _r.ReadInt64();
                    break;
                case Attribute.F:
                    Expect(wire, WireType.Fixed32, "attribute.f");
                    _r.ReadFixed32();
                    hasFloat = true;
                    break;
                case Attribute.Floats:
                    hasFloats = true;
                    if (wire == WireType.Fixed32)
                    {
                        _r.ReadFixed32();
                        floatsCount++;
                    }
                    else
                    {
                        Expect(wire, WireType.LengthDelimited, "attribute.floats");
                        int len = SkipPayload(end, "attribute.floats");
                        if (len % 4 != 0)
                        {
                            OnnxThrowHelper.Throw(ModelFormatError.InvalidValue,
                                $"packed floats of {len} bytes is not a multiple of 4", _file, _r.Position, "attribute.floats");
                        }

                        floatsCount += len / 4;
                    }

                    break;
                case Attribute.Ints:
                    hasInts = true;
                    ints ??= [];
                    if (wire == WireType.Varint)
                    {
                        AddCaptured(ints, _r.ReadInt64(), ref intsCount);
                    }
                    else
                    {
                        Expect(wire, WireType.LengthDelimited, "attribute.ints");
                        int len = ReadBoundedLength(end, "attribute.ints");
                        long pe = _r.Position + len;
                        while (_r.Position < pe) AddCaptured(ints, _r.ReadInt64(), ref intsCount);
                        if (_r.Position != pe)
                        {
                            OnnxThrowHelper.Throw(ModelFormatError.InvalidValue, "packed ints run past their length",
                                _file, _r.Position, "attribute.ints");
                        }
                    }

                    break;
                case Attribute.T:
                    Expect(wire, WireType.LengthDelimited, "attribute.t");
                    tensor = ParseTensor(end, OnnxTensorSource.ConstantNode, "attribute.t", finish: false);
                    break;
                case Attribute.SparseTensor:
                    Expect(wire, WireType.LengthDelimited, "attribute.sparse_tensor");
                    tensor = ParseSparseTensor(end);
                    break;
                case Attribute.G:
                case Attribute.Graphs:
                    Expect(wire, WireType.LengthDelimited, "attribute.g");
                    ParseGraph(end);
                    break;
                default:
                    SkipField(wire, end);
                    break;
            }
        }

        ExitMessage(end, "attribute");
        if (intValue is { } iv && name.Length > 0) node.Ints[name] = iv;

        // Constant's value_* attributes become tensors too (onnx Operators.md, Constant-13).
        if (tensor is null)
        {
            if (name == "value_float" && hasFloat) tensor = Scalar(OnnxElementType.Float, []);
            else if (name == "value_int" && intValue is not null) tensor = Scalar(OnnxElementType.Int64, []);
            else if (name == "value_floats" && hasFloats) tensor = Scalar(OnnxElementType.Float, [floatsCount]);
            else if (name == "value_ints" && hasInts)
            {
                tensor = Scalar(OnnxElementType.Int64, [intsCount]);
                tensor.Int64Values = ints!.Count == intsCount ? ints : null;
            }

            if (tensor is not null)
            {
                tensor.StartOffset = start;
                tensor.HasTypedData = true;
                tensor.TypedCount = -1;
            }
        }

        if (tensor is not null)
        {
            (tensors ??= []).Add((name, tensor));
        }

        static RawTensor Scalar(OnnxElementType type, List<long> dims) => new() { DataType = (int)type, Dims = dims };
    }

    private static void AddCaptured(List<long> values, long value, ref long count)
    {
        count++;
        if (values.Count < CapturedValueBytes / 8) values.Add(value);
    }
}
