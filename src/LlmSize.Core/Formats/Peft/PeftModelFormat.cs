using System.Globalization;
using LlmSize.Core.Formats.Safetensors;
using LlmSize.Core.Models;
using LlmSize.Core.Sources;

namespace LlmSize.Core.Formats.Peft;

/// <summary>A PEFT adapter named by its <c>adapter_config.json</c> (the weights beside it: safetensors or PyTorch).</summary>
public sealed class PeftModelFormat : IModelFormat
{
    /// <inheritdoc />
    public ModelFileFormat Format => ModelFileFormat.PeftAdapter;

    /// <inheritdoc />
    public bool Matches(string fileName, ReadOnlySpan<byte> head) => string.Equals(fileName, "adapter_config.json", StringComparison.OrdinalIgnoreCase);

    /// <inheritdoc />
    public ModelInventory Identify(IModelSource source, string path) =>
        IdentifyFolder(Path.GetDirectoryName(FormatInventory.Local(source, path))!);

    /// <summary>Reads the adapter in <paramref name="folder"/>.</summary>
    /// <param name="folder">A folder holding adapter_config.json.</param>
    /// <returns>The inventory.</returns>
    internal static ModelInventory IdentifyFolder(string folder)
    {
        var adapter = PeftAdapterReader.Read(folder, file => file.EndsWith(".bin", StringComparison.OrdinalIgnoreCase)
            ? PeftAdapterReader.ReadPyTorchTensors(file)
            : SafetensorsReader.Read(file).Tensors);
        string config = Path.Combine(folder, "adapter_config.json");
        var files = new List<ModelFile>
        {
            new(config, new FileInfo(config).Length),
            new(adapter.WeightsPath, adapter.WeightsFileBytes > 0 ? adapter.WeightsFileBytes : new FileInfo(adapter.WeightsPath).Length),
        };
        var c = adapter.Config;
        return new ModelInventory(folder, ModelFileFormat.PeftAdapter, files, adapter.Tensors)
        {
            ModelName = FormatInventory.NameFromFolder(folder),
            Warnings = adapter.Warnings,
            Adapter = new LoraAdapterSummary(adapter.BaseModel, c.Rank, c.LoraAlpha, adapter.AdaptedModuleNames,
                adapter.LoraParameters + adapter.MagnitudeParameters + adapter.LoraBiasParameters, adapter.SavedModuleParameters),
            Metadata = new Dictionary<string, string>
            {
                ["peft_type"] = c.PeftType,
                ["base model"] = adapter.BaseModel ?? "(not named)",
                ["r"] = c.Rank.ToString(CultureInfo.InvariantCulture),
                ["lora_alpha"] = c.LoraAlpha.ToString(CultureInfo.InvariantCulture),
                ["target modules"] = string.Join(", ", adapter.AdaptedModuleNames),
                ["task"] = c.TaskType ?? string.Empty,
            },
        };
    }
}
