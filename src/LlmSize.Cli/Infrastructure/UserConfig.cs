using System.Globalization;
using System.Text.Json;
using LlmSize.Cli.Commands.Fit;
using LlmSize.Core;
using LlmSize.Core.Devices;
using LlmSize.Core.Estimation;

namespace LlmSize.Cli.Infrastructure;

/// <summary>
/// The user's defaults from a JSON config file: <c>$LLMSIZE_CONFIG</c> if set, else
/// <c>$XDG_CONFIG_HOME/llmsize/config.json</c>, else <c>~/.config/llmsize/config.json</c> (the XDG Base Directory
/// rule). Keys: <c>runtime</c>, <c>network</c>, <c>context</c>, <c>device</c>; an option given on the command line wins.
/// </summary>
/// <param name="Path">The file read, or null when there is none.</param>
/// <param name="Runtime">Default <c>--runtime</c> (fit, shrink, distill).</param>
/// <param name="Network">Default <c>--network</c> (fit).</param>
/// <param name="Context">Default <c>--context</c> (fit, shrink).</param>
/// <param name="Device">Default <c>--device</c> (fit, shrink, distill) when no other device option is given.</param>
public sealed record UserConfig(string? Path, string? Runtime, string? Network, ContextOption? Context, string? Device)
{
    /// <summary>No config file.</summary>
    public static UserConfig None { get; } = new(null, null, null, null, null);

    /// <summary>The keys a config file may hold.</summary>
    public static readonly string[] Keys = ["runtime", "network", "context", "device"];

    /// <summary>Largest config file read, bytes (a few keys; anything bigger is not a config file).</summary>
    public const int MaxBytes = 64 * 1024;

    /// <summary>The config file's path by the environment, or null when no home or XDG directory is known.</summary>
    /// <param name="environment">Reads an environment variable (null = unset).</param>
    /// <returns>The path and whether <c>LLMSIZE_CONFIG</c> named it.</returns>
    public static (string? Path, bool Explicit) Locate(Func<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        if (environment("LLMSIZE_CONFIG") is { Length: > 0 } named) return (named, true);
        if (environment("XDG_CONFIG_HOME") is { Length: > 0 } xdg && System.IO.Path.IsPathRooted(xdg)) return (System.IO.Path.Combine(xdg, "llmsize", "config.json"), false);
        string? home = environment("HOME") is { Length: > 0 } h ? h : Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        return string.IsNullOrEmpty(home) ? (null, false) : (System.IO.Path.Combine(home, ".config", "llmsize", "config.json"), false);
    }

    /// <summary>Reads the config file the environment names (none = <see cref="None"/>).</summary>
    /// <param name="environment">Reads an environment variable.</param>
    /// <returns>The defaults.</returns>
    /// <exception cref="InputException">LLMSIZE_CONFIG names a file that does not exist.</exception>
    /// <exception cref="ModelFormatException">The file is not JSON, not an object, too big, or has an unknown key or a bad
    /// value (names the file and the field).</exception>
    public static UserConfig Load(Func<string, string?> environment)
    {
        var (path, named) = Locate(environment);
        if (path is null) return None;
        if (!File.Exists(path))
        {
            return named
                ? throw new InputException(InputErrorKind.NotFound, $"{path}: the config file LLMSIZE_CONFIG names does not exist")
                : None;
        }

        var info = new FileInfo(path);
        if (info.Length > MaxBytes)
            throw new ModelFormatException(ModelFormatError.HeaderTooLarge, $"config file is {info.Length} bytes; the limit is {MaxBytes}", path);
        return Parse(File.ReadAllBytes(path), path);
    }

    /// <summary>Parses a config file's bytes.</summary>
    /// <param name="utf8">The file.</param>
    /// <param name="path">Its path, for messages.</param>
    /// <returns>The defaults.</returns>
    /// <exception cref="ModelFormatException">As for <see cref="Load"/>.</exception>
    public static UserConfig Parse(ReadOnlySpan<byte> utf8, string path)
    {
        JsonDocument doc;
        try
        {
            var reader = new Utf8JsonReader(utf8, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true, MaxDepth = 8 });
            doc = JsonDocument.ParseValue(ref reader);
        }
        catch (JsonException e)
        {
            throw new ModelFormatException(ModelFormatError.InvalidJson, JsonSyntaxError.Describe(e, utf8), path, JsonSyntaxError.Offset(e, utf8), null, e);
        }

        using (doc)
        {
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
                throw new ModelFormatException(ModelFormatError.InvalidJson, "a config file is one JSON object, e.g. {\"runtime\": \"llama.cpp\", \"context\": \"8k\"}", path);
            string? runtime = null, network = null, device = null;
            ContextOption? context = null;
            foreach (JsonProperty p in doc.RootElement.EnumerateObject())
            {
                string value = p.Value.ValueKind switch
                {
                    JsonValueKind.String => p.Value.GetString()!,
                    JsonValueKind.Number when p.Name == "context" => p.Value.GetRawText(),
                    _ => throw Bad(path, p.Name, $"'{p.Name}' must be a string"),
                };
                switch (p.Name)
                {
                    case "runtime":
                        if (!Runtimes.TryFind(value, out _))
                            throw Bad(path, p.Name, $"unknown runtime '{value}'{UnknownNameException.DidYouMean(value, Runtimes.All.Select(r => r.Id))}; known: {string.Join(", ", Runtimes.All.Select(r => r.Id))}");
                        runtime = value;
                        break;
                    case "network":
                        if (!NetworkClass.TryParse(value, out _))
                            throw Bad(path, p.Name, $"'{value}' is not a network: use one of {string.Join(", ", NetworkClass.All.Select(n => n.Id))}, or a speed such as 50Mbps");
                        network = value;
                        break;
                    case "context":
                        try
                        {
                            context = ContextOptionConverter.Parse(value);
                        }
                        catch (FormatException e)
                        {
                            throw Bad(path, p.Name, e.Message.Replace("--context", "context", StringComparison.Ordinal));
                        }

                        break;
                    case "device":
                        device = value;
                        break;
                    default:
                        throw Bad(path, p.Name, string.Create(CultureInfo.InvariantCulture,
                            $"unknown key '{p.Name}'{UnknownNameException.DidYouMean(p.Name, Keys)}; a config file may set {string.Join(", ", Keys)}"));
                }
            }

            return new UserConfig(path, runtime, network, context, device);
        }
    }

    private static ModelFormatException Bad(string path, string field, string detail) =>
        new(ModelFormatError.InvalidValue, detail, path, null, field);
}

/// <summary>Reads the user's config once, when a command's settings first ask for it (so a bad file only fails the
/// commands that use it). Registered with Spectre's type registrar; settings take it in their constructor.</summary>
/// <param name="environment">Reads an environment variable; tests pass their own (a temp dir's config).</param>
public sealed class UserConfigSource(Func<string, string?> environment)
{
    private readonly Lazy<UserConfig> _config = new(() => UserConfig.Load(environment));

    /// <summary>The process environment.</summary>
    public static UserConfigSource FromEnvironment() => new(Environment.GetEnvironmentVariable);

    /// <summary>The defaults (loaded on first use).</summary>
    /// <exception cref="InputException">See <see cref="UserConfig.Load"/>.</exception>
    /// <exception cref="ModelFormatException">See <see cref="UserConfig.Load"/>.</exception>
    public UserConfig Value => _config.Value;
}
