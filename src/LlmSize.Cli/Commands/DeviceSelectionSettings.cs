using System.ComponentModel;
using LlmSize.Core;
using LlmSize.Core.Devices;
using LlmSize.Core.Estimation;
using Spectre.Console;
using Spectre.Console.Cli;

namespace LlmSize.Cli.Commands;

/// <summary>
/// How every command that takes a device names it: a catalog device (<c>--device</c>, with <c>--device-file</c> adding
/// the user's profiles), this machine (<c>--this-machine</c>), or an inline description (<c>--ram 8GiB --bandwidth
/// 100GB/s …</c>). Commands derive their settings from this class (Spectre's <c>DogSettings : MammalSettings</c>).
/// </summary>
public abstract class DeviceSelectionSettings : ModelSourceSettings
{
    /// <summary>Device id or alias from the catalog.</summary>
    [CommandOption("-d|--device <DEVICE>")]
    [Description("Device from the catalog (llmsize devices list), e.g. pixel-8.")]
    public string? Device { get; init; }

    /// <summary>User profile file.</summary>
    [CommandOption("--device-file <PATH>")]
    [Description("JSON file with your own device profiles (same schema as the catalog).")]
    public string? DeviceFile { get; init; }

    /// <summary>Detect this machine.</summary>
    [CommandOption("--this-machine")]
    [Description("Use this machine: RAM, cores and (NVIDIA) GPU where detectable; memory bandwidth from --bandwidth, else 60 GB/s (dual-channel DDR5 assumption).")]
    public bool ThisMachine { get; init; }

    /// <summary>Inline RAM.</summary>
    [CommandOption("--ram <SIZE>")]
    [Description("Describe a device inline: total RAM, e.g. 8GiB.")]
    public string? Ram { get; init; }

    /// <summary>Inline VRAM.</summary>
    [CommandOption("--vram <SIZE>")]
    [Description("Inline device: dedicated GPU memory, e.g. 4GiB.")]
    public string? Vram { get; init; }

    /// <summary>Inline bandwidth.</summary>
    [CommandOption("--bandwidth <RATE>")]
    [Description("Inline device: memory bandwidth, e.g. 100GB/s.")]
    public string? Bandwidth { get; init; }

    /// <summary>Inline FP16 throughput.</summary>
    [CommandOption("--fp16 <TFLOPS>")]
    [Description("Inline device: GPU FP16 throughput, e.g. 20TFLOPS.")]
    public string? Fp16 { get; init; }

    /// <summary>Inline cores.</summary>
    [CommandOption("--cores <N>")]
    [Description("Inline device: CPU cores.")]
    public int? Cores { get; init; }

    /// <summary>Inline memory one app may use.</summary>
    [CommandOption("--usable-ram <SIZE>")]
    [Description("Inline device: memory one app/tab may use (default: --ram minus an OS reserve of min(4 GiB, half of --ram), the catalog's PC rule).")]
    public string? UsableRam { get; init; }

    /// <summary>Inline unified memory flag.</summary>
    [CommandOption("--unified")]
    [Description("Inline device: RAM is shared with the GPU (phones, Apple Silicon, iGPUs).")]
    public bool Unified { get; init; }

    /// <summary>Inline browser (gives the device WebGPU limits).</summary>
    [CommandOption("--browser <NAME>")]
    [Description("Inline device: browser for WebGPU runtimes (chrome, edge, chrome-android, safari, firefox); its WebGPU limits default to the catalog's for that browser.")]
    public string? Browser { get; init; }

    /// <summary>Inline shader-f16 flag.</summary>
    [CommandOption("--shader-f16")]
    [Description("Inline device: the browser exposes WebGPU shader-f16 (needed by q4f16_1 / q4f16); default: absent. Needs --browser.")]
    public bool ShaderF16 { get; init; }

    /// <summary>Inline WebGPU maxBufferSize.</summary>
    [CommandOption("--max-buffer <SIZE>")]
    [Description("Inline device: WebGPU maxBufferSize, e.g. 4GiB (default: the --browser's). Needs --browser.")]
    public string? MaxBuffer { get; init; }

    /// <summary>Inline WebGPU maxStorageBufferBindingSize.</summary>
    [CommandOption("--max-binding <SIZE>")]
    [Description("Inline device: WebGPU maxStorageBufferBindingSize, e.g. 2GiB (default: the --browser's). Needs --browser.")]
    public string? MaxBinding { get; init; }

    /// <summary>True when an inline device is described (<c>--bandwidth</c> alone may accompany <c>--this-machine</c>:
    /// memory bandwidth cannot be read from the OS).</summary>
    protected bool Inline => Ram is not null || Vram is not null || (Bandwidth is not null && !ThisMachine);

    /// <summary>How many ways of naming one device were used (0 = none).</summary>
    protected int DeviceSources => (Device is not null ? 1 : 0) + (ThisMachine ? 1 : 0) + (Inline ? 1 : 0);

    /// <summary>True when any device option was given.</summary>
    public bool HasDevice => DeviceSources > 0;

