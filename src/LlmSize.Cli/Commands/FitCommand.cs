using System.ComponentModel;
using System.Globalization;
using LlmSize.Cli.Infrastructure;
using LlmSize.Cli.Rendering;
using LlmSize.Core;
using LlmSize.Core.Devices;
using LlmSize.Core.Estimation;
using LlmSize.Core.Models;
using LlmSize.Core.Precision;
using Spectre.Console;
using Spectre.Console.Cli;

namespace LlmSize.Cli.Commands;

/// <summary>Options of <c>llmsize fit</c>.</summary>
public sealed class FitSettings : CommandSettings
{
    /// <summary>A model file, folder or catalog name.</summary>
    [CommandArgument(0, "<MODEL>")]
    [Description("Model file, folder or built-in catalog name (e.g. gemma-2b).")]
    public string Model { get; init; } = string.Empty;

    /// <summary>Device id or alias from the catalog.</summary>
    [CommandOption("-d|--device <DEVICE>")]
    [Description("Device from the catalog (llmsize devices list), e.g. pixel-8.")]
    public string? Device { get; init; }

    /// <summary>SVG chart path.</summary>
    [CommandOption("--chart <FILE>")]
    [Description("Also draw memory terms against each device's budget as an SVG image (e.g. fit.svg); most useful with --all-devices.")]
    public string? Chart { get; init; }

    /// <summary>Check every catalog device.</summary>
    [CommandOption("--all-devices")]
    [Description("Check every device of the catalog (and of --device-file).")]
    public bool AllDevices { get; init; }

    /// <summary>Detect this machine.</summary>
    [CommandOption("--this-machine")]
    [Description("Use this machine: RAM, cores and (NVIDIA) GPU where detectable; memory bandwidth from --bandwidth, else 60 GB/s (dual-channel DDR5 assumption).")]
    public bool ThisMachine { get; init; }

    /// <summary>User profile file.</summary>
    [CommandOption("--device-file <PATH>")]
    [Description("JSON file with your own device profiles (same schema as the catalog).")]
    public string? DeviceFile { get; init; }

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

    /// <summary>Runtime.</summary>
    [CommandOption("-r|--runtime <RUNTIME>")]
    [Description("llama.cpp, webllm, transformers.js, onnxruntime, mediapipe. Default: the file's own runtime (ONNX → transformers.js, TFLite/.task → mediapipe), else llama.cpp.")]
    public string? RuntimeName { get; init; }

    /// <summary>Format.</summary>
    [CommandOption("-q|--quant <FORMAT>")]
    [Description("Weight format of the runtime (Q4_K_M, q4f16_1, q4f16, int4 …). Default: start at the highest precision and walk down.")]
    public string? Quant { get; init; }

    /// <summary>Context tokens.</summary>
    [CommandOption("-c|--context <TOKENS>")]
    [TypeConverter(typeof(TokenCountConverter))]
    [Description("Context length in tokens, e.g. 4096, 4k, 32K or 128k (k = ×1024) (default 4096, or the model's maximum if shorter).")]
    public long? Context { get; init; }

    /// <summary>Network for download time.</summary>
    [CommandOption("--network <NETWORK>")]
    [Description("Network for the download time: 3g, 4g, 5g, broadband, wifi5, wifi6, or a speed like 50Mbps.")]
    public string? Network { get; init; }

    /// <summary>JSON output.</summary>
    [CommandOption("--json")]
    [Description("Write JSON instead of tables.")]
    public bool Json { get; init; }

