namespace LlmSize.Core.Formats.Onnx;

/// <summary>
/// Field numbers and enum values of the ONNX protobuf schema, written from the field numbers of
/// <c>onnx/onnx.proto</c> (IR version 10/11); the schema file itself is not copied or compiled.
/// </summary>
internal static class OnnxConstants
{
    /// <summary>ModelProto fields.</summary>
    internal static class Model
    {
        public const int IrVersion = 1;          // int64
        public const int ProducerName = 2;       // string
        public const int ProducerVersion = 3;    // string
        public const int Domain = 4;             // string
        public const int ModelVersion = 5;       // int64
        public const int DocString = 6;          // string (skipped)
        public const int Graph = 7;              // GraphProto
        public const int OpsetImport = 8;        // repeated OperatorSetIdProto
        public const int MetadataProps = 14;     // repeated StringStringEntryProto
        public const int TrainingInfo = 20;      // repeated TrainingInfoProto
        public const int Functions = 25;         // repeated FunctionProto
    }

    /// <summary>GraphProto fields.</summary>
    internal static class Graph
    {
        public const int Node = 1;               // repeated NodeProto
        public const int Name = 2;               // string
        public const int Initializer = 5;        // repeated TensorProto
        public const int DocString = 10;         // string (skipped)
        public const int Input = 11;             // repeated ValueInfoProto (skipped)
        public const int Output = 12;            // repeated ValueInfoProto (skipped)
        public const int ValueInfo = 13;         // repeated ValueInfoProto (skipped)
        public const int SparseInitializer = 15; // repeated SparseTensorProto
    }

    /// <summary>NodeProto fields.</summary>
    internal static class Node
    {
        public const int Input = 1;              // repeated string
        public const int Output = 2;             // repeated string
        public const int Name = 3;               // string
        public const int OpType = 4;             // string
        public const int Attribute = 5;          // repeated AttributeProto
        public const int Domain = 7;             // string
    }

    /// <summary>AttributeProto fields.</summary>
    internal static class Attribute
    {
        public const int Name = 1;               // string
        public const int F = 2;                  // float (fixed32)
        public const int I = 3;                  // int64
        public const int S = 4;                  // bytes
        public const int T = 5;                  // TensorProto
        public const int G = 6;                  // GraphProto
        public const int Floats = 7;             // repeated float
        public const int Ints = 8;               // repeated int64
        public const int Strings = 9;            // repeated bytes
        public const int Tensors = 10;           // repeated TensorProto
        public const int Graphs = 11;            // repeated GraphProto
        public const int Type = 20;              // AttributeType enum
        public const int SparseTensor = 22;      // SparseTensorProto
    }

    /// <summary>TensorProto fields.</summary>
    internal static class Tensor
    {
        public const int Dims = 1;               // repeated int64 (packed or not)
        public const int DataType = 2;           // int32 (TensorProto.DataType)
        public const int Segment = 3;            // Segment (unsupported: chunked tensors)
        public const int FloatData = 4;          // repeated float, packed
        public const int Int32Data = 5;          // repeated int32, packed
        public const int StringData = 6;         // repeated bytes
        public const int Int64Data = 7;          // repeated int64, packed
        public const int Name = 8;               // string
        public const int RawData = 9;            // bytes
        public const int DoubleData = 10;        // repeated double, packed
        public const int Uint64Data = 11;        // repeated uint64, packed
        public const int DocString = 12;         // string (skipped)
        public const int ExternalData = 13;      // repeated StringStringEntryProto
        public const int DataLocation = 14;      // enum DataLocation { DEFAULT = 0; EXTERNAL = 1; }
    }

    /// <summary>SparseTensorProto fields.</summary>
    internal static class SparseTensor
    {
        public const int Values = 1;             // TensorProto
        public const int Indices = 2;            // TensorProto
        public const int Dims = 3;               // repeated int64
    }

    /// <summary>OperatorSetIdProto fields.</summary>
    internal static class OperatorSetId
    {
        public const int Domain = 1;             // string
        public const int Version = 2;            // int64
    }

    /// <summary>StringStringEntryProto fields.</summary>
    internal static class StringStringEntry
    {
        public const int Key = 1;                // string
        public const int Value = 2;              // string
    }

    /// <summary>FunctionProto fields (only the nodes are walked, for their subgraph attributes).</summary>
    internal static class Function
    {
        public const int Node = 7;               // repeated NodeProto
    }

    /// <summary>TrainingInfoProto fields.</summary>
    internal static class TrainingInfo
    {
        public const int Initialization = 1;     // GraphProto
        public const int Algorithm = 2;          // GraphProto
    }

    /// <summary><c>TensorProto.DataLocation.EXTERNAL</c>.</summary>
    public const int DataLocationExternal = 1;

    /// <summary>Protobuf wire types (protobuf encoding guide).</summary>
    internal static class WireType
    {
        public const int Varint = 0;
        public const int Fixed64 = 1;
        public const int LengthDelimited = 2;
        public const int StartGroup = 3;
        public const int EndGroup = 4;
        public const int Fixed32 = 5;
    }

    /// <summary>Raw data blobs up to this many bytes are read (small int64 shape vectors); larger ones are skipped by seeking.</summary>
    public const int CapturedValueBytes = 512;

    /// <summary>The ONNX default domain name and its alias.</summary>
    public const string DefaultDomain = "ai.onnx";

    /// <summary>ONNX Runtime's contrib-op domain (MatMulNBits, MatMulBnb4, GatherBlockQuantized).</summary>
    public const string MicrosoftDomain = "com.microsoft";

    /// <summary>The external-data keys of <c>TensorProto.external_data</c>.</summary>
    public const string ExternalLocationKey = "location";

    /// <summary>Offset key (decimal string, bytes).</summary>
    public const string ExternalOffsetKey = "offset";

    /// <summary>Length key (decimal string, bytes).</summary>
    public const string ExternalLengthKey = "length";

    /// <summary>Checksum key (SHA-1 hex of the whole side file).</summary>
    public const string ExternalChecksumKey = "checksum";
}
