using System.Globalization;
using LlmSize.Core.Models;

namespace LlmSize.Core.Estimation.Fit;

/// <summary>
/// The one fit pipeline: <see cref="FitRequest"/> → <see cref="FitResult"/>. Every decision between the model as read
/// and the ladder walk lives here — which runtime, which format first, which context, whose bytes are the download,
/// what the request itself warns about — so the CLI, the web API, <c>shrink</c>, <c>distill</c> and <c>measure</c> ask
/// the same question the same way. A pure function of the request (no I/O).
/// </summary>
/// <remarks>Shape after gguf-parser-go's <c>file_estimate__llamacpp.go</c> + <c>file_estimate_option.go</c>: the model
/// plus an options record in, a typed result out.</remarks>
public static class FitPipeline
{
    /// <summary>Answers the request: one report per device.</summary>
    /// <param name="request">The request.</param>
    /// <returns>The reports and the choices made.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="request"/> is null.</exception>
    /// <exception cref="ArgumentException">The request names no device.</exception>
    /// <exception cref="InputException">The model cannot be fitted as asked (undisclosed size, an adapter, no
    /// architecture for a requested format) — <see cref="InputErrorKind"/> says which.</exception>
    /// <exception cref="UnknownNameException">The runtime has no format of that name (the nearest are suggested).</exception>
    public static FitResult Run(FitRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.Devices.Count == 0) throw new ArgumentException("A fit request needs at least one device.", nameof(request));
        var resolved = Resolve(request.Model, request.Runtime, request.Format, request.ContextTokens, request.Assumptions, request.Settings);
        var reports = new List<FitReport>(request.Devices.Count);
        foreach (var device in request.Devices)
        {
            var d = request.Network is { } network ? device with { Network = network } : device;
            var report = resolved.Analyzer.Analyze(d, resolved.Runtime, resolved.Format, resolved.ContextTokens);
            if (request.LongestContext) report = report with { LongestContext = resolved.Analyzer.LongestContext(d, resolved.Runtime, report) };
            reports.Add(resolved.Notes.Count == 0 ? report : report with { Warnings = [.. resolved.Notes, .. report.Warnings] });
        }

