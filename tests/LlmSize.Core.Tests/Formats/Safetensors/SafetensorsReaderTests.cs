using LlmSize.Core.Formats.Safetensors;
using LlmSize.Core.Models;
using LlmSize.Core.Precision;
using LlmSize.Core.Tests.Infrastructure;
using static LlmSize.Core.Tests.Formats.Safetensors.SafetensorsTestData;

namespace LlmSize.Core.Tests.Formats.Safetensors;

public class SafetensorsReaderTests
{
    /// <summary>One real file: name, header length N, data-section length, tensor count, parameters.</summary>
    public sealed record FixtureExpectation(string File, long HeaderLength, long DataLength, int TensorCount, long Parameters);

    /// <summary>
    /// Expected values of the shared sample files (safetensors repository <c>samples/</c>), read off their bytes with
    /// <c>xxd</c>: the first 8 bytes are N little-endian, the JSON follows, and the file length is 8 + N + data.
    /// </summary>
    public static TheoryData<FixtureExpectation> Fixtures => new()
    {
        // overall.safetensors: prefix 0e 02 00.. → N = 0x20E = 526; 9 tensors of shape [6] (U8, U16, U32, I8, F64, F16,
        // F32, I16, I32); the last data_offsets are [144, 168] → data 168 bytes; 8 + 526 + 168 = 702 = file size.
        new(Path.Combine("safetensors", "overall.safetensors"), 526, 168, 9, 9 * 6),
        // B.safetensors: prefix 51 00.. → N = 0x51 = 81; {"B":{"dtype":"U8","shape":[6],"data_offsets":[0,6]}}; 8 + 81 + 6 = 95.
        new(Path.Combine("safetensors", "B.safetensors"), 81, 6, 1, 6),
        // d.safetensors: prefix 53 00.. → N = 0x53 = 83; {"d":{"dtype":"F64","shape":[6],"data_offsets":[0,48]}}; 8 + 83 + 48 = 139.
        new(Path.Combine("safetensors", "d.safetensors"), 83, 48, 1, 6),
        // gpt2-lora-seqcls (shared/README.md: 25 tensors, 299,520 F32 parameters): N = 3120 from its prefix;
        // data = 299,520 × 4 bytes = 1,198,080; 8 + 3120 + 1,198,080 = 1,201,208 = file size.
        new(Path.Combine("peft", "gpt2-lora-seqcls", "adapter_model.safetensors"), 3120, 1_198_080, 25, 299_520),
        // distilbert-lora-imdb (shared/README.md: 28 tensors, 739,586 F32 parameters): N = 3840 from its prefix;
        // data = 739,586 × 4 = 2,958,344; 8 + 3840 + 2,958,344 = 2,962,192 = file size.
        new(Path.Combine("peft", "distilbert-lora-imdb", "adapter_model.safetensors"), 3840, 2_958_344, 28, 739_586),
    };

    [Theory]
    [MemberData(nameof(Fixtures))]
    public void Read_RealFile_MatchesExpectedSizes(FixtureExpectation expected)
    {
        string path = TestPaths.Fixture(expected.File.Split(Path.DirectorySeparatorChar));
        SafetensorsFile f = SafetensorsReader.Read(path);

        Assert.Equal(path, f.FilePath);
        Assert.Equal(expected.HeaderLength, f.HeaderLength);
        Assert.Equal(expected.DataLength, f.DataSectionLength);
        Assert.Equal(new FileInfo(path).Length, f.FileLength);
        Assert.Equal(expected.TensorCount, f.Tensors.Count);
        Assert.Equal(expected.Parameters, f.ParameterCount);
        Assert.Equal(expected.DataLength, f.Tensors.Sum(t => t.ByteLength));
        Assert.All(f.Tensors, t => Assert.Equal(path, t.FilePath));
    }

