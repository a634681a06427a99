using System.Globalization;

namespace LlmSize.Core;

/// <summary>What kind of user input an <see cref="InputException"/> rejects; front ends map kinds to exit codes and
/// HTTP statuses (CLI: all exit 1; web: 404 for <see cref="UnknownName"/>, 422 otherwise).</summary>
/// <remarks>Append new members at the end; the numeric values are part of the public contract.</remarks>
public enum InputErrorKind
{
    /// <summary>A model, device, runtime, format, browser or network name that is not known.</summary>
    UnknownName = 1,
    /// <summary>A path that names no file or folder.</summary>
    NotFound,
    /// <summary>The vendor has not disclosed the model's size, so nothing can be estimated.</summary>
    NotDisclosed,
    /// <summary>A LoRA/PEFT adapter was given where a whole model is needed.</summary>
    AdapterNotModel,
    /// <summary>The files carry no architecture hyper-parameters where an estimate needs them.</summary>
    NoArchitecture,
    /// <summary>A well-formed request that cannot be answered as asked (impossible device specs, conflicting choices).</summary>
    InvalidRequest,
    /// <summary>A remote repository refused access: a gated or private model without (or with an unaccepted) token.</summary>
    AccessDenied,
    /// <summary>A remote server could not be reached or answered in a way that cannot be used (no Range support,
    /// a truncated body, an answer over its size limit), and no cached copy could answer instead.</summary>
    RemoteFailure,
    /// <summary>A runtime setting outside its valid range for this model or runtime (<c>--gpu-layers</c> above the layer
    /// count, a cache type the runtime lacks, <c>--parallel 0</c>): a usage error, exit 2.</summary>
    InvalidSetting,
    /// <summary>An uploaded header slice ended before the reader found the end of the header: post a longer slice
    /// (<see cref="Sources.HeaderSliceTooShortException"/> says from which offset more bytes are needed).</summary>
    IncompleteHeader,
}

/// <summary>
/// A request the user can fix: an unknown name, a missing file, an undisclosed model, an adapter where a model is
/// needed. Malformed files are <see cref="ModelFormatException"/>; anything else that escapes the core is a bug.
/// </summary>
public class InputException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="kind">What kind of input is rejected.</param>
    /// <param name="message">One line that names what was given and what would work.</param>
    /// <param name="inner">Underlying exception, if any.</param>
    public InputException(InputErrorKind kind, string message, Exception? inner = null)
        : base(message, inner) => Kind = kind;

    /// <summary>What kind of input is rejected.</summary>
    public InputErrorKind Kind { get; }

    /// <summary>Formats a resource string with the invariant culture.</summary>
    /// <param name="format">A <see cref="SR"/> string.</param>
    /// <param name="args">Its arguments.</param>
    /// <returns>The message.</returns>
    internal static string Format(string format, params object?[] args) => string.Format(CultureInfo.InvariantCulture, format, args);
}

/// <summary>The kinds of names users type.</summary>
public enum NameKind
{
    /// <summary>A model (catalog id, alias, WebLLM id) or model path.</summary>
    Model,
    /// <summary>A device profile id or alias.</summary>
    Device,
    /// <summary>A runtime id.</summary>
    Runtime,
    /// <summary>A weight format of a runtime (Q4_K_M, q4f16_1).</summary>
    Format,
    /// <summary>A browser name for an inline device.</summary>
    Browser,
    /// <summary>A network class.</summary>
    Network,
}

/// <summary>A name that is not known, with the nearest known names (edit distance ≤ 3, <see cref="EditDistance"/>).</summary>
public class UnknownNameException : InputException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="nameKind">What kind of name.</param>
    /// <param name="name">The name given.</param>
    /// <param name="suggestions">The nearest known names, nearest first (may be empty).</param>
    /// <param name="message">The full one-line message.</param>
    public UnknownNameException(NameKind nameKind, string name, IReadOnlyList<string> suggestions, string message)
        : base(InputErrorKind.UnknownName, message)
    {
        NameKind = nameKind;
        Name = name;
        Suggestions = suggestions;
    }

    /// <summary>What kind of name was not found.</summary>
    public NameKind NameKind { get; }

    /// <summary>The name given.</summary>
    public string Name { get; }

    /// <summary>The nearest known names, nearest first; empty when none is close.</summary>
    public IReadOnlyList<string> Suggestions { get; }

    /// <summary>The one suggestion helper: " (did you mean X or Y?)" for the two names nearest to
    /// <paramref name="input"/> within edit distance 3, else empty.</summary>
    /// <param name="input">What the user typed.</param>
    /// <param name="names">Known names.</param>
    /// <returns>The suggestion text with a leading space, or empty.</returns>
    public static string DidYouMean(string input, IEnumerable<string> names) => DidYouMean(EditDistance.Nearest(input, names, take: 2));

    /// <summary>" (did you mean X or Y?)" for <paramref name="near"/>, or empty when it is empty.</summary>
    /// <param name="near">Suggestions.</param>
    /// <returns>The suggestion text.</returns>
    public static string DidYouMean(IReadOnlyList<string> near) =>
        near.Count > 0 ? InputException.Format(SR.DidYouMean, string.Join(" or ", near)) : string.Empty;

    /// <summary>"unknown runtime 'x' (did you mean y?); known: a, b, c" — an unknown name among a short list of known names.</summary>
    /// <param name="kind">Kind of name.</param>
    /// <param name="name">The name given.</param>
    /// <param name="known">Every known name (listed when there are at most 12, else the list command is named).</param>
    /// <param name="listCommand">Command that lists the names, for long lists (e.g. "llmsize devices list").</param>
    /// <returns>The exception.</returns>
    public static UnknownNameException For(NameKind kind, string name, IEnumerable<string> known, string? listCommand = null)
    {
        ArgumentNullException.ThrowIfNull(name);
        var all = known.ToList();
        var near = EditDistance.Nearest(name, all, take: 2);
        string tail = DidYouMean(near) + (listCommand is not null && all.Count > 12
            ? InputException.Format(SR.SeeList, listCommand)
            : InputException.Format(SR.KnownNames, string.Join(", ", all)));
        return new UnknownNameException(kind, name, near, InputException.Format(SR.UnknownName, KindWord(kind), name, tail));
    }

    private static string KindWord(NameKind kind) => kind switch
    {
        NameKind.Model => "model",
        NameKind.Device => "device",
        NameKind.Runtime => "runtime",
        NameKind.Format => "format",
        NameKind.Browser => "browser",
        _ => "network",
    };
}
