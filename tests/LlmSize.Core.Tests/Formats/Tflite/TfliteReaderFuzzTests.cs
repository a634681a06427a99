using LlmSize.Core.Formats.Tflite;
using LlmSize.Core.Tests.Infrastructure;

namespace LlmSize.Core.Tests.Formats.Tflite;

/// <summary>Fuzz-style robustness: random mutations of a real model may only end in <see cref="ModelFormatException"/>
/// (safetensors fuzz/fuzz_targets/fuzz_target_1.rs does the same for its header parser).</summary>
public class TfliteReaderFuzzTests
{
    [Fact]
    public void Two_thousand_mutations_of_hello_world_int8_only_raise_ModelFormatException()
    {
        byte[] original = File.ReadAllBytes(TestPaths.Fixture("tflite", "hello_world_int8.tflite"));
        var rng = new Random(20261130);                    // fixed seed: reproducible
        int parsed = 0, rejected = 0;
        for (int i = 0; i < 2_000; i++)
        {
            byte[] b = (byte[])original.Clone();
            int kind = rng.Next(4);
            if (kind == 3)
            {
                b = b.AsSpan(0, rng.Next(b.Length)).ToArray();        // truncate
            }
            else
            {
                int edits = 1 + rng.Next(kind == 0 ? 1 : 16);
                for (int k = 0; k < edits; k++)
                {
                    int at = rng.Next(b.Length);
                    b[at] = kind switch
                    {
                        0 => (byte)(b[at] ^ (1 << rng.Next(8))),                // one bit flip
                        1 => (byte)rng.Next(256),                               // random bytes
                        _ => rng.Next(2) == 0 ? (byte)0xFF : (byte)0x00,        // extreme values
                    };
                }
            }

            try
            {
                TfliteModelInfo m = TfliteReader.Read(b);
                Assert.True(m.ParameterCount >= 0);
                parsed++;
            }
            catch (ModelFormatException)
            {
                rejected++;
            }
        }

        Assert.Equal(2_000, parsed + rejected);
        Assert.True(rejected > 0);
    }
}
