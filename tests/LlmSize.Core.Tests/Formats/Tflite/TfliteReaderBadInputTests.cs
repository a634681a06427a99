using System.Buffers.Binary;
using LlmSize.Core.Formats.Tflite;
using LlmSize.Core.Tests.Infrastructure;

namespace LlmSize.Core.Tests.Formats.Tflite;

/// <summary>Hostile and malformed TFLite flatbuffers: each error kind gives <see cref="ModelFormatException"/> with
/// its code, never an out-of-range read.</summary>
public class TfliteReaderBadInputTests
{
    /// <summary>
    /// A hand-laid minimal Model table; each field is commented. Fields: version (id 0), subgraphs (id 2) and
    /// description (id 3); <paramref name="tail"/> is appended at byte 36, where both references point.
    /// </summary>
    private static byte[] RawModel(byte[] tail, uint rootOffset = 20, ushort vtableSize = 12, ushort inlineSize = 16,
        int soffset = 12, ushort descriptionField = 12, ushort subgraphsField = 0)
    {
        var b = new byte[36 + tail.Length];
        BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(0), rootOffset);     // 0: uoffset of the root table
        "TFL3"u8.CopyTo(b.AsSpan(4));                                            // 4: file identifier
        BinaryPrimitives.WriteUInt16LittleEndian(b.AsSpan(8), vtableSize);      // 8: vtable size (4 + 2 × 4 fields)
        BinaryPrimitives.WriteUInt16LittleEndian(b.AsSpan(10), inlineSize);     // 10: table inline size
        BinaryPrimitives.WriteUInt16LittleEndian(b.AsSpan(12), 4);              // 12: field 0 (version) at +4
        BinaryPrimitives.WriteUInt16LittleEndian(b.AsSpan(14), 0);              // 14: field 1 (operator_codes) absent
        BinaryPrimitives.WriteUInt16LittleEndian(b.AsSpan(16), subgraphsField); // 16: field 2 (subgraphs) at +8 or absent
        BinaryPrimitives.WriteUInt16LittleEndian(b.AsSpan(18), descriptionField); // 18: field 3 (description) at +12
        BinaryPrimitives.WriteInt32LittleEndian(b.AsSpan(20), soffset);         // 20: table: soffset to vtable (20 − 12 = 8)
        BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(24), 3);              // 24: version = 3
        BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(28), 36 - 28);        // 28: subgraphs uoffset → 36
        BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(32), 36 - 32);        // 32: description uoffset → 36
        tail.CopyTo(b, 36);                                                      // 36: vector / string
        return b;
    }

    /// <summary>A string or vector: uint32 count then the bytes.</summary>
    private static byte[] Counted(uint count, params byte[] bytes)
    {
        var b = new byte[4 + bytes.Length];
        BinaryPrimitives.WriteUInt32LittleEndian(b, count);
        bytes.CopyTo(b, 4);
        return b;
    }

    private static ModelFormatException Fails(byte[] bytes, ModelFormatError expected, TfliteReaderOptions? options = null)
    {
        var e = Assert.Throws<ModelFormatException>(() => TfliteReader.Read(bytes, options, "bad.tflite"));
        Assert.Equal(expected, e.Error);
        Assert.Contains("bad.tflite", e.Message);
        return e;
    }

    [Fact]
    public void The_hand_laid_model_itself_is_valid()
    {
        TfliteModelInfo m = TfliteReader.Read(RawModel(Counted(2, (byte)'o', (byte)'k')));
        Assert.Equal(3u, m.SchemaVersion);
        Assert.Equal("ok", m.Description);
        Assert.Empty(m.Subgraphs);
    }

    [Fact]
    public void Root_offset_outside_the_buffer() =>
        Fails(RawModel(Counted(0), rootOffset: 0xFFFF_FF00), ModelFormatError.OffsetOutOfRange);

    [Fact]
    public void Vtable_offset_before_the_buffer() =>
        Fails(RawModel(Counted(0), soffset: 100), ModelFormatError.OffsetOutOfRange); // 20 − 100 < 0

    [Fact]
    public void Truncated_vtable() =>
        Fails(RawModel(Counted(0), vtableSize: 400), ModelFormatError.Truncated);    // 8 + 400 > 40 bytes

    [Fact]
    public void Odd_vtable_size() =>
        Fails(RawModel(Counted(0), vtableSize: 7), ModelFormatError.InvalidValue);

    [Fact]
    public void Table_inline_size_past_the_end() =>
        Fails(RawModel(Counted(0), inlineSize: 1000), ModelFormatError.Truncated);

    [Fact]
    public void Field_offset_outside_the_table() =>
        Fails(RawModel(Counted(0), descriptionField: 200), ModelFormatError.OffsetOutOfRange); // +200 > 16 inline bytes

    [Fact]
    public void Huge_vector_length() =>
        Fails(RawModel(Counted(0x7FFF_FFFF), descriptionField: 0, subgraphsField: 8), ModelFormatError.CountTooLarge);

    [Fact]
    public void Subgraph_count_over_the_cap() =>
        Fails(RawModel(Counted(2, new byte[8]), descriptionField: 0, subgraphsField: 8), ModelFormatError.CountTooLarge,
            new TfliteReaderOptions { MaxSubgraphs = 1 });                      // cap + 1

    [Fact]
    public void Subgraph_offset_pointing_outside() =>
        Fails(RawModel(Counted(1, 0xF0, 0xFF, 0xFF, 0x0F), descriptionField: 0, subgraphsField: 8), ModelFormatError.OffsetOutOfRange);

    [Fact]
    public void String_longer_than_the_cap() =>
        Fails(RawModel(Counted(70_000)), ModelFormatError.StringTooLong);        // cap 65,536

    [Fact]
    public void String_past_the_end() =>
        Fails(RawModel(Counted(1_000, (byte)'x')), ModelFormatError.Truncated);

    [Fact]
    public void String_not_utf8() =>
        Fails(RawModel(Counted(2, 0xC3, 0x28)), ModelFormatError.InvalidUtf8);   // C3 needs a continuation byte

    [Fact]
    public void Wrong_identifier()
    {
        byte[] b = RawModel(Counted(0));
        "ABCD"u8.CopyTo(b.AsSpan(4));
        Fails(b, ModelFormatError.InvalidMagic);
    }

    [Fact]
    public void Zip_bytes_are_named_as_another_format() =>
        Fails("PK\x03\x04\x14\0\0\0\0\0\0\0"u8.ToArray(), ModelFormatError.WrongFormat);

    [Fact]
    public void Shorter_than_the_header() => Fails([0x10, 0, 0, 0, (byte)'T'], ModelFormatError.Truncated);

    [Fact]
    public void Empty_file_on_disk()
    {
        string path = TfliteReaderTests.TempFile([]);
        try
        {
            var e = Assert.Throws<ModelFormatException>(() => TfliteReader.Read(path));
            Assert.Equal(ModelFormatError.Truncated, e.Error);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Larger_than_MaxFlatbufferBytes()
    {
        byte[] b = File.ReadAllBytes(TestPaths.Fixture("tflite", "hello_world_int8.tflite"));
        Fails(b, ModelFormatError.HeaderTooLarge, new TfliteReaderOptions { MaxFlatbufferBytes = 1024 });
        using var s = new MemoryStream(b);
        var e = Assert.Throws<ModelFormatException>(() => TfliteReader.Read(s, new TfliteReaderOptions { MaxFlatbufferBytes = 1024 }));
        Assert.Equal(ModelFormatError.HeaderTooLarge, e.Error);
    }

    [Fact]
    public void Unknown_tensor_type()
    {
        var b = new TfliteTestModelBuilder();
        b.Tensors.Add(new("t", [1], 99, 0));                                    // TensorType 99 is not defined
        Fails(b.Build(), ModelFormatError.UnknownDataType);
    }

    [Fact]
    public void Tensor_buffer_index_out_of_range()
    {
        var b = new TfliteTestModelBuilder();
        b.Tensors.Add(new("t", [1], 0, 7));                                     // only buffer 0 exists
        Fails(b.Build(), ModelFormatError.InvalidValue);
    }

    [Fact]
    public void Operator_opcode_index_out_of_range()
    {
        var b = new TfliteTestModelBuilder();
        b.Tensors.Add(new("t", [1], 0, 0));
        b.Operators.Add(new(5, [0], [0]));                                       // no operator codes
        Fails(b.Build(), ModelFormatError.InvalidValue);
    }

    [Fact]
    public void Operator_tensor_index_out_of_range()
    {
        var b = new TfliteTestModelBuilder();
        b.Codes.Add(new(0, 0));
        b.Tensors.Add(new("t", [1], 0, 0));
        b.Operators.Add(new(0, [0, -1], [3]));                                   // -1 is legal (omitted input), 3 is not
        Fails(b.Build(), ModelFormatError.InvalidValue);
    }

    [Fact]
    public void Subgraph_input_index_out_of_range()
    {
        var b = new TfliteTestModelBuilder { Inputs = [1] };
        b.Tensors.Add(new("t", [1], 0, 0));
        Fails(b.Build(), ModelFormatError.InvalidValue);
    }

    [Fact]
    public void Constant_tensor_with_negative_dimension()
    {
        var b = new TfliteTestModelBuilder();
        b.Buffers.Add(new(new byte[4]));
        b.Tensors.Add(new("t", [-1], 0, 1));
        Fails(b.Build(), ModelFormatError.InvalidValue);
    }

    [Fact]
    public void Shape_product_overflows()
    {
        var b = new TfliteTestModelBuilder();
        b.Tensors.Add(new("t", [int.MaxValue, int.MaxValue, int.MaxValue], 0, 0)); // (2^31 − 1)^3 > 2^63
        Fails(b.Build(), ModelFormatError.ArithmeticOverflow);
    }

    [Fact]
    public void Rank_over_the_cap()
    {
        var b = new TfliteTestModelBuilder();
        b.Tensors.Add(new("t", [1, 1, 1], 0, 0));
        Fails(b.Build(), ModelFormatError.CountTooLarge, new TfliteReaderOptions { MaxRank = 2 }); // cap + 1
    }

    [Fact]
    public void External_buffer_past_the_end_of_the_file()
    {
        var b = new TfliteTestModelBuilder();
        b.Buffers.Add(new(null, 4096, 64));                                     // the file is far shorter than 4,160 bytes
        b.Tensors.Add(new("w", [16], 0, 1));
        Fails(b.Build(), ModelFormatError.OffsetOutOfRange);
    }

    [Fact]
    public void External_buffer_offset_plus_size_overflowing()
    {
        var b = new TfliteTestModelBuilder();
        b.Buffers.Add(new(null, ulong.MaxValue - 1, 16));
        Fails(b.Build(), ModelFormatError.OffsetOutOfRange);
    }

    [Fact]
    public void Buffer_with_both_inline_data_and_external_offset()
    {
        var b = new TfliteTestModelBuilder();
        b.Buffers.Add(new(new byte[4], 8, 4));
        Fails(b.Build(), ModelFormatError.InvalidValue);
    }

    [Fact]
    public void Metadata_buffer_index_out_of_range()
    {
        var b = new TfliteTestModelBuilder();
        b.Metadata.Add(("min_runtime_version", 9));
        Fails(b.Build(), ModelFormatError.InvalidValue);
    }

    [Fact]
    public void Options_out_of_range_are_caller_errors() =>
        Assert.Throws<ArgumentOutOfRangeException>(() =>
            TfliteReader.Read(RawModel(Counted(0)), new TfliteReaderOptions { MaxFlatbufferBytes = 4 }));
}
