using LlmSize.Core.Devices;
using Spectre.Console;

namespace LlmSize.Cli.Commands.Devices;

/// <summary>JSON shape of a device profile (units in the names).</summary>
internal sealed record DeviceJson(string Id, string DisplayName, string Category, string Platform, long RamBytes, long AppMemoryLimitBytes,
    long? GpuMemoryBytes, bool UnifiedMemory, double MemoryBandwidthGBps, double? GpuFp16Tflops, double? GpuFp32Tflops, int CpuCores,
    long? WebGpuMaxStorageBufferBindingSizeBytes, long? WebGpuMaxBufferSizeBytes, bool? WebGpuShaderF16, long FreeStorageBytes,
    string Network, IReadOnlyList<string> Sources)
{
    public static DeviceJson From(DeviceProfile d) => new(d.Id, d.DisplayName, d.Category.ToString(), d.Platform, d.RamBytes, d.AppMemoryLimitBytes,
        d.GpuMemoryBytes, d.UnifiedMemory, d.MemoryBandwidthGBps, d.GpuFp16Tflops, d.GpuFp32Tflops, d.CpuCores,
        d.WebGpu?.MaxStorageBufferBindingSizeBytes, d.WebGpu?.MaxBufferSizeBytes, d.WebGpu?.ShaderF16, d.FreeStorageBytes,
        d.Network.Id, d.Sources.Select(s => s.Url).ToArray());
}
