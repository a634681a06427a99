using LlmSize.Core.Compression.Lora;

namespace LlmSize.Cli.Commands.Lora;

/// <summary>JSON shape of <c>llmsize lora size</c> (schema "llmsize.lora-size/v1").</summary>
internal sealed record LoraSizeJson(string Schema, string Model, int Rank, IReadOnlyList<string> Targets, string Dtype, int Modules,
    long AdapterParameters, long AdapterBytes, long BaseParameters, long? BaseBytes, double ParameterFraction, IReadOnlyList<LoraStorageJson> Storage)
{
    public static LoraSizeJson From(string model, LoraArchitecturePlan plan, string dtype) => new(
        "llmsize.lora-size/v1", model, plan.Rank, plan.Targets, dtype, plan.Estimate.Modules.Length, plan.Estimate.Parameters, plan.Estimate.Bytes,
        plan.BaseParameters, plan.BaseBytes, plan.ParameterFraction,
        plan.Storage.Select(s => new LoraStorageJson(s.AdapterCount, s.BasePlusAdaptersBytes, s.FullCopiesBytes, s.SavedBytes)).ToList());
}

/// <summary>JSON shape of one row of the one-base-many-adapters storage table.</summary>
internal sealed record LoraStorageJson(int Adapters, long BasePlusAdaptersBytes, long FullCopiesBytes, long SavedBytes);
