using System.Reflection;
using LlmSize.Cli.Commands.Completion;
using LlmSize.Cli.Commands.Devices;
using LlmSize.Cli.Commands.Distill;
using LlmSize.Cli.Commands.Fit;
using LlmSize.Cli.Commands.Inspect;
using LlmSize.Cli.Commands.Lora;
using LlmSize.Cli.Commands.Measure;
using LlmSize.Cli.Commands.Models;
using LlmSize.Cli.Commands.Prune;
using LlmSize.Cli.Commands.Quantize;
using LlmSize.Cli.Commands.Serve;
using LlmSize.Cli.Commands.Share;
using LlmSize.Cli.Commands.Shrink;
using LlmSize.Cli.Infrastructure;
using LlmSize.Core;
using LlmSize.Core.Sources;
using Spectre.Console;
using Spectre.Console.Cli;

namespace LlmSize.Cli;

/// <summary>Builds the <c>llmsize</c> command tree; tests run it in-process with a test console.</summary>
public static class LlmSizeApp
{
    /// <summary>Creates the application, optionally writing to <paramref name="console"/> instead of the terminal.</summary>
    /// <param name="console">Console for results; null = standard output.</param>
    /// <param name="errorConsole">Console for error lines; null = standard error when <paramref name="console"/> is null,
    /// else <paramref name="console"/> itself (tests that read one combined transcript).</param>
    /// <returns>The configured application.</returns>
    /// <param name="remote">How remote names are read; null = <see cref="RemoteSourceOptions.FromEnvironment"/> (tests point
    /// it at a local hub).</param>
    /// <param name="userConfig">Where the user's defaults come from; null = <see cref="UserConfigSource.FromEnvironment"/>
    /// (tests pass a temp dir's config).</param>
    public static CommandApp Create(IAnsiConsole? console = null, IAnsiConsole? errorConsole = null, RemoteSourceOptions? remote = null, UserConfigSource? userConfig = null)
    {
        var app = new CommandApp();
        app.Configure(config => Configure(config, console, errorConsole, remote, userConfig));
        return app;
    }

    /// <summary>The tool's version as <c>llmsize --version</c> prints it: the assembly's informational version
    /// (<c>0.1.0+&lt;commit&gt;</c>).</summary>
    public static string InformationalVersion =>
        typeof(LlmSizeApp).Assembly.GetCustomAttribute<System.Reflection.AssemblyInformationalVersionAttribute>()?.InformationalVersion
        ?? typeof(LlmSizeApp).Assembly.GetName().Version?.ToString() ?? "?";

    /// <summary>True for exactly <c>--version</c> or <c>-v</c> with nothing else: the one request the entry point answers
    /// without building the command model.</summary>
    /// <param name="args">The command line.</param>
    /// <returns>Whether to print <see cref="InformationalVersion"/> and exit 0.</returns>
    public static bool IsBareVersionRequest(IReadOnlyList<string> args) => args is ["--version"] or ["-v"];

