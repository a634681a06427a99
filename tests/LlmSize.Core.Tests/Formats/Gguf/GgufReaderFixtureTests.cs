using LlmSize.Core.Formats.Gguf;
using LlmSize.Core.Models;
using LlmSize.Core.Precision;
using LlmSize.Core.Tests.Infrastructure;

namespace LlmSize.Core.Tests.Formats.Gguf;

/// <summary>One fixture's expected header facts.</summary>
/// <param name="File">File name under shared/fixtures/gguf.</param>
/// <param name="Architecture">general.architecture.</param>
/// <param name="KvCount">metadata_kv_count.</param>
/// <param name="BlockCount">{arch}.block_count.</param>
/// <param name="EmbeddingLength">{arch}.embedding_length.</param>
/// <param name="HeadCount">{arch}.attention.head_count.</param>
/// <param name="HeadCountKv">{arch}.attention.head_count_kv, null when the file omits it.</param>
/// <param name="ContextLength">{arch}.context_length.</param>
/// <param name="FeedForwardLength">{arch}.feed_forward_length.</param>
/// <param name="TokenCount">Length of tokenizer.ggml.tokens.</param>
/// <param name="HeaderLength">Bytes from the magic through the last tensor info.</param>
/// <param name="TensorCount">tensor_count.</param>
public sealed record GgufFixture(string File, string Architecture, int KvCount, long BlockCount, long EmbeddingLength,
    long HeadCount, long? HeadCountKv, long ContextLength, long FeedForwardLength, long TokenCount, long HeaderLength,
    int TensorCount)
{
    public override string ToString() => File;
}

/// <summary>
/// The real GGUF files in shared/fixtures/gguf. Expected values were read independently of this reader with a
/// 20-line Python struct parser (little-endian: <c>'&lt;4sIQQ'</c> header, then per pair <c>Q</c> key length, key,
/// <c>I</c> type, value; arrays <c>I</c> element type + <c>Q</c> count; <c>f.tell()</c> after the last tensor info gives
/// the header length), and agree with the models' published configurations cited per row.
/// </summary>
public sealed class GgufReaderFixtureTests
{
    public static TheoryData<GgufFixture> Fixtures => new()
    {
        // LLaMA-7B: 32 layers, dim 4096, 32 heads (LLaMA paper, Table 2); FF 11008, vocab 32000, 4096 ctx as converted (HF config).
        new("ggml-vocab-llama-spm.gguf", "llama", 22, 32, 4096, 32, 32, 4096, 11008, 32000, 723_869, 0),
        // bge-small-en: 12 layers, hidden 384, 12 heads, FF 1536, 512 positions, BERT WordPiece vocab 30522 (HF config).
        new("ggml-vocab-bert-bge.gguf", "bert", 20, 12, 384, 12, null, 512, 1536, 30522, 627_549, 0),
        // Phi-3-mini-4k: 32 layers, hidden 3072, 32 heads (MHA), FF 8192, 4096 ctx, vocab 32064 (HF config).
        new("ggml-vocab-phi-3.gguf", "phi3", 26, 32, 3072, 32, 32, 4096, 8192, 32064, 726_019, 0),
        // GPT-2 small: n_layer 12, n_embd 768, n_head 12, n_ctx 1024, FF 4×768, vocab 50257 (HF config / GPT-2 paper).
        new("ggml-vocab-gpt-2.gguf", "gpt2", 16, 12, 768, 12, null, 1024, 3072, 50257, 1_766_807, 0),
        // Falcon-7B: 32 layers, hidden 4544, 71 heads, multi-query (1 kv head), FF 4×4544, 2048 ctx, vocab 65024 (HF config).
        new("ggml-vocab-falcon.gguf", "falcon", 18, 32, 4544, 71, 1, 2048, 18176, 65024, 2_287_728, 0),
        // StarCoder2-3B: 30 layers, hidden 3072, 24 heads, 2 kv heads, FF 12288, 16384 ctx, vocab 49152 (HF config).
        new("ggml-vocab-starcoder.gguf", "starcoder2", 19, 30, 3072, 24, 2, 16384, 12288, 49152, 1_719_346, 0),
        // Tiny random LLaMA-2 (Ollama test data): 1 block, hidden 8, 2 heads, FF 32, vocab 32000, 12 tensors.
        new("llama-2-tiny-random.gguf", "llama", 18, 1, 8, 2, 2, 4096, 32, 32000, 724_398, 12),
    };

