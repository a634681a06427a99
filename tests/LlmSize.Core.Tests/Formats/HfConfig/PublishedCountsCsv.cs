using System.Text;
using LlmSize.Core.Tests.Infrastructure;

namespace LlmSize.Core.Tests.Formats.HfConfig;

/// <summary>One row of <c>../shared/reference/published-parameter-counts.csv</c>.</summary>
/// <param name="Model">Model name (first column).</param>
/// <param name="Config">Path relative to the shared folder.</param>
/// <param name="Parameters">Published parameter count.</param>
/// <param name="Source">Where the count is published.</param>
/// <param name="Notes">Notes column.</param>
public sealed record PublishedCount(string Model, string Config, long Parameters, string Source, string Notes)
{
    /// <inheritdoc />
    public override string ToString() => Model;
}

/// <summary>Reads the shared published-parameter-counts.csv (RFC 4180 quoting).</summary>
public static class PublishedCountsCsv
{
    /// <summary>All rows of the CSV.</summary>
    public static IReadOnlyList<PublishedCount> Rows { get; } = Load();

    private static List<PublishedCount> Load()
    {
        string[] lines = File.ReadAllLines(TestPaths.Reference("published-parameter-counts.csv"));
        var rows = new List<PublishedCount>();
        foreach (string line in lines.Skip(1).Where(l => l.Length > 0))
        {
            List<string> f = Split(line);
            rows.Add(new PublishedCount(f[0], f[1], long.Parse(f[2], System.Globalization.CultureInfo.InvariantCulture), f[4], f[5]));
        }

        return rows;
    }

    private static List<string> Split(string line)
    {
        var fields = new List<string>();
        var current = new StringBuilder();
        bool quoted = false;
        for (int i = 0; i < line.Length; i++)
        {
            char ch = line[i];
            if (quoted)
            {
                if (ch == '"' && i + 1 < line.Length && line[i + 1] == '"') { current.Append('"'); i++; }
                else if (ch == '"') quoted = false;
                else current.Append(ch);
            }
            else if (ch == '"') quoted = true;
            else if (ch == ',') { fields.Add(current.ToString()); current.Clear(); }
            else current.Append(ch);
        }

        fields.Add(current.ToString());
        return fields;
    }
}
