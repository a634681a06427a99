using System.ComponentModel;
using System.Globalization;

namespace LlmSize.Cli.Infrastructure;

/// <summary>Converts a <c>--context</c> value into a token count: a whole number (<c>4096</c>) or a whole number with a
/// binary suffix, <c>k</c> = ×1024 and <c>m</c> = ×1024² as model cards write context lengths (<c>4k</c> = 4096,
/// <c>32K</c> = 32768, <c>128k</c> = 131072, <c>1m</c> = 1048576). Anything else is a usage error with a readable
/// message (Spectre's default says "Failed to convert 'abc' to Nullable`1").</summary>
public sealed class TokenCountConverter : TypeConverter
{
    /// <summary>Largest accepted count, tokens (2^30): far beyond any published context window (10M tokens at most
    /// in 2025), and small enough that KV-cache byte arithmetic (layers × 2 × tokens × heads × head_dim × bytes) stays
    /// far from 64-bit overflow.</summary>
    public const long MaxTokens = 1L << 30;

    /// <inheritdoc />
    public override bool CanConvertFrom(ITypeDescriptorContext? context, Type sourceType) =>
        sourceType == typeof(string) || base.CanConvertFrom(context, sourceType);

    /// <inheritdoc />
    /// <exception cref="FormatException">The text is not a positive whole token count.</exception>
    public override object? ConvertFrom(ITypeDescriptorContext? context, CultureInfo? culture, object value) =>
        value is string text ? Parse(text) : base.ConvertFrom(context, culture, value);

    /// <summary>Parses a token count such as <c>4096</c>, <c>4k</c>, <c>32K</c> or <c>128k</c>.</summary>
    /// <param name="text">The option value.</param>
    /// <returns>Tokens, 1 to <see cref="MaxTokens"/>.</returns>
    /// <exception cref="FormatException">Not a whole number with an optional k/m suffix, not positive, or above
    /// <see cref="MaxTokens"/>.</exception>
    public static long Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        string s = text.Trim();
        long factor = 1;
        if (s.Length > 0 && char.ToLowerInvariant(s[^1]) is 'k' or 'm')
        {
            factor = char.ToLowerInvariant(s[^1]) == 'k' ? 1024 : 1024 * 1024;
            s = s[..^1];
        }

        // NumberStyles.None: digits only (no sign, no decimal point, no thousands separator).
        if (!long.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out long n) || n <= 0 || n > MaxTokens / factor)
        {
            throw new FormatException(
                $"--context '{text}' is not a token count: give a whole number from 1 to {MaxTokens:N0}, e.g. 4096, or with k/m = ×1024/×1024² (4k, 32K, 128k).");
        }

        return n * factor;
    }
}
