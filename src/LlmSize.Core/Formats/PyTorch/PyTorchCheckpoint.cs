using System.Collections.Immutable;
using LlmSize.Core.Models;
using LlmSize.Core.Precision;

namespace LlmSize.Core.Formats.PyTorch;

/// <summary>
/// One storage of a torch zip checkpoint: the <c>&lt;archive&gt;/data/&lt;key&gt;</c> entry holding the raw bytes that
/// one or more tensors view.
/// </summary>
/// <param name="Key">Storage key from the persistent id (the entry name under <c>data/</c>, e.g. "0").</param>
/// <param name="DataType">Element type of the storage (<c>torch.HalfStorage</c> → F16; <c>UntypedStorage</c> → U8).</param>
/// <param name="ElementCount">Elements of <see cref="DataType"/> the persistent id declares (numel).</param>
/// <param name="ByteLength">Uncompressed length of the storage's zip entry, in bytes.</param>
/// <param name="Location">Device tag at save time ("cpu", "cuda:0").</param>
/// <param name="FilePath">The checkpoint file holding the entry.</param>
/// <param name="EntryName">Full zip entry name, e.g. "archive/data/0".</param>
/// <param name="TensorCount">How many tensors view this storage (2 or more: shared / tied).</param>
public sealed record PyTorchStorageInfo(string Key, TensorDataType DataType, long ElementCount, long ByteLength,
    string Location, string FilePath, string EntryName, int TensorCount)
{
    /// <summary>True when more than one tensor views this storage.</summary>
    public bool IsShared => TensorCount > 1;
}

/// <summary>A tensor of a torch checkpoint with where it lives in its storage.</summary>
/// <param name="Tensor">The common tensor description (name, shape, dtype, view bytes, file; <see cref="TensorInfo.AliasOf"/>
/// set for an exact alias of an earlier tensor).</param>
/// <param name="StorageKey">Key of the storage it views (see <see cref="PyTorchStorageInfo.Key"/>).</param>
/// <param name="StorageOffset">Offset of its first element in the storage, in elements.</param>
/// <param name="Stride">Strides per dimension, in elements.</param>
/// <param name="RequiresGrad">The saved requires_grad flag.</param>
/// <param name="IsParameter">True when saved as <c>torch.nn.Parameter</c> (via <c>_rebuild_parameter</c>).</param>
public sealed record PyTorchTensorInfo(TensorInfo Tensor, string StorageKey, long StorageOffset, ImmutableArray<long> Stride,
    bool RequiresGrad, bool IsParameter);

/// <summary>
/// What a PyTorch checkpoint (<c>pytorch_model.bin</c>, <c>.pt</c>, <c>.pth</c>; one file or all shards of a
/// <c>pytorch_model.bin.index.json</c>) declares: tensors and the storages behind them. Built from the pickle and
/// the zip directory only; no tensor data is read and no pickle code is run.
/// </summary>
public sealed record PyTorchCheckpoint
{
    /// <summary>The files read: one checkpoint, or every shard in index order of first appearance.</summary>
    public required ImmutableArray<string> Files { get; init; }

    /// <summary>The index file for a sharded checkpoint, else null.</summary>
    public string? IndexPath { get; init; }

    /// <summary>Every tensor in pickle order (shard by shard). Tied tensors appear under every name, with
    /// <see cref="TensorInfo.AliasOf"/> set on all but the first.</summary>
    public required ImmutableArray<PyTorchTensorInfo> TensorDetails { get; init; }

    /// <summary>The tensors as common <see cref="TensorInfo"/> values (same order as <see cref="TensorDetails"/>).</summary>
    public ImmutableArray<TensorInfo> Tensors => [.. TensorDetails.Select(t => t.Tensor)];

    /// <summary>Every storage referenced, each once.</summary>
    public required ImmutableArray<PyTorchStorageInfo> Storages { get; init; }

    /// <summary>Archive folder name of each file's entries ("archive", "pytorch_model" …), per file.</summary>
    public required ImmutableArray<string> ArchiveNames { get; init; }

    /// <summary>Byte order recorded in the archive's <c>byteorder</c> entry ("little"), or null when absent (torch &lt; 2.1).</summary>
    public string? ByteOrder { get; init; }

    /// <summary>
    /// Parameters: elements of every tensor that is not an exact alias of an earlier one (tied weights counted once).
    /// Distinct views of one storage (e.g. q/k/v slices of a fused matrix) each count.
    /// </summary>
    public long ParameterCount => TensorDetails.Where(t => t.Tensor.AliasOf is null).Sum(t => t.Tensor.ElementCount);

    /// <summary>Bytes of all storages, each counted once: what the weights occupy in the files.</summary>
    public long StorageBytes => Storages.Sum(s => s.ByteLength);

    /// <summary>Number of tensors that are exact aliases of an earlier tensor (tied weights).</summary>
    public int AliasCount => TensorDetails.Count(t => t.Tensor.AliasOf is not null);

    /// <summary>The <c>metadata.total_size</c> of the index (bytes, as transformers wrote it), else null.</summary>
    public long? IndexTotalSize { get; init; }
}
