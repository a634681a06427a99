using LlmSize.Core.Formats.Gguf;
using LlmSize.Core.Tests.Infrastructure;

namespace LlmSize.Core.Tests.Formats.Gguf;

/// <summary>Truncation at every structural boundary, random mutations, and O(header) reading of huge files.</summary>
public sealed class GgufReaderRobustnessTests
{
    public static TheoryData<uint, bool, string, int> Boundaries()
    {
        var data = new TheoryData<uint, bool, string, int>();
        foreach ((uint version, bool big) in new[] { (3u, false), (1u, true) })
        {
            foreach ((string label, _) in GgufReaderBuiltFileTests.Small(version, big).Marks)
            {
                if (label == "tensor data") continue; // covered by Truncated_inside_tensor_data
                data.Add(version, big, label, 0);     // the file ends just before the field
                data.Add(version, big, label, 1);     // the file ends one byte into the field
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Boundaries))]
    public void Truncated_at_every_header_boundary(uint version, bool bigEndian, string label, int delta)
    {
        GgufTestWriter w = GgufReaderBuiltFileTests.Small(version, bigEndian);
        long cut = w.Marks.Single(m => m.Label == label).Offset + delta;
        byte[] bytes = w.ToArray()[..(int)cut];

        // Without a known length the reader discovers the end of the stream: always Truncated.
        foreach (GgufReadMode mode in new[] { GgufReadMode.SyncNonSeekable, GgufReadMode.AsyncNonSeekable })
        {
            Assert.Equal(ModelFormatError.Truncated, GgufTestRead.Fails(bytes, mode).Error);
        }

        // With a known length a declared count or string length may already exceed the bytes left.
        foreach (GgufReadMode mode in new[] { GgufReadMode.SyncSeekable, GgufReadMode.AsyncSeekable })
        {
            ModelFormatException e = GgufTestRead.Fails(bytes, mode);
            Assert.Contains(e.Error, new[] { ModelFormatError.Truncated, ModelFormatError.CountTooLarge, ModelFormatError.StringTooLong });
            Assert.Equal("test.gguf", e.FilePath);
        }
    }

    [Fact]
    public void Truncated_inside_tensor_data()
    {
        GgufTestWriter w = GgufReaderBuiltFileTests.Small();
        long data = w.Marks.Single(m => m.Label == "tensor data").Offset;
        // Tensor "b" occupies data bytes 32–48; cut at 40, inside it.
        byte[] bytes = w.ToArray()[..(int)(data + 40)];
        ModelFormatException e = GgufTestRead.Fails(bytes);
        Assert.Equal(ModelFormatError.Truncated, e.Error);
        Assert.Equal("b", e.Field);
        // Cut at the start of the data section: "b" (relative 32) starts past the end → OffsetOutOfRange.
        Assert.Equal(ModelFormatError.OffsetOutOfRange, GgufTestRead.Fails(w.ToArray()[..(int)data]).Error);
        // A non-seekable stream has no length to check against: the header alone is valid.
        Assert.Null(GgufTestRead.Read(bytes, GgufReadMode.SyncNonSeekable).FileLength);
    }

    [Fact]
    public void Random_mutations_of_the_tiny_file_only_throw_ModelFormatException()
    {
        byte[] original = File.ReadAllBytes(TestPaths.Fixture("gguf", "llama-2-tiny-random.gguf"));
        const int HeaderLength = 724_398; // GgufReaderFixtureTests: magic through the last tensor info
        var random = new Random(20_240_601);
        int failures = 0;
        for (int i = 0; i < 2000; i++)
        {
            byte[] bytes = (byte[])original.Clone();
            int mutations = random.Next(1, 5);
            for (int m = 0; m < mutations; m++)
            {
                // Half the mutations hit the preamble or the tensor infos (the densest structure), half anywhere in the header.
                int at = random.Next(3) switch
                {
                    0 => random.Next(0, 512),
                    1 => random.Next(HeaderLength - 700, HeaderLength),
                    _ => random.Next(0, HeaderLength),
                };
                bytes[at] = random.Next(4) switch
                {
                    0 => 0xFF,
                    1 => 0x00,
                    2 => (byte)(bytes[at] ^ (1 << random.Next(8))),
                    _ => (byte)random.Next(256),
                };
            }

            if (random.Next(10) == 0) bytes = bytes[..random.Next(bytes.Length)];
            try
            {
                GgufReader.Read(new MemoryStream(bytes));
            }
            catch (ModelFormatException)
            {
                failures++;
            }
        }

        Assert.InRange(failures, 100, 2000); // the mutations do break files; none escaped as another exception type
    }

    [Fact]
    public void Reading_a_4_GiB_sparse_file_reads_only_header_bytes()
    {
        // One F32 tensor of 65,536 × 16,384 = 2^30 elements = 4 GiB, stored in a sparse file.
        var w = new GgufTestWriter();
        w.Header(1, 1)                                  // 1 tensor, 1 pair
            .KvString("general.architecture", "llama")  // general.architecture
            .Tensor("big", [65_536, 16_384], 0, 0)      // F32 [16384, 65536] at relative 0
            .PadTo(32);                                 // alignment padding
        string path = Path.Combine(Path.GetTempPath(), $"llmsize-sparse-{Guid.NewGuid():N}.gguf");
        try
        {
            using (var f = new FileStream(path, FileMode.CreateNew))
            {
                f.Write(w.ToArray());
                f.SetLength(w.Length + (4L << 30)); // sparse: no data blocks are written
            }

            using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1);
            using var counting = new CountingStream(file);
            GgufFile gguf = GgufReader.Read(counting);
            Assert.Equal(4L << 30, gguf.Tensors[0].ByteLength);
            Assert.Equal(w.Length + (4L << 30), gguf.FileLength);
            Assert.InRange(counting.BytesRead, 1, gguf.HeaderLength);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Theory]
    [InlineData(64)]
    [InlineData(4096)]
    [InlineData(65536)]
    public async Task Bytes_read_never_pass_the_header_of_the_tiny_file(int bufferSize)
    {
        string path = TestPaths.Fixture("gguf", "llama-2-tiny-random.gguf");
        var options = new GgufReaderOptions { BufferSize = bufferSize };
        using var counting = new CountingStream(File.OpenRead(path));
        GgufFile file = await GgufReader.ReadAsync(counting, options);
        // 724,398 header bytes of a 1,750,560-byte file (GgufReaderFixtureTests); read-ahead stops at the last tensor info.
        Assert.Equal(724_398, file.HeaderLength);
        Assert.Equal(file.HeaderLength, counting.BytesRead);
    }
}
