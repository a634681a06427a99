using LlmSize.Core.Devices;
using LlmSize.Core.Estimation;
using LlmSize.Core.Estimation.Fit;

namespace LlmSize.Core.Tests.Estimation;

/// <summary>Direct tests of the speed model's arithmetic (README "Speed"); the factors are
/// <see cref="EstimationAssumptions"/>' documented defaults.</summary>
public sealed class SpeedEstimatorTests
{
    private static readonly EstimationAssumptions A = EstimationAssumptions.Default;

    private static MemoryEstimate Memory(string config, string format) => MemoryEstimator.Estimate(
        Core.Formats.HfConfig.HfConfigReader.Read(Infrastructure.TestPaths.Fixture("configs", config, "config.json")), Runtimes.LlamaCpp,
        Runtimes.LlamaCpp.FindFormat(format), 4096);

    [Fact]
    public void Decode_is_bandwidth_over_bytes_per_token()
    {
        var m = Memory("llama-2-7b", "Q4_K_M");
        var s = SpeedEstimator.Estimate(m, 6_738_415_616, 100, 10, ExecutionTarget.NativeCpu, assumptions: A);
        long perToken = m.Weights.ActiveBytesPerToken + m.KvCache.Bytes / 2;
        Assert.Equal(perToken, s.BytesReadPerToken);
        Assert.Equal(100e9 * A.NativeCpuBandwidthEfficiency / perToken, s.DecodeTokensPerSecond, 6);
        // Prefill: TFLOPS × efficiency ÷ (2 × active parameters), never below decode.
        Assert.Equal(Math.Max(s.DecodeTokensPerSecond, 10e12 * A.CpuComputeEfficiency / (2.0 * 6_738_415_616)), s.PrefillTokensPerSecond, 6);
        Assert.Equal(m.Weights.TotalBytes / (A.DefaultStorageReadGBps * 1e9), s.LoadSeconds, 9);
    }

    [Fact]
    public void Gpu_targets_add_a_fixed_cost_per_layer()
    {
        var m = Memory("llama-2-7b", "Q4_K_M");
        var cpu = SpeedEstimator.Estimate(m, 1, 1000, 100, ExecutionTarget.NativeGpu, assumptions: A, layers: 0);
        var gpu = SpeedEstimator.Estimate(m, 1, 1000, 100, ExecutionTarget.NativeGpu, assumptions: A, layers: 32);
        Assert.Equal(1 / (1 / cpu.DecodeTokensPerSecond + 32 * A.GpuPerLayerOverheadMs / 1000), gpu.DecodeTokensPerSecond, 6);
    }

    [Fact]
    public void Cpu_execution_on_a_discrete_gpu_machine_reads_system_ram()
    {
        var rtx = DeviceCatalog.Default.Find("rtx-4090");
        var m = Memory("llama-2-7b", "Q4_K_M");
        var v = new FitVariant(m.Format, 4096, ExecutionTarget.NativeCpu, null, m, [new FitCheck(FitConstraint.AppMemory, 1, 2, "x")]);
        var s = SpeedEstimator.ForVariant(rtx, v, 6_738_415_616, A);
        var expected = SpeedEstimator.Estimate(m, 6_738_415_616, A.HostRamBandwidthGBps, rtx.CpuCores * A.CpuTflopsPerCore, ExecutionTarget.NativeCpu, null, A);
        Assert.Equal(expected.DecodeTokensPerSecond, s.DecodeTokensPerSecond, 6);
    }

    [Fact]
    public void Download_time_is_bits_over_link_rate()
    {
        Assert.Equal(8.0, SpeedEstimator.DownloadSeconds(1_000_000_000, 1000), 9); // 1 GB at 1 Gbit/s
        Assert.Throws<ArgumentOutOfRangeException>(() => SpeedEstimator.DownloadSeconds(1, 0));
    }
}
