using LlmSize.Core;
using LlmSize.Core.Formats.Safetensors;
using LlmSize.Core.Precision;
using LlmSize.Core.Tests.Compression;

namespace LlmSize.Core.Tests.Formats.Safetensors;

public class SafetensorsWriterTests
{
    [Fact]
    public void WrittenFile_IsReadBackByTheReader_WithAlignedDataAndExactValues()
    {
        using var dir = new TempFolder();
        string path = dir.File("m.safetensors");
        float[] a = [1.5f, -2.25f, 0f, 3f, 65504f, -0.5f];      // exactly representable in F16 and BF16 too
        float[] b = [0.25f, -8f, 1f, 2f];
        float[] c = [-1f, 0.5f];
        CompressionTestFiles.Write(path,
            new TestTensor("a", TensorDataType.F32, [2, 3], a),
            new TestTensor("b", TensorDataType.F16, [4], b),
            new TestTensor("c", TensorDataType.BF16, [1, 2], c));

        var file = SafetensorsReader.Read(path);
        Assert.Equal(["a", "b", "c"], file.Tensors.Select(t => t.Name));
        Assert.Equal([2L, 3L], file.Tensors[0].Shape.ToArray());
        Assert.Equal(TensorDataType.F16, file.Tensors[1].DataType);
        // Data section starts at a multiple of 8 (safetensors README: header padded with spaces to 8-byte alignment).
        Assert.Equal(0, file.DataSectionOffset % 8);
        // 6 × 4 + 4 × 2 + 2 × 2 = 36 bytes of data; the file is header + data, nothing else.
        Assert.Equal(36, file.DataSectionLength);
        Assert.Equal(new FileInfo(path).Length, file.FileLength);
        Assert.Equal(a, CompressionTestFiles.Read(path, "a"));
        Assert.Equal(b, CompressionTestFiles.Read(path, "b"));
        Assert.Equal(c, CompressionTestFiles.Read(path, "c"));
        Assert.Equal("pt", file.Metadata["format"]);
    }

    [Fact]
    public void CallbackWritingTheWrongLength_Throws_AndLeavesNoFile()
    {
        using var dir = new TempFolder();
        string path = dir.File("bad.safetensors");
        var specs = new[] { new SafetensorsTensorSpec("x", TensorDataType.F32, [4]) }; // 16 bytes expected
        Assert.Throws<InvalidOperationException>(() => SafetensorsWriter.WriteFile(path, specs, (_, s) => s.Write(new byte[15])));
        Assert.Empty(Directory.GetFiles(dir.Path));
    }

    [Fact]
    public void DiskFull_RemovesThePartialFile()
    {
        using var dir = new TempFolder();
        string path = dir.File("full.safetensors");
        var specs = new[] { new SafetensorsTensorSpec("x", TensorDataType.F32, [1024]) };
        // The disk "fills" after 100 bytes: header written, data not.
        Assert.Throws<IOException>(() => SafetensorsWriter.WriteFileCore(path, specs, (_, s) => s.Write(new byte[4096]), null, false, null,
            f => new DiskFullStream(f, 100), CancellationToken.None));
        Assert.Empty(Directory.GetFiles(dir.Path));
    }

    [Fact]
    public void OutputEqualToInput_IsRefused_AndExistingOutputNeedsOverwrite()
    {
        using var dir = new TempFolder();
        string path = dir.File("in.safetensors");
        CompressionTestFiles.Write(path, new TestTensor("x", TensorDataType.F32, [1], [1f]));
        long before = new FileInfo(path).Length;
        var specs = new[] { new SafetensorsTensorSpec("x", TensorDataType.F32, [1]) };
        Assert.Throws<InputException>(() => SafetensorsWriter.WriteFile(path, specs, (_, s) => s.Write(new byte[4]), overwrite: true, protectedInputs: [path]));
        Assert.Throws<IOException>(() => SafetensorsWriter.WriteFile(path, specs, (_, s) => s.Write(new byte[4])));
        Assert.Equal(before, new FileInfo(path).Length);
    }

    [Fact]
    public void DuplicateNames_AreRejected()
    {
        var specs = new[] { new SafetensorsTensorSpec("x", TensorDataType.F32, [1]), new SafetensorsTensorSpec("x", TensorDataType.F32, [1]) };
        Assert.Throws<ArgumentException>(() => SafetensorsWriter.Write(new MemoryStream(), specs, (_, s) => s.Write(new byte[4])));
    }
}
