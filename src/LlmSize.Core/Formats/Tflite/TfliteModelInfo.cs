using System.Collections.Immutable;
using LlmSize.Core.Models;
using LlmSize.Core.Precision;

namespace LlmSize.Core.Formats.Tflite;

/// <summary>
/// What a TFLite flatbuffer (<c>.tflite</c>, MediaPipe LLM <c>.bin</c>) declares: subgraphs with their tensors and
/// operators, operator codes, buffers and metadata, plus the parameter and weight-byte totals. Produced from the
/// flatbuffer tables alone; no weight bytes are read.
/// </summary>
public sealed record TfliteModelInfo
{
    /// <summary>The file the model came from (for a <c>.task</c> entry: <c>bundle.task!/ENTRY</c>), when known.</summary>
    public string? FilePath { get; init; }

    /// <summary>Bytes of the file (or zip entry) holding the model; external buffers are validated against it.</summary>
    public required long FileLength { get; init; }

    /// <summary><c>Model.version</c>: the schema version (3 for every current converter).</summary>
    public required uint SchemaVersion { get; init; }

    /// <summary><c>Model.description</c> (for example "TOCO Converted." or "MLIR Converted."), or null.</summary>
    public string? Description { get; init; }

    /// <summary><c>Model.operator_codes</c>, indexed by <see cref="TfliteOperator.OpcodeIndex"/>.</summary>
    public required ImmutableArray<TfliteOperatorCode> OperatorCodes { get; init; }

    /// <summary><c>Model.subgraphs</c>; subgraph 0 is the main graph.</summary>
    public required ImmutableArray<TfliteSubgraph> Subgraphs { get; init; }

    /// <summary><c>Model.buffers</c>; buffer 0 is by convention the empty buffer activations point to.</summary>
    public required ImmutableArray<TfliteBuffer> Buffers { get; init; }

    /// <summary><c>Model.metadata</c> entries (name → buffer index).</summary>
    public required ImmutableArray<TfliteMetadataEntry> Metadata { get; init; }

    /// <summary>Number of <c>Model.signature_defs</c> entries.</summary>
    public int SignatureCount { get; init; }

    /// <summary>
    /// Parameters: elements of constant tensors (those whose buffer index is not 0 and whose buffer holds bytes, inside
    /// the flatbuffer or external). A buffer shared by several tensors counts once. Activations (buffer 0 or an empty
    /// buffer) and variable tensors without data do not count. Quantization scales and zero points are not parameters;
    /// see <see cref="QuantizationParameterBytes"/>.
    /// </summary>
    public required long ParameterCount { get; init; }

    /// <summary>Bytes of the buffers behind the counted constant tensors (weights, biases, lookup tables), each buffer once.</summary>
    public required long WeightBytes { get; init; }

    /// <summary>Bytes of per-tensor quantization parameters stored in the flatbuffer: 4 per <c>scale</c> float and
    /// 8 per <c>zero_point</c> long, over every tensor.</summary>
    public required long QuantizationParameterBytes { get; init; }

    /// <summary>Bytes of all buffers stored outside the flatbuffer (<c>Buffer.offset</c>/<c>size</c>).</summary>
    public required long ExternalBufferBytes { get; init; }

    /// <summary>All tensors of all subgraphs.</summary>
    public IEnumerable<TfliteTensor> AllTensors => Subgraphs.SelectMany(s => s.Tensors);

    /// <summary>
    /// The constant tensors that <see cref="ParameterCount"/> counts (each buffer once), as the project's
    /// <see cref="TensorInfo"/>: shape, dtype, byte length of their buffer and its absolute offset in the file. Tensors
    /// whose TFLite type has no project dtype (STRING, RESOURCE, VARIANT, COMPLEX128) are left out.
    /// </summary>
    /// <returns>The weight tensors, in subgraph then tensor order.</returns>
    public IReadOnlyList<TensorInfo> ToTensorInfos()
    {
        var list = new List<TensorInfo>();
        foreach (TfliteSubgraph sg in Subgraphs)
        {
            foreach (TfliteTensor t in sg.Tensors)
            {
                if (!t.IsCountedWeight || t.DataType is not { } dt) continue;
                TfliteBuffer b = Buffers[(int)t.BufferIndex];
                list.Add(new TensorInfo(t.Name, t.Shape, dt, b.ByteLength)
                {
                    DataOffset = b.FileOffset,
                    FilePath = FilePath,
                });
            }
        }

        return list;
    }
}

/// <summary>One <c>SubGraph</c>: tensors, operators and the graph's input/output tensor indices.</summary>
/// <param name="Name">Subgraph name, or null.</param>
/// <param name="Tensors">Tensors, indexed by operator inputs/outputs.</param>
/// <param name="Operators">Operators in execution order.</param>
/// <param name="Inputs">Indices into <paramref name="Tensors"/> of the graph inputs.</param>
/// <param name="Outputs">Indices into <paramref name="Tensors"/> of the graph outputs.</param>
public sealed record TfliteSubgraph(
    string? Name,
    ImmutableArray<TfliteTensor> Tensors,
    ImmutableArray<TfliteOperator> Operators,
    ImmutableArray<int> Inputs,
    ImmutableArray<int> Outputs);

