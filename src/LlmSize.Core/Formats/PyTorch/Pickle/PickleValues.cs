using System.Collections.Immutable;
using LlmSize.Core.Precision;

namespace LlmSize.Core.Formats.PyTorch.Pickle;

/// <summary>A global (<c>module.name</c>) that the allow list accepted. It is a name only; nothing is imported or called.</summary>
internal sealed record PickleGlobal(string Module, string Name)
{
    public string FullName => Module + "." + Name;
}

/// <summary>A pickled tuple (immutable sequence).</summary>
internal sealed class PickleTuple(object?[] items)
{
    public object?[] Items { get; } = items;
}

/// <summary>A pickled list (also used for sets: only membership-free iteration is needed).</summary>
internal sealed class PickleList : List<object?>;

/// <summary>A pickled dict or <c>collections.OrderedDict</c>, keeping insertion order (pickle's order).</summary>
internal sealed class PickleDict : List<KeyValuePair<object?, object?>>;

/// <summary>A torch dtype object (<c>torch.float16</c> …) pickled as a global.</summary>
internal sealed record PickleDType(string TorchName, TensorDataType? DataType);

/// <summary>
/// A storage reference from a <c>BINPERSID</c> persistent id <c>('storage', storage_type, key, location, numel)</c>
/// (torch/serialization.py, <c>_save.persistent_id</c>). <see cref="Numel"/> counts elements of
/// <see cref="DataType"/> (bytes for <c>UntypedStorage</c>).
/// </summary>
internal sealed record PickleStorage(string StorageType, TensorDataType DataType, string Key, string Location, long Numel);

/// <summary>A tensor rebuilt (as a description only) from <c>torch._utils._rebuild_tensor_v2</c> arguments.</summary>
internal sealed record PickleTensor(PickleStorage Storage, long StorageOffset, ImmutableArray<long> Size,
    ImmutableArray<long> Stride, bool RequiresGrad, bool IsParameter);
