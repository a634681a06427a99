using System.Globalization;

namespace LlmSize.Core.Models;

/// <summary>
/// The size class of a parameter count, written the way the field names models ("7B class", "135M class",
/// "0.5B class"), and a check of whether a name's size tag agrees with a counted size.
/// </summary>
/// <remarks>
/// <para><b>The rule.</b> A count is expressed in a unit and rounded to a step that depends on its magnitude:</para>
/// <list type="table">
/// <listheader><term>count</term><description>unit and step (rounding)</description></listheader>
/// <item><term>&lt; 1,000</term><description>the exact count ("513 class")</description></item>
/// <item><term>1K – 1M</term><description>K, step 1K, nearest (513,048 → "513K")</description></item>
/// <item><term>1M – 10M</term><description>M, step 0.1M, nearest (6,543,210 → "6.5M")</description></item>
/// <item><term>10M – 450M</term><description>M, step 1M, nearest: 2–3 significant digits, as the field writes sub-billion
/// names (134,515,008 → "135M"; 124,439,808 → "124M"; 66,985,530 → "67M")</description></item>
/// <item><term>450M – 2B</term><description>B, half-steps of 0.5B the field uses (0.5B, 1B, 1.5B), rounded up only at
/// ≥ 0.6 of a step (494,032,768 → "0.5B"; 1,235,814,400 → "1B"; 1,543,714,304 → "1.5B")</description></item>
/// <item><term>2B – 1T</term><description>B, step 1B (2 significant digits below 100B, 3 above), rounded up only at
/// ≥ 0.6 of a step (2,506,172,416 → "2B"; 6,738,415,616 → "7B"; 8,030,261,248 → "8B"; 46,702,792,704 → "47B";
/// 70,553,706,496 → "70B")</description></item>
/// <item><term>≥ 1T</term><description>T, step 0.1T, same biased rounding</description></item>
/// </list>
/// <para><b>Why rounding up only at 0.6 of a step from 450M up.</b> Published names are the round size a model was
/// built to, and real counts overshoot it, mostly through the token embedding: Gemma 2B holds 2.51B parameters and
/// Llama 3 70B holds 70.55B. Plain rounding would call those "3B" and "71B". Rounding up only from 0.6 of a step keeps
/// the field's names for those while still sending 6.74B (Llama 2 7B) to "7B" and 46.7B (Mixtral) to "47B".
/// Below 450M the field writes names with 3 significant digits (135M, 360M) so plain rounding is used.</para>
/// <para><b>MoE.</b> A mixture-of-experts model's class is that of its total parameter count (Mixtral 8x7B:
/// 46.7B → "47B class"); the "8x7B" form comes from the name (experts × the size of the dense model the experts were
/// shaped after) and is not a parameter count, because attention and embeddings are shared, not repeated per expert.</para>
/// <para>This is this project's convention, documented here; there is no standard body defining size classes.</para>
/// </remarks>
public sealed record SizeClass
{
    /// <summary>Counts from which the half-step band (0.5B steps) applies, in parameters.</summary>
    public const long HalfStepBandStart = 450_000_000;

    /// <summary>Counts from which whole-billion steps apply, in parameters.</summary>
    public const long WholeBillionBandStart = 2_000_000_000;

    /// <summary>
    /// Relative deviation (|counted / named − 1|) within which a name's size tag agrees with a count even when the
    /// size classes differ: 10 %. It accepts names written with more precision than the class (TinyLlama "1.1B" for
    /// 1.10B, SmolLM2 "360M" for 362M).
    /// </summary>
    public const double AgreementTolerance = 0.10;

    private SizeClass(long parameters, long nominal, string label)
    {
        Parameters = parameters;
        NominalParameters = nominal;
        Label = label;
    }

    /// <summary>The counted parameters this class was computed from.</summary>
    public long Parameters { get; }

