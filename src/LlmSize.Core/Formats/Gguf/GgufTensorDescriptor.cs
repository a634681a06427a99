using System.Collections.Immutable;
using LlmSize.Core.Precision;

namespace LlmSize.Core.Formats.Gguf;

/// <summary>One tensor to write with <see cref="GgufWriter"/>: name, shape and ggml type.</summary>
/// <param name="Name">Tensor name (UTF-8, at most <see cref="GgufWriterOptions.MaxTensorNameLength"/> bytes; ggml
/// itself allows 63).</param>
/// <param name="Shape">Dimensions, outermost first (as <see cref="Models.TensorInfo.Shape"/>); GGUF stores them
/// innermost first (ggml <c>ne[]</c>), the writer reverses them. 1 to 4 dimensions.</param>
/// <param name="Type">ggml storage type; the innermost dimension must be a whole number of its blocks.</param>
public sealed record GgufTensorDescriptor(string Name, ImmutableArray<long> Shape, TensorDataType Type)
{
    /// <summary>Elements: the product of <see cref="Shape"/> (checked).</summary>
    public long ElementCount
    {
        get
        {
            long n = 1;
            foreach (long d in Shape) n = checked(n * d);
            return n;
        }
    }

    /// <summary>Bytes of the tensor's data: elements / block size × block bytes (checked).</summary>
    public long ByteLength => Type.GetByteCount(ElementCount);
}