    /// <summary>Registers commands, the console and the error policy on <paramref name="config"/>.</summary>
    /// <param name="config">The configurator.</param>
    /// <param name="console">Console for results; null = standard output.</param>
    /// <param name="errorConsole">Console for error lines; null = standard error when <paramref name="console"/> is null,
    /// else <paramref name="console"/> itself.</param>
    /// <param name="remote">How remote names are read; null = <see cref="RemoteSourceOptions.FromEnvironment"/>.</param>
    /// <param name="userConfig">Where the user's defaults come from; null = <see cref="UserConfigSource.FromEnvironment"/>.</param>
    public static void Configure(IConfigurator config, IAnsiConsole? console = null, IAnsiConsole? errorConsole = null, RemoteSourceOptions? remote = null, UserConfigSource? userConfig = null)
    {
        config.SetApplicationName("llmsize");
        config.Settings.Registrar.RegisterInstance(remote ?? RemoteSourceOptions.FromEnvironment());
        config.Settings.Registrar.RegisterInstance(userConfig ?? UserConfigSource.FromEnvironment());

        // Errors go to standard error so that "llmsize fit … --json | jq" only ever sees JSON on standard output.
        errorConsole ??= console ?? AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
        if (console is null && Console.IsOutputRedirected)
        {
            // Piped or redirected output has no terminal to measure: honour COLUMNS when it is set (a user piping
            // into "less" at 80 columns says so), else use a wide console so that grep and files get every column
            // on one line. Interactive terminals keep their real width.
            var piped = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Out) });
            piped.Profile.Width = PipedWidth(Environment.GetEnvironmentVariable("COLUMNS"));
            console = piped;
        }

        // A redirected standard error (2>log) gets the same width, so one error stays on one line.
        if (Console.IsErrorRedirected && errorConsole.Profile.Out.Writer == Console.Error) errorConsole.Profile.Width = 200;

        config.SetApplicationVersion(InformationalVersion); // the CLI assembly's, also when a test host is the entry assembly
        config.UseStrictParsing(); // an unknown option is a usage error (exit 2), never silently ignored
        if (console is not null) config.ConfigureConsole(console);
        IAnsiConsole errors = errorConsole;
        config.SetExceptionHandler((ex, _) => HandleError(ex, errors));
        config.SetInterceptor(new CommandInterceptors(new MissingOptionValueInterceptor(), new StaleTempFileInterceptor(errors)));

        config.AddCommand<InspectCommand>("inspect")
            .WithDescription("Exact parameter count, size class and download size of a model file, folder or catalog name.")
            .WithExample("inspect", "gemma-2b")
            .WithExample("inspect", "model.gguf", "--json")
            .WithExample("inspect", "path/to/config.json")
            .WithExample("inspect", "hf:bartowski/Llama-3.2-1B-Instruct-GGUF")
            .WithExample("inspect", "ollama:llama3.2:1b", "--verbose");
        config.AddCommand<FitCommand>("fit")
            .WithDescription("Will the model run on a device, how fast, and how long is the download?")
            .WithExample("fit", "gemma-2b", "--device", "pixel-8")
            .WithExample("fit", "mistral-7b-v0.1", "--all-devices", "--runtime", "llama.cpp", "--quant", "Q4_K_M");
        config.AddCommand<MeasureCommand>("measure")
            .WithDescription("Run a GGUF model in llama.cpp on this CPU and set what it measures beside fit's prediction.")
            .WithExample("measure", "model.gguf", "--context", "2048", "--threads", "2");
        config.AddCommand<ModelsCommand>("models").WithDescription("The built-in model catalog with exact parameter counts and size classes.");
        config.AddCommand<ShrinkCommand>("shrink")
            .WithDescription("Rank the ways to make a model fit a device: quantization, pruning, smaller siblings.")
            .WithExample("shrink", "gemma-2b", "--device", "pixel-8");
        config.AddCommand<PruneCommand>("prune")
            .WithDescription("Magnitude pruning (unstructured or N:M) of a safetensors/GGUF file, written as safetensors.")
            .WithExample("prune", "model.safetensors", "pruned.safetensors", "--sparsity", "0.5")
            .WithExample("prune", "model.safetensors", "pruned.safetensors", "--pattern", "2:4");
        config.AddBranch("lora", lora =>
        {
            lora.SetDescription("LoRA adapters: size from the architecture, and merging into the base.");
            lora.SetDefaultCommand<LoraMissingSubcommand>(); // "llmsize lora" alone is a usage error (exit 2)
            lora.AddCommand<LoraSizeCommand>("size").WithDescription("Adapter size for a rank and target modules, and one base + N adapters vs N copies.")
                .WithExample("lora", "size", "llama-3-8b", "--rank", "16", "--targets", "q_proj,v_proj");
            lora.AddCommand<LoraMergeCommand>("merge").WithDescription("Merge an adapter into its base: W' = W + scaling·B·A, written as safetensors.")
                .WithExample("lora", "merge", "model.safetensors", "adapter/", "merged.safetensors");
        });
        config.AddCommand<ServeCommand>("serve")
            .WithDescription("The web page and JSON API on loopback (http://127.0.0.1:5080): inspect, fit, probe this browser.")
            .WithExample("serve", "--urls", "http://127.0.0.1:5080");
        config.AddCommand<ShareCommand>("share")
            .WithDescription("Tied and identical tensors in a file, and the ALBERT cross-layer sharing what-if.")
            .WithExample("share", "model.safetensors");
        config.AddCommand<DistillCommand>("distill")
            .WithDescription("Propose student configurations for distillation at a parameter budget or for a device (no training).")
            .WithExample("distill", "llama-3-8b", "--target-params", "1B");
        config.AddCommand<QuantizeCommand>("quantize")
            .WithDescription("Quantize a model into a GGUF of a llama.cpp type (byte-identical to llama-quantize), with a per-tensor error report.")
            .WithExample("quantize", "model-f16.gguf", "model-q4_0.gguf", "--type", "Q4_0")
            .WithExample("quantize", "model.safetensors", "model-q8_0.gguf", "--type", "Q8_0", "--json");
        config.AddCommand<CompletionCommand>("completion")
            .WithDescription("Print a shell completion script (bash, zsh, pwsh): commands, options, device ids and model names.")
            .WithExample("completion", "bash");
        config.AddBranch("devices", devices =>
        {
            devices.SetDescription("The device catalog.");
            devices.SetDefaultCommand<DevicesMissingSubcommand>(); // "llmsize devices" alone is a usage error (exit 2), not help + exit 1
            devices.AddCommand<DevicesListCommand>("list").WithDescription("List device profiles.");
            devices.AddCommand<DevicesShowCommand>("show").WithDescription("Show one device profile with its sources.");
        });
    }

    /// <summary>Width of redirected output when no terminal can be measured, in columns (200).</summary>
    /// <remarks>200 holds every table of every command with all its columns (tables choose columns by width), and bash
    /// does not export COLUMNS to child processes by default, so a pipe without it is usually a script or a file.</remarks>
    public const int DefaultPipedWidth = 200;

    /// <summary>The console width for redirected output: <paramref name="columns"/> (the <c>COLUMNS</c> environment
    /// variable) when it is a whole number from 20 to 10,000, else <see cref="DefaultPipedWidth"/>.</summary>
    /// <param name="columns">The value of <c>COLUMNS</c>, or null when unset.</param>
    /// <returns>Width in terminal columns.</returns>
    public static int PipedWidth(string? columns) =>
        int.TryParse(columns, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int n) && n is >= 20 and <= 10_000
            ? n
            : DefaultPipedWidth;

    /// <summary>Maps an exception to one readable line and an exit code by its kind: usage → 2; the user's input
    /// (<see cref="InputException"/>: unknown names, missing files, adapters, undisclosed models; malformed files
    /// <see cref="ModelFormatException"/>; unsupported formats; I/O failures) → 1; anything else is a bug in llmsize
    /// → 70 (EX_SOFTWARE), reported as such with a request to report it, never blamed on the input. Never a stack
    /// trace.</summary>
    internal static int HandleError(Exception ex, IAnsiConsole console)
    {
        // Spectre reports parse and conversion failures (e.g. "--context abc") as CommandParseException /
        // CommandRuntimeException: usage errors. Exceptions thrown by commands arrive unwrapped.
        Exception e = ex is System.Reflection.TargetInvocationException { InnerException: { } thrown } ? thrown : ex;
        // A settings constructor that reads the user's config file (UserConfigSource) and finds it bad reaches here
        // wrapped by Spectre's resolver ("Could not resolve type …") and by reflection; report the file's own error.
        for (Exception? inner = e.InnerException; e is CommandRuntimeException or System.Reflection.TargetInvocationException && inner is not null; inner = inner.InnerException)
        {
            if (inner is InputException or ModelFormatException)
            {
                e = inner;
                break;
            }
        }

        if (e is CommandRuntimeException { InnerException: FormatException { Message: ['-', '-', ..] } own })
        {
            // Our own option converters (TokenCountConverter) name the option and the accepted forms; Spectre's
            // wrapper only says "Failed to convert 'abc' to Nullable`1".
            e = own;
        }

        (int code, string message) = e switch
        {
            CommandParseException parse => (ExitCodes.Usage, ParseErrorAdvice.Explain(parse) ?? e.Message),
            CommandConfigurationException => (ExitCodes.Usage, e.Message),
            CommandRuntimeException => (ExitCodes.Usage, ReadableConversion(e.Message)),
            FormatException when !ReferenceEquals(e, ex) => (ExitCodes.Usage, e.Message),
            UsageException => (ExitCodes.Usage, e.Message),
            InputException { Kind: InputErrorKind.InvalidSetting } => (ExitCodes.Usage, e.Message),
            InputException or ModelFormatException or NotSupportedException or FileNotFoundException or DirectoryNotFoundException
                or UnauthorizedAccessException or IOException or InvalidDataException => (ExitCodes.BadInput, e.Message),
            OperationCanceledException => (ExitCodes.Cancelled, CliSR.Cancelled),
            _ => (ExitCodes.InternalError, string.Format(System.Globalization.CultureInfo.InvariantCulture, CliSR.UnexpectedError, e.GetType().Name, e.Message)),
        };
        WriteErrorLine(console, Clean(ParseErrorAdvice.MissingValue(message)));
        return code;
    }

    /// <summary>Writes one error as exactly one line, whatever the console width: straight to the console's writer,
    /// bypassing Spectre's wrapping (which would put "[ErrorCode]" on a second line when stderr is redirected); line
    /// breaks inside the message become spaces.</summary>
    internal static void WriteErrorLine(IAnsiConsole console, string message)
    {
        string oneLine = string.Join(' ', message.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        string label = console.Profile.Capabilities.Ansi ? "\u001b[31merror:\u001b[0m" : "error:";
        TextWriter writer = console.Profile.Out.Writer;
        writer.Write(label + " " + oneLine + "\n");
        writer.Flush();
    }

    /// <summary>Rewrites Spectre's "Failed to convert 'x' to Nullable`1." (numeric and enum options) into plain words.</summary>
    private static string ReadableConversion(string message)
    {
        var m = System.Text.RegularExpressions.Regex.Match(message, @"^Failed to convert '(.*)' to [^ ]+?\.(?: Valid values are (?:'', )?(.*))?$",
            System.Text.RegularExpressions.RegexOptions.Singleline);
        if (!m.Success) return message;
        return m.Groups[2].Success
            ? $"'{m.Groups[1].Value}' is not a valid value for this option; valid values are {m.Groups[2].Value.Trim()}."
            : $"'{m.Groups[1].Value}' is not a valid number for this option.";
    }

    /// <summary>Drops .NET's parameter-name and actual-value suffixes from argument exception messages.</summary>
    private static string Clean(string message)
    {
        string m = System.Text.RegularExpressions.Regex.Replace(message, @"\s*\(Parameter '[^']*'\)", string.Empty);
        m = System.Text.RegularExpressions.Regex.Replace(m, @"\s*Actual value was [^\n]*", string.Empty);
        return m.Trim();
    }
}

