using LlmSize.Core;
using System.Buffers.Binary;
using System.Text;
using LlmSize.Core.Compression.Quantization;
using LlmSize.Core.Formats.Gguf;
using LlmSize.Core.Precision;

namespace LlmSize.Core.Tests.Compression.Quantization;

/// <summary>Bad input and the safetensors path of <see cref="GgufQuantizer"/>.</summary>
public sealed class GgufQuantizerTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("llmsize-gq-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Tiny(TensorDataType type)
    {
        string p = Path.Combine(_dir, $"tiny-{type.Name}.gguf");
        if (!File.Exists(p)) TinyLlamaGguf.Write(p, type);
        return p;
    }

    [Fact]
    public void OutputEqualsInput_IsRefused()
    {
        string input = Tiny(TensorDataType.F32);
        long before = new FileInfo(input).Length;
        var e = Assert.Throws<InputException>(() => GgufQuantizer.Quantize(input, input, LlamaFileType.Q8_0));
        Assert.Contains("is the input", e.Message);
        Assert.Equal(before, new FileInfo(input).Length);
    }

    [Fact]
    public void ExistingOutput_IsRefused()
    {
        string input = Tiny(TensorDataType.F32);
        string output = Path.Combine(_dir, "exists.gguf");
        File.WriteAllText(output, "x");
        Assert.Throws<IOException>(() => GgufQuantizer.Quantize(input, output, LlamaFileType.Q8_0));
        Assert.Equal("x", File.ReadAllText(output));
    }

    [Fact]
    public void AlreadyQuantized_IsRefused_UnlessAllowRequantize()
    {
        string q8 = Path.Combine(_dir, "q8.gguf");
        GgufQuantizer.Quantize(Tiny(TensorDataType.F32), q8, LlamaFileType.Q8_0);
        string q4 = Path.Combine(_dir, "q4.gguf");
        var e = Assert.Throws<NotSupportedException>(() => GgufQuantizer.Quantize(q8, q4, LlamaFileType.Q4_0, new GgufQuantizerOptions { LeaveOutputTensor = true }));
        Assert.Contains("already Q8_0", e.Message);
        Assert.Contains("--allow-requantize", e.Message);
        Assert.False(File.Exists(q4));

        var report = GgufQuantizer.Quantize(q8, q4, LlamaFileType.Q4_0, new GgufQuantizerOptions { AllowRequantize = true, LeaveOutputTensor = true });
        var attnQ = report.Tensors.Single(t => t.Name == "blk.0.attn_q.weight");
        Assert.Equal(TensorDataType.Q8_0, attnQ.SourceType);
        Assert.Equal(TensorDataType.Q4_0, attnQ.TargetType);
        // 256 × 256 weights: Q8_0 = 65536/32 × 34 bytes = 69,632; Q4_0 = 2048 × 18 = 36,864.
        Assert.Equal(69_632, attnQ.BytesBefore);
        Assert.Equal(36_864, attnQ.BytesAfter);
    }

    [Fact]
    public void NaNWeights_AreRefused_NamingTheTensor_UnlessAllowed()
    {
        string input = Tiny(TensorDataType.F32);
        string broken = Path.Combine(_dir, "nan.gguf");
        File.Copy(input, broken);
        var info = GgufReader.Read(broken).Tensors.Single(t => t.Name == "blk.1.ffn_up.weight");
        using (var fs = new FileStream(broken, FileMode.Open, FileAccess.Write))
        {
            Span<byte> nan = stackalloc byte[4];
            BinaryPrimitives.WriteSingleLittleEndian(nan, float.NaN);
            fs.Position = info.DataOffset!.Value + 4 * 300; // element 300 (row 1)
            fs.Write(nan);
            BinaryPrimitives.WriteSingleLittleEndian(nan, float.PositiveInfinity);
            fs.Position = info.DataOffset!.Value + 4 * 1000;
            fs.Write(nan);
        }

        string output = Path.Combine(_dir, "out.gguf");
        var e = Assert.Throws<InvalidDataException>(() => GgufQuantizer.Quantize(broken, output, LlamaFileType.Q8_0));
        Assert.Contains("'blk.1.ffn_up.weight'", e.Message);
        Assert.Contains("2 NaN/Inf", e.Message);
        Assert.False(File.Exists(output));
        Assert.Empty(Directory.GetFiles(_dir, "*.tmp"));

        var report = GgufQuantizer.Quantize(broken, output, LlamaFileType.Q8_0, new GgufQuantizerOptions { AllowNonFinite = true });
        Assert.Equal(2, report.Tensors.Single(t => t.Name == "blk.1.ffn_up.weight").NonFiniteCount);
    }

    [Fact]
    public void Cancellation_LeavesNoOutput()
    {
        using var cts = new CancellationTokenSource();
        string output = Path.Combine(_dir, "c.gguf");
        var progress = new SyncProgress(p => { if (p.TensorIndex >= 3) cts.Cancel(); });
        Assert.ThrowsAny<OperationCanceledException>(() =>
            GgufQuantizer.Quantize(Tiny(TensorDataType.F32), output, LlamaFileType.Q8_0, null, progress, cts.Token));
        Assert.False(File.Exists(output));
        Assert.Empty(Directory.GetFiles(_dir, "*.tmp"));
    }

    [Fact]
    public void Report_SizesAndErrors()
    {
        string output = Path.Combine(_dir, "r.gguf");
        var reports = new List<QuantizeProgress>();
        var report = GgufQuantizer.Quantize(Tiny(TensorDataType.F32), output, LlamaFileType.Q8_0,
            new GgufQuantizerOptions { Threads = 2, ChunkBytes = 64 * 1024 }, new SyncProgress(reports.Add));
        var norm = report.Tensors.Single(t => t.Name == "blk.0.attn_norm.weight");
        Assert.False(norm.Converted); // 1-D: llama.cpp never quantizes it
        Assert.Equal(TensorDataType.F32, norm.TargetType);
        var up = report.Tensors.Single(t => t.Name == "blk.0.ffn_up.weight");
        Assert.Equal(512L * 256 * 4, up.BytesBefore); // F32
        Assert.Equal(512L * 256 / 32 * 34, up.BytesAfter); // Q8_0: 34 bytes per 32 weights
        // Q8_0 keeps ~8 bits: error ≤ half a step = max|x|/254; the weights are within ±0.06 (0.04 × 1.5).
        Assert.InRange(up.MaxAbsError, 1e-6, 0.06 / 254 * 1.01);
        Assert.InRange(up.SnrDb!.Value, 35, 50); // Q8_0 on Gaussian-like weights: ≈ 40 dB
        Assert.Equal(report.TensorBytesBefore, reports[^1].BytesTotal);
        Assert.Equal(reports[^1].BytesTotal, reports[^1].BytesDone);
    }

    [Fact]
    public void Safetensors_LlamaCheckpoint_IsConvertedWithPermutedQk()
    {
        string st = WriteHfLlama(_dir);

        string output = Path.Combine(_dir, "hf.gguf");
        GgufQuantizer.Quantize(st, output, LlamaFileType.F32);
        var f = GgufReader.Read(output);
        Assert.Equal("llama", f.Architecture);
        Assert.True(f.TryGetInt64("llama.attention.head_count_kv", out long kv));
        Assert.Equal(1, kv);
        Assert.Equal(12, f.Tensors.Count);
        Assert.Contains(f.Tensors, t => t.Name == "blk.0.ffn_down.weight");

        float Row(string name, int row)
        {
            var t = f.Tensors.Single(x => x.Name == name);
            using var fs = File.OpenRead(output);
            fs.Position = t.DataOffset!.Value + row * t.Shape[^1] * 4;
            Span<byte> b = stackalloc byte[4];
            fs.ReadExactly(b);
            return BinaryPrimitives.ReadSingleLittleEndian(b); // column 0 → value = tensor × 1000 + source row
        }

        // q (tensor 2), 2 heads of 32 rows, half = 16: output row h·32 + i·2 + j ← input row h·32 + j·16 + i.
        Assert.Equal(2000 + 0, Row("blk.0.attn_q.weight", 0));
        Assert.Equal(2000 + 16, Row("blk.0.attn_q.weight", 1)); // i = 0, j = 1
        Assert.Equal(2000 + 1, Row("blk.0.attn_q.weight", 2)); // i = 1, j = 0
        Assert.Equal(2000 + 32 + 16 + 3, Row("blk.0.attn_q.weight", 32 + 7)); // h = 1, i = 3, j = 1
        // k (tensor 3) is permuted with n_head_kv = 1: one head of 32 rows, half = 16.
        Assert.Equal(3000 + 16, Row("blk.0.attn_k.weight", 1));
        Assert.Equal(3000 + 31, Row("blk.0.attn_k.weight", 31));
        // v (tensor 4) is not permuted.
        Assert.Equal(4000 + 1, Row("blk.0.attn_v.weight", 1));
    }

    [Fact]
    public void Safetensors_WithoutConfig_IsNotSupported()
    {
        string st = Path.Combine(_dir, "lonely.safetensors");
        WriteSafetensors(st, [("x", [32, 32])], (_, r, c) => r + c);
        var e = Assert.Throws<NotSupportedException>(() => GgufQuantizer.Quantize(st, Path.Combine(_dir, "o.gguf"), LlamaFileType.Q8_0));
        Assert.Contains("config.json", e.Message);
    }

    /// <summary>A 1-layer LLaMA checkpoint: hidden 64, 2 heads (head dim 32), 1 KV head, FFN 128, vocab 32, F32;
    /// value = tensor index × 1000 + row + column / 1000 (so a row's origin can be read back).</summary>
    internal static string WriteHfLlama(string root)
    {
        string dir = Directory.CreateDirectory(Path.Combine(root, "hf")).FullName;
        File.WriteAllText(Path.Combine(dir, "config.json"), """
            {"model_type":"llama","hidden_size":64,"num_hidden_layers":1,"num_attention_heads":2,"num_key_value_heads":1,
             "intermediate_size":128,"max_position_embeddings":128,"rms_norm_eps":1e-5,"vocab_size":32}
            """);
        var shapes = new (string Name, int[] Shape)[]
        {
            ("model.embed_tokens.weight", [32, 64]),
            ("model.layers.0.input_layernorm.weight", [64]),
            ("model.layers.0.self_attn.q_proj.weight", [64, 64]),
            ("model.layers.0.self_attn.k_proj.weight", [32, 64]),
            ("model.layers.0.self_attn.v_proj.weight", [32, 64]),
            ("model.layers.0.self_attn.o_proj.weight", [64, 64]),
            ("model.layers.0.post_attention_layernorm.weight", [64]),
            ("model.layers.0.mlp.gate_proj.weight", [128, 64]),
            ("model.layers.0.mlp.up_proj.weight", [128, 64]),
            ("model.layers.0.mlp.down_proj.weight", [64, 128]),
            ("model.norm.weight", [64]),
            ("lm_head.weight", [32, 64]),
            ("model.layers.0.self_attn.rotary_emb.inv_freq", [16]), // skipped, as convert_hf_to_gguf does
        };
        string st = Path.Combine(dir, "model.safetensors");
        WriteSafetensors(st, shapes, (tensor, row, col) => tensor * 1000 + row + col / 1000f);

        return st;
    }

    /// <summary>Writes a safetensors file per the spec (8-byte LE header length, JSON header, data), F32 tensors.</summary>
    internal static void WriteSafetensors(string path, (string Name, int[] Shape)[] tensors, Func<int, int, int, float> value)
    {
        var header = new StringBuilder("{");
        long offset = 0;
        var datas = new List<byte[]>();
        for (int i = 0; i < tensors.Length; i++)
        {
            var (name, shape) = tensors[i];
            int rows = shape.Length == 1 ? 1 : shape[0];
            int cols = shape[^1];
            var data = new byte[rows * cols * 4];
            for (int r = 0; r < rows; r++)
            {
                for (int c = 0; c < cols; c++) BinaryPrimitives.WriteSingleLittleEndian(data.AsSpan((r * cols + c) * 4), value(i, r, c));
            }

            if (i > 0) header.Append(',');
            header.Append($"\"{name}\":{{\"dtype\":\"F32\",\"shape\":[{string.Join(",", shape)}],\"data_offsets\":[{offset},{offset + data.Length}]}}");
            offset += data.Length;
            datas.Add(data);
        }

        header.Append('}');
        while (header.Length % 8 != 0) header.Append(' ');
        byte[] h = Encoding.UTF8.GetBytes(header.ToString());
        using var fs = File.Create(path);
        Span<byte> len = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(len, (ulong)h.Length);
        fs.Write(len);
        fs.Write(h);
        foreach (var d in datas) fs.Write(d);
    }

    private sealed class SyncProgress(Action<QuantizeProgress> action) : IProgress<QuantizeProgress>
    {
        public void Report(QuantizeProgress value) => action(value);
    }
}
