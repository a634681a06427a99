using LlmSize.Core.Sources;
using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json;
using LlmSize.Core.Formats.Gguf;
using LlmSize.Core.Formats.Safetensors;

namespace LlmSize.Core.Compression.Quantization;

/// <summary>
/// A Hugging Face LLaMA-layout checkpoint (one .safetensors file with config.json beside it) seen as a GGUF model the
/// way llama.cpp's <c>convert_hf_to_gguf.py</c> (<c>LlamaModel</c>) converts it: GGUF tensor names, q/k rows permuted
/// for ggml's RoPE layout, <c>llama.*</c> hyper-parameters from config.json.
/// </summary>
/// <remarks>No tokenizer is converted (convert_hf_to_gguf reads tokenizer.model / tokenizer.json; this does not):
/// the GGUF holds the weights and hyper-parameters, enough for sizes and error reports, but llama.cpp needs a
/// tokenizer to load it. Sharded checkpoints are not supported.</remarks>
internal static class SafetensorsLlamaSource
{
    private static readonly (string Hf, string Gguf)[] LayerNames =
    [
        ("input_layernorm.weight", "attn_norm.weight"),
        ("self_attn.q_proj.weight", "attn_q.weight"),
        ("self_attn.k_proj.weight", "attn_k.weight"),
        ("self_attn.v_proj.weight", "attn_v.weight"),
        ("self_attn.o_proj.weight", "attn_output.weight"),
        ("post_attention_layernorm.weight", "ffn_norm.weight"),
        ("mlp.gate_proj.weight", "ffn_gate.weight"),
        ("mlp.up_proj.weight", "ffn_up.weight"),
        ("mlp.down_proj.weight", "ffn_down.weight"),
    ];

    public static QuantizationSource Open(string path)
    {
        string dir = Path.GetDirectoryName(path)!;
        string configPath = Path.Combine(dir, "config.json");
        if (!File.Exists(configPath))
        {
            throw new NotSupportedException($"'{path}': a safetensors input needs its config.json in the same folder ({configPath} not found).");
        }

        var file = SafetensorsReader.Read(path);
        byte[] configBytes = LocalFileGuard.ReadAllBytes(configPath, Formats.HfConfig.HfConfigReaderOptions.Default.MaxConfigBytes);
        JsonUtf8.Ensure(configBytes, configPath, "config.json");
        using var doc = JsonDocument.Parse(configBytes);
        var c = doc.RootElement;
        string modelType = c.TryGetProperty("model_type", out var mt) && mt.ValueKind == JsonValueKind.String ? mt.GetString()! : "";
        if (modelType is not ("llama" or "mistral"))
        {
            throw new NotSupportedException($"'{configPath}': model_type '{modelType}' — only LLaMA-layout checkpoints (llama, mistral) can be converted from safetensors; convert others with convert_hf_to_gguf.py first.");
        }

        long hidden = Req(c, "hidden_size", configPath);
        long layers = Req(c, "num_hidden_layers", configPath);
        long heads = Req(c, "num_attention_heads", configPath);
        long kvHeads = Opt(c, "num_key_value_heads") ?? heads;
        long ffn = Req(c, "intermediate_size", configPath);
        long ctx = Opt(c, "max_position_embeddings") ?? 2048;
        long headDim = Opt(c, "head_dim") ?? hidden / heads;
        double eps = c.TryGetProperty("rms_norm_eps", out var e) && e.ValueKind == JsonValueKind.Number ? e.GetDouble() : 1e-6;
        double theta = c.TryGetProperty("rope_theta", out var th) && th.ValueKind == JsonValueKind.Number ? th.GetDouble() : 10000;
        if (heads <= 0 || kvHeads <= 0 || layers <= 0 || layers > 100_000)
        {
            throw new ModelFormatException(ModelFormatError.InvalidValue, "num_attention_heads, num_key_value_heads and num_hidden_layers must be positive", configPath, null, "num_attention_heads");
        }

        var tensors = new List<QuantizationSourceTensor>();
        foreach (var t in file.Tensors)
        {
            string? name = MapName(t.Name);
            if (name is null) continue; // rotary_emb.inv_freq and other buffers convert_hf_to_gguf skips
            int[]? order = null;
            if (name.EndsWith("attn_q.weight", StringComparison.Ordinal)) order = PermuteRows(t.Shape, heads, name, path);
            else if (name.EndsWith("attn_k.weight", StringComparison.Ordinal)) order = PermuteRows(t.Shape, kvHeads, name, path);
            tensors.Add(new QuantizationSourceTensor(name, t.Shape, t.DataType, path, t.DataOffset!.Value, t.ByteLength, order));
        }

        var vocab = tensors.FirstOrDefault(t => t.Name == "token_embd.weight")?.Shape[0]
            ?? throw new ModelFormatException(ModelFormatError.MissingField, "no model.embed_tokens.weight tensor", path, null, "model.embed_tokens.weight");
        string modelName = c.TryGetProperty("_name_or_path", out var np) && np.ValueKind == JsonValueKind.String && np.GetString() is { Length: > 0 } s
            ? s : new DirectoryInfo(dir).Name;
        var md = new List<KeyValuePair<string, GgufValue>>
        {
            new("general.architecture", GgufValue.FromString("llama")),
            new("general.name", GgufValue.FromString(modelName)),
            new("llama.vocab_size", GgufValue.FromUInt32(checked((uint)vocab))),
            new("llama.context_length", GgufValue.FromUInt32(checked((uint)ctx))),
            new("llama.embedding_length", GgufValue.FromUInt32(checked((uint)hidden))),
            new("llama.block_count", GgufValue.FromUInt32(checked((uint)layers))),
            new("llama.feed_forward_length", GgufValue.FromUInt32(checked((uint)ffn))),
            new("llama.rope.dimension_count", GgufValue.FromUInt32(checked((uint)headDim))),
            new("llama.attention.head_count", GgufValue.FromUInt32(checked((uint)heads))),
            new("llama.attention.head_count_kv", GgufValue.FromUInt32(checked((uint)kvHeads))),
            new("llama.rope.freq_base", GgufValue.FromFloat32((float)theta)),
            new("llama.attention.layer_norm_rms_epsilon", GgufValue.FromFloat32((float)eps)),
        };
        return new QuantizationSource(path, md, tensors);
    }

