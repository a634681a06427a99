using System.Globalization;
using System.Text.RegularExpressions;

namespace LlmSize.Core.Formats.Gguf;

/// <summary>
/// The file naming of split GGUF models, <c>{prefix}-{part:D5}-of-{count:D5}.gguf</c> with 1-based part numbers, as
/// llama.cpp writes it (<c>llama_split_path</c>, format <c>"%s-%05d-of-%05d.gguf"</c>, used by <c>gguf-split</c>).
/// </summary>
public static partial class GgufSplitName
{
    [GeneratedRegex(@"^(?<prefix>.+)-(?<part>\d{5})-of-(?<count>\d{5})\.gguf$", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase)]
    private static partial Regex Pattern();

    /// <summary>Recognizes a split part's file name.</summary>
    /// <param name="path">A file path.</param>
    /// <param name="prefix">The path without the <c>-NNNNN-of-MMMMM.gguf</c> suffix.</param>
    /// <param name="partNumber">1-based part number.</param>
    /// <param name="partCount">Number of parts.</param>
    /// <returns>False when the name does not follow the pattern, or the numbers are 0 or part &gt; count.</returns>
    public static bool TryParse(string path, out string prefix, out int partNumber, out int partCount)
    {
        ArgumentNullException.ThrowIfNull(path);
        prefix = string.Empty;
        partNumber = partCount = 0;
        Match m = Pattern().Match(path);
        if (!m.Success) return false;
        int part = int.Parse(m.Groups["part"].ValueSpan, CultureInfo.InvariantCulture);
        int count = int.Parse(m.Groups["count"].ValueSpan, CultureInfo.InvariantCulture);
        if (part < 1 || count < 1 || part > count) return false;
        prefix = m.Groups["prefix"].Value;
        partNumber = part;
        partCount = count;
        return true;
    }

    /// <summary>The path of part <paramref name="partNumber"/> of <paramref name="partCount"/>.</summary>
    /// <param name="prefix">Path prefix (see <see cref="TryParse"/>).</param>
    /// <param name="partNumber">1-based part number.</param>
    /// <param name="partCount">Number of parts (1–99,999).</param>
    /// <returns><c>{prefix}-{part:D5}-of-{count:D5}.gguf</c>.</returns>
    /// <exception cref="ArgumentOutOfRangeException">A number is out of range.</exception>
    public static string GetPartPath(string prefix, int partNumber, int partCount)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(partCount, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(partCount, 99_999);
        ArgumentOutOfRangeException.ThrowIfLessThan(partNumber, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(partNumber, partCount);
        return string.Create(CultureInfo.InvariantCulture, $"{prefix}-{partNumber:D5}-of-{partCount:D5}.gguf");
    }
}
