using System.Diagnostics;

namespace LlmSize.Cli.Tests.Commands;

/// <summary>Issue 17, item 8: <c>llmsize completion bash|zsh|pwsh</c> prints a script generated from the command model
/// and the catalogs; the bash script is valid (<c>bash -n</c>) and completes in a real bash.</summary>
public sealed class CompletionTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("llmsize-completion-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Script(string shell)
    {
        var (code, output, error) = CliRunner.RunSplit("completion", shell);
        Assert.True(code == 0, error);
        string path = Path.Combine(_dir, "llmsize." + shell);
        File.WriteAllText(path, output);
        return path;
    }

    private static (int Code, string Out, string Err) Bash(params string[] args)
    {
        var psi = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        string o = p.StandardOutput.ReadToEnd(), e = p.StandardError.ReadToEnd();
        p.WaitForExit();
        return (p.ExitCode, o, e);
    }

    /// <summary>What bash's completion function offers for a command line whose last word is being typed.</summary>
    private string[] Complete(string script, params string[] words)
    {
        // COMP_WORDS / COMP_CWORD as bash's programmable completion sets them (bash manual, "Programmable Completion").
        string array = string.Join(' ', words.Select(w => "'" + w + "'"));
        string program = $"source '{script}'; COMP_WORDS=({array}); COMP_CWORD={words.Length - 1}; cd '{_dir}'; _llmsize; printf '%s\\n' \"${{COMPREPLY[@]}}\"";
        var (code, output, error) = Bash("-c", program);
        Assert.True(code == 0, error);
        return output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
    }

    [Fact]
    public void Bash_script_is_valid_and_completes_commands_options_and_names()
    {
        string script = Script("bash");
        var (code, _, error) = Bash("-n", script);
        Assert.True(code == 0, "bash -n: " + error);

        Assert.Equal(["fit"], Complete(script, "llmsize", "fi"));
        Assert.Equal(["list"], Complete(script, "llmsize", "devices", "l"));
        Assert.Equal(["size"], Complete(script, "llmsize", "lora", "s"));
        Assert.Equal(["--device", "--device-file"], Complete(script, "llmsize", "fit", "gemma-2b", "--dev"));
        Assert.Contains("--this-machine", Complete(script, "llmsize", "shrink", "gemma-2b", "--"));
        Assert.Contains("pixel-8", Complete(script, "llmsize", "fit", "gemma-2b", "--device", "pix"));
        Assert.Contains("llama.cpp", Complete(script, "llmsize", "fit", "gemma-2b", "--runtime", ""));
        Assert.Contains("wifi6", Complete(script, "llmsize", "fit", "gemma-2b", "--network", "wi"));
        Assert.Contains("gemma-2b", Complete(script, "llmsize", "inspect", "gem"));
        Assert.Equal(["bash"], Complete(script, "llmsize", "completion", "ba"));
        Assert.Equal(["--version"], Complete(script, "llmsize", "--ver"));
    }

    [Fact]
    public void Scripts_name_every_command_device_and_model()
    {
        foreach (string shell in new[] { "bash", "zsh", "pwsh" })
        {
            string text = File.ReadAllText(Script(shell));
            foreach (string command in new[] { "inspect", "fit", "shrink", "distill", "quantize", "devices", "completion", "--device-file" })
                Assert.Contains(command, text, StringComparison.Ordinal);
            foreach (var d in LlmSize.Core.Devices.DeviceCatalog.Default.Profiles) Assert.Contains(d.Id, text, StringComparison.Ordinal);
            foreach (var m in LlmSize.Core.Models.Catalog.ModelCatalog.Default.Entries) Assert.Contains(m.Id, text, StringComparison.Ordinal);
        }

        Assert.Contains("bashcompinit", File.ReadAllText(Script("zsh")), StringComparison.Ordinal);
        Assert.Contains("Register-ArgumentCompleter -Native -CommandName llmsize", File.ReadAllText(Script("pwsh")), StringComparison.Ordinal);
    }

    [Fact]
    public void Unknown_shell_is_a_usage_error_with_a_suggestion()
    {
        var (code, output, error) = CliRunner.RunSplit("completion", "bsh");
        Assert.Equal(2, code);
        Assert.Empty(output);
        Assert.Contains("unknown shell 'bsh' (did you mean bash", error, StringComparison.Ordinal);
    }
}
