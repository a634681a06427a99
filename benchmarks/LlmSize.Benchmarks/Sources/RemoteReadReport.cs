using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using LlmSize.Core;
using LlmSize.Core.Formats.Gguf;
using LlmSize.Core.Formats.HfConfig;
using LlmSize.Core.Sources;
using LlmSize.Testing;

namespace LlmSize.Benchmarks.Sources;

/// <summary>
/// Requests, bytes and wall time of header-only remote reads, against a local Hub (Kestrel on 127.0.0.1) that delays
/// every answer by a simulated round trip (50 ms by default). Not a BenchmarkDotNet suite: the figures that matter are
/// counts (deterministic) and wall time in round trips, printed as a Markdown table for README.
/// Usage: <c>dotnet run -c Release --project benchmarks/LlmSize.Benchmarks -- remote-reads [--rtt-ms 50]</c>.
/// </summary>
/// <remarks>
/// The corpus: every LLaMA-layout config in <c>shared/fixtures/configs</c> (llama, mistral, mixtral, qwen2, gemma,
/// gemma2) written as sparse BF16 safetensors with the tensor names Transformers saves (one file, and shards of at
/// most 5 GB, huggingface_hub's default), a 30-shard model (Llama-2-7B in 30 shards), and the real GGUF fixtures
/// (vocabularies of 30k–65k tokens). The physical limit of a file is what a reader must read: safetensors' 8-byte
/// length plus its JSON header; a GGUF file's header up to the end of the tensor infos.
/// </remarks>
internal static class RemoteReadReport
{
    private static readonly string[] LlamaLayouts = ["llama", "mistral", "mixtral", "qwen2", "gemma", "gemma2"];

    public static async Task<int> RunAsync(string[] args)
    {
        int rttMs = 50;
        for (int i = 0; i < args.Length - 1; i++)
        {
            if (args[i] == "--rtt-ms") rttMs = int.Parse(args[i + 1], CultureInfo.InvariantCulture);
        }

        var rtt = TimeSpan.FromMilliseconds(rttMs);
        string folder = Path.Combine(Path.GetTempPath(), "llmsize-remote-bench-" + Environment.ProcessId);
        await using var hub = await TestHub.StartAsync();
        var rows = new List<Row>();
        try
        {
            var repos = new List<(string Repo, string Kind, string Label)>();
            foreach (string dir in Directory.GetDirectories(RepoPaths.InShared("fixtures", "configs")).Order(StringComparer.Ordinal))
            {
                string configPath = Path.Combine(dir, "config.json");
                using var doc = JsonDocument.Parse(File.ReadAllText(configPath));
                string type = doc.RootElement.GetProperty("model_type").GetString() ?? "";
                if (!LlamaLayouts.Contains(type)) continue;
                var arch = HfConfigReader.Read(configPath);
                var tensors = SparseModelFiles.HfLlamaLayout(arch, type);
                string name = Path.GetFileName(dir);
                hub.AddRepo($"st/{name}", SparseModelFiles.WriteSharded(Path.Combine(folder, name), tensors, long.MaxValue, configPath));
                repos.Add(($"st/{name}", "safetensors", name));
                var sharded = SparseModelFiles.WriteSharded(Path.Combine(folder, name + "-5GB"), tensors, 5_000_000_000, configPath);
                if (sharded.ContainsKey("model.safetensors.index.json"))
                {
                    hub.AddRepo($"st/{name}-5GB", sharded);
                    repos.Add(($"st/{name}-5GB", "safetensors, 5 GB shards", name));
                }

                if (name == "llama-2-7b")
                {
                    var thirty = SparseModelFiles.WriteShards(Path.Combine(folder, name + "-30"), tensors, 30, configPath);
                    hub.AddRepo($"st/{name}-30", thirty);
                    repos.Add(($"st/{name}-30", $"safetensors, {thirty.Count - 2} shards", name));
                }
            }

            foreach (string gguf in Directory.GetFiles(RepoPaths.InShared("fixtures", "gguf"), "*.gguf").Order(StringComparer.Ordinal))
            {
                string name = Path.GetFileNameWithoutExtension(gguf);
                hub.AddRepo($"gguf/{name}", new Dictionary<string, string> { ["model.gguf"] = gguf });
                repos.Add(($"gguf/{name}", "gguf", name));
            }

            hub.Latency = rtt;
            var options = new RemoteSourceOptions { HubEndpoint = hub.Endpoint, MaxRetries = 0 };
            foreach (var (repo, kind, label) in repos)
            {
                long since = TestHub.Now;
                var watch = Stopwatch.StartNew();
                var inventory = ModelLoader.Load("hf:" + repo, remote: options);
                watch.Stop();
                var log = hub.Log(since);
                var files = hub.Repos[repo].Files;
                foreach (var traffic in inventory.Reference.Traffic)
                {
                    if (!files.TryGetValue(traffic.Path, out string? local) || !IsWeights(traffic.Path)) continue;
                    int ranges = log.Count(e => Uri.UnescapeDataString(e.Path) == "/cdn/" + local);
                    rows.Add(new Row(kind, label, traffic.Path, PhysicalLimit(local), traffic.Requests, ranges, traffic.Bytes, Extra(local)));
                }

                var shardLog = log.Where(e => IsWeights(Uri.UnescapeDataString(e.Path))).ToList();
                double shardSpan = shardLog.Count == 0 ? 0 : (shardLog.Max(e => e.End) - shardLog.Min(e => e.Start)) / rtt;
                Console.Error.WriteLine($"{repo}: {inventory.Reference.Requests} requests, {inventory.Reference.BytesFetched:N0} bytes, " +
                    $"{watch.Elapsed.TotalMilliseconds:0} ms = {watch.Elapsed / rtt:0.0} RTT total, weight-file headers {shardSpan:0.0} RTT");
                Walls.Add((repo, kind, inventory.Reference.Requests, inventory.Reference.BytesFetched, watch.Elapsed / rtt, shardSpan));
            }
        }
        finally
        {
            try
            {
                Directory.Delete(folder, recursive: true);
            }
            catch (IOException)
            {
            }
        }

        Print(rows, rttMs);
        return 0;
    }

