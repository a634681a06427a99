using LlmSize.Core.Compression.Quantization;
using LlmSize.Core.Formats.Gguf;
using LlmSize.Core.Precision;

namespace LlmSize.Measurement;

/// <summary>The hyper-parameters of a generated LLaMA-layout model (llama.cpp's <c>LLM_ARCH_LLAMA</c> tensor names and
/// GGUF keys).</summary>
/// <param name="Hidden">Embedding width (<c>llama.embedding_length</c>); a multiple of 256 so every block type applies.</param>
/// <param name="Layers">Transformer blocks (<c>llama.block_count</c>).</param>
/// <param name="Ffn">FFN width (<c>llama.feed_forward_length</c>), a multiple of 256.</param>
/// <param name="Heads">Query heads; <see cref="Hidden"/> ÷ heads is the head dimension.</param>
/// <param name="KvHeads">Key/value heads (GQA when below <see cref="Heads"/>).</param>
/// <param name="Vocab">Vocabulary size (≥ 300: 3 specials, 256 byte tokens, filler words).</param>
/// <param name="ContextLength">Trained context written to <c>llama.context_length</c>.</param>
public sealed record SyntheticLlamaSpec(int Hidden, int Layers, int Ffn, int Heads, int KvHeads, int Vocab = 512, int ContextLength = 4096)
{
    /// <summary>Head dimension: <see cref="Hidden"/> ÷ <see cref="Heads"/>.</summary>
    public int HeadDim => Hidden / Heads;

    /// <summary>Tensors in llama.cpp's naming, shapes outermost first (GGUF stores them innermost first).</summary>
    /// <returns>Name and shape of each tensor, in file order.</returns>
    public IEnumerable<(string Name, long[] Shape)> Tensors()
    {
        yield return ("token_embd.weight", [Vocab, Hidden]);
        for (int i = 0; i < Layers; i++)
        {
            yield return ($"blk.{i}.attn_norm.weight", [Hidden]);
            yield return ($"blk.{i}.attn_q.weight", [Hidden, Hidden]);
            yield return ($"blk.{i}.attn_k.weight", [KvHeads * HeadDim, Hidden]);
            yield return ($"blk.{i}.attn_v.weight", [KvHeads * HeadDim, Hidden]);
            yield return ($"blk.{i}.attn_output.weight", [Hidden, Hidden]);
            yield return ($"blk.{i}.ffn_norm.weight", [Hidden]);
            yield return ($"blk.{i}.ffn_gate.weight", [Ffn, Hidden]);
            yield return ($"blk.{i}.ffn_up.weight", [Ffn, Hidden]);
            yield return ($"blk.{i}.ffn_down.weight", [Hidden, Ffn]);
        }

        yield return ("output_norm.weight", [Hidden]);
        yield return ("output.weight", [Vocab, Hidden]);
    }
}

