using System.Globalization;
using LlmSize.Core.Estimation;
using LlmSize.Core.Estimation.Fit;
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

        double estimatedMiB = EstimateMiB(arch, quantization, context, out string breakdown);
        double error = (estimatedMiB - publishedMiB) / publishedMiB;
        output.WriteLine($"{modelId}: estimated {estimatedMiB:0.0} MiB ({breakdown}) vs published {publishedMiB} MiB: {error:+0.0%;-0.0%}");
        AssertWithinOrKnownLegacy(modelId, estimatedMiB, publishedMiB, error);
    }

    /// <summary>
    /// Every WebLLM prebuilt record the built-in catalog can describe (74 rows, Estimation/Data/webllm-prebuilt-vram.csv,
    /// copied from web-llm src/config.ts at c51c9c0): rows the shared CSV does not have, the "checked on rows you do not
    /// have" part of the issue.
    /// </summary>
    public static TheoryData<string, string, double, long, string> PrebuiltRows()
    {
        var data = new TheoryData<string, string, double, long, string>();
        foreach (var f in ReadPrebuiltRows())
        {
            data.Add(f[0], f[1], double.Parse(f[2], CultureInfo.InvariantCulture), long.Parse(f[3], CultureInfo.InvariantCulture), f[4]);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(PrebuiltRows))]
    public void Estimate_is_within_15_percent_of_every_describable_prebuilt_record(string modelId, string quantization, double publishedMiB, long context, string catalogId)
    {
        double estimatedMiB = EstimateMiB(CatalogArchitecture(catalogId), quantization, context, out string breakdown);
        double error = (estimatedMiB - publishedMiB) / publishedMiB;
        output.WriteLine($"{modelId}: estimated {estimatedMiB:0.0} MiB ({breakdown}) vs published {publishedMiB} MiB: {error:+0.0%;-0.0%}");
        AssertWithinOrKnownLegacy(modelId, estimatedMiB, publishedMiB, error);
    }

    [Fact]
    public void Median_error_over_current_library_records_is_within_3_percent()
    {
        // Stronger than ±15% per row: the memory model should track the planner, not merely land in the band.
        var errors = ReadPrebuiltRows()
            .Where(f => !LegacyLibraryRows.Contains(f[0]))
            .Select(f =>
            {
                double published = double.Parse(f[2], CultureInfo.InvariantCulture);
                double estimated = EstimateMiB(CatalogArchitecture(f[4]), f[1], long.Parse(f[3], CultureInfo.InvariantCulture), out _);
                return Math.Abs(estimated - published) / published;
            })
            .Order()
            .ToArray();
        Assert.True(errors.Length >= 70, $"only {errors.Length} rows");
        double median = errors[errors.Length / 2];
        output.WriteLine($"{errors.Length} rows: median |error| {median:0.0%}, worst {errors[^1]:0.0%}");
        Assert.InRange(median, 0, 0.03);
    }

    private static IEnumerable<string[]> ReadPrebuiltRows() =>
        File.ReadLines(Path.Combine(TestPaths.RepoRoot, "tests", "LlmSize.Core.Tests", "Estimation", "Data", "webllm-prebuilt-vram.csv"))
            .Where(l => l.Length > 0 && l[0] != '#')
            .Skip(1)
            .Select(l => l.Split(','));

    private static ModelArchitecture CatalogArchitecture(string catalogId)
    {
        Assert.True(ModelCatalog.Default.TryFind(catalogId, out var entry), $"{catalogId} is not in the catalog");
        return HfConfigReader.Parse(entry!.Config!.Value, entry.Id);
    }

    private static double EstimateMiB(ModelArchitecture arch, string quantization, long context, out string breakdown)
    {
        var runtime = Runtimes.WebLlm;
        var estimate = MemoryEstimator.Estimate(arch, runtime, runtime.FindFormat(quantization), context);
        breakdown = $"weights {estimate.Weights.TotalBytes / 1048576.0:0.0}, KV {estimate.KvCache.Bytes / 1048576.0:0.0}, temp {estimate.ComputeBufferBytes / 1048576.0:0.0}";
        return estimate.TotalBytes / (1024.0 * 1024.0);
    }

    private static void AssertWithinOrKnownLegacy(string modelId, double estimatedMiB, double publishedMiB, double error)
    {
        if (LegacyLibraryRows.Contains(modelId))
        {
            // Kept visible rather than fitted away. These figures were measured on phi-2 model libraries built before
            // mlc-llm moved phi to PagedKVCache (commit 731616e9, 2024-03-03; the records carry the numbers from
            // web-llm's "0.2.30 wasms", commit 772c3c1). Those libraries ran attention through op/attention.py's
            // fallback, which materializes Q·Kᵀ in float32 (phi sets qk_dtype="float32") and the softmax cast back to
            // f16 for a whole 2048-token chunk against 2048 cached tokens: 32 heads × 2048 × 2048 × (4 + 2) B = 768 MiB,
            // the bulk of the ~920 MiB that published − weights − KV leaves. Today's phi-2_cs1k library has no such
            // buffer, and LlmSize models today's library, so these rows are under-estimated by ~25%. The assertion
            // pins that direction so a change that "fixes" them by fitting is noticed.
            Assert.True(estimatedMiB < publishedMiB, $"{modelId}: expected the known under-estimate");
            Assert.InRange(error, -0.30, -0.15);
            return;
        }

        Assert.InRange(error, -0.15, 0.15);
    }

    /// <summary>Records whose published figure comes from a retired MLC library generation (see above).</summary>
    private static readonly HashSet<string> LegacyLibraryRows = ["phi-2-q4f16_1-MLC", "phi-2-q4f32_1-MLC"];
}
