using LlmSize.Core.Formats.Gguf;

namespace LlmSize.Core.Tests.Formats.Gguf;

/// <summary>Hostile and malformed inputs, built in code: one test per error kind, asserting type and code.</summary>
public sealed class GgufReaderErrorTests
{
    private static ModelFormatException Fails(GgufTestWriter w, GgufReaderOptions? options = null) =>
        GgufTestRead.Fails(w.ToArray(), GgufReadMode.SyncSeekable, options);

    private static ModelFormatException Fails(byte[] bytes) => GgufTestRead.Fails(bytes);

    // ---- magic, other formats, version ----

    [Fact]
    public void Wrong_magic_is_InvalidMagic()
    {
        var w = new GgufTestWriter();
        w.Raw("GGUX"u8)     // wrong magic
            .U32(3)          // version
            .Size(0).Size(0); // counts
        ModelFormatException e = Fails(w);
        Assert.Equal(ModelFormatError.InvalidMagic, e.Error);
        Assert.Equal(0, e.Offset);
        Assert.Contains("47475558", e.Message); // the bytes seen, in hex
    }

    public static TheoryData<string, byte[]> ForeignFormats => new()
    {
        // ZIP local file header "PK\3\4" (PyTorch .bin/.pt are ZIP archives)
        { "ZIP", [.. "PK\x03\x04"u8, 20, 0, 0, 0, 8, 0, 0, 0, 0, 0, 0, 0] },
        // safetensors: u64 LE header length 0x40, then the JSON header "{"
        { "safetensors", [0x40, 0, 0, 0, 0, 0, 0, 0, .. "{\"a\":{\"dtype\""u8] },
        // gzip magic 1F 8B, deflate method 8
        { "gzip", [0x1F, 0x8B, 8, 0, 0, 0, 0, 0, 0, 3, 0, 0, 0, 0, 0, 0] },
        // legacy GGJT: magic 'ggjt' written as a little-endian u32 → bytes "tjgg"
        { "GGJT", [.. "tjgg"u8, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0] },
        // an HTML error page saved instead of the model
        { "HTML", [.. "<!DOCTYPE html><html>"u8] },
        // a Git LFS pointer file
        { "LFS", [.. "version https://git-lfs.github.com/spec/v1\n"u8] },
    };

    [Theory]
    [MemberData(nameof(ForeignFormats))]
    public void Other_formats_are_WrongFormat(string name, byte[] bytes)
    {
        ModelFormatException e = Fails(bytes);
        Assert.Equal(ModelFormatError.WrongFormat, e.Error);
        Assert.False(string.IsNullOrEmpty(name));
    }

    [Theory]
    [InlineData(new byte[0])]
    [InlineData(new byte[] { (byte)'G', (byte)'G' })]
    public void Empty_or_partial_magic_is_Truncated(byte[] bytes) =>
        Assert.Equal(ModelFormatError.Truncated, Fails(bytes).Error);

    [Theory]
    [InlineData(0u)]
    [InlineData(4u)]
    [InlineData(0x00000100u)] // neither 1–3 nor a byte-swapped 1–3
    public void Unsupported_version(uint version)
    {
        var w = new GgufTestWriter();
        w.Raw("GGUF"u8)    // magic
            .U32(version)   // version
            .U64(0).U64(0); // counts
        ModelFormatException e = Fails(w);
        Assert.Equal(ModelFormatError.UnsupportedVersion, e.Error);
        Assert.Equal(4, e.Offset);
    }

    // ---- counts and lengths ----

    [Fact]
    public void String_length_near_2_pow_64_is_StringTooLong()
    {
        var w = new GgufTestWriter();
        w.Header(0, 1)                 // 0 tensors, 1 pair
            .U64(ulong.MaxValue - 7)   // key length 2^64 − 8
            .Zeros(16);                // some bytes (enough for the 13-byte minimum pair)
        ModelFormatException e = Fails(w);
        Assert.Equal(ModelFormatError.StringTooLong, e.Error);
        Assert.Equal(24, e.Offset); // right after magic(4) + version(4) + counts(16)
    }

    [Fact]
    public void String_length_just_above_the_bytes_remaining_is_StringTooLong()
    {
        var w = new GgufTestWriter();
        w.Header(0, 1)            // 0 tensors, 1 pair
            .Size(14)             // key length 14, but only 13 bytes follow
            .Raw("general.name"u8) // 12 bytes
            .U8(0);               // 1 byte
        Assert.Equal(ModelFormatError.StringTooLong, Fails(w).Error);
    }

    [Fact]
    public void String_above_the_cap_is_StringTooLong()
    {
        var w = new GgufTestWriter();
        w.Header(0, 1)          // 0 tensors, 1 pair
            .Str("k")           // key
            .Type(GgufValueType.String).Str(new string('x', 101)); // 101-byte value
        Assert.Equal(ModelFormatError.StringTooLong, Fails(w, new GgufReaderOptions { MaxStringLength = 100 }).Error);
    }

