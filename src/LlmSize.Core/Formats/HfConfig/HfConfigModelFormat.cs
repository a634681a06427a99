using LlmSize.Core.Models;
using LlmSize.Core.Sources;

namespace LlmSize.Core.Formats.HfConfig;

/// <summary>A Hugging Face <c>config.json</c> alone (any <c>*.json</c> not claimed by an index or adapter format):
/// hyper-parameters, no weights; the count is analytic.</summary>
public sealed class HfConfigModelFormat : IModelFormat
{
    /// <inheritdoc />
    public ModelFileFormat Format => ModelFileFormat.HfConfig;

    /// <inheritdoc />
    public bool Matches(string fileName, ReadOnlySpan<byte> head) => FormatInventory.EndsWith(fileName, ".json");

    /// <inheritdoc />
    public ModelInventory Identify(IModelSource source, string path)
    {
        ArgumentNullException.ThrowIfNull(source);
        string full = source.DisplayPath(path);
        var arch = HfConfigReader.Read(source, path);
        return new ModelInventory(full, ModelFileFormat.HfConfig, [], [])
        {
            Architecture = arch,
            ModelName = FormatInventory.NameFromFolder(Path.GetDirectoryName(full)) ?? Path.GetFileName(full),
            Note = "config.json only: hyper-parameters, no weights; the count is analytic",
        };
    }
}
