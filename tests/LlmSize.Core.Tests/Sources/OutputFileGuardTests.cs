using LlmSize.Core;
using LlmSize.Core.Compression.Pruning;
using LlmSize.Core.Compression.Quantization;
using LlmSize.Core.Formats.Safetensors;
using LlmSize.Core.Precision;
using LlmSize.Core.Sources;
using LlmSize.Core.Tests.Compression;
using LlmSize.Core.Tests.Infrastructure;

namespace LlmSize.Core.Tests.Sources;

/// <summary>Issue 13, class 7: writers compare output and input as files, remove their temp file on every failure,
/// and check free space first.</summary>
public sealed class OutputFileGuardTests
{
    private static (TempFolder Dir, string Input, string Alias) InputWithSymlinkedFolder(string name)
    {
        var dir = new TempFolder();
        string real = Path.Combine(dir.Path, "real");
        Directory.CreateDirectory(real);
        string input = Path.Combine(real, name);
        string alias = Path.Combine(dir.Path, "alias");
        Directory.CreateSymbolicLink(alias, real);
        return (dir, input, Path.Combine(alias, name));
    }

    [Fact]
    public void Issue13_prune_overwrite_through_a_symlinked_folder_is_refused()
    {
        if (!OperatingSystem.IsLinux()) return;
        var (dir, input, alias) = InputWithSymlinkedFolder("m.safetensors");
        using (dir)
        {
            CompressionTestFiles.Write(input, new TestTensor("w", TensorDataType.F32, [2, 2], [1f, -2f, 3f, -4f]));
            byte[] before = File.ReadAllBytes(input);

            Assert.Throws<InputException>(() => MagnitudePruner.Prune(input, alias, overwrite: true));

            Assert.Equal(before, File.ReadAllBytes(input));
            Assert.Empty(Directory.GetFiles(Path.GetDirectoryName(input)!, "*.tmp"));
        }
    }

    [Fact]
    public void Issue13_quantize_overwrite_through_a_symlinked_folder_is_refused()
    {
        if (!OperatingSystem.IsLinux()) return;
        var (dir, input, alias) = InputWithSymlinkedFolder("tiny.gguf");
        using (dir)
        {
            File.Copy(TestPaths.Fixture("gguf", "llama-2-tiny-random.gguf"), input);
            byte[] before = File.ReadAllBytes(input);

            Assert.Throws<InputException>(() => GgufQuantizer.Quantize(input, Path.Combine(Path.GetDirectoryName(alias)!, "..", "alias", "tiny.gguf"), LlamaFileType.Q8_0,
                new GgufQuantizerOptions { Overwrite = true }));

            Assert.Equal(before, File.ReadAllBytes(input));
        }
    }

    [Fact]
    public void Issue13_hard_link_to_the_input_is_the_input()
    {
        if (!OperatingSystem.IsLinux()) return;
        using var dir = new TempFolder();
        string input = dir.File("in.safetensors");
        CompressionTestFiles.Write(input, new TestTensor("w", TensorDataType.F32, [1], [1f]));
        string other = dir.File("other.safetensors");
        File.CreateSymbolicLink(other, input);

        Assert.Throws<InputException>(() => OutputFileGuard.EnsureNotAnInput(other, [input]));
        OutputFileGuard.EnsureNotAnInput(dir.File("new.safetensors"), [input]); // a new file is fine
    }

    [Fact]
    public void Issue13_safetensors_writer_checks_free_space_before_creating_anything()
    {
        using var dir = new TempFolder();
        string path = dir.File("huge.safetensors");
        var specs = new[] { new SafetensorsTensorSpec("x", TensorDataType.F32, [1L << 50]) }; // 4 PiB

        var e = Assert.Throws<IOException>(() => SafetensorsWriter.WriteFile(path, specs, (_, _) => throw new InvalidOperationException("not reached")));

        Assert.Contains("Not enough disk space", e.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(dir.Path));
    }

    [Fact]
    public void Issue13_temp_file_is_removed_when_closing_the_file_fails()
    {
        using var dir = new TempFolder();
        string path = dir.File("out.safetensors");
        var specs = new[] { new SafetensorsTensorSpec("x", TensorDataType.F32, [4]) };

        Assert.Throws<IOException>(() => SafetensorsWriter.WriteFileCore(path, specs, (_, s) => s.Write(new byte[16]), null, false, null,
            f => new FailingFlushStream(f), CancellationToken.None));

        Assert.Empty(Directory.GetFiles(dir.Path));
    }

    [Fact]
    public void Stale_temp_files_carry_the_marker_and_are_found()
    {
        using var dir = new TempFolder();
        string output = dir.File("out.gguf");
        string temp = OutputFileGuard.TempPathFor(output);
        File.WriteAllBytes(temp, [1]);

        Assert.Contains(OutputFileGuard.TempMarker, Path.GetFileName(temp), StringComparison.Ordinal);
        Assert.Equal([temp], OutputFileGuard.FindStaleTempFiles(output));
        Assert.Empty(OutputFileGuard.FindStaleTempFiles(dir.File("other.gguf")));
    }

    /// <summary>A stream whose flush fails as a full disk does.</summary>
    private sealed class FailingFlushStream(Stream inner) : Stream
    {
        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => inner.Length;
        public override long Position { get => inner.Position; set => throw new NotSupportedException(); }
        public override void Flush() => throw new IOException("No space left on device");
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => inner.Write(buffer, offset, count);
    }
}