    [Fact]
    public void Array_count_near_2_pow_64_is_CountTooLarge()
    {
        var w = new GgufTestWriter();
        w.Header(0, 1)                    // 0 tensors, 1 pair
            .Str("a")                     // key
            .Type(GgufValueType.Array)    // ARRAY
            .Type(GgufValueType.UInt8)    // of UINT8
            .U64(ulong.MaxValue);         // count 2^64 − 1
        Assert.Equal(ModelFormatError.CountTooLarge, Fails(w).Error);
    }

    [Fact]
    public void Array_count_just_above_the_bytes_remaining_is_CountTooLarge()
    {
        var w = new GgufTestWriter();
        w.Header(0, 1)                    // 0 tensors, 1 pair
            .Str("a")                     // key
            .Type(GgufValueType.Array)    // ARRAY
            .Type(GgufValueType.UInt32)   // of UINT32
            .Size(3)                      // 3 elements = 12 bytes, but 11 follow
            .U32(1).U32(2).Raw([0, 0, 0]);
        Assert.Equal(ModelFormatError.CountTooLarge, Fails(w).Error);
    }

    [Fact]
    public void Array_above_the_cap_is_CountTooLarge()
    {
        var w = new GgufTestWriter();
        w.Header(0, 1).Str("a")                             // 0 tensors, 1 pair, key
            .Type(GgufValueType.Array).Type(GgufValueType.UInt8) // ARRAY of UINT8
            .Size(11).Zeros(11);                            // 11 elements
        Assert.Equal(ModelFormatError.CountTooLarge, Fails(w, new GgufReaderOptions { MaxArrayLength = 10 }).Error);
    }

    [Fact]
    public void Tensor_count_near_2_pow_64_is_CountTooLarge()
    {
        var w = new GgufTestWriter();
        w.Raw("GGUF"u8).U32(3)      // magic, version
            .U64(ulong.MaxValue)    // tensor_count
            .U64(0);                // metadata_kv_count
        ModelFormatException e = Fails(w);
        Assert.Equal(ModelFormatError.CountTooLarge, e.Error);
        Assert.Equal("tensor_count", e.Field);
    }

    [Fact]
    public void Counts_above_the_bytes_remaining_are_CountTooLarge()
    {
        var w = new GgufTestWriter();
        w.Header(0, 2)              // 2 pairs need ≥ 2 × 13 bytes
            .KvU32("a", 1);         // only one pair (13 bytes + key byte) follows
        Assert.Equal(ModelFormatError.CountTooLarge, Fails(w).Error);
    }

    [Fact]
    public void Tensor_count_above_the_cap_is_CountTooLarge()
    {
        ModelFormatException e = Fails(GgufReaderBuiltFileTests.Small(), new GgufReaderOptions { MaxTensorCount = 1 });
        Assert.Equal(ModelFormatError.CountTooLarge, e.Error);
    }

    [Fact]
    public void Header_above_MaxHeaderBytes_is_HeaderTooLarge()
    {
        ModelFormatException e = Fails(GgufReaderBuiltFileTests.Small(), new GgufReaderOptions { MaxHeaderBytes = 100 });
        Assert.Equal(ModelFormatError.HeaderTooLarge, e.Error);
    }

    // ---- metadata values ----

    [Fact]
    public void Invalid_utf8_key_is_InvalidUtf8()
    {
        var w = new GgufTestWriter();
        w.Header(0, 1)                         // 0 tensors, 1 pair
            .StrBytes([(byte)'a', 0xC3, 0x28]) // key: 'a', then a 2-byte lead followed by a non-continuation byte
            .Type(GgufValueType.UInt8).U8(0);  // UINT8 0
        ModelFormatException e = Fails(w);
        Assert.Equal(ModelFormatError.InvalidUtf8, e.Error);
        Assert.Equal(32, e.Offset); // 24-byte preamble + 8-byte key length
    }

    [Fact]
    public void Invalid_utf8_inside_a_large_unkept_string_array_is_InvalidUtf8()
    {
        var w = new GgufTestWriter();
        w.Header(0, 1).Str("t")                                  // 0 tensors, 1 pair, key
            .Type(GgufValueType.Array).Type(GgufValueType.String) // ARRAY of STRING
            .Size(3).Str("ok").StrBytes([0xFF]).Str("ok");       // 3 elements; the second is 0xFF (never valid UTF-8)
        Assert.Equal(ModelFormatError.InvalidUtf8, Fails(w, new GgufReaderOptions { MaxMaterializedArrayLength = 1 }).Error);
    }