    internal static string? MapName(string hf)
    {
        if (hf == "model.embed_tokens.weight") return "token_embd.weight";
        if (hf == "model.norm.weight") return "output_norm.weight";
        if (hf == "lm_head.weight") return "output.weight";
        const string prefix = "model.layers.";
        if (!hf.StartsWith(prefix, StringComparison.Ordinal)) return null;
        int dot = hf.IndexOf('.', prefix.Length);
        if (dot < 0 || !int.TryParse(hf.AsSpan(prefix.Length, dot - prefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out int layer)) return null;
        string rest = hf[(dot + 1)..];
        foreach (var (h, g) in LayerNames)
        {
            if (rest == h) return $"blk.{layer}.{g}";
        }

        return null;
    }

    /// <summary>convert_hf_to_gguf <c>LlamaModel.permute</c>: rows viewed as (n_head, 2, rows/n_head/2), axes 1 and 2
    /// swapped. Output row h·2·half + i·2 + j comes from input row h·2·half + j·half + i.</summary>
    internal static int[] PermuteRows(ImmutableArray<long> shape, long nHead, string name, string path)
    {
        long rows = shape[0];
        if (shape.Length != 2 || rows % (2 * nHead) != 0 || rows > int.MaxValue)
        {
            throw new ModelFormatException(ModelFormatError.ShapeSizeMismatch,
                $"tensor '{name}' of shape [{string.Join(", ", shape)}] cannot be split into {nHead} heads of two RoPE halves", path, null, name);
        }

        int half = (int)(rows / nHead / 2);
        var order = new int[rows];
        for (int h = 0; h < nHead; h++)
        {
            for (int i = 0; i < half; i++)
            {
                for (int j = 0; j < 2; j++)
                {
                    order[h * 2 * half + i * 2 + j] = h * 2 * half + j * half + i;
                }
            }
        }

        return order;
    }

    private static long Req(JsonElement c, string key, string path) => Opt(c, key)
        ?? throw new ModelFormatException(ModelFormatError.MissingField, $"config.json has no integer '{key}'", path, null, key);

    private static long? Opt(JsonElement c, string key) =>
        c.TryGetProperty(key, out var v) && v.ValueKind == JsonValueKind.Number && v.TryGetInt64(out long l) ? l : null;
}
