namespace LlmSize.Core.Estimation;

/// <summary>
/// A model's parameters grouped the way runtimes store them differently: the token embedding (often kept at higher
/// precision or quantized separately), the output head (0 when tied to the embedding), the large linear matrices that
/// quantization targets, MoE expert matrices (all resident, only the active ones read per token), and small tensors
/// (norms, biases) that runtimes keep in floating point. Counts in parameters (elements).
/// </summary>
/// <param name="Embedding">Token (and position) embedding parameters.</param>
/// <param name="OutputHead">Untied output head parameters (0 when tied).</param>
/// <param name="Linear">Dense linear-layer parameters (attention and MLP matrices, shared experts, router).</param>
/// <param name="Experts">Routed expert parameters, all experts.</param>
/// <param name="ActiveExperts">Routed expert parameters used per token (top-k).</param>
/// <param name="Small">Norms, biases and other small tensors.</param>
/// <param name="LargestTensorElements">Elements of the largest single tensor (usually the embedding) — what must fit
/// one GPU buffer / ArrayBuffer.</param>
/// <param name="LayerCount">Transformer blocks (for partial offload by layers).</param>
public sealed record WeightGroups(
    long Embedding,
    long OutputHead,
    long Linear,
    long Experts,
    long ActiveExperts,
    long Small,
    long LargestTensorElements,
    int LayerCount)
{
    /// <summary>All parameters.</summary>
    public long Total => Embedding + OutputHead + Linear + Experts + Small;

    /// <summary>Parameters read per generated token: everything except the experts not routed to. The embedding
    /// is a row lookup (one row read), so it is excluded unless tied to the output head.</summary>
    /// <param name="tied">Whether the output head uses the embedding matrix.</param>
    /// <returns>Parameters touched per decoded token.</returns>
    public long ActivePerToken(bool tied) => (tied ? Embedding : 0) + OutputHead + Linear + ActiveExperts + Small;
}