    [Fact]
    public void Duplicate_key_is_DuplicateKey()
    {
        var w = new GgufTestWriter();
        w.Header(0, 2)                // 0 tensors, 2 pairs
            .KvU32("general.x", 1)    // first
            .KvU32("general.x", 2);   // same key again
        ModelFormatException e = Fails(w);
        Assert.Equal(ModelFormatError.DuplicateKey, e.Error);
        Assert.Equal("general.x", e.Field);
    }

    [Fact]
    public void Unknown_value_type_is_UnknownDataType()
    {
        var w = new GgufTestWriter();
        w.Header(0, 1).Str("k")   // 0 tensors, 1 pair, key
            .U32(13)              // value type 13: not defined
            .U32(0);              // some bytes
        Assert.Equal(ModelFormatError.UnknownDataType, Fails(w).Error);
    }

    [Fact]
    public void Bool_other_than_0_or_1_is_InvalidValue()
    {
        var w = new GgufTestWriter();
        w.Header(0, 1).Str("k")                // 0 tensors, 1 pair, key
            .Type(GgufValueType.Bool).U8(2);   // BOOL 2
        Assert.Equal(ModelFormatError.InvalidValue, Fails(w).Error);
    }

    [Fact]
    public void Arrays_nested_too_deep_are_NestingTooDeep()
    {
        var w = new GgufTestWriter();
        w.Header(0, 1).Str("n").Type(GgufValueType.Array); // 0 tensors, 1 pair, key, ARRAY
        for (int depth = 0; depth < 4; depth++)
        {
            w.Type(GgufValueType.Array).Size(1);            // element type ARRAY, 1 element: one level deeper
        }

        w.Type(GgufValueType.UInt8).Size(1).U8(0);          // innermost: ARRAY of one UINT8 (depth 5)
        Assert.Equal(ModelFormatError.NestingTooDeep, Fails(w).Error);
        // The same file reads when the cap allows 5 levels.
        Assert.Single(GgufReader.Read(new MemoryStream(w.ToArray()), new GgufReaderOptions { MaxArrayNestingDepth = 5 }).Metadata);
    }

    // ---- alignment ----

    public static TheoryData<string, Action<GgufTestWriter>> BadAlignments => new()
    {
        { "zero", w => w.KvU32(GgufConstants.AlignmentKey, 0) },
        { "not a power of two", w => w.KvU32(GgufConstants.AlignmentKey, 48) },
        { "UINT64 instead of UINT32", w => w.Str(GgufConstants.AlignmentKey).Type(GgufValueType.UInt64).U64(32) },
        { "STRING", w => w.KvString(GgufConstants.AlignmentKey, "32") },
    };

    [Theory]
    [MemberData(nameof(BadAlignments))]
    public void Bad_alignment_is_InvalidValue(string why, Action<GgufTestWriter> writeAlignment)
    {
        var w = new GgufTestWriter();
        w.Header(0, 1);       // 0 tensors, 1 pair
        writeAlignment(w);    // general.alignment, wrong
        ModelFormatException e = Fails(w);
        Assert.Equal(ModelFormatError.InvalidValue, e.Error);
        Assert.Equal(GgufConstants.AlignmentKey, e.Field);
        Assert.NotEmpty(why);
    }

    // ---- tensor infos ----

    private static GgufTestWriter OneTensor(uint nDims, ulong[] ne, uint type, ulong offset, int dataBytes = 64)
    {
        var w = new GgufTestWriter();
        w.Header(1, 0)              // 1 tensor, 0 pairs
            .Str("t")               // name
            .U32(nDims);            // n_dims
        foreach (ulong d in ne) w.Size(d); // ne[]
        w.U32(type)                 // ggml type
            .U64(offset)            // relative offset
            .PadTo(32).Zeros(dataBytes); // padding, data
        return w;
    }

    [Fact]
    public void More_than_four_dimensions_is_CountTooLarge()
    {
        ModelFormatException e = Fails(OneTensor(5, [1, 1, 1, 1, 1], 0, 0));
        Assert.Equal(ModelFormatError.CountTooLarge, e.Error);
        Assert.Equal("t", e.Field);
    }

    [Fact]
    public void Dimension_product_overflow_is_ArithmeticOverflow() =>
        // 2^32 × 2^32 = 2^64 elements: does not fit in int64
        Assert.Equal(ModelFormatError.ArithmeticOverflow, Fails(OneTensor(2, [1UL << 32, 1UL << 32], 0, 0)).Error);

    [Fact]
    public void Byte_size_overflow_is_ArithmeticOverflow() =>
        // 2^62 F32 elements fit in int64, their 2^64 bytes do not
        Assert.Equal(ModelFormatError.ArithmeticOverflow, Fails(OneTensor(2, [1UL << 31, 1UL << 31], 0, 0)).Error);

