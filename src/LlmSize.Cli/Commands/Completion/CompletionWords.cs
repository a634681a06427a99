using LlmSize.Cli.Infrastructure;
using LlmSize.Core.Devices;
using LlmSize.Core.Estimation;
using LlmSize.Core.Models.Catalog;

namespace LlmSize.Cli.Commands.Completion;

/// <summary>What a completion script completes, gathered once: the commands and options from Spectre.Console.Cli's model
/// of the commands (<see cref="CliModel"/>), device ids and model names from the built-in catalogs.</summary>
internal sealed record CompletionWords(
    IReadOnlyList<CompletionWords.CommandWords> Commands,
    IReadOnlyDictionary<string, IReadOnlyList<string>> Values,
    IReadOnlyList<string> Models)
{
    /// <summary>One command or branch: its path (<c>""</c> for the root, <c>lora size</c>), subcommands, options and what
    /// its first argument is.</summary>
    internal sealed record CommandWords(string Path, IReadOnlyList<string> Subcommands, IReadOnlyList<string> Options,
        IReadOnlyList<string> ValuedOptions, string Argument);

    /// <summary>Commands whose first argument is a model name (or a file/folder): they complete catalog names too.</summary>
    private static readonly HashSet<string> ModelCommands = new(StringComparer.Ordinal) { "inspect", "fit", "shrink", "distill", "lora size" };

    /// <summary>Gathers the words.</summary>
    public static CompletionWords Create()
    {
        var commands = new List<CommandWords>();
        Walk(CliModel.Root, string.Empty, commands);
        string[] devices = DeviceCatalog.Default.Profiles.Select(p => p.Id).Order(StringComparer.Ordinal).ToArray();
        var values = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal)
        {
            ["--device"] = devices,
            ["-d"] = devices,
            ["--runtime"] = Runtimes.All.Select(r => r.Id).ToArray(),
            ["-r"] = Runtimes.All.Select(r => r.Id).ToArray(),
            ["--network"] = NetworkClass.All.Select(n => n.Id).ToArray(),
            ["--browser"] = CustomDeviceBuilder.BrowserNames.ToArray(),
            ["--category"] = Enum.GetNames<DeviceCategory>(),
        };
        string[] models = ModelCatalog.Default.Entries.Select(e => e.Id).Order(StringComparer.Ordinal).ToArray();
        return new CompletionWords(commands, values, models);
    }

    private static void Walk(CliCommand command, string path, List<CommandWords> into)
    {
        string argument = path == "completion" ? "shell" : ModelCommands.Contains(path) ? "model" : command.Commands.Count > 0 ? "none" : "file";
        into.Add(new CommandWords(
            path,
            command.Commands.Select(c => c.Name).ToArray(),
            command.Options.SelectMany(o => o.Spellings).ToArray(),
            command.Options.Where(o => o.ValueName is not null).SelectMany(o => o.Spellings).ToArray(),
            argument));
        foreach (CliCommand sub in command.Commands) Walk(sub, path.Length == 0 ? sub.Name : path + " " + sub.Name, into);
    }
}
