namespace LlmSize.Core;

/// <summary>Levenshtein edit distance, used by the model and device catalogs and the CLI for "did you mean" suggestions.</summary>
public static class EditDistance
{
    /// <summary>
    /// The candidates closest to <paramref name="input"/> (case-insensitive), nearest first, within
    /// <paramref name="maxDistance"/> edits; a candidate that extends the input ("q4f16" → "q4f16_1") ranks first. Inputs longer than 64 characters are truncated first, so the cost stays
    /// bounded for hostile option values.
    /// </summary>
    /// <param name="input">What the user typed.</param>
    /// <param name="candidates">Known names.</param>
    /// <param name="maxDistance">Largest edit distance still suggested.</param>
    /// <param name="take">Most suggestions returned.</param>
    /// <returns>Up to <paramref name="take"/> names; empty when none is close.</returns>
    public static IReadOnlyList<string> Nearest(string input, IEnumerable<string> candidates, int maxDistance = 3, int take = 3)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(candidates);
        string query = (input.Length > 64 ? input[..64] : input).ToLowerInvariant();
        return candidates
            .Select(c => (Name: c, Distance: c.StartsWith(query, StringComparison.OrdinalIgnoreCase) && query.Length >= 2
                ? 0
                : Levenshtein(query, c.ToLowerInvariant())))
            .Where(x => x.Distance <= maxDistance)
            .OrderBy(x => x.Distance)
            .ThenBy(x => x.Name, StringComparer.Ordinal)
            .Take(take)
            .Select(x => x.Name)
            .ToList();
    }

    /// <summary>Levenshtein distance (insertions, deletions, substitutions each cost 1), two-row dynamic programming:
    /// O(|a|·|b|) time, O(|b|) memory (stack for short strings).</summary>
    /// <param name="a">First string.</param>
    /// <param name="b">Second string.</param>
    /// <returns>The distance.</returns>
    public static int Levenshtein(string a, string b)
    {
        if (a.Length == 0) return b.Length;
        if (b.Length == 0) return a.Length;
        Span<int> prev = b.Length < 256 ? stackalloc int[b.Length + 1] : new int[b.Length + 1];
        Span<int> cur = b.Length < 256 ? stackalloc int[b.Length + 1] : new int[b.Length + 1];
        for (int j = 0; j <= b.Length; j++) prev[j] = j;
        for (int i = 1; i <= a.Length; i++)
        {
            cur[0] = i;
            for (int j = 1; j <= b.Length; j++)
            {
                int cost = a[i - 1] == b[j - 1] ? 0 : 1;
                cur[j] = Math.Min(Math.Min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }

            Span<int> t = prev;
            prev = cur;
            cur = t;
        }

        return prev[b.Length];
    }
}
