using System.Globalization;
using LlmSize.Core.Models;
using LlmSize.Core.Sources;

namespace LlmSize.Core.Formats.Tflite;

/// <summary>A TFLite / LiteRT flatbuffer (also MediaPipe LLM <c>.bin</c>): <c>*.tflite</c> or the <c>TFL3</c> identifier.</summary>
public sealed class TfliteModelFormat : IModelFormat
{
    /// <inheritdoc />
    public ModelFileFormat Format => ModelFileFormat.Tflite;

    /// <inheritdoc />
    public bool Matches(string fileName, ReadOnlySpan<byte> head) => FormatInventory.EndsWith(fileName, ".tflite") || TfliteFormatDetector.IsTflite(head);

    /// <inheritdoc />
    public ModelInventory Identify(IModelSource source, string path)
    {
        string full = FormatInventory.Local(source, path);
        var model = TfliteReader.Read(full);
        return new ModelInventory(full, ModelFileFormat.Tflite, [new ModelFile(full, model.FileLength)], model.ToTensorInfos())
        {
            ModelName = Path.GetFileNameWithoutExtension(full),
            Metadata = new Dictionary<string, string>
            {
                ["schema version"] = model.SchemaVersion.ToString(CultureInfo.InvariantCulture),
                ["description"] = model.Description ?? string.Empty,
                ["operators"] = string.Join(", ", model.OperatorCodes.Select(o => o.ToString()).Distinct().Take(12)),
            },
        };
    }
}
