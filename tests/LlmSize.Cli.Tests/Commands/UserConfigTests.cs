using System.Diagnostics;
using System.Text.Json;
using LlmSize.Cli.Infrastructure;
using Spectre.Console.Testing;

namespace LlmSize.Cli.Tests.Commands;

/// <summary>Issue 17, item 8: the user config file (LLMSIZE_CONFIG, else $XDG_CONFIG_HOME/llmsize/config.json, else
/// ~/.config/llmsize/config.json) gives defaults; command-line options win; a bad file is one line naming file and field.</summary>
public sealed class UserConfigTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("llmsize-config-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Config(string json)
    {
        string path = Path.Combine(_dir, "config.json");
        File.WriteAllText(path, json);
        return path;
    }

    /// <summary>Runs in-process with an environment of its own (the process environment is shared by parallel tests).</summary>
    private static (int Code, string Output, string Error) Run(Dictionary<string, string> env, params string[] args)
    {
        var output = new TestConsole().Width(250);
        output.Profile.Capabilities.Ansi = false;
        var error = new TestConsole().Width(250);
        error.Profile.Capabilities.Ansi = false;
        var source = new UserConfigSource(name => env.TryGetValue(name, out string? v) ? v : null);
        int code = LlmSizeApp.Create(output, error, userConfig: source).Run(args);
        return (code, output.Output, error.Output);
    }

    private Dictionary<string, string> Env(string json) => new() { ["LLMSIZE_CONFIG"] = Config(json), ["HOME"] = _dir };

    private static JsonElement FitJson(string output) => JsonDocument.Parse(output).RootElement[0];

    [Fact]
    public void Config_gives_runtime_context_network_and_device_defaults()
    {
        var env = Env("""{"runtime": "webllm", "context": "2k", "network": "4g", "device": "pixel-8"}""");
        var (code, output, error) = Run(env, "fit", "llama-3.2-1b", "--json");
        Assert.True(code == 0, error);
        JsonElement fit = FitJson(output);
        Assert.Equal("pixel-8", fit.GetProperty("device").GetString());
        Assert.Equal("webllm", fit.GetProperty("runtime").GetString());
        Assert.Equal(2048, fit.GetProperty("requested").GetProperty("contextTokens").GetInt64()); // "2k" = 2 × 1024

        (code, output, error) = Run(env, "shrink", "gemma-2b", "--json");
        Assert.True(code == 0, error);
        using var shrink = JsonDocument.Parse(output);
        Assert.Equal("pixel-8", shrink.RootElement.GetProperty("device").GetString());
        Assert.Equal("webllm", shrink.RootElement.GetProperty("runtime").GetString());
    }

    [Fact]
    public void Command_line_options_win_over_the_config()
    {
        var env = Env("""{"runtime": "webllm", "context": "2k", "device": "pixel-8"}""");
        var (code, output, error) = Run(env, "fit", "llama-3.2-1b", "--device", "iphone-15", "--runtime", "llama.cpp", "--context", "4096", "--json");
        Assert.True(code == 0, error);
        JsonElement fit = FitJson(output);
        Assert.Equal("iphone-15", fit.GetProperty("device").GetString());
        Assert.Equal("llama.cpp", fit.GetProperty("runtime").GetString());
        Assert.Equal(4096, fit.GetProperty("requested").GetProperty("contextTokens").GetInt64());

        // Any other way of naming a device replaces the config's device instead of conflicting with it.
        (code, output, error) = Run(env, "fit", "llama-3.2-1b", "--ram", "8GiB", "--bandwidth", "50GB/s", "--json");
        Assert.True(code == 0, error);
        Assert.Equal("custom", FitJson(output).GetProperty("device").GetString()!.Split('-')[0]);
        (code, _, error) = Run(env, "fit", "llama-3.2-1b", "--all-devices", "--json");
        Assert.True(code == 0, error);
        (code, output, error) = Run(env, "distill", "llama-3.1-8b", "--target-params", "1B", "--json");
        Assert.True(code == 0, error);
        Assert.Contains("llmsize.distill/v1", output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"runtme": "webllm"}""", "unknown key 'runtme' (did you mean runtime?)", "field 'runtme'")]
    [InlineData("""{"runtime": "webgpu"}""", "unknown runtime 'webgpu' (did you mean webllm?)", "field 'runtime'")]
    [InlineData("""{"context": "abc"}""", "context 'abc' is not a token count", "field 'context'")]
    [InlineData("""{"network": 5}""", "'network' must be a string", "field 'network'")]
    [InlineData("""{"device": """, "not valid JSON: the text ends before the JSON is complete", "line 1, byte 12")]
    [InlineData("""["runtime"]""", "a config file is one JSON object", "config.json")]
    public void A_bad_config_file_is_one_line_naming_the_file_and_field(string json, string expected, string where)
    {
        var env = Env(json);
        var (code, output, error) = Run(env, "fit", "gemma-2b", "--device", "pixel-8");
        Assert.Equal(1, code);
        Assert.Empty(output);
        string[] lines = error.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Single(lines);
        Assert.Contains(env["LLMSIZE_CONFIG"], lines[0], StringComparison.Ordinal);
        Assert.Contains(expected, lines[0], StringComparison.Ordinal);
        Assert.Contains(where, lines[0], StringComparison.Ordinal);
    }

    [Fact]
    public void An_unknown_config_device_names_the_file_and_suggests()
    {
        var (code, _, error) = Run(Env("""{"device": "pixl-8"}"""), "fit", "gemma-2b");
        Assert.Equal(1, code);
        Assert.Contains("unknown device 'pixl-8'; did you mean pixel-8?", error, StringComparison.Ordinal);
        Assert.Contains("field 'device'", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Config_is_found_by_xdg_then_home_and_a_missing_named_file_is_an_error()
    {
        Assert.Equal((Path.Combine("/x", "llmsize", "config.json"), false), UserConfig.Locate(n => n == "XDG_CONFIG_HOME" ? "/x" : n == "HOME" ? "/h" : null));
        Assert.Equal((Path.Combine("/h", ".config", "llmsize", "config.json"), false), UserConfig.Locate(n => n == "HOME" ? "/h" : null));
        Assert.Equal(("/c.json", true), UserConfig.Locate(n => n switch { "LLMSIZE_CONFIG" => "/c.json", "XDG_CONFIG_HOME" => "/x", _ => null }));

        // XDG_CONFIG_HOME with a config file; no file at all is no config, not an error.
        Directory.CreateDirectory(Path.Combine(_dir, "llmsize"));
        File.WriteAllText(Path.Combine(_dir, "llmsize", "config.json"), """{"device": "pixel-8"}""");
        var (code, output, error) = Run(new() { ["XDG_CONFIG_HOME"] = _dir }, "fit", "gemma-2b", "--json");
        Assert.True(code == 0, error);
        Assert.Equal("pixel-8", FitJson(output).GetProperty("device").GetString());
        (code, _, _) = Run(new() { ["HOME"] = Path.Combine(_dir, "empty-home") }, "fit", "gemma-2b", "--device", "pixel-8");
        Assert.Equal(0, code);

        (code, _, error) = Run(new() { ["LLMSIZE_CONFIG"] = Path.Combine(_dir, "nope.json") }, "fit", "gemma-2b", "--device", "pixel-8");
        Assert.Equal(1, code);
        Assert.Contains("nope.json: the config file LLMSIZE_CONFIG names does not exist", error, StringComparison.Ordinal);
    }

    [Fact]
    public void The_real_process_reads_LLMSIZE_CONFIG()
    {
        string path = Config("""{"device": "galaxy-a15", "runtime": "llama.cpp"}""");
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "llmsize.dll"));
        foreach (string a in new[] { "fit", "gemma-2b", "--json" }) psi.ArgumentList.Add(a);
        psi.Environment["LLMSIZE_CONFIG"] = path;
        using var p = Process.Start(psi)!;
        string stdout = p.StandardOutput.ReadToEnd(), stderr = p.StandardError.ReadToEnd();
        p.WaitForExit();
        Assert.True(p.ExitCode == 0, stderr);
        Assert.Equal("galaxy-a15", FitJson(stdout).GetProperty("device").GetString());
    }
}
