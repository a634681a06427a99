using System.Collections.Immutable;
using LlmSize.Core.Models;
using LlmSize.Core.Precision;

namespace LlmSize.Core.Formats.Gguf.Internal;

/// <summary>Tensor infos (spec "File Structure": <c>gguf_tensor_info_t</c>) and the data-section checks.</summary>
internal sealed partial class GgufHeaderParser<TAdapter>
{
    internal readonly record struct TensorSection(IReadOnlyList<TensorInfo> Tensors, long HeaderLength, long DataOffset);

    private async ValueTask<TensorSection> ReadTensorInfosAsync(long count, uint alignment)
    {
        var tensors = new List<TensorInfo>((int)Math.Min(count, 4096));
        var relativeOffsets = new List<long>(tensors.Capacity);
        var names = new HashSet<string>(StringComparer.Ordinal);
        var ne = new long[GgufConstants.MaxDimensions];
        for (long i = 0; i < count; i++)
        {
            _tensorsLeft = count - i - 1;
            _part = $"the name of tensor {i}";
            _field = $"tensor[{i}].name";
            long nameAt = Position;
            string name = (await ReadStringAsync(Math.Min(_options.MaxTensorNameLength, _options.MaxStringLength), materialize: true)
                .ConfigureAwait(false))!;
            _field = name;
            if (!names.Add(name))
            {
                Fail(ModelFormatError.DuplicateKey, $"tensor name '{name}' appears twice", nameAt);
            }

            _part = $"n_dims of tensor '{name}'";
            long dimsAt = Position;
            uint nDims = await ReadUInt32Async().ConfigureAwait(false);
            if (nDims > GgufConstants.MaxDimensions)
            {
                Fail(ModelFormatError.CountTooLarge, $"tensor '{name}' has n_dims = {nDims}; ggml allows at most {GgufConstants.MaxDimensions} (GGML_MAX_DIMS)", dimsAt);
            }

            _part = $"the dimensions of tensor '{name}'";
            long elements = 1;
            bool overflow = false;
            for (int d = 0; d < nDims; d++)
            {
                long dimAt = Position;
                ulong raw = _v1 ? await ReadUInt32Async().ConfigureAwait(false) : await ReadSizeAsync().ConfigureAwait(false);
                if (raw > long.MaxValue)
                {
                    Fail(ModelFormatError.InvalidValue, $"dimension ne[{d}] = {Num(raw)} of tensor '{name}' is negative as an int64", dimAt);
                }

                ne[d] = (long)raw;
                if (!overflow)
                {
                    Int128 product = (Int128)elements * ne[d];
                    if (product > long.MaxValue) overflow = true;
                    else elements = (long)product;
                }
            }

            if (overflow)
            {
                Fail(ModelFormatError.ArithmeticOverflow, $"the element count of tensor '{name}' (product of its dimensions) overflows int64", dimsAt);
            }

            _part = $"the type of tensor '{name}'";
            long typeAt = Position;
            uint typeId = await ReadUInt32Async().ConfigureAwait(false);
            if (!TensorDataType.TryFromGgmlId(typeId, out TensorDataType type))
            {
                string why = typeId <= int.MaxValue && TensorDataType.RemovedGgmlTypeIds.Contains((int)typeId)
                    ? "was removed from ggml and is not valid in GGUF files"
                    : "is not a known ggml type";
                Fail(ModelFormatError.UnknownDataType, $"tensor '{name}' has ggml type id {typeId}, which {why}", typeAt);
            }

            long innermost = nDims > 0 ? ne[0] : 1;
            if (innermost % type.BlockSize != 0)
            {
                Fail(ModelFormatError.ShapeSizeMismatch,
                    $"tensor '{name}' of type {type.Name} has rows of {Num(innermost)} elements, not a multiple of its block size {type.BlockSize}", dimsAt);
            }

            if (!type.TryGetByteCount(elements, out long byteLength))
            {
                Fail(ModelFormatError.ArithmeticOverflow, $"the byte size of tensor '{name}' ({Num(elements)} {type.Name} elements) overflows int64", dimsAt);
            }

            _part = $"the data offset of tensor '{name}'";
            long offsetAt = Position;
            ulong rawOffset = await ReadSizeAsync(forceUInt64: true).ConfigureAwait(false);
            if (rawOffset > long.MaxValue)
            {
                Fail(ModelFormatError.OffsetOutOfRange, $"tensor '{name}' has data offset {Num(rawOffset)}, beyond any file", offsetAt);
            }

            if (rawOffset % alignment != 0)
            {
                Fail(ModelFormatError.Misaligned, $"tensor '{name}' has data offset {Num(rawOffset)}, not a multiple of the alignment {alignment}", offsetAt);
            }

            var shape = ImmutableArray.CreateBuilder<long>((int)nDims);
            for (int d = (int)nDims - 1; d >= 0; d--) shape.Add(ne[d]);
            tensors.Add(new TensorInfo(name, shape.MoveToImmutable(), type, byteLength) { FilePath = _file });
            relativeOffsets.Add((long)rawOffset);
        }

        _tensorsLeft = 0;
        long headerLength = Position;
        long dataOffset = AlignUp(headerLength, alignment);
        return new TensorSection(PlaceTensors(tensors, relativeOffsets, dataOffset), headerLength, dataOffset);
    }

