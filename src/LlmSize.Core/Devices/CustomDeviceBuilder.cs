using System.Globalization;

namespace LlmSize.Core.Devices;

/// <summary>
/// Builds a <see cref="DeviceProfile"/> of category <see cref="DeviceCategory.Custom"/> from inline specs, as given on
/// the command line (<c>--ram 8GiB --vram 4GiB --bandwidth 100GB/s</c>). Text values are parsed with
/// <see cref="DeviceSpecParser"/>; limits are those of <see cref="DeviceProfileValidator"/>.
/// </summary>
/// <remarks>
/// <para>Required: RAM and bandwidth. Defaults when not given: 1 CPU core (conservative for speed estimates); free
/// storage = RAM × 4 (assumption); network = <see cref="NetworkClass.Broadband"/>.</para>
/// <para>App memory limit (<c>--usable-ram</c>) defaults to RAM minus an OS reserve, the rule the built-in catalog uses
/// for Windows / Linux PCs (<c>Data/devices.json</c>: "system RAM minus 4 GiB kept by the OS and other processes"),
/// with the reserve capped at half of RAM for small devices, where every 4 GiB profile of the catalog (phones,
/// iPhones, Chromebooks) keeps 2 GiB usable: reserve = min(4 GiB, RAM / 2); see
/// <see cref="DefaultOsReserveBytes"/>. Phones (Android: RAM − max(2 GiB, 35 %); iOS: 50 %) and Macs (Metal's
/// working set, 2/3 to 3/4 of RAM) keep more: describe those with <c>--usable-ram</c>.</para>
/// <para>WebGPU: none unless a browser is named (<see cref="WithBrowser"/>), so browser runtimes (WebLLM, WebGPU
/// Transformers.js) need <c>--browser</c>. Its limits default to the values the catalog uses for that browser (see
/// <see cref="BrowserNames"/>); <c>shader-f16</c> is assumed absent unless <see cref="WithShaderF16"/> says otherwise
/// (the catalog sets it only where a report shows it).</para>
/// </remarks>
public sealed class CustomDeviceBuilder
{
    private long? _ram;
    private long? _vram;
    private long? _appLimit;
    private long? _storage;
    private double? _bandwidth;
    private double? _fp16;
    private double? _fp32;
    private int? _cores;
    private bool _unified;
    private NetworkClass _network = NetworkClass.Broadband;
    private string _name = "custom";
    private BrowserPreset? _browser;
    private bool? _shaderF16;
    private long? _maxBuffer;
    private long? _maxBinding;

    /// <summary>OS reserve cap of the default app memory limit: 4 GiB (4 × 2^30 bytes), the catalog's Windows / Linux
    /// PC rule.</summary>
    public const long DefaultOsReserveCapBytes = 4L << 30;

    /// <summary>Browser presets: name → WebGPU limits the built-in catalog uses for that browser.</summary>
    private static readonly BrowserPreset[] Browsers =
    [
        // Desktop Chromium (D3D12 / Metal / Vulkan): maxBufferSize 4 GiB (embedding-atlas #159) and bindings capped
        // near 2 GB (gpuweb #6338), the tier every desktop profile of devices.json uses ("Typical").
        new("chrome", "Chrome (desktop, user-described)", 4L << 30, 2L << 30, WebGpuLimitsBasis.Typical),
        new("edge", "Edge (desktop Chromium, user-described)", 4L << 30, 2L << 30, WebGpuLimitsBasis.Typical),
        // Chrome on Android: maxStorageBufferBindingSize 128 MiB reported (web-llm #209, #256); maxBufferSize only
        // known to be at least the spec minimum 256 MiB (the phone profiles of devices.json).
        new("chrome-android", "Chrome for Android (user-described)", WebGpuLimits.SpecMinimumMaxBufferSizeBytes,
            WebGpuLimits.SpecMinimumMaxStorageBufferBindingSizeBytes, WebGpuLimitsBasis.Reported),
        // Safari 26: WebGPU shipped, limits not published; the catalog's iPhone / iPad profiles use the spec minimums.
        new("safari", "Safari 26 (user-described)", WebGpuLimits.SpecMinimumMaxBufferSizeBytes,
            WebGpuLimits.SpecMinimumMaxStorageBufferBindingSizeBytes, WebGpuLimitsBasis.SpecMinimum),
        // Firefox: no profile of the catalog reports its limits; the spec minimums are the only guarantee.
        new("firefox", "Firefox (user-described)", WebGpuLimits.SpecMinimumMaxBufferSizeBytes,
            WebGpuLimits.SpecMinimumMaxStorageBufferBindingSizeBytes, WebGpuLimitsBasis.SpecMinimum),
    ];

