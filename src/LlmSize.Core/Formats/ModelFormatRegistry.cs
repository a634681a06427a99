using LlmSize.Core.Formats.Gguf;
using LlmSize.Core.Formats.HfConfig;
using LlmSize.Core.Formats.MediaPipe;
using LlmSize.Core.Formats.Onnx;
using LlmSize.Core.Formats.Peft;
using LlmSize.Core.Formats.PyTorch;
using LlmSize.Core.Formats.Safetensors;
using LlmSize.Core.Formats.Tflite;
using LlmSize.Core.Models;
using LlmSize.Core.Sources;

namespace LlmSize.Core.Formats;

/// <summary>The formats LlmSize reads, in the order they are tried (names that say what a file is come before magic
/// bytes, as an index.json is JSON too), and format detection over a source.</summary>
public static class ModelFormatRegistry
{
    /// <summary>Bytes read to sniff a file's format (the longest magic checked is 16 bytes).</summary>
    public const int SniffLength = 16;

    /// <summary>Every format, in detection order.</summary>
    public static IReadOnlyList<IModelFormat> All { get; } =
    [
        new SafetensorsIndexModelFormat(),
        new PyTorchIndexModelFormat(),
        new PeftModelFormat(),
        new HfConfigModelFormat(),
        new GgufModelFormat(),
        new SafetensorsModelFormat(),
        new OnnxModelFormat(),
        new TfliteModelFormat(),
        new MediaPipeTaskModelFormat(),
        new PyTorchModelFormat(),
    ];

    /// <summary>The format of a file, from its name and first bytes.</summary>
    /// <param name="fileName">The file name.</param>
    /// <param name="head">Its first <see cref="SniffLength"/> bytes (or all of a shorter file).</param>
    /// <returns>The format, or null when none reads it.</returns>
    public static IModelFormat? Detect(string fileName, ReadOnlySpan<byte> head)
    {
        foreach (var format in All)
        {
            if (format.Matches(fileName, head)) return format;
        }

        return null;
    }

    /// <summary>Sniffs a file of <paramref name="source"/>: reads its first bytes and detects the format.</summary>
    /// <param name="source">The source.</param>
    /// <param name="path">The file's path in it.</param>
    /// <returns>The format.</returns>
    /// <exception cref="NotSupportedException">No format reads the file.</exception>
    public static IModelFormat Detect(IModelSource source, string path)
    {
        ArgumentNullException.ThrowIfNull(source);
        Span<byte> head = stackalloc byte[SniffLength];
        int n;
        using (var stream = source.OpenRead(path)) n = stream.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        return Detect(Path.GetFileName(path), head[..n])
            ?? throw new NotSupportedException($"{source.DisplayPath(path)}: not a format LlmSize reads (safetensors, GGUF, ONNX, TFLite/MediaPipe, PyTorch, config.json)");
    }

    /// <summary>Identifies a file: detects its format and reads its header into an inventory.</summary>
    /// <param name="source">The source.</param>
    /// <param name="path">The file's path in it.</param>
    /// <returns>The inventory.</returns>
    /// <exception cref="NotSupportedException">No format reads the file.</exception>
    /// <exception cref="ModelFormatException">The header is malformed.</exception>
    public static ModelInventory Identify(IModelSource source, string path) => Detect(source, path).Identify(source, path);
}

/// <summary>Helpers the formats share when they turn headers into inventories.</summary>
internal static class FormatInventory
{
    /// <summary>The local path of <paramref name="path"/>, for readers that follow sibling files themselves.</summary>
    /// <exception cref="NotSupportedException">The source is not local.</exception>
    public static string Local(IModelSource source, string path) =>
        source.LocalPath(path) ?? throw new NotSupportedException(
            $"{source.DisplayPath(path)}: reading this format from a remote source is not supported yet (safetensors, GGUF and config.json are); download it and name the local copy");

    /// <summary>The folder part of a source-relative path ("" or "sub/"), for files that sit beside it.</summary>
    public static string DirOf(string path) => path.Contains('/') ? path[..(path.LastIndexOf('/') + 1)] : "";

    /// <summary>The architecture from a config.json beside <paramref name="path"/> in the source, or null (missing,
    /// broken or an unsupported family: the question is about the weights file).</summary>
    public static Models.Architectures.ModelArchitecture? ConfigBeside(IModelSource source, string path)
    {
        string config = DirOf(path) + "config.json";
        if (config == path || !source.Exists(config)) return null;
        try
        {
            return HfConfigReader.Read(source, config);
        }
        catch (Exception ex) when (ex is ModelFormatException or NotSupportedException)
        {
            return null;
        }
    }

    /// <summary>A model name for a file of a source: the generic Hugging Face names take the folder's (or the
    /// repository's) name.</summary>
    public static string NameOf(IModelSource source, string path) =>
        source.LocalPath(path) is { } local ? NameOf(local) : NameOf(source.DisplayPath(path).Replace("hf:", "", StringComparison.Ordinal));

    /// <summary>Runs a source read synchronously (the formats' Identify is synchronous; front ends call the loader off
    /// their thread).</summary>
    public static T Wait<T>(Task<T> task) => task.GetAwaiter().GetResult();

    /// <summary>The architecture from a config.json beside the weights, or null. A config that is missing, broken or
    /// of an unsupported family does not stop reading the weights: the caller's question is about the weights file.</summary>
    public static Models.Architectures.ModelArchitecture? ConfigBeside(string? folder)
    {
        if (folder is null) return null;
        string config = Path.Combine(folder, "config.json");
        if (!File.Exists(config)) return null;
        try
        {
            return HfConfigReader.Read(config);
        }
        catch (Exception ex) when (ex is ModelFormatException or NotSupportedException)
        {
            return null;
        }
    }

    /// <summary>A file's model name: the folder's name for Hugging Face's generic file names (model.safetensors,
    /// pytorch_model.bin, model-00001-of-00002.safetensors), else the file name without extension.</summary>
    public static string NameOf(string path)
    {
        string file = Path.GetFileNameWithoutExtension(path);
        bool generic = file.StartsWith("model", StringComparison.OrdinalIgnoreCase) || file.StartsWith("pytorch_model", StringComparison.OrdinalIgnoreCase)
            || file.StartsWith("adapter_model", StringComparison.OrdinalIgnoreCase);
        return generic ? NameFromFolder(Path.GetDirectoryName(path)) ?? file : file;
    }

    /// <summary>The last component of a folder path.</summary>
    public static string? NameFromFolder(string? folder) => folder is null ? null : Path.GetFileName(folder.TrimEnd(Path.DirectorySeparatorChar));

    /// <summary>True when the lower-cased file name ends with <paramref name="suffix"/>.</summary>
    public static bool EndsWith(string fileName, string suffix) => fileName.EndsWith(suffix, StringComparison.OrdinalIgnoreCase);
}
