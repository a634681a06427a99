using System.Buffers.Binary;
using System.Text.Json;
using LlmSize.Core.Compression.Lora;
using LlmSize.Core.Formats.Safetensors;
using LlmSize.Core.Precision;
using LlmSize.Core.Tests.Infrastructure;

namespace LlmSize.Core.Tests.Compression.Lora;

public class LoraMergerTests
{
    // The shared adapter: PEFT LoRA on GPT-2 for SEQ_CLS, target c_attn in 12 layers, r = 8, lora_alpha = 8,
    // fan_in_fan_out = true (GPT-2 Conv1D stores W as [in, out] = [768, 2304]); modules_to_save adds "score" (6 labels).
    private static readonly string Adapter = TestPaths.Fixture("peft", "gpt2-lora-seqcls");
    private const int In = 768, Out = 2304, Rank = 8, Layers = 12;

    /// <summary>A GPT-2-shaped base with the real model.safetensors names (no "transformer." prefix) and fixed-seed weights.</summary>
    private static void WriteBase(string path, int outFeaturesOfLayer0 = Out)
    {
        var tensors = new List<TestTensor> { new("wte.weight", TensorDataType.F32, [4, In], CompressionTestFiles.Random(4 * In, 100)) };
        for (int l = 0; l < Layers; l++)
        {
            int o = l == 0 ? outFeaturesOfLayer0 : Out;
            tensors.Add(new($"h.{l}.attn.c_attn.weight", TensorDataType.F32, [In, o], CompressionTestFiles.Random(In * o, 200 + l)));
            tensors.Add(new($"h.{l}.attn.c_attn.bias", TensorDataType.F32, [o], CompressionTestFiles.Random(o, 300 + l)));
        }

        CompressionTestFiles.Write(path, [.. tensors]);
    }

    /// <summary>Reads a tensor of the adapter file with an independent minimal parser (8-byte length, JSON, F32 data).</summary>
    private static float[] AdapterTensor(string name)
    {
        byte[] file = File.ReadAllBytes(Path.Combine(Adapter, "adapter_model.safetensors"));
        long n = BinaryPrimitives.ReadInt64LittleEndian(file);
        using var doc = JsonDocument.Parse(file.AsMemory(8, (int)n));
        var offsets = doc.RootElement.GetProperty(name).GetProperty("data_offsets");
        long begin = offsets[0].GetInt64(), end = offsets[1].GetInt64();
        var v = new float[(end - begin) / 4];
        for (int i = 0; i < v.Length; i++) v[i] = BinaryPrimitives.ReadSingleLittleEndian(file.AsSpan((int)(8 + n + begin + i * 4)));
        return v;
    }

    [Fact]
    public void Gpt2Adapter_MergedEqualsBasePlusScaledTransposedProduct()
    {
        using var dir = new TempFolder();
        string basePath = dir.File("base.safetensors"), output = dir.File("merged.safetensors");
        WriteBase(basePath);
        var report = LoraMerger.Merge(basePath, Adapter, output);

        Assert.Equal(Layers, report.Modules.Length);
        Assert.All(report.Modules, m => Assert.True(m.Transposed));
        Assert.All(report.Modules, m => Assert.Equal(1.0, m.Scaling)); // lora_alpha / r = 8 / 8
        Assert.Equal(["score.weight"], report.AddedTensors.ToArray());            // the base GPT-2 has no classification head

        foreach (var (layer, i, o) in new[] { (0, 0, 0), (5, 767, 2303), (11, 100, 1500), (3, 384, 42) })
        {
            float[] a = AdapterTensor($"base_model.model.transformer.h.{layer}.attn.c_attn.lora_A.weight"); // [8, 768]
            float[] b = AdapterTensor($"base_model.model.transformer.h.{layer}.attn.c_attn.lora_B.weight"); // [2304, 8]
            double delta = 0;
            for (int k = 0; k < Rank; k++) delta += (double)b[o * Rank + k] * a[k * In + i];   // (B·A)[o, i]
            float baseValue = CompressionTestFiles.Read(basePath, $"h.{layer}.attn.c_attn.weight")[i * Out + o];
            float merged = CompressionTestFiles.Read(output, $"h.{layer}.attn.c_attn.weight")[i * Out + o]; // W is [in, out]: W'[i, o] = W[i, o] + (B·A)ᵀ[i, o]
            Assert.Equal(baseValue + 1.0 * delta, merged, 1e-5);
        }

        // Biases and the embedding are not adapted: byte-identical.
        Assert.Equal(CompressionTestFiles.ReadRaw(basePath, "h.7.attn.c_attn.bias"), CompressionTestFiles.ReadRaw(output, "h.7.attn.c_attn.bias"));
        Assert.Equal(CompressionTestFiles.ReadRaw(basePath, "wte.weight"), CompressionTestFiles.ReadRaw(output, "wte.weight"));
        Assert.Equal(AdapterTensor("base_model.model.score.weight"), CompressionTestFiles.Read(output, "score.weight"));
    }

