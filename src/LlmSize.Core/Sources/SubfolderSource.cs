namespace LlmSize.Core.Sources;

/// <summary>A folder inside another source (<c>hf:org/name/onnx</c>, a Hub <c>/tree/main/sub</c> URL): paths are
/// relative to the folder; reads and counts go to the parent.</summary>
internal sealed class SubfolderSource(IModelSource parent, string folder) : IModelSource
{
    private readonly string _prefix = folder.Trim('/') + "/";

    /// <inheritdoc />
    public int MaxParallelReads => parent.MaxParallelReads;

    public string DisplayName => $"{parent.DisplayName}/{_prefix.TrimEnd('/')}";

    public SourceStatistics Statistics => parent.Statistics;

    public string? Origin => parent.Origin;

    public string? Commit => parent.Commit;

    public IReadOnlyList<ModelSourceFile> ListFiles() =>
        parent.ListFiles().Where(f => f.Path.StartsWith(_prefix, StringComparison.Ordinal))
            .Select(f => f with { Path = f.Path[_prefix.Length..] }).ToList();

    public bool Exists(string path) => parent.Exists(_prefix + path);

    public long GetLength(string path) => parent.GetLength(_prefix + path);

    public Stream OpenRead(string path) => parent.OpenRead(_prefix + path);

    public Stream OpenRead(string path, int expectedHeaderBytes) => parent.OpenRead(_prefix + path, expectedHeaderBytes);

    public string? LocalPath(string path) => parent.LocalPath(_prefix + path);

    public string DisplayPath(string path) => parent.DisplayPath(_prefix + path);
}
