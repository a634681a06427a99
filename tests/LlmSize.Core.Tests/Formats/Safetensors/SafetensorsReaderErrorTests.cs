using System.Text;
using LlmSize.Core.Formats.Safetensors;
using LlmSize.Core.Tests.Infrastructure;
using static LlmSize.Core.Tests.Formats.Safetensors.SafetensorsTestData;

namespace LlmSize.Core.Tests.Formats.Safetensors;

/// <summary>Hostile and broken inputs, each built in code; every case runs in all four <see cref="ReadMode"/>s.</summary>
public class SafetensorsReaderErrorTests
{
    /// <summary>A valid entry: F32 [2, 3] = 6 × 4 = 24 bytes at [0, 24).</summary>
    private const string W = """ "w":{"dtype":"F32","shape":[2,3],"data_offsets":[0,24]} """;

    private static byte[] Json(string json, long data) => Build(json, data);

    private static byte[] Utf8(string s) => Encoding.UTF8.GetBytes(s);

    /// <summary>Case name → (file bytes, expected error).</summary>
    private static readonly Dictionary<string, (byte[] Bytes, ModelFormatError Error)> Cases = new()
    {
        // --- the 8-byte length and the file's size ---
        ["empty file"] = ([], ModelFormatError.Truncated),
        ["3 bytes of the length"] = ([0x02, 0x00, 0x00], ModelFormatError.Truncated),
        ["length 1000 but 2 header bytes"] = (WithLength(1000, Utf8("{}")), ModelFormatError.HeaderTooLarge),
        ["length over the 100,000,000 cap"] = (WithLength(100_000_001, Utf8("{}")), ModelFormatError.HeaderTooLarge),
        ["length near 2^64"] = (WithLength(ulong.MaxValue - 7, Utf8("{}")), ModelFormatError.HeaderTooLarge),
        ["length 0"] = (WithLength(0, []), ModelFormatError.InvalidJson),
        // --- other formats ---
        ["zip (PyTorch .bin)"] = (Utf8("PK\u0003\u0004\u0014\u0000\u0000\u0000\u0008\u0000archive/data.pkl"), ModelFormatError.WrongFormat),
        ["gzip"] = ([0x1F, 0x8B, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03, 0x4B], ModelFormatError.WrongFormat),
        ["Git LFS pointer"] = (Utf8("version https://git-lfs.github.com/spec/v1\noid sha256:4d7a\nsize 1201208\n"), ModelFormatError.WrongFormat),
        ["HTML error page"] = (Utf8("<!DOCTYPE html><html><head><title>404</title></head></html>"), ModelFormatError.WrongFormat),
        ["index JSON given as a shard"] = (Utf8("{\"metadata\": {\"total_size\": 48}, \"weight_map\": {}}"), ModelFormatError.WrongFormat),
        ["GGUF file"] = ([.. Utf8("GGUF"), 3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], ModelFormatError.WrongFormat),
        // Pickle protocol 2 opcode PROTO (0x80 0x02), then "}q\0(" (EMPTY_DICT, BINPUT 0, MARK): a legacy torch.save.
        ["legacy pickle checkpoint"] = ([0x80, 0x02, 0x7D, 0x71, 0x00, 0x28, 0x58, 0x05, 0x00, 0x00, 0x00], ModelFormatError.WrongFormat),
        // --- the JSON text ---
        ["not JSON"] = (Json("hello world", 0), ModelFormatError.InvalidJson),
        ["JSON array, not object"] = (Json("[1,2]", 0), ModelFormatError.InvalidJson),
        ["JSON cut short"] = (Json("""{"w":{"dtype":"F32",""", 0), ModelFormatError.InvalidJson),
        ["text after the object"] = (Json("{} x", 0), ModelFormatError.InvalidJson),
        ["comment"] = (Json("{/* c */}", 0), ModelFormatError.InvalidJson),
        ["trailing comma"] = (Json("{" + W + ",}", 24), ModelFormatError.InvalidJson),
        ["invalid UTF-8 in a key"] = (Build([.. Utf8("{\""), 0xFF, 0xFE, .. Utf8("\":{}}")], 0), ModelFormatError.InvalidUtf8),
        ["lone surrogate escape"] = (Json("""{"\ud800":{"dtype":"U8","shape":[0],"data_offsets":[0,0]}}""", 0), ModelFormatError.InvalidJson),
        ["tensor entry not an object"] = (Json("""{"w":[1]}""", 0), ModelFormatError.InvalidJson),
        // --- fields ---
        ["missing dtype"] = (Json("""{"w":{"shape":[2,3],"data_offsets":[0,24]}}""", 24), ModelFormatError.MissingField),
        ["missing shape"] = (Json("""{"w":{"dtype":"F32","data_offsets":[0,24]}}""", 24), ModelFormatError.MissingField),
        ["missing data_offsets"] = (Json("""{"w":{"dtype":"F32","shape":[2,3]}}""", 24), ModelFormatError.MissingField),
        ["dtype twice"] = (Json("""{"w":{"dtype":"F32","dtype":"F32","shape":[2,3],"data_offsets":[0,24]}}""", 24), ModelFormatError.DuplicateKey),
        ["unknown dtype F128"] = (Json("""{"w":{"dtype":"F128","shape":[2,3],"data_offsets":[0,24]}}""", 24), ModelFormatError.UnknownDataType),
        ["lower-case dtype f32"] = (Json("""{"w":{"dtype":"f32","shape":[2,3],"data_offsets":[0,24]}}""", 24), ModelFormatError.UnknownDataType),
        ["dtype not a string"] = (Json("""{"w":{"dtype":32,"shape":[2,3],"data_offsets":[0,24]}}""", 24), ModelFormatError.InvalidJson),
        ["negative shape"] = (Json("""{"w":{"dtype":"F32","shape":[-2,3],"data_offsets":[0,24]}}""", 24), ModelFormatError.InvalidValue),
        ["fractional shape"] = (Json("""{"w":{"dtype":"F32","shape":[2.5,3],"data_offsets":[0,24]}}""", 24), ModelFormatError.InvalidValue),
        ["exponent shape"] = (Json("""{"w":{"dtype":"F32","shape":[2e0,3],"data_offsets":[0,24]}}""", 24), ModelFormatError.InvalidValue),
        ["string shape"] = (Json("""{"w":{"dtype":"F32","shape":["2",3],"data_offsets":[0,24]}}""", 24), ModelFormatError.InvalidJson),
        ["shape not an array"] = (Json("""{"w":{"dtype":"F32","shape":6,"data_offsets":[0,24]}}""", 24), ModelFormatError.InvalidJson),
        ["dimension over 2^63 - 1"] = (Json("""{"w":{"dtype":"U8","shape":[9223372036854775808],"data_offsets":[0,0]}}""", 0), ModelFormatError.ArithmeticOverflow),
        ["dimension over 2^64 - 1"] = (Json("""{"w":{"dtype":"U8","shape":[18446744073709551616],"data_offsets":[0,0]}}""", 0), ModelFormatError.ArithmeticOverflow),
        // 2^32 × 2^32 elements overflows 64 bits.
        ["shape product overflow"] = (Json("""{"w":{"dtype":"U8","shape":[4294967296,4294967296],"data_offsets":[0,0]}}""", 0), ModelFormatError.ArithmeticOverflow),
        // 2^61 elements fit, but × 32 bits does not.
        ["shape × bits overflow"] = (Json("""{"w":{"dtype":"F32","shape":[2305843009213693952],"data_offsets":[0,0]}}""", 0), ModelFormatError.ArithmeticOverflow),
        ["65 dimensions"] = (Json("{\"w\":{\"dtype\":\"U8\",\"shape\":[" + string.Join(",", Enumerable.Repeat(1, 65)) + "],\"data_offsets\":[0,1]}}", 1), ModelFormatError.CountTooLarge),
        ["data_offsets with 3 elements"] = (Json("""{"w":{"dtype":"F32","shape":[2,3],"data_offsets":[0,24,48]}}""", 24), ModelFormatError.InvalidJson),
        ["data_offsets with 1 element"] = (Json("""{"w":{"dtype":"F32","shape":[2,3],"data_offsets":[0]}}""", 24), ModelFormatError.InvalidJson),
        ["negative offset"] = (Json("""{"w":{"dtype":"F32","shape":[2,3],"data_offsets":[-24,0]}}""", 24), ModelFormatError.InvalidValue),
        ["offset over 2^63 - 1"] = (Json("""{"w":{"dtype":"U8","shape":[1],"data_offsets":[0,18446744073709551615]}}""", 1), ModelFormatError.OffsetOutOfRange),
        // U8 [100] needs 100 bytes, the data section has 10.
        ["offsets past the data section"] = (Json("""{"w":{"dtype":"U8","shape":[100],"data_offsets":[0,100]}}""", 10), ModelFormatError.OffsetOutOfRange),
        ["overlapping tensors"] = (Json("""{"a":{"dtype":"U8","shape":[4],"data_offsets":[0,4]},"b":{"dtype":"U8","shape":[4],"data_offsets":[2,6]}}""", 6), ModelFormatError.OverlappingData),
        ["same range twice"] = (Json("""{"a":{"dtype":"U8","shape":[4],"data_offsets":[0,4]},"b":{"dtype":"U8","shape":[4],"data_offsets":[0,4]}}""", 4), ModelFormatError.OverlappingData),
        ["gap between tensors"] = (Json("""{"a":{"dtype":"U8","shape":[4],"data_offsets":[0,4]},"b":{"dtype":"U8","shape":[4],"data_offsets":[6,10]}}""", 10), ModelFormatError.DataNotContiguous),
        ["first tensor not at 0"] = (Json("""{"a":{"dtype":"U8","shape":[4],"data_offsets":[2,6]}}""", 6), ModelFormatError.DataNotContiguous),
        ["begin after end"] = (Json("""{"a":{"dtype":"U8","shape":[0],"data_offsets":[4,0]}}""", 4), ModelFormatError.InvalidValue),
        ["size ≠ shape × dtype"] = (Json("""{"w":{"dtype":"F32","shape":[2,3],"data_offsets":[0,20]}}""", 20), ModelFormatError.ShapeSizeMismatch),
        ["trailing byte after the last tensor"] = (Json("{" + W + "}", 25), ModelFormatError.DataNotContiguous),
        // F4 is 4 bits: 3 elements = 12 bits, not a whole byte (tensor.rs MisalignedSlice).
        ["F4 not on a byte boundary"] = (Json("""{"w":{"dtype":"F4","shape":[3],"data_offsets":[0,2]}}""", 2), ModelFormatError.Misaligned),
        // --- keys and metadata ---
        ["duplicate tensor name"] = (Json("""{"a":{"dtype":"U8","shape":[1],"data_offsets":[0,1]},"a":{"dtype":"U8","shape":[1],"data_offsets":[1,2]}}""", 2), ModelFormatError.DuplicateKey),
        ["metadata value not a string"] = (Json("""{"__metadata__":{"a":1}}""", 0), ModelFormatError.InvalidJson),
        ["metadata value an object"] = (Json("""{"__metadata__":{"a":{"b":"c"}}}""", 0), ModelFormatError.InvalidJson),
        ["metadata not an object"] = (Json("""{"__metadata__":"x"}""", 0), ModelFormatError.InvalidJson),
        ["duplicate metadata key"] = (Json("""{"__metadata__":{"a":"1","a":"2"}}""", 0), ModelFormatError.DuplicateKey),
        ["__metadata__ twice"] = (Json("""{"__metadata__":{},"__metadata__":{}}""", 0), ModelFormatError.DuplicateKey),
        ["unknown field nested 40 deep"] = (Json("{\"w\":{\"x\":" + new string('[', 40) + new string(']', 40) + ",\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[0,1]}}", 1), ModelFormatError.NestingTooDeep),
    };