    [Theory]
    [MemberData(nameof(Fixtures))]
    public async Task ReadAsync_RealFile_SameAsSync(FixtureExpectation expected)
    {
        string path = TestPaths.Fixture(expected.File.Split(Path.DirectorySeparatorChar));
        SafetensorsFile sync = SafetensorsReader.Read(path);
        SafetensorsFile async = await SafetensorsReader.ReadAsync(path);
        Assert.Equal(sync.Tensors.Select(Describe), async.Tensors.Select(Describe));
        Assert.Equal(sync.FileLength, async.FileLength);
    }

    private static string Describe(TensorInfo t) => $"{t.Name} {t.DataType} {t.ShapeText} {t.ByteLength} @{t.DataOffset} in {t.FilePath}";

    [Fact]
    public void Read_PeftAdapters_AreAllF32WithFormatPt()
    {
        foreach (string name in new[] { "gpt2-lora-seqcls", "distilbert-lora-imdb" })
        {
            SafetensorsFile f = SafetensorsReader.Read(TestPaths.Fixture("peft", name, "adapter_model.safetensors"));
            // shared/README.md: "F32 parameters"; PEFT writes {"format": "pt"} as __metadata__ (seen in the header).
            Assert.All(f.Tensors, t => Assert.Same(TensorDataType.F32, t.DataType));
            Assert.Equal("pt", f.Metadata["format"]);
        }

        // gpt2 adapter: score head 6 × 768 (shared/README.md "incl. the 6×768 score head") plus per block c_attn
        // lora_A [8, 768] and lora_B [2304, 8] (r = 8, 2304 = 3 × 768): 4608 + 12 × (6144 + 18432) = 299,520.
        SafetensorsFile gpt2 = SafetensorsReader.Read(TestPaths.Fixture("peft", "gpt2-lora-seqcls", "adapter_model.safetensors"));
        Assert.Equal(new long[] { 6, 768 }, gpt2.FindTensor("base_model.model.score.weight")!.Shape.ToArray());
        Assert.Equal(new long[] { 2304, 8 }, gpt2.FindTensor("base_model.model.transformer.h.0.attn.c_attn.lora_B.weight")!.Shape.ToArray());
    }

    /// <summary>Every tensor of overall.safetensors as its header declares it (bytes 8..533 of the file).</summary>
    public static TheoryData<string, string, long, long> OverallTensors => new()
    {
        // name, dtype, begin, end (data_offsets); shape is [6] for all.
        { "B", "U8", 0, 6 },
        { "H", "U16", 6, 18 },
        { "I", "U32", 18, 42 },
        { "b", "I8", 42, 48 },
        { "d", "F64", 48, 96 },
        { "e", "F16", 96, 108 },
        { "f", "F32", 108, 132 },
        { "h", "I16", 132, 144 },
        { "i", "I32", 144, 168 },
    };

    [Theory]
    [MemberData(nameof(OverallTensors))]
    public void Read_Overall_TensorAsDeclared(string name, string dtype, long begin, long end)
    {
        SafetensorsFile f = SafetensorsReader.Read(TestPaths.Fixture("safetensors", "overall.safetensors"));
        TensorInfo t = Assert.Single(f.Tensors, x => x.Name == name);
        Assert.Equal(dtype, t.DataType.SafetensorsName);
        Assert.Equal(new long[] { 6 }, t.Shape.ToArray());
        Assert.Equal(end - begin, t.ByteLength);
        Assert.Equal(8 + 526 + begin, t.DataOffset); // absolute: 8-byte prefix + N (526) + begin
    }

    [Fact]
    public void Read_Overall_MetadataAndOrder()
    {
        SafetensorsFile f = SafetensorsReader.Read(TestPaths.Fixture("safetensors", "overall.safetensors"));
        // Header: {"__metadata__":{"test":"a"}, ...}
        Assert.Equal(new Dictionary<string, string> { ["test"] = "a" }, f.Metadata);
        // Sorted by data offset, as the header lists them.
        Assert.Equal(["B", "H", "I", "b", "d", "e", "f", "h", "i"], f.Tensors.Select(t => t.Name));
        Assert.Equal(534, f.DataSectionOffset);
    }

