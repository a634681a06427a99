using LlmSize.Core.Compression;
using LlmSize.Core.Models;
using LlmSize.Core.Sources;

namespace LlmSize.Core.Formats.Safetensors;

/// <summary>A single safetensors file: <c>*.safetensors</c> or a plausible 8-byte header length followed by '{';
/// a <c>config.json</c> beside it supplies the architecture.</summary>
public sealed class SafetensorsModelFormat : IModelFormat
{
    /// <inheritdoc />
    public ModelFileFormat Format => ModelFileFormat.Safetensors;

    /// <inheritdoc />
    public bool Matches(string fileName, ReadOnlySpan<byte> head) =>
        FormatInventory.EndsWith(fileName, ".safetensors") || SafetensorsFormatDetector.IsSafetensors(head);

    /// <inheritdoc />
    public ModelInventory Identify(IModelSource source, string path)
    {
        ArgumentNullException.ThrowIfNull(source);
        string full = source.DisplayPath(path);
        SafetensorsFile file;
        using (var stream = source.OpenRead(path)) file = SafetensorsReader.Read(stream, null, full);
        return new ModelInventory(full, ModelFileFormat.Safetensors, [new ModelFile(full, file.FileLength)], file.Tensors)
        {
            Metadata = file.Metadata,
            Architecture = FormatInventory.ConfigBeside(source, path),
            ModelName = FormatInventory.NameOf(source, path),
        };
    }

    /// <inheritdoc />
    public TensorFile? OpenTensorData(IModelSource source, string path)
    {
        ArgumentNullException.ThrowIfNull(source);
        string full = FormatInventory.Local(source, path);
        SafetensorsFile s;
        using (var stream = source.OpenRead(path)) s = SafetensorsReader.Read(stream, null, full);
        return new TensorFile(full, false, s.Tensors, s.Metadata);
    }
}

/// <summary>A sharded safetensors model named by its <c>*.safetensors.index.json</c>.</summary>
public sealed class SafetensorsIndexModelFormat : IModelFormat
{
    /// <inheritdoc />
    public ModelFileFormat Format => ModelFileFormat.Safetensors;

    /// <inheritdoc />
    public bool Matches(string fileName, ReadOnlySpan<byte> head) => FormatInventory.EndsWith(fileName, ".safetensors.index.json");

    /// <inheritdoc />
    public ModelInventory Identify(IModelSource source, string path)
    {
        ArgumentNullException.ThrowIfNull(source);
        string indexPath = source.DisplayPath(path);
        var model = FormatInventory.Wait(SafetensorsReader.ReadIndexedModelAsync(source, path, maxParallel: source.MaxParallelReads));
        var files = new List<ModelFile> { new(indexPath, source.GetLength(path)) };
        files.AddRange(model.Files.Select(f => new ModelFile(f.FilePath!, f.FileLength)));
        return new ModelInventory(indexPath, ModelFileFormat.Safetensors, files, model.Tensors)
        {
            Architecture = FormatInventory.ConfigBeside(source, path),
            ModelName = FormatInventory.NameFromFolder(Path.GetDirectoryName(indexPath)),
            Warnings = model.Warnings,
        };
    }
}
