using System.Globalization;
using LlmSize.Core.Compression;
using LlmSize.Core.Models;
using LlmSize.Core.Models.Architectures;
using LlmSize.Core.Precision;
using LlmSize.Core.Sources;

namespace LlmSize.Core.Formats.Gguf;

/// <summary>GGUF as a model format: <c>*.gguf</c> or the <c>GGUF</c> magic; split files (<c>-00001-of-0000N</c>) read all parts.</summary>
public sealed class GgufModelFormat : IModelFormat
{
    /// <inheritdoc />
    public ModelFileFormat Format => ModelFileFormat.Gguf;

    /// <inheritdoc />
    public bool Matches(string fileName, ReadOnlySpan<byte> head) => FormatInventory.EndsWith(fileName, ".gguf") || GgufFormatDetector.IsGguf(head);

    /// <inheritdoc />
    public ModelInventory Identify(IModelSource source, string path)
    {
        ArgumentNullException.ThrowIfNull(source);
        string full = source.DisplayPath(path);
        GgufFile file;
        if (path.Contains("-of-", StringComparison.Ordinal))
        {
            file = FormatInventory.Wait(GgufReader.ReadSplitAsync(source, path, maxParallel: source.MaxParallelReads));
        }
        else
        {
            using var stream = source.OpenRead(path);
            file = GgufReader.Read(stream, null, full);
        }

        var parts = file.Parts.Count > 0 ? file.Parts : [file];
        var files = parts.Select(p => new ModelFile(p.FilePath ?? full, p.FileLength ?? source.GetLength(path))).ToList();
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in file.Metadata)
        {
            if (key.StartsWith("tokenizer.", StringComparison.Ordinal) && key != "tokenizer.ggml.model") continue;
            metadata[key] = value.ToString() ?? string.Empty;
        }

        ModelArchitecture? arch = null;
        var warnings = new List<string>();
        try
        {
            var read = GgufArchitecture.ToModelArchitecture(file);
            GgufArchitecture.Check(file, read);
            arch = read;
        }
        catch (ModelFormatException ex) when (ex.Error == ModelFormatError.MissingField)
        {
            warnings.Add("no architecture hyper-parameters: " + ex.Detail);
        }

        LlamaFileType? fileType = metadata.TryGetValue("general.file_type", out string? ft)
            && int.TryParse(ft, NumberStyles.None, CultureInfo.InvariantCulture, out int id)
            && Enum.IsDefined(typeof(LlamaFileType), id)
                ? (LlamaFileType)id
                : null;
        return new ModelInventory(full, ModelFileFormat.Gguf, files, file.Tensors)
        {
            Metadata = metadata,
            GgufFileType = fileType,
            Architecture = arch,
            ModelName = file.TryGetString("general.name", out string n) ? n : Path.GetFileNameWithoutExtension(full),
            Warnings = warnings,
        };
    }

    /// <inheritdoc />
    public TensorFile? OpenTensorData(IModelSource source, string path)
    {
        ArgumentNullException.ThrowIfNull(source);
        string full = FormatInventory.Local(source, path);
        using var stream = source.OpenRead(path);
        var g = GgufReader.Read(stream, null, full);
        return new TensorFile(full, true, g.Tensors, new Dictionary<string, string>());
    }
}
