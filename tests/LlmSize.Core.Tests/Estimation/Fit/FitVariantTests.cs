using LlmSize.Core.Estimation;
using LlmSize.Core.Estimation.Fit;
using LlmSize.Core.Precision;

namespace LlmSize.Core.Tests.Estimation.Fit;

/// <summary>The derived facts of a variant, computed once: split, budget, headroom, tight.</summary>
public sealed class FitVariantTests
{
    private static readonly MemoryEstimate Memory = MemoryEstimator.Estimate(
        Core.Formats.HfConfig.HfConfigReader.Read(Infrastructure.TestPaths.Fixture("configs", "smollm2-135m", "config.json")), Runtimes.LlamaCpp, null, 512);

    private static FitVariant Variant(int? gpuLayers, int layers, params FitCheck[] checks) =>
        new(Memory.Format, 512, ExecutionTarget.NativeGpu, gpuLayers, Memory, checks) { LayerCount = layers };

    [Fact]
    public void A_split_lives_in_host_ram()
    {
        var v = Variant(10, 30, new FitCheck(FitConstraint.Vram, 95, 100, "vram"), new FitCheck(FitConstraint.HostRam, 50, 100, "host"));
        Assert.True(v.IsSplit);
        Assert.Equal(FitConstraint.HostRam, v.Budget.Constraint);
        Assert.Equal(0.5, v.Headroom);
        Assert.False(v.IsTight); // the packed VRAM side (5% left) does not make a split tight
    }

    [Fact]
    public void All_layers_on_the_gpu_is_no_split()
    {
        var v = Variant(30, 30, new FitCheck(FitConstraint.Vram, 95, 100, "vram"));
        Assert.False(v.IsSplit);
        Assert.Equal(FitConstraint.Vram, v.Budget.Constraint);
        Assert.True(v.IsTight); // 5% < 10%
        Assert.Equal(0.05, v.Headroom!.Value, 9);
    }

    [Fact]
    public void A_variant_that_does_not_fit_has_no_headroom_and_binds_on_the_failing_check()
    {
        var v = Variant(null, 30, new FitCheck(FitConstraint.AppMemory, 120, 100, "app"), new FitCheck(FitConstraint.Storage, 1, 100, "disk"));
        Assert.False(v.Fits);
        Assert.Null(v.Headroom);
        Assert.False(v.IsTight);
        Assert.Equal(FitConstraint.AppMemory, v.Binding.Constraint);
    }

    [Fact]
    public void A_missing_feature_makes_a_variant_unrunnable()
    {
        var v = Variant(null, 30, new FitCheck(FitConstraint.AppMemory, 1, 100, "app"), new FitCheck(FitConstraint.ShaderF16Missing, 1, 0, "no f16"));
        Assert.False(v.IsRunnable);
        Assert.Equal(FitConstraint.ShaderF16Missing, v.Binding.Constraint);
    }
}
