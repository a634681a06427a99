using System.Text.Json;
using LlmSize.Core.Compression;
using LlmSize.Core.Formats.Safetensors;
using LlmSize.Core.Precision;
using Spectre.Console.Testing;

namespace LlmSize.Cli.Tests.Commands;

public sealed class CompressionCommandsTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "llmsize-cli-" + Guid.NewGuid().ToString("N"));

    public CompressionCommandsTests() => Directory.CreateDirectory(_dir);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static (int Code, string Output) Run(params string[] args)
    {
        var console = new TestConsole();
        console.Profile.Width = 250;
        int code = LlmSizeApp.Create(console).Run(args);
        return (code, console.Output);
    }

    private string WriteModel()
    {
        string path = Path.Combine(_dir, "m.safetensors");
        var rng = new Random(5);
        var values = Enumerable.Range(0, 64).Select(_ => (float)(rng.NextDouble() - 0.5)).ToArray();
        var specs = new[] { new SafetensorsTensorSpec("model.layers.0.mlp.up_proj.weight", TensorDataType.F32, [8, 8]) };
        SafetensorsWriter.WriteFile(path, specs, (_, s) =>
        {
            byte[] raw = new byte[256];
            FloatTensorCodec.Encode(TensorDataType.F32, values, raw);
            s.Write(raw);
        });
        return path;
    }

    [Fact]
    public void Shrink_Json_RanksAFittingOptionFirst()
    {
        var (code, output) = Run("shrink", "gemma-2b", "--device", "galaxy-a15", "--json");
        Assert.Equal(0, code);
        using var doc = JsonDocument.Parse(output);
        Assert.Equal("llmsize.shrink/v1", doc.RootElement.GetProperty("schema").GetString());
        var first = doc.RootElement.GetProperty("options")[0];
        Assert.True(first.GetProperty("fits").GetBoolean());
        Assert.Equal(1, first.GetProperty("rank").GetInt32());
    }

    [Fact]
    public void Prune_BothMethods_IsAUsageError()
    {
        var (code, _) = Run("prune", "a.safetensors", "b.safetensors", "--sparsity", "0.5", "--pattern", "2:4");
        Assert.Equal(2, code);
    }

    [Fact]
    public void Prune_WritesTheFile_AndSaysDenseStorageDoesNotShrink()
    {
        string input = WriteModel(), output = Path.Combine(_dir, "p.safetensors");
        var (code, text) = Run("prune", input, output, "--sparsity", "0.5");
        Assert.Equal(0, code);
        Assert.True(File.Exists(output));
        Assert.Contains("dense storage does not shrink", text);
    }

    [Fact]
    public void Prune_ToAGgufName_IsAUsageError_AndWritesNothing()
    {
        string input = WriteModel(), output = Path.Combine(_dir, "p.gguf");
        var (code, text) = Run("prune", input, output, "--sparsity", "0.5");
        Assert.Equal(2, code);
        Assert.Contains("*.safetensors", text);
        Assert.False(File.Exists(output));
    }

    [Fact]
    public void Share_OnAMetadataOnlyGguf_SaysSo_AndKeepsTheWhatIf()
    {
        // ggml-vocab-llama-spm.gguf: LLaMA-7B metadata, 0 tensors (shared/README.md). Sharing every 2 of 32 layers keeps
        // 16 × 202,383,360 layer parameters + 262,148,096 embeddings/head/final norm = 3,500,281,856.
        var (code, text) = Run("share", CliRunner.Shared("fixtures", "gguf", "ggml-vocab-llama-spm.gguf"));
        Assert.Equal(0, code);
        Assert.Contains("no tensors (metadata only)", text);
        Assert.DoesNotContain("would save 0 B", text);
        Assert.Contains("3,500,281,856", text);
    }

    [Fact]
    public void Prune_OutputEqualsInput_IsOneLineError()
    {
        string input = WriteModel();
        var (code, text) = Run("prune", input, input, "--sparsity", "0.5", "--overwrite");
        Assert.Equal(1, code);
        Assert.Contains("refusing to overwrite", text);
        Assert.DoesNotContain("   at ", text);
    }

    [Fact]
    public void LoraSize_Gpt2_CAttn()
    {
        var (code, output) = Run("lora", "size", "gpt2", "--rank", "8", "--targets", "c_attn", "--json");
        Assert.Equal(0, code);
        using var doc = JsonDocument.Parse(output);
        Assert.Equal(294_912, doc.RootElement.GetProperty("adapterParameters").GetInt64()); // 12 × 8 × (768 + 2304)
    }

    [Fact]
    public void Distill_SaysNoTrainingIsDone()
    {
        var (code, output) = Run("distill", "llama-3.1-8b", "--target-params", "1B");
        Assert.Equal(0, code);
        Assert.Contains("no training", output);
    }

    [Fact]
    public void Share_ReportsTheFile()
    {
        var (code, output) = Run("share", WriteModel(), "--json");
        Assert.Equal(0, code);
        using var doc = JsonDocument.Parse(output);
        Assert.Equal(64, doc.RootElement.GetProperty("storedParameters").GetInt64());
    }

    [Fact]
    public void LoraMerge_TableOutput_ExitsZero()
    {
        // A GPT-2-shaped base for the shared adapter (c_attn [768, 2304] in 12 layers, Conv1D [in, out]); the table
        // output once crashed on an unescaped "[in, out]" in the fan_in_fan_out line.
        string basePath = Path.Combine(_dir, "gpt2.safetensors");
        var specs = Enumerable.Range(0, 12)
            .Select(l => new SafetensorsTensorSpec($"h.{l}.attn.c_attn.weight", TensorDataType.F32, [768, 2304])).ToArray();
        byte[] zeros = new byte[768 * 2304 * 4];
        SafetensorsWriter.WriteFile(basePath, specs, (_, st) => st.Write(zeros));
        string adapter = CliRunner.Shared("fixtures", "peft", "gpt2-lora-seqcls");
        string output = Path.Combine(_dir, "merged.safetensors");
        var (code, text) = Run("lora", "merge", basePath, Path.GetFullPath(adapter), output);
        Assert.Equal(0, code);
        Assert.Contains("merged 12 LoRA modules", text);
        Assert.Contains("(B·A)ᵀ added to [in, out] weights", text);
        Assert.True(File.Exists(output));
    }

    [Fact]
    public void Unknown_option_is_a_usage_error()
    {
        Assert.Equal(2, Run("shrink", "gemma-2b", "--device", "pixel-8", "--sparsity", "0.5").Code);
    }
}

