using LlmSize.Core.Compression.Lora;
using LlmSize.Core.Formats.HfConfig;
using LlmSize.Core.Tests.Infrastructure;

namespace LlmSize.Core.Tests.Compression.Lora;

public class LoraRankLimitTests
{
    [Fact]
    public void Rank_above_the_smallest_targeted_dimension_is_refused()
    {
        // llama-2-7b: q_proj and v_proj are 4096 × 4096 (hidden 4096, 32 heads × 128), so r ≤ 4096; at r = 4096 each
        // module holds r × (in + out) = 4096 × 8192, for 2 targets × 32 layers.
        var arch = HfConfigReader.Read(TestPaths.Fixture("configs", "llama-2-7b", "config.json"));
        Assert.Equal(2L * 32 * 4096 * (4096 + 4096), LoraPlanner.Plan(arch, ["q_proj", "v_proj"], 4096).Estimate.Parameters);
        Assert.Throws<ArgumentOutOfRangeException>(() => LoraPlanner.Plan(arch, ["q_proj"], 4097));
    }
}
