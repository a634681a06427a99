namespace LlmSize.Core.Models;

/// <summary>Where a parameter count sits on the language-model size scale (see <see cref="LlmScale"/>).</summary>
public enum LlmScaleCategory
{
    /// <summary>&lt; 100M parameters: a small language model, not usually called an LLM (DistilBERT 67M).</summary>
    BelowSmallLanguageModel,
    /// <summary>100M – 1B: small language model (SLM) range (GPT-2 124M, SmolLM2 135M, Qwen2 0.5B).</summary>
    SmallLanguageModel,
    /// <summary>1B – 10B: LLM of the on-device class (Llama 3.2 1B, Gemma 2B, Mistral 7B, Llama 3 8B).</summary>
    OnDeviceLlm,
    /// <summary>10B – 100B: large (Mixtral 8x7B 46.7B total, Llama 3 70B).</summary>
    LargeLlm,
    /// <summary>≥ 100B: frontier scale (GPT-3 175B, Llama 3.1 405B).</summary>
    FrontierScale,
}

/// <summary>
/// Answers "is it an LLM?" for a parameter count by placing it on a scale with explicit thresholds, and says that the
/// definition is fluid.
/// </summary>
/// <remarks>
/// <para>There is no agreed parameter threshold for "large" language model, and the word has moved as models grew.
/// The thresholds used here and where they come from:</para>
/// <list type="bullet">
/// <item><b>10B</b>: Zhao et al., "A Survey of Large Language Models" (arXiv:2303.18223) describe LLMs as PLMs "of
/// significant size (e.g., containing tens or hundreds of billions of parameters)" and focus on models larger than
/// 10B (https://arxiv.org/abs/2303.18223).</item>
/// <item><b>100M</b> (and an upper bound well inside 1B–10B): Lu et al., "Small Language Models: Survey, Measurements,
/// and Insights" (arXiv:2409.15790) survey decoder-only SLMs of 100M to 5B parameters
/// (https://arxiv.org/abs/2409.15790); other surveys put SLMs at 1–8B ("Small Language Models (SLMs) Can Still Pack
/// a Punch", arXiv:2501.05465), so the SLM / LLM border is contested.</item>
/// <item><b>1B</b> and <b>100B</b>: this project's convention. 1B is where models start to be shipped as
/// on-device LLMs (Llama 3.2 1B, Gemma 3 1B); 100B marks frontier scale (GPT-3 175B).</item>
/// </list>
/// <para>Thresholds are inclusive at their lower end: exactly 1,000,000,000 parameters is <see cref="LlmScaleCategory.OnDeviceLlm"/>.</para>
/// </remarks>
public static class LlmScale
{
    /// <summary>Lower end of the SLM range, in parameters (Lu et al. 2024, arXiv:2409.15790).</summary>
    public const long SmallLanguageModelThreshold = 100_000_000;

    /// <summary>Lower end of the on-device LLM class, in parameters (this project's convention).</summary>
    public const long OnDeviceLlmThreshold = 1_000_000_000;

    /// <summary>Lower end of "large", in parameters (Zhao et al. 2023, arXiv:2303.18223: "tens or hundreds of billions").</summary>
    public const long LargeLlmThreshold = 10_000_000_000;

    /// <summary>Lower end of frontier scale, in parameters (this project's convention).</summary>
    public const long FrontierScaleThreshold = 100_000_000_000;

    /// <summary>The sentence every result carries: the definition is fluid, and where the thresholds come from.</summary>
    public const string DefinitionNote =
        "The definition of \"large\" language model is fluid and has moved as models grew. Thresholds: 100M (SLM surveys, "
        + "e.g. Lu et al. 2024, arXiv:2409.15790: 100M-5B) and 10B (Zhao et al. 2023, arXiv:2303.18223: LLMs have "
        + "\"tens or hundreds of billions\" of parameters) are from the literature; 1B (on-device class) and 100B "
        + "(frontier scale) are this project's convention.";

    /// <summary>Places a parameter count on the scale.</summary>
    /// <param name="parameters">Parameter count (total, for MoE models), ≥ 0.</param>
    /// <returns>The category, a label, and a sentence with the fluid-definition note.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="parameters"/> is negative.</exception>
    public static LlmScaleResult Classify(long parameters)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(parameters);
        var category = parameters switch
        {
            < SmallLanguageModelThreshold => LlmScaleCategory.BelowSmallLanguageModel,
            < OnDeviceLlmThreshold => LlmScaleCategory.SmallLanguageModel,
            < LargeLlmThreshold => LlmScaleCategory.OnDeviceLlm,
            < FrontierScaleThreshold => LlmScaleCategory.LargeLlm,
            _ => LlmScaleCategory.FrontierScale,
        };
        string label = GetLabel(category);
        bool isLlm = category >= LlmScaleCategory.OnDeviceLlm;
        string sizeClass = SizeClass.FromParameterCount(parameters).DisplayName;
        string text = FormattableString.Invariant($"{parameters:N0} parameters ({sizeClass}): {label}. ")
            + (isLlm ? "Commonly called an LLM. " : "Not usually called an LLM by parameter count. ")
            + DefinitionNote;
        return new LlmScaleResult(parameters, category, label, isLlm, text);
    }

    /// <summary>The short label of a category ("LLM, on-device class").</summary>
    /// <param name="category">The category.</param>
    /// <returns>The label.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="category"/> is not a defined value.</exception>
    public static string GetLabel(LlmScaleCategory category) => category switch
    {
        LlmScaleCategory.BelowSmallLanguageModel => "small language model / not usually called an LLM (< 100M)",
        LlmScaleCategory.SmallLanguageModel => "small language model (SLM, 100M-1B)",
        LlmScaleCategory.OnDeviceLlm => "LLM, on-device class (1B-10B)",
        LlmScaleCategory.LargeLlm => "large LLM (10B-100B)",
        LlmScaleCategory.FrontierScale => "frontier-scale LLM (>= 100B)",
        _ => throw new ArgumentOutOfRangeException(nameof(category), category, "Unknown LLM scale category."),
    };
}

/// <summary>The result of <see cref="LlmScale.Classify"/>.</summary>
/// <param name="Parameters">The parameter count classified.</param>
/// <param name="Category">Where it sits.</param>
/// <param name="Label">Short label ("LLM, on-device class (1B-10B)").</param>
/// <param name="IsCommonlyCalledLlm">True from 1B up (this project's reading of current usage; see remarks of <see cref="LlmScale"/>).</param>
/// <param name="Text">One paragraph for output, ending with <see cref="LlmScale.DefinitionNote"/>.</param>
public sealed record LlmScaleResult(long Parameters, LlmScaleCategory Category, string Label, bool IsCommonlyCalledLlm, string Text);
