using LlmSize.Core.Formats.HfConfig;
using LlmSize.Core.Models.Architectures;
using LlmSize.Core.Tests.Infrastructure;

namespace LlmSize.Core.Tests.Formats.HfConfig;

/// <summary>Family quirks the reader must carry into the architecture (biases, heads, windows, heads of BERT).</summary>
public sealed class HfConfigFamilyQuirkTests
{
    private static ModelArchitecture Fixture(string model) =>
        HfConfigReader.Read(TestPaths.Fixture("configs", model, "config.json"));

    [Fact]
    public void Qwen2_HasQkvBiasButNoOutputBias_AndNoWindowWhenDisabled()
    {
        // Qwen2Attention: q/k/v bias=True, o_proj bias=False; use_sliding_window false in the fixture.
        ModelArchitecture a = Fixture("qwen2-0.5b");

        Assert.True(a.AttentionQkvBias);
        Assert.False(a.AttentionOutputBias);
        Assert.Null(a.SlidingWindow);
    }

    [Fact]
    public void Qwen2_SlidingWindow_AppliesFromMaxWindowLayers()
    {
        // use_sliding_window true, max_window_layers 2: layers 2 and 3 of 4 are windowed.
        const string json = """
            {"model_type":"qwen2","vocab_size":10,"hidden_size":8,"intermediate_size":16,"num_hidden_layers":4,
             "num_attention_heads":2,"num_key_value_heads":1,"use_sliding_window":true,"sliding_window":64,
             "max_window_layers":2}
            """;
        ModelArchitecture a = HfConfigReader.Parse(json, null);

        Assert.Equal(64, a.SlidingWindow);
        Assert.Equal([false, false, true, true], a.SlidingWindowLayers!);
    }

    [Fact]
    public void Mistral01_WindowOnEveryLayer_Mixtral_None()
    {
        // The mistral-7b-v0.1 fixture has no sliding_window key: MistralConfig default 4096 (CSV notes: "sliding
        // window 4096 in v0.1"), on every layer.
        Assert.Equal(4096, Fixture("mistral-7b-v0.1").SlidingWindow);
        Assert.Null(Fixture("mistral-7b-v0.1").SlidingWindowLayers);
        Assert.Null(Fixture("mixtral-8x7b-v0.1").SlidingWindow); // "sliding_window": null
    }

    [Fact]
    public void Gemma2_AlternatesWindowedLayers()
    {
        // Gemma2DecoderLayer: is_sliding = not bool(layer_idx % 2); 26 layers -> 13 windowed.
        ModelArchitecture a = Fixture("gemma-2-2b");

        Assert.Equal(4096, a.SlidingWindow);
        Assert.True(a.SlidingWindowLayers![0]);
        Assert.False(a.SlidingWindowLayers[1]);
        Assert.Equal(13, a.SlidingWindowLayers.Count(s => s));
        Assert.Equal(4, a.NormsPerLayer);
    }

    [Fact]
    public void Gemma7b_HeadDimTimesHeads_DiffersFromHidden()
    {
        ModelArchitecture a = Fixture("gemma-7b");

        Assert.Equal(3072, a.HiddenSize);
        Assert.Equal(4096, a.QueryWidth);
    }

    [Fact]
    public void PhiMsft_ReadsOldKeys()
    {
        // n_inner null -> 4 x n_embd; n_head_kv null -> n_head; lm_head bias (CausalLMHead.linear) 51,200.
        ModelArchitecture a = Fixture("phi-2");

        Assert.Equal(10240, a.IntermediateSize);
        Assert.Equal(32, a.KeyValueHeadCount);
        Assert.Equal(80, a.HeadDim);
        Assert.Equal(51200L * 2560 + 51200, ParameterCalculator.Count(a).OutputHead);
    }

    [Fact]
    public void BertForPreTraining_AddsPoolerMlmAndNextSentenceHead()
    {
        // bert-base shapes: BertModel 109,482,240 (with pooler) + MLM transform 590,592 + LayerNorm 1,536 + decoder
        // bias 30,522 + seq_relationship 768 x 2 + 2 = 1,538 -> 110,106,428.
        const string json = """
            {"model_type":"bert","architectures":["BertForPreTraining"],"vocab_size":30522,"hidden_size":768,
             "num_hidden_layers":12,"num_attention_heads":12,"intermediate_size":3072}
            """;

        Assert.Equal(109_482_240 + 590_592 + 1_536 + 30_522 + 1_538, ParameterCalculator.Count(HfConfigReader.Parse(json, null)).Total);
    }

