using LlmSize.Core;

namespace LlmSize.Web;

/// <summary>Request validation shared by the endpoints: short, printable names only.</summary>
internal static class Validation
{
    /// <summary>Longest model name accepted: 256 characters (the catalog's query cap).</summary>
    internal const int MaxNameLength = 256;

    /// <summary>A model name: non-empty, at most <see cref="MaxNameLength"/> characters, no control characters.</summary>
    /// <exception cref="InputException">Empty, too long or with control characters.</exception>
    internal static string ModelName(string? name) => Name(name, "model");

    /// <summary>A name field (device, runtime, format, network).</summary>
    /// <exception cref="InputException">Empty, too long or with control characters.</exception>
    internal static string Name(string? value, string field)
    {
        if (string.IsNullOrWhiteSpace(value)) throw new InputException(InputErrorKind.InvalidRequest, $"'{field}' is required");
        if (value.Length > MaxNameLength) throw new InputException(InputErrorKind.InvalidRequest, $"'{field}' is longer than {MaxNameLength} characters");
        if (value.Any(char.IsControl)) throw new InputException(InputErrorKind.InvalidRequest, $"'{field}' contains control characters");
        return value.Trim();
    }
}
