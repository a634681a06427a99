using LlmSize.Core.Sources;

namespace LlmSize.Core.Tests.Sources;

/// <summary>
/// Every name form of a remote model. URL shapes from huggingface_hub (<c>hf_hub_url</c>:
/// <c>{endpoint}/{repo_id}/resolve/{revision}/{filename}</c>; the web UI's <c>/tree/{rev}/{folder}</c> and
/// <c>/blob/{rev}/{path}</c>; pull-request revisions <c>refs/pr/N</c>); Ollama names from ollama's
/// <c>types/model/name.go</c> (<c>[host/][namespace/]model[:tag]</c>, namespace "library" and tag "latest" by default).
/// </summary>
public sealed class ModelLocationTests
{
    [Theory]
    [InlineData("hf:google/gemma-2b", "google/gemma-2b", null, null)]
    [InlineData("hf://google/gemma-2b", "google/gemma-2b", null, null)]
    [InlineData("hf:google/gemma-2b@v1.0", "google/gemma-2b", "v1.0", null)]
    [InlineData("hf:bartowski/Llama-3.2-1B-Instruct-GGUF/Llama-3.2-1B-Instruct-Q4_K_M.gguf", "bartowski/Llama-3.2-1B-Instruct-GGUF", null, "Llama-3.2-1B-Instruct-Q4_K_M.gguf")]
    [InlineData("hf:Xenova/phi-3-mini@main/onnx", "Xenova/phi-3-mini", "main", "onnx")]
    [InlineData("hf:org/model@refs/pr/12/sub/file.gguf", "org/model", "refs/pr/12", "sub/file.gguf")]
    [InlineData("hf:gpt2", "gpt2", null, null)]
    [InlineData("https://huggingface.co/mistralai/Mistral-7B-Instruct-v0.2", "mistralai/Mistral-7B-Instruct-v0.2", null, null)]
    [InlineData("https://huggingface.co/org/model/tree/main/onnx", "org/model", "main", "onnx")]
    [InlineData("https://huggingface.co/org/model/blob/main/model.safetensors", "org/model", "main", "model.safetensors")]
    [InlineData("https://huggingface.co/org/model/resolve/abc123/a/b.gguf?download=true", "org/model", "abc123", "a/b.gguf")]
    [InlineData("https://huggingface.co/org/model/blob/refs%2Fpr%2F3/x.gguf", "org/model", "refs/pr/3", "x.gguf")]
    [InlineData("https://hf.co/org/model", "org/model", null, null)]
    public void Hub_forms_name_repository_revision_and_path(string text, string repo, string? revision, string? path)
    {
        var l = ModelLocation.Parse(text);
        Assert.Equal(ModelLocationKind.Hub, l.Kind);
        Assert.True(l.Explicit);
        Assert.Equal(repo, l.Repository);
        Assert.Equal(revision, l.Revision);
        Assert.Equal(path, l.PathInRepository);
    }

    [Fact]
    public void Urls_on_the_configured_endpoint_are_hub_urls_and_others_are_files()
    {
        var mirror = ModelLocation.Parse("https://hf-mirror.example/org/model/resolve/main/m.gguf", "https://hf-mirror.example");
        Assert.Equal(ModelLocationKind.Hub, mirror.Kind);
        Assert.Equal("m.gguf", mirror.PathInRepository);
        var file = ModelLocation.Parse("https://example.com/models/m.gguf");
        Assert.Equal(ModelLocationKind.Url, file.Kind);
        Assert.Equal("https://example.com/models/m.gguf", file.Url!.ToString());
    }

    [Theory]
    [InlineData("ollama:llama3.2", "library", "llama3.2", "latest")]
    [InlineData("ollama:llama3.2:3b", "library", "llama3.2", "3b")]
    [InlineData("ollama:someone/model:q4_K_M", "someone", "model", "q4_K_M")]
    public void Ollama_forms_default_to_library_and_latest(string text, string ns, string model, string tag)
    {
        var l = ModelLocation.Parse(text);
        Assert.Equal(ModelLocationKind.Ollama, l.Kind);
        Assert.True(l.Explicit);
        Assert.Equal((ns, model, tag), (l.Namespace, l.Model, l.Revision));
    }

    [Theory]
    [InlineData("meta-llama/Llama-3.3-70B-Instruct", ModelLocationKind.Hub)]
    [InlineData("llama3.2:3b", ModelLocationKind.Ollama)]
    [InlineData("gemma-2b", ModelLocationKind.LocalOrCatalog)]
    [InlineData("models/model.gguf", ModelLocationKind.LocalOrCatalog)] // a path with a model extension is never a Hub id
    [InlineData("./model", ModelLocationKind.LocalOrCatalog)]
    [InlineData("C:/x/y", ModelLocationKind.LocalOrCatalog)]
    public void Plain_names_are_tried_after_local_paths_and_the_catalog(string text, ModelLocationKind kind)
    {
        var l = ModelLocation.Parse(text);
        Assert.Equal(kind, l.Kind);
        Assert.False(l.Explicit);
    }

    [Theory]
    [InlineData("hf:")]
    [InlineData("hf:org/../etc")]
    [InlineData("hf:org/model/../../x")]
    [InlineData("hf:org/model@")]
    [InlineData("https://huggingface.co/datasets/org/data")]
    [InlineData("https://huggingface.co/spaces/org/app")]
    [InlineData("https://huggingface.co/org/model/commits/main")]
    [InlineData("ollama:Bad Name")]
    public void Malformed_scheme_forms_are_input_errors(string text)
    {
        var e = Assert.ThrowsAny<InputException>(() => ModelLocation.Parse(text));
        Assert.Contains(text.Trim(), e.Message);
    }
}
