namespace LlmSize.Core.Formats.PyTorch;

/// <summary>Magic bytes, entry names and default limits of torch checkpoints.</summary>
internal static class PyTorchConstants
{
    /// <summary>Zip local file header signature "PK\x03\x04" (PKWARE APPNOTE 4.3.7): torch.save's format since 1.6.</summary>
    public static ReadOnlySpan<byte> ZipLocalHeaderMagic => "PK\u0003\u0004"u8;

    /// <summary>
    /// Start of a legacy (pre-1.6, <c>_use_new_zipfile_serialization=False</c>) torch file: PROTO 2, then LONG1 of 10
    /// bytes holding torch's <c>MAGIC_NUMBER = 0x1950a86a20f9469cfc6c</c> (torch/serialization.py, <c>_legacy_save</c>).
    /// </summary>
    public static ReadOnlySpan<byte> LegacyMagic => [0x80, 0x02, 0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19];

    /// <summary>Safetensors files start with an 8-byte LE header length followed by '{'.</summary>
    public const int SafetensorsJsonStart = 8;

    /// <summary>"GGUF" magic.</summary>
    public static ReadOnlySpan<byte> GgufMagic => "GGUF"u8;

    /// <summary>The pickle entry inside the archive folder.</summary>
    public const string DataPklName = "data.pkl";

    /// <summary>Folder of storage entries inside the archive folder.</summary>
    public const string DataFolder = "data/";

    /// <summary>Byte-order record written by torch ≥ 2.1 ("little" or "big").</summary>
    public const string ByteOrderName = "byteorder";

    /// <summary>Archive format version record ("3" for current torch).</summary>
    public const string VersionName = "version";

    /// <summary>Transformers' name of the index of a sharded PyTorch checkpoint.</summary>
    public const string IndexFileName = "pytorch_model.bin.index.json";

    /// <summary>Default cap on data.pkl bytes: 64 MiB (a 70B model's state dict pickle is well under 1 MiB).</summary>
    public const long DefaultMaxPickleBytes = 64L * 1024 * 1024;

    /// <summary>Default cap on the index JSON: 64 MiB.</summary>
    public const long DefaultMaxIndexBytes = 64L * 1024 * 1024;

    /// <summary>Default cap on one pickle string: 1 MiB.</summary>
    public const int DefaultMaxStringBytes = 1024 * 1024;

    /// <summary>Default cap on memo entries.</summary>
    public const int DefaultMaxMemoEntries = 4_000_000;

    /// <summary>Default cap on values on the pickle stack (all marks together).</summary>
    public const int DefaultMaxStackItems = 1_000_000;

    /// <summary>Default cap on open MARKs and on container nesting of the result.</summary>
    public const int DefaultMaxNestingDepth = 64;

    /// <summary>Default cap on tensors per checkpoint.</summary>
    public const int DefaultMaxTensorCount = 1_000_000;

    /// <summary>Default cap on zip entries per archive.</summary>
    public const int DefaultMaxZipEntries = 2_000_000;

    /// <summary>Default cap on dimensions per tensor.</summary>
    public const int DefaultMaxDimensions = 64;

    /// <summary>Default cap on shards named by an index.</summary>
    public const int DefaultMaxShards = 10_000;
    /// <summary>Default <see cref="PyTorchReaderOptions.MaxVisitedNodes"/>.</summary>
    public const int DefaultMaxVisitedNodes = 10_000_000;
}
