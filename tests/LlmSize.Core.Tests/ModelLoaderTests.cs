using LlmSize.Core.Models;
using LlmSize.Core.Tests.Infrastructure;

namespace LlmSize.Core.Tests;

public sealed class ModelLoaderTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "llmsize-loader-" + Guid.NewGuid().ToString("N"));

    public ModelLoaderTests() => Directory.CreateDirectory(_dir);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Transformers_js_folder_lists_each_dtype_with_its_exact_download()
    {
        // A Transformers.js layout: onnx/model.onnx (fp32) and onnx/model_fp16.onnx (fp16). The shared AlexNet graph
        // stands in for both files (3,968 bytes each, `ls -l` of the fixture); its weights are declared, not stored.
        string onnx = Path.Combine(_dir, "onnx");
        Directory.CreateDirectory(onnx);
        string source = TestPaths.Fixture("onnx", "light_bvlc_alexnet.onnx");
        File.Copy(source, Path.Combine(onnx, "model.onnx"));
        File.Copy(source, Path.Combine(onnx, "model_fp16.onnx"));
        // Transformers.js repositories carry config.json (any real one will do for the layout).
        File.Copy(TestPaths.Fixture("configs", "distilbert-base-uncased", "config.json"), Path.Combine(_dir, "config.json"));

        var inventory = ModelLoader.Load(_dir);

        Assert.Equal(ModelFileFormat.Onnx, inventory.Format);
        Assert.Equal(["fp32", "fp16"], inventory.Variants.Select(v => v.Name).ToArray());
        Assert.All(inventory.Variants, v => Assert.Equal(3968, v.DownloadBytes));
        // AlexNet: 60,965,224 parameters (ONNX reader tests, derived from the graph's ConstantOfShape shapes).
        Assert.Equal(60_965_224, inventory.CountTensors().Parameters);
    }

    [Fact]
    public void Weights_folder_takes_its_architecture_from_config_json_and_ignores_a_broken_one()
    {
        string folder = Path.Combine(_dir, "tiny");
        Directory.CreateDirectory(folder);
        File.Copy(TestPaths.Fixture("safetensors", "overall.safetensors"), Path.Combine(folder, "model.safetensors"));
        File.Copy(TestPaths.Fixture("configs", "smollm2-135m", "config.json"), Path.Combine(folder, "config.json"));

        var inventory = ModelLoader.Load(folder);
        Assert.Equal("tiny", inventory.ModelName); // generic file name → the folder's name
        Assert.Equal(576, inventory.Architecture!.HiddenSize);
        Assert.Equal(702, inventory.DownloadBytes); // overall.safetensors is 702 bytes

        File.WriteAllText(Path.Combine(folder, "config.json"), "{ not json");
        Assert.Null(ModelLoader.Load(folder).Architecture);
    }

    [Fact]
    public void Paths_that_do_not_exist_and_unknown_names_are_distinguished()
    {
        var missing = Assert.Throws<ModelNotFoundException>(() => ModelLoader.Load(Path.Combine(_dir, "nope.gguf")));
        Assert.Contains("no such file or folder", missing.Message);
        var unknown = Assert.Throws<ModelNotFoundException>(() => ModelLoader.Load("gemma-2bb"));
        Assert.Contains("did you mean", unknown.Message);
    }

    [Fact]
    public void Peft_folder_becomes_an_adapter_inventory()
    {
        var inventory = ModelLoader.Load(TestPaths.Fixture("peft", "distilbert-lora-imdb"));
        Assert.Equal(ModelFileFormat.PeftAdapter, inventory.Format);
        // shared/README.md: 28 tensors, 739,586 F32 parameters; r = 8, lora_alpha = 16.
        Assert.Equal(28, inventory.Tensors.Count);
        Assert.Equal(739_586, inventory.CountTensors().Parameters);
        Assert.Equal(8, inventory.Adapter!.Rank);
        Assert.Equal(16, inventory.Adapter.Alpha);
        Assert.Equal("distilbert-base-uncased", inventory.Adapter.BaseModel);
    }
}
