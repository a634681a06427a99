using System.Collections.Frozen;
using LlmSize.Core.Models.Architectures;

namespace LlmSize.Core.Formats.Gguf;

/// <summary>
/// Turns llama.cpp's GGUF hyper-parameter keys (<c>{arch}.block_count</c>, <c>{arch}.embedding_length</c> …) into a
/// <see cref="ModelArchitecture"/>, so a GGUF file with no tensors (a vocab-only file, a header fetched over HTTP) can
/// still be counted and sized.
/// </summary>
/// <remarks>
/// Key names from llama.cpp <c>src/llama-arch.cpp</c> (<c>LLM_KV_NAMES</c>) and the GGUF specification
/// ("Standardized key-value pairs", "LLM"); defaults from <c>llama_model::load_hparams</c> (<c>src/llama-model.cpp</c>):
/// <c>head_count_kv</c> defaults to <c>head_count</c>, <c>key_length</c>/<c>value_length</c> to
/// <c>embedding_length / head_count</c>, and a model without an <c>output.weight</c> tensor reuses
/// <c>token_embd.weight</c> as its output head (tied embeddings).
/// </remarks>
public static class GgufArchitecture
{
    /// <summary>The <see cref="ModelArchitecture.Source"/> this mapper sets.</summary>
    public const string SourceName = "GGUF metadata";

    /// <summary>Name of the output-head tensor in llama.cpp's tensor naming (<c>LLM_TENSOR_OUTPUT</c>).</summary>
    public const string OutputTensorName = "output.weight";

    /// <summary>Name of the token-embedding tensor (<c>LLM_TENSOR_TOKEN_EMBD</c>); its outer dimension is the vocabulary.</summary>
    public const string TokenEmbeddingTensorName = "token_embd.weight";

    // Encoder-only and encoder-decoder architectures among llama.cpp's LLM_ARCH_NAMES.
    private static readonly FrozenSet<string> EncoderOnly = FrozenSet.Create(StringComparer.Ordinal,
        "bert", "nomic-bert", "nomic-bert-moe", "jina-bert-v2", "jina-bert-v3", "neo-bert", "modern-bert", "t5encoder");

    // Families whose Hugging Face checkpoints tie the LM head to the token embedding, used only when a file has no
    // tensors to look at (vocab-only GGUF). Sources: the *Config class default or the published checkpoint —
    // GPT-2 (GPT2LMHeadModel ties lm_head; 124,439,808 parameters counted once), Falcon-7B (6.92 B parameters on its
    // model card only add up with a shared 65,024 × 4,544 embedding), StarCoder2-3B (3.03 B, same reasoning; the 7B/15B
    // checkpoints do not tie, which a tensor-less file cannot show), Gemma 1/2/3 (GemmaConfig tie_word_embeddings=True),
    // BLOOM and MPT (no separate lm_head), T5 (T5Config tie_word_embeddings=True). LLaMA, Mistral, Phi-3, Qwen2 (7B+)
    // do not tie.
    private static readonly FrozenSet<string> TiedByDefault = FrozenSet.Create(StringComparer.Ordinal,
        "gpt2", "falcon", "starcoder2", "gemma", "gemma2", "gemma3", "bloom", "mpt", "t5");

