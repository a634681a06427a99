using LlmSize.Testing;

namespace LlmSize.Core.Tests.Infrastructure;

/// <summary>Paths of the repository and of the shared data folder beside it, through <see cref="RepoPaths"/>.</summary>
public static class TestPaths
{
    /// <summary>The repository root (the folder holding LlmSize.slnx).</summary>
    public static string RepoRoot => RepoPaths.Root;

    /// <summary>The shared data folder: <c>../shared</c> relative to the repository root.</summary>
    public static string Shared => RepoPaths.Shared;

    /// <summary>A path under <c>../shared/fixtures</c>.</summary>
    public static string Fixture(params string[] parts) => RepoPaths.InShared(["fixtures", .. parts]);

    /// <summary>A path under <c>../shared/reference</c>.</summary>
    public static string Reference(string name) => RepoPaths.InShared("reference", name);
}