    /// <inheritdoc />
    public override ValidationResult Validate()
    {
        // --bandwidth may accompany --this-machine (memory bandwidth cannot be read from the OS).
        bool inline = Ram is not null || Vram is not null || (Bandwidth is not null && !ThisMachine);
        int sources = (Device is not null ? 1 : 0) + (AllDevices ? 1 : 0) + (ThisMachine ? 1 : 0) + (inline ? 1 : 0);
        if (sources == 0 && DeviceFile is not null) return ValidationResult.Error("--device-file adds your profiles to the catalog; choose one with --device ID, or check them all with --all-devices.");
        if (sources == 0) return ValidationResult.Error("Choose a device: --device NAME, --all-devices, --this-machine, or inline --ram/--vram/--bandwidth.");
        if (sources > 1) return ValidationResult.Error("Use only one of --device, --all-devices, --this-machine and inline specs.");
        if (inline && (Ram is null || Bandwidth is null)) return ValidationResult.Error("An inline device needs at least --ram and --bandwidth.");
        if (!inline && (Browser is not null || ShaderF16 || MaxBuffer is not null || MaxBinding is not null)) return ValidationResult.Error("--browser, --shader-f16, --max-buffer and --max-binding describe an inline device (with --ram and --bandwidth).");
        if (Browser is null && (ShaderF16 || MaxBuffer is not null || MaxBinding is not null))
        {
            string option = ShaderF16 ? "--shader-f16" : MaxBuffer is not null ? "--max-buffer" : "--max-binding";
            return ValidationResult.Error($"{option} describes the browser's WebGPU; name the browser too (--browser {string.Join("|", CustomDeviceBuilder.BrowserNames)}).");
        }

        if (Browser is { } browser && !CustomDeviceBuilder.IsKnownBrowser(browser))
        {
            return ValidationResult.Error($"--browser '{browser}' is not a known browser{CompressionCli.DidYouMean(browser, CustomDeviceBuilder.BrowserNames)}; use one of: {string.Join(", ", CustomDeviceBuilder.BrowserNames)}.");
        }

        if (Context is <= 0) return ValidationResult.Error("--context must be a positive number of tokens.");
        if (Chart is { } chart && !chart.EndsWith(".svg", StringComparison.OrdinalIgnoreCase)) return ValidationResult.Error($"--chart writes SVG; name the file *.svg (got '{Path.GetFileName(chart)}').");
        if (Network is { } net && !TryParseNetwork(net, out _)) return ValidationResult.Error(NetworkHelp(net));

        // Malformed quantities are usage errors (exit 2); well-formed but impossible specs (usable RAM above RAM) are
        // bad input (exit 1), reported by the device builder.
        foreach (var (option, value) in new[] { ("--ram", Ram), ("--vram", Vram), ("--usable-ram", UsableRam) })
        {
            if (value is not null && Malformed(value, v => DeviceSpecParser.TryParseBytes(v, out _)))
                return ValidationResult.Error($"{option} '{value}' is not a memory size: give a number and a unit, e.g. 8GiB or 16GB.");
        }

        if (Bandwidth is { } bw && Malformed(bw, v => Parses(() => DeviceSpecParser.ParseBandwidthGBps(v))))
            return ValidationResult.Error($"--bandwidth '{bw}' is not a bandwidth: give a number and a unit per second, e.g. 100GB/s.");
        if (Fp16 is { } f && Malformed(f, v => Parses(() => DeviceSpecParser.ParseTflops(v))))
            return ValidationResult.Error($"--fp16 '{f}' is not a compute rate: give a number and GFLOPS, TFLOPS or PFLOPS, e.g. 20TFLOPS.");
        return ValidationResult.Success();
    }

    /// <summary>True when <paramref name="value"/> does not parse even without a sign: a signed but well-formed
    /// quantity ("-8GiB") is an impossible spec for the device builder to report (exit 1), not a usage error.</summary>
    private static bool Malformed(string value, Func<string, bool> parses) =>
        !parses(value) && !parses(value.Trim().TrimStart('-', '+'));

    private static bool Parses(Func<double> parse)
    {
        try
        {
            parse();
            return true;
        }
        catch (FormatException)
        {
            return false;
        }
    }

    /// <summary>Resolves a <c>--network</c> value: a built-in class id or name (<see cref="NetworkClass.TryFind"/>) or a
    /// speed such as 50Mbps.</summary>
    /// <param name="text">The option value.</param>
    /// <param name="network">The class, or null.</param>
    /// <returns>True when the value names a class or is a valid speed.</returns>
    internal static bool TryParseNetwork(string text, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out NetworkClass? network)
    {
        if (NetworkClass.TryFind(text, out network)) return true;
        try
        {
            network = NetworkClass.FromMbps(DeviceSpecParser.ParseMbps(text));
            return true;
        }
        catch (Exception e) when (e is FormatException or ArgumentException or OverflowException)
        {
            network = null;
            return false;
        }
    }

    /// <summary>The usage message for a <c>--network</c> value that is neither a class nor a speed.</summary>
    private static string NetworkHelp(string text) =>
        $"--network '{text}' is not a network: use one of {string.Join(", ", NetworkClass.All.Select(n => n.Id))}, or a speed such as 50Mbps (Kbps, Mbps, Gbps; up to 1,000,000 Mbps).";
}

