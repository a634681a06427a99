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
