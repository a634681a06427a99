using System.Globalization;

namespace LlmSize.Core.Devices;

/// <summary>
/// Builds a <see cref="DeviceProfile"/> of category <see cref="DeviceCategory.Custom"/> from inline specs, as given on
/// the command line (<c>--ram 8GiB --vram 4GiB --bandwidth 100GB/s</c>). Text values are parsed with
/// <see cref="DeviceSpecParser"/>; limits are those of <see cref="DeviceProfileValidator"/>.
/// </summary>
/// <remarks>
/// Required: RAM and bandwidth. Defaults when not given: 1 CPU core (conservative for speed estimates); app memory
/// limit = all of RAM (the user describes what they can use); free storage = RAM × 4; network =
/// <see cref="NetworkClass.Broadband"/>; no WebGPU limits (native runtimes only).
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

    /// <summary>Sets the display name (default "custom").</summary>
    /// <param name="name">Any non-empty text.</param>
    /// <returns>This builder.</returns>
    /// <exception cref="ArgumentException">The name is empty.</exception>
    public CustomDeviceBuilder WithName(string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        _name = name.Trim();
        return this;
    }

    /// <summary>Sets system RAM from text ("8GiB").</summary>
    /// <param name="text">A size; see <see cref="DeviceSpecParser.ParseBytes"/>.</param>
    /// <returns>This builder.</returns>
    /// <exception cref="ArgumentException">The text is not a size; the message names <c>--ram</c> and the text.</exception>
    public CustomDeviceBuilder WithRam(string text) { _ram = Size(text, "--ram"); return this; }

    /// <summary>Sets dedicated GPU memory from text ("4GiB").</summary>
    /// <param name="text">A size.</param>
    /// <returns>This builder.</returns>
    /// <exception cref="ArgumentException">The text is not a size.</exception>
    public CustomDeviceBuilder WithVram(string text) { _vram = Size(text, "--vram"); return this; }

    /// <summary>Sets how much RAM one app may use ("5GiB"); default: all RAM.</summary>
    /// <param name="text">A size.</param>
    /// <returns>This builder.</returns>
    /// <exception cref="ArgumentException">The text is not a size.</exception>
    public CustomDeviceBuilder WithAppMemoryLimit(string text) { _appLimit = Size(text, "--usable-ram"); return this; }

    /// <summary>Sets free storage ("64GB").</summary>
    /// <param name="text">A size.</param>
    /// <returns>This builder.</returns>
    /// <exception cref="ArgumentException">The text is not a size.</exception>
    public CustomDeviceBuilder WithFreeStorage(string text) { _storage = Size(text, "--storage"); return this; }

    /// <summary>Sets memory bandwidth from text ("100GB/s").</summary>
    /// <param name="text">A bandwidth; see <see cref="DeviceSpecParser.ParseBandwidthGBps"/>.</param>
    /// <returns>This builder.</returns>
    /// <exception cref="ArgumentException">The text is not a bandwidth.</exception>
    public CustomDeviceBuilder WithBandwidth(string text)
    {
        _bandwidth = Parse(text, "--bandwidth", DeviceSpecParser.ParseBandwidthGBps);
        return this;
    }

    /// <summary>Sets FP16 GPU throughput ("20TFLOPS").</summary>
    /// <param name="text">A compute rate; see <see cref="DeviceSpecParser.ParseTflops"/>.</param>
    /// <returns>This builder.</returns>
    /// <exception cref="ArgumentException">The text is not a compute rate.</exception>
    public CustomDeviceBuilder WithFp16(string text) { _fp16 = Parse(text, "--fp16", DeviceSpecParser.ParseTflops); return this; }

    /// <summary>Sets FP32 GPU throughput ("10TFLOPS").</summary>
    /// <param name="text">A compute rate.</param>
    /// <returns>This builder.</returns>
    /// <exception cref="ArgumentException">The text is not a compute rate.</exception>
    public CustomDeviceBuilder WithFp32(string text) { _fp32 = Parse(text, "--fp32", DeviceSpecParser.ParseTflops); return this; }

    /// <summary>Sets the CPU core count.</summary>
    /// <param name="cores">1 … <see cref="DeviceProfileValidator.MaxCpuCores"/>.</param>
    /// <returns>This builder.</returns>
    /// <exception cref="ArgumentOutOfRangeException">Out of range.</exception>
    public CustomDeviceBuilder WithCores(int cores)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(cores, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(cores, DeviceProfileValidator.MaxCpuCores);
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
    /// <exception cref="ArgumentException">Neither a known class nor a valid speed.</exception>
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
            throw new ArgumentException($"--network '{text}': {e.Message}", nameof(text), e);
        }

        return this;
    }

    /// <summary>Builds and validates the profile.</summary>
    /// <returns>A profile with id <c>custom</c> and category <see cref="DeviceCategory.Custom"/>.</returns>
    /// <exception cref="ArgumentException">A required value (--ram, --bandwidth) is missing or a value is out of
    /// range (zero memory, VRAM with unified memory, app limit above RAM, absurd sizes); the message names the
    /// option.</exception>
    public DeviceProfile Build()
    {
        long ram = _ram ?? throw new ArgumentException("--ram is required for a custom device (e.g. --ram 8GiB).");
        double bandwidth = _bandwidth
            ?? throw new ArgumentException("--bandwidth is required for a custom device (e.g. --bandwidth 100GB/s).");
        var profile = new DeviceProfile
        {
            Id = "custom",
            DisplayName = _name,
            Category = DeviceCategory.Custom,
            Platform = "user-described",
            RamBytes = ram,
            GpuMemoryBytes = _vram,
            UnifiedMemory = _unified,
            MemoryBandwidthGBps = bandwidth,
            GpuFp16Tflops = _fp16,
            GpuFp32Tflops = _fp32,
            CpuCores = _cores ?? 1,
            FreeStorageBytes = _storage ?? SaturatingMultiply(ram, 4),
            AppMemoryLimitBytes = _appLimit ?? ram,
            Network = _network,
            Notes = "Described inline by the user.",
        };

        string? problem = DeviceProfileValidator.Validate(profile, requireSources: false, out string? field);
        if (problem is not null)
        {
            throw new ArgumentException($"{OptionFor(field)}: {problem}");
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
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"{option}: {e.Message}"), nameof(text), e);
        }
    }
}
