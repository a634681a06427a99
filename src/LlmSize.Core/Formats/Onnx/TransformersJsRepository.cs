using LlmSize.Core.Sources;
using System.Collections.Immutable;
using System.Text.Json;

namespace LlmSize.Core.Formats.Onnx;

/// <summary>One ONNX session file of a Transformers.js repository (e.g. <c>onnx/decoder_model_merged_q4.onnx</c>) with
/// the external-data files it needs.</summary>
/// <param name="Name">Session name without dtype suffix (<c>model</c>, <c>encoder_model</c>, <c>decoder_model_merged</c>).</param>
/// <param name="ModelFile">Full path of the .onnx file.</param>
/// <param name="DataFiles">Full paths of its external-data files (referenced by its tensors, or named
/// <c>&lt;file&gt;.onnx_data</c>, <c>&lt;file&gt;.onnx_data_1</c> …), in name order.</param>
/// <param name="DownloadBytes">Bytes of the .onnx file plus its data files.</param>
/// <param name="Model">The parsed header.</param>
public sealed record TransformersJsSession(string Name, string ModelFile, ImmutableArray<string> DataFiles, long DownloadBytes,
    OnnxModelInfo Model);

/// <summary>One Transformers.js <c>dtype</c> a repository offers: the files a page downloads when it asks for it.</summary>
/// <param name="Dtype">The Transformers.js dtype (<c>fp32</c>, <c>fp16</c>, <c>q8</c>, <c>int8</c>, <c>uint8</c>,
/// <c>q4</c>, <c>q4f16</c>, <c>bnb4</c>, and newer <c>q2</c>, <c>q2f16</c>, <c>q1</c>, <c>q1f16</c>).</param>
/// <param name="FileSuffix">The suffix Transformers.js appends to a session name for this dtype (<c>""</c>,
/// <c>"_fp16"</c>, <c>"_quantized"</c> …).</param>
/// <param name="Sessions">The session files of this dtype.</param>
/// <param name="IsComplete">True when every session name found in the repository has a file of this dtype.</param>
public sealed record TransformersJsVariant(string Dtype, string FileSuffix, ImmutableArray<TransformersJsSession> Sessions,
    bool IsComplete)
{
    /// <summary>Exact download size in bytes: all session files and their external data.</summary>
    public long DownloadBytes => Sessions.Sum(s => s.DownloadBytes);

    /// <summary>Logical parameters over all sessions (a weight shared by two sessions is counted in each).</summary>
    public long ParameterCount => Sessions.Sum(s => s.Model.ParameterCount);
}

/// <summary>A Transformers.js model repository: <c>config.json</c> plus <c>onnx/</c> files, one set per dtype.</summary>
/// <param name="Folder">Full path of the repository folder.</param>
/// <param name="ModelType"><c>model_type</c> of config.json, or null.</param>
/// <param name="Variants">One entry per dtype present, in Transformers.js's DATA_TYPES order.</param>
public sealed record TransformersJsRepositoryInfo(string Folder, string? ModelType, ImmutableArray<TransformersJsVariant> Variants);

/// <summary>
/// Reads a Transformers.js repository layout: which <c>dtype</c> values it offers and the exact bytes each downloads.
/// </summary>
/// <remarks>
/// File naming follows Transformers.js (<c>src/utils/dtypes.js</c>, <c>DEFAULT_DTYPE_SUFFIX_MAPPING</c>): a session
/// <c>X</c> of dtype fp32 is <c>onnx/X.onnx</c>, fp16 <c>X_fp16.onnx</c>, q8 <c>X_quantized.onnx</c>, int8
/// <c>X_int8.onnx</c>, uint8 <c>X_uint8.onnx</c>, q4 <c>X_q4.onnx</c>, q4f16 <c>X_q4f16.onnx</c>, bnb4
/// <c>X_bnb4.onnx</c> (and q2 / q2f16 / q1 / q1f16 in newer releases); external data is <c>X….onnx_data</c>,
/// <c>X….onnx_data_1</c>, ….
/// </remarks>
public static class TransformersJsRepository
{
    /// <summary>The dtypes in Transformers.js's DATA_TYPES order with their file suffixes.</summary>
    public static ImmutableArray<(string Dtype, string Suffix)> DtypeSuffixes { get; } =
    [
        ("fp32", ""), ("fp16", "_fp16"), ("q8", "_quantized"), ("int8", "_int8"), ("uint8", "_uint8"), ("q4", "_q4"),
        ("bnb4", "_bnb4"), ("q4f16", "_q4f16"), ("q2", "_q2"), ("q2f16", "_q2f16"), ("q1", "_q1"), ("q1f16", "_q1f16"),
    ];

