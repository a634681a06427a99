using System.Globalization;
using System.Text.RegularExpressions;

namespace LlmSize.Core.Models;

/// <summary>
/// The size written in a model's name: "7B", "135M", "1.5B", "0.5B", "8x7B" (experts × size), "E2B" (Gemma 3n
/// effective size).
/// </summary>
/// <remarks>
/// A size tag is a claim by whoever named the model, not a count; compare it with a counted size through
/// <see cref="SizeClass.Compare(ModelSizeTag)"/>. Units: K = 10^3, M = 10^6, B = 10^9, T = 10^12 parameters.
/// </remarks>
public sealed partial record ModelSizeTag
{
    /// <summary>The tag as written in the name ("8x7B", "0.5B", "E2B", "135M").</summary>
    public required string Text { get; init; }

    /// <summary>The number before the unit ("0.5" in "0.5B"; "7" in "8x7B").</summary>
    public required decimal Value { get; init; }

    /// <summary>The unit letter, upper case: "K", "M", "B" or "T".</summary>
    public required string Unit { get; init; }

    /// <summary>The value in parameters (per expert for an MoE tag: 8x7B → 7,000,000,000).</summary>
    public required long Parameters { get; init; }

    /// <summary>The expert count of an MoE tag ("8x7B" → 8), else null.</summary>
    public int? ExpertCount { get; init; }

    /// <summary>True for an effective-size tag ("E2B": Gemma 3n's parameters used per token, not its total).</summary>
    public bool IsEffective { get; init; }

    /// <summary>True for an MoE tag ("8x7B").</summary>
    public bool IsMixtureOfExperts => ExpertCount is not null;

    /// <inheritdoc />
    public override string ToString() => Text;

    [GeneratedRegex(@"^(?:(?<e>[eE])|(?<x>\d{1,4})[xX])?(?<v>\d{1,6}(?:\.\d{1,4})?)(?<u>[kKmMbBtT])$", RegexOptions.CultureInvariant)]
    private static partial Regex TagPattern();

    /// <summary>Parses one size tag token ("7b", "1.1B", "8x7B", "E2B", "135M").</summary>
    /// <param name="text">The token; surrounding white space is ignored.</param>
    /// <param name="tag">The tag when the result is true.</param>
    /// <returns>False when <paramref name="text"/> is not a size tag (including a zero size or zero experts).</returns>
    public static bool TryParse(string? text, out ModelSizeTag tag)
    {
        tag = null!;
        if (string.IsNullOrWhiteSpace(text)) return false;
        var m = TagPattern().Match(text.Trim());
        if (!m.Success) return false;
        decimal value = decimal.Parse(m.Groups["v"].Value, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture);
        string unit = m.Groups["u"].Value.ToUpperInvariant();
        long multiplier = unit switch { "K" => 1_000L, "M" => 1_000_000L, "B" => 1_000_000_000L, _ => 1_000_000_000_000L };
        decimal parameters = value * multiplier;
        if (parameters < 1 || parameters > long.MaxValue) return false;
        int? experts = null;
        if (m.Groups["x"].Success)
        {
            int x = int.Parse(m.Groups["x"].Value, CultureInfo.InvariantCulture);
            if (x == 0) return false;
            experts = x;
        }

        tag = new ModelSizeTag
        {
            Text = text.Trim(),
            Value = value,
            Unit = unit,
            Parameters = (long)decimal.Round(parameters),
            ExpertCount = experts,
            IsEffective = m.Groups["e"].Success,
        };
        return true;
    }
}
