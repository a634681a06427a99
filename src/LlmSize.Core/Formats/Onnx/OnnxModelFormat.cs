using System.Globalization;
using LlmSize.Core.Models;
using LlmSize.Core.Sources;

namespace LlmSize.Core.Formats.Onnx;

/// <summary>An ONNX ModelProto (<c>*.onnx</c>, with external <c>.onnx_data</c>); a Transformers.js folder
/// (<c>onnx/model_q4f16.onnx</c> …) is read by <see cref="IdentifyTransformersJs"/>.</summary>
public sealed class OnnxModelFormat : IModelFormat
{
    /// <inheritdoc />
    public ModelFileFormat Format => ModelFileFormat.Onnx;

    /// <inheritdoc />
    public bool Matches(string fileName, ReadOnlySpan<byte> head) => FormatInventory.EndsWith(fileName, ".onnx");

    /// <inheritdoc />
    public ModelInventory Identify(IModelSource source, string path)
    {
        string full = FormatInventory.Local(source, path);
        var model = OnnxReader.Read(full);
        string? folder = Path.GetDirectoryName(full);
        var files = new List<ModelFile> { new(full, model.FileLength) };
        files.AddRange(model.ExternalDataFiles.Select(f => new ModelFile(f, new FileInfo(f).Length)));
        return new ModelInventory(full, ModelFileFormat.Onnx, files, Tensors(model))
        {
            Architecture = FormatInventory.ConfigBeside(folder) ?? FormatInventory.ConfigBeside(Path.GetDirectoryName(folder)),
            ModelName = Path.GetFileNameWithoutExtension(full),
            Metadata = Metadata(model),
        };
    }

    /// <summary>A Transformers.js repository folder: every dtype's exact download, the fp32 (else first complete) variant counted.</summary>
    /// <param name="folder">The folder.</param>
    /// <returns>The inventory.</returns>
    /// <exception cref="ModelNotFoundException">No ONNX file of a Transformers.js dtype.</exception>
    internal static ModelInventory IdentifyTransformersJs(string folder)
    {
        var repo = TransformersJsRepository.Read(folder);
        if (repo.Variants.Length == 0) throw new ModelNotFoundException($"{folder}: no ONNX files of a Transformers.js dtype found", folder);
        var main = repo.Variants.FirstOrDefault(v => v.Dtype == "fp32" && v.IsComplete) ?? repo.Variants.First(v => v.IsComplete || v == repo.Variants[^1]);
        var files = main.Sessions.SelectMany(s => new[] { s.ModelFile }.Concat(s.DataFiles))
            .Select(f => new ModelFile(f, new FileInfo(f).Length)).ToList();
        var variants = repo.Variants.Select(v => new ModelVariant(v.Dtype, v.DownloadBytes, v.ParameterCount, v.IsComplete,
            v.Sessions.SelectMany(s => new[] { s.ModelFile }.Concat(s.DataFiles)).Select(f => Path.GetRelativePath(folder, f)).ToList())).ToList();
        return new ModelInventory(folder, ModelFileFormat.Onnx, files, main.Sessions.SelectMany(s => Tensors(s.Model)).ToList())
        {
            Architecture = FormatInventory.ConfigBeside(folder),
            ModelName = FormatInventory.NameFromFolder(folder),
            Variants = variants,
            Metadata = Metadata(main.Sessions[0].Model),
            Note = $"Transformers.js repository: counted dtype '{main.Dtype}'; every dtype's exact download is listed under variants",
        };
    }

    private static List<TensorInfo> Tensors(OnnxModelInfo model) => model.Tensors.Select(t => t.Info with
    {
        RoleHint = t.Role switch
        {
            OnnxTensorRole.Weight => TensorRole.Parameter,
            OnnxTensorRole.QuantizationScale or OnnxTensorRole.ZeroPoint => TensorRole.QuantizationAuxiliary,
            _ => TensorRole.Buffer,
        },
    }).ToList();

    private static Dictionary<string, string> Metadata(OnnxModelInfo m)
    {
        var d = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["ir_version"] = m.IrVersion.ToString(CultureInfo.InvariantCulture),
            ["producer"] = $"{m.ProducerName} {m.ProducerVersion}".Trim(),
            ["graph"] = m.GraphName,
            ["opsets"] = string.Join(", ", m.OpsetImports.Select(o => o.ToString())),
            ["nodes"] = m.NodeCount.ToString(CultureInfo.InvariantCulture),
        };
        foreach (var (k, v) in m.MetadataProps) d["meta." + k] = v;
        return d;
    }
}
