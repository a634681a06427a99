using System.ComponentModel;
using System.Globalization;
using LlmSize.Cli.Infrastructure;
using LlmSize.Cli.Rendering;
using LlmSize.Core;
using LlmSize.Core.Compression.Planning;
using LlmSize.Core.Compression.Quantization;
using LlmSize.Core.Precision;
using LlmSize.Core.Estimation;
using LlmSize.Core.Models;
using LlmSize.Core.Models.Architectures;
using Spectre.Console;
using Spectre.Console.Cli;

namespace LlmSize.Cli.Commands;

/// <summary>Options of <c>llmsize shrink</c>.</summary>
public sealed class ShrinkSettings : CommandSettings
{
    /// <summary>A model file, folder or catalog name.</summary>
    [CommandArgument(0, "<MODEL>")]
    [Description("Model file, folder or built-in catalog name (e.g. gemma-2b).")]
    public string Model { get; init; } = string.Empty;

    /// <summary>Device id or alias.</summary>
    [CommandOption("-d|--device <DEVICE>")]
    [Description("Device from the catalog (llmsize devices list), e.g. pixel-8.")]
    public string? Device { get; init; }

    /// <summary>User profile file.</summary>
    [CommandOption("--device-file <PATH>")]
    [Description("JSON file with your own device profiles.")]
    public string? DeviceFile { get; init; }

    /// <summary>Runtime.</summary>
    [CommandOption("-r|--runtime <RUNTIME>")]
    [Description("llama.cpp (default), webllm, transformers.js, onnxruntime, mediapipe.")]
    public string RuntimeName { get; init; } = "llama.cpp";

    /// <summary>Context tokens.</summary>
    [CommandOption("-c|--context <TOKENS>")]
    [TypeConverter(typeof(TokenCountConverter))]
    [Description("Context length in tokens, e.g. 4096, 4k, 32K or 128k (k = ×1024) (default 4096).")]
    public long? Context { get; init; }

    /// <summary>JSON output.</summary>
    [CommandOption("--json")]
    [Description("Write JSON (schema llmsize.shrink/v1) instead of tables.")]
    public bool Json { get; init; }

    /// <inheritdoc />
    public override ValidationResult Validate() =>
        Device is null ? ValidationResult.Error("Choose a device: --device NAME.")
        : Context is <= 0 ? ValidationResult.Error("--context must be a positive number of tokens.")
        : ValidationResult.Success();
}

