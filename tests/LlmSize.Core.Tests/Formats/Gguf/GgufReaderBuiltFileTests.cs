using LlmSize.Core.Formats.Gguf;
using LlmSize.Core.Models;
using LlmSize.Core.Precision;

namespace LlmSize.Core.Tests.Formats.Gguf;

/// <summary>Valid files built in code: byte orders, versions, every value type, alignment, read-mode equivalence.</summary>
public sealed class GgufReaderBuiltFileTests
{
    /// <summary>
    /// A small, valid file with two tensors and the structural boundaries marked for truncation tests.
    /// Data: tensor "w" F32 ne [4, 2] = 8 elements × 4 bytes = 32 bytes at relative offset 0; tensor "b" F16 ne [8] =
    /// 16 bytes at relative offset 32 (a multiple of the default alignment 32).
    /// </summary>
    internal static GgufTestWriter Small(uint version = 3, bool bigEndian = false)
    {
        var w = new GgufTestWriter(version, bigEndian);
        w.Mark("magic").Raw("GGUF"u8)                               // magic
            .Mark("version").U32(version)                           // version
            .Mark("tensor_count").Size(2)                           // tensor_count
            .Mark("metadata_kv_count").Size(3);                     // metadata_kv_count
        w.Mark("key length").Size(20)                               // key length of "general.architecture"
            .Mark("key bytes").Raw("general.architecture"u8)        // key bytes
            .Mark("value type").Type(GgufValueType.String)          // value type STRING
            .Mark("string value length").Size(5)                    // string length
            .Mark("string value bytes").Raw("llama"u8);             // string bytes
        w.Str("llama.block_count")                                  // key
            .Type(GgufValueType.UInt32)                             // value type UINT32
            .Mark("u32 value").U32(1);                              // value 1
        w.Str("tokenizer.ggml.tokens")                              // key
            .Type(GgufValueType.Array)                              // value type ARRAY
            .Mark("array element type").Type(GgufValueType.String)  // element type STRING
            .Mark("array count").Size(2)                            // element count
            .Mark("array element").Str("a").Str("b");               // elements
        w.Mark("tensor name length").Size(1)                        // name length
            .Mark("tensor name bytes").Raw("w"u8)                   // name
            .Mark("n_dims").U32(2)                                  // n_dims
            .Mark("dims").Size(4).Size(2)                           // ne[0] = 4, ne[1] = 2 (innermost first)
            .Mark("tensor type").U32(0)                             // GGML_TYPE_F32
            .Mark("tensor offset").U64(0);                          // relative offset 0
        w.Str("b")                                                  // name
            .U32(1)                                                 // n_dims
            .Size(8)                                                // ne[0] = 8
            .U32(1)                                                 // GGML_TYPE_F16
            .U64(32);                                               // relative offset 32
        w.PadTo(32)                                                 // alignment padding
            .Mark("tensor data").Zeros(32 + 16);                    // data of w and b
        return w;
    }

