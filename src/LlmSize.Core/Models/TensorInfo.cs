using System.Collections.Immutable;
using LlmSize.Core.Precision;

namespace LlmSize.Core.Models;

/// <summary>
/// One tensor as a model file declares it: name, shape, element type and where its bytes are. Readers produce these
/// from headers alone; no tensor data is read.
/// </summary>
public sealed record TensorInfo
{
    /// <summary>Creates a tensor description.</summary>
    /// <param name="name">Tensor name as stored in the file.</param>
    /// <param name="shape">Dimensions, outermost first (PyTorch / safetensors order). GGUF readers convert from
    /// ggml's innermost-first <c>ne[]</c> order.</param>
    /// <param name="dataType">Storage element type.</param>
    /// <param name="byteLength">Bytes the tensor's data occupies in its file.</param>
    public TensorInfo(string name, ImmutableArray<long> shape, TensorDataType dataType, long byteLength)
    {
        Name = name;
        Shape = shape;
        DataType = dataType;
        ByteLength = byteLength;
        long n = 1;
        foreach (long d in shape) n = checked(n * d);
        ElementCount = n;
    }

    /// <summary>Tensor name as stored in the file (e.g. <c>model.layers.0.self_attn.q_proj.weight</c>).</summary>
    public string Name { get; }

    /// <summary>Dimensions, outermost first. An empty shape is a scalar (one element).</summary>
    public ImmutableArray<long> Shape { get; }

    /// <summary>Storage element type.</summary>
    public TensorDataType DataType { get; }

    /// <summary>Bytes of the tensor's data in its file.</summary>
    public long ByteLength { get; }

    /// <summary>Product of <see cref="Shape"/>: the number of stored elements.</summary>
    public long ElementCount { get; }

    /// <summary>
    /// Number of logical weights the tensor holds when that differs from <see cref="ElementCount"/>: a GPTQ/AWQ
    /// <c>qweight</c> of I32 elements packing eight 4-bit weights holds 8 × its elements; an ONNX MatMulNBits
    /// <c>B</c> tensor of uint8 holds two 4-bit weights per byte. Null means the same as <see cref="ElementCount"/>.
    /// </summary>
    public long? LogicalElementCount { get; init; }

    /// <summary>Logical weights: <see cref="LogicalElementCount"/> if set, else <see cref="ElementCount"/>.</summary>
    public long LogicalElements => LogicalElementCount ?? ElementCount;

    /// <summary>Absolute byte offset of the tensor's data in <see cref="FilePath"/>, when it is stored there.</summary>
    public long? DataOffset { get; init; }

    /// <summary>The file holding the data (a shard of a sharded model, an ONNX external-data file), when known.</summary>
    public string? FilePath { get; init; }

    /// <summary>
    /// Name of an earlier tensor of the same model whose data this tensor is an exact view of (same storage, offset,
    /// shape and strides: tied weights such as <c>lm_head.weight</c> = <c>wte.weight</c> in a PyTorch checkpoint).
    /// Null when the tensor owns its data. Counters must count an aliased tensor's parameters and bytes once, under
    /// the tensor named here.
    /// </summary>
    public string? AliasOf { get; init; }

    /// <summary>The role the file format itself declares (ONNX: a quantization scale, zero point or non-weight
    /// constant), overriding the name-based rules of <see cref="TensorCounter"/>; null = decide by name.</summary>
    public TensorRole? RoleHint { get; init; }

    /// <summary>The component the format declares, overriding name-based classification; null = decide by name.</summary>
    public ModelComponent? ComponentHint { get; init; }

    /// <summary>Shape as "[a, b, c]".</summary>
    public string ShapeText => "[" + string.Join(", ", Shape) + "]";
}
