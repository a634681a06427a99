namespace LlmSize.Core.Sources;

/// <summary>
/// Rules shared by every writer of a user-named output file (quantize, prune, lora merge): the output is compared with
/// the inputs as <em>files</em> (device + inode after resolving symbolic links and <c>..</c>), the free space is checked
/// before writing, and temporary files carry one recognisable name, <c>.&lt;output name&gt;.llmsize-&lt;id&gt;.tmp</c>
/// beside the output, so a later run can name the ones a crash left behind.
/// </summary>
public static class OutputFileGuard
{
    /// <summary>The marker every temporary output file of this tool carries in its name.</summary>
    public const string TempMarker = ".llmsize-";

    /// <summary>A fresh temporary path beside <paramref name="fullOutputPath"/>.</summary>
    /// <param name="fullOutputPath">The full output path.</param>
    /// <returns><c>&lt;folder&gt;/.&lt;name&gt;.llmsize-&lt;12 hex&gt;.tmp</c>.</returns>
    public static string TempPathFor(string fullOutputPath)
    {
        ArgumentException.ThrowIfNullOrEmpty(fullOutputPath);
        string dir = Path.GetDirectoryName(fullOutputPath) ?? ".";
        return Path.Combine(dir, "." + Path.GetFileName(fullOutputPath) + TempMarker + Guid.NewGuid().ToString("N")[..12] + ".tmp");
    }

    /// <summary>Temporary files this tool left beside <paramref name="outputPath"/> (an earlier run that was killed),
    /// oldest first.</summary>
    /// <param name="outputPath">The output path.</param>
    /// <returns>Their full paths; empty when none or the folder cannot be listed.</returns>
    public static IReadOnlyList<string> FindStaleTempFiles(string outputPath)
    {
        ArgumentException.ThrowIfNullOrEmpty(outputPath);
        string full = Path.GetFullPath(outputPath);
        string? dir = Path.GetDirectoryName(full);
        if (dir is null || !Directory.Exists(dir)) return [];
        try
        {
            return [.. Directory.EnumerateFiles(dir, "." + Path.GetFileName(full) + TempMarker + "*.tmp")
                .OrderBy(File.GetLastWriteTimeUtc)];
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return [];
        }
    }

    /// <summary>Refuses an output that is one of the inputs: the same path, or the same file reached another way
    /// (a symlinked folder, a hard link, <c>..</c>).</summary>
    /// <param name="outputPath">The output path as the user gave it.</param>
    /// <param name="inputs">The input files.</param>
    /// <exception cref="ArgumentException">The output is an input file.</exception>
    public static void EnsureNotAnInput(string outputPath, IEnumerable<string>? inputs)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(outputPath);
        string full = Path.GetFullPath(outputPath);
        StringComparison cmp = OperatingSystem.IsWindows() ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;
        foreach (string input in inputs ?? [])
        {
            if (string.Equals(Path.GetFullPath(input), full, cmp) || LocalFileGuard.IsSameFile(input, full)
                || string.Equals(LocalFileGuard.ResolvePath(input), LocalFileGuard.ResolvePath(full), cmp))
            {
                throw new InputException(InputErrorKind.InvalidRequest, $"The output '{outputPath}' is the input file '{input}'; refusing to overwrite it.");
            }
        }
    }

    /// <summary>Checks that the output's file system has <paramref name="bytes"/> free.</summary>
    /// <param name="fullOutputPath">The full output path.</param>
    /// <param name="bytes">Bytes the output will take.</param>
    /// <exception cref="IOException">Not enough free space.</exception>
    public static void EnsureFreeSpace(string fullOutputPath, long bytes)
    {
        string? dir = Path.GetDirectoryName(Path.GetFullPath(fullOutputPath));
        if (dir is null) return;
        long free;
        try
        {
            free = new DriveInfo(dir).AvailableFreeSpace;
        }
        catch (Exception e) when (e is ArgumentException or IOException or UnauthorizedAccessException)
        {
            return; // no drive information (network share, unusual mount): write and let the OS report
        }

        if (free < bytes)
        {
            throw new IOException($"Not enough disk space for '{fullOutputPath}': {bytes:N0} bytes needed, {free:N0} bytes free.");
        }
    }

    /// <summary>Deletes <paramref name="path"/> if it exists; never throws.</summary>
    /// <param name="path">A temporary file.</param>
    public static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Best effort; its name carries the marker, so a later run can name it (FindStaleTempFiles).
        }
    }
}