    /// <summary>Reads the repository in <paramref name="folder"/>.</summary>
    /// <param name="folder">Folder holding <c>config.json</c> and <c>onnx/</c>.</param>
    /// <param name="options">ONNX reader limits; defaults when null.</param>
    /// <returns>One variant per dtype present.</returns>
    /// <exception cref="ArgumentException"><paramref name="folder"/> is empty.</exception>
    /// <exception cref="DirectoryNotFoundException">The folder does not exist.</exception>
    /// <exception cref="ModelFormatException"><c>config.json</c> or <c>onnx/</c> is missing (MissingFile), config.json
    /// is not JSON (InvalidJson), or an .onnx file is malformed.</exception>
    public static TransformersJsRepositoryInfo Read(string folder, OnnxReaderOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(folder);
        string root = Path.GetFullPath(folder);
        if (!Directory.Exists(root)) throw new DirectoryNotFoundException($"Folder '{root}' does not exist.");
        string config = Path.Combine(root, "config.json");
        if (!File.Exists(config))
        {
            throw new ModelFormatException(ModelFormatError.MissingFile, "a Transformers.js repository needs config.json",
                root, field: "config.json");
        }

        string onnxDir = Path.Combine(root, "onnx");
        if (!Directory.Exists(onnxDir))
        {
            throw new ModelFormatException(ModelFormatError.MissingFile, "a Transformers.js repository needs an onnx/ folder",
                root, field: "onnx");
        }

        string? modelType = ReadModelType(config);

        // Classify every .onnx file by its longest matching dtype suffix.
        var byDtype = new Dictionary<string, List<(string Session, string File)>>(StringComparer.Ordinal);
        var sessionNames = new SortedSet<string>(StringComparer.Ordinal);
        var suffixesLongestFirst = DtypeSuffixes.Where(d => d.Suffix.Length > 0).OrderByDescending(d => d.Suffix.Length).ToArray();
        foreach (string file in Directory.EnumerateFiles(onnxDir, "*.onnx").Order(StringComparer.Ordinal))
        {
            string stem = Path.GetFileNameWithoutExtension(file);
            string dtype = "fp32", session = stem;
            foreach (var (d, suffix) in suffixesLongestFirst)
            {
                if (stem.Length > suffix.Length && stem.EndsWith(suffix, StringComparison.Ordinal))
                {
                    dtype = d;
                    session = stem[..^suffix.Length];
                    break;
                }
            }

            sessionNames.Add(session);
            if (!byDtype.TryGetValue(dtype, out var list)) byDtype[dtype] = list = [];
            list.Add((session, file));
        }

        var variants = ImmutableArray.CreateBuilder<TransformersJsVariant>();
        foreach (var (dtype, suffix) in DtypeSuffixes)
        {
            if (!byDtype.TryGetValue(dtype, out var files)) continue;
            var sessions = ImmutableArray.CreateBuilder<TransformersJsSession>(files.Count);
            foreach (var (session, file) in files)
            {
                OnnxModelInfo model = OnnxReader.Read(file, options);
                var data = new SortedSet<string>(model.ExternalDataFiles, StringComparer.Ordinal);
                string name = Path.GetFileName(file);
                foreach (string side in Directory.EnumerateFiles(onnxDir, name + "_data*"))
                {
                    string tail = Path.GetFileName(side)[(name.Length + "_data".Length)..];
                    if (tail.Length == 0 || (tail[0] == '_' && tail.Length > 1 && tail[1..].All(char.IsAsciiDigit)))
                    {
                        data.Add(Path.GetFullPath(side));
                    }
                }

                long bytes = LocalFileGuard.GetLength(file) + data.Sum(LocalFileGuard.GetLength);
                sessions.Add(new TransformersJsSession(session, Path.GetFullPath(file), [.. data], bytes, model));
            }

            bool complete = sessionNames.All(n => files.Any(f => f.Session == n));
            variants.Add(new TransformersJsVariant(dtype, suffix, sessions.MoveToImmutable(), complete));
        }

        return new TransformersJsRepositoryInfo(root, modelType, variants.ToImmutable());
    }

    private static string? ReadModelType(string config)
    {
        try
        {
            byte[] json = LocalFileGuard.ReadAllBytes(config, HfConfig.HfConfigReaderOptions.Default.MaxConfigBytes);
            JsonUtf8.Ensure(json, config, "config.json");
            using var doc = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = 64 });
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw new ModelFormatException(ModelFormatError.InvalidJson, "config.json is not a JSON object", config);
            }

            return doc.RootElement.TryGetProperty("model_type", out var t) && t.ValueKind == JsonValueKind.String
                ? t.GetString()
                : null;
        }
        catch (JsonException ex)
        {
            throw new ModelFormatException(ModelFormatError.InvalidJson, "config.json is " + JsonSyntaxError.Describe(ex),
                config, inner: ex);
        }
    }
}
