using LlmSize.Core.Formats.Gguf;

namespace LlmSize.Core.Tests.Formats.Gguf;

/// <summary>Issue 13, class 5: inconsistent GGUF architecture metadata fails as a format error of the file naming the
/// GGUF key, not as the architecture model's bare "HeadDim must be positive; got 0.".</summary>
public sealed class GgufArchitectureHostileTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "llmsize-ggufarch-" + Guid.NewGuid().ToString("N"));

    public GgufArchitectureHostileTests() => Directory.CreateDirectory(_dir);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>A tensor-less llama GGUF with the given embedding_length and head_count.</summary>
    private string Write(uint hidden, uint heads)
    {
        var w = new GgufTestWriter();
        w.Header(0, 6);
        w.KvString("general.architecture", "llama")   // family
            .KvU32("llama.block_count", 2)             // 2 blocks
            .KvU32("llama.embedding_length", hidden)   // the value under test
            .KvU32("llama.attention.head_count", heads)
            .KvU32("llama.feed_forward_length", 64)    // FF
            .KvU32("llama.vocab_size", 100);           // vocab
        w.PadTo(32);
        string path = Path.Combine(_dir, $"h{hidden}-n{heads}.gguf");
        File.WriteAllBytes(path, w.ToArray());
        return path;
    }

    [Fact]
    public void Issue13_head_count_zero_names_the_file_and_key()
    {
        string path = Write(hidden: 64, heads: 0);

        var e = Assert.Throws<ModelFormatException>(() => ModelLoader.Load(path));

        Assert.Equal(ModelFormatError.InvalidValue, e.Error);
        Assert.Equal(path, e.FilePath);
        Assert.Equal("llama.attention.head_count", e.Field);
    }

    [Fact]
    public void Issue13_embedding_length_one_names_the_key()
    {
        string path = Write(hidden: 1, heads: 32); // head dim 1 / 32 = 0

        var e = Assert.Throws<ModelFormatException>(() => ModelLoader.Load(path));

        Assert.Equal(ModelFormatError.InvalidValue, e.Error);
        Assert.Equal(path, e.FilePath);
        Assert.StartsWith("llama.", e.Field, StringComparison.Ordinal);
    }

    [Fact]
    public void Issue13_embedding_length_1e9_names_the_keys()
    {
        string path = Write(hidden: 1_000_000_000, heads: 32); // 8e18 parameters: sizes and times would overflow

        var e = Assert.Throws<ModelFormatException>(() => ModelLoader.Load(path));

        Assert.Equal(path, e.FilePath);
        Assert.Contains("llama.embedding_length", e.Field, StringComparison.Ordinal);
        Assert.Contains("2^50", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Absent_feed_forward_length_is_a_warning_not_an_error()
    {
        var w = new GgufTestWriter();
        w.Header(0, 5);
        w.KvString("general.architecture", "llama").KvU32("llama.block_count", 1).KvU32("llama.embedding_length", 8)
            .KvU32("llama.attention.head_count", 2).KvU32("llama.vocab_size", 10);
        w.PadTo(32);
        string path = Path.Combine(_dir, "noff.gguf");
        File.WriteAllBytes(path, w.ToArray());

        var inventory = ModelLoader.Load(path);

        Assert.Null(inventory.Architecture);
        Assert.Contains(inventory.Warnings, x => x.Contains("llama.feed_forward_length", StringComparison.Ordinal));
    }
}

/// <summary>Crashes the issue-13 fuzz campaign found, as regression tests (inputs built in code).</summary>
public sealed class GgufFuzzRegressionTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "llmsize-ggufreg-" + Guid.NewGuid().ToString("N"));

    public GgufFuzzRegressionTests() => Directory.CreateDirectory(_dir);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Issue13_fuzz_architecture_larger_than_its_tensors_still_sizes_the_download()
    {
        // Found by the fuzz seed itself: llama metadata (hidden 8, 1 block, vocab 4) but only token_embd.weight
        // [4, 8] = 32 parameters; the architecture's 32 embedding + 24 norm parameters exceed the tensor total and
        // the download estimate threw ArgumentOutOfRangeException.
        var w = new GgufTestWriter();
        w.Header(1, 6);
        w.KvString("general.architecture", "llama").KvU32("llama.block_count", 1).KvU32("llama.embedding_length", 8)
            .KvU32("llama.attention.head_count", 2).KvU32("llama.feed_forward_length", 16).KvU32("llama.vocab_size", 4);
        w.Tensor("token_embd.weight", [8, 4], 0, 0); // F32, ne [8, 4]
        w.PadTo(32).Zeros(128);
        string path = Path.Combine(_dir, "tiny.gguf");
        File.WriteAllBytes(path, w.ToArray());

        var report = LlmSize.Core.Models.ModelSizeReport.Create(ModelLoader.Load(path));

        Assert.Equal(32, report.Parameters);
        Assert.NotEmpty(report.DownloadByPrecision);
    }
}
