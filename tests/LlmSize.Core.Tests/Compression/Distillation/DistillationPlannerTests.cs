using LlmSize.Core.Compression.Distillation;
using LlmSize.Core.Devices;
using LlmSize.Core.Estimation.Fit;
using LlmSize.Core.Estimation;
using LlmSize.Core.Models.Architectures;
using LlmSize.Core.Models.Catalog;

namespace LlmSize.Core.Tests.Compression.Distillation;

public class DistillationPlannerTests
{
    private static ModelArchitecture Catalog(string id) => ModelLoader.FromCatalog(ModelCatalog.Default.Entries.Single(e => e.Id == id)).Architecture!;

    [Fact]
    public void Llama31_8B_To1B_ProposalsAreExactAndNearTheBudget()
    {
        var teacher = Catalog("llama-3.1-8b");
        var plan = DistillationPlanner.Plan(teacher, "llama-3.1-8b", 1_000_000_000);
        Assert.Equal(8_030_261_248, plan.TeacherParameters); // published Llama-3.1-8B count (catalog)
        Assert.Equal(3, plan.Proposals.Length);
        foreach (var p in plan.Proposals)
        {
            Assert.Equal(ParameterCalculator.Count(p.Architecture).Total, p.Parameters); // counted, not estimated
            Assert.Equal(teacher.HeadDim, p.Architecture.HeadDim);                        // head_dim kept
            Assert.Equal(teacher.VocabSize, p.Architecture.VocabSize);                    // tokenizer kept for logit distillation
            Assert.Equal(0, p.Architecture.AttentionHeadCount % p.Architecture.KeyValueHeadCount);
        }

        // The family-ratio student lands within one of its own layers of the budget.
        var f = plan.Proposals[0];
        long perLayer = ParameterCalculator.Count(f.Architecture with { LayerCount = f.Layers + 1 }).Total - f.Parameters;
        Assert.True(Math.Abs(f.Parameters - 1_000_000_000) <= perLayer, $"{f.Parameters}");
        Assert.Equal(teacher.LayerCount, plan.Proposals.Single(p => p.Strategy == "keep depth, narrower").Layers);
        Assert.Equal(teacher.HiddenSize, plan.Proposals.Single(p => p.Strategy == "keep width, fewer layers").Hidden);
        Assert.Contains(plan.References, r => r.Name == "llama-3.2-3b");
    }

    [Fact]
    public void Qwen25_References_IncludeBuiltInMembers()
    {
        var teacher = Catalog("qwen2.5-1.5b");
        var refs = DistillationPlanner.References(teacher, ModelCatalog.Default);
        // qwen2 model_type members: catalog 0.5B (two entries, same shape), 1.5B; built-in 3B and 7B.
        Assert.Contains(refs, r => r.Name == "qwen2.5-3b");
        Assert.Contains(refs, r => r.Name == "qwen2.5-7b");
        Assert.True(refs.Zip(refs.Skip(1)).All(p => p.First.Parameters <= p.Second.Parameters));
    }

    [Fact]
    public void Mqa_teacher_narrows_with_one_kv_head()
    {
        // gemma-2b: 8 query heads share 1 KV head (MQA). Keeping "8 heads per KV head" would forbid any narrower
        // student; a student keeps MQA instead: fewer query heads, still one KV head, never the teacher's own shape.
        var teacher = Catalog("gemma-2b");
        var plan = DistillationPlanner.Plan(teacher, "gemma-2b", 1_000_000_000);
        var narrow = plan.Proposals.Single(p => p.Strategy == "keep depth, narrower");
        Assert.Equal(teacher.LayerCount, narrow.Layers);
        Assert.True(narrow.Architecture.AttentionHeadCount < teacher.AttentionHeadCount);
        Assert.Equal(1, narrow.Architecture.KeyValueHeadCount);
        Assert.True(narrow.Parameters < 2_506_172_416); // gemma-2b's published count (published-parameter-counts.csv)
    }

    [Fact]
    public void Students_are_never_deeper_than_the_teacher()
    {
        // qwen2-0.5b has 24 layers; its family's slopes once proposed a 35-layer 200M student.
        var teacher = Catalog("qwen2-0.5b");
        var plan = DistillationPlanner.Plan(teacher, "qwen2-0.5b", 200_000_000);
        Assert.All(plan.Proposals, p => Assert.True(p.Layers <= teacher.LayerCount, $"{p.Strategy}: {p.Layers} layers"));
    }

    [Fact]
    public void Device_without_shader_f16_plans_with_the_f32_activation_format()
    {
        // iphone-15's Safari exposes no shader-f16 (devices.json): WebLLM's q4f16_1 can never load there, q4f32_1 can.
        Assert.True(LlmSize.Core.Devices.DeviceCatalog.Default.TryFind("iphone-15", out var phone));
        Assert.Equal("q4f32_1", FitAnalyzer.DefaultFormatFor(phone!, Runtimes.WebLlm).Name);
        var plan = DistillationPlanner.PlanForDevice(Catalog("llama-3.1-8b"), "llama-3.1-8b", phone!, Runtimes.WebLlm);
        Assert.Contains("q4f32_1", plan.BudgetReason, StringComparison.Ordinal);
        Assert.True(plan.TargetParameters < 8_030_261_248);
    }

    [Fact]
    public void Slope_OfAnExactPowerLaw()
    {
        // y = x^0.5 in log space: ln y = 0.5 ln x.
        var pts = new[] { 1.0, 10, 100, 1000 }.Select(x => (Math.Log(x), 0.5 * Math.Log(x))).ToList();
        Assert.Equal(0.5, DistillationPlanner.Slope(pts), 12);
    }

    [Fact]
    public void BudgetNotBelowTeacher_IsRejected()
    {
        var teacher = Catalog("llama-3.2-1b");
        Assert.Throws<ArgumentOutOfRangeException>(() => DistillationPlanner.Plan(teacher, "t", 2_000_000_000));
        Assert.Throws<ArgumentOutOfRangeException>(() => DistillationPlanner.Plan(teacher, "t", 0));
    }

    [Fact]
    public void ForDevice_TheStudentFits()
    {
        var teacher = Catalog("llama-3.1-8b");
        var device = DeviceCatalog.Default.Profiles.OrderBy(d => d.AppMemoryLimitBytes).First();
        var plan = DistillationPlanner.PlanForDevice(teacher, "llama-3.1-8b", device, Runtimes.LlamaCpp);
        var student = plan.Proposals[0];
        var format = Runtimes.LlamaCpp.FindFormat(Runtimes.LlamaCpp.DefaultFormat)!;
        Assert.True(new FitAnalyzer(student.Architecture, "s").Analyze(device, Runtimes.LlamaCpp, format).Requested.Fits);
        Assert.True(plan.TargetParameters < plan.TeacherParameters);
    }
}
