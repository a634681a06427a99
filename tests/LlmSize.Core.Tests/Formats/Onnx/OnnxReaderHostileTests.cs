using LlmSize.Core.Formats.Onnx;
using static LlmSize.Core.Tests.Formats.Onnx.OnnxModelBuilder;

namespace LlmSize.Core.Tests.Formats.Onnx;

/// <summary>Malformed and hostile ONNX inputs, built in code: one test per error kind, asserting type and code.</summary>
public sealed class OnnxReaderHostileTests
{
    private static ModelFormatException ReadFails(byte[] model, OnnxReaderOptions? options = null) =>
        Assert.Throws<ModelFormatException>(() => OnnxReader.Read(new MemoryStream(model), options, sourceName: "hostile.onnx"));

    [Fact]
    public void Wrong_wire_type_is_rejected()
    {
        byte[] model = new ProtoWriter()
            .String(1, "10")                                 // ModelProto.ir_version written as a string (wire type 2)
            .ToArray();
        ModelFormatException ex = ReadFails(model);
        Assert.Equal(ModelFormatError.InvalidValue, ex.Error);
        Assert.Equal("ir_version", ex.Field);
        Assert.Equal(0 + 1, ex.Offset);                      // just after the one-byte tag
        Assert.Contains("hostile.onnx", ex.Message);
    }

    [Fact]
    public void Length_past_the_end_is_rejected()
    {
        byte[] model = new ProtoWriter()
            .Varint(1, 10)                                   // ModelProto.ir_version = 10
            .Tag(7, 2)                                       // ModelProto.graph, length-delimited
            .RawVarint(1_000_000)                            // declared length 1,000,000
            .Raw(new byte[10])                               // … but only 10 bytes follow
            .ToArray();
        ModelFormatException ex = ReadFails(model);
        Assert.Equal(ModelFormatError.Truncated, ex.Error);
        Assert.Equal(3, ex.Offset);                          // the length prefix: after ir_version (tag + varint = 2 bytes) and the graph tag (1 byte)
    }

    [Fact]
    public void String_length_past_its_message_is_rejected_before_allocating()
    {
        byte[] model = new ProtoWriter()
            .Tag(2, 2)                                       // ModelProto.producer_name
            .RawVarint(int.MaxValue)                         // declared 2 GiB − 1 bytes
            .Raw("abc"u8)                                    // 3 bytes present
            .ToArray();
        Assert.Equal(ModelFormatError.Truncated, ReadFails(model).Error);
    }

    [Fact]
    public void Truncated_file_is_rejected()
    {
        byte[] full = Model(g => Initializer(g, "W", Float, [4, 4], 64));
        byte[] cut = full[..^20];                            // drop the last 20 bytes (inside raw_data)
        Assert.Equal(ModelFormatError.Truncated, ReadFails(cut).Error);
    }

    [Fact]
    public void Empty_file_has_no_graph()
    {
        Assert.Equal(ModelFormatError.MissingField, ReadFails([]).Error);
    }

    [Fact]
    public void Nested_subgraph_depth_bomb_is_rejected()
    {
        // 200 nested If nodes, each holding the next graph in its then_branch attribute (AttributeProto.g = 6).
        Action<ProtoWriter> graph = g => g.String(2, "leaf");        // GraphProto.name
        for (int i = 0; i < 200; i++)
        {
            Action<ProtoWriter> inner = graph;
            graph = g => g.Message(1, n =>                           // GraphProto.node
            {
                n.String(4, "If");                                   // NodeProto.op_type
                n.Message(5, a => a.String(1, "then_branch")         // NodeProto.attribute { name
                    .Message(6, inner)                               //   g = subgraph
                    .Varint(20, 5));                                 //   type = GRAPH }
            });
        }

        byte[] model = new ProtoWriter().Varint(1, 10).Message(7, graph).ToArray(); // ir_version, graph
        ModelFormatException ex = ReadFails(model);
        Assert.Equal(ModelFormatError.NestingTooDeep, ex.Error);
    }

