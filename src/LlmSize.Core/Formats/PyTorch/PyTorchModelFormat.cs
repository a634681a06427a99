using LlmSize.Core.Models;
using LlmSize.Core.Sources;

namespace LlmSize.Core.Formats.PyTorch;

/// <summary>A PyTorch checkpoint (<c>pytorch_model.bin</c>, <c>*.pt</c>, <c>*.pth</c>, or zip / legacy pickle magic),
/// read by the restricted unpickler.</summary>
public sealed class PyTorchModelFormat : IModelFormat
{
    /// <inheritdoc />
    public ModelFileFormat Format => ModelFileFormat.PyTorch;

    /// <inheritdoc />
    public bool Matches(string fileName, ReadOnlySpan<byte> head) =>
        PyTorchCheckpointReader.IsZipCheckpointCandidate(head) || PyTorchCheckpointReader.IsLegacyCheckpoint(head)
        || FormatInventory.EndsWith(fileName, ".bin") || FormatInventory.EndsWith(fileName, ".pt") || FormatInventory.EndsWith(fileName, ".pth");

    /// <inheritdoc />
    public ModelInventory Identify(IModelSource source, string path)
    {
        string full = FormatInventory.Local(source, path);
        return FromCheckpoint(PyTorchCheckpointReader.Read(full), full);
    }

    /// <summary>The inventory of a read checkpoint (single or indexed).</summary>
    internal static ModelInventory FromCheckpoint(PyTorchCheckpoint checkpoint, string sourcePath)
    {
        var files = checkpoint.Files.Select(f => new ModelFile(f, new FileInfo(f).Length)).ToList();
        if (checkpoint.IndexPath is { } idx) files.Insert(0, new ModelFile(idx, new FileInfo(idx).Length));
        return new ModelInventory(sourcePath, ModelFileFormat.PyTorch, files, checkpoint.Tensors)
        {
            Architecture = FormatInventory.ConfigBeside(Path.GetDirectoryName(sourcePath)),
            ModelName = FormatInventory.NameOf(sourcePath),
        };
    }
}

/// <summary>A sharded PyTorch checkpoint named by its <c>*.bin.index.json</c>.</summary>
public sealed class PyTorchIndexModelFormat : IModelFormat
{
    /// <inheritdoc />
    public ModelFileFormat Format => ModelFileFormat.PyTorch;

    /// <inheritdoc />
    public bool Matches(string fileName, ReadOnlySpan<byte> head) => FormatInventory.EndsWith(fileName, ".bin.index.json");

    /// <inheritdoc />
    public ModelInventory Identify(IModelSource source, string path)
    {
        string full = FormatInventory.Local(source, path);
        return PyTorchModelFormat.FromCheckpoint(PyTorchCheckpointReader.ReadIndexed(full), full);
    }
}
