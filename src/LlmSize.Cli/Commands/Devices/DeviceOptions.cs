using LlmSize.Core.Devices;

namespace LlmSize.Cli.Commands.Devices;

/// <summary>The catalog the <c>devices</c> commands show: the built-in one plus a user's <c>--device-file</c>.</summary>
internal static class DeviceOptions
{
    /// <summary>The built-in catalog with <paramref name="deviceFile"/>'s profiles added (null = none).</summary>
    public static DeviceCatalog Catalog(string? deviceFile) =>
        deviceFile is null ? DeviceCatalog.Default : DeviceCatalog.Default.WithOverrides(DeviceCatalog.LoadFile(deviceFile));
}