    [Fact]
    public void External_data_escaping_the_folder_is_rejected()
    {
        using var dir = new TempFolder();
        string path = dir.Write("model.onnx", Model(g =>
            ExternalInitializer(g, "W", Float, [4], "../../etc/passwd", 0, 16)));
        ModelFormatException ex = Assert.Throws<ModelFormatException>(() => OnnxReader.Read(path));
        Assert.Equal(ModelFormatError.InvalidValue, ex.Error);
        Assert.Equal("W", ex.Field);
        Assert.Contains("../../etc/passwd", ex.Message);
    }

    [Fact]
    public void External_data_with_a_rooted_path_is_rejected()
    {
        using var dir = new TempFolder();
        string path = dir.Write("model.onnx", Model(g => ExternalInitializer(g, "W", Float, [4], "/etc/passwd", 0, 16)));
        Assert.Equal(ModelFormatError.InvalidValue, Assert.Throws<ModelFormatException>(() => OnnxReader.Read(path)).Error);
    }

    [Fact]
    public void External_data_past_the_end_of_the_side_file_is_rejected()
    {
        using var dir = new TempFolder();
        dir.Write("model.onnx_data", new byte[100]);
        string path = dir.Write("model.onnx", Model(g =>
            ExternalInitializer(g, "W", Float, [16], "model.onnx_data", 64, 64))); // bytes 64..128 of a 100-byte file
        ModelFormatException ex = Assert.Throws<ModelFormatException>(() => OnnxReader.Read(path));
        Assert.Equal(ModelFormatError.OffsetOutOfRange, ex.Error);
        Assert.Equal("W", ex.Field);
    }

    [Fact]
    public void Missing_external_data_file_is_rejected()
    {
        using var dir = new TempFolder();
        string path = dir.Write("model.onnx", Model(g => ExternalInitializer(g, "W", Float, [4], "model.onnx_data", 0, 16)));
        ModelFormatException ex = Assert.Throws<ModelFormatException>(() => OnnxReader.Read(path));
        Assert.Equal(ModelFormatError.MissingFile, ex.Error);
        Assert.Equal("W", ex.Field);
    }

    [Fact]
    public void Raw_data_size_not_matching_the_shape_is_rejected()
    {
        byte[] model = Model(g => Initializer(g, "W", Float, [4, 4], 60)); // F32 [4, 4] needs 64 bytes
        ModelFormatException ex = ReadFails(model);
        Assert.Equal(ModelFormatError.ShapeSizeMismatch, ex.Error);
        Assert.Equal("W", ex.Field);
    }

    [Fact]
    public void MatMulNBits_weight_not_matching_K_N_is_rejected()
    {
        // K = 64, N = 32, block 32, bits 4 needs B of 32·2·16 = 1024 bytes; give 512.
        byte[] model = Model(g =>
        {
            Initializer(g, "B", UInt8, [32, 1, 16], 512);
            Node(g, "MatMulNBits", "com.microsoft", ["A", "B"], ["Y"], ("K", 64), ("N", 32), ("bits", 4), ("block_size", 32));
        });
        Assert.Equal(ModelFormatError.ShapeSizeMismatch, ReadFails(model).Error);
    }

    [Fact]
    public void MatMulNBits_without_K_is_rejected()
    {
        byte[] model = Model(g =>
        {
            Initializer(g, "B", UInt8, [32, 2, 16], 1024);
            Node(g, "MatMulNBits", "com.microsoft", ["A", "B"], ["Y"], ("N", 32), ("block_size", 32));
        });
        ModelFormatException ex = ReadFails(model);
        Assert.Equal(ModelFormatError.MissingField, ex.Error);
        Assert.Equal("K", ex.Field);
    }

    [Fact]
    public void Unknown_data_type_is_rejected()
    {
        byte[] model = Model(g => Initializer(g, "W", 99, [4], 4)); // data_type 99 is not in TensorProto.DataType
        Assert.Equal(ModelFormatError.UnknownDataType, ReadFails(model).Error);
    }

    [Fact]
    public void Overflowing_shape_is_rejected()
    {
        byte[] model = Model(g => Initializer(g, "W", Float, [1L << 40, 1L << 40], 4)); // 2^80 elements
        Assert.Equal(ModelFormatError.ArithmeticOverflow, ReadFails(model).Error);
    }