    [Fact]
    public void Dimension_above_int64_is_InvalidValue() =>
        Assert.Equal(ModelFormatError.InvalidValue, Fails(OneTensor(1, [ulong.MaxValue], 0, 0)).Error);

    [Theory]
    [InlineData(99u)]
    [InlineData(43u)]       // one past the newest id in shared/reference/ggml-types.csv (Q2_0 = 42)
    [InlineData(4u)]        // removed Q4_2
    [InlineData(5u)]        // removed Q4_3
    [InlineData(31u)]       // removed Q4_0_4_4
    [InlineData(32u)]       // removed Q4_0_4_8
    [InlineData(33u)]       // removed Q4_0_8_8
    [InlineData(36u)]       // removed IQ4_NL_4_4
    [InlineData(37u)]       // removed IQ4_NL_4_8
    [InlineData(38u)]       // removed IQ4_NL_8_8
    [InlineData(uint.MaxValue)]
    public void Unknown_or_removed_ggml_type_is_UnknownDataType(uint id)
    {
        ModelFormatException e = Fails(OneTensor(1, [32], id, 0));
        Assert.Equal(ModelFormatError.UnknownDataType, e.Error);
        Assert.Equal("t", e.Field);
        Assert.Contains($"ggml type id {id}", e.Message);
    }

    [Fact]
    public void Row_not_a_whole_number_of_blocks_is_ShapeSizeMismatch() =>
        // Q4_0 (id 2) packs 32 elements per block; a row of 33 is not whole blocks
        Assert.Equal(ModelFormatError.ShapeSizeMismatch, Fails(OneTensor(1, [33], 2, 0)).Error);

    [Fact]
    public void Misaligned_offset_is_Misaligned() =>
        // offset 16 is not a multiple of the default alignment 32
        Assert.Equal(ModelFormatError.Misaligned, Fails(OneTensor(1, [4], 0, 16)).Error);

    [Fact]
    public void Offset_above_int64_is_OffsetOutOfRange() =>
        Assert.Equal(ModelFormatError.OffsetOutOfRange, Fails(OneTensor(1, [4], 0, 1UL << 63)).Error);

    [Fact]
    public void Tensor_data_past_end_of_file_is_OffsetOutOfRange()
    {
        // F32 [4] = 16 bytes at relative offset 1024, but only 64 data bytes follow the header
        ModelFormatException e = Fails(OneTensor(1, [4], 0, 1024));
        Assert.Equal(ModelFormatError.OffsetOutOfRange, e.Error);
        Assert.Equal("t", e.Field);
    }

    [Fact]
    public void Overlapping_tensors_are_OverlappingData()
    {
        var w = new GgufTestWriter();
        w.Header(2, 0)                        // 2 tensors, 0 pairs
            .Tensor("a", [16], 0, 0)          // F32 [16]: bytes 0–64
            .Tensor("b", [8], 0, 32)          // F32 [8]: bytes 32–64, inside "a"
            .PadTo(32).Zeros(64);             // padding, data
        ModelFormatException e = Fails(w);
        Assert.Equal(ModelFormatError.OverlappingData, e.Error);
        Assert.Equal("b", e.Field);
    }

    [Fact]
    public void Duplicate_tensor_name_is_DuplicateKey()
    {
        var w = new GgufTestWriter();
        w.Header(2, 0)                        // 2 tensors, 0 pairs
            .Tensor("a", [8], 0, 0)           // F32 [8] at 0
            .Tensor("a", [8], 0, 32)          // same name at 32
            .PadTo(32).Zeros(64);             // padding, data
        Assert.Equal(ModelFormatError.DuplicateKey, Fails(w).Error);
    }

    [Fact]
    public void Tensor_name_above_the_cap_is_StringTooLong()
    {
        ModelFormatException e = Fails(GgufReaderBuiltFileTests.Small(), new GgufReaderOptions { MaxTensorNameLength = 0 });
        Assert.Equal(ModelFormatError.StringTooLong, e.Error);
    }

    // ---- caller misuse ----

    [Fact]
    public void Caller_misuse_is_Argument_exceptions()
    {
        Assert.Throws<ArgumentNullException>(() => GgufReader.Read((Stream)null!));
        Assert.Throws<ArgumentException>(() => GgufReader.Read(""));
        Assert.Throws<ArgumentOutOfRangeException>(() => GgufReader.Read(new MemoryStream(), new GgufReaderOptions { BufferSize = 8 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => GgufReader.Read(new MemoryStream(), new GgufReaderOptions { MaxHeaderBytes = 0 }));
        var unreadable = new MemoryStream();
        unreadable.Dispose();
        Assert.Throws<ArgumentException>(() => GgufReader.Read(unreadable));
    }
}