/// <summary>Default command of a branch (<c>devices</c>, <c>lora</c>): the branch alone names no action, so it is a usage
/// error (exit 2) naming the subcommands, where Spectre would print help and exit 1.</summary>
internal abstract class MissingSubcommand : Command
{
    /// <summary>The branch name, e.g. <c>devices</c>.</summary>
    protected abstract string Branch { get; }

    /// <summary>The branch's subcommands, comma-separated.</summary>
    protected abstract string Subcommands { get; }

    /// <inheritdoc />
    public override int Execute(CommandContext context, CancellationToken cancellationToken) =>
        throw new UsageException($"'llmsize {Branch}' needs a subcommand: {Subcommands} (see 'llmsize {Branch} --help').");
}

/// <summary><c>llmsize devices</c> without a subcommand.</summary>
internal sealed class DevicesMissingSubcommand : MissingSubcommand
{
    /// <inheritdoc />
    protected override string Branch => "devices";

    /// <inheritdoc />
    protected override string Subcommands => "list, show";
}

/// <summary><c>llmsize lora</c> without a subcommand.</summary>
internal sealed class LoraMissingSubcommand : MissingSubcommand
{
    /// <inheritdoc />
    protected override string Branch => "lora";

    /// <inheritdoc />
    protected override string Subcommands => "size, merge";
}

