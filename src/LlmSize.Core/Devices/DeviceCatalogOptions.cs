namespace LlmSize.Core.Devices;

/// <summary>Limits and rules for loading a device profile file with <see cref="DeviceCatalog.LoadFile"/> /
/// <see cref="DeviceCatalog.Load"/>. Defaults suit a user's own profile file.</summary>
public sealed class DeviceCatalogOptions
{
    /// <summary>Largest accepted file, bytes. Default 4 MiB (the built-in catalog is about 100 KB).</summary>
    public long MaxFileBytes { get; init; } = 4L << 20;

    /// <summary>Most profiles one file may hold. Default 10,000.</summary>
    public int MaxProfiles { get; init; } = 10_000;

    /// <summary>Most JSON nesting levels. Default 16 (the schema needs 4).</summary>
    public int MaxDepth { get; init; } = 16;

    /// <summary>Whether every profile must cite at least one source. Default false (users' own devices need none);
    /// the built-in catalog is loaded with true.</summary>
    public bool RequireSources { get; init; }
}