    public static TheoryData<string, ReadMode> CaseNames
    {
        get
        {
            var data = new TheoryData<string, ReadMode>();
            foreach (string name in Cases.Keys)
            {
                foreach (ReadMode mode in AllModes) data.Add(name, mode);
            }

            return data;
        }
    }

    [Theory]
    [MemberData(nameof(CaseNames))]
    public async Task Read_BadInput_ThrowsModelFormatExceptionWithCode(string caseName, ReadMode mode)
    {
        (byte[] bytes, ModelFormatError error) = Cases[caseName];
        ModelFormatException e = await AssertFailsAsync(bytes, mode, error);
        Assert.Contains("test.safetensors", e.Message);
    }

    [Theory]
    [InlineData(ReadMode.SyncSeekable)]
    [InlineData(ReadMode.SyncNonSeekable)]
    [InlineData(ReadMode.AsyncSeekable)]
    [InlineData(ReadMode.AsyncNonSeekable)]
    public async Task Read_TruncatedAtEveryByte_ThrowsCodeOfThePartCut(ReadMode mode)
    {
        byte[] full = await File.ReadAllBytesAsync(TestPaths.Fixture("safetensors", "overall.safetensors"));
        // overall.safetensors: bytes 0-7 length (N = 526), 8-533 JSON, 534-701 data (168 bytes).
        for (int length = 0; length < full.Length; length++)
        {
            ModelFormatError expected = length < 8 ? ModelFormatError.Truncated      // inside the 8-byte length
                : length < 534 ? ModelFormatError.HeaderTooLarge                       // N points past the end
                : ModelFormatError.OffsetOutOfRange;                                   // tensor data past the end
            await AssertFailsAsync(full[..length], mode, expected);
        }
    }

