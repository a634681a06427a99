using System.ComponentModel;
using LlmSize.Core.Sources;
using Spectre.Console.Cli;

namespace LlmSize.Cli.Commands;

/// <summary>
/// How every command that reads a model by name reaches remote repositories (<c>hf:org/name</c>, Hub URLs,
/// <c>ollama:name:tag</c>, <c>https://</c> file URLs): offline use of the header cache, whether a server that ignores
/// <c>Range</c> may stream a whole file, and a per-file request/byte table. The rest comes from the environment
/// (<c>HF_ENDPOINT</c>, <c>HF_TOKEN</c>, <c>HF_HUB_OFFLINE</c>, <c>LLMSIZE_CACHE_DIR</c>; see
/// <see cref="RemoteSourceOptions.FromEnvironment"/>).
/// </summary>
public abstract class ModelSourceSettings : CommandSettings
{
    /// <summary>Use only the header cache; never touch the network.</summary>
    [CommandOption("--offline")]
    [Description("Remote names answer only from the header cache (else the built-in catalog); nothing is fetched. Same as HF_HUB_OFFLINE=1.")]
    public bool Offline { get; init; }

    /// <summary>Allow reading from the start of a file whose server ignores <c>Range</c>.</summary>
    [CommandOption("--allow-full-download")]
    [Description("When a server ignores Range requests, read the file from its start up to the header's end (never the rest). Off: such a server is an error.")]
    public bool AllowFullDownload { get; init; }

    /// <summary>Print where the answer came from with requests and bytes per file.</summary>
    [CommandOption("-v|--verbose")]
    [Description("Show the requests and bytes read per remote file.")]
    public bool Verbose { get; init; }

    /// <summary>The remote options for this run: <paramref name="defaults"/> (the environment's) with the flags applied.</summary>
    /// <param name="defaults">Options from the environment or a test.</param>
    /// <returns>The options.</returns>
    internal RemoteSourceOptions RemoteOptions(RemoteSourceOptions defaults) =>
        defaults with
        {
            Offline = defaults.Offline || Offline,
            AllowFullDownload = defaults.AllowFullDownload || AllowFullDownload,
        };
}
