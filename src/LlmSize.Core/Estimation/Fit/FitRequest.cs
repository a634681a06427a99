using LlmSize.Core.Devices;
using LlmSize.Core.Models;

namespace LlmSize.Core.Estimation.Fit;

/// <summary>
/// Everything a fit question needs: the model (as read, with how it was named), the devices, and the runtime
/// choices. Null choices take the defaults a user of the field expects: the runtime the model's files or prebuilt id
/// name (GGUF → llama.cpp, ONNX → Transformers.js, a WebLLM id → WebLLM), the format the files store or the id
/// names, else the runtime's precision ladder; the context the id names, else 4096 tokens or the model's shorter
/// maximum. A pure input: <see cref="FitPipeline.Run"/> turns it into reports without touching files.
/// </summary>
public sealed record FitRequest
{
    /// <summary>The model, read by <see cref="ModelLoader"/> (its <see cref="ModelInventory.Reference"/> says how it was named).</summary>
    public required ModelInventory Model { get; init; }

    /// <summary>Devices to check, one report each, in order (at least one).</summary>
    public required IReadOnlyList<DeviceProfile> Devices { get; init; }

    /// <summary>The runtime; null = the one the model's files or id name, else llama.cpp.</summary>
    public RuntimeProfile? Runtime { get; init; }

    /// <summary>A weight format name of the runtime (Q4_K_M, q4f16_1, int4); null = the stored or named format, else
    /// walk the ladder from its 16-bit rung.</summary>
    public string? Format { get; init; }

    /// <summary>Context length in tokens (≥ 1); null = the id's, else the default.</summary>
    public long? ContextTokens { get; init; }

    /// <summary>The network for download times; null = each device's own.</summary>
    public NetworkClass? Network { get; init; }

    /// <summary>Efficiency factors; null = <see cref="EstimationAssumptions.Default"/>.</summary>
    public EstimationAssumptions? Assumptions { get; init; }

    /// <summary>The runtime's start-up settings, as llama.cpp names them (cache types, flash attention, <c>-ngl</c>,
    /// batch, <c>-np</c>, mmap); null = <see cref="RuntimeSettings.Default"/>. A runtime without such knobs rejects
    /// non-default settings.</summary>
    public RuntimeSettings? Settings { get; init; }

    /// <summary>True for <c>--context max</c>: each report also gives the longest context, up to the model's trained
    /// maximum, at which its chosen format fits (<see cref="FitReport.LongestContext"/>).</summary>
    public bool LongestContext { get; init; }
}

/// <summary>A <see cref="FitRequest"/> with every default decided: what <see cref="FitPipeline.Run"/> evaluates and
/// what <c>shrink</c> and <c>distill</c> start from.</summary>
/// <param name="Model">The model.</param>
/// <param name="Runtime">The runtime chosen.</param>
/// <param name="Format">The format to check first; null = walk the ladder.</param>
/// <param name="ContextTokens">The context; null = the default.</param>
/// <param name="Analyzer">The model's analyzer (weights and memory cached across devices).</param>
/// <param name="Notes">Warnings that belong to the request itself (an id checked with another runtime …), put first
/// in every report.</param>
public sealed record ResolvedFit(ModelInventory Model, RuntimeProfile Runtime, WeightFormat? Format, long? ContextTokens, FitAnalyzer Analyzer,
    IReadOnlyList<string> Notes)
{
    /// <summary>The runtime settings the analyzer was built with (validated).</summary>
    public RuntimeSettings Settings { get; init; } = RuntimeSettings.Default;
}

/// <summary>The reports of a <see cref="FitRequest"/>, one per device, and the choices made for it.</summary>
/// <param name="Request">The request with its defaults decided.</param>
/// <param name="Reports">One report per device, in the request's order.</param>
public sealed record FitResult(ResolvedFit Request, IReadOnlyList<FitReport> Reports);
