using LlmSize.Core.Models;

namespace LlmSize.Core.Formats.Onnx;

/// <summary>What a tensor is for, as far as parameter counting is concerned.</summary>
public enum OnnxTensorRole
{
    /// <summary>A learned weight (matrix, embedding, bias, norm scale, packed quantized weight): counts as parameters.</summary>
    Weight,
    /// <summary>A quantization scale (MatMulNBits <c>scales</c>, DequantizeLinear <c>x_scale</c>, bnb4 <c>absmax</c>):
    /// its bytes count, its elements are not parameters.</summary>
    QuantizationScale,
    /// <summary>A quantization zero point: bytes count, elements are not parameters.</summary>
    ZeroPoint,
    /// <summary>Any other constant: integer shape / index tensors, <c>position_ids</c> buffers, scalar constants
    /// (epsilons, √d scale factors). Not parameters.</summary>
    OtherConstant,
}

/// <summary>Where a tensor's declaration comes from in the graph.</summary>
public enum OnnxTensorSource
{
    /// <summary><c>GraphProto.initializer</c> (of the main graph or a subgraph).</summary>
    Initializer,
    /// <summary><c>GraphProto.sparse_initializer</c>: reported with its dense shape; bytes are those of values + indices.</summary>
    SparseInitializer,
    /// <summary>The <c>value</c> / <c>sparse_value</c> / <c>value_*</c> attribute of a <c>Constant</c> node.</summary>
    ConstantNode,
    /// <summary>The output of a <c>ConstantOfShape</c> node whose shape input is a constant: declared, not stored.</summary>
    ConstantOfShape,
}

/// <summary>Where a tensor's bytes are.</summary>
public enum OnnxDataLocation
{
    /// <summary>Inside the .onnx file (<c>raw_data</c> or a typed <c>*_data</c> field).</summary>
    Embedded,
    /// <summary>In a side file named by <c>external_data.location</c>.</summary>
    External,
    /// <summary>Nowhere: the values are produced at load time (ConstantOfShape); 0 bytes stored.</summary>
    Declared,
}

/// <summary>One tensor of an ONNX model with its ONNX-specific facts.</summary>
public sealed record OnnxTensor
{
    /// <summary>Name, shape, storage type, bytes (<see cref="TensorInfo.ByteLength"/>: bytes stored; 0 for
    /// <see cref="OnnxDataLocation.Declared"/>), data offset and file, and the logical weight count of packed weights.</summary>
    public required TensorInfo Info { get; init; }

    /// <summary>The ONNX element type id as stored.</summary>
    public required OnnxElementType ElementType { get; init; }

    /// <summary>Weight, scale, zero point or other constant (from the nodes that consume it).</summary>
    public required OnnxTensorRole Role { get; init; }

    /// <summary>Where it is declared.</summary>
    public required OnnxTensorSource Source { get; init; }

    /// <summary>Where its bytes are.</summary>
    public required OnnxDataLocation Location { get; init; }

    /// <summary>The <c>external_data.location</c> string as written in the model, for external tensors.</summary>
    public string? ExternalLocation { get; init; }

    /// <summary>The operator that gave the tensor its role (e.g. <c>com.microsoft.MatMulNBits</c>), when one did.</summary>
    public string? ConsumerOp { get; init; }

    /// <summary>Parameters this tensor contributes: <see cref="TensorInfo.LogicalElements"/> for weights, else 0.</summary>
    public long ParameterCount => Role == OnnxTensorRole.Weight ? Info.LogicalElements : 0;
}

/// <summary>An <c>opset_import</c> entry.</summary>
/// <param name="Domain">Operator-set domain; empty for the default ONNX domain (<c>ai.onnx</c>).</param>
/// <param name="Version">Operator-set version.</param>
public sealed record OnnxOpsetImport(string Domain, long Version);