    /// <summary>Names accepted by <see cref="WithBrowser"/>: <c>chrome</c> and <c>edge</c> (desktop Chromium:
    /// <c>maxBufferSize</c> 4 GiB, <c>maxStorageBufferBindingSize</c> 2 GiB, as the catalog's desktop profiles),
    /// <c>chrome-android</c> (256 MiB / 128 MiB, as the catalog's Android phones), <c>safari</c> and <c>firefox</c>
    /// (the WebGPU spec minimums 256 MiB / 128 MiB: no published limits).</summary>
    public static IReadOnlyList<string> BrowserNames { get; } = Array.AsReadOnly(Browsers.Select(b => b.Name).ToArray());

    /// <summary>The OS reserve of the default app memory limit for <paramref name="ramBytes"/> of RAM: min(4 GiB,
    /// RAM / 2) bytes (rule in the type's remarks). E.g. 8 GiB → 4 GiB reserve (4 GiB usable); 4 GiB → 2 GiB;
    /// 64 GiB → 4 GiB.</summary>
    /// <param name="ramBytes">Installed RAM, bytes, ≥ 0.</param>
    /// <returns>The reserve, bytes.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="ramBytes"/> is negative.</exception>
    public static long DefaultOsReserveBytes(long ramBytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(ramBytes);
        return Math.Min(DefaultOsReserveCapBytes, ramBytes / 2);
    }

    /// <summary>Free storage assumed when none is given or detected: RAM × 4 bytes (saturating).</summary>
    /// <param name="ramBytes">Installed RAM, bytes.</param>
    /// <returns>The assumed free storage, bytes, at most <see cref="DeviceProfileValidator.MaxStorageBytes"/>.</returns>
    internal static long AssumedFreeStorageBytes(long ramBytes) =>
        Math.Min(SaturatingMultiply(Math.Max(0, ramBytes), 4), DeviceProfileValidator.MaxStorageBytes);

    /// <summary>Sets the display name (default "custom").</summary>
    /// <param name="name">Any non-empty text.</param>
    /// <returns>This builder.</returns>
    /// <exception cref="InputException">The name is empty.</exception>
    public CustomDeviceBuilder WithName(string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        _name = name.Trim();
        return this;
    }

    /// <summary>Sets system RAM from text ("8GiB").</summary>
    /// <param name="text">A size; see <see cref="DeviceSpecParser.ParseBytes"/>.</param>
    /// <returns>This builder.</returns>
    /// <exception cref="InputException">The text is not a size; the message names <c>--ram</c> and the text.</exception>
    public CustomDeviceBuilder WithRam(string text) { _ram = Size(text, "--ram"); return this; }

    /// <summary>Sets dedicated GPU memory from text ("4GiB").</summary>
    /// <param name="text">A size.</param>
    /// <returns>This builder.</returns>
    /// <exception cref="InputException">The text is not a size.</exception>
    public CustomDeviceBuilder WithVram(string text) { _vram = Size(text, "--vram"); return this; }

    /// <summary>Sets how much RAM one app may use ("5GiB"); default: RAM − <see cref="DefaultOsReserveBytes"/>.</summary>
    /// <param name="text">A size.</param>
    /// <returns>This builder.</returns>
    /// <exception cref="InputException">The text is not a size.</exception>
    public CustomDeviceBuilder WithAppMemoryLimit(string text) { _appLimit = Size(text, "--usable-ram"); return this; }

