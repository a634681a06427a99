using LlmSize.Core.Sources;
using System.Text;
using System.Text.Json;
using LlmSize.Core.Models.Architectures;

namespace LlmSize.Core.Formats.HfConfig;

/// <summary>
/// Reads a Hugging Face <c>config.json</c> into a <see cref="ModelArchitecture"/> whose
/// <see cref="ParameterCalculator.Count"/> is the exact parameter count of the checkpoint the config describes.
/// </summary>
/// <remarks>
/// Families (by <c>model_type</c>): llama, mistral, mixtral, qwen2, qwen3, gemma, gemma2, gemma3_text, phi, phi-msft
/// (the original remote-code Phi format), phi3, starcoder2, gpt2, bert, distilbert, t5, falcon (also RefinedWeb /
/// RefinedWebModel); MoE qwen2_moe, qwen3_moe, deepseek, deepseek_v2, deepseek_v3 (MLA; MTP apart), granitemoe,
/// gpt_oss, llama4_text; olmo2, gptj, gpt_neox, stablelm, granite, cohere, internlm2, gpt_bigcode, opt, bloom, mpt,
/// modernbert; and whole multimodal models (language model + vision tower + projector as
/// <see cref="ModelArchitecture.Parts"/>): gemma3, paligemma, llava, llava_next, qwen2_vl, qwen2_5_vl, mllama, llama4,
/// idefics3, smolvlm, phi3_v. Absent keys a real file relies on are listed in
/// <see cref="ModelArchitecture.DefaultsUsed"/>. Defaults for absent keys follow
/// each family's transformers <c>configuration_*.py</c>; keys whose class default is not derivable from the others
/// (e.g. <c>num_key_value_heads</c> for Mistral, default 8) are required. JSON <c>null</c> means "absent", as in
/// transformers. See README.md in this folder.
/// </remarks>
public static class HfConfigReader
{
    /// <summary>Reads and parses the <c>config.json</c> at <paramref name="path"/>.</summary>
    /// <param name="path">Path of the config file.</param>
    /// <param name="options">Limits; null = <see cref="HfConfigReaderOptions.Default"/>.</param>
    /// <returns>The architecture, with <see cref="ModelArchitecture.Source"/> = <paramref name="path"/>.</returns>
    /// <exception cref="ArgumentException"><paramref name="path"/> is null or empty.</exception>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="ModelFormatException">The file is too large (<see cref="ModelFormatError.HeaderTooLarge"/>), not JSON
    /// (<see cref="ModelFormatError.InvalidJson"/>, <see cref="ModelFormatError.WrongFormat"/>), lacks a required field
    /// (<see cref="ModelFormatError.MissingField"/>) or holds an out-of-range value (<see cref="ModelFormatError.InvalidValue"/>).</exception>
    /// <exception cref="NotSupportedException">The <c>model_type</c> is not a supported family.</exception>
    public static ModelArchitecture Read(string path, HfConfigReaderOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        options ??= HfConfigReaderOptions.Default;
        using var stream = LocalFileGuard.OpenRead(path, 1, FileOptions.None);
        byte[] bytes = ReadAll(stream, path, options);
        stream.ReadExactly(bytes);
        return ParseUtf8(bytes, path, options);
    }