/// <summary><c>llmsize fit</c>: will this model run on that device, how fast, and how long is the download?</summary>
public sealed class FitCommand(IAnsiConsole console) : Command<FitSettings>
{
    /// <inheritdoc />
    public override int Execute(CommandContext context, FitSettings settings, CancellationToken cancellationToken)
    {
        var inventory = ModelLoader.Load(settings.Model);
        if (!inventory.SizeDisclosed)
        {
            throw new ArgumentException($"{inventory.ModelName ?? settings.Model}: its size is not disclosed by the vendor, so nothing can be estimated. {inventory.Note}");
        }

        if (inventory.Adapter is { } adapter)
        {
            throw new ArgumentException(AdapterMessage(settings.Model, inventory, adapter));
        }

        // A WebLLM model id (Qwen2.5-0.5B-Instruct-q4f16_1-MLC[-1k]) names the runtime, the format and, with -1k, a
        // 1024-token context window, as WebLLM's prebuilt record does.
        inventory.Metadata.TryGetValue(ModelLoader.WebLlmModelIdKey, out string? webLlmId);
        string runtimeName = settings.RuntimeName ?? (webLlmId is not null ? Runtimes.WebLlm.Id : null) ?? inventory.Format switch
        {
            ModelFileFormat.Onnx => "transformers.js",
            ModelFileFormat.Tflite or ModelFileFormat.MediaPipeTask => "mediapipe",
            _ => "llama.cpp",
        };
        var runtime = CompressionCli.Runtime(runtimeName);

        // A GGUF says what it holds (general.file_type, e.g. 15 = Q4_K_M): for llama.cpp that is the variant to check
        // first, and the file's own bytes are its download. Any other format is computed from the architecture.
        string? storedType = null;
        if (inventory.Format == ModelFileFormat.Gguf && runtime.Id == Runtimes.LlamaCpp.Id
            && inventory.Metadata.TryGetValue("general.file_type", out string? fileType)
            && int.TryParse(fileType, NumberStyles.None, CultureInfo.InvariantCulture, out int typeId)
            && Enum.IsDefined(typeof(LlamaFileType), typeId)
            && runtime.FindFormat(LlamaFileTypes.Name((LlamaFileType)typeId)) is { } storedFormat)
        {
            storedType = storedFormat.Name;
        }

        string? askedQuant = settings.Quant
            ?? (runtime.Id == Runtimes.WebLlm.Id && inventory.Metadata.TryGetValue(ModelLoader.WebLlmQuantizationKey, out string? webLlmQuant) ? webLlmQuant : null)
            ?? storedType;
        bool asksForStoredWeights = inventory.Architecture is null
            || (storedType is not null && string.Equals(askedQuant, storedType, StringComparison.OrdinalIgnoreCase));
        long? fileBytes = inventory.Files.Count > 0 && asksForStoredWeights ? inventory.DownloadBytes : null;
        FitAnalyzer analyzer;
        WeightFormat? format = null;
        if (inventory.Architecture is { } architecture)
        {
            analyzer = new FitAnalyzer(architecture, inventory.ModelName ?? settings.Model, fileBytes);
        }
        else if (inventory.Tensors.Count > 0)
        {
            // No architecture (a TFLite/ONNX graph without config.json): the stored weights are all we know.
            var counted = inventory.CountTensors();
            if (settings.Quant is not null)
            {
                throw new ArgumentException($"{settings.Model}: no architecture is known, so only the weights as stored can be checked; drop --quant or put the model's config.json beside it");
            }

            analyzer = new FitAnalyzer(inventory.ModelName ?? settings.Model, counted.ParameterBytes + counted.AuxiliaryBytes, counted.Parameters, inventory.DownloadBytes);
        }
        else
        {
            throw new ArgumentException($"{settings.Model}: neither tensors nor architecture hyper-parameters to estimate from");
        }

        string? quant = askedQuant;
        long? contextTokens = settings.Context
            ?? (runtime.Id == Runtimes.WebLlm.Id && webLlmId is not null && webLlmId.EndsWith("-1k", StringComparison.OrdinalIgnoreCase) ? 1024 : null);
        if (quant is { } q)
        {
            format = runtime.FindFormat(q) ?? throw new ArgumentException(
                $"{runtime.DisplayName} has no format '{q}'{CompressionCli.DidYouMean(q, runtime.Formats.Select(f => f.Name))}; it has: {string.Join(", ", runtime.Formats.Select(f => f.Name))}.{OtherRuntimes(q, runtime)}");
        }

        var catalog = DeviceOptions.Catalog(settings.DeviceFile);
        var devices = settings.AllDevices ? catalog.Profiles.ToList() : [ResolveDevice(settings, catalog)];
        if (settings.Network is { } net)
        {
            FitSettings.TryParseNetwork(net, out var network); // checked in Validate
            devices = devices.Select(d => d with { Network = network! }).ToList();
        }

        var reports = devices.Select(d => analyzer.Analyze(d, runtime, format, contextTokens)).ToList();
        if (webLlmId is not null && runtime.Id != Runtimes.WebLlm.Id)
        {
            // The id's quantization (q4f16_1) is an MLC/WebLLM format; another runtime is checked with its own formats.
            inventory.Metadata.TryGetValue(ModelLoader.WebLlmQuantizationKey, out string? idQuant);
            string note = $"{webLlmId} names a WebLLM build ({idQuant ?? "MLC"} is a WebLLM format); this answer is for {runtime.Id}'s own formats"
                + (settings.Quant is null ? string.Empty : $" ({settings.Quant})") + ". Drop --runtime to check the WebLLM build itself.";
            reports = reports.Select(r => r with { Warnings = [note, .. r.Warnings] }).ToList();
        }
        else if (webLlmId is not null)
        {
            // Explicit options win over what the id says; say so, since the id names one build.
            inventory.Metadata.TryGetValue(ModelLoader.WebLlmQuantizationKey, out string? idQuant);
            var overrides = new List<string>();
            if (settings.Quant is { } sq && !string.Equals(sq, idQuant, StringComparison.OrdinalIgnoreCase)) overrides.Add($"--quant {sq} instead of the id's {idQuant}");
            bool idIs1k = webLlmId.EndsWith("-1k", StringComparison.OrdinalIgnoreCase);
            if (settings.Context is { } sc && idIs1k && sc != 1024) overrides.Add($"--context {sc} instead of the id's 1024 tokens (-1k)");
            if (overrides.Count > 0)
            {
                string note = $"{webLlmId}: checking {string.Join(" and ", overrides)}";
                reports = reports.Select(r => r with { Warnings = [note, .. r.Warnings] }).ToList();
            }
        }

        if (settings.Chart is { } chart)
        {
            MemoryChart.Write(chart, MemoryChart.ToSvg(reports));
        }

        if (settings.Json)
        {
            JsonOutput.Write(console, reports.Select(FitJson.From).ToList());
            return ExitCodes.Success;
        }

        string networkLabel = settings.Network is null ? "device's network" : "--network";
        if (reports.Count == 1) FitRenderer.RenderOne(console, reports[0], networkLabel);
        else FitRenderer.RenderMany(console, reports, networkLabel);
        if (settings.Chart is { } written) console.MarkupLine($"[grey]chart written to {Markup.Escape(Path.GetFullPath(written))}[/]");
        return ExitCodes.Success;
    }

