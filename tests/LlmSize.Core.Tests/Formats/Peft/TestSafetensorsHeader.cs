using System.Buffers.Binary;
using System.Collections.Immutable;
using System.Text.Json;
using LlmSize.Core.Models;
using LlmSize.Core.Precision;

namespace LlmSize.Core.Tests.Formats.Peft;

/// <summary>
/// TEST-ONLY minimal safetensors header parse (8-byte little-endian header length, then a JSON object of
/// name → {dtype, shape, data_offsets}; huggingface/safetensors README "Format"). The product's safetensors reader
/// lives on another branch; this exists only so the PEFT tests can feed real adapter files to
/// <c>PeftAdapterReader.Read(folder, readTensors)</c>. No validation beyond what the tests need.
/// </summary>
internal static class TestSafetensorsHeader
{
    public static IReadOnlyList<TensorInfo> Read(string path)
    {
        using var fs = File.OpenRead(path);
        Span<byte> len = stackalloc byte[8];
        fs.ReadExactly(len);
        long n = BinaryPrimitives.ReadInt64LittleEndian(len);
        var json = new byte[n];
        fs.ReadExactly(json);
        using var doc = JsonDocument.Parse(json);
        var list = new List<TensorInfo>();
        foreach (var p in doc.RootElement.EnumerateObject())
        {
            if (p.Name == "__metadata__") continue;
            Assert.True(TensorDataType.TryFromSafetensorsName(p.Value.GetProperty("dtype").GetString()!, out var dt));
            var shape = p.Value.GetProperty("shape").EnumerateArray().Select(e => e.GetInt64()).ToImmutableArray();
            var offs = p.Value.GetProperty("data_offsets").EnumerateArray().Select(e => e.GetInt64()).ToArray();
            list.Add(new TensorInfo(p.Name, shape, dt, offs[1] - offs[0]) { DataOffset = 8 + n + offs[0], FilePath = path });
        }

        return list;
    }
}