    public static TheoryData<ReadMode> Modes
    {
        get
        {
            var data = new TheoryData<ReadMode>();
            foreach (ReadMode m in AllModes) data.Add(m);
            return data;
        }
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public async Task Read_Stream_AllModesAgree(ReadMode mode)
    {
        byte[] bytes = await File.ReadAllBytesAsync(TestPaths.Fixture("safetensors", "overall.safetensors"));
        SafetensorsFile fromFile = SafetensorsReader.Read(TestPaths.Fixture("safetensors", "overall.safetensors"));
        SafetensorsFile f = await ReadAsync(bytes, mode);
        Assert.Equal("test.safetensors", f.FilePath);
        Assert.Equal(fromFile.Tensors.Select(t => (t.Name, t.DataType, t.ByteLength, t.DataOffset)),
            f.Tensors.Select(t => (t.Name, t.DataType, t.ByteLength, t.DataOffset)));
        Assert.Equal(702, f.FileLength);
        Assert.Equal("a", f.Metadata["test"]);
    }

    [Fact]
    public void Read_SparseMultiGigabyteFile_ReadsOnlyTheHeader()
    {
        const long data = 4L << 30; // 4 GiB declared: one U8 tensor of 2^32 elements = 4,294,967,296 bytes
        string json = $$$"""{"big":{"dtype":"U8","shape":[{{{data}}}],"data_offsets":[0,{{{data}}}]}}""";
        byte[] head = Build(json, 0);
        string path = Path.Combine(Path.GetTempPath(), $"llmsize-sparse-{Guid.NewGuid():N}.safetensors");
        try
        {
            using (var w = new FileStream(path, FileMode.CreateNew, FileAccess.Write))
            {
                w.Write(head);
                w.SetLength(head.Length + data); // sparse: nothing is written past the header
            }

            using var counting = new CountingStream(new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1));
            SafetensorsFile f = SafetensorsReader.Read(counting, displayName: path);

            Assert.Equal(data, f.DataSectionLength);
            Assert.Equal(head.Length + data, f.FileLength);
            Assert.Equal(data, f.ParameterCount);
            Assert.True(counting.BytesRead <= head.Length, $"read {counting.BytesRead} bytes; header is 8 + {head.Length - 8}");
        }
        finally
        {
            File.Delete(path);
        }
    }

    /// <summary>Every dtype of the safetensors spec and its bit size (tensor.rs <c>Dtype::bitsize</c>).</summary>
    public static TheoryData<string, int> SpecDtypes => new()
    {
        { "BOOL", 8 }, { "F4", 4 }, { "F6_E2M3", 6 }, { "F6_E3M2", 6 }, { "U8", 8 }, { "I8", 8 }, { "F8_E5M2", 8 },
        { "F8_E4M3", 8 }, { "F8_E8M0", 8 }, { "F8_E4M3FNUZ", 8 }, { "F8_E5M2FNUZ", 8 }, { "I16", 16 }, { "U16", 16 },
        { "F16", 16 }, { "BF16", 16 }, { "I32", 32 }, { "U32", 32 }, { "F32", 32 }, { "C64", 64 }, { "F64", 64 },
        { "I64", 64 }, { "U64", 64 },
    };

    [Theory]
    [MemberData(nameof(SpecDtypes))]
    public async Task Read_EverySpecDtype_SizeIsShapeTimesBits(string dtype, int bits)
    {
        // 8 elements of `bits` bits = bits bytes (8 × bits / 8).
        string json = $$$"""{"t":{"dtype":"{{{dtype}}}","shape":[2,4],"data_offsets":[0,{{{bits}}}]}}""";
        SafetensorsFile f = await ReadAsync(Build(json, bits), ReadMode.SyncSeekable);
        Assert.Equal(dtype, f.Tensors[0].DataType.SafetensorsName);
        Assert.Equal(bits, f.Tensors[0].ByteLength);
        Assert.Equal(8, f.Tensors[0].ElementCount);
    }

