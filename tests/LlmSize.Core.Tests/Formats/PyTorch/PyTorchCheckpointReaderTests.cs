using System.Text;
using LlmSize.Core.Formats.PyTorch;
using LlmSize.Core.Precision;

namespace LlmSize.Core.Tests.Formats.PyTorch;

public sealed class PyTorchCheckpointReaderTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("llmsize-pt-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>
    /// A tiny GPT-2-like state dict: F16 embedding tied to the LM head (one storage, two names), F32/BF16 norm,
    /// and a fused F32 qkv storage viewed as three [4, 4] slices (the shape of torch.chunk views saved without clone).
    /// </summary>
    internal static readonly TorchTensorSpec[] TinyModel =
    [
        new("wte.weight", "HalfStorage", "0", 40, 0, [10, 4], [4, 1]),          // 10 × 4 = 40 F16
        new("ln.weight", "FloatStorage", "1", 4, 0, [4], [1]),                   // 4 F32
        new("ln.bias", "BFloat16Storage", "2", 4, 0, [4], [1]),                  // 4 BF16
        new("attn.q.weight", "FloatStorage", "3", 48, 0, [4, 4], [4, 1]),        // storage of 3 × 16 F32
        new("attn.k.weight", "FloatStorage", "3", 48, 16, [4, 4], [4, 1]),
        new("attn.v.weight", "FloatStorage", "3", 48, 32, [4, 4], [4, 1]),
        new("lm_head.weight", "HalfStorage", "0", 40, 0, [10, 4], [4, 1]),      // tied to wte.weight
    ];

    public enum ReadMode { SyncPath, AsyncPath, SyncStream, AsyncStream }

    public static TheoryData<ReadMode> Modes => new() { ReadMode.SyncPath, ReadMode.AsyncPath, ReadMode.SyncStream, ReadMode.AsyncStream };

    private string WriteFile(byte[] bytes, string name = "pytorch_model.bin")
    {
        string p = Path.Combine(_dir, name);
        File.WriteAllBytes(p, bytes);
        return p;
    }

    private static async Task<PyTorchCheckpoint> ReadAsync(string path, ReadMode mode, PyTorchReaderOptions? options = null)
    {
        switch (mode)
        {
            case ReadMode.SyncPath: return PyTorchCheckpointReader.Read(path, options);
            case ReadMode.AsyncPath: return await PyTorchCheckpointReader.ReadAsync(path, options);
            case ReadMode.SyncStream:
            {
                using var s = new MemoryStream(File.ReadAllBytes(path));
                return PyTorchCheckpointReader.Read(s, path, options);
            }
            default:
            {
                await using var s = File.OpenRead(path);
                return await PyTorchCheckpointReader.ReadAsync(s, path, options);
            }
        }
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public async Task StateDict_TensorsStoragesAndTiedWeights(ReadMode mode)
    {
        string path = WriteFile(TorchZipWriter.Write(TorchPickleWriter.StateDict(TinyModel, ["", "ln", "attn"]), TinyModel));
        var ckpt = await ReadAsync(path, mode);

        Assert.Equal(TinyModel.Select(t => t.Name), ckpt.TensorDetails.Select(t => t.Tensor.Name));
        var byName = ckpt.TensorDetails.ToDictionary(t => t.Tensor.Name);
        Assert.Equal(TensorDataType.F16, byName["wte.weight"].Tensor.DataType);
        Assert.Equal(TensorDataType.F32, byName["ln.weight"].Tensor.DataType);
        Assert.Equal(TensorDataType.BF16, byName["ln.bias"].Tensor.DataType);
        Assert.Equal([10L, 4L], byName["wte.weight"].Tensor.Shape.ToArray());
        Assert.Equal(80, byName["wte.weight"].Tensor.ByteLength);            // 40 × 2 bytes
        Assert.Equal(16, byName["attn.k.weight"].StorageOffset);
        Assert.Equal([4L, 1L], byName["attn.v.weight"].Stride.ToArray());
        Assert.Equal(path, byName["ln.bias"].Tensor.FilePath);

        // Tied: lm_head.weight is an exact view of wte.weight's storage → alias, counted once.
        Assert.Equal("wte.weight", byName["lm_head.weight"].Tensor.AliasOf);
        Assert.Null(byName["wte.weight"].Tensor.AliasOf);
        Assert.Null(byName["attn.k.weight"].Tensor.AliasOf); // same storage, different view: its own parameters
        Assert.Equal(1, ckpt.AliasCount);

        // Parameters: 40 (wte) + 4 + 4 (ln) + 3 × 16 (q, k, v) = 96; lm_head not counted again.
        Assert.Equal(96, ckpt.ParameterCount);
        // Storage bytes, each storage once: 40×2 + 4×4 + 4×2 + 48×4 = 80 + 16 + 8 + 192 = 296.
        Assert.Equal(296, ckpt.StorageBytes);
        Assert.Equal(4, ckpt.Storages.Length);
        var s0 = ckpt.Storages.Single(s => s.Key == "0");
        Assert.True(s0.IsShared);
        Assert.Equal(2, s0.TensorCount);
        Assert.Equal("archive/data/0", s0.EntryName);
        Assert.Equal(3, ckpt.Storages.Single(s => s.Key == "3").TensorCount);
        Assert.Equal("little", ckpt.ByteOrder);
        Assert.Equal(["archive"], ckpt.ArchiveNames.ToArray());
        // The TensorInfo view keeps all 7 names for the inventory; AliasOf tells the counter to skip one.
        Assert.Equal(7, ckpt.Tensors.Length);
    }

    [Fact]
    public void ArchiveFolderNameVaries_PytorchModelPrefix()
    {
        // torch names the folder after the file stem when saving to a path (PyTorchStreamWriter archive_name_).
        string path = WriteFile(TorchZipWriter.Write(TorchPickleWriter.StateDict(TinyModel), TinyModel, archive: "pytorch_model"));
        var ckpt = PyTorchCheckpointReader.Read(path);
        Assert.Equal(["pytorch_model"], ckpt.ArchiveNames.ToArray());
        Assert.Equal(96, ckpt.ParameterCount); // as above
    }

    [Fact]
    public void Protocol4_FrameShortUnicodeMemoizeStackGlobal_AndParameterRebuild()
    {
        // torch.save(..., pickle_protocol=4) of {'w': nn.Parameter(zeros(2, 3))}: FRAME, SHORT_BINUNICODE, MEMOIZE,
        // STACK_GLOBAL (pickletools opcode table, protocol 4), _rebuild_parameter(tensor, True, OrderedDict()).
        var body = new List<byte>();
        void S(string s) { body.Add(0x8c); body.Add((byte)s.Length); body.AddRange(Encoding.ASCII.GetBytes(s)); body.Add(0x94); }
        body.Add((byte)'}'); body.Add(0x94);                                   // EMPTY_DICT, MEMOIZE
        S("w");                                                                // key
        S("torch._utils"); S("_rebuild_parameter"); body.Add(0x93); body.Add(0x94);   // STACK_GLOBAL
        S("torch._utils"); S("_rebuild_tensor_v2"); body.Add(0x93); body.Add(0x94);
        body.Add((byte)'(');                                                   // MARK (args of _rebuild_tensor_v2)
        body.Add((byte)'('); S("storage"); S("torch"); S("FloatStorage"); body.Add(0x93); body.Add(0x94);
        S("0"); S("cpu"); body.AddRange([(byte)'K', 6]); body.Add((byte)'t'); body.Add(0x94); body.Add((byte)'Q'); // pid → BINPERSID
        body.AddRange([(byte)'K', 0]);                                         // storage_offset 0
        body.AddRange([(byte)'K', 2, (byte)'K', 3, 0x86, 0x94]);               // size (2, 3)
        body.AddRange([(byte)'K', 3, (byte)'K', 1, 0x86, 0x94]);               // stride (3, 1)
        body.Add(0x89);                                                        // requires_grad False (inner)
        S("collections"); S("OrderedDict"); body.Add(0x93); body.Add(0x94); body.Add((byte)')'); body.Add((byte)'R'); body.Add(0x94);
        body.Add((byte)'t'); body.Add(0x94); body.Add((byte)'R'); body.Add(0x94); // → tensor
        body.Add(0x88);                                                        // requires_grad True
        body.AddRange([(byte)'h', 19]);                                        // BINGET the OrderedDict global (20th MEMOIZE → index 19)
        body.Add((byte)')'); body.Add((byte)'R'); body.Add(0x94);              // OrderedDict()
        body.Add(0x87); body.Add(0x94); body.Add((byte)'R'); body.Add(0x94);   // TUPLE3, REDUCE → Parameter
        body.Add((byte)'s'); body.Add((byte)'.');                              // SETITEM, STOP
        var pkl = new List<byte> { 0x80, 4, 0x95 };
        pkl.AddRange(BitConverter.GetBytes((ulong)body.Count));                // FRAME length (little-endian host)
        pkl.AddRange(body);
        TorchTensorSpec[] spec = [new("w", "FloatStorage", "0", 6, 0, [2, 3], [3, 1])];

        var ckpt = PyTorchCheckpointReader.Read(WriteFile(TorchZipWriter.Write([.. pkl], spec)));

        var t = Assert.Single(ckpt.TensorDetails);
        Assert.True(t.IsParameter);
        Assert.True(t.RequiresGrad);
        Assert.Equal(6, ckpt.ParameterCount);  // 2 × 3
        Assert.Equal(24, ckpt.StorageBytes);   // 6 × 4
    }

    [Fact]
    public void NestedCheckpoint_NamesJoinedWithDots()
    {
        // {'model': state_dict, 'epoch': 3}: a training checkpoint; tensors under 'model.' and the int ignored.
        var w = new TorchPickleWriter().Proto(2).Op('}').Memo().Op('(');
        w.Str("model").Op('}').Memo().Str("fc.weight").Tensor(TinyModel[1]).Op('s');
        w.Str("epoch").Int(3).Op('u').Op('.');
        var ckpt = PyTorchCheckpointReader.Read(WriteFile(TorchZipWriter.Write(w.ToArray(), [TinyModel[1]])));
        Assert.Equal("model.fc.weight", Assert.Single(ckpt.TensorDetails).Tensor.Name);
    }

    // ------------------------------------------------------------ sharded index

    private string WriteSharded(string? indexJson = null, bool dropShard2 = false)
    {
        TorchTensorSpec[] shard1 = [TinyModel[0], TinyModel[1], TinyModel[2]];
        TorchTensorSpec[] shard2 = [TinyModel[3] with { Key = "0" }, TinyModel[4] with { Key = "0" }, TinyModel[5] with { Key = "0" }];
        File.WriteAllBytes(Path.Combine(_dir, "pytorch_model-00001-of-00002.bin"),
            TorchZipWriter.Write(TorchPickleWriter.StateDict(shard1), shard1, archive: "pytorch_model-00001-of-00002"));
        if (!dropShard2)
        {
            File.WriteAllBytes(Path.Combine(_dir, "pytorch_model-00002-of-00002.bin"),
                TorchZipWriter.Write(TorchPickleWriter.StateDict(shard2), shard2, archive: "pytorch_model-00002-of-00002"));
        }

        indexJson ??= """
            {"metadata": {"total_size": 296},
             "weight_map": {
               "wte.weight": "pytorch_model-00001-of-00002.bin",
               "ln.weight": "pytorch_model-00001-of-00002.bin",
               "ln.bias": "pytorch_model-00001-of-00002.bin",
               "attn.q.weight": "pytorch_model-00002-of-00002.bin",
               "attn.k.weight": "pytorch_model-00002-of-00002.bin",
               "attn.v.weight": "pytorch_model-00002-of-00002.bin"}}
            """;
        File.WriteAllText(Path.Combine(_dir, "pytorch_model.bin.index.json"), indexJson);
        return _dir;
    }

    [Fact]
    public async Task ReadIndexed_CombinesShards()
    {
        string folder = WriteSharded();
        foreach (var ckpt in new[] { PyTorchCheckpointReader.ReadIndexed(folder), await PyTorchCheckpointReader.ReadIndexedAsync(folder) })
        {
            Assert.Equal(2, ckpt.Files.Length);
            Assert.Equal(6, ckpt.TensorDetails.Length);
            Assert.Equal(96, ckpt.ParameterCount);   // 40 + 4 + 4 + 48, no tied head in this model
            Assert.Equal(296, ckpt.StorageBytes);    // 80 + 16 + 8 + 192 = the index's total_size
            Assert.Equal(296, ckpt.IndexTotalSize);
            Assert.EndsWith("pytorch_model-00002-of-00002.bin", ckpt.TensorDetails[^1].Tensor.FilePath);
        }

        // The index path itself works too.
        Assert.Equal(96, PyTorchCheckpointReader.ReadIndexed(Path.Combine(folder, "pytorch_model.bin.index.json")).ParameterCount);
    }

    [Fact]
    public void ReadIndexed_MissingShard_MissingFile()
    {
        string folder = WriteSharded(dropShard2: true);
        var ex = Assert.Throws<ModelFormatException>(() => PyTorchCheckpointReader.ReadIndexed(folder));
        Assert.Equal(ModelFormatError.MissingFile, ex.Error);
    }

    [Fact]
    public void ReadIndexed_TensorNotInShard_MissingFile()
    {
        string folder = WriteSharded("""{"weight_map": {"not.there": "pytorch_model-00001-of-00002.bin"}}""");
        var ex = Assert.Throws<ModelFormatException>(() => PyTorchCheckpointReader.ReadIndexed(folder));
        Assert.Equal(ModelFormatError.MissingFile, ex.Error);
        Assert.Equal("not.there", ex.Field);
    }

    [Fact]
    public void ReadIndexed_ShardPathTraversal_Refused()
    {
        string folder = WriteSharded("""{"weight_map": {"wte.weight": "../../etc/passwd"}}""");
        var ex = Assert.Throws<ModelFormatException>(() => PyTorchCheckpointReader.ReadIndexed(folder));
        Assert.Equal(ModelFormatError.InvalidValue, ex.Error);
    }

    [Fact]
    public void ReadIndexed_NotJson_InvalidJson()
    {
        string folder = WriteSharded("{ weight_map: oops");
        Assert.Equal(ModelFormatError.InvalidJson, Assert.Throws<ModelFormatException>(() => PyTorchCheckpointReader.ReadIndexed(folder)).Error);
    }

    // ------------------------------------------------------------ hostile pickles

    private ModelFormatException ReadPickleFails(byte[] pickle, PyTorchReaderOptions? options = null)
    {
        string path = WriteFile(TorchZipWriter.Write(pickle, []), "hostile.pt");
        return Assert.Throws<ModelFormatException>(() => PyTorchCheckpointReader.Read(path, options));
    }

    public static TheoryData<string, string, bool> ForbiddenGlobals => new()
    {
        // module, name, via STACK_GLOBAL (protocol 4) instead of GLOBAL
        { "os", "system", false },
        { "posix", "system", false },
        { "builtins", "eval", false },
        { "__builtin__", "exec", false },
        { "subprocess", "Popen", true },
        { "torch", "load", false },          // a torch function that is not a constructor of a tensor description
        { "numpy.core.multiarray", "_reconstruct", false },
    };

    [Theory]
    [MemberData(nameof(ForbiddenGlobals))]
    public void ForbiddenGlobal_RefusedAndNothingRuns(string module, string name, bool stackGlobal)
    {
        string marker = Path.Combine(_dir, "pwned");
        // The classic payload: GLOBAL os.system, ('touch <marker>',), REDUCE, STOP.
        var w = new TorchPickleWriter().Proto(2);
        if (stackGlobal) w.Str(module).Str(name).Raw(0x93);                 // STACK_GLOBAL from two strings
        else w.Raw((byte)'c').Raw(Encoding.ASCII.GetBytes($"{module}\n{name}\n")); // GLOBAL module\nname\n
        w.Str($"touch {marker}").Raw(0x85).Op('R').Op('.');                 // TUPLE1 arg, REDUCE, STOP
        var ex = ReadPickleFails(w.ToArray());

        Assert.Equal(ModelFormatError.Unsupported, ex.Error);
        Assert.Contains($"'{(module == "__builtin__" ? "builtins" : module)}.{name}' refused and NOT run", ex.Message);
        Assert.False(File.Exists(marker)); // nothing was executed
    }

    [Fact]
    public void ReduceOnAllowedButNonCallableGlobal_Refused()
    {
        // torch.FloatStorage is allowed as a persistent-id type name but may not be called.
        var w = new TorchPickleWriter().Proto(2).Global("torch", "FloatStorage").Op(')').Op('R').Op('.');
        Assert.Equal(ModelFormatError.Unsupported, ReadPickleFails(w.ToArray()).Error);
    }

    [Fact]
    public void UnknownOpcode_Unsupported()
    {
        // 'i' = INST (protocol 0 instance creation), not used by torch: refused.
        var ex = ReadPickleFails(new TorchPickleWriter().Proto(2).Op('i').ToArray());
        Assert.Equal(ModelFormatError.Unsupported, ex.Error);
        Assert.Equal(2, ex.Offset); // after the 2-byte PROTO
    }

    [Fact]
    public void MemoIndexNeverStored_InvalidValue()
    {
        var pkl = new TorchPickleWriter().Proto(2)
            .Raw((byte)'h', 7)   // BINGET 7 with an empty memo
            .Op('.').ToArray();
        Assert.Equal(ModelFormatError.InvalidValue, ReadPickleFails(pkl).Error);
    }

    [Fact]
    public void DeepMarks_NestingTooDeep()
    {
        var w = new TorchPickleWriter().Proto(2);
        for (int i = 0; i < 1000; i++) w.Op('(');   // 1,000 open MARKs, cap 64
        Assert.Equal(ModelFormatError.NestingTooDeep, ReadPickleFails(w.ToArray()).Error);
    }

    [Fact]
    public void DeeplyNestedLists_NestingTooDeep()
    {
        // 10,000 EMPTY_LISTs then APPEND each into the one below: a list nested 10,000 deep (no MARKs at all).
        var w = new TorchPickleWriter().Proto(2);
        for (int i = 0; i < 10_000; i++) w.Op(']');
        for (int i = 0; i < 9_999; i++) w.Op('a');
        w.Op('.');
        Assert.Equal(ModelFormatError.NestingTooDeep, ReadPickleFails(w.ToArray()).Error);
    }

    [Fact]
    public void SelfReferencingList_NestingTooDeepNotHang()
    {
        var pkl = new TorchPickleWriter().Proto(2)
            .Op(']').Raw((byte)'q', 0)  // EMPTY_LIST, BINPUT 0
            .Raw((byte)'h', 0).Op('a')  // BINGET 0, APPEND: the list contains itself
            .Op('.').ToArray();
        Assert.Equal(ModelFormatError.NestingTooDeep, ReadPickleFails(pkl).Error);
    }

    [Fact]
    public void TruncatedPickle_Truncated()
    {
        byte[] full = TorchPickleWriter.StateDict(TinyModel);
        var ex = ReadPickleFails(full[..(full.Length / 2)]);
        Assert.Equal(ModelFormatError.Truncated, ex.Error);
    }

    [Fact]
    public void TruncatedStringLength_Truncated()
    {
        // BINUNICODE declaring 1,000 bytes with 3 present.
        var pkl = new TorchPickleWriter().Proto(2).Raw((byte)'X', 0xe8, 0x03, 0, 0).Raw("abc"u8.ToArray()).ToArray();
        Assert.Equal(ModelFormatError.Truncated, ReadPickleFails(pkl).Error);
    }

    [Fact]
    public void StringOverCap_StringTooLong()
    {
        // BINUNICODE declaring 0x7fffffff bytes: rejected by the cap before any allocation.
        var pkl = new TorchPickleWriter().Proto(2).Raw((byte)'X', 0xff, 0xff, 0xff, 0x7f).ToArray();
        Assert.Equal(ModelFormatError.StringTooLong, ReadPickleFails(pkl).Error);
    }

    [Fact]
    public void TrailingBytesAfterStop_InvalidValue()
    {
        byte[] pkl = [.. TorchPickleWriter.StateDict(TinyModel), 0x4e];
        Assert.Equal(ModelFormatError.InvalidValue, ReadPickleFails(pkl).Error);
    }

    [Fact]
    public void StackUnderflow_InvalidValue()
    {
        Assert.Equal(ModelFormatError.InvalidValue, ReadPickleFails(new TorchPickleWriter().Proto(2).Op('R').ToArray()).Error);
    }

    [Fact]
    public void PickleOverCap_HeaderTooLarge()
    {
        byte[] pkl = TorchPickleWriter.StateDict(TinyModel);
        var ex = ReadPickleFails(pkl, new PyTorchReaderOptions { MaxPickleBytes = 100 });
        Assert.Equal(ModelFormatError.HeaderTooLarge, ex.Error);
    }

    [Fact]
    public void StorageKeyWithPath_Refused()
    {
        TorchTensorSpec[] t = [TinyModel[1] with { Key = "../../x" }];
        var ex = ReadPickleFails(TorchPickleWriter.StateDict(t));
        Assert.Equal(ModelFormatError.InvalidValue, ex.Error);
    }

    // ------------------------------------------------------------ zip-level problems

    [Fact]
    public void ZipEntryPathTraversal_Refused()
    {
        byte[] zip = TorchZipWriter.Write(TorchPickleWriter.StateDict(TinyModel), TinyModel, extraEntries: [("archive/../../evil.sh", [1, 2, 3])]);
        var ex = Assert.Throws<ModelFormatException>(() => PyTorchCheckpointReader.Read(WriteFile(zip)));
        Assert.Equal(ModelFormatError.InvalidValue, ex.Error);
        Assert.Contains("path traversal", ex.Message);
        Assert.False(File.Exists(Path.Combine(_dir, "..", "evil.sh")));
    }

    [Fact]
    public void StorageEntryMissing_MissingFile()
    {
        byte[] zip = TorchZipWriter.Write(TorchPickleWriter.StateDict(TinyModel), TinyModel, skipStorages: ["2"]);
        var ex = Assert.Throws<ModelFormatException>(() => PyTorchCheckpointReader.Read(WriteFile(zip)));
        Assert.Equal(ModelFormatError.MissingFile, ex.Error);
        Assert.Equal("archive/data/2", ex.Field);
    }

    [Fact]
    public void StorageEntryWrongSize_ShapeSizeMismatch()
    {
        // storage "1" declares 4 F32 elements = 16 bytes; the entry holds 12.
        byte[] zip = TorchZipWriter.Write(TorchPickleWriter.StateDict(TinyModel), TinyModel, storageBytesOverride: new Dictionary<string, long> { ["1"] = 12 });
        Assert.Equal(ModelFormatError.ShapeSizeMismatch, Assert.Throws<ModelFormatException>(() => PyTorchCheckpointReader.Read(WriteFile(zip))).Error);
    }

    [Fact]
    public void ViewPastStorage_OffsetOutOfRange()
    {
        // offset 40 + 16 elements into a 48-element storage reaches element 55.
        TorchTensorSpec[] t = [new("x", "FloatStorage", "0", 48, 40, [4, 4], [4, 1])];
        byte[] zip = TorchZipWriter.Write(TorchPickleWriter.StateDict(t), t);
        Assert.Equal(ModelFormatError.OffsetOutOfRange, Assert.Throws<ModelFormatException>(() => PyTorchCheckpointReader.Read(WriteFile(zip))).Error);
    }

    [Fact]
    public void TruncatedZip_Truncated()
    {
        byte[] zip = TorchZipWriter.Write(TorchPickleWriter.StateDict(TinyModel), TinyModel);
        var ex = Assert.Throws<ModelFormatException>(() => PyTorchCheckpointReader.Read(WriteFile(zip[..(zip.Length - 30)])));
        Assert.Equal(ModelFormatError.Truncated, ex.Error);
    }

    [Fact]
    public void ZipWithoutDataPkl_WrongFormat()
    {
        byte[] zip = TorchZipWriter.Write([], [], archive: "x");
        // remove the data.pkl by writing a zip holding only an unrelated entry
        var ms = new MemoryStream();
        using (var z = new System.IO.Compression.ZipArchive(ms, System.IO.Compression.ZipArchiveMode.Create, true))
            using (var s = z.CreateEntry("model.tflite").Open()) s.Write(zip);
        Assert.Equal(ModelFormatError.WrongFormat, Assert.Throws<ModelFormatException>(() => PyTorchCheckpointReader.Read(WriteFile(ms.ToArray()))).Error);
    }

    [Fact]
    public void GgufBytes_WrongFormat()
    {
        var ex = Assert.Throws<ModelFormatException>(() => PyTorchCheckpointReader.Read(WriteFile([.. "GGUF"u8, 3, 0, 0, 0])));
        Assert.Equal(ModelFormatError.WrongFormat, ex.Error);
        Assert.Contains("GGUF", ex.Message);
    }

    [Fact]
    public void LegacyFormat_NotSupported()
    {
        // torch._legacy_save: PROTO 2, LONG1 10 bytes of MAGIC_NUMBER 0x1950a86a20f9469cfc6c (torch/serialization.py).
        byte[] legacy = [0x80, 0x02, 0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19, 0x2e];
        var ex = Assert.Throws<NotSupportedException>(() => PyTorchCheckpointReader.Read(WriteFile(legacy)));
        Assert.Contains("legacy", ex.Message);
    }

    [Fact]
    public void NonSeekableStream_ArgumentException()
    {
        using var s = new NonSeekable();
        Assert.Throws<ArgumentException>(() => PyTorchCheckpointReader.Read(s));
    }

    private sealed class NonSeekable : MemoryStream
    {
        public override bool CanSeek => false;
    }
}
