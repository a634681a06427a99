using LlmSize.Core.Formats.PyTorch;

namespace LlmSize.Core.Tests.Formats.PyTorch;

/// <summary>
/// Deterministic mutation fuzzing (in the spirit of safetensors' fuzz target): every single-byte change and every
/// truncation of a valid checkpoint must end in a result or a documented exception — never an
/// IndexOutOfRange/NullReference/InvalidCast/OutOfMemory crash or a hang.
/// </summary>
public sealed class PyTorchFuzzTests
{
    private static readonly byte[] Pickle = TorchPickleWriter.StateDict(PyTorchCheckpointReaderTests.TinyModel, ["", "ln", "attn"]);

    private static void ReadOrDocumentedFailure(byte[] zip)
    {
        try
        {
            using var ms = new MemoryStream(zip, writable: false);
            PyTorchCheckpointReader.Read(ms, "fuzz.pt");
        }
        catch (ModelFormatException)
        {
        }
        catch (NotSupportedException)
        {
        }
    }

    [Fact]
    public void EveryPickleByteMutated_OnlyDocumentedExceptions()
    {
        byte[] values = [0x00, 0xff, (byte)'(', (byte)'R', (byte)'h', 0x8c];
        for (int i = 0; i < Pickle.Length; i++)
        {
            foreach (byte v in values)
            {
                byte[] p = (byte[])Pickle.Clone();
                p[i] = v;
                ReadOrDocumentedFailure(TorchZipWriter.Write(p, PyTorchCheckpointReaderTests.TinyModel));
            }
        }
    }

    [Fact]
    public void EveryPickleTruncation_Truncated()
    {
        for (int n = 0; n < Pickle.Length; n++)
        {
            using var ms = new MemoryStream(TorchZipWriter.Write(Pickle[..n], PyTorchCheckpointReaderTests.TinyModel));
            var ex = Assert.Throws<ModelFormatException>(() => PyTorchCheckpointReader.Read(ms, "cut.pt"));
            Assert.Equal(ModelFormatError.Truncated, ex.Error); // every prefix ends before STOP
        }
    }

    [Fact]
    public void EveryZipByteMutated_OnlyDocumentedExceptions()
    {
        byte[] zip = TorchZipWriter.Write(Pickle, PyTorchCheckpointReaderTests.TinyModel);
        for (int i = 0; i < zip.Length; i++)
        {
            byte[] z = (byte[])zip.Clone();
            z[i] ^= 0xa5;
            ReadOrDocumentedFailure(z);
        }
    }

    [Fact]
    public void MemoCapPlusOne_CountTooLarge()
    {
        // The tiny model's pickle memoizes 70+ objects; a cap of 10 is exceeded.
        using var ms = new MemoryStream(TorchZipWriter.Write(Pickle, PyTorchCheckpointReaderTests.TinyModel));
        var ex = Assert.Throws<ModelFormatException>(() => PyTorchCheckpointReader.Read(ms, null, new PyTorchReaderOptions { MaxMemoEntries = 10 }));
        Assert.Equal(ModelFormatError.CountTooLarge, ex.Error);
    }

    [Fact]
    public void StackCapPlusOne_CountTooLarge()
    {
        // 101 NONEs on the stack with a cap of 100.
        var w = new TorchPickleWriter().Proto(2);
        for (int i = 0; i < 101; i++) w.Op('N');
        using var ms = new MemoryStream(TorchZipWriter.Write(w.ToArray(), []));
        var ex = Assert.Throws<ModelFormatException>(() => PyTorchCheckpointReader.Read(ms, null, new PyTorchReaderOptions { MaxStackItems = 100 }));
        Assert.Equal(ModelFormatError.CountTooLarge, ex.Error);
    }
}