    /// <summary>Checks the device options: at most one way of naming the device (when <paramref name="required"/>, exactly
    /// one), complete inline specs, well-formed quantities. Malformed quantities are usage errors (exit 2); well-formed
    /// but impossible specs (usable RAM above RAM) are bad input (exit 1), reported by the device builder.</summary>
    /// <param name="required">Whether a device must be named.</param>
    /// <param name="others">Further ways of choosing devices the command offers (fit's <c>--all-devices</c>), counted with these.</param>
    /// <returns>The result.</returns>
    protected ValidationResult ValidateDevice(bool required, int others = 0)
    {
        int sources = DeviceSources + others;
        if (required && sources == 0 && DeviceFile is not null) return ValidationResult.Error("--device-file adds your profiles to the catalog; choose one with --device ID" + (others > 0 || this is Fit.FitSettings ? ", or check them all with --all-devices." : "."));
        if (required && sources == 0) return ValidationResult.Error(this is Fit.FitSettings
            ? "Choose a device: --device NAME, --all-devices, --this-machine, or inline --ram/--vram/--bandwidth."
            : "Choose a device: --device NAME, --this-machine, or inline --ram/--vram/--bandwidth.");
        if (sources > 1) return ValidationResult.Error(this is Fit.FitSettings
            ? "Use only one of --device, --all-devices, --this-machine and inline specs."
            : "Use only one of --device, --this-machine and inline specs.");
        if (Inline && (Ram is null || Bandwidth is null)) return ValidationResult.Error("An inline device needs at least --ram and --bandwidth.");
        if (!Inline && (Browser is not null || ShaderF16 || MaxBuffer is not null || MaxBinding is not null)) return ValidationResult.Error("--browser, --shader-f16, --max-buffer and --max-binding describe an inline device (with --ram and --bandwidth).");
        if (Browser is null && (ShaderF16 || MaxBuffer is not null || MaxBinding is not null))
        {
            string option = ShaderF16 ? "--shader-f16" : MaxBuffer is not null ? "--max-buffer" : "--max-binding";
            return ValidationResult.Error($"{option} describes the browser's WebGPU; name the browser too (--browser {string.Join("|", CustomDeviceBuilder.BrowserNames)}).");
        }

        if (Browser is { } browser && !CustomDeviceBuilder.IsKnownBrowser(browser))
        {
            return ValidationResult.Error($"--browser '{browser}' is not a known browser{UnknownNameException.DidYouMean(browser, CustomDeviceBuilder.BrowserNames)}; use one of: {string.Join(", ", CustomDeviceBuilder.BrowserNames)}.");
        }

        foreach (var (option, value) in new[] { ("--ram", Ram), ("--vram", Vram), ("--usable-ram", UsableRam) })
        {
            if (value is not null && Malformed(value, v => DeviceSpecParser.TryParseBytes(v, out _)))
                return ValidationResult.Error($"{option} '{value}' is not a memory size: give a number and a unit, e.g. 8GiB or 16GB.");
        }

        if (Bandwidth is { } bw && Malformed(bw, v => DeviceSpecParser.TryParseBandwidthGBps(v, out _, out _)))
            return ValidationResult.Error($"--bandwidth '{bw}' is not a bandwidth: give a number and a unit per second, e.g. 100GB/s.");
        if (Fp16 is { } f && Malformed(f, v => DeviceSpecParser.TryParseTflops(v, out _, out _)))
            return ValidationResult.Error($"--fp16 '{f}' is not a compute rate: give a number and GFLOPS, TFLOPS or PFLOPS, e.g. 20TFLOPS.");
        return ValidationResult.Success();
    }

    /// <summary>True when <paramref name="value"/> does not parse even without a sign: a signed but well-formed
    /// quantity ("-8GiB") is an impossible spec for the device builder to report (exit 1), not a usage error.</summary>
    private static bool Malformed(string value, Func<string, bool> parses) =>
        !parses(value) && !parses(value.Trim().TrimStart('-', '+'));

    /// <summary>The catalog with the user's <c>--device-file</c> profiles added.</summary>
    /// <returns>The catalog.</returns>
    /// <exception cref="ModelFormatException">The device file is malformed (names the file and field).</exception>
    public DeviceCatalog Catalog() =>
        DeviceFile is null ? DeviceCatalog.Default : DeviceCatalog.Default.WithOverrides(DeviceCatalog.LoadFile(DeviceFile));

    /// <summary>The one device these options name (validated beforehand).</summary>
    /// <param name="catalog">The catalog (<see cref="Catalog"/>).</param>
    /// <returns>The profile.</returns>
    /// <exception cref="UnknownNameException">An unknown <c>--device</c> name.</exception>
    /// <exception cref="ArgumentException">Impossible inline specs (named by the builder).</exception>
    public DeviceProfile ResolveDevice(DeviceCatalog catalog)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        if (Device is { } name) return catalog.Find(name);
        if (ThisMachine)
        {
            var info = Core.Devices.ThisMachine.Detect();
            double? bandwidth = Bandwidth is { } bw ? DeviceSpecParser.ParseBandwidthGBps(bw) : null;
            try
            {
                return info.ToProfile(catalog, bandwidth);
            }
            catch (InvalidOperationException) when (bandwidth is null && info.TotalRamBytes is not null)
            {
                // Bandwidth is not detectable from the OS and the GPU is not in the catalog: the documented host-RAM assumption.
                return info.ToProfile(catalog, EstimationAssumptions.Default.HostRamBandwidthGBps);
            }
        }

        var b = new CustomDeviceBuilder().WithName("custom device").WithRam(Ram!).WithBandwidth(Bandwidth!);
        if (Vram is { } v) b.WithVram(v);
        if (Fp16 is { } f) b.WithFp16(f);
        if (Cores is { } c) b.WithCores(c);
        if (Unified) b.WithUnifiedMemory();
        if (UsableRam is { } u) b.WithAppMemoryLimit(u);
        if (Browser is { } br) b.WithBrowser(br);
        if (ShaderF16) b.WithShaderF16();
        if (MaxBuffer is { } mb) b.WithMaxBufferSize(mb);
        if (MaxBinding is { } mbd) b.WithMaxStorageBufferBindingSize(mbd);
        return b.Build();
    }
}