    /// <summary>Reads and parses the <c>config.json</c> at <paramref name="path"/> asynchronously.</summary>
    /// <param name="path">Path of the config file.</param>
    /// <param name="options">Limits; null = <see cref="HfConfigReaderOptions.Default"/>.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The architecture.</returns>
    /// <exception cref="ArgumentException"><paramref name="path"/> is null or empty.</exception>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="ModelFormatException">As for <see cref="Read(string, HfConfigReaderOptions?)"/>.</exception>
    /// <exception cref="NotSupportedException">The <c>model_type</c> is not a supported family.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public static async Task<ModelArchitecture> ReadAsync(string path, HfConfigReaderOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        options ??= HfConfigReaderOptions.Default;
        await using var stream = LocalFileGuard.OpenRead(path, 1, FileOptions.Asynchronous);
        byte[] bytes = ReadAll(stream, path, options);
        await stream.ReadExactlyAsync(bytes, cancellationToken).ConfigureAwait(false);
        return ParseUtf8(bytes, path, options);
    }

    /// <summary>Reads and parses a <c>config.json</c> of a model source (a local folder, the Hub, …), refusing more
    /// than <see cref="HfConfigReaderOptions.MaxConfigBytes"/> by bytes actually read.</summary>
    /// <param name="source">The source.</param>
    /// <param name="path">The config's path in the source.</param>
    /// <param name="options">Limits; null = <see cref="HfConfigReaderOptions.Default"/>.</param>
    /// <returns>The architecture, with <see cref="ModelArchitecture.Source"/> = the source's name for the file.</returns>
    /// <exception cref="FileNotFoundException">The source has no such file.</exception>
    /// <exception cref="ModelFormatException">As for <see cref="Read(string, HfConfigReaderOptions?)"/>.</exception>
    /// <exception cref="NotSupportedException">The <c>model_type</c> is not a supported family.</exception>
    public static ModelArchitecture Read(Sources.IModelSource source, string path, HfConfigReaderOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(source);
        options ??= HfConfigReaderOptions.Default;
        string name = source.DisplayPath(path);
        using var stream = source.OpenRead(path);
        if (stream.CanSeek && stream.Length > options.MaxConfigBytes) ThrowTooLarge(stream.Length, name, options);
        var buffer = new MemoryStream();
        byte[] chunk = new byte[81920];
        while (true)
        {
            int n = stream.Read(chunk);
            if (n == 0) break;
            if (buffer.Length + n > options.MaxConfigBytes) ThrowTooLarge(buffer.Length + n, name, options);
            buffer.Write(chunk, 0, n);
        }

        return ParseUtf8(buffer.ToArray(), name, options);
    }

    /// <summary>Parses config JSON text.</summary>
    /// <param name="json">The JSON text of a <c>config.json</c>.</param>
    /// <param name="sourceName">File name used in error messages and <see cref="ModelArchitecture.Source"/>; may be null.</param>
    /// <param name="options">Limits; null = <see cref="HfConfigReaderOptions.Default"/>.</param>
    /// <returns>The architecture.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="json"/> is null.</exception>
    /// <exception cref="ModelFormatException">As for <see cref="Read(string, HfConfigReaderOptions?)"/>.</exception>
    /// <exception cref="NotSupportedException">The <c>model_type</c> is not a supported family.</exception>
    public static ModelArchitecture Parse(string json, string? sourceName, HfConfigReaderOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(json);
        options ??= HfConfigReaderOptions.Default;
        int byteCount = Encoding.UTF8.GetByteCount(json);
        if (byteCount > options.MaxConfigBytes)
        {
            ThrowTooLarge(byteCount, sourceName, options);
        }

        return ParseUtf8(Encoding.UTF8.GetBytes(json), sourceName, options);
    }

    /// <summary>Parses an already-parsed config object (for example the <c>text_config</c> of a wrapper, or a config embedded in another file).</summary>
    /// <param name="config">The config JSON object.</param>
    /// <param name="sourceName">File name used in error messages; may be null.</param>
    /// <param name="options">Limits; null = <see cref="HfConfigReaderOptions.Default"/>.</param>
    /// <returns>The architecture.</returns>
    /// <exception cref="ModelFormatException"><paramref name="config"/> is not an object, or as for <see cref="Read(string, HfConfigReaderOptions?)"/>.</exception>
    /// <exception cref="NotSupportedException">The <c>model_type</c> is not a supported family.</exception>
    public static ModelArchitecture Parse(JsonElement config, string? sourceName, HfConfigReaderOptions? options = null) =>
        HfConfigParser.Parse(config, sourceName, options ?? HfConfigReaderOptions.Default);

    private static byte[] ReadAll(FileStream stream, string path, HfConfigReaderOptions options)
    {
        long length = stream.Length;
        if (length > options.MaxConfigBytes)
        {
            ThrowTooLarge(length, path, options);
        }

        return new byte[length];
    }

    private static void ThrowTooLarge(long length, string? file, HfConfigReaderOptions options) =>
        throw new ModelFormatException(ModelFormatError.HeaderTooLarge,
            $"config.json is {length} bytes, above the limit of {options.MaxConfigBytes} bytes", file);

    private static ModelArchitecture ParseUtf8(ReadOnlyMemory<byte> utf8, string? file, HfConfigReaderOptions options)
    {
        ReadOnlySpan<byte> span = utf8.Span;
        if (span.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]))
        {
            utf8 = utf8[3..];
            span = utf8.Span;
        }

        if (DetectOtherFormat(span) is { } other)
        {
            throw new ModelFormatException(ModelFormatError.WrongFormat, $"config.json looks like {other}, not JSON", file, 0);
        }

        // Python's json writes NaN / Infinity literals; read them where counts do not use them (issue 13, class 8).
        JsonUtf8.Ensure(utf8.Span, file, "config.json");
        utf8 = HfConfigLiterals.QuoteNonFiniteLiterals(utf8);
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(utf8, new JsonDocumentOptions
            {
                MaxDepth = options.MaxDepth,
                AllowTrailingCommas = false,
                CommentHandling = JsonCommentHandling.Disallow,
                AllowDuplicateProperties = false,
            });
        }
        catch (JsonException e)
        {
            throw new ModelFormatException(ModelFormatError.InvalidJson,
                "config.json is " + JsonSyntaxError.Describe(e, utf8.Span), file, JsonSyntaxError.Offset(e, utf8.Span), inner: e);
        }

        using (doc)
        {
            return HfConfigParser.Parse(doc.RootElement, file, options);
        }
    }

    private static string? DetectOtherFormat(ReadOnlySpan<byte> b)
    {
        ReadOnlySpan<byte> t = b.TrimStart(" \t\r\n"u8);
        if (b.StartsWith("PK\x03\x04"u8)) return "a zip archive";
        if (b.Length >= 2 && b[0] == 0x1F && b[1] == 0x8B) return "a gzip stream";
        if (b.StartsWith("GGUF"u8)) return "a GGUF model file";
        if (t.StartsWith("<"u8)) return "an HTML/XML page (an error page from a download?)";
        return null;
    }
}