/// <summary>A usage error detected by a command (conflicting options, missing choice): exit code 2.</summary>
/// <param name="message">What is wrong with the command line.</param>
public sealed class UsageException(string message) : Exception(message);

/// <summary>Runs several interceptors in order (Spectre's configurator takes one).</summary>
internal sealed class CommandInterceptors(params ICommandInterceptor[] interceptors) : ICommandInterceptor
{
    /// <inheritdoc />
    public void Intercept(CommandContext context, CommandSettings settings)
    {
        foreach (ICommandInterceptor i in interceptors) i.Intercept(context, settings);
    }
}

/// <summary>Refuses an option whose value is missing at the end of the line (<c>llmsize fit x --device</c>). Spectre,
/// retrying the parse with a branch's default command, hands such an option its internal word
/// <c>__default_command</c> as the value; this names the option instead (usage error, exit 2).</summary>
internal sealed class MissingOptionValueInterceptor : ICommandInterceptor
{
    /// <inheritdoc />
    /// <exception cref="UsageException">An option holds Spectre's default-command word.</exception>
    public void Intercept(CommandContext context, CommandSettings settings)
    {
        if (Find(settings, "llmsize " + context.Name) is { } message) throw new UsageException(message);
    }

    /// <summary>The error line for the first option of <paramref name="settings"/> whose value is missing, or null.</summary>
    /// <param name="settings">Bound settings.</param>
    /// <param name="command">The command for the help hint, e.g. <c>llmsize fit</c>.</param>
    /// <returns>"--device needs a value (see 'llmsize fit --help')", or null.</returns>
    internal static string? Find(CommandSettings settings, string command)
    {
        foreach (var property in settings.GetType().GetProperties())
        {
            if (property.GetCustomAttributes(typeof(CommandOptionAttribute), true).FirstOrDefault() is not CommandOptionAttribute option) continue;
            if (property.GetValue(settings) is string value && value == ParseErrorAdvice.DefaultCommandWord)
            {
                string name = option.LongNames.Count > 0 ? "--" + option.LongNames[0] : "-" + option.ShortNames[0];
                return string.Format(System.Globalization.CultureInfo.InvariantCulture, CliSR.OptionNeedsValue, name, command);
            }
        }

        return null;
    }
}

/// <summary>Before quantize, prune and lora merge: names temporary files an earlier, interrupted run of this tool left
/// beside the output (<c>.&lt;output&gt;.llmsize-&lt;id&gt;.tmp</c>), as one warning line on standard error.</summary>
internal sealed class StaleTempFileInterceptor(IAnsiConsole errors) : ICommandInterceptor
{
    /// <inheritdoc />
    public void Intercept(CommandContext context, CommandSettings settings)
    {
        string? output = settings switch
        {
            QuantizeSettings q => q.Output,
            PruneSettings p => p.Output,
            LoraMergeSettings l => l.Output,
            _ => null,
        };
        if (string.IsNullOrWhiteSpace(output) || Directory.Exists(output)) return;
        var stale = LlmSize.Core.Sources.OutputFileGuard.FindStaleTempFiles(output);
        if (stale.Count == 0) return;
        string line = $"warning: {stale.Count} temporary file(s) of an interrupted earlier write are beside the output ({string.Join(", ", stale.Select(Path.GetFileName))}); delete them to free the space";
        TextWriter writer = errors.Profile.Out.Writer;
        writer.Write(line + "\n");
        writer.Flush();
    }
}
