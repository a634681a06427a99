using LlmSize.Core.Formats.Tflite;
using LlmSize.Core.Models;
using LlmSize.Core.Precision;
using LlmSize.Core.Tests.Infrastructure;

namespace LlmSize.Core.Tests.Formats.Tflite;

/// <summary>Reads the real tflite-micro models in <c>../shared/fixtures/tflite</c>.</summary>
/// <remarks>
/// Expected values come from an independent parser: this Python 3 script (the standard <c>struct</c> module only,
/// no flatbuffers library), run on each fixture, printed the rows below:
/// <code>
/// import struct, sys
/// def u32(b,o): return struct.unpack_from('&lt;I',b,o)[0]
/// def i32(b,o): return struct.unpack_from('&lt;i',b,o)[0]
/// def u16(b,o): return struct.unpack_from('&lt;H',b,o)[0]
/// def field(b,t,i):                      # vtable slot 4+2i, 0 when absent
///     vt=t-i32(b,t); n=u16(b,vt)
///     return 0 if 4+2*i&gt;=n else u16(b,vt+4+2*i)
/// def ref(b,t,i):
///     f=field(b,t,i); return 0 if f==0 else t+f+u32(b,t+f)
/// def vec(b,t,i):
///     p=ref(b,t,i); return [] if p==0 else [p+4+4*k for k in range(u32(b,p))]
/// def tbl(b,p): return p+u32(b,p)
/// b=open(sys.argv[1],'rb').read(); root=u32(b,0)
/// bufs=[tbl(b,p) for p in vec(b,root,4)]                  # Model.buffers
/// def buflen(bt): p=ref(b,bt,0); return 0 if p==0 else u32(b,p)
/// sgs=[tbl(b,p) for p in vec(b,root,2)]                   # Model.subgraphs
/// ntens=nops=params=wbytes=0; seen=set()
/// for sg in sgs:
///     ts=[tbl(b,p) for p in vec(b,sg,0)]; ntens+=len(ts); nops+=len(vec(b,sg,3))
///     for t in ts:
///         f=field(b,t,2); bi=u32(b,t+f) if f else 0       # Tensor.buffer
///         if bi==0 or bi in seen or buflen(bufs[bi])==0: continue
///         seen.add(bi); n=1
///         for p in vec(b,t,0): n*=i32(b,p)                # Tensor.shape
///         params+=n; wbytes+=buflen(bufs[bi])
/// print(len(sgs), ntens, len(bufs), nops, len(vec(b,root,1)), params, wbytes)
/// </code>
/// </remarks>
public class TfliteReaderTests
{
    public static TheoryData<string, int, int, int, int, int, long, long> Fixtures => new()
    {
        // file, subgraphs, tensors, buffers, operators, operator codes, parameters, weight bytes (script above).
        // hello_world (tflite-micro examples/hello_world/train.py): Dense(16, input 1), Dense(16), Dense(1):
        // (1×16 + 16) + (16×16 + 16) + (16×1 + 1) = 32 + 272 + 17 = 321 parameters.
        // Float: 321 × 4 bytes = 1,284. Int8: 288 int8 weights + 33 int32 biases × 4 = 288 + 132 = 420 bytes.
        { "hello_world_float.tflite", 1, 10, 13, 3, 1, 321, 1_284 },
        { "hello_world_int8.tflite", 1, 10, 13, 3, 1, 321, 420 },
        // micro_speech: conv 1×10×8×8 (640 int8) + FC 4×4000 (16,000 int8) + 8 + 4 int32 biases + the 4-element int32
        // Reshape_2/shape constant: 640 + 16,000 + 8 + 4 + 4 = 16,656 parameters; 640 + 16,000 + 4×(8+4+4) = 16,704 bytes.
        { "micro_speech_quantized.tflite", 1, 10, 12, 4, 4, 16_656, 16_704 },
        // person_detect: MobileNet v1 0.25, 96×96×1 int8 (script output).
        { "person_detect.tflite", 1, 89, 90, 31, 5, 210_708, 218_928 },
    };