    [Fact]
    public void RsLora_ScalesByAlphaOverSqrtR()
    {
        using var dir = new TempFolder();
        string adapter = Path.Combine(dir.Path, "adapter");
        Directory.CreateDirectory(adapter);
        File.Copy(Path.Combine(Adapter, "adapter_model.safetensors"), Path.Combine(adapter, "adapter_model.safetensors"));
        string config = File.ReadAllText(Path.Combine(Adapter, "adapter_config.json"))
            .Replace("\"use_rslora\": false", "\"use_rslora\": true", StringComparison.Ordinal)
            .Replace("\"lora_alpha\": 8", "\"lora_alpha\": 16", StringComparison.Ordinal);
        File.WriteAllText(Path.Combine(adapter, "adapter_config.json"), config);
        string basePath = dir.File("base.safetensors"), output = dir.File("merged.safetensors");
        WriteBase(basePath);
        var report = LoraMerger.Merge(basePath, adapter, output);
        double scaling = 16 / Math.Sqrt(8);                 // rsLoRA: alpha / √r (Kalajdzievski 2023; peft update_layer)
        Assert.All(report.Modules, m => Assert.Equal(scaling, m.Scaling, 12));
        float[] a = AdapterTensor("base_model.model.transformer.h.2.attn.c_attn.lora_A.weight");
        float[] b = AdapterTensor("base_model.model.transformer.h.2.attn.c_attn.lora_B.weight");
        double delta = 0;
        for (int k = 0; k < Rank; k++) delta += (double)b[9 * Rank + k] * a[k * In + 10];
        float merged = CompressionTestFiles.Read(output, "h.2.attn.c_attn.weight")[10 * Out + 9];
        float baseValue = CompressionTestFiles.Read(basePath, "h.2.attn.c_attn.weight")[10 * Out + 9];
        Assert.Equal(baseValue + scaling * delta, merged, 1e-5);
    }

    [Fact]
    public void AlphaPattern_ChangesTheScalingOfTheMatchedModuleOnly()
    {
        using var dir = new TempFolder();
        string adapter = Path.Combine(dir.Path, "adapter");
        Directory.CreateDirectory(adapter);
        File.Copy(Path.Combine(Adapter, "adapter_model.safetensors"), Path.Combine(adapter, "adapter_model.safetensors"));
        string config = File.ReadAllText(Path.Combine(Adapter, "adapter_config.json"))
            .Replace("\"alpha_pattern\": {}", "\"alpha_pattern\": {\"h.3.attn.c_attn\": 16}", StringComparison.Ordinal);
        File.WriteAllText(Path.Combine(adapter, "adapter_config.json"), config);
        string basePath = dir.File("base.safetensors");
        WriteBase(basePath);
        var report = LoraMerger.Merge(basePath, adapter, dir.File("merged.safetensors"));
        // alpha_pattern: module h.3 has alpha 16 → 16 / 8 = 2; the others keep lora_alpha / r = 8 / 8 = 1.
        Assert.Equal(2.0, report.Modules.Single(m => m.ModulePath == "transformer.h.3.attn.c_attn").Scaling);
        Assert.All(report.Modules.Where(m => m.ModulePath != "transformer.h.3.attn.c_attn"), m => Assert.Equal(1.0, m.Scaling));
    }