    /// <summary>Sets free storage ("64GB").</summary>
    /// <param name="text">A size.</param>
    /// <returns>This builder.</returns>
    /// <exception cref="InputException">The text is not a size.</exception>
    public CustomDeviceBuilder WithFreeStorage(string text) { _storage = Size(text, "--storage"); return this; }

    /// <summary>Sets memory bandwidth from text ("100GB/s").</summary>
    /// <param name="text">A bandwidth; see <see cref="DeviceSpecParser.ParseBandwidthGBps"/>.</param>
    /// <returns>This builder.</returns>
    /// <exception cref="InputException">The text is not a bandwidth.</exception>
    public CustomDeviceBuilder WithBandwidth(string text)
    {
        _bandwidth = Parse(text, "--bandwidth", DeviceSpecParser.ParseBandwidthGBps);
        return this;
    }

    /// <summary>Sets FP16 GPU throughput ("20TFLOPS").</summary>
    /// <param name="text">A compute rate; see <see cref="DeviceSpecParser.ParseTflops"/>.</param>
    /// <returns>This builder.</returns>
    /// <exception cref="InputException">The text is not a compute rate.</exception>
    public CustomDeviceBuilder WithFp16(string text) { _fp16 = Parse(text, "--fp16", DeviceSpecParser.ParseTflops); return this; }

    /// <summary>Sets FP32 GPU throughput ("10TFLOPS").</summary>
    /// <param name="text">A compute rate.</param>
    /// <returns>This builder.</returns>
    /// <exception cref="InputException">The text is not a compute rate.</exception>
    public CustomDeviceBuilder WithFp32(string text) { _fp32 = Parse(text, "--fp32", DeviceSpecParser.ParseTflops); return this; }

    /// <summary>Sets the CPU core count.</summary>
    /// <param name="cores">1 … <see cref="DeviceProfileValidator.MaxCpuCores"/>.</param>
    /// <returns>This builder.</returns>
    /// <exception cref="InputException">Out of range.</exception>
    public CustomDeviceBuilder WithCores(int cores)
    {
        if (cores < 1 || cores > DeviceProfileValidator.MaxCpuCores)
        {
            throw new InputException(InputErrorKind.InvalidRequest, $"--cores {cores}: a device has 1 to {DeviceProfileValidator.MaxCpuCores} CPU cores.");
        }
        _cores = cores;
        return this;
    }

    /// <summary>Marks the memory as unified (CPU and GPU share RAM; no VRAM).</summary>
    /// <param name="unified">True for unified memory.</param>
    /// <returns>This builder.</returns>
    public CustomDeviceBuilder WithUnifiedMemory(bool unified = true) { _unified = unified; return this; }

    /// <summary>Sets the network from a class name ("4g", "wifi6") or a speed ("50Mbps").</summary>
    /// <param name="text">A <see cref="NetworkClass"/> name or a speed.</param>
    /// <returns>This builder.</returns>
    /// <exception cref="InputException">Neither a known class nor a valid speed.</exception>
    public CustomDeviceBuilder WithNetwork(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (NetworkClass.TryFind(text, out NetworkClass? known))
        {
            _network = known;
            return this;
        }

        double mbps = Parse(text, "--network", DeviceSpecParser.ParseMbps);
        try
        {
            _network = NetworkClass.FromMbps(mbps);
        }
        catch (ArgumentOutOfRangeException e)
        {
            throw new InputException(InputErrorKind.InvalidRequest, $"--network '{text}': {e.Message}", e);
        }

        return this;
    }