    [Fact]
    public void BertForSequenceClassification_UsesId2LabelCount()
    {
        // 3 labels: classifier 768 x 3 + 3 = 2,307 on top of BertModel's 109,482,240.
        const string json = """
            {"model_type":"bert","architectures":["BertForSequenceClassification"],"vocab_size":30522,
             "hidden_size":768,"num_hidden_layers":12,"num_attention_heads":12,"intermediate_size":3072,
             "id2label":{"0":"neg","1":"neu","2":"pos"}}
            """;

        Assert.Equal(109_482_240 + 2_307, ParameterCalculator.Count(HfConfigReader.Parse(json, null)).Total);
    }

    [Fact]
    public void BertUnknownHead_CountsBertModel_WithNote()
    {
        const string json = """
            {"model_type":"bert","architectures":["BertForTokenClassification"],"vocab_size":30522,
             "hidden_size":768,"num_hidden_layers":12,"num_attention_heads":12,"intermediate_size":3072}
            """;
        ModelArchitecture a = HfConfigReader.Parse(json, null);

        Assert.Equal(109_482_240, ParameterCalculator.Count(a).Total);
        Assert.Single(a.Notes);
    }

    [Fact]
    public void DistilBertModel_IsTheBackbone()
    {
        // CSV notes: DistilBertModel backbone 66,362,880.
        const string json = """
            {"model_type":"distilbert","architectures":["DistilBertModel"],"vocab_size":30522,"dim":768,
             "hidden_dim":3072,"n_layers":6,"n_heads":12,"max_position_embeddings":512}
            """;

        Assert.Equal(66_362_880, ParameterCalculator.Count(HfConfigReader.Parse(json, null)).Total);
    }

    [Fact]
    public void T5_DecoderLayersDefaultToEncoderLayers()
    {
        const string json = """
            {"model_type":"t5","vocab_size":32128,"d_model":512,"d_kv":64,"d_ff":2048,"num_layers":6,"num_heads":8}
            """;
        ModelArchitecture a = HfConfigReader.Parse(json, null);

        Assert.Equal(TransformerKind.EncoderDecoder, a.Kind);
        Assert.Equal(6, a.LayerCount);
        Assert.Equal(6, a.EncoderLayerCount);
        Assert.True(a.TieWordEmbeddings);
        Assert.Equal(MlpKind.Plain, a.Mlp);
    }

    [Fact]
    public void Starcoder2_HasLayerNormBiasesAndPlainMlp()
    {
        // Starcoder2: nn.LayerNorm (weight + bias), use_bias default true on q/k/v/o and c_fc/c_proj, tied head.
        // Tiny config by hand: embed 10 x 8 = 80; per layer q/o 2 x 64 + k/v 2 x 4 x 8 + biases 8 + 4 + 4 + 8 +
        // c_fc 8 x 16 + 16 + c_proj 16 x 8 + 8 + 2 LayerNorms 2 x 16 = 128 + 64 + 24 + 144 + 136 + 32 = 528;
        // final LayerNorm 16. Total 80 + 528 + 16 = 624.
        const string json = """
            {"model_type":"starcoder2","vocab_size":10,"hidden_size":8,"intermediate_size":16,"num_hidden_layers":1,
             "num_attention_heads":2,"num_key_value_heads":1}
            """;
        ModelArchitecture a = HfConfigReader.Parse(json, null);

        Assert.Equal(NormalizationKind.LayerNorm, a.Normalization);
        Assert.Equal(MlpKind.Plain, a.Mlp);
        Assert.Equal(624, ParameterCalculator.Count(a).Total);
    }

    [Fact]
    public async Task ReadAsync_Cancelled_Throws()
    {
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            HfConfigReader.ReadAsync(TestPaths.Fixture("configs", "gpt2", "config.json"), null, cts.Token));
    }
}