    [Fact]
    public void MismatchedBase_IsAShapeError_AndNoOutput()
    {
        using var dir = new TempFolder();
        string basePath = dir.File("base.safetensors"), output = dir.File("merged.safetensors");
        WriteBase(basePath, outFeaturesOfLayer0: 2000);
        var e = Assert.Throws<ModelFormatException>(() => LoraMerger.Merge(basePath, Adapter, output));
        Assert.Equal(ModelFormatError.ShapeSizeMismatch, e.Error);
        Assert.Contains("[768, 2304]", e.Message);
        Assert.False(File.Exists(output));
    }

    [Fact]
    public void BaseWithoutTheAdaptedModules_IsAMissingFieldError()
    {
        using var dir = new TempFolder();
        string basePath = dir.File("base.safetensors");
        CompressionTestFiles.Write(basePath, new TestTensor("wte.weight", TensorDataType.F32, [2, 4], new float[8]));
        var e = Assert.Throws<ModelFormatException>(() => LoraMerger.Merge(basePath, Adapter, dir.File("out.safetensors")));
        Assert.Equal(ModelFormatError.MissingField, e.Error);
    }

    [Fact]
    public void NaNInTheAdapter_IsReported()
    {
        using var dir = new TempFolder();
        string adapter = Path.Combine(dir.Path, "adapter");
        Directory.CreateDirectory(adapter);
        File.Copy(Path.Combine(Adapter, "adapter_config.json"), Path.Combine(adapter, "adapter_config.json"));
        byte[] weights = File.ReadAllBytes(Path.Combine(Adapter, "adapter_model.safetensors"));
        long n = BinaryPrimitives.ReadInt64LittleEndian(weights);
        using (var doc = JsonDocument.Parse(weights.AsMemory(8, (int)n)))
        {
            long begin = doc.RootElement.GetProperty("base_model.model.transformer.h.0.attn.c_attn.lora_A.weight").GetProperty("data_offsets")[0].GetInt64();
            BinaryPrimitives.WriteSingleLittleEndian(weights.AsSpan((int)(8 + n + begin + 4 * 3)), float.NaN); // element 3 of h.0 lora_A
        }

        File.WriteAllBytes(Path.Combine(adapter, "adapter_model.safetensors"), weights);
        string basePath = dir.File("base.safetensors"), output = dir.File("merged.safetensors");
        WriteBase(basePath);
        var e = Assert.Throws<ModelFormatException>(() => LoraMerger.Merge(basePath, adapter, output));
        Assert.Equal(ModelFormatError.InvalidValue, e.Error);
        Assert.Contains("element 3", e.Message);
        Assert.False(File.Exists(output));
        Assert.Single(Directory.GetFiles(dir.Path)); // only the base: no partial output or temp file
    }

    [Fact]
    public void AddDelta_HandComputed()
    {
        // A = [[1, 2, 3]] (r = 1, in = 3), B = [[2], [-1]] (out = 2), scaling 0.5:
        // scaling·B·A = 0.5 × [[2, 4, 6], [-1, -2, -3]] = [[1, 2, 3], [-0.5, -1, -1.5]].
        float[] a = [1, 2, 3], b = [2, -1];
        var w = new float[6];
        LoraMerger.AddDelta(w, a, b, 1, 3, 2, 0.5, transposed: false);
        Assert.Equal([1f, 2f, 3f, -0.5f, -1f, -1.5f], w);
        var wt = new float[6];                               // [in = 3, out = 2]: the transpose
        LoraMerger.AddDelta(wt, a, b, 1, 3, 2, 0.5, transposed: true);
        Assert.Equal([1f, -0.5f, 2f, -1f, 3f, -1.5f], wt);
    }
}
