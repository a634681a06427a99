using LlmSize.Core.Formats.Gguf;
using LlmSize.Core.Models.Architectures;
using LlmSize.Core.Tests.Infrastructure;

namespace LlmSize.Core.Tests.Formats.Gguf;

/// <summary>Expected <see cref="ModelArchitecture"/> of a fixture.</summary>
public sealed record GgufArchitectureCase(string File, string Family, TransformerKind Kind, long Hidden, int Layers,
    int Heads, int KvHeads, int HeadDim, long Ff, long Vocab, long Context, bool Tied)
{
    public override string ToString() => File;
}

/// <summary>GGUF metadata → <see cref="ModelArchitecture"/> on the real fixtures and on built files.</summary>
public sealed class GgufArchitectureTests
{
    public static TheoryData<GgufArchitectureCase> Cases => new()
    {
        // LLaMA-7B (paper Table 2; HF config): head_dim 4096/32 = 128; vocab from llama.vocab_size = 32000; untied
        // (LlamaConfig tie_word_embeddings = False: 6,738,415,616 parameters include a separate 32000 × 4096 output).
        new("ggml-vocab-llama-spm.gguf", "llama", TransformerKind.DecoderOnly, 4096, 32, 32, 32, 128, 11008, 32000, 4096, false),
        // bge-small: no head_count_kv → = head_count 12; head_dim 384/12 = 32; vocab = 30522 tokens; encoder-only, no LM head.
        new("ggml-vocab-bert-bge.gguf", "bert", TransformerKind.EncoderOnly, 384, 12, 12, 12, 32, 1536, 30522, 512, false),
        // Phi-3-mini: head_dim 3072/32 = 96 (= phi3.rope.dimension_count); vocab 32064 tokens; untied (Phi3Config).
        new("ggml-vocab-phi-3.gguf", "phi3", TransformerKind.DecoderOnly, 3072, 32, 32, 32, 96, 8192, 32064, 4096, false),
        // GPT-2 small: head_dim 768/12 = 64; vocab 50257 tokens; GPT-2 ties its LM head to wte.
        new("ggml-vocab-gpt-2.gguf", "gpt2", TransformerKind.DecoderOnly, 768, 12, 12, 12, 64, 3072, 50257, 1024, true),
        // Falcon-7B: head_dim 4544/71 = 64; MQA (1 kv head); vocab 65024; tied (6.92 B on the model card).
        new("ggml-vocab-falcon.gguf", "falcon", TransformerKind.DecoderOnly, 4544, 32, 71, 1, 64, 18176, 65024, 2048, true),
        // StarCoder2-3B: head_dim 3072/24 = 128; GQA 2 kv heads; vocab 49152; tied (3.03 B on the model card).
        new("ggml-vocab-starcoder.gguf", "starcoder2", TransformerKind.DecoderOnly, 3072, 30, 24, 2, 128, 12288, 49152, 16384, true),
        // Tiny LLaMA: head_dim 8/2 = 4; it has an output.weight tensor, so not tied.
        new("llama-2-tiny-random.gguf", "llama", TransformerKind.DecoderOnly, 8, 1, 2, 2, 4, 32, 32000, 4096, false),
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Maps_fixture_metadata(GgufArchitectureCase c)
    {
        ModelArchitecture a = GgufArchitecture.ToModelArchitecture(GgufReader.Read(TestPaths.Fixture("gguf", c.File)));
        Assert.Equal(c.Family, a.Family);
        Assert.Equal(c.Kind, a.Kind);
        Assert.Equal(c.Hidden, a.HiddenSize);
        Assert.Equal(c.Layers, a.LayerCount);
        Assert.Equal(c.Heads, a.AttentionHeadCount);
        Assert.Equal(c.KvHeads, a.KeyValueHeadCount);
        Assert.Null(a.KeyValueHeadCountPerLayer);
        Assert.Equal(c.HeadDim, a.HeadDim);
        Assert.Null(a.ValueHeadDim);
        Assert.Equal(c.Ff, a.IntermediateSize);
        Assert.Equal(c.Vocab, a.VocabSize);
        Assert.Equal(c.Context, a.ContextLength);
        Assert.Equal(c.Tied, a.TieWordEmbeddings);
        Assert.Equal(0, a.ExpertCount);
        Assert.Null(a.SlidingWindow);
        Assert.Equal("GGUF metadata", a.Source);
    }

    private static GgufFile Build(Action<GgufTestWriter> pairs, int pairCount, Action<GgufTestWriter>? tensors = null, int tensorCount = 0)
    {
        var w = new GgufTestWriter();
        w.Header((ulong)tensorCount, (ulong)pairCount);
        pairs(w);
        tensors?.Invoke(w);
        w.PadTo(32).Zeros(4096);
        return GgufReader.Read(new MemoryStream(w.ToArray()));
    }

    [Fact]
    public void Bge_small_vocab_gguf_counts_no_lm_head()
    {
        // Issue 17 item 6: the encoder-only bge-small GGUF counted a 30522 x 384 LM head it does not have (44.9M).
        // By hand from bge-small-en-v1.5's config (hidden 384, 12 layers, FF 1536, vocab 30522, 512 positions,
        // 2 token types): embeddings 30522x384 + 512x384 + 2x384 = 11,917,824 and their LayerNorm 768; per layer
        // attention 4 x (384x384 + 384) = 591,360, FFN 384x1536 + 1536 + 1536x384 + 384 = 1,181,568, two LayerNorms
        // 1,536 -> 12 x 1,774,464 = 21,293,568; total 33,212,160. The model card's 33.4M (BAAI/bge-small-en-v1.5
        // safetensors, 33,360,000) adds BertModel's pooler 384x384 + 384 = 147,840, which llama.cpp's converter drops.
        var inventory = LlmSize.Core.ModelLoader.Load(TestPaths.Fixture("gguf", "ggml-vocab-bert-bge.gguf"));
        ParameterBreakdown b = ParameterCalculator.Count(inventory.Architecture!);
        Assert.Equal(33_212_160, b.Total);
        Assert.Equal(0, b.OutputHead);
        Assert.Equal(33_212_160, LlmSize.Core.Models.ModelSizeReport.Create(inventory).Parameters);
    }

    [Fact]
    public void Per_layer_arrays_moe_and_sliding_window()
    {
        GgufFile file = Build(w => w
            .KvString("general.architecture", "toy")              // arch
            .KvU32("toy.block_count", 3)                          // 3 blocks
            .KvU32("toy.embedding_length", 64)                    // hidden 64
            .KvU32("toy.attention.head_count", 4)                 // 4 heads → head_dim 16
            .KvU32Array("toy.attention.head_count_kv", 2, 0, 2)   // layer 1 has no attention
            .KvU32Array("toy.feed_forward_length", 128, 256, 128) // per-layer FF
            .KvU32("toy.attention.value_length", 8)               // value head 8 ≠ key head 16
            .KvU32("toy.expert_count", 8)                         // 8 routed experts
            .KvU32("toy.expert_used_count", 2)                    // top-2
            .KvU32("toy.expert_shared_count", 1)                  // 1 shared expert
            .KvU32("toy.expert_feed_forward_length", 32)          // expert FF
            .KvU32("toy.attention.sliding_window", 4096)          // SWA width
            .KvU32("toy.vocab_size", 1000), 13);                  // vocab
        ModelArchitecture a = GgufArchitecture.ToModelArchitecture(file);
        Assert.Equal(2, a.KeyValueHeadCount);                     // maximum of the per-layer values
        Assert.Equal([2, 0, 2], a.KeyValueHeadCountPerLayer);
        Assert.Equal(256, a.IntermediateSize);
        Assert.Equal([128L, 256L, 128L], a.IntermediateSizePerLayer);
        Assert.Equal((16, 8), (a.HeadDim, a.ValueHeadDim));
        Assert.Equal((8, 2, 1, 32L), (a.ExpertCount, a.ActiveExpertCount, a.SharedExpertCount, a.ExpertIntermediateSize));
        Assert.Equal(4096, a.SlidingWindow);
        Assert.Equal(1000, a.VocabSize);
        Assert.False(a.TieWordEmbeddings); // unknown family without tensors: not tied
    }

    [Fact]
    public void Tensors_decide_tying_and_give_the_vocabulary()
    {
        GgufFile file = Build(w => w
                .KvString("general.architecture", "llama")  // arch
                .KvU32("llama.block_count", 1)              // 1 block
                .KvU32("llama.embedding_length", 4)         // hidden 4
                .KvU32("llama.attention.head_count", 1), 4, // 1 head
            w => w.Tensor("token_embd.weight", [4, 10], 0, 0), 1); // F32 ne [4, 10] → shape [10, 4]: vocab 10, no output.weight
        ModelArchitecture a = GgufArchitecture.ToModelArchitecture(file);
        Assert.Equal(10, a.VocabSize);
        Assert.True(a.TieWordEmbeddings);
        Assert.Equal(0, a.IntermediateSize); // no feed_forward_length key
    }

    [Fact]
    public void Missing_architecture_is_MissingField()
    {
        GgufFile file = Build(w => w.KvU32("llama.block_count", 1), 1);
        ModelFormatException e = Assert.Throws<ModelFormatException>(() => GgufArchitecture.ToModelArchitecture(file));
        Assert.Equal(ModelFormatError.MissingField, e.Error);
        Assert.Equal("general.architecture", e.Field);
    }

    [Fact]
    public void Missing_embedding_length_is_MissingField()
    {
        GgufFile file = Build(w => w.KvString("general.architecture", "llama").KvU32("llama.block_count", 1), 2);
        ModelFormatException e = Assert.Throws<ModelFormatException>(() => GgufArchitecture.ToModelArchitecture(file));
        Assert.Equal((ModelFormatError.MissingField, "llama.embedding_length"), (e.Error, e.Field));
    }

    [Fact]
    public void Wrong_types_and_lengths_are_InvalidValue()
    {
        GgufFile wrongType = Build(w => w
            .KvString("general.architecture", "llama")  // arch
            .KvU32("llama.embedding_length", 8)         // hidden
            .KvString("llama.block_count", "32"), 3);    // a string where an integer belongs
        Assert.Equal(ModelFormatError.InvalidValue, Assert.Throws<ModelFormatException>(() => GgufArchitecture.ToModelArchitecture(wrongType)).Error);

        GgufFile wrongLength = Build(w => w
            .KvString("general.architecture", "llama")          // arch
            .KvU32("llama.block_count", 3)                      // 3 blocks
            .KvU32("llama.embedding_length", 8)                 // hidden
            .KvU32Array("llama.attention.head_count_kv", 1, 1), 4); // only 2 per-layer values
        ModelFormatException e = Assert.Throws<ModelFormatException>(() => GgufArchitecture.ToModelArchitecture(wrongLength));
        Assert.Equal((ModelFormatError.InvalidValue, "llama.attention.head_count_kv"), (e.Error, e.Field));

        GgufFile zeroLayers = Build(w => w
            .KvString("general.architecture", "llama")  // arch
            .KvU32("llama.block_count", 0)              // 0 blocks: out of range
            .KvU32("llama.embedding_length", 8), 3);    // hidden
        Assert.Equal(ModelFormatError.InvalidValue, Assert.Throws<ModelFormatException>(() => GgufArchitecture.ToModelArchitecture(zeroLayers)).Error);
    }
}