    [Theory]
    [MemberData(nameof(Fixtures))]
    public void Fixture_counts_match_independent_parser(string file, int subgraphs, int tensors, int buffers, int operators,
        int opcodes, long parameters, long weightBytes)
    {
        TfliteModelInfo m = TfliteReader.Read(TestPaths.Fixture("tflite", file));

        Assert.Equal(subgraphs, m.Subgraphs.Length);
        Assert.Equal(tensors, m.AllTensors.Count());
        Assert.Equal(buffers, m.Buffers.Length);
        Assert.Equal(operators, m.Subgraphs.Sum(s => s.Operators.Length));
        Assert.Equal(opcodes, m.OperatorCodes.Length);
        Assert.Equal(parameters, m.ParameterCount);
        Assert.Equal(weightBytes, m.WeightBytes);
        Assert.Equal(3u, m.SchemaVersion); // schema.fbs "Version 3: Move buffer data from Model.Subgraph.Tensors to Model.Buffers"
        Assert.Equal(new FileInfo(TestPaths.Fixture("tflite", file)).Length, m.FileLength);
        Assert.Equal(0, m.ExternalBufferBytes);
        Assert.Equal(parameters, m.ToTensorInfos().Sum(t => t.ElementCount));
        Assert.Equal(weightBytes, m.ToTensorInfos().Sum(t => t.ByteLength));
    }

    public enum Access { FilePath, FilePathAsync, Span, Stream, StreamAsync, NonSeekableStream }

    public static TheoryData<Access> Accesses => new() { Access.FilePath, Access.FilePathAsync, Access.Span, Access.Stream, Access.StreamAsync, Access.NonSeekableStream };

    internal static async Task<TfliteModelInfo> ReadVia(Access access, string path, TfliteReaderOptions? options = null)
    {
        switch (access)
        {
            case Access.FilePath: return TfliteReader.Read(path, options);
            case Access.FilePathAsync: return await TfliteReader.ReadAsync(path, options);
            case Access.Span: return TfliteReader.Read(File.ReadAllBytes(path).AsSpan(), options, path);
            case Access.Stream:
                using (var s = File.OpenRead(path)) return TfliteReader.Read(s, options, path);
            case Access.StreamAsync:
                await using (var s = File.OpenRead(path)) return await TfliteReader.ReadAsync(s, options, path);
            default:
                using (var s = new NonSeekableStream(File.ReadAllBytes(path))) return TfliteReader.Read(s, options, path);
        }
    }

    [Theory]
    [MemberData(nameof(Accesses))]
    public async Task Hello_world_int8_tensors_via_every_access_path(Access access)
    {
        TfliteModelInfo m = await ReadVia(access, TestPaths.Fixture("tflite", "hello_world_int8.tflite"));

        // Tensor table of the file (printed by the script above with names, shapes, types and buffer lengths).
        Assert.Equal("MLIR Converted.", m.Description);
        TfliteTensor w1 = m.AllTensors.Single(t => t.Name == "sequential/dense_1/MatMul");
        Assert.Equal([16L, 16L], w1.Shape.ToArray());
        Assert.Equal(TfliteTensorType.Int8, w1.Type);          // TensorType INT8 = 9
        Assert.Equal(TensorDataType.I8, w1.DataType);
        Assert.True(w1.IsCountedWeight);
        Assert.Equal(256, w1.DenseByteLength);
        Assert.NotNull(w1.Quantization);
        Assert.Single(w1.Quantization!.Scale);                   // per-tensor scale for a fully connected weight

        TfliteTensor b1 = m.AllTensors.Single(t => t.Name == "sequential/dense_1/BiasAdd/ReadVariableOp");
        Assert.Equal(TfliteTensorType.Int32, b1.Type);          // int8 models keep int32 biases
        Assert.Equal(64, m.Buffers[(int)b1.BufferIndex].ByteLength); // 16 × 4 bytes

        TfliteTensor input = m.Subgraphs[0].Tensors[m.Subgraphs[0].Inputs.Single()];
        Assert.Equal("serving_default_dense_input:0", input.Name);
        Assert.Equal([1L, 1L], input.Shape.ToArray());
        Assert.False(input.IsConstant);                          // activation: its buffer is empty

        // FULLY_CONNECTED is builtin 9 in schema.fbs; all three operators use it.
        Assert.Equal(9, m.OperatorCodes.Single().BuiltinCode);
        Assert.All(m.Subgraphs[0].Operators, o => Assert.Equal(0u, o.OpcodeIndex));
        Assert.Equal(["min_runtime_version", "CONVERSION_METADATA"], m.Metadata.Select(x => x.Name).ToArray()); // script: Model.metadata names
        Assert.Equal(321, m.ParameterCount);

        IReadOnlyList<TensorInfo> infos = m.ToTensorInfos();
        Assert.Equal(6, infos.Count);                            // 3 weights + 3 biases
        Assert.All(infos, i => Assert.NotNull(i.DataOffset));
    }

