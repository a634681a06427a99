using System.Text;
using LlmSize.Core.Formats.HfConfig;
using LlmSize.Core.Models.Architectures;
using LlmSize.Core.Tests.Infrastructure;

namespace LlmSize.Core.Tests.Formats.HfConfig;

/// <summary>Truncated and bit-flipped real configs: only the documented exceptions may escape reader and calculator.</summary>
public sealed class HfConfigFuzzTests
{
    public static TheoryData<string> Models()
    {
        var data = new TheoryData<string>();
        foreach (string dir in Directory.GetDirectories(TestPaths.Fixture("configs")).Order(StringComparer.Ordinal))
        {
            data.Add(Path.GetFileName(dir));
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Models))]
    public void TruncationsAndByteFlips_ThrowOnlyDocumentedExceptions(string model)
    {
        byte[] original = File.ReadAllBytes(TestPaths.Fixture("configs", model, "config.json"));
        var random = new Random(model.Length * 7919); // fixed seed per fixture: reproducible

        for (int cut = 0; cut < original.Length; cut += 7)
        {
            Check(original.AsSpan(0, cut).ToArray());
        }

        for (int i = 0; i < 300; i++)
        {
            byte[] mutated = (byte[])original.Clone();
            mutated[random.Next(mutated.Length)] = (byte)"0123456789-.,:{}[]\"e\0 "[random.Next(22)];
            Check(mutated);
        }
    }

    [Fact]
    public void Gemma3_4b_RealConfig_TruncationsAndByteFlips_ThrowOnlyDocumentedExceptions()
    {
        // Issue 12: the multimodal path (text_config defaults, SigLIP tower, projector) under the same abuse.
        byte[] original = File.ReadAllBytes(Path.Combine(TestPaths.RepoRoot, "tests", "LlmSize.Core.Tests", "Formats",
            "HfConfig", "Data", "gemma-3-4b-it.config.json"));
        var random = new Random(4300);
        for (int cut = 0; cut < original.Length; cut += 5)
        {
            Check(original.AsSpan(0, cut).ToArray());
        }

        for (int i = 0; i < 400; i++)
        {
            byte[] mutated = (byte[])original.Clone();
            mutated[random.Next(mutated.Length)] = (byte)"0123456789-.,:{}[]\"e\0 "[random.Next(22)];
            Check(mutated);
        }
    }

    private static void Check(byte[] bytes)
    {
        try
        {
            ModelArchitecture a = HfConfigReader.Parse(Encoding.UTF8.GetString(bytes), "fuzz/config.json");
            _ = ParameterCalculator.Count(a);
        }
        catch (ModelFormatException)
        {
        }
        catch (NotSupportedException)
        {
        }
        catch (ArgumentException e) when (e.ParamName == "architecture")
        {
            // 64-bit overflow of a count built from in-limit values.
        }
    }
}
