using System.Globalization;
using System.Text.RegularExpressions;
using LlmSize.Core;
using Spectre.Console;
using Spectre.Console.Cli;
using Spectre.Console.Rendering;

namespace LlmSize.Cli.Infrastructure;

/// <summary>
/// Turns Spectre.Console.Cli's parse errors into one line that names the nearest commands or options. Spectre's
/// message says only "Unknown command 'inspct'." and puts its own suggestion ("Did you mean 'inspect'?") and the
/// command line with a caret under the bad word into a multi-line <see cref="CommandAppException.Pretty"/>
/// rendering; this reads that rendering back (Spectre's suggestion first, else the nearest names of
/// <see cref="CliModel"/>).
/// </summary>
internal static partial class ParseErrorAdvice
{
    /// <summary>The word Spectre inserts when it retries a parse with a branch's default command; it reaches an option as
    /// its value when the option's value is missing at the end of the line (<c>llmsize fit x --device</c>).</summary>
    internal const string DefaultCommandWord = "__default_command";

    /// <summary>One line for <paramref name="e"/>, or null to keep Spectre's message.</summary>
    /// <param name="e">A parse or conversion error.</param>
    /// <returns>The line, or null.</returns>
    public static string? Explain(CommandRuntimeException e)
    {
        if (e.Pretty is null) return null;
        if (Read(e.Pretty) is not { } where) return null;
        string message = e.Message;
        if (message.StartsWith("Unknown command '", StringComparison.Ordinal)) return UnknownCommand(where);
        if (message.StartsWith("Unknown option '", StringComparison.Ordinal)) return UnknownOption(where);
        if (message.StartsWith("Unexpected option '", StringComparison.Ordinal))
        {
            string typed = where.Token;
            string hint = UnknownNameException.DidYouMean(typed, CliModel.Root.Options.SelectMany(o => o.Spellings));
            return Format(CliSR.OptionBeforeCommand, typed, hint);
        }

        return null;
    }

    /// <summary>Rewrites a message in which Spectre's default-command word stands for a missing option value.</summary>
    /// <param name="message">The message.</param>
    /// <returns>The message, or "--device needs a value".</returns>
    public static string MissingValue(string message)
    {
        if (!message.Contains(DefaultCommandWord, StringComparison.Ordinal)) return message;
        Match m = OptionBeforeDefaultWord().Match(message);
        return m.Success ? Format(CliSR.OptionNeedsValue, m.Groups[1].Value, "llmsize") : CliSR.AnOptionNeedsValue;
    }

    private static string UnknownCommand(Where where)
    {
        (CliCommand container, int words) = CliModel.Root.Walk(where.Before);
        string path = string.Join(' ', ["llmsize", .. where.Before.Take(words)]);
        string hint = where.SpectreSuggestion is { } s
            ? UnknownNameException.DidYouMean([s])
            : UnknownNameException.DidYouMean(where.Token, container.Commands.Select(c => c.Name));
        return Format(CliSR.UnknownCommand, where.Token, hint, path, string.Join(", ", container.Commands.Select(c => c.Name)));
    }

    private static string UnknownOption(Where where)
    {
        (CliCommand command, int words) = CliModel.Root.Walk(where.Before);
        string path = string.Join(' ', ["llmsize", .. where.Before.Take(words)]);
        string typed = where.Token.Split('=', 2)[0];
        string hint = UnknownNameException.DidYouMean(typed, command.Options.SelectMany(o => o.Spellings));
        return Format(CliSR.UnknownOption, typed, path, hint);
    }

    /// <summary>The bad word, the words before it and Spectre's own suggestion, read from the rendering.</summary>
    private sealed record Where(string Token, IReadOnlyList<string> Before, string? SpectreSuggestion);

    private static Where? Read(IRenderable pretty)
    {
        using var text = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
            Out = new AnsiConsoleOutput(text),
        });
        console.Profile.Width = 100_000;
        console.Write(pretty);

        // Layout (Spectre's CommandLineParseExceptionFactory): "Error: …", a blank line, the arguments indented by 7,
        // then carets under the bad word followed by the details.
        string[] lines = text.ToString().Replace("\r", string.Empty, StringComparison.Ordinal).Split('\n');
        int caretLine = Array.FindIndex(lines, l => l.TrimStart().StartsWith('^'));
        if (caretLine < 1) return null;
        string template = lines[caretLine - 1];
        string carets = lines[caretLine];
        int start = carets.IndexOf('^', StringComparison.Ordinal);
        int length = 0;
        while (start + length < carets.Length && carets[start + length] == '^') length++;
        if (start + length > template.Length) return null;
        string token = template.Substring(start, length);
        string before = template[..start].Trim();
        string details = carets[(start + length)..];
        Match suggestion = SpectreSuggestionPattern().Match(details);
        return new Where(token, before.Length == 0 ? [] : before.Split(' ', StringSplitOptions.RemoveEmptyEntries),
            suggestion.Success ? suggestion.Groups[1].Value : null);
    }

    private static string Format(string format, params object[] args) => string.Format(CultureInfo.InvariantCulture, format, args);

    [GeneratedRegex(@"Did you mean '([^']+)'")]
    private static partial Regex SpectreSuggestionPattern();

    [GeneratedRegex(@"(--?[A-Za-z0-9][A-Za-z0-9-]*)\s*'?" + DefaultCommandWord)]
    private static partial Regex OptionBeforeDefaultWord();
}
