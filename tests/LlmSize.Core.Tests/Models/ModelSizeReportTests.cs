using LlmSize.Core.Models;
using LlmSize.Core.Tests.Infrastructure;

namespace LlmSize.Core.Tests.Models;

/// <summary>Direct tests of <see cref="ModelSizeReport"/>: which count it stands by, and whether it is a language model.</summary>
public sealed class ModelSizeReportTests
{
    [Fact]
    public void A_catalog_model_is_counted_from_its_architecture()
    {
        // gemma-2b: 2,506,172,416 parameters (../shared/reference/published-parameter-counts.csv), 2B class.
        var r = ModelSizeReport.Create(ModelLoader.Load("gemma-2b"));
        Assert.Equal(2_506_172_416, r.Parameters);
        Assert.Equal("2B", r.SizeClass!.Label);
        Assert.True(r.IsLanguageModel);
    }

    [Fact]
    public void A_gguf_with_tensors_is_counted_from_them()
    {
        // llama-2-tiny-random.gguf: 513,048 parameters (../shared/README.md).
        var r = ModelSizeReport.Create(ModelLoader.Load(TestPaths.Fixture("gguf", "llama-2-tiny-random.gguf")));
        Assert.Equal(ParameterCountSource.Tensors, r.Source);
        Assert.Equal(513_048, r.Parameters);
        Assert.True(r.IsLanguageModel); // it has a tokenizer vocabulary
    }

    [Fact]
    public void A_vision_graph_is_not_a_language_model()
    {
        // person_detect.tflite: a MobileNet person detector (tflite-micro), no vocabulary and no token embedding.
        var r = ModelSizeReport.Create(ModelLoader.Load(TestPaths.Fixture("tflite", "person_detect.tflite")));
        Assert.False(r.IsLanguageModel);
    }

    [Theory]
    [InlineData("gpt2-lora-seqcls", null)]
    [InlineData("gpt2-lora-seqcls", "adapter_model.safetensors")]
    [InlineData("distilbert-lora-imdb", null)]
    [InlineData("distilbert-lora-imdb", "adapter_model.safetensors")]
    public void An_adapter_gets_one_answer_as_a_folder_and_as_its_weights_file(string adapter, string? file)
    {
        // Issue 17 item 6: the folder was a "small language model" (300K class) and its .safetensors "not a language
        // model". Both are the same PEFT LoRA adapter (../shared/README.md: gpt2-lora-seqcls 299,520 parameters,
        // distilbert-lora-imdb 739,586), with no size class of its own.
        string path = file is null ? TestPaths.Fixture("peft", adapter) : TestPaths.Fixture("peft", adapter, file);
        var r = ModelSizeReport.Create(ModelLoader.Load(path));
        Assert.True(r.IsAdapter);
        Assert.False(r.IsLanguageModel);
        Assert.Null(r.SizeClass);
        Assert.Null(r.Scale);
        Assert.Equal(ModelSizeReport.AnAdapter, r.ScaleText);
        Assert.Equal("Adapter", r.ScaleCategory);
        Assert.Equal(adapter == "gpt2-lora-seqcls" ? 299_520 : 739_586, r.Parameters);
    }

    [Fact]
    public void A_model_is_not_an_adapter()
    {
        var r = ModelSizeReport.Create(ModelLoader.Load(TestPaths.Fixture("gguf", "llama-2-tiny-random.gguf")));
        Assert.False(r.IsAdapter);
        Assert.Equal(r.Scale!.Text, r.ScaleText);
    }

    [Fact]
    public void An_undisclosed_model_has_no_count()
    {
        var r = ModelSizeReport.Create(ModelLoader.Load("gpt-4"));
        Assert.Null(r.Parameters);
        Assert.Equal(ParameterCountSource.Undisclosed, r.Source);
    }
}