/// <summary>One <c>Tensor</c> table.</summary>
public sealed record TfliteTensor
{
    /// <summary>Tensor name (empty string when the file has none).</summary>
    public required string Name { get; init; }

    /// <summary><c>shape</c>, outermost first (NHWC for images). Empty for scalars.</summary>
    public required ImmutableArray<long> Shape { get; init; }

    /// <summary>The TFLite element type.</summary>
    public required TfliteTensorType Type { get; init; }

    /// <summary>The project dtype of <see cref="Type"/>, or null when it has none.</summary>
    public TensorDataType? DataType => Type.ToDataType();

    /// <summary>Index into <see cref="TfliteModelInfo.Buffers"/>; 0 means no data (an activation).</summary>
    public required uint BufferIndex { get; init; }

    /// <summary><c>is_variable</c>: a state tensor the interpreter writes (e.g. LSTM state, KV cache).</summary>
    public bool IsVariable { get; init; }

    /// <summary>True when the tensor has <c>sparsity</c> parameters (its buffer holds a compressed encoding).</summary>
    public bool IsSparse { get; init; }

    /// <summary>Quantization parameters, or null when the tensor has none.</summary>
    public TfliteQuantization? Quantization { get; init; }

    /// <summary>Elements of <see cref="Shape"/>, or null when a dimension is negative (unknown).</summary>
    public long? ElementCount { get; init; }

    /// <summary>Dense bytes of <see cref="ElementCount"/> elements of <see cref="Type"/> (sub-byte types packed), or
    /// null when unknown (no fixed element size or unknown shape).</summary>
    public long? DenseByteLength => ElementCount is { } n ? Type.GetDenseByteCount(n) : null;

    /// <summary>True for a constant tensor counted in <see cref="TfliteModelInfo.ParameterCount"/> (the first tensor
    /// referring to a non-empty buffer).</summary>
    public bool IsCountedWeight { get; init; }

    /// <summary>True when the tensor's buffer holds data (whether or not an earlier tensor counted it).</summary>
    public bool IsConstant { get; init; }
}

/// <summary><c>QuantizationParameters</c>: <c>real = scale × (q − zero_point)</c>, per tensor or per channel.</summary>
/// <param name="Scale">Scales (one per tensor, or one per channel of <paramref name="QuantizedDimension"/>).</param>
/// <param name="ZeroPoint">Zero points, same count as the scales (or empty).</param>
/// <param name="QuantizedDimension">The axis the per-channel parameters run along.</param>
/// <param name="MinCount">Number of <c>min</c> floats recorded (converter bookkeeping).</param>
/// <param name="MaxCount">Number of <c>max</c> floats recorded.</param>
/// <param name="HasCustomDetails">True when a <c>details</c> union (custom quantization) is present.</param>
public sealed record TfliteQuantization(
    ImmutableArray<float> Scale,
    ImmutableArray<long> ZeroPoint,
    int QuantizedDimension,
    int MinCount,
    int MaxCount,
    bool HasCustomDetails);

/// <summary>One <c>Operator</c>: which operator code it runs and its tensor indices (−1 for an omitted optional input).</summary>
/// <param name="OpcodeIndex">Index into <see cref="TfliteModelInfo.OperatorCodes"/>.</param>
/// <param name="Inputs">Input tensor indices.</param>
/// <param name="Outputs">Output tensor indices.</param>
public sealed record TfliteOperator(uint OpcodeIndex, ImmutableArray<int> Inputs, ImmutableArray<int> Outputs);

/// <summary>One <c>OperatorCode</c>.</summary>
/// <param name="BuiltinCode">The builtin operator: the larger of <c>builtin_code</c> and <c>deprecated_builtin_code</c>
/// (the rule of TFLite's <c>GetBuiltinCode</c>, since old files set only the byte field). 32 is CUSTOM.</param>
/// <param name="CustomCode">The custom op name, for CUSTOM operators.</param>
/// <param name="Version">Operator version (default 1).</param>
public sealed record TfliteOperatorCode(int BuiltinCode, string? CustomCode, int Version);

/// <summary>One <c>Buffer</c>: data inside the flatbuffer, data outside it (offset/size), or empty.</summary>
/// <param name="ByteLength">Bytes of data (the <c>data</c> vector's length, or <c>size</c> for an external buffer).</param>
/// <param name="FileOffset">Absolute offset of the data in the file, or null when empty.</param>
/// <param name="IsExternal">True when the data lies outside the flatbuffer (<c>offset</c> &gt; 1).</param>
public sealed record TfliteBuffer(long ByteLength, long? FileOffset, bool IsExternal);

/// <summary>One <c>Metadata</c> entry (e.g. <c>min_runtime_version</c>, <c>TFLITE_METADATA</c>).</summary>
/// <param name="Name">Entry name.</param>
/// <param name="BufferIndex">Index into <see cref="TfliteModelInfo.Buffers"/> holding the value.</param>
public sealed record TfliteMetadataEntry(string Name, uint BufferIndex);
