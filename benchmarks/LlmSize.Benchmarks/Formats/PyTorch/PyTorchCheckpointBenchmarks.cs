using System.IO.Compression;
using System.Text;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Jobs;
using LlmSize.Core.Formats.PyTorch;

namespace LlmSize.Benchmarks.Formats.PyTorch;

/// <summary>
/// Header-only parsing of a torch zip checkpoint from memory: a synthetic LLaMA-shaped state dict
/// (<see cref="Layers"/> decoder layers × 9 tensors, F16 storages of 1 element each so the archive stays small; the
/// pickle and zip directory are what a real checkpoint of that layout holds).
/// </summary>
[MemoryDiagnoser]
public class PyTorchCheckpointBenchmarks
{
    private byte[] _zip = [];

    /// <summary>Decoder layers in the synthetic state dict (32 ≈ LLaMA-7B's 291 tensors).</summary>
    [Params(32, 80)]
    public int Layers { get; set; }

    /// <summary>Builds the checkpoint bytes once.</summary>
    [GlobalSetup]
    public void Setup()
    {
        var names = new List<string> { "model.embed_tokens.weight", "model.norm.weight", "lm_head.weight" };
        for (int i = 0; i < Layers; i++)
        {
            foreach (string t in new[] { "self_attn.q_proj", "self_attn.k_proj", "self_attn.v_proj", "self_attn.o_proj",
                         "mlp.gate_proj", "mlp.up_proj", "mlp.down_proj", "input_layernorm", "post_attention_layernorm" })
                names.Add($"model.layers.{i}.{t}.weight");
        }

        // Protocol-2 pickle in torch.save's opcode order (see tests' TorchPickleWriter for the cited sequence).
        var p = new MemoryStream();
        void W(params byte[] b) => p.Write(b);
        void Str(string s) { var u = Encoding.UTF8.GetBytes(s); W((byte)'X'); p.Write(BitConverter.GetBytes(u.Length)); p.Write(u); }
        W(0x80, 2);
        p.Write(Encoding.ASCII.GetBytes("ccollections\nOrderedDict\n")); W((byte)')', (byte)'R', (byte)'(');
        for (int k = 0; k < names.Count; k++)
        {
            Str(names[k]);
            p.Write(Encoding.ASCII.GetBytes("ctorch._utils\n_rebuild_tensor_v2\n")); W((byte)'(', (byte)'(');
            Str("storage"); p.Write(Encoding.ASCII.GetBytes("ctorch\nHalfStorage\n")); Str(k.ToString(System.Globalization.CultureInfo.InvariantCulture)); Str("cpu");
            W((byte)'K', 1, (byte)'t', (byte)'Q', (byte)'K', 0, (byte)'K', 1, 0x85, (byte)'K', 1, 0x85, 0x89);
            p.Write(Encoding.ASCII.GetBytes("ccollections\nOrderedDict\n")); W((byte)')', (byte)'R', (byte)'t', (byte)'R');
        }

        W((byte)'u', (byte)'.');
        var ms = new MemoryStream();
        using (var zip = new ZipArchive(ms, ZipArchiveMode.Create, leaveOpen: true))
        {
            void Add(string n, byte[] d) { using var s = zip.CreateEntry(n, CompressionLevel.NoCompression).Open(); s.Write(d); }
            Add("archive/data.pkl", p.ToArray());
            Add("archive/byteorder", "little"u8.ToArray());
            for (int k = 0; k < names.Count; k++) Add($"archive/data/{k}", new byte[2]);
            Add("archive/version", "3\n"u8.ToArray());
        }

        _zip = ms.ToArray();
    }

    /// <summary>Parse pickle + zip directory; no tensor data is read.</summary>
    [Benchmark]
    public long ReadCheckpoint()
    {
        using var s = new MemoryStream(_zip, writable: false);
        return PyTorchCheckpointReader.Read(s, "bench.pt").ParameterCount;
    }
}
