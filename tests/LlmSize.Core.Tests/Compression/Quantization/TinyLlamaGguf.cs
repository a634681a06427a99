using System.Collections.Immutable;
using System.Runtime.InteropServices;
using LlmSize.Core.Compression.Quantization;
using LlmSize.Core.Formats.Gguf;
using LlmSize.Core.Precision;

namespace LlmSize.Core.Tests.Compression.Quantization;

/// <summary>Which of the two keys llama-quantize rewrites the input carries, and where.</summary>
public enum TinyGgufHeaderKeys
{
    /// <summary>Neither <c>general.file_type</c> nor <c>general.quantization_version</c>.</summary>
    None,

    /// <summary><c>general.file_type</c> third, as convert_hf_to_gguf writes it (no quantization version).</summary>
    FileType,

    /// <summary><c>general.quantization_version</c> third and <c>general.file_type</c> fourth.</summary>
    VersionThenFileType,

    /// <summary><c>general.file_type</c> third and <c>general.quantization_version</c> last (after the tokenizer).</summary>
    FileTypeThenVersionLast,
}

/// <summary>
/// Generates a small but real LLaMA GGUF with our <see cref="GgufWriter"/>: 2 blocks, hidden 256, FFN 512, 4 query
/// heads / 2 KV heads (GQA, head dim 64), vocab 512 with a SentencePiece-style ("llama") tokenizer llama.cpp accepts
/// (unknown/BOS/EOS, the 256 byte tokens &lt;0xNN&gt; that llama_vocab needs for '\n', and filler words). Weights from
/// a fixed-seed RNG; every dimension a multiple of 256 so block types apply.
/// </summary>
internal static class TinyLlamaGguf
{
    public const int Hidden = 256, Ffn = 512, DefaultLayers = 2, Heads = 4, KvHeads = 2, Vocab = 512, HeadDim = Hidden / Heads;

    /// <summary>Tensors in llama.cpp's naming with shapes outermost first.</summary>
    public static IEnumerable<(string Name, long[] Shape)> Tensors(int layers = DefaultLayers, int hidden = Hidden)
    {
        int headDim = hidden / Heads;
        yield return ("token_embd.weight", [Vocab, hidden]);
        for (int i = 0; i < layers; i++)
        {
            yield return ($"blk.{i}.attn_norm.weight", [hidden]);
            yield return ($"blk.{i}.attn_q.weight", [hidden, hidden]);
            yield return ($"blk.{i}.attn_k.weight", [KvHeads * headDim, hidden]);
            yield return ($"blk.{i}.attn_v.weight", [KvHeads * headDim, hidden]);
            yield return ($"blk.{i}.attn_output.weight", [hidden, hidden]);
            yield return ($"blk.{i}.ffn_norm.weight", [hidden]);
            yield return ($"blk.{i}.ffn_gate.weight", [Ffn, hidden]);
            yield return ($"blk.{i}.ffn_up.weight", [Ffn, hidden]);
            yield return ($"blk.{i}.ffn_down.weight", [hidden, Ffn]);
        }

        yield return ("output_norm.weight", [hidden]);
        yield return ("output.weight", [Vocab, hidden]);
    }

