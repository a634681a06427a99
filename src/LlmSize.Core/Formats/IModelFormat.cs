using LlmSize.Core.Compression;
using LlmSize.Core.Models;
using LlmSize.Core.Sources;

namespace LlmSize.Core.Formats;

/// <summary>
/// One model file format as the rest of the product sees it: a sniffer (name and first bytes), <c>Identify</c> (header →
/// <see cref="ModelInventory"/>, reading headers only) and, where the product can read weights of the format,
/// <c>OpenTensorData</c> (rows for quantize, prune, LoRA merge and sharing). Every read goes through an
/// <see cref="IModelSource"/>. Shaped after ImageSharp's image formats (a detector, <c>Identify</c> vs <c>Decode</c>).
/// </summary>
public interface IModelFormat
{
    /// <summary>The format.</summary>
    ModelFileFormat Format { get; }

    /// <summary>Whether a file is of this format, from its name and its first <see cref="ModelFormatRegistry.SniffLength"/>
    /// bytes (fewer when the file is shorter). Never throws.</summary>
    /// <param name="fileName">The file name (no folder).</param>
    /// <param name="head">The file's first bytes.</param>
    /// <returns>True when this format should read the file.</returns>
    bool Matches(string fileName, ReadOnlySpan<byte> head);

    /// <summary>Reads the file's header (and the headers of files it names) into an inventory.</summary>
    /// <param name="source">Where the bytes come from.</param>
    /// <param name="path">The file's path in <paramref name="source"/>.</param>
    /// <returns>The inventory.</returns>
    /// <exception cref="ModelFormatException">Malformed or hostile header (names the file and offset or field).</exception>
    /// <exception cref="NotSupportedException">Valid but unsupported, or the source cannot serve what the format needs.</exception>
    ModelInventory Identify(IModelSource source, string path);

    /// <summary>Opens the file's tensor data for row access, or null when the product does not read this format's weights.</summary>
    /// <param name="source">Where the bytes come from.</param>
    /// <param name="path">The file's path in <paramref name="source"/>.</param>
    /// <returns>The tensor file, or null.</returns>
    TensorFile? OpenTensorData(IModelSource source, string path) => null;
}