    [Fact]
    public void Person_detect_input_is_96x96_grayscale_int8()
    {
        TfliteModelInfo m = TfliteReader.Read(TestPaths.Fixture("tflite", "person_detect.tflite"));
        TfliteTensor input = m.Subgraphs[0].Tensors[m.Subgraphs[0].Inputs.Single()];

        // tflite-micro person_detection README: 96×96 grayscale input, int8 quantized MobileNet v1 0.25.
        Assert.Equal([1L, 96L, 96L, 1L], input.Shape.ToArray());
        Assert.Equal(TfliteTensorType.Int8, input.Type);
        Assert.Equal("TOCO Converted.", m.Description);
        // Old TOCO files set only deprecated_builtin_code: AVERAGE_POOL_2D 1, CONV_2D 3, DEPTHWISE_CONV_2D 4,
        // RESHAPE 22, SOFTMAX 25 (schema.fbs BuiltinOperator).
        Assert.Equal([1, 3, 4, 22, 25], m.OperatorCodes.Select(c => c.BuiltinCode).ToArray());
        TfliteTensor conv0 = m.AllTensors.Single(t => t.Name == "MobilenetV1/Conv2d_0/weights/read");
        Assert.Equal([1L, 3L, 3L, 8L], conv0.Shape.ToArray());             // 3×3 kernel, 1 input channel folded, 8 = 32 × 0.25 filters
        Assert.Equal(72, m.Buffers[(int)conv0.BufferIndex].ByteLength);
    }

    [Fact]
    public void Int4_tensor_packs_two_per_byte_and_counts_logical_elements()
    {
        var b = new TfliteTestModelBuilder();
        b.Buffers.Add(new(new byte[8]));                          // 15 int4 values → ⌈15 / 2⌉ = 8 bytes
        b.Tensors.Add(new("w4", [3, 5], 17, 1));                  // INT4 = 17
        byte[] bytes = b.Build();

        TfliteModelInfo m = TfliteReader.Read(bytes);

        TfliteTensor t = m.AllTensors.Single();
        Assert.Equal(TfliteTensorType.Int4, t.Type);
        Assert.Equal(TensorDataType.I4, t.DataType);
        Assert.Equal(15, t.ElementCount);
        Assert.Equal(8, t.DenseByteLength);
        Assert.Equal(15, m.ParameterCount);
        Assert.Equal(8, m.WeightBytes);
    }