    [Fact]
    public async Task Read_ZeroElementAndScalarTensors_Allowed()
    {
        // Spec: "Empty tensors (tensors with 1 dimension being 0) are allowed" and "0-rank Tensors (shape []) are allowed".
        string json = """{"empty":{"dtype":"F16","shape":[0,5],"data_offsets":[0,0]},"scalar":{"dtype":"F32","shape":[],"data_offsets":[0,4]}}""";
        SafetensorsFile f = await ReadAsync(Build(json, 4), ReadMode.SyncSeekable);
        Assert.Equal(0, f.FindTensor("empty")!.ElementCount);
        Assert.Equal(1, f.FindTensor("scalar")!.ElementCount); // empty shape = one element
        Assert.Equal(4, f.DataSectionLength);
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public async Task Read_HeaderPaddedWithSpaces_Accepted(ReadMode mode)
    {
        // Spec: "The header data MAY be trailing padded with whitespace (0x20)" — writers pad N to a multiple of 8.
        string json = """{"w":{"dtype":"F32","shape":[2,3],"data_offsets":[0,24]}}""" + new string(' ', 13);
        SafetensorsFile f = await ReadAsync(Build(json, 24), mode);
        Assert.Equal(json.Length, f.HeaderLength);
        Assert.Equal(8 + json.Length, f.Tensors[0].DataOffset);
    }

    [Fact]
    public async Task Read_TensorsOutOfOrderInJson_SortedByOffset()
    {
        // The reference sorts entries by data_offsets before validating ("Previous versions might have a different ordering").
        string json = """{"z":{"dtype":"U8","shape":[2],"data_offsets":[0,2]},"a":{"dtype":"U8","shape":[3],"data_offsets":[2,5]}}""";
        string swapped = """{"a":{"dtype":"U8","shape":[3],"data_offsets":[2,5]},"z":{"dtype":"U8","shape":[2],"data_offsets":[0,2]}}""";
        SafetensorsFile f1 = await ReadAsync(Build(json, 5), ReadMode.SyncSeekable);
        SafetensorsFile f2 = await ReadAsync(Build(swapped, 5), ReadMode.SyncSeekable);
        Assert.Equal(["z", "a"], f1.Tensors.Select(t => t.Name));
        Assert.Equal(["z", "a"], f2.Tensors.Select(t => t.Name));
    }

    [Fact]
    public async Task Read_UnknownTensorFieldsAndNullMetadata_Ignored()
    {
        // serde's derived TensorInfo ignores unknown fields; "__metadata__": null is Option::None in the reference.
        string json = """{"__metadata__":null,"w":{"dtype":"U8","extra":{"a":[1,2]},"shape":[1],"data_offsets":[0,1]}}""";
        SafetensorsFile f = await ReadAsync(Build(json, 1), ReadMode.SyncSeekable);
        Assert.Empty(f.Metadata);
        Assert.Single(f.Tensors);
    }

    [Fact]
    public async Task Read_Rank20Tensor_AllDimensionsKept()
    {
        // 19 dimensions of 1 and one of 3: 3 U8 elements = 3 bytes; rank 20 is within MaxDimensions (64).
        string dims = string.Join(",", Enumerable.Repeat(1, 19)) + ",3";
        SafetensorsFile f = await ReadAsync(Build("{\"t\":{\"dtype\":\"U8\",\"shape\":[" + dims + "],\"data_offsets\":[0,3]}}", 3), ReadMode.SyncSeekable);
        Assert.Equal(20, f.Tensors[0].Shape.Length);
        Assert.Equal(3, f.Tensors[0].Shape[19]);
        Assert.Equal(3, f.Tensors[0].ElementCount);
    }

    [Fact]
    public async Task Read_EmptyObjectHeader_NoTensors()
    {
        // {} declares no tensors and a 0-byte data section.
        SafetensorsFile f = await ReadAsync(Build("{}", 0), ReadMode.SyncNonSeekable);
        Assert.Empty(f.Tensors);
        Assert.Equal(10, f.FileLength); // 8 + 2
    }

    [Fact]
    public async Task ReadAsync_Cancelled_Throws()
    {
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();
        byte[] bytes = Build("{}", 0);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            SafetensorsReader.ReadAsync(new NonSeekableStream(bytes), cancellationToken: cts.Token));
    }

