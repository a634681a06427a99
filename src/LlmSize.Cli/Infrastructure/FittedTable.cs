using System.Globalization;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace LlmSize.Cli.Infrastructure;

/// <summary>A table that chooses its columns by the console width (<see cref="IAnsiConsole"/>'s
/// <c>Profile.Width</c>, in terminal columns) so that it reads at 80 columns: value columns never wrap (a number,
/// a size such as "2.13 GiB" or a GGUF type name such as Q5_K_M stays on one line); when they do not all fit, the
/// headers are abbreviated first, then the least important columns are left out and one line names them and points
/// to <c>--wide</c> / <c>--json</c>.</summary>
/// <remarks>Spectre would otherwise shrink every column to fit and split values mid-token ("8,388,6" / "08"). Column
/// widths are computed here from the cells' measured widths and set on each <see cref="TableColumn"/>, so Spectre
/// never has to collapse them.</remarks>
internal sealed class FittedTable
{
    private readonly List<FittedColumn> _columns = [];
    private readonly List<FittedCell[]> _rows = [];
    private readonly Func<Table> _create;

    /// <summary>Creates a fitted table.</summary>
    /// <param name="create">Makes the Spectre table (border, title); null = <c>new Table()</c>.</param>
    public FittedTable(Func<Table>? create = null) => _create = create ?? (() => new Table());

    /// <summary>Adds a column.</summary>
    /// <param name="header">Header markup.</param>
    /// <param name="drop">0 = never left out; otherwise the order of leaving out when the width runs short, the
    /// highest first (ties: the rightmost first).</param>
    /// <param name="shortHeader">Abbreviated header markup used when the full headers do not fit; null = none.</param>
    /// <param name="right">Right-align the column (numbers).</param>
    /// <param name="wrap">The column holds prose that may wrap between words (descriptions, notes); value columns
    /// never wrap.</param>
    /// <param name="wrapMin">For a wrapping column, the narrowest it is squeezed to, in columns (never below its
    /// longest word).</param>
    /// <returns>This table.</returns>
    public FittedTable Column(string header, int drop = 0, string? shortHeader = null, bool right = false, bool wrap = false, int wrapMin = 16)
    {
        _columns.Add(new FittedColumn(header, shortHeader, drop, right, wrap, wrapMin));
        return this;
    }

    /// <summary>Adds a row of cell markup, one per column in column order.</summary>
    /// <param name="cells">Cell markup; missing trailing cells are empty.</param>
    /// <returns>This table.</returns>
    public FittedTable Row(params string[] cells)
    {
        _rows.Add(cells.Select(c => new FittedCell(c, c)).ToArray());
        return this;
    }

    /// <summary>Adds a row whose cells may have a compact form, used when the table is too wide even with short
    /// headers (before any column is left out).</summary>
    /// <param name="cells">Cells, one per column in column order.</param>
    /// <returns>This table.</returns>
    public FittedTable Row(params FittedCell[] cells)
    {
        _rows.Add(cells);
        return this;
    }

    /// <summary>The number of rows added.</summary>
    public int RowCount => _rows.Count;

    /// <summary>Lays the table out for <paramref name="console"/>'s width and writes it, followed by one grey line
    /// naming the columns left out (if any).</summary>
    /// <param name="console">The console (its profile width decides the columns).</param>
    /// <param name="wide">Keep every column and full headers even if the console is too narrow (<c>--wide</c>).</param>
    /// <returns>The headers (markup removed) of the columns left out; empty when every column is shown.</returns>
    public IReadOnlyList<string> Write(IAnsiConsole console, bool wide)
    {
        var (table, dropped) = Build(console, wide);
        console.Write(table);
        if (dropped.Count > 0) console.MarkupLine("[grey]" + Markup.Escape(LeftOutLine(dropped, console.Profile.Width)) + "[/]");
        return dropped;
    }

    /// <summary>The line written under a table whose columns were left out.</summary>
    /// <param name="dropped">Headers of the columns left out.</param>
    /// <param name="width">Console width in columns.</param>
    /// <returns>"not shown at 80 columns: a, b; --wide shows every column, --json every value".</returns>
    public static string LeftOutLine(IReadOnlyList<string> dropped, int width) =>
        string.Create(CultureInfo.InvariantCulture, $"not shown at {width} columns: {string.Join(", ", dropped)}; --wide shows every column, --json every value.");

