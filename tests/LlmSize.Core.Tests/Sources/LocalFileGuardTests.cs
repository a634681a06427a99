using System.Runtime.InteropServices;
using LlmSize.Core.Formats.Gguf;
using LlmSize.Core.Formats.HfConfig;
using LlmSize.Core.Formats.MediaPipe;
using LlmSize.Core.Formats.Onnx;
using LlmSize.Core.Formats.Peft;
using LlmSize.Core.Formats.PyTorch;
using LlmSize.Core.Formats.Safetensors;
using LlmSize.Core.Formats.Tflite;
using LlmSize.Core.Sources;

namespace LlmSize.Core.Tests.Sources;

/// <summary>Issue 13, class 2: FIFOs, devices and symlinks to them are refused before they are opened; whole-file
/// reads are bounded by the bytes actually read.</summary>
public sealed partial class LocalFileGuardTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "llmsize-guard-" + Guid.NewGuid().ToString("N"));

    public LocalFileGuardTests() => Directory.CreateDirectory(_dir);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [LibraryImport("libc", EntryPoint = "mkfifo", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int MkFifo(string path, uint mode);

    private string Fifo(string name)
    {
        string path = Path.Combine(_dir, name);
        Assert.Equal(0, MkFifo(path, 0x180)); // 0600
        return path;
    }

    private string LinkToDevZero(string name)
    {
        string path = Path.Combine(_dir, name);
        File.CreateSymbolicLink(path, "/dev/zero");
        return path;
    }

    /// <summary>Runs <paramref name="read"/> with a deadline: a blocking open or an endless read fails the test
    /// instead of hanging it.</summary>
    private static ModelFormatException RefusedQuickly(Action read)
    {
        // A dedicated thread, not the thread pool: on a 2-core CI machine running test classes in parallel, a pool
        // task can wait seconds to be scheduled, which would read as a blocked open.
        Exception? thrown = null;
        var thread = new Thread(() =>
        {
            try { read(); }
            catch (Exception ex) { thrown = ex; }
        }) { IsBackground = true };
        thread.Start();
        Assert.True(thread.Join(TimeSpan.FromSeconds(10)), "the read blocked or ran on");
        return Assert.IsType<ModelFormatException>(thrown, exactMatch: false);
    }

    public static TheoryData<string, string> Readers => new()
    {
        { "gguf", "model.gguf" },
        { "safetensors", "model.safetensors" },
        { "safetensors-index", "model.safetensors.index.json" },
        { "config", "config.json" },
        { "onnx", "model.onnx" },
        { "tflite", "model.tflite" },
        { "task", "model.task" },
        { "pytorch", "pytorch_model.bin" },
        { "pytorch-index", "pytorch_model.bin.index.json" },
        { "peft-config", "adapter_config.json" },
        { "loader", "model.gguf" },
    };

    private static void ReadWith(string reader, string path)
    {
        switch (reader)
        {
            case "gguf": GgufReader.Read(path); break;
            case "safetensors": SafetensorsReader.Read(path); break;
            case "safetensors-index": SafetensorsReader.ReadIndexedModel(path); break;
            case "config": HfConfigReader.Read(path); break;
            case "onnx": OnnxReader.Read(path); break;
            case "tflite": TfliteReader.Read(path); break;
            case "task": MediaPipeTaskReader.Read(path); break;
            case "pytorch": PyTorchCheckpointReader.Read(path); break;
            case "pytorch-index": PyTorchCheckpointReader.ReadIndexed(path); break;
            case "peft-config": PeftAdapterReader.ReadConfig(path); break;
            case "loader": ModelLoader.Load(path); break;
            default: throw new ArgumentOutOfRangeException(nameof(reader));
        }
    }

    [Theory]
    [MemberData(nameof(Readers))]
    public void Issue13_fifo_is_refused_before_open_by_every_reader(string reader, string name)
    {
        if (!OperatingSystem.IsLinux()) return;
        string fifo = Fifo(name);

        var e = RefusedQuickly(() => ReadWith(reader, fifo));

        Assert.Equal(ModelFormatError.NotARegularFile, e.Error);
        Assert.Equal(fifo, e.FilePath);
        Assert.Contains("FIFO", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Readers))]
    public void Issue13_symlink_to_dev_zero_is_refused_by_every_reader(string reader, string name)
    {
        if (!OperatingSystem.IsLinux()) return;
        string link = LinkToDevZero(name);

        var e = RefusedQuickly(() => ReadWith(reader, link));

        Assert.Equal(ModelFormatError.NotARegularFile, e.Error);
        Assert.Contains("character device", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Issue13_peft_folder_with_fifo_config_is_refused_by_the_loader()
    {
        if (!OperatingSystem.IsLinux()) return;
        string folder = Path.Combine(_dir, "adapter");
        Directory.CreateDirectory(folder);
        File.CreateSymbolicLink(Path.Combine(folder, "adapter_config.json"), "/dev/zero");
        File.WriteAllBytes(Path.Combine(folder, "adapter_model.safetensors"), [8, 0, 0, 0, 0, 0, 0, 0, .. "{}      "u8]);

        var e = RefusedQuickly(() => ModelLoader.Load(folder));

        Assert.Equal(ModelFormatError.NotARegularFile, e.Error);
    }

    [Fact]
    public void Issue13_pytorch_index_folder_with_dev_zero_index_is_refused()
    {
        if (!OperatingSystem.IsLinux()) return;
        string folder = Path.Combine(_dir, "pt");
        Directory.CreateDirectory(folder);
        File.CreateSymbolicLink(Path.Combine(folder, "pytorch_model.bin.index.json"), "/dev/zero");

        var e = RefusedQuickly(() => ModelLoader.Load(folder));

        Assert.Equal(ModelFormatError.NotARegularFile, e.Error);
    }

    [Fact]
    public void Kind_of_regular_file_directory_fifo_device_and_missing()
    {
        if (!OperatingSystem.IsLinux()) return;
        string file = Path.Combine(_dir, "a.bin");
        File.WriteAllBytes(file, [1, 2, 3]);

        Assert.Equal(LocalFileKind.Regular, LocalFileGuard.GetKind(file));
        Assert.Equal(LocalFileKind.Directory, LocalFileGuard.GetKind(_dir));
        Assert.Equal(LocalFileKind.Fifo, LocalFileGuard.GetKind(Fifo("p")));
        Assert.Equal(LocalFileKind.CharacterDevice, LocalFileGuard.GetKind(LinkToDevZero("z")));
        Assert.Equal(LocalFileKind.Missing, LocalFileGuard.GetKind(Path.Combine(_dir, "none")));
    }

    [Fact]
    public void Read_all_bytes_stops_one_byte_past_the_cap()
    {
        string file = Path.Combine(_dir, "big.json");
        File.WriteAllBytes(file, new byte[1001]);

        Assert.Equal(1000, LocalFileGuard.ReadAllBytes(Path.Combine(_dir, "big.json"), 1001).Length - 1);
        var e = Assert.Throws<ModelFormatException>(() => LocalFileGuard.ReadAllBytes(file, 1000));
        Assert.Equal(ModelFormatError.HeaderTooLarge, e.Error);
        Assert.Equal(file, e.FilePath);
    }

    [Fact]
    public async Task Read_all_bytes_async_returns_the_whole_file_under_the_cap()
    {
        string file = Path.Combine(_dir, "small.json");
        File.WriteAllBytes(file, "{\"a\":1}"u8.ToArray());

        byte[] got = await LocalFileGuard.ReadAllBytesAsync(file, 100);

        Assert.Equal("{\"a\":1}"u8.ToArray(), got);
    }

    [Fact]
    public void Same_file_through_a_symlinked_folder_and_a_hard_link_path()
    {
        if (!OperatingSystem.IsLinux()) return;
        string real = Path.Combine(_dir, "real");
        Directory.CreateDirectory(real);
        string file = Path.Combine(real, "m.safetensors");
        File.WriteAllBytes(file, [1]);
        string alias = Path.Combine(_dir, "alias");
        Directory.CreateSymbolicLink(alias, real);

        Assert.True(LocalFileGuard.IsSameFile(file, Path.Combine(alias, "m.safetensors")));
        Assert.True(LocalFileGuard.IsSameFile(file, Path.Combine(alias, "..", "real", "m.safetensors")));
        Assert.False(LocalFileGuard.IsSameFile(file, Path.Combine(alias, "other.safetensors")));
    }
}