    [Fact]
    public async Task Read_UnknownDtype_NamesTensorAndJsonOffset()
    {
        string json = """{"w":{"dtype":"F128","shape":[2,3],"data_offsets":[0,24]}}""";
        var e = await AssertFailsAsync(Build(json, 24), ReadMode.SyncSeekable, ModelFormatError.UnknownDataType);
        Assert.Equal("w", e.Field);
        Assert.Equal(OffsetOf(json, "\"F128\""), e.Offset); // 8 + position of the dtype value in the JSON
        Assert.Contains("F128", e.Message);
    }

    [Fact]
    public async Task Read_SizeMismatch_NamesTensorAndItsKeyOffset()
    {
        string json = """{"a":{"dtype":"U8","shape":[1],"data_offsets":[0,1]},"w":{"dtype":"F32","shape":[2,3],"data_offsets":[1,21]}}""";
        var e = await AssertFailsAsync(Build(json, 21), ReadMode.AsyncNonSeekable, ModelFormatError.ShapeSizeMismatch);
        Assert.Equal("w", e.Field);
        Assert.Equal(OffsetOf(json, "\"w\""), e.Offset);
        Assert.Contains("24", e.Message); // F32 [2, 3] needs 6 × 4 = 24 bytes
    }

    [Fact]
    public async Task Read_InvalidUtf8_OffsetOfTheBadByte()
    {
        // {"  then 0xFF at JSON position 2 → absolute offset 8 + 2 = 10.
        var e = await AssertFailsAsync(Build([.. Utf8("{\""), 0xFF, .. Utf8("\":{}}")], 0), ReadMode.SyncSeekable, ModelFormatError.InvalidUtf8);
        Assert.Equal(10, e.Offset);
    }