    private ValueTask<ulong> ReadSizeAsync(bool forceUInt64) =>
        forceUInt64 && _v1 ? ReadUInt64Async() : ReadSizeAsync();

    private async ValueTask<ulong> ReadUInt64Async()
    {
        await EnsureAsync(8).ConfigureAwait(false);
        return U64();
    }

    private static long AlignUp(long value, uint alignment) => (value + alignment - 1) / alignment * alignment;

    /// <summary>Makes offsets absolute and checks that tensor ranges neither overlap nor pass the end of the file.</summary>
    private List<TensorInfo> PlaceTensors(List<TensorInfo> tensors, List<long> relativeOffsets, long dataOffset)
    {
        _part = "the tensor data";
        var placed = new List<TensorInfo>(tensors.Count);
        for (int i = 0; i < tensors.Count; i++)
        {
            TensorInfo t = tensors[i];
            long relative = relativeOffsets[i];
            if (relative > long.MaxValue - dataOffset - t.ByteLength)
            {
                Fail(ModelFormatError.OffsetOutOfRange,
                    $"tensor '{t.Name}' at data offset {Num(relative)} with {Num(t.ByteLength)} bytes ends beyond any file", null, t.Name);
            }

            placed.Add(t with { DataOffset = dataOffset + relative });
        }

        var order = Enumerable.Range(0, placed.Count).OrderBy(i => placed[i].DataOffset!.Value).ToArray();
        for (int k = 1; k < order.Length; k++)
        {
            TensorInfo previous = placed[order[k - 1]];
            TensorInfo current = placed[order[k]];
            long previousEnd = previous.DataOffset!.Value + previous.ByteLength;
            if (previousEnd > current.DataOffset!.Value)
            {
                Fail(ModelFormatError.OverlappingData,
                    $"tensor '{current.Name}' starts at byte {Num(current.DataOffset.Value)}, inside tensor '{previous.Name}' (bytes {Num(previous.DataOffset!.Value)}–{Num(previousEnd)})",
                    current.DataOffset, current.Name);
            }
        }

        if (_length is long length && order.Length > 0)
        {
            TensorInfo last = placed[order[^1]];
            long end = last.DataOffset!.Value + last.ByteLength;
            if (end > length)
            {
                if (last.DataOffset.Value < length)
                {
                    Fail(ModelFormatError.Truncated,
                        $"the file ends at byte {Num(length)}, inside the data of tensor '{last.Name}' (bytes {Num(last.DataOffset.Value)}–{Num(end)})",
                        length, last.Name);
                }

                Fail(ModelFormatError.OffsetOutOfRange,
                    $"the data of tensor '{last.Name}' (bytes {Num(last.DataOffset.Value)}–{Num(end)}) lies past the end of the file ({Num(length)} bytes)",
                    last.DataOffset, last.Name);
            }
        }

        return placed;
    }
}
