namespace LlmSize.Web.Tests.Browser;

/// <summary>A browser test: runs where Debian's Chromium is installed (<see cref="BrowserFixture.ChromiumPath"/>) and
/// always in CI (<c>CI=true</c>: .ci/run installs it, so a missing browser fails there); skipped locally, with the
/// install command, only when the browser is absent.</summary>
public sealed class ChromiumFactAttribute : FactAttribute
{
    /// <summary>Creates the attribute.</summary>
    public ChromiumFactAttribute()
    {
        if (!File.Exists(BrowserFixture.ChromiumPath) && !string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase))
        {
            Skip = $"{BrowserFixture.ChromiumPath} not found: install it with 'apt-get install -y chromium' (CI installs it in .ci/run)";
        }
    }
}
