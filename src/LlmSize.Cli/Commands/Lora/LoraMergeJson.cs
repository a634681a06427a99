using LlmSize.Core.Compression.Lora;

namespace LlmSize.Cli.Commands.Lora;

/// <summary>JSON shape of <c>llmsize lora merge</c> (schema "llmsize.lora-merge/v1").</summary>
internal sealed record LoraMergeJson(string Schema, string Output, int Tensors, long OutputBytes, IReadOnlyList<LoraMergedModuleJson> Modules,
    IReadOnlyList<string> Replaced, IReadOnlyList<string> Added)
{
    public static LoraMergeJson From(LoraMergeReport r) => new(
        "llmsize.lora-merge/v1", r.Output, r.TensorCount, r.OutputBytes,
        r.Modules.Select(m => new LoraMergedModuleJson(m.ModulePath, m.BaseTensor, m.Rank, m.Scaling, m.Transposed)).ToList(),
        r.ReplacedTensors, r.AddedTensors);
}

/// <summary>JSON shape of one merged module.</summary>
internal sealed record LoraMergedModuleJson(string Module, string BaseTensor, int Rank, double Scaling, bool Transposed);