public class DistillDeviceTests
{
    [Fact]
    public void A_teacher_that_already_fits_needs_no_distillation()
    {
        var console = new Spectre.Console.Testing.TestConsole().Width(250);
        // smollm2-135m at Q4_K_M is ~0.3 GiB (llmsize fit) against the Pixel 8's 5.2 GiB app budget (devices.json).
        int code = LlmSizeApp.Create(console).Run(["distill", "smollm2-135m", "--device", "pixel-8"]);
        Assert.Equal(0, code);
        Assert.Contains("no distillation is needed", console.Output);
    }
}

public class LoraTargetNamesTests
{
    [Fact]
    public void All_linear_lists_the_peft_names_that_targets_takes()
    {
        // Issue 17 item 6: `lora size config.json --targets all-linear` listed llama.cpp names (attn_q) where
        // --targets takes PEFT names (q_proj). LlamaForCausalLM's linears: q/k/v/o_proj, gate/up/down_proj
        // (transformers modeling_llama.py).
        var (code, output) = CliRunner.Run("lora", "size", CliRunner.Shared("fixtures", "configs", "llama-3.2-1b", "config.json"), "--targets", "all-linear");
        Assert.Equal(0, code);
        foreach (string name in new[] { "q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj" })
        {
            Assert.Contains(name, output);
        }

        Assert.DoesNotContain("attn_q", output);
        Assert.DoesNotContain("ffn_", output);

        // What all-linear listed is accepted back by --targets, with the same total: r = 16 (the default) × 704,512
        // (LoraPlannerTests.AllLinear_CoversAttentionAndGatedMlp derives 704,512 per unit rank) = 11,272,192.
        var (code2, listed) = CliRunner.Run("lora", "size", CliRunner.Shared("fixtures", "configs", "llama-3.2-1b", "config.json"), "--targets", "q_proj,k_proj,v_proj,o_proj,gate_proj,up_proj,down_proj");
        Assert.Equal(0, code2);
        Assert.Contains("adapter: 11,272,192 parameters", listed);
        Assert.Contains("adapter: 11,272,192 parameters", output);
    }
}