    [Fact]
    public void Duplicate_initializer_is_rejected()
    {
        byte[] model = Model(g =>
        {
            Initializer(g, "W", Float, [2], 8);
            Initializer(g, "W", Float, [2], 8);
        });
        Assert.Equal(ModelFormatError.DuplicateKey, ReadFails(model).Error);
    }

    [Fact]
    public void Tensor_count_over_the_limit_is_rejected()
    {
        byte[] model = Model(g =>
        {
            for (int i = 0; i < 4; i++) Initializer(g, "W" + i, Float, [2], 8);
        });
        Assert.Equal(4, OnnxReader.Read(new MemoryStream(model), new OnnxReaderOptions { MaxTensorCount = 4 }).Tensors.Length);
        ModelFormatException ex = ReadFails(model, new OnnxReaderOptions { MaxTensorCount = 3 });
        Assert.Equal(ModelFormatError.CountTooLarge, ex.Error);
    }

    [Fact]
    public void String_over_the_limit_is_rejected()
    {
        byte[] model = Model(g => Initializer(g, new string('x', 300), Float, [2], 8));
        Assert.Equal(ModelFormatError.StringTooLong, ReadFails(model, new OnnxReaderOptions { MaxStringLength = 256 }).Error);
    }

    [Fact]
    public void Message_over_the_limit_is_rejected()
    {
        byte[] model = Model(g => Initializer(g, "W", Float, [256], 1024));
        Assert.Equal(ModelFormatError.HeaderTooLarge, ReadFails(model, new OnnxReaderOptions { MaxMessageLength = 512 }).Error);
    }

    [Fact]
    public void Invalid_utf8_name_is_rejected()
    {
        byte[] model = new ProtoWriter().Bytes(2, [0xC3, 0x28]).ToArray(); // producer_name: invalid 2-byte sequence
        Assert.Equal(ModelFormatError.InvalidUtf8, ReadFails(model).Error);
    }

    [Fact]
    public void Segmented_tensor_is_not_supported()
    {
        byte[] model = Model(g => g.Message(5, t => t      // GraphProto.initializer
            .PackedVarints(1, 2)                            // dims = [2]
            .Varint(2, Float)                               // data_type = FLOAT
            .Message(3, s => s.Varint(1, 0).Varint(2, 1)))); // segment { begin 0, end 1 }
        Assert.Throws<NotSupportedException>(() => OnnxReader.Read(new MemoryStream(model)));
    }

    [Fact]
    public void Non_seekable_stream_is_refused()
    {
        byte[] model = Model(g => { });
        Assert.Throws<ArgumentException>(() => OnnxReader.Read(new NonSeekableStream(new MemoryStream(model))));
    }

    [Fact]
    public void Invalid_options_are_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() =>
            OnnxReader.Read(new MemoryStream(Model(g => { })), new OnnxReaderOptions { MaxDepth = 0 }));
    }

    [Fact]
    public void Random_bytes_only_raise_documented_exceptions()
    {
        // A small deterministic fuzz: mutate a valid model and check only ModelFormatException / NotSupportedException escape.
        byte[] valid = Model(g =>
        {
            Initializer(g, "B", UInt8, [32, 2, 16], 1024);
            Int64Initializer(g, "shape", 4, 4);
            Node(g, "ConstantOfShape", "", ["shape"], ["Z"]);
            Node(g, "MatMulNBits", "com.microsoft", ["A", "B"], ["Y"], ("K", 64), ("N", 32), ("bits", 4), ("block_size", 32));
        });
        var random = new Random(1234);
        for (int i = 0; i < 2000; i++)
        {
            byte[] m = (byte[])valid.Clone();
            for (int k = 0; k < 3; k++) m[random.Next(m.Length)] = (byte)random.Next(256);
            try
            {
                OnnxReader.Read(new MemoryStream(m));
            }
            catch (ModelFormatException)
            {
            }
            catch (NotSupportedException)
            {
            }
        }
    }
}
