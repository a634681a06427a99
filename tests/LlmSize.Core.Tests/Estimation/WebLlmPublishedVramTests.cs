using System.Globalization;
using LlmSize.Core.Estimation;
using LlmSize.Core.Formats.HfConfig;
using LlmSize.Core.Models.Architectures;
using LlmSize.Core.Models.Catalog;
using LlmSize.Core.Tests.Infrastructure;
using Xunit.Abstractions;

namespace LlmSize.Core.Tests.Estimation;

/// <summary>
/// Checks the WebLLM memory model against WebLLM's own published <c>vram_required_MB</c>
/// (shared/reference/webllm-vram.csv, from mlc-ai/web-llm src/config.ts prebuiltAppConfig). "MB" there is MiB:
/// mlc_llm's model_metadata divides bytes by 1024 × 1024.
/// </summary>
public class WebLlmPublishedVramTests(ITestOutputHelper output)
{
    /// <summary>WebLLM model id prefix → shared config describing the same shapes.</summary>
    private static readonly Dictionary<string, string> ConfigFor = new(StringComparer.Ordinal)
    {
        ["SmolLM2-135M-Instruct"] = "smollm2-135m",
        ["TinyLlama-1.1B-Chat-v1.0"] = "tinyllama-1.1b-chat-v1.0",
        ["Llama-3.2-1B-Instruct"] = "llama-3.2-1b",
        // Qwen2.5-0.5B has the same shapes as Qwen2-0.5B (published-parameter-counts.csv note).
        ["Qwen2.5-0.5B-Instruct"] = "qwen2-0.5b",
        ["gemma-2b-it"] = "gemma-2b",
        ["gemma-2-2b-it"] = "gemma-2-2b",
        ["phi-2"] = "phi-2",
    };

    public static TheoryData<string, string, double, long> Rows()
    {
        var data = new TheoryData<string, string, double, long>();
        foreach (string line in File.ReadLines(TestPaths.Reference("webllm-vram.csv")).Skip(1))
        {
            string[] f = line.Split(',');
            data.Add(f[0], f[1], double.Parse(f[2], CultureInfo.InvariantCulture), long.Parse(f[4], CultureInfo.InvariantCulture));
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Rows))]
    public void Estimate_is_within_15_percent_of_webllm_vram_required(string modelId, string quantization, double publishedMiB, long context)
    {
        string? config = ConfigFor.Where(kv => modelId.StartsWith(kv.Key + "-", StringComparison.Ordinal)).Select(kv => kv.Value).FirstOrDefault();
        ModelArchitecture arch;
        if (config is not null)
        {
            arch = HfConfigReader.Read(TestPaths.Fixture("configs", config, "config.json"));
        }
        else
        {
            // No shared config: the built-in catalog's verified config (Mistral-7B-Instruct-v0.3, SmolLM2-360M-Instruct;
            // catalog.json cites each source and a test checks its count against the published figure).
            string name = modelId[..modelId.LastIndexOf("-q", StringComparison.Ordinal)];
            Assert.True(ModelCatalog.Default.TryFind(name, out var entry), $"{name} is not in the catalog");
            arch = HfConfigReader.Parse(entry!.Config!.Value, entry.Id);
        }

        var runtime = Runtimes.WebLlm;
        var estimate = MemoryEstimator.Estimate(arch, runtime, runtime.FindFormat(quantization), context);
        double estimatedMiB = estimate.TotalBytes / (1024.0 * 1024.0);
        double error = (estimatedMiB - publishedMiB) / publishedMiB;
        output.WriteLine($"{modelId}: estimated {estimatedMiB:0.0} MiB (weights {estimate.Weights.TotalBytes / 1048576.0:0.0}, KV {estimate.KvCache.Bytes / 1048576.0:0.0}, temp {estimate.ComputeBufferBytes / 1048576.0:0.0}) vs published {publishedMiB} MiB: {error:+0.0%;-0.0%}");
        if (KnownGaps.Contains(modelId))
        {
            // Known gap, kept visible rather than fitted away: these two model libraries were compiled by MLC versions
            // whose static memory plan also holds f32 logits for a whole chunk of positions (batch_verify /
            // batch_forward without logit_positions in mlc_llm's qwen2_model.py and phi_model.py: chunk × vocab × 4 B,
            // ~594 MiB for Qwen2.5 at 1024 tokens), a temporary buffer that depends on the compiler version and its
            // prefill_chunk_size, not on the model config. We under-estimate these rows; the test pins that direction
            // so a change that silently "fixes" them by fitting is noticed.
            Assert.True(estimatedMiB < publishedMiB, $"{modelId}: expected the known under-estimate");
            return;
        }

        Assert.InRange(error, -0.15, 0.15);
    }

    /// <summary>Rows whose published figure includes a compiler-version-dependent logits workspace (see above).</summary>
    private static readonly HashSet<string> KnownGaps = ["Qwen2.5-0.5B-Instruct-q4f16_1-MLC", "phi-2-q4f16_1-MLC"];
}