        return new FitResult(resolved, reports);
    }

    /// <summary>Answers the request once per context (<c>--context 4k,32k,128k</c>): the same model, runtime, format and
    /// settings, one <see cref="FitResult"/> per context in the order given.</summary>
    /// <param name="request">The request; its <see cref="FitRequest.ContextTokens"/> is replaced by each context.</param>
    /// <param name="contexts">Contexts, tokens (each ≥ 1; at least one).</param>
    /// <returns>One result per context.</returns>
    /// <exception cref="ArgumentException">No context, or one below 1.</exception>
    /// <exception cref="InputException">As <see cref="Run"/>.</exception>
    /// <exception cref="UnknownNameException">As <see cref="Run"/>.</exception>
    public static IReadOnlyList<FitResult> Sweep(FitRequest request, IReadOnlyList<long> contexts)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(contexts);
        if (contexts.Count == 0 || contexts.Any(c => c < 1)) throw new ArgumentException("A context sweep needs one or more contexts of at least 1 token.", nameof(contexts));
        return contexts.Select(c => Run(request with { ContextTokens = c })).ToList();
    }

    /// <summary>Decides a request's defaults without evaluating a device (what <c>shrink</c> and <c>distill</c> need).</summary>
    /// <param name="model">The model.</param>
    /// <param name="runtime">The runtime; null = the one the files or id name, else llama.cpp.</param>
    /// <param name="format">A format name; null = stored / named / ladder.</param>
    /// <param name="contextTokens">Context; null = the id's or the default.</param>
    /// <param name="assumptions">Efficiency factors; null = defaults.</param>
    /// <param name="settings">Runtime settings (llama.cpp's knobs); null = defaults.</param>
    /// <returns>The resolved request.</returns>
    /// <exception cref="InputException">As <see cref="Run"/>; <see cref="InputErrorKind.InvalidSetting"/> for settings
    /// the runtime lacks or outside their range for this model (<c>-ngl</c> above its layer count).</exception>
    /// <exception cref="UnknownNameException">As <see cref="Run"/>.</exception>
    public static ResolvedFit Resolve(ModelInventory model, RuntimeProfile? runtime = null, string? format = null, long? contextTokens = null,
        EstimationAssumptions? assumptions = null, RuntimeSettings? settings = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        string name = model.ModelName ?? model.Source;
        RequireWholeModel(model);

        // The runtime whose prebuilt build the user named (a WebLLM model id), if any.
        var named = Runtimes.All.Select(r => r.BuildNamedBy(model.Reference)).FirstOrDefault(b => b is not null);
        runtime ??= named is not null ? Runtimes.All.First(r => r.BuildNamedBy(model.Reference) is not null) : Runtimes.ForFileFormat(model.Format);
        var build = runtime.BuildNamedBy(model.Reference);

        // Files a runtime loads as they are (a GGUF's file type for llama.cpp) are checked as stored first, and only then
        // are the files' bytes the download; any other format is computed from the architecture.
        var stored = runtime.StoredFormat(model);
        string? asked = format ?? build?.Format.Name ?? stored?.Name;
        WeightFormat? chosen = asked is null ? null : runtime.FindFormat(asked) ?? throw UnknownFormat(runtime, asked);
        bool storedWeights = model.Architecture is null || (stored is not null && stored.Equals(chosen));
        long? fileBytes = model.Files.Count > 0 && storedWeights ? model.DownloadBytes : null;

        settings ??= RuntimeSettings.Default;
        CheckSettings(settings, runtime, model.Architecture);
        FitAnalyzer analyzer;
        if (model.Architecture is { } architecture)
        {
            analyzer = new FitAnalyzer(architecture, name, fileBytes, assumptions, stored is not null && stored.Equals(chosen) ? stored : null, settings);
        }
        else if (model.Tensors.Count > 0)
        {
            // No architecture (a TFLite/ONNX graph without config.json): the stored weights are all we know.
            if (format is not null) throw new InputException(InputErrorKind.NoArchitecture, InputException.Format(SR.NoArchitectureForQuant, model.Source));
            var counted = model.CountTensors();
            analyzer = new FitAnalyzer(name, counted.ParameterBytes + counted.AuxiliaryBytes, counted.Parameters, model.DownloadBytes, assumptions);
            chosen = null;
        }
        else
        {
            throw new InputException(InputErrorKind.NoArchitecture, InputException.Format(SR.NothingToEstimate, model.Source));
        }

        return new ResolvedFit(model, runtime, chosen, contextTokens ?? build?.ContextTokens, analyzer,
            RequestNotes(model.Reference, named, build, runtime, format, contextTokens)) { Settings = settings };
    }

    /// <summary>Refuses settings the runtime lacks, values out of range, and <c>-ngl</c> above the model's layers.</summary>
    /// <exception cref="InputException"><see cref="InputErrorKind.InvalidSetting"/>.</exception>
    private static void CheckSettings(RuntimeSettings settings, RuntimeProfile runtime, Models.Architectures.ModelArchitecture? architecture)
    {
        string? problem = settings.Problem() ?? runtime.RejectSettings(settings);
        if (problem is null && settings.GpuLayers is { } n && architecture is { LayerCount: > 0 } a && n > a.LayerCount)
        {
            problem = string.Create(CultureInfo.InvariantCulture, $"--gpu-layers {n}: {a.Family} has {a.LayerCount} layers; give 0 to {a.LayerCount} (llama.cpp -ngl).");
        }

        if (problem is not null) throw new InputException(InputErrorKind.InvalidSetting, problem);
    }

    /// <summary>Refuses what is not a whole, disclosed model: an undisclosed vendor model, or a LoRA adapter (it runs
    /// only on top of its base, so the base is what to fit).</summary>
    /// <param name="model">The model.</param>
    /// <exception cref="InputException"><see cref="InputErrorKind.NotDisclosed"/> or <see cref="InputErrorKind.AdapterNotModel"/>.</exception>
    public static void RequireWholeModel(ModelInventory model)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (!model.SizeDisclosed)
        {
            throw new InputException(InputErrorKind.NotDisclosed, InputException.Format(SR.SizeNotDisclosed, model.ModelName ?? model.Source, model.Note));
        }

        if (model.Adapter is { } adapter)
        {
            long parameters = adapter.LoraParameters + adapter.SavedModuleParameters;
            string baseName = adapter.BaseModelId() ?? "(base not named in adapter_config.json)";
            string fitBase = adapter.BaseModel is null ? "fit the base model it was trained on" : $"fit the base model (llmsize fit {baseName} …)";
            throw new InputException(InputErrorKind.AdapterNotModel, InputException.Format(SR.AdapterNotAModel, model.Reference.Text,
                parameters.ToString("N0", CultureInfo.InvariantCulture), Units.FormatDecimal(model.DownloadBytes), baseName, fitBase));
        }
    }

    /// <summary>The model's architecture, for what works from hyper-parameters alone (shrink, distill, LoRA sizing).</summary>
    /// <param name="model">The model.</param>
    /// <returns>Its architecture.</returns>
    /// <exception cref="InputException">An adapter (<see cref="InputErrorKind.AdapterNotModel"/>: run it on the base),
    /// an undisclosed model, or files without hyper-parameters (<see cref="InputErrorKind.NoArchitecture"/>).</exception>
    public static Models.Architectures.ModelArchitecture RequireArchitecture(ModelInventory model)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (model.Architecture is { } architecture) return architecture;
        if (model.Adapter is { } adapter)
        {
            throw new InputException(InputErrorKind.AdapterNotModel, InputException.Format(SR.AdapterRunOnBase, model.Reference.Text, adapter.BaseModelId() ?? "its base model"));
        }

        RequireWholeModel(model);
        throw new InputException(InputErrorKind.NoArchitecture, InputException.Format(SR.NoArchitecture, model.Reference.Text));
    }

    /// <summary>Warnings about the request itself: a prebuilt id checked with another runtime, or options that override
    /// what the id names.</summary>
    private static List<string> RequestNotes(ModelReference reference, PrebuiltBuild? named, PrebuiltBuild? build, RuntimeProfile runtime,
        string? format, long? contextTokens)
    {
        var notes = new List<string>();
        if (named is not null && build is null)
        {
            // The id's format is another runtime's; this runtime is checked with its own formats.
            notes.Add(InputException.Format(SR.PrebuiltForOtherRuntime, named.ModelId, named.RuntimeLabel, named.Format.Name, runtime.Id,
                format is null ? string.Empty : $" ({format})"));
        }
        else if (build is not null)
        {
            // Explicit options win over what the id says; say so, since the id names one build.
            var overrides = new List<string>();
            if (format is not null && !string.Equals(format, build.Format.Name, StringComparison.OrdinalIgnoreCase)) overrides.Add($"--quant {format} instead of the id's {build.Format.Name}");
            if (contextTokens is { } c && build.ContextTokens is { } idContext && c != idContext) overrides.Add($"--context {c} instead of the id's {idContext} tokens (-1k)");
            if (overrides.Count > 0) notes.Add(InputException.Format(SR.PrebuiltOverridden, reference.Text, string.Join(" and ", overrides)));
        }

        return notes;
    }

    /// <summary>An unknown format of <paramref name="runtime"/>, with the nearest names and the runtimes that do have it.</summary>
    private static UnknownNameException UnknownFormat(RuntimeProfile runtime, string name)
    {
        var names = runtime.Formats.Select(f => f.Name).ToList();
        var near = EditDistance.Nearest(name, names, take: 2);
        var others = Runtimes.All.Where(r => !ReferenceEquals(r, runtime) && r.FindFormat(name) is not null).Select(r => r.Id).ToList();
        string elsewhere = others.Count switch
        {
            0 => string.Empty,
            1 => InputException.Format(SR.FormatOfOneOtherRuntime, name, others[0]),
            _ => InputException.Format(SR.FormatOfOtherRuntimes, name, string.Join(", ", others), others[0]),
        };
        return new UnknownNameException(NameKind.Format, name, near,
            InputException.Format(SR.RuntimeHasNoFormat, runtime.DisplayName, name, UnknownNameException.DidYouMean(near), string.Join(", ", names), elsewhere));
    }
}