    /// <summary>The one-line answer for a LoRA adapter: it runs only on top of its base, so the base is what to fit.</summary>
    private static string AdapterMessage(string model, ModelInventory inventory, LoraAdapterSummary adapter)
    {
        long parameters = adapter.LoraParameters + adapter.SavedModuleParameters;
        string baseName = CompressionCli.AdapterBaseName(adapter) ?? "(base not named in adapter_config.json)";
        string fitBase = adapter.BaseModel is null ? "fit the base model it was trained on" : $"fit the base model (llmsize fit {baseName} …)";
        return $"{model} is a LoRA adapter ({parameters.ToString("N0", CultureInfo.InvariantCulture)} parameters, {Units.FormatDecimal(inventory.DownloadBytes)}) for {baseName}: "
            + $"{fitBase}; the adapter adds its bytes to the download.";
    }

    /// <summary>" q4f16_1 is a webllm format: add --runtime webllm." when other runtimes have the format, else empty.</summary>
    private static string OtherRuntimes(string quant, RuntimeProfile runtime)
    {
        var others = Runtimes.All.Where(r => r.Id != runtime.Id && r.FindFormat(quant) is not null).Select(r => r.Id).ToList();
        return others.Count switch
        {
            0 => string.Empty,
            1 => $" {quant} is a {others[0]} format: add --runtime {others[0]}.",
            _ => $" {quant} is a format of {string.Join(", ", others)}: add --runtime {others[0]} (or another of them).",
        };
    }

