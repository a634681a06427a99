using System.Collections.Immutable;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Text.RegularExpressions;

namespace LlmSize.Core.Formats.Peft;

/// <summary>
/// The compiled patterns of one <see cref="PeftAdapterConfig"/> (<c>target_modules</c> as a string,
/// <c>rank_pattern</c>, <c>alpha_pattern</c>), each compiled once, with one budget for all matching done against the
/// config: total match attempts and total time, not only one match's timeout. Patterns compile with the (cheap to
/// build) backtracking interpreter; a pattern whose match times out is rebuilt once with
/// <see cref="RegexOptions.NonBacktracking"/> (linear in the module path, so <c>(a|aa)+$</c> cannot explode) and
/// matched again; where that engine cannot take the pattern, the timeout is a budget error.
/// </summary>
internal sealed class PeftPatternSet
{
    private static readonly ConditionalWeakTable<PeftAdapterConfig, PeftPatternSet> Sets = new();

    private readonly PeftPattern? _target;
    private readonly HashSet<string> _targetNames;
    private readonly (PeftPattern Regex, int Value)[] _rank;
    private readonly (PeftPattern Regex, double Value)[] _alpha;
    private readonly PeftMatchBudget _budget;

    private PeftPatternSet(PeftAdapterConfig config, PeftReaderOptions options, string? file)
    {
        _budget = new PeftMatchBudget(options, file);
        _targetNames = new HashSet<string>(config.TargetModules, StringComparer.Ordinal);
        _target = config.TargetModulesPattern is { } p && p != "all-linear" ? _budget.Compile("^(?:" + p + ")$", "target_modules", p) : null;
        _rank = [.. config.RankPattern.Select(kv => (_budget.Compile(PatternKey(kv.Key), "rank_pattern", kv.Key), kv.Value))];
        _alpha = [.. config.AlphaPattern.Select(kv => (_budget.Compile(PatternKey(kv.Key), "alpha_pattern", kv.Key), kv.Value))];
    }

    /// <summary>The set of <paramref name="config"/>, compiled on first use with default limits.</summary>
    public static PeftPatternSet For(PeftAdapterConfig config) =>
        Sets.GetValue(config, static c => new PeftPatternSet(c, PeftReaderOptions.Default, null));

    /// <summary>Compiles the set of a freshly parsed config with the reader's limits and file name.</summary>
    public static void Attach(PeftAdapterConfig config, PeftReaderOptions options, string? file) =>
        Sets.AddOrUpdate(config, new PeftPatternSet(config, options, file));

    /// <summary>peft/utils/other.py <c>get_pattern_key</c>: <c>(.*\.)?(key)$</c> from the start.</summary>
    internal static string PatternKey(string key) => @"^(?:.*\.)?(?:" + key + ")$";

    public bool IsTargeted(PeftAdapterConfig config, string modulePath)
    {
        if (config.TargetModulesPattern == "all-linear") return true;
        if (_target is not null) return _budget.IsMatch(_target, modulePath, "target_modules");

        // key == t or key.endswith("." + t): the path itself or one of its dotted tails, looked up once each.
        if (_targetNames.Count == 0) return false;
        if (_targetNames.Contains(modulePath)) return true;
        for (int i = modulePath.IndexOf('.'); i >= 0; i = modulePath.IndexOf('.', i + 1))
        {
            if (_targetNames.Contains(modulePath[(i + 1)..])) return true;
        }

        return false;
    }

    public bool TryRank(string modulePath, out int rank) => First(_rank, modulePath, "rank_pattern", out rank);

    public bool TryAlpha(string modulePath, out double alpha) => First(_alpha, modulePath, "alpha_pattern", out alpha);

    private bool First<T>((PeftPattern Regex, T Value)[] patterns, string path, string field, out T value)
    {
        foreach (var (regex, v) in patterns)
        {
            if (_budget.IsMatch(regex, path, field))
            {
                value = v;
                return true;
            }
        }

        value = default!;
        return false;
    }
}

/// <summary>One budget for a whole matching operation: attempts and elapsed matching time.</summary>
internal sealed class PeftMatchBudget(PeftReaderOptions options, string? file)
{
    private static readonly TimeSpan PerMatchTimeout = TimeSpan.FromMilliseconds(100);
    private long _attempts;
    private long _ticks;

    /// <summary>Compiles <paramref name="pattern"/> once; compile time counts.</summary>
    public PeftPattern Compile(string pattern, string field, string shown)
    {
        long start = Stopwatch.GetTimestamp();
        try
        {
            return new PeftPattern(new Regex(pattern, RegexOptions.CultureInvariant, PerMatchTimeout), pattern);
        }
        catch (ArgumentException ex)
        {
            throw new ModelFormatException(ModelFormatError.InvalidValue, $"{field} pattern '{shown}' is not a valid regular expression ({ex.Message})", file, null, field, ex);
        }
        finally
        {
            Spend(start, field);
        }
    }

    public bool IsMatch(PeftPattern pattern, string input, string field)
    {
        if (++_attempts > options.MaxPatternMatches)
        {
            throw new ModelFormatException(ModelFormatError.WorkBudgetExceeded,
                $"matching the adapter's module patterns needs more than {options.MaxPatternMatches:N0} pattern × module attempts (MaxPatternMatches)",
                file, null, field);
        }

        long start = Stopwatch.GetTimestamp();
        try
        {
            try
            {
                return pattern.Regex.IsMatch(input);
            }
            catch (RegexMatchTimeoutException) when (pattern.TryMakeLinear())
            {
                return pattern.Regex.IsMatch(input);
            }
        }
        catch (RegexMatchTimeoutException ex)
        {
            throw new ModelFormatException(ModelFormatError.WorkBudgetExceeded,
                $"a {field} pattern took more than {PerMatchTimeout.TotalMilliseconds:0} ms on module '{input}'", file, null, field, ex);
        }
        finally
        {
            Spend(start, field);
        }
    }

    private void Spend(long start, string field)
    {
        _ticks += Stopwatch.GetTimestamp() - start;
        if (Stopwatch.GetElapsedTime(0, _ticks) > options.MaxPatternTime)
        {
            throw new ModelFormatException(ModelFormatError.WorkBudgetExceeded,
                $"matching the adapter's module patterns took more than {options.MaxPatternTime.TotalSeconds:0.###} s in all (MaxPatternTime)",
                file, null, field);
        }
    }
}

/// <summary>One compiled pattern; rebuilt once as a linear-time matcher when the backtracking one times out.</summary>
internal sealed class PeftPattern(Regex regex, string source)
{
    private bool _linear;

    /// <summary>The matcher in use.</summary>
    public Regex Regex { get; private set; } = regex;

    /// <summary>Switches to <see cref="RegexOptions.NonBacktracking"/>; false when already switched or not supported.</summary>
    public bool TryMakeLinear()
    {
        if (_linear) return false;
        _linear = true;
        try
        {
            Regex = new Regex(source, RegexOptions.CultureInvariant | RegexOptions.NonBacktracking, TimeSpan.FromMilliseconds(100));
            return true;
        }
        catch (NotSupportedException)
        {
            return false;
        }
    }
}
