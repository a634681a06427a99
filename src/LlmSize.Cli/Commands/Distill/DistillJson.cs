using LlmSize.Core.Compression.Distillation;

namespace LlmSize.Cli.Commands.Distill;

/// <summary>JSON of <c>distill --device</c> when the teacher already fits (schema "llmsize.distill/v1").</summary>
internal sealed record DistillFitsJson(string Schema, string Teacher, bool TeacherFits, string Message);

/// <summary>JSON shape of a distillation plan (schema "llmsize.distill/v1").</summary>
internal sealed record DistillJson(string Schema, string Teacher, long TeacherParameters, long TargetParameters, string Budget, string Disclaimer,
    IReadOnlyList<DistillProposalJson> Proposals, IReadOnlyList<DistillReferenceJson> References)
{
    public static DistillJson From(DistillationPlan plan) => new(
        "llmsize.distill/v1", plan.TeacherName, plan.TeacherParameters, plan.TargetParameters, plan.BudgetReason, DistillationPlan.Disclaimer,
        plan.Proposals.Select(p => new DistillProposalJson(p.Strategy, p.Parameters, p.Layers, p.Hidden, p.Architecture.AttentionHeadCount,
            p.Architecture.KeyValueHeadCount, p.Architecture.HeadDim, p.Architecture.IntermediateSize, p.Architecture.VocabSize,
            p.Architecture.TieWordEmbeddings, p.Rationale)).ToList(),
        plan.References.Select(r => new DistillReferenceJson(r.Name, r.Parameters, r.Architecture.LayerCount, r.Architecture.HiddenSize, r.Source)).ToList());
}

/// <summary>JSON shape of one proposed student.</summary>
internal sealed record DistillProposalJson(string Strategy, long Parameters, int Layers, long Hidden, int Heads, int KvHeads, int HeadDim,
    long Intermediate, long Vocab, bool TieWordEmbeddings, string Rationale);

/// <summary>JSON shape of one published family member used as a reference.</summary>
internal sealed record DistillReferenceJson(string Name, long Parameters, int Layers, long Hidden, string Source);