    [Fact]
    public void External_buffers_are_measured_by_offset_and_size()
    {
        const ulong offset = 4096, size = 64;                     // weights after the flatbuffer, 16 F32
        var b = new TfliteTestModelBuilder();
        b.Buffers.Add(new(null, offset, size));
        b.Tensors.Add(new("w", [4, 4], 0, 1));                    // FLOAT32 = 0
        byte[] fb = b.Build();
        Assert.True(fb.Length < (int)offset);
        byte[] file = new byte[offset + size];
        fb.CopyTo(file, 0);
        string path = TempFile(file);
        try
        {
            TfliteModelInfo m = TfliteReader.Read(path);
            TfliteBuffer buf = m.Buffers[1];
            Assert.True(buf.IsExternal);
            Assert.Equal((long)offset, buf.FileOffset);
            Assert.Equal(64, buf.ByteLength);
            Assert.Equal(64, m.ExternalBufferBytes);
            Assert.Equal(16, m.ParameterCount);
            Assert.Equal((long)offset, m.ToTensorInfos().Single().DataOffset);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Reading_a_file_does_not_allocate_in_proportion_to_inline_weights()
    {
        const int weightBytes = 8 * 1024 * 1024;                 // 8 MiB of F32 weights inside the flatbuffer
        var b = new TfliteTestModelBuilder();
        b.Buffers.Add(new(new byte[weightBytes]));
        b.Tensors.Add(new("w", [weightBytes / 4], 0, 1));
        string path = TempFile(b.Build());
        try
        {
            TfliteReader.Read(path);                              // warm up (JIT, statics)
            long before = GC.GetAllocatedBytesForCurrentThread();
            TfliteModelInfo m = TfliteReader.Read(path);
            long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            Assert.Equal(weightBytes / 4, m.ParameterCount);
            Assert.Equal(weightBytes, m.WeightBytes);
            Assert.True(allocated < 256 * 1024, $"allocated {allocated} bytes"); // memory-mapped: no copy of the weights
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void External_weights_past_2_GiB_in_a_sparse_file()
    {
        const long offset = 1L << 20, size = 3L << 30;           // 3 GiB of F16 weights after 1 MiB of flatbuffer
        var b = new TfliteTestModelBuilder();
        b.Buffers.Add(new(null, (ulong)offset, (ulong)size));
        b.Tensors.Add(new("embedder", [(int)(size / 2 / 2048), 2048], 1, 1)); // FLOAT16 = 1, 2 bytes each
        byte[] fb = b.Build();
        string path = Path.Combine(Path.GetTempPath(), "llmsize-tflite-" + Guid.NewGuid().ToString("N") + ".bin");
        try
        {
            using (var fs = new FileStream(path, FileMode.CreateNew))
            {
                fs.Write(fb);
                fs.SetLength(offset + size);                      // sparse: the weights are never written
            }

            long before = GC.GetAllocatedBytesForCurrentThread();
            TfliteModelInfo m = TfliteReader.Read(path);
            long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            Assert.Equal(offset + size, m.FileLength);
            Assert.Equal(size / 2, m.ParameterCount);            // 3 GiB / 2 bytes per F16
            Assert.Equal(size, m.ExternalBufferBytes);
            Assert.True(allocated < 256 * 1024, $"allocated {allocated} bytes");
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void A_buffer_shared_by_two_tensors_counts_once()
    {
        var b = new TfliteTestModelBuilder();
        b.Buffers.Add(new(new byte[16]));
        b.Tensors.Add(new("a", [4], 0, 1));
        b.Tensors.Add(new("b", [4], 0, 1));                       // same buffer 1
        TfliteModelInfo m = TfliteReader.Read(b.Build());
        Assert.Equal(4, m.ParameterCount);
        Assert.Equal(16, m.WeightBytes);
        Assert.True(m.AllTensors.All(t => t.IsConstant));
        Assert.Single(m.AllTensors, t => t.IsCountedWeight);
    }

    [Fact]
    public void Builtin_code_is_the_larger_of_the_two_fields()
    {
        var b = new TfliteTestModelBuilder();
        b.Codes.Add(new(127, 150));                               // extended op: builtin_code 150, placeholder 127
        b.Codes.Add(new(9, 0));                                   // old file: only deprecated_builtin_code
        b.Codes.Add(new(32, 32, "MyOp"));                         // CUSTOM with a custom code
        TfliteModelInfo m = TfliteReader.Read(b.Build());
        Assert.Equal([150, 9, 32], m.OperatorCodes.Select(c => c.BuiltinCode).ToArray());
        Assert.Equal("MyOp", m.OperatorCodes[2].CustomCode);
    }

    [Fact]
    public void Per_channel_quantization_is_read_and_its_bytes_counted()
    {
        var b = new TfliteTestModelBuilder();
        b.Buffers.Add(new(new byte[6]));
        b.Tensors.Add(new("q", [3, 2], 9, 1, [0.5f, 0.25f, 0.125f], [0, 1, 2]));
        TfliteModelInfo m = TfliteReader.Read(b.Build());
        TfliteQuantization q = m.AllTensors.Single().Quantization!;
        Assert.Equal([0.5f, 0.25f, 0.125f], q.Scale.ToArray());
        Assert.Equal([0L, 1L, 2L], q.ZeroPoint.ToArray());
        Assert.Equal(3 * 4 + 3 * 8, m.QuantizationParameterBytes); // 3 float scales + 3 long zero points
    }

    [Fact]
    public void Detector_recognizes_tflite_and_never_throws()
    {
        byte[] real = File.ReadAllBytes(TestPaths.Fixture("tflite", "hello_world_int8.tflite"));
        Assert.True(TfliteFormatDetector.IsTflite(real.AsSpan(0, TfliteFormatDetector.MinimumHeaderLength)));
        Assert.False(TfliteFormatDetector.IsTflite(real.AsSpan(0, 7)));      // shorter than the minimum
        Assert.False(TfliteFormatDetector.IsTflite([]));
        Assert.False(TfliteFormatDetector.IsTflite("PK\x03\x04\x14\0\0\0"u8)); // a zip
        Assert.False(TfliteFormatDetector.IsTflite("\0\0\0\0TFL3"u8));       // root offset 0 points into the header
    }

    internal static string TempFile(byte[] bytes)
    {
        string path = Path.Combine(Path.GetTempPath(), "llmsize-tflite-" + Guid.NewGuid().ToString("N") + ".tflite");
        File.WriteAllBytes(path, bytes);
        return path;
    }

    /// <summary>A read-only stream that cannot seek.</summary>
    internal sealed class NonSeekableStream(byte[] data) : MemoryStream(data, writable: false)
    {
        public override bool CanSeek => false;

        public override long Seek(long offset, SeekOrigin loc) => throw new NotSupportedException();

        public override long Length => throw new NotSupportedException();

        public override long Position { get => base.Position; set => throw new NotSupportedException(); }
    }
}