    /// <summary>The nominal size of the class in parameters (the "7B" class: 7,000,000,000).</summary>
    public long NominalParameters { get; }

    /// <summary>The short label: "7B", "135M", "0.5B", "1.5B", "513K".</summary>
    public string Label { get; }

    /// <summary>The label followed by "class": "7B class".</summary>
    public string DisplayName => Label + " class";

    /// <inheritdoc />
    public override string ToString() => DisplayName;

    /// <summary>Places a parameter count in its size class (rule in the type's remarks).</summary>
    /// <param name="parameters">Parameter count, ≥ 0.</param>
    /// <returns>The size class.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="parameters"/> is negative.</exception>
    public static SizeClass FromParameterCount(long parameters)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(parameters);
        if (parameters < 1_000) return new SizeClass(parameters, parameters, parameters.ToString(CultureInfo.InvariantCulture));
        if (parameters < 1_000_000) return Make(parameters, 1_000, 1_000, "K", biased: false);
        if (parameters < 10_000_000) return Make(parameters, 100_000, 1_000_000, "M", biased: false);
        if (parameters < HalfStepBandStart) return Make(parameters, 1_000_000, 1_000_000, "M", biased: false);
        if (parameters < WholeBillionBandStart) return Make(parameters, 500_000_000, 1_000_000_000, "B", biased: true);
        if (parameters < 1_000_000_000_000) return Make(parameters, 1_000_000_000, 1_000_000_000, "B", biased: true);
        return Make(parameters, 100_000_000_000, 1_000_000_000_000, "T", biased: true);
    }

    private static SizeClass Make(long parameters, long step, long unit, string suffix, bool biased)
    {
        // Round to a multiple of the step: plainly (half up), or up only from 0.6 of a step (see remarks).
        long whole = parameters / step;
        long rest = parameters % step;
        bool up = biased ? rest * 10 >= step * 6 : rest * 2 >= step;
        long steps = whole + (up && whole < long.MaxValue / step ? 1 : 0); // never round past long.MaxValue
        if (biased && steps == 0) steps = 1; // a class is never "0B": 450M–0.55B stays in the first half-step
        long nominal = checked(steps * step);
        decimal value = (decimal)nominal / unit;
        string label = value.ToString("0.###", CultureInfo.InvariantCulture) + suffix;
        return new SizeClass(parameters, nominal, label);
    }

    /// <summary>
    /// Compares this counted size with the size tag of a model name ("gemma-7b" → 7B).
    /// </summary>
    /// <param name="tag">The size tag parsed from a name (see <see cref="ModelName.Parse"/>).</param>
    /// <returns>Whether the name agrees with the count, and by how much it under- or overstates it.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="tag"/> is null.</exception>
    /// <remarks>
    /// Agreement: the tag names this class (Gemma 2B: 2.51B is in the "2B class"), or the count is within
    /// <see cref="AgreementTolerance"/> of the tag's value. Otherwise the name under- or overstates the count by
    /// |counted / named − 1| (Gemma 7B: 8,537,680,896 / 7,000,000,000 − 1 = 22 %: "name understates by 22%").
    /// A mixture-of-experts tag ("8x7B") names experts × the dense size they were shaped after, not the total;
    /// an effective-size tag ("E2B", Gemma 3n) names the parameters loaded per token, not the total: both are reported
    /// as not comparable with a total count, with the explanation.
    /// </remarks>
    public SizeComparison Compare(ModelSizeTag tag)
    {
        ArgumentNullException.ThrowIfNull(tag);
        if (tag.ExpertCount is int experts)
        {
            double product = (double)experts * tag.Parameters;
            double vsProduct = Parameters / product - 1;
            return new SizeComparison(SizeAgreement.NotComparable, tag, this, vsProduct,
                Inv($"\"{tag.Text}\" names {experts} experts shaped after a {FormatTagValue(tag)} dense model, not a total: ")
                + Inv($"experts share attention and embeddings, so the {Parameters:N0} parameters counted ({DisplayName}) ")
                + Inv($"are {Percent(-vsProduct)}% fewer than {experts} × {FormatTagValue(tag)}."));
        }

        double deviation = (double)Parameters / tag.Parameters - 1;
        if (tag.IsEffective)
        {
            return new SizeComparison(SizeAgreement.NotComparable, tag, this, deviation,
                Inv($"\"{tag.Text}\" is an effective size (parameters used per token), not the total; ")
                + Inv($"{Parameters:N0} parameters counted ({DisplayName})."));
        }

        if (tag.Parameters == NominalParameters || Math.Abs(deviation) <= AgreementTolerance)
        {
            return new SizeComparison(SizeAgreement.Agrees, tag, this, deviation,
                Inv($"name agrees with the size class ({tag.Text}); the exact count, {Parameters:N0} parameters ({DisplayName}), is ")
                + (Percent(Math.Abs(deviation)) == "0" ? "within 0.5% of the tag." : Inv($"{Percent(Math.Abs(deviation))}% {(deviation > 0 ? "above" : "below")} the tag.")));
        }

        return deviation > 0
            ? new SizeComparison(SizeAgreement.NameUnderstates, tag, this, deviation,
                Inv($"name understates by {Percent(deviation)}%: {tag.Text} for {Parameters:N0} parameters ({DisplayName})."))
            : new SizeComparison(SizeAgreement.NameOverstates, tag, this, deviation,
                Inv($"name overstates by {Percent(-deviation)}%: {tag.Text} for {Parameters:N0} parameters ({DisplayName})."));
    }

    /// <summary>Compares with the size tag found in a model name or a bare tag ("gemma-7b", "7B", "8x7B").</summary>
    /// <param name="nameOrTag">A model name or size tag.</param>
    /// <returns>The comparison, or null when the name carries no size tag.</returns>
    /// <exception cref="ArgumentException"><paramref name="nameOrTag"/> is null or blank.</exception>
    public SizeComparison? Compare(string nameOrTag)
    {
        var tag = ModelSizeTag.TryParse(nameOrTag, out var t) ? t : ModelName.Parse(nameOrTag).SizeTag;
        return tag is null ? null : Compare(tag);
    }

    private static string Inv(FormattableString s) => FormattableString.Invariant(s);

    private static string FormatTagValue(ModelSizeTag tag) =>
        tag.Value.ToString("0.###", CultureInfo.InvariantCulture) + tag.Unit;

    private static string Percent(double fraction) =>
        Math.Round(fraction * 100, MidpointRounding.AwayFromZero).ToString("0", CultureInfo.InvariantCulture);
}

/// <summary>How a name's size tag relates to a counted size.</summary>
public enum SizeAgreement
{
    /// <summary>The tag names the count's size class, or is within <see cref="SizeClass.AgreementTolerance"/>.</summary>
    Agrees,
    /// <summary>The model holds more parameters than its name says.</summary>
    NameUnderstates,
    /// <summary>The model holds fewer parameters than its name says.</summary>
    NameOverstates,
    /// <summary>The tag is not a total count (MoE "8x7B", effective "E2B").</summary>
    NotComparable,
}

/// <summary>The result of <see cref="SizeClass.Compare(ModelSizeTag)"/>.</summary>
/// <param name="Agreement">The verdict.</param>
/// <param name="Tag">The size tag compared.</param>
/// <param name="Counted">The size class of the counted parameters.</param>
/// <param name="Deviation">counted / tag value − 1 (for MoE tags: counted / (experts × size) − 1); 0.22 = 22 % more
/// parameters than named.</param>
/// <param name="Message">One readable sentence ("name understates by 22%: 7B for 8,537,680,896 parameters (8B class).").</param>
public sealed record SizeComparison(SizeAgreement Agreement, ModelSizeTag Tag, SizeClass Counted, double Deviation, string Message);