    /// <summary>Writes the model; 2-D weights as <paramref name="weightType"/> (F32, F16 or BF16), norms F32.</summary>
    public static void Write(string path, TensorDataType weightType, int seed = 42, int layers = DefaultLayers, int hidden = Hidden,
        TinyGgufHeaderKeys header = TinyGgufHeaderKeys.FileType, uint? alignment = null)
    {
        var fileType = new KeyValuePair<string, GgufValue>("general.file_type",
            GgufValue.FromUInt32(weightType == TensorDataType.F32 ? 0u : weightType == TensorDataType.F16 ? 1u : 32u));
        var version = new KeyValuePair<string, GgufValue>("general.quantization_version", GgufValue.FromUInt32(2));
        var metadata = new List<KeyValuePair<string, GgufValue>>
        {
            new("general.architecture", GgufValue.FromString("llama")),
            new("general.name", GgufValue.FromString("llmsize-tiny-llama-test")),
        };
        if (alignment is { } a) metadata.Add(new("general.alignment", GgufValue.FromUInt32(a)));
        if (header == TinyGgufHeaderKeys.VersionThenFileType) metadata.Add(version);
        if (header != TinyGgufHeaderKeys.None) metadata.Add(fileType);
        metadata.AddRange(
        [
            new("llama.context_length", GgufValue.FromUInt32(256)),
            new("llama.embedding_length", GgufValue.FromUInt32((uint)hidden)),
            new("llama.block_count", GgufValue.FromUInt32((uint)layers)),
            new("llama.feed_forward_length", GgufValue.FromUInt32(Ffn)),
            new("llama.rope.dimension_count", GgufValue.FromUInt32((uint)(hidden / Heads))),
            new("llama.attention.head_count", GgufValue.FromUInt32(Heads)),
            new("llama.attention.head_count_kv", GgufValue.FromUInt32(KvHeads)),
            new("llama.attention.layer_norm_rms_epsilon", GgufValue.FromFloat32(1e-5f)),
            new("llama.rope.freq_base", GgufValue.FromFloat32(10000f)),
            new("llama.vocab_size", GgufValue.FromUInt32(Vocab)),
        ]);
        metadata.AddRange(Tokenizer());
        if (header == TinyGgufHeaderKeys.FileTypeThenVersionLast) metadata.Add(version);
        var descriptors = Tensors(layers, hidden)
            .Select(t => new GgufTensorDescriptor(t.Name, [.. t.Shape], t.Shape.Length == 1 ? TensorDataType.F32 : weightType))
            .ToList();
        var rng = new Random(seed);
        using var writer = GgufWriter.Create(path, metadata, descriptors);
        foreach (var d in descriptors)
        {
            var x = new float[d.ElementCount];
            for (int i = 0; i < x.Length; i++)
            {
                double g = rng.NextDouble() + rng.NextDouble() + rng.NextDouble() - 1.5; // roughly normal, σ = 0.5
                x[i] = d.Shape.Length == 1 ? (float)(1 + 0.1 * g) : (float)(0.04 * g);
            }

            RowQuantizers.TryGet(d.Type, out var conv);
            var bytes = new byte[d.ByteLength];
            conv!.QuantizeRow(x, bytes);
            writer.WriteTensorData(bytes);
        }

        writer.Commit();
    }

    private static IEnumerable<KeyValuePair<string, GgufValue>> Tokenizer()
    {
        var tokens = new string[Vocab];
        var scores = new float[Vocab];
        var types = new int[Vocab];
        tokens[0] = "<unk>"; types[0] = 2; // LLAMA_TOKEN_TYPE_UNKNOWN
        tokens[1] = "<s>"; types[1] = 3; // CONTROL
        tokens[2] = "</s>"; types[2] = 3;
        for (int b = 0; b < 256; b++)
        {
            tokens[3 + b] = $"<0x{b:X2}>"; // BYTE tokens, as SentencePiece byte fallback
            types[3 + b] = 6;
        }

        for (int i = 259; i < Vocab; i++)
        {
            // Filler words "▁a", "▁b", …, "▁aa", … (SentencePiece marks a leading space with U+2581).
            int k = i - 259;
            string word = k < 26 ? ((char)('a' + k)).ToString() : $"{(char)('a' + k / 26 % 26)}{(char)('a' + k % 26)}";
            tokens[i] = "\u2581" + word;
            types[i] = 1; // NORMAL
            scores[i] = -k;
        }

        // Duplicate-free (llama.cpp maps text → id); the two-letter words start at k = 26 → "ba" …, distinct from singles.
        yield return new("tokenizer.ggml.model", GgufValue.FromString("llama"));
        yield return new("tokenizer.ggml.tokens", GgufValue.FromArray(GgufValueType.String, tokens));
        yield return new("tokenizer.ggml.scores", GgufValue.FromArray(GgufValueType.Float32, scores));
        yield return new("tokenizer.ggml.token_type", GgufValue.FromArray(GgufValueType.Int32, types));
        yield return new("tokenizer.ggml.unknown_token_id", GgufValue.FromUInt32(0));
        yield return new("tokenizer.ggml.bos_token_id", GgufValue.FromUInt32(1));
        yield return new("tokenizer.ggml.eos_token_id", GgufValue.FromUInt32(2));
    }

    /// <summary>Reads one tensor's bytes from a GGUF file.</summary>
    public static byte[] ReadTensorBytes(string path, LlmSize.Core.Models.TensorInfo t)
    {
        using var fs = File.OpenRead(path);
        fs.Position = t.DataOffset!.Value;
        var b = new byte[t.ByteLength];
        fs.ReadExactly(b);
        return b;
    }
}
