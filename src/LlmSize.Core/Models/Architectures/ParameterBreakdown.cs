namespace LlmSize.Core.Models.Architectures;

/// <summary>
/// One distinct weight of an architecture, repeated <see cref="Repeat"/> times (once per layer, per layer × expert …).
/// </summary>
/// <param name="Component">Component it is counted in.</param>
/// <param name="Name">Generic name in GGUF-like spelling, with <c>{layer}</c> / <c>{expert}</c> placeholders (e.g. <c>blk.{layer}.attn_q.weight</c>).</param>
/// <param name="Shape">Shape, outermost first, as PyTorch stores an <c>nn.Linear</c> weight: [out, in].</param>
/// <param name="Repeat">How many copies the model holds (layers × experts).</param>
/// <param name="ActiveRepeat">How many copies one token uses (MoE: layers × top-k; otherwise <see cref="Repeat"/>).</param>
public sealed record ArchitectureWeight(ModelComponent Component, string Name, IReadOnlyList<long> Shape, long Repeat,
    long ActiveRepeat)
{
    /// <summary>Parameters in one copy: the product of <see cref="Shape"/>.</summary>
    public long ElementsPerCopy
    {
        get
        {
            long n = 1;
            foreach (long d in Shape)
            {
                n = checked(n * d);
            }

            return n;
        }
    }

    /// <summary>Parameters in all copies: <see cref="ElementsPerCopy"/> × <see cref="Repeat"/>.</summary>
    public long Elements => checked(ElementsPerCopy * Repeat);

    /// <summary>Parameters one token uses: <see cref="ElementsPerCopy"/> × <see cref="ActiveRepeat"/>.</summary>
    public long ActiveElements => checked(ElementsPerCopy * ActiveRepeat);
}

/// <summary>
/// Exact analytic parameter count of an architecture, by component. All values are counts of parameters (elements),
/// not bytes; tied weights are counted once (a tied output head counts 0).
/// </summary>
public sealed record ParameterBreakdown
{
    /// <summary>Token + learned-position + token-type embeddings, in parameters.</summary>
    public long Embedding { get; init; }

    /// <summary>Attention projections, biases, q/k norms, relative-position bias, cross-attention, in parameters.</summary>
    public long Attention { get; init; }

    /// <summary>Dense MLPs, in parameters.</summary>
    public long Mlp { get; init; }

    /// <summary>Routed + shared experts + routers, in parameters.</summary>
    public long Experts { get; init; }

    /// <summary>Per-layer, embedding and final norms, in parameters.</summary>
    public long Norms { get; init; }

    /// <summary>Untied lm_head (+ bias) and masked-LM head, in parameters; 0 for a plain tied head.</summary>
    public long OutputHead { get; init; }

    /// <summary>Pooler and classifier, in parameters.</summary>
    public long Other { get; init; }

    /// <summary>Parameters one token passes through: for MoE only the top-k routed experts of each layer plus shared experts, routers and all non-expert weights; equal to <see cref="Total"/> for dense models.</summary>
    public long ActivePerToken { get; init; }

    /// <summary>Sum of all components, in parameters.</summary>
    public long Total => checked(Embedding + Attention + Mlp + Experts + Norms + OutputHead + Other);

    /// <summary>Total without the embedding component ("non-embedding parameters" of model cards, which also keep an untied lm_head).</summary>
    public long NonEmbedding => checked(Total - Embedding);
}
