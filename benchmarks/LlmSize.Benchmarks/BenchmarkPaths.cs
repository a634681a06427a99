namespace LlmSize.Benchmarks;

/// <summary>Paths of the shared data folder beside the repository root, through the one finder
/// (<see cref="LlmSize.Testing.RepoPaths"/>).</summary>
internal static class BenchmarkPaths
{
    /// <summary>A path under <c>../shared/fixtures</c> of the repository root.</summary>
    /// <exception cref="InvalidOperationException">LlmSize.slnx is not above the benchmark's folder.</exception>
    public static string Fixture(params string[] parts) => LlmSize.Testing.RepoPaths.InShared(["fixtures", .. parts]);
}
