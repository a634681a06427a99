using LlmSize.Core.Sources;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text;

namespace LlmSize.Core.Devices;

/// <summary>
/// A set of <see cref="DeviceProfile"/>s found by id, alias or display name. <see cref="Default"/> is the built-in
/// catalog (embedded <c>Data/devices.json</c>, at least 40 profiles, every number sourced); <see cref="LoadFile"/>
/// reads a user's own profile file in the same schema.
/// </summary>
/// <remarks>
/// Names are matched after normalisation: lower-case, spaces / underscores / dots / slashes turned into dashes, runs
/// of dashes collapsed ("Pixel 8 Pro" finds <c>pixel-8-pro</c>). Unknown names get suggestions from
/// <see cref="SuggestNearest"/> (Levenshtein edit distance, ignoring dashes, plus substring matches).
/// </remarks>
public sealed class DeviceCatalog
{
    /// <summary>Logical name of the embedded built-in catalog resource.</summary>
    public const string EmbeddedResourceName = "LlmSize.Core.Data.devices.json";

    private const int MaxQueryLength = 128;

    private static readonly Lazy<DeviceCatalog> DefaultCatalog = new(LoadEmbedded, LazyThreadSafetyMode.ExecutionAndPublication);

    private readonly Dictionary<string, DeviceProfile> _byName;
    private readonly (string Key, DeviceProfile Profile)[] _keys;

    /// <summary>Creates a catalog from profiles.</summary>
    /// <param name="profiles">The profiles; ids must be unique, and no alias may equal another profile's id or alias.</param>
    /// <exception cref="ArgumentNullException"><paramref name="profiles"/> is null.</exception>
    /// <exception cref="ArgumentException">Two profiles share an id, or an alias clashes with another profile's name.</exception>
    public DeviceCatalog(IEnumerable<DeviceProfile> profiles)
    {
        ArgumentNullException.ThrowIfNull(profiles);
        Profiles = profiles.ToArray();
        _byName = new Dictionary<string, DeviceProfile>(StringComparer.Ordinal);
        var keys = new List<(string, DeviceProfile)>();
        foreach (DeviceProfile p in Profiles)
        {
            ArgumentNullException.ThrowIfNull(p, nameof(profiles));
            if (!_byName.TryAdd(p.Id, p))
            {
                throw new ArgumentException($"Device id '{p.Id}' appears twice.", nameof(profiles));
            }

            keys.Add((p.Id, p));
        }

        foreach (DeviceProfile p in Profiles)
        {
            foreach (string alias in p.Aliases)
            {
                string key = Normalize(alias);
                if (_byName.TryGetValue(key, out DeviceProfile? other) && !ReferenceEquals(other, p))
                {
                    throw new ArgumentException($"Alias '{alias}' of '{p.Id}' clashes with device '{other.Id}'.", nameof(profiles));
                }

                _byName[key] = p;
                keys.Add((key, p));
            }
        }

        // Display names are a convenience: a clash (two "Galaxy A15" variants) simply leaves the name to neither.
        var displayClashes = new HashSet<string>(StringComparer.Ordinal);
        foreach (DeviceProfile p in Profiles)
        {
            string key = Normalize(p.DisplayName);
            if (key.Length == 0 || displayClashes.Contains(key))
            {
                continue;
            }

            if (_byName.TryGetValue(key, out DeviceProfile? other))
            {
                if (!ReferenceEquals(other, p) && !other.Id.Equals(key, StringComparison.Ordinal)
                    && !other.Aliases.Any(a => Normalize(a) == key))
                {
                    _byName.Remove(key);
                    displayClashes.Add(key);
                }

                continue;
            }

            _byName[key] = p;
            keys.Add((key, p));
        }

        _keys = keys.ToArray();
    }

    /// <summary>The built-in catalog, loaded from the embedded <c>devices.json</c> on first use and shared.</summary>
    /// <exception cref="ModelFormatException">Only if the embedded resource is corrupt (a build defect).</exception>
    public static DeviceCatalog Default => DefaultCatalog.Value;

    /// <summary>All profiles, in file order.</summary>
    public IReadOnlyList<DeviceProfile> Profiles { get; }

