using System.Text;
using LlmSize.Core.Formats.HfConfig;
using LlmSize.Core.Formats.Peft;

namespace LlmSize.Core.Tests.Formats.HfConfig;

/// <summary>Issue 13 fuzz finding (config and peft targets): invalid UTF-8 inside a JSON string escaped as
/// "InvalidOperationException: Cannot transcode invalid UTF-8 JSON text to UTF-16 string."; it is a format error with
/// the file and byte offset.</summary>
public sealed class JsonInvalidUtf8Tests
{
    /// <summary>A JSON object whose <c>model_type</c> string holds a lone 0xFF byte at a known offset.</summary>
    private static byte[] WithBadByte(string before, string after, out int offset)
    {
        byte[] head = Encoding.UTF8.GetBytes(before);
        offset = head.Length;
        return [.. head, 0xFF, .. Encoding.UTF8.GetBytes(after)];
    }

    [Fact]
    public void Issue13_fuzz_invalid_utf8_in_config_string_is_InvalidUtf8()
    {
        byte[] json = WithBadByte("""{"model_type":"lla""", """ma","hidden_size":8}""", out int offset);
        string path = Path.Combine(Path.GetTempPath(), "llmsize-utf8-" + Guid.NewGuid().ToString("N") + ".json");
        File.WriteAllBytes(path, json);
        try
        {
            var e = Assert.Throws<ModelFormatException>(() => HfConfigReader.Read(path));

            Assert.Equal(ModelFormatError.InvalidUtf8, e.Error);
            Assert.Equal(path, e.FilePath);
            Assert.Equal(offset, e.Offset);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Issue13_fuzz_invalid_utf8_in_adapter_config_is_InvalidUtf8()
    {
        byte[] json = WithBadByte("{\"peft_type\":\"LORA\",\"r\":8,\"target_modules\":[\"q", "\"]}", out int offset);

        var e = Assert.Throws<ModelFormatException>(() => PeftAdapterConfig.Parse(json, "adapter_config.json"));

        Assert.Equal(ModelFormatError.InvalidUtf8, e.Error);
        Assert.Equal(offset, e.Offset);
    }
}
