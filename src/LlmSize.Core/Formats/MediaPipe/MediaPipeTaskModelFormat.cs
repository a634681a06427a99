using LlmSize.Core.Models;
using LlmSize.Core.Sources;

namespace LlmSize.Core.Formats.MediaPipe;

/// <summary>A MediaPipe <c>.task</c> bundle (a zip of TFLite models and tokenizer).</summary>
public sealed class MediaPipeTaskModelFormat : IModelFormat
{
    /// <inheritdoc />
    public ModelFileFormat Format => ModelFileFormat.MediaPipeTask;

    /// <inheritdoc />
    public bool Matches(string fileName, ReadOnlySpan<byte> head) => FormatInventory.EndsWith(fileName, ".task");

    /// <inheritdoc />
    public ModelInventory Identify(IModelSource source, string path)
    {
        string full = FormatInventory.Local(source, path);
        var task = MediaPipeTaskReader.Read(full);
        var tensors = task.Models.SelectMany(m => m.ToTensorInfos()).ToArray();
        var metadata = task.Entries.ToDictionary(e => "entry " + e.Name, e => $"{e.Kind}, {e.Length:N0} bytes", StringComparer.Ordinal);
        return new ModelInventory(full, ModelFileFormat.MediaPipeTask, [new ModelFile(full, task.DownloadBytes)], tensors)
        {
            ModelName = Path.GetFileNameWithoutExtension(full),
            Metadata = metadata,
        };
    }
}
