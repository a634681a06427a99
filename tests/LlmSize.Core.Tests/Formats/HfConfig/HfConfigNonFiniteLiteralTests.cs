using LlmSize.Core.Formats.HfConfig;

namespace LlmSize.Core.Tests.Formats.HfConfig;

/// <summary>Issue 13, class 8: Python's json writes NaN / Infinity literals; in fields counts do not use they are read.</summary>
public sealed class HfConfigNonFiniteLiteralTests
{
    private const string File = "odd/config.json";

    private static string Llama(string extra) => $$"""
        {"model_type":"llama","vocab_size":49152,"hidden_size":576,"intermediate_size":1536,"num_hidden_layers":30,
         "num_attention_heads":9,"num_key_value_heads":3,"tie_word_embeddings":true{{extra}}}
        """;

    [Theory]
    [InlineData(""","rope_theta":NaN""")]
    [InlineData(""","rope_theta": Infinity""")]
    [InlineData(""","rms_norm_eps":-Infinity""")]
    [InlineData(""","rope_scaling":{"factor":NaN,"list":[Infinity,-Infinity,1.5]}""")]
    public void Issue13_non_finite_literal_in_an_unused_field_is_read(string extra)
    {
        var a = HfConfigReader.Parse(Llama(extra), File);

        Assert.Equal(576, a.HiddenSize);
        Assert.Equal(30, a.LayerCount);
    }

    [Fact]
    public void Literal_spelling_inside_a_string_is_left_alone()
    {
        var a = HfConfigReader.Parse(Llama(""","note":"NaN, Infinity \" NaN","_name_or_path":"x-Infinity" """), File);

        Assert.Equal(576, a.HiddenSize);
    }

    [Fact]
    public void Issue13_NaN_in_a_counted_field_names_the_field()
    {
        var e = Assert.Throws<ModelFormatException>(() => HfConfigReader.Parse(Llama("").Replace("\"hidden_size\":576", "\"hidden_size\":NaN", StringComparison.Ordinal), File));

        Assert.Equal("hidden_size", e.Field);
        Assert.Equal(File, e.FilePath);
    }

    [Fact]
    public void Bare_words_that_are_not_the_literals_stay_invalid_json()
    {
        var e = Assert.Throws<ModelFormatException>(() => HfConfigReader.Parse(Llama(""","rope_theta":NaNa"""), File));

        Assert.Equal(ModelFormatError.InvalidJson, e.Error);
    }
}
