using LlmSize.Core;
using LlmSize.Core.Devices;
using LlmSize.Core.Models;
using LlmSize.Core.Models.Catalog;
using Microsoft.AspNetCore.Http.HttpResults;

namespace LlmSize.Web.Features;

/// <summary>One catalog model: exact parameter count from its stored config (<see cref="ModelSizeReport"/>).</summary>
/// <param name="Id">Catalog id ("gemma-2b").</param>
/// <param name="Name">Display name.</param>
/// <param name="Publisher">Publisher.</param>
/// <param name="Parameters">Exact parameters; null when undisclosed.</param>
/// <param name="ActiveParameters">Parameters active per token (MoE); null when dense or unknown.</param>
/// <param name="SizeClass">Size class label ("2B"); null when undisclosed.</param>
/// <param name="Disclosed">False for models whose vendor did not disclose the size.</param>
/// <param name="Aliases">Other names it answers to (Hub ids).</param>
/// <param name="Source">Where its config comes from.</param>
public sealed record CatalogModel(string Id, string Name, string Publisher, long? Parameters, long? ActiveParameters, string? SizeClass,
    bool Disclosed, IReadOnlyList<string> Aliases, string Source);

/// <summary>One device profile (units in the names; GiB-based numbers are bytes).</summary>
/// <param name="Id">Profile id ("pixel-7a").</param>
/// <param name="DisplayName">Name.</param>
/// <param name="Category">Phone, Laptop, Desktop, Browser …</param>
/// <param name="Platform">OS / browser.</param>
/// <param name="RamBytes">Installed RAM, bytes.</param>
/// <param name="AppMemoryLimitBytes">Memory one app or tab may use, bytes.</param>
/// <param name="GpuMemoryBytes">Discrete VRAM, bytes; null with unified memory or none.</param>
/// <param name="UnifiedMemory">CPU and GPU share memory.</param>
/// <param name="MemoryBandwidthGBps">Memory bandwidth, GB/s (10^9 bytes/s).</param>
/// <param name="CpuCores">CPU cores.</param>
/// <param name="WebGpuMaxBufferSizeBytes">WebGPU maxBufferSize, bytes; null without WebGPU.</param>
/// <param name="WebGpuMaxStorageBufferBindingSizeBytes">WebGPU maxStorageBufferBindingSize, bytes; null without WebGPU.</param>
/// <param name="WebGpuShaderF16">WebGPU shader-f16; null without WebGPU.</param>
/// <param name="FreeStorageBytes">Free storage, bytes.</param>
/// <param name="Network">Network class id.</param>
/// <param name="Sources">Source URLs of its numbers.</param>
public sealed record DeviceSummary(string Id, string DisplayName, string Category, string Platform, long RamBytes, long AppMemoryLimitBytes,
    long? GpuMemoryBytes, bool UnifiedMemory, double MemoryBandwidthGBps, int CpuCores, long? WebGpuMaxBufferSizeBytes,
    long? WebGpuMaxStorageBufferBindingSizeBytes, bool? WebGpuShaderF16, long FreeStorageBytes, string Network, IReadOnlyList<string> Sources)
{
    /// <summary>The summary of a profile.</summary>
    /// <param name="d">Profile.</param>
    /// <returns>The summary.</returns>
    public static DeviceSummary From(DeviceProfile d) => new(d.Id, d.DisplayName, d.Category.ToString(), d.Platform, d.RamBytes,
        d.AppMemoryLimitBytes, d.GpuMemoryBytes, d.UnifiedMemory, d.MemoryBandwidthGBps, d.CpuCores, d.WebGpu?.MaxBufferSizeBytes,
        d.WebGpu?.MaxStorageBufferBindingSizeBytes, d.WebGpu?.ShaderF16, d.FreeStorageBytes, d.Network.Id, d.Sources.Select(s => s.Url).ToArray());
}

/// <summary><c>/api/models</c> and <c>/api/devices</c>: the built-in catalogs.</summary>
internal static class CatalogEndpoints
{
    private static readonly Lazy<IReadOnlyList<CatalogModel>> Models = new(() => ModelCatalog.Default.Entries.Select(e =>
    {
        var r = ModelSizeReport.Create(ModelLoader.FromCatalog(e));
        return new CatalogModel(e.Id, e.DisplayName, e.Publisher, r.Parameters, r.ActiveParameters, r.SizeClass?.Label, e.Disclosed, e.Aliases, e.Source);
    }).ToList());

    internal static void Map(IEndpointRouteBuilder api)
    {
        var models = api.MapGroup("/models").WithTags("Catalog");
        models.MapGet("/", () => TypedResults.Ok(Models.Value))
            .WithName("ListModels").WithSummary("The built-in model catalog with exact parameter counts.");

        var devices = api.MapGroup("/devices").WithTags("Devices");
        devices.MapGet("/", () => TypedResults.Ok(DeviceCatalog.Default.Profiles.Select(DeviceSummary.From).ToList()))
            .WithName("ListDevices").WithSummary("The device catalog, every number with its source.");
        devices.MapGet("/{id}", Results<Ok<DeviceSummary>, ProblemHttpResult> (string id) =>
                TypedResults.Ok(DeviceSummary.From(DeviceCatalog.Default.Find(id))))
            .WithName("GetDevice").WithSummary("One device profile by id or alias.")
            .ProducesProblem(StatusCodes.Status404NotFound);
    }
}
