namespace LlmSize.Core.Devices;

/// <summary>Whether one requirement of Chrome's built-in AI is met.</summary>
public enum RequirementStatus
{
    /// <summary>The probe shows it is met.</summary>
    Met,
    /// <summary>The probe shows it is not met.</summary>
    Failed,
    /// <summary>The browser does not expose what would tell.</summary>
    Unknown,
}

/// <summary>One requirement and what the probe says about it.</summary>
/// <param name="Requirement">The requirement as Google states it.</param>
/// <param name="Status">Met, failed or unknown.</param>
/// <param name="Evidence">What the probe saw.</param>
public sealed record RequirementCheck(string Requirement, RequirementStatus Status, string Evidence);

/// <summary>Chrome's built-in AI (Gemini Nano behind the Prompt, Summarizer, Writer … APIs) as a zero-download
/// alternative: its published hardware requirements checked against a probe.</summary>
/// <param name="Checks">Each requirement.</param>
/// <param name="Source">The page the requirements come from.</param>
public sealed record ChromeBuiltInAiVerdict(IReadOnlyList<RequirementCheck> Checks, string Source)
{
    /// <summary>Every requirement is met.</summary>
    public bool Meets => Checks.All(c => c.Status == RequirementStatus.Met);

    /// <summary>Some requirement is known to fail.</summary>
    public bool Fails => Checks.Any(c => c.Status == RequirementStatus.Failed);
}

/// <summary>Chrome's built-in AI hardware requirements (data, with its source).</summary>
public static class ChromeBuiltInAi
{
    /// <summary>Google's page: "Get started with built-in AI", section "Hardware requirements" (Chrome for Developers).</summary>
    public const string Source = "https://developer.chrome.com/docs/ai/get-started#hardware";

    /// <summary>Free space required on the volume of the Chrome profile: 22 GB (10^9 bytes), per <see cref="Source"/>.</summary>
    public const long FreeStorageBytes = 22_000_000_000;

    /// <summary>GPU path: strictly more than 4 GB of VRAM, per <see cref="Source"/>.</summary>
    public const long MinVramBytesExclusive = 4_000_000_000;

    /// <summary>CPU path: 16 GB of RAM or more, per <see cref="Source"/>.</summary>
    public const long MinRamBytes = 16_000_000_000;

    /// <summary>CPU path: 4 CPU cores or more, per <see cref="Source"/>.</summary>
    public const int MinCores = 4;

    /// <summary>Checks a probe. Browsers expose neither VRAM nor free disk space nor RAM above 8 GiB
    /// (<c>deviceMemory</c> is capped), so those are often unknown; the answer says which requirement fails or is unknown.</summary>
    /// <param name="probe">The probe.</param>
    /// <returns>The verdict.</returns>
    public static ChromeBuiltInAiVerdict Check(BrowserProbe probe)
    {
        ArgumentNullException.ThrowIfNull(probe);
        string ua = probe.UserAgent ?? "";
        string platform = probe.Platform ?? "";
        bool chrome = ua.Contains("Chrome/", StringComparison.Ordinal) && !ua.Contains("Edg/", StringComparison.Ordinal);
        bool mobile = probe.Mobile == true || ua.Contains("Android", StringComparison.Ordinal) || ua.Contains("iPhone", StringComparison.Ordinal)
            || ua.Contains("iPad", StringComparison.Ordinal);
        var checks = new List<RequirementCheck>
        {
            new("Chrome on Windows 10/11, macOS 13+, Linux or ChromeOS (Chromebook Plus); not Android or iOS",
                !chrome || mobile ? RequirementStatus.Failed : RequirementStatus.Met,
                $"{(chrome ? "Chrome" : "not Chrome")}, {(mobile ? "mobile" : "desktop")}{(platform.Length > 0 ? ", " + platform : "")}"),
        };

        // Storage: the origin quota (60% of the disk in Chromium) is the only disk figure a page sees; quota ≥ 22 GB
        // means the disk is larger than 22 GB, not that 22 GB is free.
        checks.Add(probe.StorageQuotaBytes is { } quota && quota < FreeStorageBytes * 6 / 10
            ? new RequirementCheck("22 GB free on the Chrome profile's volume", RequirementStatus.Failed,
                $"the origin quota {Units.FormatDecimal(quota)} (60% of the disk) implies a disk under about 22 GB / 0.6")
            : new RequirementCheck("22 GB free on the Chrome profile's volume", RequirementStatus.Unknown, "pages cannot see free disk space"));

        int? cores = probe.HardwareConcurrency;
        double? gib = probe.DeviceMemoryGiB;
        RequirementStatus cpuPath = cores is { } c && c < MinCores || gib is { } g && g < 8
            ? RequirementStatus.Failed
            : RequirementStatus.Unknown; // deviceMemory is capped at 8 GiB, so 16 GB can never be confirmed
        checks.Add(new RequirementCheck("a GPU with more than 4 GB of VRAM, or 16 GB of RAM and 4 or more CPU cores",
            cpuPath == RequirementStatus.Failed && probe.WebGpu is null ? RequirementStatus.Failed : RequirementStatus.Unknown,
            $"deviceMemory {(gib is { } m ? m + " GiB (capped at 8)" : "not exposed")}, {(cores is { } n ? n + " cores" : "cores not exposed")}, " +
            (probe.WebGpu is null ? "no WebGPU adapter" : "VRAM not exposed by WebGPU")));

        checks.Add(probe.SaveData == true
            ? new RequirementCheck("an unmetered network for the model download", RequirementStatus.Failed, "navigator.connection.saveData is on")
            : new RequirementCheck("an unmetered network for the model download", RequirementStatus.Unknown, "pages cannot see whether the network is metered"));
        return new ChromeBuiltInAiVerdict(checks, Source);
    }
}
