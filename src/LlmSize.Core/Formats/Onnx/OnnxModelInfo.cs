using System.Collections.Immutable;

namespace LlmSize.Core.Formats.Onnx;

/// <summary>What <see cref="OnnxReader"/> learns from a model's header: identity, opsets and every weight-like tensor
/// with its role, shape, type, byte length and location. No tensor data is read.</summary>
public sealed class OnnxModelInfo
{
    /// <summary>The .onnx file, or null when read from a stream.</summary>
    public string? FilePath { get; init; }

    /// <summary>Bytes of the .onnx file (or stream) itself.</summary>
    public long FileLength { get; init; }

    /// <summary><c>ModelProto.ir_version</c>.</summary>
    public long IrVersion { get; init; }

    /// <summary><c>ModelProto.producer_name</c> (e.g. "pytorch"), empty if absent.</summary>
    public string ProducerName { get; init; } = string.Empty;

    /// <summary><c>ModelProto.producer_version</c>, empty if absent.</summary>
    public string ProducerVersion { get; init; } = string.Empty;

    /// <summary><c>ModelProto.domain</c>, empty if absent.</summary>
    public string Domain { get; init; } = string.Empty;

    /// <summary><c>ModelProto.model_version</c>.</summary>
    public long ModelVersion { get; init; }

    /// <summary>The main graph's name, empty if absent.</summary>
    public string GraphName { get; init; } = string.Empty;

    /// <summary><c>ModelProto.opset_import</c> in file order.</summary>
    public ImmutableArray<OnnxOpsetImport> OpsetImports { get; init; } = [];

    /// <summary><c>ModelProto.metadata_props</c> in file order.</summary>
    public ImmutableArray<KeyValuePair<string, string>> MetadataProps { get; init; } = [];

    /// <summary>Every initializer, sparse initializer and constant-node tensor of every graph, in file order, then
    /// ConstantOfShape-declared tensors.</summary>
    public ImmutableArray<OnnxTensor> Tensors { get; init; } = [];

    /// <summary>Nodes in all graphs, subgraphs and functions.</summary>
    public int NodeCount { get; init; }

    /// <summary>Full paths of the distinct external-data side files the tensors use, in first-use order.</summary>
    public ImmutableArray<string> ExternalDataFiles { get; init; } = [];

    /// <summary>Parameters: logical elements of the tensors whose role is <see cref="OnnxTensorRole.Weight"/>.</summary>
    public long ParameterCount => Tensors.Sum(t => t.ParameterCount);

    /// <summary>Bytes of weight tensors (stored, external included).</summary>
    public long WeightBytes => Tensors.Where(t => t.Role == OnnxTensorRole.Weight).Sum(t => t.Info.ByteLength);

    /// <summary>Bytes of quantization scales and zero points.</summary>
    public long QuantizationAuxiliaryBytes => Tensors
        .Where(t => t.Role is OnnxTensorRole.QuantizationScale or OnnxTensorRole.ZeroPoint).Sum(t => t.Info.ByteLength);

    /// <summary>Bytes of every tensor (stored, external included).</summary>
    public long TensorBytes => Tensors.Sum(t => t.Info.ByteLength);

    /// <summary>Looks a tensor up by name (first match across graphs).</summary>
    /// <param name="name">Tensor name.</param>
    /// <returns>The tensor, or null.</returns>
    public OnnxTensor? Find(string name) => Tensors.FirstOrDefault(t => t.Info.Name == name);
}