    private static readonly List<(string Repo, string Kind, long Requests, long Bytes, double TotalRtt, double HeaderRtt)> Walls = [];

    private static bool IsWeights(string path) => path.EndsWith(".safetensors", StringComparison.Ordinal) || path.EndsWith(".gguf", StringComparison.Ordinal);

    private static long PhysicalLimit(string local)
    {
        if (local.EndsWith(".gguf", StringComparison.Ordinal)) return GgufReader.Read(local).HeaderLength;
        using var f = File.OpenRead(local);
        Span<byte> b = stackalloc byte[8];
        f.ReadExactly(b);
        return 8 + (long)System.Buffers.Binary.BinaryPrimitives.ReadUInt64LittleEndian(b);
    }

    private static string Extra(string local)
    {
        if (!local.EndsWith(".gguf", StringComparison.Ordinal)) return "";
        var g = GgufReader.Read(local);
        return g.TryGetValue("tokenizer.ggml.tokens", out var tokens) && tokens.Value is Array a ? $"{a.Length:N0}-token vocabulary" : "";
    }

    private static void Print(List<Row> rows, int rttMs)
    {
        Console.WriteLine($"Header-only remote reads, simulated round trip {rttMs} ms, {DateTime.UtcNow:yyyy-MM-dd}.");
        Console.WriteLine();
        Console.WriteLine("| file kind | files | header (physical limit), median | range reads: 1 / 2 / more | HTTP requests per file (redirect included), max | bytes fetched / physical limit, median (max) |");
        Console.WriteLine("|---|---:|---:|---|---:|---|");
        foreach (var g in rows.GroupBy(r => r.Kind.StartsWith("safetensors", StringComparison.Ordinal) ? (r.Kind.Contains("shard", StringComparison.Ordinal) ? "safetensors shard" : "safetensors single file") : "GGUF"))
        {
            var list = g.ToList();
            Console.WriteLine($"| {g.Key} | {list.Count} | {Median(list.Select(r => (double)r.Limit)):N0} B | {list.Count(r => r.Ranges == 1)} / {list.Count(r => r.Ranges == 2)} / {list.Count(r => r.Ranges > 2)} | {list.Max(r => r.Requests)} | {Median(list.Select(r => r.Bytes / (double)r.Limit)):0.00}× ({list.Max(r => r.Bytes / (double)r.Limit):0.00}×) |");
        }

        Console.WriteLine();
        Console.WriteLine("| file | header | range reads | bytes fetched |");
        Console.WriteLine("|---|---:|---:|---:|");
        foreach (var r in rows.Where(r => !r.Kind.Contains("shard", StringComparison.Ordinal)))
        {
            Console.WriteLine($"| {r.Label} ({r.Kind}{(r.Extra.Length > 0 ? ", " + r.Extra : "")}) | {r.Limit:N0} B | {r.Ranges} | {r.Bytes:N0} B |");
        }

        Console.WriteLine();
        Console.WriteLine("| repository | HTTP requests | bytes fetched | wall time (round trips) | weight-file headers (round trips) |");
        Console.WriteLine("|---|---:|---:|---:|---:|");
        foreach (var w in Walls.Where(w => w.Kind.Contains("shard", StringComparison.Ordinal)))
        {
            Console.WriteLine($"| {w.Repo} ({w.Kind}) | {w.Requests} | {w.Bytes:N0} B | {w.TotalRtt:0.0} | {w.HeaderRtt:0.0} |");
        }
    }

    private static double Median(IEnumerable<double> values)
    {
        var v = values.Order().ToList();
        return v.Count == 0 ? 0 : v.Count % 2 == 1 ? v[v.Count / 2] : (v[v.Count / 2 - 1] + v[v.Count / 2]) / 2;
    }

    private sealed record Row(string Kind, string Label, string File, long Limit, long Requests, int Ranges, long Bytes, string Extra);
}