    [Fact]
    public void Read_CallerMisuse_ThrowsArgumentExceptions()
    {
        Assert.Throws<ArgumentNullException>(() => SafetensorsReader.Read((Stream)null!));
        Assert.Throws<ArgumentException>(() => SafetensorsReader.Read(""));
        using var unreadable = new MemoryStream();
        unreadable.Dispose();
        Assert.Throws<ArgumentException>(() => SafetensorsReader.Read(unreadable));
        Assert.Throws<ArgumentOutOfRangeException>(() =>
            SafetensorsReader.Read(new MemoryStream(Build("{}", 0)), new SafetensorsReaderOptions { MaxHeaderBytes = 0 }));
        Assert.Throws<FileNotFoundException>(() => SafetensorsReader.Read(Path.Combine(Path.GetTempPath(), "no-such-llmsize.safetensors")));
    }

    [Fact]
    public void IsSafetensors_DetectsRealFileFromNineBytes()
    {
        byte[] bytes = File.ReadAllBytes(TestPaths.Fixture("safetensors", "overall.safetensors"));
        Assert.Equal(9, SafetensorsFormatDetector.MinimumHeaderSize);
        Assert.True(SafetensorsFormatDetector.IsSafetensors(bytes));
        Assert.True(SafetensorsFormatDetector.IsSafetensors(bytes.AsSpan(0, 9)));
        Assert.False(SafetensorsFormatDetector.IsSafetensors(bytes.AsSpan(0, 8)));
        Assert.False(SafetensorsFormatDetector.IsSafetensors([]));
    }

    [Fact]
    public void IsSafetensors_RejectsOtherFormatsAndHugeLengths()
    {
        Assert.False(SafetensorsFormatDetector.IsSafetensors("PK\u0003\u0004\u0014\u0000\u0000\u0000\u0008\u0000"u8));
        Assert.False(SafetensorsFormatDetector.IsSafetensors("GGUF\u0003\u0000\u0000\u0000\u0000\u0000"u8));
        Assert.False(SafetensorsFormatDetector.IsSafetensors(WithLength(100_000_001, "{}"u8.ToArray()))); // above the reference cap
        Assert.False(SafetensorsFormatDetector.IsSafetensors(WithLength(2, "[]"u8.ToArray())));          // not '{'
        Assert.True(SafetensorsFormatDetector.IsSafetensors(WithLength(2, "{}"u8.ToArray())));
        var random = new Random(7);
        for (int i = 0; i < 1000; i++)
        {
            var b = new byte[random.Next(0, 32)];
            random.NextBytes(b);
            _ = SafetensorsFormatDetector.IsSafetensors(b); // never throws
        }
    }

    [Fact]
    public void TensorDataType_HasEverySpecDtype()
    {
        // tensor.rs enum Dtype (huggingface/safetensors main): 22 names.
        foreach (string name in SpecDtypes.Select(row => (string)row[0]))
        {
            Assert.True(TensorDataType.TryFromSafetensorsName(name, out _), name);
        }

        Assert.Equal(22, TensorDataType.All.Count(t => t.SafetensorsName is not null));
    }
}
