using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using Spectre.Console;

namespace LlmSize.Cli.Infrastructure;

/// <summary>Writes results as indented JSON (camelCase, enums as strings) to the injected console.</summary>
internal static class JsonOutput
{
    /// <summary>The serializer options used for every <c>--json</c> output.</summary>
    public static readonly JsonSerializerOptions Options = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        NumberHandling = JsonNumberHandling.Strict,
    };

    /// <summary>Serializes <paramref name="value"/> and writes it unformatted (no markup parsing).</summary>
    public static void Write<T>(IAnsiConsole console, T value)
    {
        string json = JsonSerializer.Serialize(value, Options);
        console.Profile.Width = Math.Max(console.Profile.Width, 1000);
        console.WriteLine(json, Style.Plain);
    }
}
