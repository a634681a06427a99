using System.Collections.Immutable;
using LlmSize.Core.Formats.Peft;
using LlmSize.Core.Formats.PyTorch;
using LlmSize.Core.Models;
using LlmSize.Core.Precision;
using LlmSize.Core.Tests.Formats.PyTorch;
using LlmSize.Core.Tests.Infrastructure;

namespace LlmSize.Core.Tests.Formats.Peft;

/// <summary>Expected numbers for one shared adapter fixture; each value's arithmetic is in <see cref="Fixtures"/>.</summary>
public sealed record PeftFixtureExpectation(string Folder, string BaseModel, int Rank, double Alpha, string[] AdaptedModules,
    int TensorCount, int LoraModuleCount, long InFeatures, long OutFeatures, long LoraParameters, long SavedParameters,
    long TotalParameters, long TotalBytes, double Scaling, string[] SavedModules);

public sealed class PeftAdapterReaderTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("llmsize-peft-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    public static TheoryData<PeftFixtureExpectation> Fixtures => new()
    {
        // gpt2-lora-seqcls (shared/README.md; shapes read from its safetensors header):
        //   12 layers × c_attn: lora_A [8, 768] + lora_B [2304, 8] = 8 × (768 + 2304) = 24,576 → 12 × 24,576 = 294,912
        //   score.weight [6, 768] = 4,608 (SEQ_CLS head PEFT saves by itself although modules_to_save is null)
        //   total 294,912 + 4,608 = 299,520 = the README's figure; 25 tensors = 12 × 2 + 1; F32 → × 4 = 1,198,080 bytes
        //   (= the last data offset in the header); scaling = alpha / r = 8 / 8 = 1.
        new("gpt2-lora-seqcls", "gpt2", 8, 8, ["c_attn"], 25, 12, 768, 2304, 294_912, 4_608, 299_520, 1_198_080, 1.0, ["score"]),
        // distilbert-lora-imdb: 6 layers × {q_lin, v_lin}: lora_A [8, 768] + lora_B [768, 8] = 8 × (768 + 768) = 12,288
        //   → 12 × 12,288 = 147,456
        //   classifier.weight [2, 768] + classifier.bias [2] = 1,538; pre_classifier.weight [768, 768] + bias [768] = 590,592
        //   ("classifier" suffix-matches pre_classifier in PEFT's _set_trainable) → saved 592,130
        //   total 147,456 + 592,130 = 739,586 = the README's figure; 28 tensors = 24 + 4; × 4 bytes = 2,958,344 bytes;
        //   scaling = 16 / 8 = 2.
        new("distilbert-lora-imdb", "distilbert-base-uncased", 8, 16, ["q_lin", "v_lin"], 28, 12, 768, 768, 147_456, 592_130, 739_586, 2_958_344, 2.0,
            ["classifier", "pre_classifier"]),
    };

    [Theory]
    [MemberData(nameof(Fixtures))]
    public void RealAdapter(PeftFixtureExpectation e)
    {
        string folder = TestPaths.Fixture("peft", e.Folder);
        var adapter = PeftAdapterReader.Read(folder, p => Core.Formats.Safetensors.SafetensorsReader.Read(p).Tensors);

        Assert.Equal(e.BaseModel, adapter.BaseModel);
        Assert.Equal(e.Rank, adapter.Config.Rank);
        Assert.Equal(e.Alpha, adapter.Config.LoraAlpha);
        Assert.Equal(e.AdaptedModules, adapter.AdaptedModuleNames.ToArray());
        Assert.Equal(e.TensorCount, adapter.Tensors.Length);
        Assert.Equal(e.LoraModuleCount, adapter.LoraModules.Length);
        Assert.All(adapter.LoraModules, m =>
        {
            Assert.Equal(e.Rank, m.Rank);
            Assert.Equal(e.InFeatures, m.InFeatures);
            Assert.Equal(e.OutFeatures, m.OutFeatures);
            Assert.Equal(e.Scaling, m.Scaling);
            Assert.Equal(0, m.MagnitudeParameters);
        });
        Assert.Equal(e.LoraParameters, adapter.LoraParameters);
        Assert.Equal(e.SavedParameters, adapter.SavedModuleParameters);
        Assert.Equal(e.TotalParameters, adapter.TotalParameters);
        Assert.Equal(e.LoraParameters + e.SavedParameters, adapter.TotalParameters);
        Assert.Equal(e.TotalBytes, adapter.TotalBytes);
        Assert.Equal(e.SavedModules, adapter.SavedModules.Select(m => m.ModulePath).Order(StringComparer.Ordinal).ToArray());
        Assert.All(adapter.SavedModules, m => Assert.True(m.IsModuleToSave));
        Assert.Empty(adapter.Warnings);
        Assert.Equal(new FileInfo(Path.Combine(folder, "adapter_model.safetensors")).Length, adapter.WeightsFileBytes);
    }

    [Fact]
    public void Gpt2_ConfigDetailsAndStorageArgument()
    {
        var adapter = PeftAdapterReader.Read(TestPaths.Fixture("peft", "gpt2-lora-seqcls"), p => Core.Formats.Safetensors.SafetensorsReader.Read(p).Tensors);
        Assert.True(adapter.Config.FanInFanOut);
        Assert.Equal("SEQ_CLS", adapter.Config.TaskType);
        Assert.Equal(["c_attn"], adapter.Config.TargetModules.ToArray());
        Assert.Equal("transformer.h.0.attn.c_attn", adapter.LoraModules[0].ModulePath);

        // GPT-2 (124M): 124,439,808 parameters, shared/reference/published-parameter-counts.csv; fp32 file = × 4 bytes
        // = 497,759,232. Ratio 299,520 / 124,439,808 = 0.002407 (0.24 %).
        var cmp = adapter.CompareWithBase(124_439_808, 497_759_232, adapterCount: 10);
        Assert.Equal(299_520.0 / 124_439_808, cmp.ParameterRatio, 12);
        Assert.Equal(497_759_232 + 10L * 1_198_080, cmp.BasePlusAdaptersBytes);  // 509,740,032
        Assert.Equal(10L * 497_759_232, cmp.FullCopiesBytes);                   // 4,977,592,320
        Assert.Equal(4_977_592_320 - 509_740_032, cmp.SavedBytes);
        Assert.Throws<ArgumentOutOfRangeException>(() => adapter.CompareWithBase(0, 1, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => adapter.CompareWithBase(1, 1, 0));
    }

    // ------------------------------------------------------------ synthetic adapters (DoRA, rank_pattern, .bin)

    private static TensorInfo F32(string name, params long[] shape)
    {
        long n = shape.Aggregate(1L, (a, b) => a * b);
        return new TensorInfo(name, [.. shape], TensorDataType.F32, n * 4);
    }

    private string Folder(string configJson, bool weights = true)
    {
        string f = Directory.CreateDirectory(Path.Combine(_dir, "a" + Guid.NewGuid().ToString("N"))).FullName;
        File.WriteAllText(Path.Combine(f, "adapter_config.json"), configJson);
        if (weights) File.WriteAllBytes(Path.Combine(f, "adapter_model.safetensors"), [0]);
        return f;
    }

    [Fact]
    public void DoraRankPatternRsLora()
    {
        string folder = Folder("""
            {"peft_type": "LORA", "r": 8, "lora_alpha": 16, "use_dora": true, "use_rslora": true,
             "target_modules": ["q_proj", "v_proj"], "rank_pattern": {"layers.1.self_attn.q_proj": 4}}
            """);
        IReadOnlyList<TensorInfo> tensors =
        [
            F32("base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight", 8, 64),
            F32("base_model.model.model.layers.0.self_attn.q_proj.lora_B.weight", 64, 8),
            F32("base_model.model.model.layers.0.self_attn.q_proj.lora_magnitude_vector", 64),
            F32("base_model.model.model.layers.1.self_attn.q_proj.lora_A.weight", 4, 64),
            F32("base_model.model.model.layers.1.self_attn.q_proj.lora_B.weight", 64, 4),
            F32("base_model.model.model.layers.1.self_attn.q_proj.lora_magnitude_vector.weight", 64),
            F32("base_model.model.model.layers.0.self_attn.v_proj.lora_A.weight", 8, 64),
            F32("base_model.model.model.layers.0.self_attn.v_proj.lora_B.weight", 16, 8),
            F32("base_model.model.model.layers.0.self_attn.v_proj.lora_magnitude_vector", 16),
        ];
        var a = PeftAdapterReader.Read(folder, _ => tensors);

        Assert.Equal([8, 4, 8], a.LoraModules.Select(m => m.Rank).ToArray());
        // LoRA: 8×(64+64) + 4×(64+64) + 8×(64+16) = 1,024 + 512 + 640 = 2,176; DoRA magnitudes: 64 + 64 + 16 = 144
        Assert.Equal(2_176, a.LoraParameters);
        Assert.Equal(144, a.MagnitudeParameters);
        Assert.Equal(2_320, a.TotalParameters);
        // rsLoRA scaling alpha/√r: 16/√8 and 16/√4 = 8
        Assert.Equal(16 / Math.Sqrt(8), a.LoraModules[0].Scaling, 12);
        Assert.Equal(8.0, a.LoraModules[1].Scaling, 12);
        Assert.Empty(a.Warnings);
    }

    [Fact]
    public void AdapterModelBin_ReadThroughRestrictedPickleReader()
    {
        // An adapter_model.bin (torch.save of the PEFT state dict) holding one LoRA pair, written in torch's zip format.
        TorchTensorSpec[] spec =
        [
            new("base_model.model.fc.lora_A.weight", "FloatStorage", "0", 8 * 32, 0, [8, 32], [32, 1]),
            new("base_model.model.fc.lora_B.weight", "FloatStorage", "1", 16 * 8, 0, [16, 8], [8, 1]),
        ];
        string folder = Folder("""{"peft_type": "LORA", "r": 8, "lora_alpha": 8, "target_modules": ["fc"]}""", weights: false);
        File.WriteAllBytes(Path.Combine(folder, "adapter_model.bin"), TorchZipWriter.Write(TorchPickleWriter.StateDict(spec), spec));

        var a = PeftAdapterReader.Read(folder, PeftAdapterReader.ReadPyTorchTensors);
        Assert.EndsWith("adapter_model.bin", a.WeightsPath);
        Assert.Equal(8 * (32 + 16), a.LoraParameters); // r × (in + out) = 384
    }

    [Fact]
    public async Task ReadAsync_SameResult()
    {
        string folder = TestPaths.Fixture("peft", "distilbert-lora-imdb");
        var a = await PeftAdapterReader.ReadAsync(folder, (p, _) => Task.FromResult(Core.Formats.Safetensors.SafetensorsReader.Read(p).Tensors));
        Assert.Equal(739_586, a.TotalParameters); // see Fixtures
    }

    // ------------------------------------------------------------ bad inputs

    [Fact]
    public void MissingConfig_MissingFile()
    {
        string folder = Directory.CreateDirectory(Path.Combine(_dir, "empty")).FullName;
        var ex = Assert.Throws<ModelFormatException>(() => PeftAdapterReader.Read(folder, _ => []));
        Assert.Equal(ModelFormatError.MissingFile, ex.Error);
        Assert.Equal("adapter_config.json", ex.Field);
    }

    [Fact]
    public void MissingWeights_MissingFile()
    {
        string folder = Folder("""{"peft_type": "LORA", "r": 8}""", weights: false);
        Assert.Equal(ModelFormatError.MissingFile, Assert.Throws<ModelFormatException>(() => PeftAdapterReader.Read(folder, _ => [])).Error);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("-4")]
    public void RankNotPositive_InvalidValue(string r)
    {
        string folder = Folder($$"""{"peft_type": "LORA", "r": {{r}}, "target_modules": ["q"]}""");
        var ex = Assert.Throws<ModelFormatException>(() => PeftAdapterReader.Read(folder, _ => []));
        Assert.Equal(ModelFormatError.InvalidValue, ex.Error);
        Assert.Equal("r", ex.Field);
    }

    [Fact]
    public void NotJson_InvalidJson()
    {
        string folder = Folder("r = 8, this is not JSON");
        Assert.Equal(ModelFormatError.InvalidJson, Assert.Throws<ModelFormatException>(() => PeftAdapterReader.Read(folder, _ => [])).Error);
    }

    [Fact]
    public void WrongFieldType_InvalidJson()
    {
        string folder = Folder("""{"peft_type": "LORA", "r": "eight"}""");
        var ex = Assert.Throws<ModelFormatException>(() => PeftAdapterReader.Read(folder, _ => []));
        Assert.Equal(ModelFormatError.InvalidJson, ex.Error);
        Assert.Equal("r", ex.Field);
    }

    [Fact]
    public void OtherPeftMethod_NotSupported()
    {
        string folder = Folder("""{"peft_type": "IA3"}""");
        Assert.Throws<NotSupportedException>(() => PeftAdapterReader.Read(folder, _ => []));
    }

    [Fact]
    public void ShapeInconsistentWithR_ShapeSizeMismatch()
    {
        // config r = 8 but the tensors have rank 4
        string folder = Folder("""{"peft_type": "LORA", "r": 8, "target_modules": ["q"]}""");
        var ex = Assert.Throws<ModelFormatException>(() => PeftAdapterReader.Read(folder, _ =>
            [F32("base_model.model.q.lora_A.weight", 4, 16), F32("base_model.model.q.lora_B.weight", 16, 4)]));
        Assert.Equal(ModelFormatError.ShapeSizeMismatch, ex.Error);
        Assert.Equal("base_model.model.q.lora_A.weight", ex.Field);
    }

    [Fact]
    public void AAndBRanksDisagree_ShapeSizeMismatch()
    {
        string folder = Folder("""{"peft_type": "LORA", "r": 8, "target_modules": ["q"]}""");
        var ex = Assert.Throws<ModelFormatException>(() => PeftAdapterReader.Read(folder, _ =>
            [F32("base_model.model.q.lora_A.weight", 8, 16), F32("base_model.model.q.lora_B.weight", 16, 6)]));
        Assert.Equal(ModelFormatError.ShapeSizeMismatch, ex.Error);
    }

    [Fact]
    public void LoraAWithoutB_MissingField()
    {
        string folder = Folder("""{"peft_type": "LORA", "r": 8, "target_modules": ["q"]}""");
        var ex = Assert.Throws<ModelFormatException>(() => PeftAdapterReader.Read(folder, _ => [F32("base_model.model.q.lora_A.weight", 8, 16)]));
        Assert.Equal(ModelFormatError.MissingField, ex.Error);
    }

    [Fact]
    public void UntargetedModule_Warning()
    {
        string folder = Folder("""{"peft_type": "LORA", "r": 8, "target_modules": ["k"]}""");
        var a = PeftAdapterReader.Read(folder, _ => [F32("base_model.model.q.lora_A.weight", 8, 16), F32("base_model.model.q.lora_B.weight", 16, 8)]);
        Assert.Contains(a.Warnings, w => w.Contains("'q'"));
    }
}
