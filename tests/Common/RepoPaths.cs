namespace LlmSize.Testing;

/// <summary>The one repository-root finder of the tests and benchmarks (linked into each project): the root is the
/// folder holding LlmSize.slnx, and the shared data folder (<c>../shared</c>) is beside it.</summary>
internal static class RepoPaths
{
    private static readonly Lazy<string> RootPath = new(() =>
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "LlmSize.slnx")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("LlmSize.slnx not found above " + AppContext.BaseDirectory);
    });

    /// <summary>The repository root (the folder holding LlmSize.slnx).</summary>
    public static string Root => RootPath.Value;

    /// <summary>The shared data folder: <c>../shared</c> relative to the repository root.</summary>
    public static string Shared => Path.GetFullPath(Path.Combine(Root, "..", "shared"));

    /// <summary>A path under the shared data folder.</summary>
    /// <param name="parts">Path parts below <c>../shared</c>.</param>
    /// <returns>The full path.</returns>
    public static string InShared(params string[] parts) => Path.Combine([Shared, .. parts]);
}
