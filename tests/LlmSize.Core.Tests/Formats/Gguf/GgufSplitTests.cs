using LlmSize.Core.Formats.Gguf;

namespace LlmSize.Core.Tests.Formats.Gguf;

/// <summary>Split models as llama.cpp's gguf-split writes them: <c>split.no</c> (UINT16, 0-based), <c>split.count</c>
/// (UINT16), <c>split.tensors.count</c> (INT32, tensors over all parts); names <c>{prefix}-%05d-of-%05d.gguf</c>.</summary>
public sealed class GgufSplitTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("llmsize-gguf-split-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static byte[] Part(int no, int count, int totalTensors, string tensor, bool withArchitecture)
    {
        var w = new GgufTestWriter();
        w.Header(1, withArchitecture ? 4UL : 3UL);                                      // 1 tensor per part
        if (withArchitecture) w.KvString("general.architecture", "llama");               // metadata in part 1 only
        w.Str("split.no").Type(GgufValueType.UInt16).U16((ushort)no)                     // split.no
            .Str("split.count").Type(GgufValueType.UInt16).U16((ushort)count)            // split.count
            .Str("split.tensors.count").Type(GgufValueType.Int32).U32((uint)totalTensors) // split.tensors.count
            .Tensor(tensor, [8], 0, 0)                                                   // F32 [8] at 0
            .PadTo(32).Zeros(32);                                                        // padding, 32 data bytes
        return w.ToArray();
    }

    private string Write(string name, byte[] bytes)
    {
        string path = Path.Combine(_dir, name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    [Fact]
    public async Task Reads_and_combines_every_part()
    {
        string first = Write("m-00001-of-00002.gguf", Part(0, 2, 2, "a", withArchitecture: true));
        string second = Write("m-00002-of-00002.gguf", Part(1, 2, 2, "b", withArchitecture: false));

        foreach (GgufFile file in new[] { GgufReader.ReadSplit(first), await GgufReader.ReadSplitAsync(first) })
        {
            Assert.Equal("llama", file.Architecture);
            Assert.Equal(2, file.Parts.Count);
            Assert.Equal(["a", "b"], file.Tensors.Select(t => t.Name));
            Assert.Equal([first, second], file.Tensors.Select(t => t.FilePath));
            Assert.Equal(new FileInfo(first).Length + new FileInfo(second).Length, file.FileLength);
        }
    }

    [Fact]
    public void Missing_part_is_MissingFile()
    {
        string first = Write("m-00001-of-00003.gguf", Part(0, 3, 3, "a", true));
        Write("m-00002-of-00003.gguf", Part(1, 3, 3, "b", false));
        ModelFormatException e = Assert.Throws<ModelFormatException>(() => GgufReader.ReadSplit(first));
        Assert.Equal(ModelFormatError.MissingFile, e.Error);
        Assert.EndsWith("m-00003-of-00003.gguf", e.FilePath);
    }

    [Fact]
    public void Tensor_count_disagreement_is_InvalidValue()
    {
        string first = Write("m-00001-of-00002.gguf", Part(0, 2, 3, "a", true));
        Write("m-00002-of-00002.gguf", Part(1, 2, 3, "b", false)); // both say 3 tensors, the parts hold 2
        ModelFormatException e = Assert.Throws<ModelFormatException>(() => GgufReader.ReadSplit(first));
        Assert.Equal(ModelFormatError.InvalidValue, e.Error);
        Assert.Equal(GgufConstants.SplitTensorsCountKey, e.Field);
    }

    [Fact]
    public void Split_no_disagreeing_with_the_name_is_InvalidValue()
    {
        string first = Write("m-00001-of-00002.gguf", Part(0, 2, 2, "a", true));
        Write("m-00002-of-00002.gguf", Part(0, 2, 2, "b", false)); // says it is part index 0
        Assert.Equal(ModelFormatError.InvalidValue, Assert.Throws<ModelFormatException>(() => GgufReader.ReadSplit(first)).Error);
    }

    [Fact]
    public void Same_tensor_in_two_parts_is_DuplicateKey()
    {
        string first = Write("m-00001-of-00002.gguf", Part(0, 2, 2, "a", true));
        Write("m-00002-of-00002.gguf", Part(1, 2, 2, "a", false));
        Assert.Equal(ModelFormatError.DuplicateKey, Assert.Throws<ModelFormatException>(() => GgufReader.ReadSplit(first)).Error);
    }

    [Fact]
    public void Renamed_part_is_MissingFile()
    {
        string renamed = Write("model.gguf", Part(0, 2, 2, "a", true)); // declares 2 parts, but its name gives no siblings
        Assert.Equal(ModelFormatError.MissingFile, Assert.Throws<ModelFormatException>(() => GgufReader.ReadSplit(renamed)).Error);
    }

    [Fact]
    public void Unsplit_file_reads_as_itself()
    {
        string path = Write("single.gguf", GgufReaderBuiltFileTests.Small().ToArray());
        GgufFile file = GgufReader.ReadSplit(path);
        Assert.Empty(file.Parts);
        Assert.Equal(2, file.Tensors.Count);
    }

    [Theory]
    [InlineData("/x/model-00002-of-00005.gguf", true, "/x/model", 2, 5)]
    [InlineData("a-b-00001-of-00001.gguf", true, "a-b", 1, 1)]
    [InlineData("model-00006-of-00005.gguf", false, "", 0, 0)]  // part > count
    [InlineData("model-0001-of-0002.gguf", false, "", 0, 0)]    // 4 digits: not llama.cpp's %05d
    [InlineData("model.gguf", false, "", 0, 0)]
    public void Split_names(string path, bool ok, string prefix, int part, int count)
    {
        Assert.Equal(ok, GgufSplitName.TryParse(path, out string p, out int n, out int c));
        Assert.Equal((prefix, part, count), (p, n, c));
        if (ok) Assert.Equal(path, GgufSplitName.GetPartPath(p, n, c));
    }
}
