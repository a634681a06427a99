using System.Diagnostics;
using System.IO.Compression;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using LlmSize.Testing;

namespace LlmSize.Package.Tests;

/// <summary>
/// LlmSize.Core as a .NET developer meets it: `dotnet pack` gives a package with its README, license, XML docs and
/// embedded sources, and the ten-line example of the package README builds against that package alone (no project
/// reference) and prints the exact count and a fit verdict.
/// </summary>
public sealed partial class PackageConsumerTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("llmsize-package-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    // bin/<Configuration>/net10.0/ of this test assembly: pack the library built in the same configuration.
    private static string Configuration => new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)).Parent!.Name;

    [Fact]
    public void The_package_readme_example_builds_against_the_package_and_answers()
    {
        string feed = Path.Combine(_dir, "feed");
        // A version of its own per run: the consumer restores exactly this package, never a cached older 0.1.0.
        string version = "0.1.0-test." + DateTime.UtcNow.ToString("yyyyMMddHHmmssfff", System.Globalization.CultureInfo.InvariantCulture);
        Run("dotnet", ["pack", Path.Combine(RepoPaths.Root, "src", "LlmSize.Core", "LlmSize.Core.csproj"), "-c", Configuration,
            "--no-build", "-o", feed, "-p:PackageVersion=" + version], RepoPaths.Root);

        string nupkg = Path.Combine(feed, $"LlmSize.Core.{version}.nupkg");
        using (ZipArchive zip = ZipFile.OpenRead(nupkg))
        {
            var names = zip.Entries.Select(e => e.FullName).ToHashSet(StringComparer.Ordinal);
            Assert.Contains("lib/net10.0/LlmSize.Core.dll", names);
            Assert.Contains("lib/net10.0/LlmSize.Core.xml", names); // the XML docs travel with the library
            Assert.Contains("README.md", names);
            XDocument nuspec = XDocument.Load(zip.Entries.Single(e => e.FullName.EndsWith(".nuspec", StringComparison.Ordinal)).Open());
            XNamespace ns = nuspec.Root!.Name.Namespace;
            XElement meta = nuspec.Root.Element(ns + "metadata")!;
            Assert.Equal("MIT", meta.Element(ns + "license")?.Value);
            Assert.Equal("README.md", meta.Element(ns + "readme")?.Value);
            Assert.False(string.IsNullOrWhiteSpace(meta.Element(ns + "description")?.Value));
            var dependencies = meta.Descendants(ns + "dependency").Select(d => (string)d.Attribute("id")!).ToList();
            Assert.Contains("Google.Protobuf", dependencies);
        }

        // The symbols package carries a portable PDB with the sources embedded (EmbedAllSources).
        Assert.True(File.Exists(Path.Combine(feed, $"LlmSize.Core.{version}.snupkg")));

        // The consumer: the package README's C# block, verbatim, in a fresh project that references only the package.
        string readme = File.ReadAllText(Path.Combine(RepoPaths.Root, "src", "LlmSize.Core", "README.md"));
        string example = CSharpBlock().Match(readme).Groups[1].Value;
        Assert.True(example.Split('\n').Count(l => l.Trim().Length > 0 && !l.TrimStart().StartsWith("using ", StringComparison.Ordinal)) <= 10,
            "the README example is at most ten lines of code besides its using directives");
        string app = Path.Combine(_dir, "consumer");
        Directory.CreateDirectory(app);
        File.WriteAllText(Path.Combine(app, "Program.cs"), example);
        string globalPackages = Environment.GetEnvironmentVariable("NUGET_PACKAGES")
            ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        File.WriteAllText(Path.Combine(app, "consumer.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <ImplicitUsings>enable</ImplicitUsings>
                <Nullable>enable</Nullable>
                <RestorePackagesPath>{Path.Combine(_dir, "packages")}</RestorePackagesPath>
                <RestoreAdditionalProjectFallbackFolders>{globalPackages}</RestoreAdditionalProjectFallbackFolders>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="LlmSize.Core" Version="{version}" />
              </ItemGroup>
            </Project>
            """);
        // The feed is added to the machine's sources (its dependencies come from there or the fallback folder).
        File.WriteAllText(Path.Combine(app, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <add key="llmsize-test-feed" value="{feed}" />
              </packageSources>
            </configuration>
            """);
        // No Directory.Build.props or central package management of this repository above the consumer.
        Assert.False(File.Exists(Path.Combine(_dir, "Directory.Build.props")));
        Run("dotnet", ["build", app, "-c", "Release", "-nologo", "-v", "q"], app);

        string dll = Path.Combine(app, "bin", "Release", "net10.0", "consumer.dll");
        string output = Run("dotnet", [dll, Path.Combine(RepoPaths.Shared, "fixtures", "gguf", "llama-2-tiny-random.gguf")], app);
        // llama-2-tiny-random.gguf: 513,048 parameters (../shared/README.md), a 1,750,560-byte file (its length) that
        // fits a Pixel 7a as stored (F16).
        Assert.Contains("513,048 parameters", output);
        Assert.Contains("Fits:", output);
        Assert.Contains("1,750,560 bytes to download", output);

        // gemma-2b from the built-in catalog: 2,506,172,416 parameters (../shared/reference/published-parameter-counts.csv).
        string gemma = Run("dotnet", [dll], app);
        Assert.Contains("2,506,172,416 parameters (2B class)", gemma);
    }

    private static string Run(string file, IReadOnlyList<string> args, string workingDirectory)
    {
        var psi = new ProcessStartInfo(file) { WorkingDirectory = workingDirectory, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string a in args) psi.ArgumentList.Add(a);
        psi.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        psi.Environment["DOTNET_NOLOGO"] = "1";
        using var p = Process.Start(psi)!;
        Task<string> stdout = p.StandardOutput.ReadToEndAsync();
        Task<string> stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(TimeSpan.FromMinutes(4)))
        {
            p.Kill(entireProcessTree: true);
            Assert.Fail($"{file} {string.Join(' ', args)} did not finish in 4 minutes");
        }

        string output = stdout.Result + stderr.Result;
        Assert.True(p.ExitCode == 0, $"{file} {string.Join(' ', args)} exited {p.ExitCode}:\n{output}");
        return output;
    }

    [GeneratedRegex("```csharp\\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex CSharpBlock();
}
