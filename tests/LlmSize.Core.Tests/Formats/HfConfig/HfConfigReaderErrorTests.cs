using LlmSize.Core.Formats.HfConfig;

namespace LlmSize.Core.Tests.Formats.HfConfig;

/// <summary>Malformed and unsupported configs: one test per error kind, asserting type, code, field and file.</summary>
public sealed class HfConfigReaderErrorTests
{
    private const string File = "bad/config.json";

    // A valid LLaMA config (smollm2-135m shapes) the hostile cases below change one field of.
    private const string ValidLlama = """
        {"model_type":"llama","vocab_size":49152,"hidden_size":576,"intermediate_size":1536,"num_hidden_layers":30,
         "num_attention_heads":9,"num_key_value_heads":3,"tie_word_embeddings":true}
        """;

    private static ModelFormatException Fails(string json, HfConfigReaderOptions? options = null) =>
        Assert.Throws<ModelFormatException>(() => HfConfigReader.Parse(json, File, options));

    [Fact]
    public void ValidBaseline_Parses()
    {
        Assert.Equal(576, HfConfigReader.Parse(ValidLlama, File).HiddenSize);
    }

    [Fact]
    public void MissingRequiredField_IsMissingField()
    {
        // hidden_size removed.
        var e = Fails(ValidLlama.Replace("\"hidden_size\":576,", string.Empty, StringComparison.Ordinal));

        Assert.Equal(ModelFormatError.MissingField, e.Error);
        Assert.Equal("hidden_size", e.Field);
        Assert.Equal(File, e.FilePath);
        Assert.Contains(File, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void MissingModelType_IsMissingField()
    {
        var e = Fails("""{"vocab_size":10,"hidden_size":8}""");

        Assert.Equal(ModelFormatError.MissingField, e.Error);
        Assert.Equal("model_type", e.Field);
    }

    [Fact]
    public void MissingKvHeadsWhereDefaultIsNotHeads_IsMissingField()
    {
        // MistralConfig defaults num_key_value_heads to 8, not num_attention_heads: the reader does not guess.
        const string json = """
            {"model_type":"mistral","vocab_size":32000,"hidden_size":4096,"intermediate_size":14336,
             "num_hidden_layers":32,"num_attention_heads":32}
            """;

        Assert.Equal("num_key_value_heads", Fails(json).Field);
    }

    [Fact]
    public void NegativeSize_IsInvalidValue()
    {
        var e = Fails(ValidLlama.Replace("\"num_hidden_layers\":30", "\"num_hidden_layers\":-30", StringComparison.Ordinal));

        Assert.Equal(ModelFormatError.InvalidValue, e.Error);
        Assert.Equal("num_hidden_layers", e.Field);
    }

    [Fact]
    public void ZeroHeads_IsInvalidValue()
    {
        var e = Fails(ValidLlama.Replace("\"num_attention_heads\":9", "\"num_attention_heads\":0", StringComparison.Ordinal));

        Assert.Equal(ModelFormatError.InvalidValue, e.Error);
        Assert.Equal("num_attention_heads", e.Field);
    }

    [Fact]
    public void HeadsNotDividingHidden_WithoutHeadDim_IsInvalidValue()
    {
        // 576 / 7 is not whole and no head_dim is given; kv heads 1 so only the division is wrong.
        string json = ValidLlama
            .Replace("\"num_attention_heads\":9", "\"num_attention_heads\":7", StringComparison.Ordinal)
            .Replace("\"num_key_value_heads\":3", "\"num_key_value_heads\":1", StringComparison.Ordinal);

        var e = Fails(json);

        Assert.Equal(ModelFormatError.InvalidValue, e.Error);
        Assert.Equal("num_attention_heads", e.Field);
    }

    [Fact]
    public void KvHeadsNotDividingHeads_IsInvalidValue()
    {
        var e = Fails(ValidLlama.Replace("\"num_key_value_heads\":3", "\"num_key_value_heads\":4", StringComparison.Ordinal));

        Assert.Equal(ModelFormatError.InvalidValue, e.Error);
        Assert.Equal("num_key_value_heads", e.Field);
    }

    [Fact]
    public void NonIntegerSize_IsInvalidValue()
    {
        var e = Fails(ValidLlama.Replace("\"hidden_size\":576", "\"hidden_size\":576.5", StringComparison.Ordinal));

        Assert.Equal(ModelFormatError.InvalidValue, e.Error);
        Assert.Equal("hidden_size", e.Field);
    }

    [Fact]
    public void SizeAboveLimit_IsInvalidValue()
    {
        // Limit 65,536 layers; 65,537 is cap + 1.
        var e = Fails(ValidLlama.Replace("\"num_hidden_layers\":30", "\"num_hidden_layers\":65537", StringComparison.Ordinal));

        Assert.Equal(ModelFormatError.InvalidValue, e.Error);
        Assert.Equal("num_hidden_layers", e.Field);
    }

    [Fact]
    public void HugeNumber_IsInvalidValue()
    {
        // Beyond Int64: must not overflow into a small value.
        var e = Fails(ValidLlama.Replace("\"vocab_size\":49152", "\"vocab_size\":1e300", StringComparison.Ordinal));

        Assert.Equal(ModelFormatError.InvalidValue, e.Error);
        Assert.Equal("vocab_size", e.Field);
    }

    [Fact]
    public void StringWhereIntegerExpected_IsInvalidJson()
    {
        var e = Fails(ValidLlama.Replace("\"hidden_size\":576", "\"hidden_size\":\"576\"", StringComparison.Ordinal));

        Assert.Equal(ModelFormatError.InvalidJson, e.Error);
        Assert.Equal("hidden_size", e.Field);
    }

    [Fact]
    public void NumberWhereBoolExpected_IsInvalidJson()
    {
        var e = Fails(ValidLlama.Replace("\"tie_word_embeddings\":true", "\"tie_word_embeddings\":1", StringComparison.Ordinal));

        Assert.Equal(ModelFormatError.InvalidJson, e.Error);
        Assert.Equal("tie_word_embeddings", e.Field);
    }

    [Fact]
    public void NonStringModelType_IsInvalidJson()
    {
        Assert.Equal(ModelFormatError.InvalidJson, Fails("""{"model_type":7}""").Error);
    }

    [Theory]
    [InlineData("[1,2,3]")]   // an array
    [InlineData("\"llama\"")] // a string
    [InlineData("42")]        // a number
    public void NonObjectJson_IsInvalidJson(string json)
    {
        Assert.Equal(ModelFormatError.InvalidJson, Fails(json).Error);
    }

    [Theory]
    [InlineData("")]                          // empty
    [InlineData("{\"model_type\":\"llama\"")] // truncated
    [InlineData("model_type = llama")]        // not JSON
    [InlineData("{\"a\":1,}")]                // trailing comma
    public void NotJson_IsInvalidJson(string json)
    {
        Assert.Equal(ModelFormatError.InvalidJson, Fails(json).Error);
    }

    [Fact]
    public void DuplicateKey_IsInvalidJson()
    {
        // Two hidden_size keys: which one transformers would use is not obvious to a reader of the file.
        var e = Fails(ValidLlama.Replace("\"hidden_size\":576,", "\"hidden_size\":576,\"hidden_size\":1024,", StringComparison.Ordinal));

        Assert.Equal(ModelFormatError.InvalidJson, e.Error);
    }

    [Fact]
    public void NestingDeeperThanCap_IsInvalidJson()
    {
        string deep = "{\"model_type\":\"llama\",\"x\":" + new string('[', 100) + new string(']', 100) + "}";

        Assert.Equal(ModelFormatError.InvalidJson, Fails(deep).Error);
    }

    [Fact]
    public void HtmlPage_IsWrongFormat()
    {
        Assert.Equal(ModelFormatError.WrongFormat, Fails("<!DOCTYPE html><html>Not Found</html>").Error);
    }

    [Fact]
    public void LargerThanCap_IsHeaderTooLarge()
    {
        var options = new HfConfigReaderOptions { MaxConfigBytes = 64 };

        Assert.Equal(ModelFormatError.HeaderTooLarge, Fails(ValidLlama, options).Error);
    }

    [Fact]
    public void ReadFile_LargerThanCap_IsHeaderTooLarge_AndNamesFile()
    {
        string path = Path.Combine(Path.GetTempPath(), $"llmsize-hfconfig-{Guid.NewGuid():N}.json");
        System.IO.File.WriteAllText(path, ValidLlama);
        try
        {
            var e = Assert.Throws<ModelFormatException>(() =>
                HfConfigReader.Read(path, new HfConfigReaderOptions { MaxConfigBytes = 16 }));

            Assert.Equal(ModelFormatError.HeaderTooLarge, e.Error);
            Assert.Equal(path, e.FilePath);
        }
        finally
        {
            System.IO.File.Delete(path);
        }
    }

    [Fact]
    public void MixtralTopKAboveExperts_IsInvalidValue()
    {
        const string json = """
            {"model_type":"mixtral","vocab_size":32000,"hidden_size":4096,"intermediate_size":14336,
             "num_hidden_layers":32,"num_attention_heads":32,"num_key_value_heads":8,"num_local_experts":8,
             "num_experts_per_tok":9}
            """;

        Assert.Equal("num_experts_per_tok", Fails(json).Field);
    }

    [Fact]
    public void Gemma3WithoutTextConfig_IsMissingField()
    {
        Assert.Equal("text_config", Fails("""{"model_type":"gemma3"}""").Field);
    }

    [Fact]
    public void Gemma3TextConfigField_IsNamedWithItsPath()
    {
        const string json = """{"model_type":"gemma3","text_config":{"hidden_size":-1}}""";

        Assert.Equal("text_config.hidden_size", Fails(json).Field);
    }

    [Fact]
    public void UnknownModelType_IsNotSupported_ListingFamilies()
    {
        var e = Assert.Throws<NotSupportedException>(() =>
            HfConfigReader.Parse("""{"model_type":"mamba","hidden_size":768}""", File));

        Assert.Contains("mamba", e.Message, StringComparison.Ordinal);
        Assert.Contains("llama", e.Message, StringComparison.Ordinal);
        Assert.Contains("t5", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void NullJsonText_IsArgumentNull()
    {
        Assert.Throws<ArgumentNullException>(() => HfConfigReader.Parse((string)null!, File));
    }

    [Fact]
    public void MissingFile_IsFileNotFound()
    {
        Assert.Throws<FileNotFoundException>(() =>
            HfConfigReader.Read(Path.Combine(Path.GetTempPath(), $"absent-{Guid.NewGuid():N}.json")));
    }
}
