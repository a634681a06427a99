using System.Text.RegularExpressions;

namespace LlmSize.Core.Tests.Infrastructure;

/// <summary>The architecture rules of docs/ARCHITECTURE.md, checked on the sources so they stay true.</summary>
public sealed partial class LayeringTests
{
    private static IEnumerable<(string Path, string Text)> Sources(params string[] under) =>
        under.SelectMany(u => Directory.EnumerateFiles(Path.Combine(TestPaths.RepoRoot, "src", u), "*.cs", SearchOption.AllDirectories))
            .Where(p => !p.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                && !p.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .Select(p => (p, File.ReadAllText(p)));

    [GeneratedRegex(@"\.Id\s*[!=]=\s*Runtimes\.|Runtimes\.\w+\.Id\b|case\s+""(webllm|llama\.cpp|transformers\.js|onnxruntime|mediapipe)""|\.Id\s*[!=]=\s*""(webllm|llama\.cpp|transformers\.js|onnxruntime|mediapipe)""")]
    private static partial Regex RuntimeIdComparison();

    [Fact]
    public void No_runtime_id_comparisons_outside_the_runtime_types()
    {
        var offenders = Sources("LlmSize.Core", "LlmSize.Cli")
            .Where(s => !s.Path.Contains(Path.Combine("Estimation", "Runtimes"), StringComparison.Ordinal))
            .Where(s => RuntimeIdComparison().IsMatch(s.Text))
            .Select(s => Path.GetRelativePath(TestPaths.RepoRoot, s.Path))
            .ToList();
        Assert.Empty(offenders);
    }

    [Fact]
    public void Formats_know_nothing_of_devices_or_estimation_and_devices_do_no_estimation()
    {
        var offenders = Sources(Path.Combine("LlmSize.Core", "Formats"), Path.Combine("LlmSize.Core", "Devices"))
            .Where(s => s.Text.Contains("using LlmSize.Core.Estimation", StringComparison.Ordinal)
                || (s.Path.Contains(Path.Combine("Core", "Formats"), StringComparison.Ordinal) && s.Text.Contains("using LlmSize.Core.Devices", StringComparison.Ordinal)))
            .Select(s => Path.GetRelativePath(TestPaths.RepoRoot, s.Path))
            .ToList();
        Assert.Empty(offenders);
    }

    [Fact]
    public void The_core_has_no_console_or_http_server()
    {
        var offenders = Sources("LlmSize.Core")
            .Where(s => s.Text.Contains("Spectre.Console", StringComparison.Ordinal) || s.Text.Contains("Microsoft.AspNetCore", StringComparison.Ordinal)
                || s.Text.Contains("Console.Write", StringComparison.Ordinal))
            .Select(s => Path.GetRelativePath(TestPaths.RepoRoot, s.Path))
            .ToList();
        Assert.Empty(offenders);
    }
}
