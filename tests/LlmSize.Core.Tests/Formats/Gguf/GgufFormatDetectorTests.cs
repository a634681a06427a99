using LlmSize.Core.Formats.Gguf;
using LlmSize.Core.Tests.Infrastructure;

namespace LlmSize.Core.Tests.Formats.Gguf;

public sealed class GgufFormatDetectorTests
{
    [Fact]
    public void Recognizes_real_files_and_needs_eight_bytes()
    {
        byte[] head = File.ReadAllBytes(TestPaths.Fixture("gguf", "llama-2-tiny-random.gguf"))[..16];
        Assert.True(GgufFormatDetector.IsGguf(head));
        Assert.True(GgufFormatDetector.IsGguf(head.AsSpan(0, GgufFormatDetector.MinimumHeaderLength)));
        Assert.False(GgufFormatDetector.IsGguf(head.AsSpan(0, GgufFormatDetector.MinimumHeaderLength - 1)));
        Assert.False(GgufFormatDetector.IsGguf([]));
    }

    [Theory]
    [InlineData(new byte[] { 0x47, 0x47, 0x55, 0x46, 3, 0, 0, 0 }, true)]   // "GGUF", v3 little-endian
    [InlineData(new byte[] { 0x47, 0x47, 0x55, 0x46, 0, 0, 0, 2 }, true)]   // "GGUF", v2 big-endian
    [InlineData(new byte[] { 0x47, 0x47, 0x55, 0x46, 1, 0, 0, 0 }, true)]   // "GGUF", v1
    [InlineData(new byte[] { 0x47, 0x47, 0x55, 0x46, 4, 0, 0, 0 }, false)]  // version 4
    [InlineData(new byte[] { 0x47, 0x47, 0x55, 0x46, 0, 0, 0, 0 }, false)]  // version 0
    [InlineData(new byte[] { 0x50, 0x4B, 0x03, 0x04, 3, 0, 0, 0 }, false)]  // ZIP
    public void Checks_magic_and_version(byte[] bytes, bool expected) =>
        Assert.Equal(expected, GgufFormatDetector.IsGguf(bytes));
}
