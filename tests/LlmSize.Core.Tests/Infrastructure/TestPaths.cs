namespace LlmSize.Core.Tests.Infrastructure;

/// <summary>Locates the repository root and the shared data folder beside it (<c>../shared</c> from the root).</summary>
public static class TestPaths
{
    private static readonly Lazy<string> Root = new(() =>
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "LlmSize.slnx")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("LlmSize.slnx not found above " + AppContext.BaseDirectory);
    });

    /// <summary>The repository root (the folder holding LlmSize.slnx).</summary>
    public static string RepoRoot => Root.Value;

    /// <summary>The shared data folder: <c>../shared</c> relative to the repository root.</summary>
    public static string Shared => Path.GetFullPath(Path.Combine(RepoRoot, "..", "shared"));

    /// <summary>A path under <c>../shared/fixtures</c>.</summary>
    public static string Fixture(params string[] parts) => Path.Combine([Shared, "fixtures", .. parts]);

    /// <summary>A path under <c>../shared/reference</c>.</summary>
    public static string Reference(string name) => Path.Combine(Shared, "reference", name);
}