    /// <summary>
    /// Maps GGUF metadata to a <see cref="ModelArchitecture"/> whose <see cref="ModelArchitecture.Family"/> is the
    /// <c>general.architecture</c> string verbatim ("llama", "bert", "phi3", "gpt2", "falcon", "starcoder2" …).
    /// </summary>
    /// <param name="file">A parsed GGUF header.</param>
    /// <returns>The hyper-parameters, <see cref="ModelArchitecture.Source"/> = <see cref="SourceName"/>.</returns>
    /// <remarks>
    /// Per-layer arrays (<c>head_count_kv</c>, <c>feed_forward_length</c>, <c>head_count</c>) give the maximum as the
    /// scalar and fill <see cref="ModelArchitecture.KeyValueHeadCountPerLayer"/> /
    /// <see cref="ModelArchitecture.IntermediateSizePerLayer"/> when the layers differ. The vocabulary is
    /// <c>{arch}.vocab_size</c>, else the length of <c>tokenizer.ggml.tokens</c>, else the outer dimension of
    /// <c>token_embd.weight</c>. Attention-free models (no <c>head_count</c>) get 0 heads.
    /// </remarks>
    /// <exception cref="ArgumentNullException"><paramref name="file"/> is null.</exception>
    /// <exception cref="ModelFormatException"><see cref="ModelFormatError.MissingField"/> when
    /// <c>general.architecture</c>, <c>{arch}.embedding_length</c>, <c>{arch}.block_count</c> or every vocabulary
    /// source is absent; <see cref="ModelFormatError.InvalidValue"/> when a value has the wrong type, is out of range,
    /// or a per-layer array's length differs from the block count.</exception>
    public static ModelArchitecture ToModelArchitecture(GgufFile file)
    {
        ArgumentNullException.ThrowIfNull(file);
        var reader = new KeyReader(file);
        string arch = file.Architecture
            ?? reader.Fail<string>(ModelFormatError.MissingField, "the architecture is unknown: 'general.architecture' is absent or not a string", GgufConstants.ArchitectureKey);
        string Key(string suffix) => arch + "." + suffix;

        long hidden = reader.Require(Key("embedding_length"), 1, long.MaxValue);
        int layers = (int)reader.Require(Key("block_count"), 1, int.MaxValue);
        (long heads, _) = reader.PerLayer(Key("attention.head_count"), layers, 0, int.MaxValue) ?? (0, null);
        (long kvHeads, long[]? kvPerLayer) = reader.PerLayer(Key("attention.head_count_kv"), layers, 0, int.MaxValue) ?? (heads, null);
        (long ff, long[]? ffPerLayer) = reader.PerLayer(Key("feed_forward_length"), layers, 0, long.MaxValue) ?? (0, null);
        long headDim = reader.Optional(Key("attention.key_length"), 1, int.MaxValue) ?? (heads > 0 ? hidden / heads : 0);
        long? valueDim = reader.Optional(Key("attention.value_length"), 1, int.MaxValue);
        long? kvLoraRank = reader.Optional(Key("attention.kv_lora_rank"), 1, int.MaxValue);
        long? ropeDim = kvLoraRank is null ? null : reader.Optional(Key("rope.dimension_count"), 1, int.MaxValue);
        long? window = reader.Optional(Key("attention.sliding_window"), 0, int.MaxValue);

        TransformerKind kind = arch == "t5" ? TransformerKind.EncoderDecoder
            : EncoderOnly.Contains(arch) ? TransformerKind.EncoderOnly : TransformerKind.DecoderOnly;
        bool tied = kind != TransformerKind.EncoderOnly && (file.Tensors.Count > 0
            ? !file.Tensors.Any(t => t.Name == OutputTensorName)
            : TiedByDefault.Contains(arch));

        var result = new ModelArchitecture
        {
            Family = arch,
            Kind = kind,
            VocabSize = VocabSize(file, reader, Key("vocab_size")),
            HiddenSize = hidden,
            LayerCount = layers,
            EncoderLayerCount = kind == TransformerKind.EncoderDecoder ? layers : 0,
            AttentionHeadCount = (int)heads,
            KeyValueHeadCount = (int)kvHeads,
            KeyValueHeadCountPerLayer = kvPerLayer?.Select(v => (int)v).ToArray(),
            HeadDim = (int)headDim,
            ValueHeadDim = valueDim is long v && v != headDim ? (int)v : null,
            IntermediateSize = ff,
            IntermediateSizePerLayer = ffPerLayer,
            ContextLength = reader.Optional(Key("context_length"), 0, long.MaxValue) ?? 0,
            SlidingWindow = window is > 0 ? (int)window : null,
            ExpertCount = (int)(reader.Optional(Key("expert_count"), 0, int.MaxValue) ?? 0),
            ActiveExpertCount = (int)(reader.Optional(Key("expert_used_count"), 0, int.MaxValue) ?? 0),
            SharedExpertCount = (int)(reader.Optional(Key("expert_shared_count"), 0, int.MaxValue) ?? 0),
            ExpertIntermediateSize = reader.Optional(Key("expert_feed_forward_length"), 1, long.MaxValue),
            TieWordEmbeddings = tied,
            KvLoraRank = (int?)kvLoraRank,
            QkRopeHeadDim = (int?)ropeDim,
            Source = SourceName,
        };

        return result;
    }

