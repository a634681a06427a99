using BenchmarkDotNet.Attributes;
using LlmSize.Core;
using LlmSize.Core.Devices;
using LlmSize.Core.Estimation.Fit;
using LlmSize.Core.Estimation;
using LlmSize.Core.Models.Architectures;
using LlmSize.Core.Models.Catalog;

namespace LlmSize.Benchmarks.Devices;

/// <summary>
/// <c>fit --all-devices</c> for every disclosed catalog model × every catalog device × every runtime: the issue asks
/// for a few thousand verdicts "in well under a second".
/// </summary>
[MemoryDiagnoser]
public class FitAllDevicesBenchmarks
{
    private (ModelArchitecture Arch, string Name)[] _models = [];
    private IReadOnlyList<DeviceProfile> _devices = [];

    [GlobalSetup]
    public void Setup()
    {
        _models = ModelCatalog.Default.Entries.Where(e => e.Config is not null)
            .Select(e => (ModelLoader.FromCatalog(e).Architecture!, e.Id)).ToArray();
        _devices = DeviceCatalog.Default.Profiles;
    }

    /// <summary>Every model × device × runtime, fresh analyzers (caches per model only). Returns the verdict count.</summary>
    [Benchmark]
    public int AllModelsAllDevicesAllRuntimes()
    {
        int n = 0;
        foreach (var (arch, name) in _models)
        {
            var analyzer = new FitAnalyzer(arch, name);
            foreach (var runtime in Runtimes.All)
            {
                foreach (var device in _devices)
                {
                    if (analyzer.Analyze(device, runtime).Outcome != FitOutcome.DoesNotFit) n++;
                    n++;
                }
            }
        }

        return n;
    }
}
