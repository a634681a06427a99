using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using LlmSize.Testing;

namespace LlmSize.Testing;

/// <summary>Model files whose headers are real and whose tensor data are holes (sparse files): multi-GB downloads on
/// disk in no time and no space, so tests can prove that reading them remotely fetches only the header.</summary>
internal static class SparseModelFiles
{
    /// <summary>Writes a safetensors file (8-byte header length, JSON header padded to 8 bytes, then the data section
    /// as a hole) and returns its length.</summary>
    public static long WriteSafetensors(string path, IEnumerable<(string Name, string Dtype, long[] Shape)> tensors)
    {
        var header = new Dictionary<string, object> { ["__metadata__"] = new Dictionary<string, string> { ["format"] = "pt" } };
        long offset = 0;
        foreach (var (name, dtype, shape) in tensors)
        {
            long bytes = shape.Aggregate(1L, (a, b) => a * b) * (dtype switch { "F32" => 4, "BF16" or "F16" => 2, _ => 1 });
            header[name] = new { dtype, shape, data_offsets = new[] { offset, offset + bytes } };
            offset += bytes;
        }

        byte[] json = Encoding.UTF8.GetBytes(JsonSerializer.Serialize(header));
        int padded = (json.Length + 7) / 8 * 8;
        using var stream = File.Create(path);
        Span<byte> length = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)padded);
        stream.Write(length);
        stream.Write(json);
        for (int i = json.Length; i < padded; i++) stream.WriteByte((byte)' ');
        stream.SetLength(8 + padded + offset);
        return stream.Length;
    }

    /// <summary>TinyLlama-1.1B's tensors (fixtures/configs/tinyllama-1.1b-chat-v1.0/config.json: hidden 2048, 22
    /// layers, 32 heads / 4 KV heads of 64, FFN 5632, vocabulary 32000, untied) in F32, as the published checkpoint
    /// stores them. Sum: 1,100,048,384 parameters (shared/reference/published-parameter-counts.csv).</summary>
    public static List<(string Name, string Dtype, long[] Shape)> TinyLlama()
    {
        var list = new List<(string, string, long[])> { ("model.embed_tokens.weight", "F32", [32000, 2048]) };
        for (int l = 0; l < 22; l++)
        {
            string p = $"model.layers.{l}.";
            list.Add((p + "self_attn.q_proj.weight", "F32", [2048, 2048]));
            list.Add((p + "self_attn.k_proj.weight", "F32", [256, 2048]));
            list.Add((p + "self_attn.v_proj.weight", "F32", [256, 2048]));
            list.Add((p + "self_attn.o_proj.weight", "F32", [2048, 2048]));
            list.Add((p + "mlp.gate_proj.weight", "F32", [5632, 2048]));
            list.Add((p + "mlp.up_proj.weight", "F32", [5632, 2048]));
            list.Add((p + "mlp.down_proj.weight", "F32", [2048, 5632]));
            list.Add((p + "input_layernorm.weight", "F32", [2048]));
            list.Add((p + "post_attention_layernorm.weight", "F32", [2048]));
        }

        list.Add(("model.norm.weight", "F32", [2048]));
        list.Add(("lm_head.weight", "F32", [32000, 2048]));
        return list;
    }

    /// <summary>The tensors a Transformers checkpoint of a LLaMA-layout model stores (llama, mistral, mixtral, qwen2,
    /// gemma, gemma2 names as their <c>modeling_*.py</c> state dicts name them), in BF16 (2 bytes per element), from an
    /// architecture parsed from a real config.json.</summary>
    public static List<(string Name, string Dtype, long[] Shape)> HfLlamaLayout(LlmSize.Core.Models.Architectures.ModelArchitecture a, string modelType)
    {
        long h = a.HiddenSize, q = (long)a.AttentionHeadCount * a.HeadDim, kv = (long)a.KeyValueHeadCount * a.HeadDim, f = a.IntermediateSize;
        var list = new List<(string, string, long[])> { ("model.embed_tokens.weight", "BF16", [a.VocabSize, h]) };
        for (int l = 0; l < a.LayerCount; l++)
        {
            string p = $"model.layers.{l}.";
            list.Add((p + "self_attn.q_proj.weight", "BF16", [q, h]));
            list.Add((p + "self_attn.k_proj.weight", "BF16", [kv, h]));
            list.Add((p + "self_attn.v_proj.weight", "BF16", [kv, h]));
            list.Add((p + "self_attn.o_proj.weight", "BF16", [h, q]));
            if (modelType == "qwen2")
            {
                list.Add((p + "self_attn.q_proj.bias", "BF16", [q]));
                list.Add((p + "self_attn.k_proj.bias", "BF16", [kv]));
                list.Add((p + "self_attn.v_proj.bias", "BF16", [kv]));
            }

            if (a.ExpertCount > 0)
            {
                list.Add((p + "block_sparse_moe.gate.weight", "BF16", [a.ExpertCount, h]));
                for (int e = 0; e < a.ExpertCount; e++)
                {
                    list.Add((p + $"block_sparse_moe.experts.{e}.w1.weight", "BF16", [f, h]));
                    list.Add((p + $"block_sparse_moe.experts.{e}.w2.weight", "BF16", [h, f]));
                    list.Add((p + $"block_sparse_moe.experts.{e}.w3.weight", "BF16", [f, h]));
                }
            }
            else
            {
                list.Add((p + "mlp.gate_proj.weight", "BF16", [f, h]));
                list.Add((p + "mlp.up_proj.weight", "BF16", [f, h]));
                list.Add((p + "mlp.down_proj.weight", "BF16", [h, f]));
            }

            list.Add((p + "input_layernorm.weight", "BF16", [h]));
            list.Add((p + "post_attention_layernorm.weight", "BF16", [h]));
            if (modelType == "gemma2")
            {
                list.Add((p + "pre_feedforward_layernorm.weight", "BF16", [h]));
                list.Add((p + "post_feedforward_layernorm.weight", "BF16", [h]));
            }
        }

        list.Add(("model.norm.weight", "BF16", [h]));
        if (!a.TieWordEmbeddings) list.Add(("lm_head.weight", "BF16", [a.VocabSize, h]));
        return list;
    }

    /// <summary>Writes <paramref name="tensors"/> as shards of at most <paramref name="maxShardBytes"/> of data each (the
    /// way <c>huggingface_hub.split_torch_state_dict_into_shards</c> fills shards in order; its default is 5 GB) plus
    /// model.safetensors.index.json and <paramref name="configPath"/> as config.json; one shard is written as
    /// model.safetensors with no index. Returns the files by repository path.</summary>
    public static Dictionary<string, string> WriteSharded(string folder, List<(string Name, string Dtype, long[] Shape)> tensors,
        long maxShardBytes, string configPath) => WriteSharded(folder, tensors, maxShardBytes, 0, configPath);

    /// <summary>Writes <paramref name="tensors"/> as exactly <paramref name="shardCount"/> shards of consecutive tensors
    /// (equal tensor counts), plus the index and config.json.</summary>
    public static Dictionary<string, string> WriteShards(string folder, List<(string Name, string Dtype, long[] Shape)> tensors,
        int shardCount, string configPath) => WriteSharded(folder, tensors, long.MaxValue, shardCount, configPath);

    private static Dictionary<string, string> WriteSharded(string folder, List<(string Name, string Dtype, long[] Shape)> tensors,
        long maxShardBytes, int shardCount, string configPath)
    {
        Directory.CreateDirectory(folder);
        static long Bytes((string Name, string Dtype, long[] Shape) t) =>
            t.Shape.Aggregate(1L, (a, b) => a * b) * (t.Dtype is "F32" or "I32" ? 4 : t.Dtype is "F64" or "I64" ? 8 : 2);
        var groups = new List<List<(string Name, string Dtype, long[] Shape)>> { new() };
        long inShard = 0;
        int perShard = shardCount > 0 ? (tensors.Count + shardCount - 1) / shardCount : int.MaxValue;
        foreach (var t in tensors)
        {
            long b = Bytes(t);
            if (inShard > 0 && (inShard + b > maxShardBytes || groups[^1].Count >= perShard))
            {
                groups.Add([]);
                inShard = 0;
            }

            groups[^1].Add(t);
            inShard += b;
        }

        var files = new Dictionary<string, string>(StringComparer.Ordinal);
        if (groups.Count == 1)
        {
            string single = Path.Combine(folder, "model.safetensors");
            WriteSafetensors(single, groups[0]);
            files["model.safetensors"] = single;
        }
        else
        {
            var weightMap = new SortedDictionary<string, string>(StringComparer.Ordinal);
            for (int s = 0; s < groups.Count; s++)
            {
                string name = $"model-{s + 1:D5}-of-{groups.Count:D5}.safetensors";
                string path = Path.Combine(folder, name);
                WriteSafetensors(path, groups[s]);
                foreach (var t in groups[s]) weightMap[t.Name] = name;
                files[name] = path;
            }

            string index = Path.Combine(folder, "model.safetensors.index.json");
            File.WriteAllText(index, JsonSerializer.Serialize(new { metadata = new { total_size = tensors.Sum(Bytes) }, weight_map = weightMap }));
            files["model.safetensors.index.json"] = index;
        }

        string config = Path.Combine(folder, "config.json");
        File.Copy(configPath, config, overwrite: true);
        files["config.json"] = config;
        return files;
    }

    /// <summary>Writes TinyLlama as <paramref name="shards"/> safetensors shards plus model.safetensors.index.json
    /// and the real config.json into <paramref name="folder"/>; returns the files by repository path.</summary>
    public static Dictionary<string, string> WriteShardedTinyLlama(string folder, int shards)
    {
        Directory.CreateDirectory(folder);
        var tensors = TinyLlama();
        var files = new Dictionary<string, string>(StringComparer.Ordinal);
        var weightMap = new SortedDictionary<string, string>(StringComparer.Ordinal);
        long total = 0;
        int per = (tensors.Count + shards - 1) / shards;
        for (int s = 0; s < shards; s++)
        {
            string name = $"model-{s + 1:D5}-of-{shards:D5}.safetensors";
            var part = tensors.Skip(s * per).Take(per).ToList();
            string path = Path.Combine(folder, name);
            WriteSafetensors(path, part);
            foreach (var t in part)
            {
                weightMap[t.Name] = name;
                total += t.Shape.Aggregate(1L, (a, b) => a * b) * 4;
            }

            files[name] = path;
        }

        string index = Path.Combine(folder, "model.safetensors.index.json");
        File.WriteAllText(index, JsonSerializer.Serialize(new { metadata = new { total_size = total }, weight_map = weightMap }));
        files["model.safetensors.index.json"] = index;
        string config = Path.Combine(folder, "config.json");
        File.Copy(RepoPaths.InShared("fixtures", "configs", "tinyllama-1.1b-chat-v1.0", "config.json"), config, overwrite: true);
        files["config.json"] = config;
        return files;
    }
}