    /// <summary>
    /// Runs the architecture model's checks (positive sizes, consistent heads, counts within 64 bits) on an
    /// architecture read from <paramref name="file"/> and reports a failure as a format error of the file naming its
    /// GGUF key, instead of a bare "HeadDim must be positive; got 0." later.
    /// </summary>
    /// <param name="file">The file the architecture was read from.</param>
    /// <param name="architecture">What <see cref="ToModelArchitecture"/> returned for it.</param>
    /// <exception cref="ModelFormatException"><see cref="ModelFormatError.InvalidValue"/> (a present key with an
    /// impossible value), <see cref="ModelFormatError.MissingField"/> (the value came from an absent key's default),
    /// <see cref="ModelFormatError.ArithmeticOverflow"/> (sizes whose count overflows 64 bits).</exception>
    public static void Check(GgufFile file, ModelArchitecture architecture)
    {
        ArgumentNullException.ThrowIfNull(file);
        ArgumentNullException.ThrowIfNull(architecture);
        string arch = architecture.Family;
        string Key(string suffix) => arch + "." + suffix;
        // The architecture model's own checks (positive sizes, head counts, 64-bit counts) fail here as format errors
        // of this file naming its keys, not later as a bare "HeadDim must be positive" (issue 13, class 5).
        bool keyLength = file.TryGetValue(Key("attention.key_length"), out _);
        string vocabKey = file.TryGetValue(Key("vocab_size"), out _) ? Key("vocab_size") : GgufConstants.TokensKey;
        ArchitectureSourceCheck.Validate(architecture, file.FilePath, key => file.TryGetValue(key, out _), property => property switch
        {
            nameof(ModelArchitecture.VocabSize) => vocabKey,
            nameof(ModelArchitecture.HiddenSize) => Key("embedding_length"),
            nameof(ModelArchitecture.LayerCount) or nameof(ModelArchitecture.EncoderLayerCount) => Key("block_count"),
            nameof(ModelArchitecture.AttentionHeadCount) => Key("attention.head_count"),
            nameof(ModelArchitecture.KeyValueHeadCount) or nameof(ModelArchitecture.KeyValueHeadCountPerLayer) => Key("attention.head_count_kv"),
            // Without key_length the head dimension is embedding_length / head_count: name the divisor.
            nameof(ModelArchitecture.HeadDim) => keyLength ? Key("attention.key_length") : Key("attention.head_count"),
            nameof(ModelArchitecture.ValueHeadDim) => Key("attention.value_length"),
            nameof(ModelArchitecture.IntermediateSize) or nameof(ModelArchitecture.IntermediateSizePerLayer) => Key("feed_forward_length"),
            nameof(ModelArchitecture.ExpertCount) => Key("expert_count"),
            nameof(ModelArchitecture.ActiveExpertCount) => Key("expert_used_count"),
            nameof(ModelArchitecture.SharedExpertCount) => Key("expert_shared_count"),
            nameof(ModelArchitecture.ExpertIntermediateSize) => Key("expert_feed_forward_length"),
            _ => $"{Key("embedding_length")}, {Key("block_count")}, {Key("feed_forward_length")}",
        });
    }

    private static long VocabSize(GgufFile file, KeyReader reader, string vocabKey)
    {
        if (reader.Optional(vocabKey, 1, long.MaxValue) is long declared) return declared;
        if (file.TryGetValue(GgufConstants.TokensKey, out GgufValue tokens) && tokens.TryGetArray(out GgufArray array) && array.Count > 0)
        {
            return array.Count;
        }

        var embedding = file.Tensors.FirstOrDefault(t => t.Name == TokenEmbeddingTensorName);
        if (embedding is { Shape.Length: 2 }) return embedding.Shape[0];
        return reader.Fail<long>(ModelFormatError.MissingField,
            $"the vocabulary size is unknown: no '{vocabKey}', no '{GgufConstants.TokensKey}' array and no 2-D '{TokenEmbeddingTensorName}' tensor",
            vocabKey);
    }

    /// <summary>Typed, range-checked access to metadata keys, failing with the file and key named.</summary>
    private readonly struct KeyReader(GgufFile file)
    {
        public T Fail<T>(ModelFormatError error, string detail, string key) =>
            GgufThrowHelper.Throw<T>(error, detail, file.FilePath, null, key);

        public long Require(string key, long min, long max) =>
            Optional(key, min, max) ?? Fail<long>(ModelFormatError.MissingField, $"the required key '{key}' is absent", key);

        public long? Optional(string key, long min, long max)
        {
            if (!file.TryGetValue(key, out GgufValue value)) return null;
            if (!value.TryGetInt64(out long n))
            {
                return Fail<long>(ModelFormatError.InvalidValue, $"'{key}' must be an integer, not {value.Type}", key);
            }

            return Check(key, n, min, max);
        }

        /// <summary>A scalar, or an integer array of one value per layer (returns its maximum and the values when they differ).</summary>
        public (long Value, long[]? PerLayer)? PerLayer(string key, int layers, long min, long max)
        {
            if (!file.TryGetValue(key, out GgufValue value)) return null;
            if (!value.TryGetArray(out GgufArray array)) return (Optional(key, min, max)!.Value, null);
            if (!array.TryGetInt64Values(out long[] values))
            {
                return Fail<(long, long[]?)>(ModelFormatError.InvalidValue,
                    $"'{key}' must be an integer or a materialized integer array, not an array of {array.Count} {array.ElementType}", key);
            }

            if (values.Length != layers)
            {
                return Fail<(long, long[]?)>(ModelFormatError.InvalidValue,
                    $"'{key}' has {values.Length} per-layer values, but the model has {layers} blocks", key);
            }

            foreach (long n in values) Check(key, n, min, max);
            long top = values.Max();
            return (top, values.All(n => n == values[0]) ? null : values);
        }

        private long Check(string key, long n, long min, long max) =>
            n < min || n > max ? Fail<long>(ModelFormatError.InvalidValue, $"'{key}' = {n} is outside {min}–{max}", key) : n;
    }
}