    /// <summary>Builds the Spectre table for <paramref name="console"/>'s width.</summary>
    /// <param name="console">The console (width and capabilities).</param>
    /// <param name="wide">Keep every column and full headers.</param>
    /// <returns>The table and the headers (markup removed) of the columns left out.</returns>
    public (Table Table, IReadOnlyList<string> Dropped) Build(IAnsiConsole console, bool wide)
    {
        var options = RenderOptions.Create(console, console.Profile.Capabilities);
        int width = console.Profile.Width;
        var sizes = _columns.Select((c, i) => Measure(options, c, i)).ToArray();
        int overhead = Overhead(options, 1);
        int perColumn = Overhead(options, 2) - overhead; // padding + one separator per column

        var active = Enumerable.Range(0, _columns.Count).ToList();
        var dropped = new List<string>();
        Mode mode = Mode.Full;
        while (!wide)
        {
            int Need(Mode m) => overhead + (active.Count - 1) * perColumn + active.Sum(i => sizes[i].Min(m));
            mode = Mode.Full;
            if (Need(Mode.Full) <= width) break;
            mode = Mode.ShortHeaders;
            if (Need(Mode.ShortHeaders) <= width) break;
            mode = Mode.Compact;
            if (Need(Mode.Compact) <= width) break;
            int victim = active.Where(i => _columns[i].Drop > 0).OrderByDescending(i => _columns[i].Drop).ThenByDescending(i => i).DefaultIfEmpty(-1).First();
            if (victim < 0) break;
            active.Remove(victim);
            dropped.Add(Markup.Remove(_columns[victim].Header));
        }

        bool useShort = mode != Mode.Full;
        bool compact = mode == Mode.Compact;
        Compact = compact;
        int need = overhead + (active.Count - 1) * perColumn + active.Sum(i => sizes[i].Min(mode));
        bool fits = need <= width;
        int slack = Math.Max(0, width - need);
        var table = _create();
        foreach (int i in active)
        {
            var c = _columns[i];
            var column = new TableColumn(useShort && c.ShortHeader is { } s ? s : c.Header);
            if (c.Right) column.RightAligned();
            if (!c.Wrap) column.NoWrap();
            if (fits)
            {
                int w = sizes[i].Min(mode);
                if (c.Wrap)
                {
                    int more = Math.Min(slack, sizes[i].Natural(compact) - w);
                    w += more;
                    slack -= more;
                }

                column.Width = w;
            }

            table.AddColumn(column);
        }

        foreach (var row in _rows) table.AddRow(active.Select(i => i >= row.Length ? string.Empty : compact ? row[i].Compact : row[i].Full).ToArray());
        return (table, dropped);
    }

    /// <summary>Width of the table's borders and padding around <paramref name="columns"/> one-column-wide columns,
    /// measured on the table as configured (border kind, padding).</summary>
    private int Overhead(RenderOptions options, int columns)
    {
        var probe = _create();
        for (int i = 0; i < columns; i++) probe.AddColumn(new TableColumn(string.Empty) { Width = 1 });
        return ((IRenderable)probe).Measure(options, 100_000).Max - columns;
    }

    private ColumnSize Measure(RenderOptions options, FittedColumn c, int index)
    {
        static Spectre.Console.Rendering.Measurement M(RenderOptions o, string markup) => ((IRenderable)new Markup(markup)).Measure(o, 100_000);
        var full = M(options, c.Header);
        var abbreviated = c.ShortHeader is { } s ? M(options, s) : full;
        int fullMax = 0, fullWord = 0, compactMax = 0, compactWord = 0;
        foreach (var row in _rows)
        {
            if (index >= row.Length) continue;
            var f = M(options, row[index].Full);
            var k = ReferenceEquals(row[index].Full, row[index].Compact) ? f : M(options, row[index].Compact);
            (fullMax, fullWord) = (Math.Max(fullMax, f.Max), Math.Max(fullWord, f.Min));
            (compactMax, compactWord) = (Math.Max(compactMax, k.Max), Math.Max(compactWord, k.Min));
        }

        if (!c.Wrap)
        {
            return new ColumnSize(Math.Max(fullMax, full.Max), Math.Max(fullMax, abbreviated.Max), Math.Max(compactMax, abbreviated.Max),
                Math.Max(fullMax, full.Max), Math.Max(compactMax, abbreviated.Max));
        }

        int natural = Math.Max(fullMax, full.Max), naturalCompact = Math.Max(compactMax, abbreviated.Max);
        int floor = Math.Max(fullWord, Math.Min(natural, c.WrapMin));
        int floorCompact = Math.Max(compactWord, Math.Min(naturalCompact, c.WrapMin));
        return new ColumnSize(Math.Max(floor, full.Min), Math.Max(floor, abbreviated.Min), Math.Max(floorCompact, abbreviated.Min), natural, naturalCompact);
    }

    /// <summary>True when the last <see cref="Build"/> used the compact cell forms (say so in a legend).</summary>
    public bool Compact { get; private set; }

    private enum Mode
    {
        Full,
        ShortHeaders,
        Compact,
    }

    private sealed record FittedColumn(string Header, string? ShortHeader, int Drop, bool Right, bool Wrap, int WrapMin);

    /// <summary>Column widths in terminal columns, without padding: the least it needs with full headers, with short
    /// headers, and with short headers and compact cells; and its natural (unwrapped) width with full and compact cells.</summary>
    private readonly record struct ColumnSize(int MinFull, int MinShort, int MinCompact, int NaturalFull, int NaturalCompact)
    {
        public int Min(Mode m) => m switch { Mode.Full => MinFull, Mode.ShortHeaders => MinShort, _ => MinCompact };

        public int Natural(bool compact) => compact ? NaturalCompact : NaturalFull;
    }
}

/// <summary>A cell of a <see cref="FittedTable"/>: its markup, and a shorter form for narrow consoles.</summary>
/// <param name="Full">The cell markup.</param>
/// <param name="Compact">The compact markup (same meaning, fewer columns).</param>
internal sealed record FittedCell(string Full, string Compact)
{
    /// <summary>A cell without a compact form.</summary>
    /// <param name="markup">The cell markup.</param>
    public static implicit operator FittedCell(string markup) => new(markup, markup);
}
