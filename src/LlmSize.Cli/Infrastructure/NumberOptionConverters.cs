using System.ComponentModel;
using System.Globalization;

namespace LlmSize.Cli.Infrastructure;

/// <summary>Converts a whole-number option value, naming the option when the text is not one (Spectre's default says
/// "Failed to convert 'abc' to Nullable`1" and cannot say which option). Range checks stay with each command's
/// validation; this only parses.</summary>
/// <param name="option">The option as typed, e.g. <c>--cores</c>.</param>
public abstract class WholeNumberOptionConverter(string option) : TypeConverter
{
    /// <inheritdoc />
    public override bool CanConvertFrom(ITypeDescriptorContext? context, Type sourceType) =>
        sourceType == typeof(string) || base.CanConvertFrom(context, sourceType);

    /// <inheritdoc />
    /// <exception cref="FormatException">Not an optionally signed whole number that fits 32 bits; the message starts with
    /// the option's name.</exception>
    public override object? ConvertFrom(ITypeDescriptorContext? context, CultureInfo? culture, object value) =>
        value is string text
            ? int.TryParse(text.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int n)
                ? n
                : throw new FormatException(string.Format(CultureInfo.InvariantCulture, CliSR.NotANumber, option, text, string.Empty))
            : base.ConvertFrom(context, culture, value);
}

/// <summary>Converts a decimal option value (invariant culture, a dot for decimals), naming the option when the text
/// is not a number.</summary>
/// <param name="option">The option as typed, e.g. <c>--sparsity</c>.</param>
public abstract class DecimalOptionConverter(string option) : TypeConverter
{
    /// <inheritdoc />
    public override bool CanConvertFrom(ITypeDescriptorContext? context, Type sourceType) =>
        sourceType == typeof(string) || base.CanConvertFrom(context, sourceType);

    /// <inheritdoc />
    /// <exception cref="FormatException">Not a number; the message starts with the option's name.</exception>
    public override object? ConvertFrom(ITypeDescriptorContext? context, CultureInfo? culture, object value) =>
        value is string text
            ? double.TryParse(text.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out double d)
                ? d
                : throw new FormatException(string.Format(CultureInfo.InvariantCulture, CliSR.NotAFraction, option, text))
            : base.ConvertFrom(context, culture, value);
}

/// <summary><c>--cores</c>.</summary>
public sealed class CoresOptionConverter() : WholeNumberOptionConverter("--cores");

/// <summary><c>--gpu-layers</c>.</summary>
public sealed class GpuLayersOptionConverter() : WholeNumberOptionConverter("--gpu-layers");

/// <summary><c>--batch</c>.</summary>
public sealed class BatchOptionConverter() : WholeNumberOptionConverter("--batch");

/// <summary><c>--ubatch</c>.</summary>
public sealed class UbatchOptionConverter() : WholeNumberOptionConverter("--ubatch");

/// <summary><c>--parallel</c>.</summary>
public sealed class ParallelOptionConverter() : WholeNumberOptionConverter("--parallel");

/// <summary><c>--rank</c> (lora size).</summary>
public sealed class RankOptionConverter() : WholeNumberOptionConverter("--rank");

/// <summary><c>--threads</c> (quantize).</summary>
public sealed class ThreadsOptionConverter() : WholeNumberOptionConverter("--threads");

/// <summary><c>--rate-limit</c> (serve).</summary>
public sealed class RateLimitOptionConverter() : WholeNumberOptionConverter("--rate-limit");

/// <summary><c>--sparsity</c> (prune).</summary>
public sealed class SparsityOptionConverter() : DecimalOptionConverter("--sparsity");