    [Theory]
    [MemberData(nameof(Fixtures))]
    public void Reads_metadata_of_each_fixture(GgufFixture f)
    {
        string path = TestPaths.Fixture("gguf", f.File);
        GgufFile file = GgufReader.Read(path);

        Assert.Equal(3u, file.Version);
        Assert.False(file.IsBigEndian);
        Assert.Equal(32u, file.Alignment); // no general.alignment key in these files → spec default 32
        Assert.Equal(f.KvCount, file.Metadata.Count);
        Assert.Equal(f.TensorCount, file.Tensors.Count);
        Assert.Equal(f.Architecture, file.Architecture);
        Assert.Equal(GgufConstants.ArchitectureKey, file.Metadata.Keys.First()); // file order is kept
        string a = f.Architecture;
        Assert.True(file.TryGetInt64($"{a}.block_count", out long blocks));
        Assert.Equal(f.BlockCount, blocks);
        Assert.True(file.TryGetInt64($"{a}.embedding_length", out long embd));
        Assert.Equal(f.EmbeddingLength, embd);
        Assert.True(file.TryGetInt64($"{a}.attention.head_count", out long heads));
        Assert.Equal(f.HeadCount, heads);
        Assert.Equal(f.HeadCountKv is not null, file.TryGetInt64($"{a}.attention.head_count_kv", out long kv));
        if (f.HeadCountKv is long expectedKv) Assert.Equal(expectedKv, kv);
        Assert.True(file.TryGetInt64($"{a}.context_length", out long ctx));
        Assert.Equal(f.ContextLength, ctx);
        Assert.True(file.TryGetInt64($"{a}.feed_forward_length", out long ff));
        Assert.Equal(f.FeedForwardLength, ff);

        Assert.True(file.Metadata[GgufConstants.TokensKey].TryGetArray(out GgufArray tokens));
        Assert.Equal(GgufValueType.String, tokens.ElementType);
        Assert.Equal(f.TokenCount, tokens.Count);
        Assert.False(tokens.IsMaterialized); // > MaxMaterializedArrayLength (4096): type and count only

        Assert.Equal(f.HeaderLength, file.HeaderLength);
        Assert.Equal(new FileInfo(path).Length, file.FileLength);
        Assert.Equal(path, file.FilePath);
    }

    [Theory]
    [MemberData(nameof(Fixtures))]
    public void Every_read_mode_gives_the_same_header(GgufFixture f)
    {
        byte[] bytes = File.ReadAllBytes(TestPaths.Fixture("gguf", f.File));
        GgufFile reference = GgufReader.Read(new MemoryStream(bytes));
        foreach (GgufReadMode mode in GgufTestRead.AllModes)
        {
            GgufFile file = GgufTestRead.Read(bytes, mode);
            Assert.Equal(reference.Metadata.Keys, file.Metadata.Keys);
            Assert.Equal(reference.Metadata.Values.Select(v => v.ToString()), file.Metadata.Values.Select(v => v.ToString()));
            Assert.Equal(reference.Tensors.Select(t => (t.Name, t.DataOffset, t.ByteLength)), file.Tensors.Select(t => (t.Name, t.DataOffset, t.ByteLength)));
            Assert.Equal(mode is GgufReadMode.SyncSeekable or GgufReadMode.AsyncSeekable ? bytes.Length : null, file.FileLength);
        }
    }

    [Fact]
    public async Task ReadAsync_from_path_matches_Read()
    {
        string path = TestPaths.Fixture("gguf", "llama-2-tiny-random.gguf");
        GgufFile sync = GgufReader.Read(path);
        GgufFile async = await GgufReader.ReadAsync(path);
        // TensorInfo is a record over an ImmutableArray shape (reference equality), so compare its parts.
        Assert.Equal(sync.Tensors.Select(t => (t.Name, t.ShapeText, t.DataType, t.ByteLength, t.DataOffset)),
            async.Tensors.Select(t => (t.Name, t.ShapeText, t.DataType, t.ByteLength, t.DataOffset)));
        Assert.Equal(sync.Metadata.Keys, async.Metadata.Keys);
    }

    [Fact]
    public void Scalar_metadata_values_have_their_natural_types()
    {
        GgufFile file = GgufReader.Read(TestPaths.Fixture("gguf", "ggml-vocab-llama-spm.gguf"));
        // Python parser: llama.block_count type 4 (UINT32) = 32; ...layer_norm_rms_epsilon type 6 (FLOAT32) = 1e-5;
        // tokenizer.ggml.add_bos_token type 7 (BOOL) = True; tokenizer.ggml.model type 8 (STRING) = "llama".
        Assert.Equal(GgufValueType.UInt32, file.Metadata["llama.block_count"].Type);
        Assert.Equal(32u, file.Metadata["llama.block_count"].Value);
        Assert.Equal(1e-5f, file.Metadata["llama.attention.layer_norm_rms_epsilon"].Value);
        Assert.True(file.Metadata["llama.attention.layer_norm_rms_epsilon"].TryGetDouble(out double eps));
        Assert.Equal(1e-5, eps, 1e-9);
        Assert.True(file.Metadata["tokenizer.ggml.add_bos_token"].TryGetBoolean(out bool bos));
        Assert.True(bos);
        Assert.True(file.TryGetString("tokenizer.ggml.model", out string model));
        Assert.Equal("llama", model);
        Assert.False(file.Metadata["tokenizer.ggml.model"].TryGetInt64(out _));
        // tokenizer.ggml.scores: 32000 FLOAT32; tokenizer.ggml.token_type: 32000 INT32 (Python parser).
        Assert.True(file.Metadata["tokenizer.ggml.scores"].TryGetArray(out GgufArray scores));
        Assert.Equal((GgufValueType.Float32, 32000L, false), (scores.ElementType, scores.Count, scores.IsMaterialized));
        Assert.True(file.Metadata["tokenizer.ggml.token_type"].TryGetArray(out GgufArray types));
        Assert.Equal((GgufValueType.Int32, 32000L), (types.ElementType, types.Count));
    }