/// <summary><c>llmsize shrink</c>: the ways to make a model fit a device, ranked.</summary>
public sealed class ShrinkCommand(IAnsiConsole console) : Command<ShrinkSettings>
{
    /// <inheritdoc />
    public override int Execute(CommandContext context, ShrinkSettings settings, CancellationToken cancellationToken)
    {
        var (architecture, name) = CompressionCli.LoadArchitecture(settings.Model);
        var runtime = CompressionCli.Runtime(settings.RuntimeName);
        var device = DeviceOptions.Find(DeviceOptions.Catalog(settings.DeviceFile), settings.Device!);
        var plan = ShrinkPlanner.Plan(architecture, name, device, runtime, settings.Context);
        if (settings.Json)
        {
            JsonOutput.Write(console, new
            {
                schema = "llmsize.shrink/v1",
                model = plan.ModelName,
                device = plan.Device.Id,
                runtime = plan.Runtime.Id,
                parameters = plan.Parameters,
                options = plan.Options.Select((o, i) => new
                {
                    rank = i + 1, technique = o.Technique.ToString(), label = o.Label, parameters = o.Parameters, format = o.Format.Name,
                    contextTokens = o.ContextTokens, downloadBytes = o.DownloadBytes, memoryBytes = o.MemoryBytes, fits = o.Fits,
                    binding = o.Binding.ToString(), decodeTokensPerSecond = o.DecodeTokensPerSecond is { } s ? Math.Round(s, 2) : (double?)null,
                    perplexityDelta = o.Quality?.PerplexityDelta, qualityMeasuredOn = o.Quality?.MeasuredOn, qualitySource = o.Quality?.Source,
                    qualityNote = o.QualityNote, needsTraining = o.NeedsTraining,
                    llmsizeQuantizeCanProduce = o.Format is GgufWeightFormat g ? CanQuantize(g) : (bool?)null,
                    layerCount = o.LayerCount, split = o.IsSplit, gpuLayers = o.GpuLayers,
                    headroomFraction = o.HeadroomFraction is { } h ? Math.Round(h, 4) : (double?)null, tight = o.IsTight,
                }),
                notes = plan.Notes,
            });
            return ExitCodes.Success;
        }

        console.MarkupLine($"[bold]{Markup.Escape(plan.ModelName)}[/] ({Units.FormatParameters(plan.Parameters)} parameters) on [bold]{Markup.Escape(device.DisplayName)}[/] with {Markup.Escape(runtime.DisplayName)}");
        var table = new Table().AddColumns("#", "technique", "option", "params", "format", "download", "memory", "verdict", "tok/s", "quality cost");
        int rank = 1;
        bool footnote = false;
        foreach (var o in plan.Options)
        {
            bool noKernel = o.Format is GgufWeightFormat g && !CanQuantize(g);
            footnote |= noKernel;
            table.AddRow(
                (rank++).ToString(CultureInfo.InvariantCulture), o.Technique.ToString(), Markup.Escape(o.Label), Units.FormatParameters(o.Parameters),
                Markup.Escape(o.Format.Name) + (noKernel ? " ¹" : string.Empty),
                Units.FormatBinary(o.DownloadBytes), Units.FormatBinary(o.MemoryBytes),
                Verdict(o),
                o.DecodeTokensPerSecond is { } s ? s.ToString("0.#", CultureInfo.InvariantCulture) : "-",
                Markup.Escape(o.Quality is { } q ? $"{q.PerplexityDelta:+0.0000;-0.0000} ppl @ {q.MeasuredOn}" : o.NeedsTraining ? "needs recovery training" : o.QualityNote));
        }

        console.Write(table);
        if (plan.Options.All(o => !o.Fits)) console.MarkupLine("[red]Nothing fits this device with this runtime.[/] 'llmsize fit' shows each constraint.");
        if (plan.Options.FirstOrDefault(o => o.IsSplit) is { } split)
        {
            console.MarkupLine($"[grey]Split rows fit only with some layers on the GPU (llama.cpp -ngl {split.GpuLayers}: {split.GpuLayers} of {split.LayerCount} layers for {Markup.Escape(split.Label)}); "
                + "the rest runs at system-RAM speed, so options that fit entirely in VRAM rank first.[/]");
        }

        if (plan.Options.Any(o => o.IsTight))
        {
            console.MarkupLine($"[grey]Tight rows leave under {ShrinkPlanner.TightHeadroomFraction:0%} of their memory budget: other apps, the OS or a longer conversation can push them out.[/]");
        }

        if (footnote) console.MarkupLine("[grey]¹ llama-quantize produces this type; 'llmsize quantize' has no kernel for it yet.[/]");
        foreach (string n in plan.Notes) console.MarkupLine("[grey]• " + Markup.Escape(n) + "[/]");
        if (plan.Options.FirstOrDefault(o => o.Quality is not null) is { Quality: { } src }) console.MarkupLine("[grey]• quality source: " + Markup.Escape(src.Source) + "[/]");
        return ExitCodes.Success;
    }

    /// <summary>The verdict cell: "fits", "fits as a split (-ngl 17 of 32)", "fits (tight: 1.4% left)", or "no (constraint)".</summary>
    private static string Verdict(ShrinkOption o)
    {
        if (!o.Fits) return $"[red]no[/] ({FitRenderer.ConstraintName(o.Binding)})";
        string tight = o.IsTight && o.HeadroomFraction is { } h ? $"tight: {CompressionCli.Percent(h)} left" : string.Empty;
        return o.IsSplit
            ? $"[yellow]fits as a split[/] (-ngl {o.GpuLayers} of {o.LayerCount}{(tight.Length > 0 ? "; " + tight : string.Empty)})"
            : tight.Length > 0 ? $"[yellow]fits[/] ({tight})" : "[green]fits[/]";
    }

    /// <summary>Whether <c>llmsize quantize</c> has a kernel for the file type's main tensor type.</summary>
    private static bool CanQuantize(GgufWeightFormat g)
    {
        var type = LlamaFileTypes.DefaultType(g.FileType);
        return type.Kind != DataTypeKind.BlockQuantized || RowQuantizers.TryGet(type, out _);
    }
}