    /// <summary>Finds a profile by id, alias or display name (normalised; see remarks of <see cref="DeviceCatalog"/>).</summary>
    /// <param name="nameOrAlias">The name to look up.</param>
    /// <param name="profile">The profile, or null.</param>
    /// <returns>True when found; false for null, empty or unknown names (never throws).</returns>
    public bool TryFind(string? nameOrAlias, [NotNullWhen(true)] out DeviceProfile? profile)
    {
        profile = null;
        if (string.IsNullOrWhiteSpace(nameOrAlias) || nameOrAlias.Length > MaxQueryLength)
        {
            return false;
        }

        return _byName.TryGetValue(Normalize(nameOrAlias), out profile);
    }

    /// <summary>Finds a profile or throws with suggestions.</summary>
    /// <param name="nameOrAlias">The name to look up.</param>
    /// <returns>The profile.</returns>
    /// <exception cref="UnknownNameException">Unknown device; the message reads "unknown device 'pixel8'; did you mean
    /// pixel-8?" when suggestions exist, and <see cref="UnknownNameException.Suggestions"/> carries them.</exception>
    public DeviceProfile Find(string nameOrAlias)
    {
        if (TryFind(nameOrAlias, out DeviceProfile? profile))
        {
            return profile;
        }

        IReadOnlyList<string> near = SuggestNearest(nameOrAlias ?? string.Empty, 3);
        string shown = nameOrAlias is null ? "(null)" : nameOrAlias.Length > 64 ? nameOrAlias[..64] + "…" : nameOrAlias;
        string hint = near.Count > 0 ? $"; did you mean {string.Join(", ", near)}?" : "; run 'llmsize devices list' to see the catalog.";
        throw new UnknownNameException(NameKind.Device, nameOrAlias ?? string.Empty, near, $"unknown device '{shown}'{hint}");
    }

    /// <summary>Suggests profile ids close to an unknown name, best first.</summary>
    /// <param name="name">The name the user typed.</param>
    /// <param name="max">Most suggestions to return (≥ 0).</param>
    /// <returns>Distinct profile ids; empty when nothing is close. Never throws for any string.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="max"/> is negative.</exception>
    public IReadOnlyList<string> SuggestNearest(string name, int max = 3)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(max);
        if (max == 0 || string.IsNullOrWhiteSpace(name))
        {
            return [];
        }

        string query = Compact(Normalize(name.Length > MaxQueryLength ? name[..MaxQueryLength] : name));
        if (query.Length == 0)
        {
            return [];
        }

        double threshold = Math.Max(2, query.Length / 3);
        var best = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach ((string key, DeviceProfile profile) in _keys)
        {
            string candidate = Compact(key);
            if (candidate.Length > MaxQueryLength)
            {
                candidate = candidate[..MaxQueryLength];
            }

            double score;
            if (candidate == query)
            {
                score = 0;
            }
            else if (query.Length >= 3 && candidate.Contains(query, StringComparison.Ordinal))
            {
                // A substring ("4090" in "rtx4090") is a strong hint; shorter candidates rank first.
                score = 1 + (candidate.Length - query.Length) * 0.01;
            }
            else
            {
                score = Levenshtein(query, candidate);
            }

            if (score <= threshold && (!best.TryGetValue(profile.Id, out double old) || score < old))
            {
                best[profile.Id] = score;
            }
        }

