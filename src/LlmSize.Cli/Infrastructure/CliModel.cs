using System.Xml.Linq;
using Spectre.Console;

namespace LlmSize.Cli.Infrastructure;

/// <summary>One option of a command as Spectre.Console.Cli models it.</summary>
/// <param name="LongNames">Long names without dashes (<c>device</c>).</param>
/// <param name="ShortNames">Short names without the dash (<c>d</c>).</param>
/// <param name="ValueName">The value's placeholder (<c>DEVICE</c>), or null for a flag.</param>
/// <param name="Description">The help text.</param>
internal sealed record CliOption(IReadOnlyList<string> LongNames, IReadOnlyList<string> ShortNames, string? ValueName, string Description)
{
    /// <summary>Every spelling with its dashes: <c>--device</c>, <c>-d</c>.</summary>
    public IEnumerable<string> Spellings => LongNames.Select(n => "--" + n).Concat(ShortNames.Select(n => "-" + n));
}

/// <summary>A command or branch of <c>llmsize</c> as Spectre.Console.Cli models it.</summary>
/// <param name="Name">The name typed (<c>fit</c>); empty for the root.</param>
/// <param name="Description">The help text.</param>
/// <param name="Options">Its options (inherited ones included, as Spectre lists them).</param>
/// <param name="Commands">Its subcommands (a branch's), hidden and default commands left out.</param>
internal sealed record CliCommand(string Name, string Description, IReadOnlyList<CliOption> Options, IReadOnlyList<CliCommand> Commands)
{
    /// <summary>The subcommand named <paramref name="name"/> (case-insensitive), or null.</summary>
    public CliCommand? Find(string name) => Commands.FirstOrDefault(c => string.Equals(c.Name, name, StringComparison.OrdinalIgnoreCase));

    /// <summary>The command the leading words of <paramref name="words"/> name (<c>lora size …</c> → <c>size</c>), and how
    /// many words that took; stops at the first word that is not a subcommand.</summary>
    public (CliCommand Command, int Words) Walk(IReadOnlyList<string> words)
    {
        CliCommand current = this;
        int i = 0;
        while (i < words.Count && current.Find(words[i]) is { } next)
        {
            current = next;
            i++;
        }

        return (current, i);
    }
}

/// <summary>
/// The command tree of <c>llmsize</c>, read from Spectre.Console.Cli's own model of it (its built-in
/// <c>llmsize cli xmldoc</c> output), so that error suggestions and shell completion never drift from the
/// registration in <see cref="LlmSizeApp.Configure"/>.
/// </summary>
internal static class CliModel
{
    private static readonly Lazy<CliCommand> RootModel = new(Load, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>The root: the top-level commands and the application's own options (<c>--help</c>, <c>--version</c>).</summary>
    public static CliCommand Root => RootModel.Value;

    private static CliCommand Load()
    {
        using var text = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
            Out = new AnsiConsoleOutput(text),
        });
        console.Profile.Width = 1_000_000; // the XML must not be wrapped
        int code = LlmSizeApp.Create(console, console).Run(["cli", "xmldoc"]);
        if (code != 0) throw new InvalidOperationException("Spectre.Console.Cli's model of the commands could not be read (cli xmldoc exited " + code + ").");
        XElement model = XDocument.Parse(text.ToString()).Root!;
        CliOption[] appOptions =
        [
            new(["help"], ["h"], null, "Prints help information."),
            new(["version"], ["v"], null, "Prints version information."),
        ];
        return new CliCommand(string.Empty, string.Empty, appOptions, Commands(model));
    }

    private static List<CliCommand> Commands(XElement parent) =>
        parent.Elements("Command")
            .Where(c => (string?)c.Attribute("Name") is { } name && !name.StartsWith("__", StringComparison.Ordinal) && (string?)c.Attribute("Hidden") != "true")
            .Select(c => new CliCommand(
                (string)c.Attribute("Name")!,
                Normalize((string?)c.Element("Description")),
                Options(c),
                Commands(c)))
            .ToList();

    private static List<CliOption> Options(XElement command)
    {
        var options = new List<CliOption> { new(["help"], ["h"], null, "Prints help information.") };
        foreach (XElement o in command.Element("Parameters")?.Elements("Option") ?? [])
        {
            string value = (string?)o.Attribute("Value") ?? "NULL";
            options.Add(new CliOption(
                Split((string?)o.Attribute("Long")),
                Split((string?)o.Attribute("Short")),
                value == "NULL" ? null : value,
                Normalize((string?)o.Element("Description"))));
        }

        return options;
    }

    private static string[] Split(string? names) =>
        (names ?? string.Empty).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    private static string Normalize(string? text) =>
        string.Join(' ', (text ?? string.Empty).Split((char[])['\r', '\n', ' ', '\t'], StringSplitOptions.RemoveEmptyEntries));
}