    [Fact]
    public async Task Read_ZipFile_MessageSaysPyTorch()
    {
        var e = await AssertFailsAsync(Utf8("PK\u0003\u0004\u0014\u0000\u0000\u0000\u0008\u0000"), ReadMode.SyncSeekable, ModelFormatError.WrongFormat);
        Assert.Contains("zip", e.Message);
        Assert.Equal(0, e.Offset);
    }

    [Fact]
    public async Task Read_OverConfiguredLimits_CountAndStringAndHeaderCaps()
    {
        string two = """{"a":{"dtype":"U8","shape":[1],"data_offsets":[0,1]},"b":{"dtype":"U8","shape":[1],"data_offsets":[1,2]}}""";
        await AssertFailsAsync(Build(two, 2), ReadMode.SyncSeekable, ModelFormatError.CountTooLarge,
            new SafetensorsReaderOptions { MaxTensorCount = 1 });
        string longName = """{"a_rather_long_name":{"dtype":"U8","shape":[1],"data_offsets":[0,1]}}""";
        await AssertFailsAsync(Build(longName, 1), ReadMode.SyncSeekable, ModelFormatError.StringTooLong,
            new SafetensorsReaderOptions { MaxStringBytes = 8 });
        // Cap + 1: the header is one byte longer than MaxHeaderBytes.
        byte[] bytes = Build(two, 2);
        await AssertFailsAsync(bytes, ReadMode.AsyncNonSeekable, ModelFormatError.HeaderTooLarge,
            new SafetensorsReaderOptions { MaxHeaderBytes = two.Length - 1 });
        // At the cap exactly: accepted.
        Assert.Equal(2, (await ReadAsync(bytes, ReadMode.SyncSeekable, new SafetensorsReaderOptions { MaxHeaderBytes = two.Length })).Tensors.Count);
        string meta = """{"__metadata__":{"a":"1","b":"2"}}""";
        await AssertFailsAsync(Build(meta, 0), ReadMode.SyncSeekable, ModelFormatError.CountTooLarge,
            new SafetensorsReaderOptions { MaxMetadataEntries = 1 });
    }

    [Fact]
    public async Task Read_RandomByteMutations_OnlyModelFormatExceptionEscapes()
    {
        byte[] original = await File.ReadAllBytesAsync(TestPaths.Fixture("safetensors", "overall.safetensors"));
        var random = new Random(20240229); // fixed seed: reproducible
        int failures = 0;
        for (int i = 0; i < 2000; i++)
        {
            byte[] bytes = (byte[])original.Clone();
            int edits = random.Next(1, 5);
            for (int k = 0; k < edits; k++)
            {
                // Half the edits hit the 8-byte length or the JSON, where structure lives.
                int at = random.Next(2) == 0 ? random.Next(0, 534) : random.Next(0, bytes.Length);
                bytes[at] = (byte)random.Next(256);
            }

            if (random.Next(10) == 0) bytes = bytes[..random.Next(bytes.Length)];
            try
            {
                _ = await ReadAsync(bytes, (ReadMode)(i % 4));
            }
            catch (ModelFormatException)
            {
                failures++;
            }
            catch (Exception e)
            {
                Assert.Fail($"mutation {i}: {e.GetType().Name} escaped: {e.Message}");
            }
        }

        Assert.True(failures > 1000, $"only {failures} of 2000 mutations were rejected");
    }
}