    public static TheoryData<uint, bool, GgufReadMode> VersionsAndOrders()
    {
        var data = new TheoryData<uint, bool, GgufReadMode>();
        foreach (uint v in new uint[] { 1, 2, 3 })
        {
            foreach (bool big in new[] { false, true })
            {
                foreach (GgufReadMode mode in GgufTestRead.AllModes) data.Add(v, big, mode);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(VersionsAndOrders))]
    public void Reads_small_file_in_every_version_byte_order_and_mode(uint version, bool bigEndian, GgufReadMode mode)
    {
        GgufTestWriter w = Small(version, bigEndian);
        byte[] bytes = w.ToArray();
        GgufFile file = GgufTestRead.Read(bytes, mode);

        Assert.Equal(version, file.Version);
        Assert.Equal(bigEndian, file.IsBigEndian);
        Assert.Equal("llama", file.Architecture);
        Assert.True(file.TryGetInt64("llama.block_count", out long blocks));
        Assert.Equal(1, blocks);
        Assert.True(file.Metadata[GgufConstants.TokensKey].TryGetArray(out GgufArray tokens));
        Assert.True(tokens.TryGetStrings(out IReadOnlyList<string> list));
        Assert.Equal(["a", "b"], list);
        long dataStart = w.Marks.Single(m => m.Label == "tensor data").Offset;
        Assert.Equal(dataStart, file.TensorDataOffset);
        Assert.Collection(file.Tensors,
            t => Assert.Equal(("w", "[2, 4]", TensorDataType.F32, 32L, (long?)dataStart), (t.Name, t.ShapeText, t.DataType, t.ByteLength, t.DataOffset)),
            t => Assert.Equal(("b", "[8]", TensorDataType.F16, 16L, (long?)dataStart + 32), (t.Name, t.ShapeText, t.DataType, t.ByteLength, t.DataOffset)));
    }

    [Fact]
    public void Big_endian_numbers_are_decoded()
    {
        // Version 3 big-endian: the version field reads 0x03000000 little-endian; every number is byte-swapped.
        var w = new GgufTestWriter(3, bigEndian: true);
        w.Header(0, 3)                                           // magic, version 3 (BE), 0 tensors, 3 pairs
            .Str("k.u64").Type(GgufValueType.UInt64).U64(0x0102030405060708) // UINT64
            .Str("k.f64").Type(GgufValueType.Float64).F64(1.5)   // FLOAT64
            .Str("k.i16").Type(GgufValueType.Int16).U16(0xFFFE); // INT16 -2
        GgufFile file = GgufReader.Read(new MemoryStream(w.ToArray()));
        Assert.True(file.IsBigEndian);
        Assert.Equal(0x0102030405060708UL, file.Metadata["k.u64"].Value);
        Assert.Equal(1.5, file.Metadata["k.f64"].Value);
        Assert.Equal((short)-2, file.Metadata["k.i16"].Value);
    }

    [Fact]
    public void Every_value_type_reads_as_its_natural_type()
    {
        var w = new GgufTestWriter();
        w.Header(0, 13)                                                       // 0 tensors, 13 pairs
            .Str("u8").Type(GgufValueType.UInt8).U8(200)                      // UINT8
            .Str("i8").Type(GgufValueType.Int8).U8(0xFF)                      // INT8 -1
            .Str("u16").Type(GgufValueType.UInt16).U16(65535)                 // UINT16
            .Str("i16").Type(GgufValueType.Int16).U16(0x8000)                 // INT16 -32768
            .Str("u32").Type(GgufValueType.UInt32).U32(4_000_000_000)         // UINT32
            .Str("i32").Type(GgufValueType.Int32).U32(0xFFFFFFFF)             // INT32 -1
            .Str("f32").Type(GgufValueType.Float32).F32(0.25f)                // FLOAT32
            .Str("bool").Type(GgufValueType.Bool).U8(1)                       // BOOL true
            .Str("str").Type(GgufValueType.String).Str("héllo")               // STRING (2-byte UTF-8 é)
            .Str("u64").Type(GgufValueType.UInt64).U64(ulong.MaxValue)        // UINT64 max
            .Str("i64").Type(GgufValueType.Int64).U64(unchecked((ulong)-5L))  // INT64 -5
            .Str("f64").Type(GgufValueType.Float64).F64(-2.5)                 // FLOAT64
            .Str("nested").Type(GgufValueType.Array).Type(GgufValueType.Array).Size(2) // ARRAY of 2 ARRAYs
            .Type(GgufValueType.Int16).Size(1).U16(7)                         //   [INT16: 7]
            .Type(GgufValueType.Bool).Size(2).U8(0).U8(1);                    //   [BOOL: false, true]
        GgufFile file = GgufReader.Read(new MemoryStream(w.ToArray()));
        IReadOnlyDictionary<string, GgufValue> m = file.Metadata;
        Assert.Equal((byte)200, m["u8"].Value);
        Assert.Equal((sbyte)-1, m["i8"].Value);
        Assert.Equal((ushort)65535, m["u16"].Value);
        Assert.Equal((short)-32768, m["i16"].Value);
        Assert.Equal(4_000_000_000u, m["u32"].Value);
        Assert.Equal(-1, m["i32"].Value);
        Assert.Equal(0.25f, m["f32"].Value);
        Assert.Equal(true, m["bool"].Value);
        Assert.Equal("héllo", m["str"].Value);
        Assert.Equal(ulong.MaxValue, m["u64"].Value);
        Assert.Equal(-5L, m["i64"].Value);
        Assert.Equal(-2.5, m["f64"].Value);
        Assert.False(m["u64"].TryGetInt64(out _)); // above long.MaxValue
        Assert.True(m["u64"].TryGetDouble(out double big));
        Assert.Equal(1.8446744073709552E19, big);
        Assert.True(m["i8"].TryGetInt64(out long minusOne));
        Assert.Equal(-1, minusOne);
        Assert.True(m["nested"].TryGetArray(out GgufArray nested));
        var inner = Assert.IsType<GgufArray[]>(nested.Items);
        Assert.Equal(new short[] { 7 }, inner[0].Items);
        Assert.Equal(new[] { false, true }, inner[1].Items);
        Assert.Equal(["u8", "i8", "u16", "i16", "u32", "i32", "f32", "bool", "str", "u64", "i64", "f64", "nested"], m.Keys);
    }

    [Fact]
    public void General_alignment_moves_the_data_section()
    {
        var w = new GgufTestWriter();
        w.Header(1, 1)                                  // 1 tensor, 1 pair
            .KvU32(GgufConstants.AlignmentKey, 64)      // general.alignment = 64
            .Tensor("t", [64], 8, 64)                   // Q8_0, 64 elements = 2 blocks × 34 bytes = 68 bytes, at relative 64
            .PadTo(64).Zeros(64 + 68);                  // padding to 64, then 64 bytes of gap and the tensor
        GgufFile file = GgufReader.Read(new MemoryStream(w.ToArray()));
        Assert.Equal(64u, file.Alignment);
        Assert.Equal(0, file.TensorDataOffset % 64);
        Assert.Equal(68, file.Tensors[0].ByteLength);
        Assert.Equal(file.TensorDataOffset + 64, file.Tensors[0].DataOffset);
    }

    [Fact]
    public void Zero_dimensional_tensor_is_a_scalar()
    {
        var w = new GgufTestWriter();
        w.Header(1, 0)                 // 1 tensor, 0 pairs
            .Str("s").U32(0)           // name "s", n_dims 0
            .U32(0).U64(0)             // F32 at relative 0
            .PadTo(32).Zeros(4);       // one F32
        TensorInfo t = Assert.Single(GgufReader.Read(new MemoryStream(w.ToArray())).Tensors);
        Assert.Empty(t.Shape);
        Assert.Equal((1L, 4L), (t.ElementCount, t.ByteLength));
    }

    [Fact]
    public void Trailing_padding_after_the_last_tensor_is_legal()
    {
        byte[] bytes = [.. Small().ToArray(), .. new byte[100]];
        Assert.Equal(2, GgufReader.Read(new MemoryStream(bytes)).Tensors.Count);
    }
}
