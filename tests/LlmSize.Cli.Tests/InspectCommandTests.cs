using System.Text.Json;

namespace LlmSize.Cli.Tests;

public class InspectCommandTests
{
    [Fact]
    public void Gemma_2b_config_prints_exact_count_and_size_class()
    {
        var (code, output) = CliRunner.Run("inspect", CliRunner.Shared("fixtures", "configs", "gemma-2b", "config.json"));
        Assert.Equal(0, code);
        // shared/reference/published-parameter-counts.csv: gemma-2b 2,506,172,416 (keras-hub gemma_2b_en).
        Assert.Contains("2,506,172,416", output);
        Assert.Contains("2B class", output);
    }

    [Fact]
    public void Gguf_without_tensors_counts_from_its_hyper_parameters()
    {
        var (code, output) = CliRunner.Run("inspect", CliRunner.Shared("fixtures", "gguf", "ggml-vocab-llama-spm.gguf"));
        Assert.Equal(0, code);
        // LLaMA-7B shapes: the same count as llama-2-7b's config.json (published-parameter-counts.csv: 6,738,415,616).
        Assert.Contains("6,738,415,616", output);
        Assert.Contains("7B class", output);
        // Exact download: the file's length (723,869 bytes, ls -l of the shared fixture).
        Assert.Contains("723,869 bytes", output);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_lora_adapter_reads_the_same_as_a_folder_and_as_its_safetensors(bool file)
    {
        // Issue 17 item 6: the folder said "small language model" (a 300K class), the file "not a language model",
        // and the precision table was all "0.00 GB". gpt2-lora-seqcls: 299,520 parameters (../shared/README.md);
        // fp32 1,198,080 bytes = 1.20 MB = 1.14 MiB (1,198,080 / 2^20).
        string path = file ? CliRunner.Shared("fixtures", "peft", "gpt2-lora-seqcls", "adapter_model.safetensors")
            : CliRunner.Shared("fixtures", "peft", "gpt2-lora-seqcls");
        var (code, output) = CliRunner.Run("inspect", path);
        Assert.Equal(0, code);
        Assert.Contains("299,520", output);
        Assert.Contains("an adapter (LoRA low-rank weights applied to a base model)", output);
        Assert.DoesNotMatch(@"(?m)^size class", output);
        Assert.DoesNotContain("300K class", output);
        Assert.DoesNotContain("0.00 GB", output);
        Assert.Matches(@"fp32\s*│\s*32\s*│\s*1,198,080\s*│\s*1\.20\s*│\s*1\.14", output);

        var (_, json) = CliRunner.Run("inspect", path, "--json");
        using var doc = JsonDocument.Parse(json);
        var p = doc.RootElement.GetProperty("parameters");
        Assert.Equal(JsonValueKind.Null, p.GetProperty("sizeClass").ValueKind);
        Assert.Equal("Adapter", p.GetProperty("llmScale").GetString());
    }

    [Fact]
    public void Json_output_is_offline_and_follows_the_schema()
    {
        var (code, output) = CliRunner.Run("inspect", "gemma-2b", "--json");
        Assert.Equal(0, code);
        using var doc = JsonDocument.Parse(output);
        var root = doc.RootElement;
        Assert.Equal("llmsize.inspect/v1", root.GetProperty("schema").GetString());
        Assert.Equal(2_506_172_416, root.GetProperty("parameters").GetProperty("total").GetInt64());
        Assert.Equal("2B", root.GetProperty("parameters").GetProperty("sizeClass").GetString());
        Assert.Equal(18, root.GetProperty("architecture").GetProperty("layers").GetInt32());
        Assert.True(root.GetProperty("downloadByPrecision").GetArrayLength() > 10);
    }

    [Fact]
    public void Tensor_file_reports_buffers_dtypes_and_exact_download()
    {
        var (code, output) = CliRunner.Run("inspect", CliRunner.Shared("fixtures", "gguf", "llama-2-tiny-random.gguf"), "--json", "--tensors");
        Assert.Equal(0, code);
        using var doc = JsonDocument.Parse(output);
        var root = doc.RootElement;
        // shared/README.md: 12 tensors, 513,048 parameters; file length 1,750,560 bytes.
        Assert.Equal(513_048, root.GetProperty("parameters").GetProperty("total").GetInt64());
        Assert.Equal("Tensors", root.GetProperty("parameters").GetProperty("source").GetString());
        Assert.Equal(12, root.GetProperty("tensors").GetArrayLength());
        Assert.Equal(1_750_560, root.GetProperty("download").GetProperty("bytes").GetInt64());
    }

    [Fact]
    public void Undisclosed_model_answers_honestly()
    {
        var (code, output) = CliRunner.Run("inspect", "gemini-1.5-pro");
        Assert.Equal(0, code);
        Assert.Contains("not disclosed", output);
    }

    [Fact]
    public void Unknown_model_is_bad_input_with_suggestions()
    {
        var (code, output) = CliRunner.Run("inspect", "gemma-2bb");
        Assert.Equal(1, code);
        Assert.Contains("did you mean", output);
        Assert.Contains("gemma-2b", output);
        Assert.DoesNotContain("   at ", output); // no stack trace
    }

    [Fact]
    public void Missing_argument_is_a_usage_error()
    {
        var (code, _) = CliRunner.Run("inspect");
        Assert.Equal(2, code);
        Assert.Equal(2, CliRunner.Run("no-such-command").ExitCode);
    }

    [Fact]
    public void Truncated_file_names_the_file_and_offset()
    {
        string path = Path.Combine(Path.GetTempPath(), $"llmsize-cli-{Guid.NewGuid():N}.gguf");
        var bytes = File.ReadAllBytes(CliRunner.Shared("fixtures", "gguf", "llama-2-tiny-random.gguf"));
        File.WriteAllBytes(path, bytes[..1000]); // cut inside the metadata
        try
        {
            var (code, output) = CliRunner.Run("inspect", path);
            Assert.Equal(1, code);
            Assert.Contains(Path.GetFileName(path), output);
            Assert.Contains("byte offset", output);
            Assert.DoesNotContain("   at ", output);
        }
        finally
        {
            File.Delete(path);
        }
    }
}

public class ModelsCommandTests
{
    [Fact]
    public void Catalog_lists_every_model_with_its_count()
    {
        var (code, output) = CliRunner.Run("models", "--json");
        Assert.Equal(0, code);
        using var doc = System.Text.Json.JsonDocument.Parse(output);
        var gemma = doc.RootElement.EnumerateArray().Single(e => e.GetProperty("id").GetString() == "gemma-2b");
        Assert.Equal(2_506_172_416, gemma.GetProperty("parameters").GetInt64()); // published-parameter-counts.csv
        Assert.Contains(doc.RootElement.EnumerateArray(), e => !e.GetProperty("disclosed").GetBoolean());
    }
}