    /// <summary>Names the browser the device runs models in, giving the profile WebGPU limits (defaults per browser
    /// in <see cref="BrowserNames"/>; override them with <see cref="WithMaxBufferSize"/> /
    /// <see cref="WithMaxStorageBufferBindingSize"/>).</summary>
    /// <param name="name">One of <see cref="BrowserNames"/>, case-insensitive.</param>
    /// <returns>This builder.</returns>
    /// <exception cref="InputException">Not a known browser; the message names <c>--browser</c> and lists the
    /// known names.</exception>
    public CustomDeviceBuilder WithBrowser(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        _browser = FindBrowser(name)
            ?? throw new InputException(InputErrorKind.InvalidRequest, $"--browser '{name}' is not known; use one of: {string.Join(", ", BrowserNames)}.");
        return this;
    }

    /// <summary>True when <paramref name="name"/> is one of <see cref="BrowserNames"/> as <see cref="WithBrowser"/>
    /// accepts it (case-insensitive; spaces and underscores stand for hyphens).</summary>
    /// <param name="name">A browser name.</param>
    /// <returns>Whether <see cref="WithBrowser"/> would accept it.</returns>
    public static bool IsKnownBrowser(string name) => name is not null && FindBrowser(name) is not null;

    private static BrowserPreset? FindBrowser(string name)
    {
        string key = name.Trim().Replace(' ', '-').Replace('_', '-');
        return Array.Find(Browsers, b => b.Name.Equals(key, StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>Says whether the browser exposes the WebGPU <c>shader-f16</c> feature (default: absent). Needs
    /// <see cref="WithBrowser"/>.</summary>
    /// <param name="available">True when <c>shader-f16</c> is available.</param>
    /// <returns>This builder.</returns>
    public CustomDeviceBuilder WithShaderF16(bool available = true) { _shaderF16 = available; return this; }

    /// <summary>Sets the WebGPU <c>maxBufferSize</c> ("4GiB"), overriding the browser's default. Needs
    /// <see cref="WithBrowser"/>.</summary>
    /// <param name="text">A size, at least the spec minimum 256 MiB.</param>
    /// <returns>This builder.</returns>
    /// <exception cref="InputException">The text is not a size.</exception>
    public CustomDeviceBuilder WithMaxBufferSize(string text) { _maxBuffer = Size(text, "--max-buffer"); return this; }

    /// <summary>Sets the WebGPU <c>maxStorageBufferBindingSize</c> ("2GiB"), overriding the browser's default. Needs
    /// <see cref="WithBrowser"/>.</summary>
    /// <param name="text">A size, at least the spec minimum 128 MiB.</param>
    /// <returns>This builder.</returns>
    /// <exception cref="InputException">The text is not a size.</exception>
    public CustomDeviceBuilder WithMaxStorageBufferBindingSize(string text) { _maxBinding = Size(text, "--max-binding"); return this; }

    /// <summary>Builds and validates the profile.</summary>
    /// <returns>A profile with id <c>custom</c> and category <see cref="DeviceCategory.Custom"/>.</returns>
    /// <exception cref="InputException">A required value (--ram, --bandwidth) is missing, a WebGPU value is given
    /// without a browser, or a value is out of range (zero memory, VRAM with unified memory, app limit above RAM,
    /// WebGPU limits below the spec minimums, absurd sizes); the message names the option.</exception>
    public DeviceProfile Build()
    {
        long ram = _ram ?? throw new InputException(InputErrorKind.InvalidRequest, "--ram is required for a custom device (e.g. --ram 8GiB).");
        double bandwidth = _bandwidth
            ?? throw new InputException(InputErrorKind.InvalidRequest, "--bandwidth is required for a custom device (e.g. --bandwidth 100GB/s).");
        if (_browser is null && (_shaderF16 is not null || _maxBuffer is not null || _maxBinding is not null))
        {
            string option = _shaderF16 is not null ? "--shader-f16" : _maxBuffer is not null ? "--max-buffer" : "--max-binding";
            throw new InputException(InputErrorKind.InvalidRequest, $"{option} describes the browser's WebGPU; name the browser too (--browser {string.Join("|", BrowserNames)}).");
        }

        WebGpuLimits? webGpu = null;
        if (_browser is { } b)
        {
            bool overridden = _maxBuffer is not null || _maxBinding is not null;
            webGpu = new WebGpuLimits
            {
                Browser = b.Browser,
                MaxBufferSizeBytes = _maxBuffer ?? b.MaxBufferSizeBytes,
                MaxStorageBufferBindingSizeBytes = _maxBinding ?? b.MaxStorageBufferBindingSizeBytes,
                ShaderF16 = _shaderF16 ?? false,
                // Limits the user gives are reported by their own adapter; otherwise the preset's basis holds.
                Basis = overridden ? WebGpuLimitsBasis.Reported : b.Basis,
            };
        }

        long reserve = DefaultOsReserveBytes(ram);
        string appNote = _appLimit is null
            ? string.Create(CultureInfo.InvariantCulture,
                $" App memory limit: assumption, RAM minus an OS reserve of min(4 GiB, RAM / 2) = {reserve / (double)(1L << 30):0.##} GiB (the catalog's Windows / Linux PC rule; pass --usable-ram for phones or Macs).")
            : string.Empty;
        string storageNote = _storage is null ? " Free storage: assumption, RAM × 4." : string.Empty;
        string webNote = webGpu is null
            ? " No browser named: no WebGPU (pass --browser for WebLLM / WebGPU runtimes)."
            : string.Create(CultureInfo.InvariantCulture,
                $" WebGPU: {webGpu.Browser}, maxBufferSize {webGpu.MaxBufferSizeBytes} bytes, maxStorageBufferBindingSize {webGpu.MaxStorageBufferBindingSizeBytes} bytes, shader-f16 {(webGpu.ShaderF16 ? "available" : "assumed absent")} ({webGpu.Basis}).");
        var profile = new DeviceProfile
        {
            Id = "custom",
            DisplayName = _name,
            Category = DeviceCategory.Custom,
            Platform = webGpu is null ? "user-described" : "user-described, " + webGpu.Browser,
            RamBytes = ram,
            GpuMemoryBytes = _vram,
            UnifiedMemory = _unified,
            MemoryBandwidthGBps = bandwidth,
            GpuFp16Tflops = _fp16,
            GpuFp32Tflops = _fp32,
            CpuCores = _cores ?? 1,
            CpuCoresAssumed = _cores is null,
            FreeStorageBytes = _storage ?? AssumedFreeStorageBytes(ram),
            AppMemoryLimitBytes = _appLimit ?? ram - reserve,
            WebGpu = webGpu,
            Network = _network,
            Notes = "Described inline by the user." + appNote + storageNote + webNote,
        };

        string? problem = DeviceProfileValidator.Validate(profile, requireSources: false, out string? field);
        if (problem is not null)
        {
            throw new InputException(InputErrorKind.InvalidRequest, $"{OptionFor(field)}: {problem}");
        }

        return profile;
    }

    private static long SaturatingMultiply(long a, long b) => a > long.MaxValue / b ? long.MaxValue : a * b;

    private static string OptionFor(string? field) => field switch
    {
        "ram" => "--ram",
        "gpuMemory" => "--vram",
        "memoryBandwidthGBps" => "--bandwidth",
        "appMemoryLimit" => "--usable-ram",
        "freeStorage" => "--storage",
        "gpuFp16Tflops" => "--fp16",
        "gpuFp32Tflops" => "--fp32",
        "unifiedMemory" => "--unified / --vram",
        "webGpu" => "--max-buffer / --max-binding",
        _ => field ?? "device",
    };

    private static long Size(string text, string option) => Parse(text, option, DeviceSpecParser.ParseBytes);

    private static T Parse<T>(string text, string option, Func<string, T> parse)
    {
        ArgumentNullException.ThrowIfNull(text);
        try
        {
            return parse(text);
        }
        catch (FormatException e)
        {
            throw new InputException(InputErrorKind.InvalidRequest, string.Create(CultureInfo.InvariantCulture, $"{option}: {e.Message}"), e);
        }
    }

    private sealed record BrowserPreset(string Name, string Browser, long MaxBufferSizeBytes, long MaxStorageBufferBindingSizeBytes, WebGpuLimitsBasis Basis);
}