    [Fact]
    public void Large_arrays_are_materialized_when_the_option_allows()
    {
        var options = new GgufReaderOptions { MaxMaterializedArrayLength = 40_000 };
        GgufFile file = GgufReader.Read(TestPaths.Fixture("gguf", "ggml-vocab-llama-spm.gguf"), options);
        Assert.True(file.Metadata[GgufConstants.TokensKey].TryGetArray(out GgufArray tokens));
        Assert.True(tokens.TryGetStrings(out IReadOnlyList<string> list));
        // Python parser: the first three tokens of the SentencePiece vocabulary are <unk>, <s>, </s>.
        Assert.Equal(["<unk>", "<s>", "</s>"], list.Take(3));
        Assert.Equal(32000, list.Count);
        Assert.True(file.Metadata["tokenizer.ggml.token_type"].TryGetArray(out GgufArray types));
        Assert.True(types.TryGetInt64Values(out long[] typeIds));
        Assert.Equal([2L, 3L, 3L], typeIds.Take(3)); // UNKNOWN, CONTROL, CONTROL (Python parser)
    }

    /// <summary>
    /// Tensor infos of llama-2-tiny-random.gguf, from the Python parser (ne is innermost-first on disk; the shape here
    /// is outermost-first). Byte length = elements × 2 for F16 (ggml type 1), × 4 for F32 (type 0); data offset =
    /// 724,416 (header 724,398 rounded up to 32) + the relative offset in the file.
    /// </summary>
    public static TheoryData<string, long[], string, long, long> TinyTensors => new()
    {
        { "token_embd.weight", [32000, 8], "F16", 512_000, 0 },
        { "blk.0.attn_q.weight", [8, 8], "F16", 128, 512_000 },
        { "blk.0.attn_k.weight", [8, 8], "F16", 128, 512_128 },
        { "blk.0.attn_v.weight", [8, 8], "F16", 128, 512_256 },
        { "blk.0.attn_output.weight", [8, 8], "F16", 128, 512_384 },
        { "blk.0.ffn_gate.weight", [32, 8], "F16", 512, 512_512 },
        { "blk.0.ffn_up.weight", [32, 8], "F16", 512, 513_024 },
        { "blk.0.ffn_down.weight", [8, 32], "F16", 512, 513_536 },
        { "blk.0.attn_norm.weight", [8], "F32", 32, 514_048 },
        { "blk.0.ffn_norm.weight", [8], "F32", 32, 514_080 },
        { "output_norm.weight", [8], "F32", 32, 514_112 },
        { "output.weight", [32000, 8], "F16", 512_000, 514_144 },
    };

    [Theory]
    [MemberData(nameof(TinyTensors))]
    public void Tiny_file_tensor(string name, long[] shape, string type, long bytes, long relativeOffset)
    {
        string path = TestPaths.Fixture("gguf", "llama-2-tiny-random.gguf");
        GgufFile file = GgufReader.Read(path);
        TensorInfo t = Assert.Single(file.Tensors, x => x.Name == name);
        Assert.Equal(shape, t.Shape);
        Assert.Equal(type, t.DataType.Name);
        Assert.Equal(bytes, t.ByteLength);
        Assert.Equal(724_416 + relativeOffset, t.DataOffset);
        Assert.Equal(path, t.FilePath);
    }

    [Fact]
    public void Tiny_file_totals()
    {
        GgufFile file = GgufReader.Read(TestPaths.Fixture("gguf", "llama-2-tiny-random.gguf"));
        Assert.Equal(724_416, file.TensorDataOffset);   // 724,398 rounded up to a multiple of 32
        // 2 × 32000×8 (embeddings, output) + 4 × 8×8 (q k v o) + 3 × 32×8 (gate up down) + 3 × 8 (norms)
        // = 512,000 + 256 + 768 + 24 = 513,048 parameters (the figure shared/README.md gives).
        Assert.Equal(513_048, file.TotalElementCount);
        // F16 bytes 2 × 512,720 + F32 bytes 4 × 24 = 1,025,440 + 96 + ... : sum of the table above = 1,026,144,
        // and 724,416 + 1,026,144 = 1,750,560 = the file length: the last tensor ends exactly at end of file.
        Assert.Equal(1_026_144, file.TotalTensorBytes);
        Assert.Equal(file.FileLength, file.TensorDataOffset + file.TotalTensorBytes);
        Assert.Equal(TensorDataType.F16, file.Tensors[0].DataType);
    }
}
