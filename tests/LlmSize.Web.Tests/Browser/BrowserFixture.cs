using Microsoft.Playwright;

namespace LlmSize.Web.Tests.Browser;

/// <summary>The app on 127.0.0.1 (a secure context, so <c>navigator.gpu</c> exists) and Debian's Chromium driven by
/// Playwright: headless, fresh user-data dir, no background networking. Two browsers: one with <c>--disable-gpu</c>
/// (the no-WebGPU, wasm path) and one with SwiftShader's WebGPU adapter (Vulkan on the CPU).</summary>
public sealed class BrowserFixture : IAsyncLifetime
{
    /// <summary>Debian's Chromium.</summary>
    public const string ChromiumPath = "/usr/bin/chromium";

    private static readonly string[] CommonArgs =
    [
        "--no-sandbox", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
        "--disable-dev-shm-usage",
    ];

    private readonly List<string> _profiles = [];

    /// <summary>The app.</summary>
    public WebAppFixture App { get; } = new();

    /// <summary>Playwright.</summary>
    public IPlaywright Playwright { get; private set; } = null!;

    /// <summary>Chromium without a GPU: no WebGPU adapter.</summary>
    public IBrowserContext NoGpu { get; private set; } = null!;

    /// <summary>Where screenshots go: artifacts/web/ under the repository root (ignored by git; CI keeps it).</summary>
    public static string ArtifactFolder => Directory.CreateDirectory(Path.Combine(LlmSize.Testing.RepoPaths.Root, "artifacts", "web")).FullName;

    /// <inheritdoc />
    public async Task InitializeAsync()
    {
        await App.InitializeAsync();
        if (!File.Exists(ChromiumPath)) return; // tests are skipped (ChromiumFact) or fail in CI on their own
        Playwright = await Microsoft.Playwright.Playwright.CreateAsync();
        NoGpu = await LaunchAsync(["--disable-gpu"]);
    }

    /// <summary>Launches a persistent context in a fresh user-data dir.</summary>
    public async Task<IBrowserContext> LaunchAsync(IEnumerable<string> extraArgs)
    {
        string profile = Path.Combine(Path.GetTempPath(), "llmsize-chromium-" + Guid.NewGuid().ToString("N"));
        _profiles.Add(profile);
        return await Playwright.Chromium.LaunchPersistentContextAsync(profile, new BrowserTypeLaunchPersistentContextOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            Args = [.. CommonArgs, .. extraArgs],
            BaseURL = App.BaseAddress.ToString(),
            ViewportSize = new ViewportSize { Width = 1100, Height = 1400 },
        });
    }

    /// <inheritdoc />
    public async Task DisposeAsync()
    {
        if (NoGpu is not null) await NoGpu.CloseAsync();
        Playwright?.Dispose();
        await App.DisposeAsync();
        foreach (string p in _profiles)
        {
            try { Directory.Delete(p, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }
}
