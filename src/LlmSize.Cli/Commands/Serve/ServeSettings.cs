using System.ComponentModel;
using Spectre.Console;
using Spectre.Console.Cli;

namespace LlmSize.Cli.Commands.Serve;

/// <summary>Options of <c>llmsize serve</c>.</summary>
public sealed class ServeSettings : CommandSettings
{
    /// <summary>Addresses to listen on (';'-separated); default loopback only, http://127.0.0.1:5080.</summary>
    [CommandOption("--urls <URLS>")]
    [Description("Addresses to listen on, ';'-separated (default http://127.0.0.1:5080, loopback only).")]
    public string Urls { get; init; } = LlmSize.Web.WebOptions.DefaultUrls;

    /// <summary>Requests per minute per client address on /api.</summary>
    [CommandOption("--rate-limit <N>")]
    [Description("Requests per minute per client address on /api (default 120).")]
    public int RateLimit { get; init; } = 120;

    /// <inheritdoc />
    public override ValidationResult Validate()
    {
        foreach (string url in Urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!Uri.TryCreate(url.Replace("*", "0.0.0.0", StringComparison.Ordinal).Replace("+", "0.0.0.0", StringComparison.Ordinal), UriKind.Absolute, out var u)
                || u.Scheme is not ("http" or "https"))
            {
                return ValidationResult.Error($"--urls: '{url}' is not an http(s) address such as http://127.0.0.1:5080");
            }
        }

        return RateLimit < 1 ? ValidationResult.Error("--rate-limit must be at least 1") : ValidationResult.Success();
    }
}
