namespace LlmSize.Benchmarks;

/// <summary>Finds the shared data folder beside the repository root (the folder holding LlmSize.slnx).</summary>
internal static class BenchmarkPaths
{
    /// <summary>A path under <c>../shared/fixtures</c> of the repository root.</summary>
    /// <exception cref="InvalidOperationException">LlmSize.slnx is not above the benchmark's folder.</exception>
    public static string Fixture(params string[] parts)
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "LlmSize.slnx"))) dir = dir.Parent;
        string root = dir?.FullName ?? throw new InvalidOperationException("LlmSize.slnx not found above " + AppContext.BaseDirectory);
        return Path.GetFullPath(Path.Combine([root, "..", "shared", "fixtures", .. parts]));
    }
}
