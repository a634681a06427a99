namespace LlmSize.Core;

/// <summary>Levenshtein edit distance, used by the model and device catalogs for "did you mean" suggestions.</summary>
internal static class EditDistance
{
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
