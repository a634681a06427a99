namespace LlmSize.Core.Formats.Tflite;

/// <summary>
/// Wire-format constants of TFLite flatbuffers: the file identifier and the field ids of the tables this reader
/// decodes. Field ids follow the declaration order of <c>tensorflow/lite/schema/schema.fbs</c> (a flatbuffer field's
/// vtable slot is <c>4 + 2 × id</c>); only the fields read here are listed.
/// </summary>
internal static class TfliteConstants
{
    /// <summary>The flatbuffer file identifier at bytes 4..8 (<c>file_identifier "TFL3"</c> in schema.fbs).</summary>
    public static ReadOnlySpan<byte> FileIdentifier => "TFL3"u8;

    /// <summary>Minimum bytes a TFLite flatbuffer can have: root uoffset (4) + identifier (4).</summary>
    public const int MinimumLength = 8;

    /// <summary>Flatbuffers address with 32-bit offsets: a buffer is at most 2^31 − 1 bytes.</summary>
    public const long MaxFlatbufferLength = int.MaxValue;

    /// <summary>Buffer.offset values at or below this are not external-data offsets (TFLite treats 0 and 1 as unset).</summary>
    public const ulong MinExternalOffset = 1;

    /// <summary>Field ids of <c>table Model</c>.</summary>
    public static class Model
    {
        public const int Version = 0;          // version:uint
        public const int OperatorCodes = 1;    // operator_codes:[OperatorCode]
        public const int Subgraphs = 2;        // subgraphs:[SubGraph]
        public const int Description = 3;      // description:string
        public const int Buffers = 4;          // buffers:[Buffer]
        public const int MetadataBuffer = 5;   // metadata_buffer:[int] (deprecated)
        public const int Metadata = 6;         // metadata:[Metadata]
        public const int SignatureDefs = 7;    // signature_defs:[SignatureDef]
    }

    /// <summary>Field ids of <c>table OperatorCode</c>.</summary>
    public static class OperatorCode
    {
        public const int DeprecatedBuiltinCode = 0; // deprecated_builtin_code:byte
        public const int CustomCode = 1;            // custom_code:string
        public const int Version = 2;               // version:int = 1
        public const int BuiltinCode = 3;           // builtin_code:BuiltinOperator (int32)
    }

    /// <summary>Field ids of <c>table SubGraph</c>.</summary>
    public static class SubGraph
    {
        public const int Tensors = 0;   // tensors:[Tensor]
        public const int Inputs = 1;    // inputs:[int]
        public const int Outputs = 2;   // outputs:[int]
        public const int Operators = 3; // operators:[Operator]
        public const int Name = 4;      // name:string
    }

    /// <summary>Field ids of <c>table Tensor</c>.</summary>
    public static class Tensor
    {
        public const int Shape = 0;        // shape:[int]
        public const int Type = 1;         // type:TensorType (byte)
        public const int Buffer = 2;       // buffer:uint
        public const int Name = 3;         // name:string
        public const int Quantization = 4; // quantization:QuantizationParameters
        public const int IsVariable = 5;   // is_variable:bool = false
        public const int Sparsity = 6;     // sparsity:SparsityParameters
    }

    /// <summary>Field ids of <c>table QuantizationParameters</c>.</summary>
    public static class Quantization
    {
        public const int Min = 0;                // min:[float]
        public const int Max = 1;                // max:[float]
        public const int Scale = 2;              // scale:[float]
        public const int ZeroPoint = 3;          // zero_point:[long]
        public const int DetailsType = 4;        // details_type (union type byte)
        public const int Details = 5;            // details:QuantizationDetails
        public const int QuantizedDimension = 6; // quantized_dimension:int
    }

    /// <summary>Field ids of <c>table Operator</c>.</summary>
    public static class Operator
    {
        public const int OpcodeIndex = 0; // opcode_index:uint
        public const int Inputs = 1;      // inputs:[int]
        public const int Outputs = 2;     // outputs:[int]
    }

    /// <summary>Field ids of <c>table Buffer</c>.</summary>
    public static class Buffer
    {
        public const int Data = 0;   // data:[ubyte] (force_align: 16)
        public const int Offset = 1; // offset:ulong (from the start of the file; > 1 when set)
        public const int Size = 2;   // size:ulong
    }

    /// <summary>Field ids of <c>table Metadata</c>.</summary>
    public static class Metadata
    {
        public const int Name = 0;   // name:string
        public const int Buffer = 1; // buffer:uint
    }
}
