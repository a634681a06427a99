using System.Text;
using LlmSize.Core;
using LlmSize.Core.Estimation;
using LlmSize.Measurement;
using Xunit.Abstractions;

namespace LlmSize.Measurement.Tests;

/// <summary>Fit's llama.cpp speed against every published llama-bench row of Data/published-llama-bench.json. Reports
/// the error (printed to the test output); asserts only that every row resolves and gives a finite figure — the
/// accuracy itself is what the table shows, not something the suite can claim.</summary>
public sealed class PublishedLlamaBenchTests(ITestOutputHelper output)
{
    [Fact]
    public void Every_row_has_a_source_and_a_catalog_device_and_model()
    {
        var rows = PublishedLlamaBench.Rows;

        Assert.NotEmpty(rows);
        Assert.All(rows, r =>
        {
            Assert.StartsWith("https://", r.Url, StringComparison.Ordinal);
            Assert.True(Core.Devices.DeviceCatalog.Default.TryFind(r.Device, out _), r.Device);
            Assert.True(Core.Models.Catalog.ModelCatalog.Default.TryFind(r.Model, out _, out _), r.Model);
        });
        // Both kinds, and more than one backend (Metal, CUDA, ROCm).
        Assert.Contains(rows, r => r.Kind == LlamaBenchTestKind.Prompt);
        Assert.Contains(rows, r => r.Kind == LlamaBenchTestKind.Generation);
        Assert.True(rows.Select(r => r.Backend).Distinct().Count() >= 3);
    }

    [Fact]
    public void Fit_gives_a_finite_speed_for_every_row_and_the_error_table_is_printed()
    {
        var comparisons = PublishedLlamaBench.CompareAll();

        Assert.Equal(PublishedLlamaBench.Rows.Count, comparisons.Count);
        Assert.All(comparisons, c =>
        {
            Assert.True(double.IsFinite(c.PredictedTokensPerSecond) && c.PredictedTokensPerSecond > 0, $"{c.Row.Device} {c.Row.Test}");
            Assert.True(double.IsFinite(c.RelativeError));
        });
        output.WriteLine(PublishedLlamaBench.MarkdownTable(comparisons));
        output.WriteLine($"median |error|: decode {PublishedLlamaBench.MedianAbsoluteError(comparisons, LlamaBenchTestKind.Generation):P1}, prefill {PublishedLlamaBench.MedianAbsoluteError(comparisons, LlamaBenchTestKind.Prompt):P1}");
    }

    [Fact]
    public void Changing_an_efficiency_factor_moves_the_prediction()
    {
        var row = PublishedLlamaBench.Rows.First(r => r.Kind == LlamaBenchTestKind.Generation);
        double a = PublishedLlamaBench.Compare(row).PredictedTokensPerSecond;
        double b = PublishedLlamaBench.Compare(row, EstimationAssumptions.Default with
        {
            NativeGpuBandwidthEfficiency = EstimationAssumptions.Default.NativeGpuBandwidthEfficiency / 2,
        }).PredictedTokensPerSecond;

        Assert.True(b < a, $"{b} !< {a}");
    }

    [Fact]
    public void A_malformed_row_is_a_format_error_naming_the_row_and_field()
    {
        const string json = """{ "rows": [ { "device": "rtx-4090", "model": "llama-2-7b", "type": "F16", "test": "pp512", "tokensPerSecond": 1, "backend": "CUDA", "build": "x", "url": "https://example.org" }, { "device": "rtx-4090", "model": "llama-2-7b", "type": "F16", "test": "pp", "tokensPerSecond": 1, "backend": "CUDA", "build": "x", "url": "https://example.org" } ] }""";

        var e = Assert.Throws<ModelFormatException>(() => PublishedLlamaBench.Load(new MemoryStream(Encoding.UTF8.GetBytes(json)), "rows.json"));

        Assert.Contains("rows.json", e.Message, StringComparison.Ordinal);
        Assert.Contains("rows[1].test", e.Message, StringComparison.Ordinal);
        Assert.Throws<ModelFormatException>(() => PublishedLlamaBench.Load(new MemoryStream("{ \"rows\": [ "u8.ToArray()), "cut.json"));
    }
}