    private static DeviceProfile ResolveDevice(FitSettings s, DeviceCatalog catalog)
    {
        if (s.Device is { } name) return DeviceOptions.Find(catalog, name);
        if (s.ThisMachine)
        {
            var info = Core.Devices.ThisMachine.Detect();
            double? bandwidth = s.Bandwidth is { } bw ? DeviceSpecParser.ParseBandwidthGBps(bw) : null;
            try
            {
                return info.ToProfile(catalog, bandwidth);
            }
            catch (InvalidOperationException) when (bandwidth is null)
            {
                // Bandwidth is not detectable from the OS: fall back to the documented host-RAM assumption.
                return info.ToProfile(catalog, EstimationAssumptions.Default.HostRamBandwidthGBps);
            }
        }

        var b = new CustomDeviceBuilder().WithName("custom device").WithRam(s.Ram!).WithBandwidth(s.Bandwidth!);
        if (s.Vram is { } v) b.WithVram(v);
        if (s.Fp16 is { } f) b.WithFp16(f);
        if (s.Cores is { } c) b.WithCores(c);
        if (s.Unified) b.WithUnifiedMemory();
        if (s.UsableRam is { } u) b.WithAppMemoryLimit(u);
        if (s.Browser is { } br) b.WithBrowser(br);
        if (s.ShaderF16) b.WithShaderF16();
        if (s.MaxBuffer is { } mb) b.WithMaxBufferSize(mb);
        if (s.MaxBinding is { } mbd) b.WithMaxStorageBufferBindingSize(mbd);
        return b.Build();
    }
}

/// <summary>JSON shape of a fit report (documented in README, schema "llmsize.fit/v1").</summary>
internal sealed record FitJson(
    string Schema, string Model, string Device, string Runtime, string Outcome, string BindingConstraint, string Reason,
    FitVariantJson Requested, FitVariantJson? Best, double? DecodeTokensPerSecond, double? PrefillTokensPerSecond, double LoadSeconds,
    long DownloadBytes, IReadOnlyDictionary<string, double> DownloadSeconds, IReadOnlyList<string> Warnings)
{
    public static FitJson From(FitReport r) => new(
        "llmsize.fit/v1", r.ModelName, r.Device.Id, r.Runtime.Id, r.Outcome.ToString(), r.BindingConstraint.ToString(), r.Reason,
        FitVariantJson.From(r.Requested), r.Best is null ? null : FitVariantJson.From(r.Best),
        FitRenderer.HasTokenSpeed(r) ? Round(r.Speed.DecodeTokensPerSecond) : null,
        FitRenderer.HasTokenSpeed(r) ? Round(r.Speed.PrefillTokensPerSecond) : null, Round(r.Speed.LoadSeconds),
        r.DownloadBytes, r.Download.ToDictionary(d => d.Network.Id, d => Round(d.Seconds)), r.Warnings);

    private static double Round(double v) => double.IsFinite(v) ? Math.Round(v, 2) : 0;
}

/// <summary>JSON shape of one variant.</summary>
internal sealed record FitVariantJson(string Format, long ContextTokens, string Target, int? GpuLayers, bool Fits,
    long WeightsBytes, long KvCacheBytes, long ComputeBufferBytes, long OverheadBytes, long TotalBytes, double BitsPerWeight,
    IReadOnlyList<FitCheckJson> Checks)
{
    public static FitVariantJson From(FitVariant v) => new(v.Format.Name, v.ContextTokens, v.Target.ToString(), v.GpuLayers, v.Fits,
        v.Memory.Weights.TotalBytes, v.Memory.KvCache.Bytes, v.Memory.ComputeBufferBytes, v.Memory.OverheadBytes, v.Memory.TotalBytes,
        Math.Round(v.Memory.Weights.BitsPerWeight, 3), v.Checks.Select(c => new FitCheckJson(c.Constraint.ToString(), c.RequiredBytes, c.AvailableBytes, c.Passes, c.Detail)).ToList());
}

/// <summary>JSON shape of one check.</summary>
internal sealed record FitCheckJson(string Constraint, long RequiredBytes, long AvailableBytes, bool Passes, string Detail);
