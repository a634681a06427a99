namespace LlmSize.Core.Formats.HfConfig;

/// <summary>Default limits and family names of the Hugging Face <c>config.json</c> reader.</summary>
internal static class HfConfigConstants
{
    /// <summary>Default cap on the file size: 16 MiB.</summary>
    public const long DefaultMaxConfigBytes = 16L * 1024 * 1024;

    /// <summary>Default JSON nesting cap.</summary>
    public const int DefaultMaxDepth = 64;

    /// <summary>Default vocabulary cap: 2^24 tokens.</summary>
    public const long DefaultMaxVocabSize = 1L << 24;

    /// <summary>Default width cap: 2^20 elements.</summary>
    public const long DefaultMaxDimension = 1L << 20;

    /// <summary>Default cap on layers, heads, experts, buckets.</summary>
    public const int DefaultMaxCount = 65_536;

    /// <summary>Default cap on position counts: 2^30 tokens.</summary>
    public const long DefaultMaxPositions = 1L << 30;

    /// <summary>Gemma3TextConfig default vocab_size (configuration_gemma3.py); real gemma3 text_config blocks omit it.</summary>
    public const long Gemma3DefaultVocabSize = 262_208;

    /// <summary>Gemma3TextConfig default num_attention_heads (google/gemma-3-4b-it's config.json relies on it).</summary>
    public const int Gemma3DefaultHeads = 8;

    /// <summary>Gemma3TextConfig default num_key_value_heads.</summary>
    public const int Gemma3DefaultKeyValueHeads = 4;

    /// <summary>GemmaConfig / Gemma2Config / Gemma3TextConfig default head_dim.</summary>
    public const int GemmaDefaultHeadDim = 256;

    /// <summary>Qwen3Config default head_dim.</summary>
    public const int Qwen3DefaultHeadDim = 128;

    /// <summary>Gemma3TextConfig default sliding_window_pattern: every 6th layer is global.</summary>
    public const int Gemma3DefaultSlidingWindowPattern = 6;

    /// <summary>Every <c>model_type</c> the reader understands.</summary>
    public static readonly string[] SupportedModelTypes =
    [
        "bert", "bloom", "cohere", "deepseek", "deepseek_v2", "deepseek_v3", "distilbert", "falcon", "gemma", "gemma2",
        "gemma3", "gemma3_text", "gpt_bigcode", "gpt_neox", "gpt_oss", "gpt2", "gptj", "idefics3", "granite", "granitemoe", "internlm2", "llama", "llama4", "llama4_text",
        "llava", "llava_next", "mistral", "mixtral", "mllama", "modernbert", "mpt", "olmo2", "opt", "paligemma", "phi", "phi-msft", "phi3", "phi3_v", "qwen2",
        "qwen2_5_vl", "qwen2_moe", "qwen2_vl", "qwen3", "qwen3_moe", "RefinedWeb", "RefinedWebModel", "smolvlm", "stablelm",
        "starcoder2", "t5",
    ];
}
