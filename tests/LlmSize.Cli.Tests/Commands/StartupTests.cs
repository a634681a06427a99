using System.Diagnostics;

namespace LlmSize.Cli.Tests.Commands;

/// <summary>The start-up fast path (issue 17 item 2): a bare <c>--version</c> is answered before Spectre.Console.Cli
/// builds its command model, and must print exactly what the command model would.</summary>
public sealed class StartupTests
{
    [Theory]
    [InlineData("--version")]
    [InlineData("-v")]
    public void The_fast_path_prints_what_spectre_prints(string flag)
    {
        var (code, output) = CliRunner.Run(flag);
        Assert.Equal(0, code);
        Assert.Equal(LlmSizeApp.InformationalVersion, output.Trim());
        Assert.True(LlmSizeApp.IsBareVersionRequest([flag]));
    }

    [Fact]
    public void Only_a_bare_version_request_takes_the_fast_path()
    {
        Assert.False(LlmSizeApp.IsBareVersionRequest([]));
        Assert.False(LlmSizeApp.IsBareVersionRequest(["inspect", "-v"])); // inspect's -v is --verbose
        Assert.False(LlmSizeApp.IsBareVersionRequest(["--version", "extra"]));
        Assert.False(LlmSizeApp.IsBareVersionRequest(["--Version"]));
    }

    [Fact]
    public void The_real_entry_point_prints_the_version()
    {
        // The process as users start it: llmsize.dll beside this test assembly (the CLI project's output).
        string dll = Path.Combine(AppContext.BaseDirectory, "llmsize.dll");
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add(dll);
        psi.ArgumentList.Add("--version");
        using var p = Process.Start(psi)!;
        string stdout = p.StandardOutput.ReadToEnd();
        Assert.True(p.WaitForExit(60_000));
        Assert.Equal(0, p.ExitCode);
        Assert.Equal(LlmSizeApp.InformationalVersion + Environment.NewLine, stdout);
        Assert.StartsWith("0.1.0", stdout, StringComparison.Ordinal); // <Version>0.1.0</Version> in LlmSize.Cli.csproj
    }
}
