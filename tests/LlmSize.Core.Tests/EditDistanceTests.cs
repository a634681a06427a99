namespace LlmSize.Core.Tests;

public class EditDistanceTests
{
    [Fact]
    public void Nearest_ranks_extensions_first_then_by_distance()
    {
        string[] formats = ["q0f32", "q0f16", "q4f32_1", "q4f16_1", "q3f16_1"];
        // "q4f16" is a prefix of q4f16_1 (rank 0); q0f16 is 1 substitution away; q4f32_1 is 3 edits.
        Assert.Equal(["q4f16_1", "q0f16"], EditDistance.Nearest("q4f16", formats, take: 2));
        Assert.Equal(["webllm"], EditDistance.Nearest("WebLLMM", ["llama.cpp", "webllm", "transformers.js"]));
        Assert.Empty(EditDistance.Nearest("mlx", ["llama.cpp", "webllm", "transformers.js"]));
    }

    [Fact]
    public void Nearest_bounds_the_work_for_hostile_input()
    {
        // A 1 MB option value is cut to 64 characters before the O(n·m) distance.
        Assert.Empty(EditDistance.Nearest(new string('x', 1_000_000), ["webllm"]));
    }
}
