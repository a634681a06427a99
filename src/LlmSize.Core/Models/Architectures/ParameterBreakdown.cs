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

    /// <summary>Parameters one token passes through: for MoE only the top-k routed experts of each layer plus shared experts, routers and all non-expert weights, plus any towers and projectors whole; equal to <see cref="Total"/> for dense models.</summary>
    public long ActivePerToken { get; init; }

    /// <summary>Vision tower(s) of a multimodal checkpoint, in parameters; 0 for text-only models.</summary>
    public long VisionTower { get; init; }

    /// <summary>Audio tower of a multimodal checkpoint, in parameters; 0 if none.</summary>
    public long AudioTower { get; init; }

    /// <summary>Multimodal projector(s) (encoder width → language-model width), in parameters; 0 if none.</summary>
    public long Projector { get; init; }

    /// <summary>
    /// Multi-token-prediction modules stored beside the model (DeepSeek-V3's MTP layer), in parameters; not part of
    /// <see cref="Total"/>, which is the model as published ("671B"); see <see cref="WithMultiTokenPrediction"/>.
    /// </summary>
    public long MultiTokenPrediction { get; init; }

    /// <summary>Sum of all components (language model + vision / audio towers + projectors), in parameters.</summary>
    public long Total => checked(Embedding + Attention + Mlp + Experts + Norms + OutputHead + Other + VisionTower + AudioTower + Projector);

    /// <summary>The language model alone: <see cref="Total"/> without towers and projectors; equal to it for text-only models.</summary>
    public long TextOnly => checked(Embedding + Attention + Mlp + Experts + Norms + OutputHead + Other);

    /// <summary>What the checkpoint stores: <see cref="Total"/> plus <see cref="MultiTokenPrediction"/>.</summary>
    public long WithMultiTokenPrediction => checked(Total + MultiTokenPrediction);

    /// <summary>Parameters of the language model one token passes through (MoE: top-k routed experts only), without towers and projectors.</summary>
    public long TextActivePerToken { get; init; }

    /// <summary>Total without the embedding component ("non-embedding parameters" of model cards, which also keep an untied lm_head).</summary>
    public long NonEmbedding => checked(Total - Embedding);
}