/// <summary>
/// Writes a small but real LLaMA GGUF with the project's <see cref="GgufWriter"/>: the tensors and keys llama.cpp's
/// LLaMA loader reads, a SentencePiece-style ("llama") vocabulary it accepts (unknown/BOS/EOS, the 256 byte tokens
/// &lt;0xNN&gt;, filler words), weights from a fixed-seed RNG. What <c>measure</c> tests and calibration run on: the
/// numbers are noise, the sizes and speeds are those of a real model of that shape.
/// </summary>
public static class SyntheticLlamaGguf
{
    /// <summary>Writes the model; 2-D weights as <paramref name="weightType"/> (F32, F16 or BF16 — quantize the result
    /// with <see cref="GgufQuantizer"/> for block types), norms F32.</summary>
    /// <param name="path">Output file (written to a temporary file and renamed).</param>
    /// <param name="spec">The shape.</param>
    /// <param name="weightType">F32, F16 or BF16.</param>
    /// <param name="seed">RNG seed.</param>
    /// <param name="omitTensor">A tensor name to leave out (a file llama.cpp refuses: "missing tensor"), or null.</param>
    /// <exception cref="ArgumentException">An invalid shape or weight type.</exception>
    public static void Write(string path, SyntheticLlamaSpec spec, TensorDataType weightType, int seed = 42, string? omitTensor = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(spec);
        if (weightType != TensorDataType.F32 && weightType != TensorDataType.F16 && weightType != TensorDataType.BF16)
        {
            throw new ArgumentException($"Weights are written as F32, F16 or BF16, not {weightType}; quantize the file afterwards.", nameof(weightType));
        }

        if (spec.Hidden % spec.Heads != 0 || spec.Heads % spec.KvHeads != 0 || spec.Hidden % 32 != 0 || spec.Ffn % 32 != 0 || spec.Vocab < 300 || spec.Layers < 1)
        {
            throw new ArgumentException($"Not a valid LLaMA shape: {spec}.", nameof(spec));
        }

        uint fileType = weightType == TensorDataType.F32 ? 0u : weightType == TensorDataType.F16 ? 1u : 32u; // llama_ftype ALL_F32 / MOSTLY_F16 / MOSTLY_BF16
        var metadata = new List<KeyValuePair<string, GgufValue>>
        {
            new("general.architecture", GgufValue.FromString("llama")),
            new("general.name", GgufValue.FromString($"llmsize-synthetic-llama-h{spec.Hidden}-l{spec.Layers}")),
            new("general.file_type", GgufValue.FromUInt32(fileType)),
            new("llama.context_length", GgufValue.FromUInt32((uint)spec.ContextLength)),
            new("llama.embedding_length", GgufValue.FromUInt32((uint)spec.Hidden)),
            new("llama.block_count", GgufValue.FromUInt32((uint)spec.Layers)),
            new("llama.feed_forward_length", GgufValue.FromUInt32((uint)spec.Ffn)),
            new("llama.rope.dimension_count", GgufValue.FromUInt32((uint)spec.HeadDim)),
            new("llama.attention.head_count", GgufValue.FromUInt32((uint)spec.Heads)),
            new("llama.attention.head_count_kv", GgufValue.FromUInt32((uint)spec.KvHeads)),
            new("llama.attention.layer_norm_rms_epsilon", GgufValue.FromFloat32(1e-5f)),
            new("llama.rope.freq_base", GgufValue.FromFloat32(10000f)),
            new("llama.vocab_size", GgufValue.FromUInt32((uint)spec.Vocab)),
        };
        metadata.AddRange(Tokenizer(spec.Vocab));
        var descriptors = spec.Tensors()
            .Where(t => t.Name != omitTensor)
            .Select(t => new GgufTensorDescriptor(t.Name, [.. t.Shape], t.Shape.Length == 1 ? TensorDataType.F32 : weightType))
            .ToList();
        var rng = new Random(seed);
        using var writer = GgufWriter.Create(path, metadata, descriptors);
        foreach (var d in descriptors)
        {
            RowQuantizers.TryGet(d.Type, out var converter);
            long rowLength = d.Shape[^1];
            long rows = d.ElementCount / rowLength;
            var x = new float[rowLength];
            var bytes = new byte[d.ByteLength / rows];
            for (long r = 0; r < rows; r++)
            {
                for (int i = 0; i < x.Length; i++)
                {
                    double g = rng.NextDouble() + rng.NextDouble() + rng.NextDouble() - 1.5; // roughly normal, σ = 0.5
                    x[i] = d.Shape.Length == 1 ? (float)(1 + 0.1 * g) : (float)(0.04 * g);
                }

                converter!.QuantizeRow(x, bytes);
                writer.WriteTensorData(bytes);
            }
        }

        writer.Commit();
    }

    private static IEnumerable<KeyValuePair<string, GgufValue>> Tokenizer(int vocab)
    {
        var tokens = new string[vocab];
        var scores = new float[vocab];
        var types = new int[vocab];
        tokens[0] = "<unk>"; types[0] = 2; // llama_token_type UNKNOWN
        tokens[1] = "<s>"; types[1] = 3; // CONTROL
        tokens[2] = "</s>"; types[2] = 3;
        for (int b = 0; b < 256; b++)
        {
            tokens[3 + b] = $"<0x{b:X2}>"; // BYTE tokens (SentencePiece byte fallback), which llama_vocab needs for '\n'
            types[3 + b] = 6;
        }

        for (int i = 259; i < vocab; i++)
        {
            // Distinct filler words "▁a" … "▁z", "▁ba" …, "▁aaa" … (U+2581 marks a leading space in SentencePiece).
            int k = i - 259;
            string word = k < 26 ? ((char)('a' + k)).ToString()
                : k < 26 * 26 ? $"{(char)('a' + (k / 26))}{(char)('a' + (k % 26))}"
                : $"{(char)('a' + (k / 676 % 26))}{(char)('a' + (k / 26 % 26))}{(char)('a' + (k % 26))}{k / 17576}";
            tokens[i] = "\u2581" + word;
            types[i] = 1; // NORMAL
            scores[i] = -k;
        }

        yield return new("tokenizer.ggml.model", GgufValue.FromString("llama"));
        yield return new("tokenizer.ggml.tokens", GgufValue.FromArray(GgufValueType.String, tokens));
        yield return new("tokenizer.ggml.scores", GgufValue.FromArray(GgufValueType.Float32, scores));
        yield return new("tokenizer.ggml.token_type", GgufValue.FromArray(GgufValueType.Int32, types));
        yield return new("tokenizer.ggml.unknown_token_id", GgufValue.FromUInt32(0));
        yield return new("tokenizer.ggml.bos_token_id", GgufValue.FromUInt32(1));
        yield return new("tokenizer.ggml.eos_token_id", GgufValue.FromUInt32(2));
    }
}
