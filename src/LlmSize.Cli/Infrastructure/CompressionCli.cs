using LlmSize.Core;
using LlmSize.Core.Estimation.Fit;
using LlmSize.Core.Models.Architectures;

namespace LlmSize.Cli.Infrastructure;

/// <summary>Helpers shared by the commands that need a model's architecture (distill, lora size).</summary>
internal static class CompressionCli
{
    /// <summary>Loads a model and returns its architecture.</summary>
    /// <param name="model">A path or catalog name.</param>
    /// <param name="cancellationToken">Cancels loading.</param>
    /// <returns>The architecture and display name.</returns>
    /// <exception cref="InputException">An adapter, an undisclosed model, or files without hyper-parameters.</exception>
    public static async Task<(ModelArchitecture Architecture, string Name)> LoadArchitectureAsync(string model, CancellationToken cancellationToken)
    {
        var inventory = await ModelLoader.LoadAsync(model, cancellationToken: cancellationToken);
        var architecture = FitPipeline.RequireArchitecture(inventory);
        return (architecture, inventory.ModelName ?? model);
    }

    /// <summary>Refuses a folder where one model file is needed, naming the files inside it that would do.</summary>
    /// <param name="path">The path given on the command line.</param>
    /// <param name="extensions">Accepted file extensions with the dot, e.g. ".gguf".</param>
    /// <exception cref="InputException"><paramref name="path"/> is an existing folder (exit 1, bad input).</exception>
    public static void RequireFile(string path, params string[] extensions)
    {
        if (!Directory.Exists(path)) return;
        var inside = Directory.EnumerateFiles(path)
            .Where(f => extensions.Any(e => f.EndsWith(e, StringComparison.OrdinalIgnoreCase)))
            .Select(Path.GetFileName).Order(StringComparer.Ordinal).ToList();
        string kinds = string.Join(" or ", extensions);
        string hint = inside.Count switch
        {
            0 => $" (it holds no {kinds} file)",
            <= 4 => $" ({string.Join(", ", inside)})",
            _ => $" ({string.Join(", ", inside.Take(4))} and {inside.Count - 4} more)",
        };
        throw new InputException(InputErrorKind.InvalidRequest, $"'{path}' is a folder; give the {kinds} file inside it{hint}.");
    }
}
