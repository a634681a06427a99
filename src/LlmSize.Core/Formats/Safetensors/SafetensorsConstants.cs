namespace LlmSize.Core.Formats.Safetensors;

/// <summary>Fixed numbers of the safetensors format and the reference implementation's limits.</summary>
/// <remarks>Source: huggingface/safetensors <c>README.md</c> "Format" and <c>safetensors/src/tensor.rs</c>.</remarks>
internal static class SafetensorsConstants
{
    /// <summary>Size of the little-endian u64 header length that starts every file (<c>N_LEN</c> in tensor.rs).</summary>
    public const int LengthPrefixBytes = sizeof(ulong);

    /// <summary>The reference implementation's header cap (<c>MAX_HEADER_SIZE</c> in tensor.rs): 100,000,000 bytes.</summary>
    public const int ReferenceMaxHeaderBytes = 100_000_000;

    /// <summary>The key holding the free-form string→string metadata.</summary>
    public const string MetadataKey = "__metadata__";

    /// <summary>The first header byte the spec requires: <c>{</c> (0x7B).</summary>
    public const byte HeaderStart = (byte)'{';

    /// <summary>Tensor entry field: the dtype string.</summary>
    public const string DtypeField = "dtype";

    /// <summary>Tensor entry field: the shape array.</summary>
    public const string ShapeField = "shape";

    /// <summary>Tensor entry field: <c>[begin, end)</c> relative to the data section.</summary>
    public const string DataOffsetsField = "data_offsets";

    /// <summary>The conventional name of a sharded model's index (transformers <c>SAFE_WEIGHTS_INDEX_NAME</c>).</summary>
    public const string IndexFileName = "model.safetensors.index.json";

    /// <summary>Index field holding <c>total_size</c>.</summary>
    public const string IndexMetadataField = "metadata";

    /// <summary>Index metadata field: the total tensor bytes the writer saw.</summary>
    public const string IndexTotalSizeField = "total_size";

    /// <summary>Index field mapping tensor names to shard file names.</summary>
    public const string IndexWeightMapField = "weight_map";

    /// <summary>Bytes the format sniffer looks at when a file does not start like safetensors.</summary>
    public const int SniffBytes = 64;

    /// <summary>Chunk used to grow the header buffer of a non-seekable stream and to drain its data section.</summary>
    public const int StreamChunkBytes = 64 * 1024;
}
