using LlmSize.Core.Devices;

namespace LlmSize.Core.Estimation.Fit;

/// <summary>The full answer to "will this model run on that device, how fast, and how long is the download?".</summary>
public sealed record FitReport
{
    /// <summary>The model's name.</summary>
    public required string ModelName { get; init; }

    /// <summary>The device.</summary>
    public required DeviceProfile Device { get; init; }

    /// <summary>The runtime.</summary>
    public required RuntimeProfile Runtime { get; init; }

    /// <summary>Yes / with changes / no.</summary>
    public required FitOutcome Outcome { get; init; }

    /// <summary>What was asked for (format and context as requested), with its checks.</summary>
    public required FitVariant Requested { get; init; }

    /// <summary>The best variant that fits (highest precision at the requested context, then shorter contexts), or
    /// null when none does.</summary>
    public FitVariant? Best { get; init; }

    /// <summary>The smallest variant tried (the last rung of the ladder, shortest context) — what finally blocks when
    /// nothing fits.</summary>
    public required FitVariant LastTried { get; init; }

    /// <summary>The variant the speed, download and chart describe: <see cref="Best"/>, else <see cref="LastTried"/>.</summary>
    public FitVariant Chosen => Best ?? LastTried;

    /// <summary>The binding constraint of the requested variant (None when it fits).</summary>
    public FitConstraint BindingConstraint => Requested.Fits ? FitConstraint.None : Requested.Binding.Constraint;

    /// <summary>Speed of <see cref="Chosen"/>.</summary>
    public required SpeedEstimate Speed { get; init; }

    /// <summary>Download time of <see cref="Chosen"/> over each network class; the first is the device's network.</summary>
    public required IReadOnlyList<DownloadTime> Download { get; init; }

    /// <summary>Download bytes used for the times (the files' exact bytes when <see cref="Chosen"/> is the stored
    /// format, else the format's weight bytes).</summary>
    public required long DownloadBytes { get; init; }

    /// <summary>One sentence: the verdict and why.</summary>
    public required string Reason { get; init; }

    /// <summary>Warnings about the request (a context longer than the model was trained for …).</summary>
    public IReadOnlyList<string> Warnings { get; init; } = [];

    /// <summary>False for encoder-only models (BERT, DistilBERT): they embed or classify and never generate token by
    /// token, so a generation speed does not apply.</summary>
    public bool GeneratesTokens { get; init; } = true;

    /// <summary>True when a token speed applies: something fits, the model generates tokens, and its architecture is
    /// known (a TFLite/ONNX graph without config.json has no layer or KV model, so no speed is claimed).</summary>
    public bool HasTokenSpeed => Best is not null && GeneratesTokens && HasArchitecture;

    /// <summary>False when the model's architecture is unknown and only its stored weights were checked.</summary>
    public bool HasArchitecture { get; init; } = true;

    /// <summary>The longest context at which <see cref="Chosen"/>'s format fits (<c>--context max</c>); null when not
    /// asked for.</summary>
    public LongestContext? LongestContext { get; init; }

    /// <summary>True when the variant that fits leaves under 10% of its memory budget (<see cref="FitVariant.IsTight"/>).</summary>
    public bool TightFit => Best?.IsTight ?? false;
}

/// <summary>The answer to <c>--context max</c>: the longest context at which one format fits the device.</summary>
/// <param name="Format">The format searched (the report's chosen one).</param>
/// <param name="Tokens">The longest context that fits, tokens; 0 when not even the shortest step does.</param>
/// <param name="Limit">The longest context searched: the model's trained maximum (max_position_embeddings), else the
/// request's context.</param>
/// <param name="Step">Granularity of the search, tokens (llama.cpp pads n_ctx to 256).</param>
/// <param name="Variant">The variant at <paramref name="Tokens"/>, or null when none fits.</param>
public sealed record LongestContext(string Format, long Tokens, long Limit, int Step, FitVariant? Variant)
{
    /// <summary>True when the whole trained context fits.</summary>
    public bool FitsTrainedMaximum => Tokens >= Limit;
}