        return best.OrderBy(kv => kv.Value).ThenBy(kv => kv.Key, StringComparer.Ordinal).Take(max).Select(kv => kv.Key).ToArray();
    }

    /// <summary>Returns a catalog holding this catalog's profiles, with those of <paramref name="overrides"/>
    /// replacing same-id profiles and the rest appended (a user's file layered on the built-in catalog).</summary>
    /// <param name="overrides">Profiles that win.</param>
    /// <returns>The merged catalog.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="overrides"/> is null.</exception>
    /// <exception cref="ArgumentException">An override's alias clashes with a remaining profile.</exception>
    public DeviceCatalog WithOverrides(DeviceCatalog overrides)
    {
        ArgumentNullException.ThrowIfNull(overrides);
        var replaced = overrides.Profiles.ToDictionary(p => p.Id, StringComparer.Ordinal);
        var merged = Profiles.Select(p => replaced.Remove(p.Id, out DeviceProfile? o) ? o : p).ToList();
        merged.AddRange(overrides.Profiles.Where(p => replaced.ContainsKey(p.Id)));
        return new DeviceCatalog(merged);
    }

    /// <summary>Loads a user's profile file: one profile object, an array of profiles, or
    /// <c>{"schemaVersion": 1, "devices": [ … ]}</c>, in the schema of the built-in <c>devices.json</c>.</summary>
    /// <param name="path">Path of the JSON file.</param>
    /// <param name="options">Limits; null for defaults (sources optional).</param>
    /// <returns>A catalog of the file's profiles.</returns>
    /// <exception cref="ArgumentException"><paramref name="path"/> is null or empty.</exception>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="ModelFormatException">The file is too large (<see cref="ModelFormatError.HeaderTooLarge"/>),
    /// not JSON or of the wrong shape (<see cref="ModelFormatError.InvalidJson"/>), lacks a required field
    /// (<see cref="ModelFormatError.MissingField"/>), holds an impossible value — zero or negative memory, zero
    /// bandwidth, absurd sizes (<see cref="ModelFormatError.InvalidValue"/>), repeats an id
    /// (<see cref="ModelFormatError.DuplicateKey"/>) or holds too many profiles
    /// (<see cref="ModelFormatError.CountTooLarge"/>). The message names the file and the field.</exception>
    public static DeviceCatalog LoadFile(string path, DeviceCatalogOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        options ??= new DeviceCatalogOptions();
        var info = new FileInfo(path);
        if (!info.Exists)
        {
            throw new FileNotFoundException($"Device profile file '{path}' does not exist.", path);
        }

        if (info.Length > options.MaxFileBytes)
        {
            throw new ModelFormatException(ModelFormatError.HeaderTooLarge,
                string.Create(CultureInfo.InvariantCulture, $"device file is {info.Length} bytes; the limit is {options.MaxFileBytes} bytes."), path);
        }

        using FileStream stream = LocalFileGuard.OpenRead(path);
        return Load(stream, path, options);
    }

    /// <summary>Loads profiles from a stream of UTF-8 JSON (see <see cref="LoadFile"/> for the accepted shapes).</summary>
    /// <param name="stream">A readable stream; read to its end, not closed.</param>
    /// <param name="sourceName">File name used in error messages, or null.</param>
    /// <param name="options">Limits; null for defaults.</param>
    /// <returns>A catalog of the stream's profiles.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="stream"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="stream"/> is not readable.</exception>
    /// <exception cref="ModelFormatException">As for <see cref="LoadFile"/>.</exception>
    public static DeviceCatalog Load(Stream stream, string? sourceName = null, DeviceCatalogOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        if (!stream.CanRead)
        {
            throw new ArgumentException("The stream is not readable.", nameof(stream));
        }

        options ??= new DeviceCatalogOptions();
        using var buffer = new MemoryStream();
        byte[] chunk = new byte[81920];
        int read;
        while ((read = stream.Read(chunk, 0, chunk.Length)) > 0)
        {
            AppendBounded(buffer, chunk, read, options, sourceName);
        }

        return FromBuffer(buffer, sourceName, options);
    }

    /// <summary>Asynchronously loads a user's profile file; see <see cref="LoadFile"/>.</summary>
    /// <param name="path">Path of the JSON file.</param>
    /// <param name="options">Limits; null for defaults.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>A catalog of the file's profiles.</returns>
    /// <exception cref="ArgumentException"><paramref name="path"/> is null or empty.</exception>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="ModelFormatException">As for <see cref="LoadFile"/>.</exception>
    /// <exception cref="OperationCanceledException">Cancelled.</exception>
    public static async Task<DeviceCatalog> LoadFileAsync(string path, DeviceCatalogOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        options ??= new DeviceCatalogOptions();
        var info = new FileInfo(path);
        if (!info.Exists)
        {
            throw new FileNotFoundException($"Device profile file '{path}' does not exist.", path);
        }

        if (info.Length > options.MaxFileBytes)
        {
            throw new ModelFormatException(ModelFormatError.HeaderTooLarge,
                string.Create(CultureInfo.InvariantCulture, $"device file is {info.Length} bytes; the limit is {options.MaxFileBytes} bytes."), path);
        }

        FileStream stream = LocalFileGuard.OpenRead(path);
        await using (stream.ConfigureAwait(false))
        {
            return await LoadAsync(stream, path, options, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Asynchronously loads profiles from a stream of UTF-8 JSON; see <see cref="Load"/>.</summary>
    /// <param name="stream">A readable stream; read to its end, not closed.</param>
    /// <param name="sourceName">File name used in error messages, or null.</param>
    /// <param name="options">Limits; null for defaults.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>A catalog of the stream's profiles.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="stream"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="stream"/> is not readable.</exception>
    /// <exception cref="ModelFormatException">As for <see cref="LoadFile"/>.</exception>
    /// <exception cref="OperationCanceledException">Cancelled.</exception>
    public static async Task<DeviceCatalog> LoadAsync(Stream stream, string? sourceName = null, DeviceCatalogOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(stream);
        if (!stream.CanRead)
        {
            throw new ArgumentException("The stream is not readable.", nameof(stream));
        }

        options ??= new DeviceCatalogOptions();
        using var buffer = new MemoryStream();
        byte[] chunk = new byte[81920];
        int read;
        while ((read = await stream.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
        {
            AppendBounded(buffer, chunk, read, options, sourceName);
        }

        return FromBuffer(buffer, sourceName, options);
    }

    private static void AppendBounded(MemoryStream buffer, byte[] chunk, int read, DeviceCatalogOptions options, string? sourceName)
    {
        if (buffer.Length + read > options.MaxFileBytes)
        {
            throw new ModelFormatException(ModelFormatError.HeaderTooLarge,
                string.Create(CultureInfo.InvariantCulture, $"device file exceeds the limit of {options.MaxFileBytes} bytes."), sourceName);
        }

        buffer.Write(chunk, 0, read);
    }

    private static DeviceCatalog FromBuffer(MemoryStream buffer, string? sourceName, DeviceCatalogOptions options)
    {
        List<DeviceProfile> profiles = DeviceCatalogJsonReader.Read(buffer.GetBuffer().AsMemory(0, (int)buffer.Length), sourceName, options);
        try
        {
            return new DeviceCatalog(profiles);
        }
        catch (ArgumentException e)
        {
            throw new ModelFormatException(ModelFormatError.DuplicateKey, e.Message, sourceName, null, "aliases", e);
        }
    }

    /// <summary>Normalises a device name for lookup: lower-case invariant, trimmed, separators (space, '_', '.', '/')
    /// as '-', repeated dashes collapsed, leading / trailing dashes removed.</summary>
    /// <param name="name">Any name.</param>
    /// <returns>The normalised key.</returns>
    internal static string Normalize(string name)
    {
        var sb = new StringBuilder(name.Length);
        foreach (char raw in name.Trim())
        {
            char c = char.ToLowerInvariant(raw);
            if (c is ' ' or '_' or '.' or '/' or '\t' or '-')
            {
                if (sb.Length > 0 && sb[^1] != '-')
                {
                    sb.Append('-');
                }
            }
            else
            {
                sb.Append(c);
            }
        }

        while (sb.Length > 0 && sb[^1] == '-')
        {
            sb.Length--;
        }

        return sb.ToString();
    }

    private static string Compact(string key) => key.Replace("-", string.Empty, StringComparison.Ordinal);

    /// <summary>Levenshtein distance (see <see cref="EditDistance"/>); inputs are capped at
    /// <see cref="MaxQueryLength"/> characters by the caller, so the cost is bounded.</summary>
    internal static int Levenshtein(string a, string b) => EditDistance.Levenshtein(a, b);

    private static DeviceCatalog LoadEmbedded()
    {
        using Stream stream = typeof(DeviceCatalog).Assembly.GetManifestResourceStream(EmbeddedResourceName)
            ?? throw new InvalidOperationException($"Embedded resource '{EmbeddedResourceName}' is missing from LlmSize.Core.");
        return Load(stream, "embedded:" + EmbeddedResourceName, new DeviceCatalogOptions { RequireSources = true });
    }
}