/// <summary>Helpers shared by the compression commands.</summary>
internal static class CompressionCli
{
    /// <summary>Loads a model and returns its architecture, or throws a readable error.</summary>
    public static (ModelArchitecture Architecture, string Name) LoadArchitecture(string model)
    {
        var inventory = ModelLoader.Load(model);
        if (inventory.Adapter is { } adapter && inventory.Architecture is null)
        {
            string baseName = AdapterBaseName(adapter) ?? "its base model";
            throw new ArgumentException($"{model} is a LoRA adapter for {baseName}; run this on the base model ({baseName}), or use 'llmsize inspect' for the adapter itself");
        }

        var architecture = inventory.Architecture ?? throw new ArgumentException(
            inventory.SizeDisclosed
                ? $"{model}: the file declares no architecture hyper-parameters; put its config.json beside it"
                : $"{inventory.ModelName ?? model}: its size is not disclosed by the vendor, so nothing can be estimated. {inventory.Note}");
        return (architecture, inventory.ModelName ?? model);
    }

    /// <summary>The base model an adapter names (adapter_config.json base_model_name_or_path), as its catalog id when the
    /// catalog knows it ("openai-community/gpt2" → "gpt2"), else as written; null when the adapter names none.</summary>
    public static string? AdapterBaseName(Core.Models.LoraAdapterSummary adapter) =>
        adapter.BaseModel is { } b && Core.Models.Catalog.ModelCatalog.Default.TryFind(b, out var entry) ? entry.Id : adapter.BaseModel;

    /// <summary>Finds a runtime by id.</summary>
    /// <exception cref="ArgumentException">No runtime has that name (exit 1, like an unknown model or device; the
    /// nearest names are suggested).</exception>
    public static RuntimeProfile Runtime(string name) =>
        Runtimes.TryFind(name, out var runtime)
            ? runtime
            : throw new ArgumentException($"unknown runtime '{name}'{DidYouMean(name, Runtimes.All.Select(r => r.Id))}; known: {string.Join(", ", Runtimes.All.Select(r => r.Id))}");

    /// <summary>" (did you mean X or Y?)" for the two closest names within edit distance 3 (case-insensitive), else empty.</summary>
    public static string DidYouMean(string input, IEnumerable<string> names)
    {
        var near = EditDistance.Nearest(input, names, take: 2);
        return near.Count > 0 ? $" (did you mean {string.Join(" or ", near)}?)" : string.Empty;
    }

    /// <summary>A fraction as a percent: one decimal from 1% up (and for exactly 0), two significant digits below 1%
    /// (0.0415 % → "0.042%", so a LoRA adapter of 0.04% of its base does not read "0.0%"), "&lt;0.000001%" below that.</summary>
    /// <param name="fraction">The fraction (0.5 = 50%).</param>
    /// <returns>The percent text with a trailing '%'.</returns>
    public static string Percent(double fraction) => Units.Percent(fraction);

    /// <summary>Refuses a folder where one model file is needed, naming the files inside it that would do.</summary>
    /// <param name="path">The path given on the command line.</param>
    /// <param name="extensions">Accepted file extensions with the dot, e.g. ".gguf".</param>
    /// <exception cref="ArgumentException"><paramref name="path"/> is an existing folder (exit 1, bad input).</exception>
    public static void RequireFile(string path, params string[] extensions)
    {
        if (!Directory.Exists(path)) return;
        var inside = Directory.EnumerateFiles(path)
            .Where(f => extensions.Any(e => f.EndsWith(e, StringComparison.OrdinalIgnoreCase)))
            .Select(Path.GetFileName).Order(StringComparer.Ordinal).ToList();
        string kinds = string.Join(" or ", extensions);
        string hint = inside.Count switch
        {
            0 => $" (it holds no {kinds} file)",
            <= 4 => $" ({string.Join(", ", inside)})",
            _ => $" ({string.Join(", ", inside.Take(4))} and {inside.Count - 4} more)",
        };
        throw new ArgumentException($"'{path}' is a folder; give the {kinds} file inside it{hint}.");
    }
}
